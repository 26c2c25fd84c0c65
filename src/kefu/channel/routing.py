from django.urls import path

from kefu.channel import consumers

websocket_urlpatterns = [
    path("ws/channel/staff/", consumers.StaffConsumer.as_asgi()),
    path("ws/channel/visitor/", consumers.VisitorConsumer.as_asgi()),
]
