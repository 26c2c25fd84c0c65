from django.urls import path

from kefu.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.my, name="my"),
    path("plotly.js", views.plotly_js, name="plotly_js"),
    path("team/", views.team, name="team"),
    path("employees/<int:employee_id>/", views.employee_file, name="employee"),
    path("kpi/", views.kpi, name="kpi"),
    path("periods/<int:period_id>/", views.calibration, name="calibration"),
    path("reviews/<int:review_id>/", views.review_detail, name="review"),
    path("ratings/<int:rating_id>/", views.rating_detail, name="rating"),
    path("coefficients/", views.coefficient_list, name="coefficients"),
    path("coefficients/<int:version_id>/", views.coefficient_version, name="version"),
    path("contests/", views.contest_list, name="contests"),
    path("contests/<int:contest_id>/", views.contest_detail, name="contest"),
]
