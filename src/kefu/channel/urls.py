from django.urls import path

from kefu.channel import views, visitor

app_name = "channel"
urlpatterns = [
    # Staff pages (login required, scoped)
    path("console/", views.console, name="console"),
    path("console/queue/", views.console_queue, name="console_queue"),
    path("console/conversations/<int:conversation_id>/customer/", views.console_customer, name="console_customer"),
    path("conversations/", views.conversation_list, name="conversations"),
    path("conversations/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:conversation_id>/reassign/", views.conversation_reassign, name="conversation_reassign"),
    path("queue/", views.queue, name="queue"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("payments/", views.payment_list, name="payments"),
    path("attachments/<int:message_id>/", views.attachment, name="attachment"),
    # The customer's side (public; the visitor's own session conversation only)
    path("chat/", visitor.chat, name="chat"),
    path("chat/messages/", visitor.chat_messages, name="chat_messages"),
    path("chat/status/", visitor.chat_status, name="chat_status"),
    path("chat/rate/", visitor.chat_rate, name="chat_rate"),
    path("chat/close/", visitor.chat_close, name="chat_close"),
    path("chat/new/", visitor.chat_new, name="chat_new"),
    path("chat/attachments/<int:message_id>/", visitor.chat_attachment, name="chat_attachment"),
]
