from django.urls import path

from kefu.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:unit_id>/", views.unit_policies, name="unit"),
    path("units/<int:unit_id>/keys/<str:key>/", views.key_detail, name="key"),
    path("units/<int:unit_id>/keys/<str:key>/clear/", views.key_clear, name="clear"),
]
