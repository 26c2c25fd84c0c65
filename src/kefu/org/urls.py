from django.urls import path

from kefu.org import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("me/", views.me, name="me"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("employees/<int:employee_id>/", views.employee_detail, name="employee"),
]
