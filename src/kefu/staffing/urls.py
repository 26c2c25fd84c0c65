from django.urls import path

from kefu.staffing import views

app_name = "staffing"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/new/", views.run_create, name="run_new"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/target/", views.run_choose_target, name="run_target"),
    path("runs/<int:run_id>/export/", views.run_export, name="run_export"),
    path("queues/new/", views.queue_create, name="queue_new"),
    path("queues/<int:queue_id>/", views.queue_detail, name="queue"),
    path("queues/<int:queue_id>/shifts/new/", views.shift_create, name="shift_new"),
    path("events/new/", views.event_create, name="event_new"),
    path("history/import/", views.history_import, name="history_import"),
    path("shifts/import/", views.shift_import, name="shift_import"),
]
