from django.urls import path

from kefu.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.my, name="my"),
    path("team/", views.team, name="team"),
    path("team/export/", views.team_export, name="team_export"),
    path("employees/<int:employee_id>/", views.employee_file, name="employee"),
    path("employees/<int:employee_id>/export/", views.employee_export, name="employee_export"),
    path("imports/", views.import_records, name="imports"),
    path("kpi/", views.kpi, name="kpi"),
    path("kpi/new/", views.kpi_node_new, name="kpi_new"),
    path("kpi/<int:node_id>/", views.kpi_node, name="kpi_node"),
    path("kpi/<int:node_id>/children/", views.kpi_node_child, name="kpi_child"),
    path("kpi/<int:node_id>/weights/", views.kpi_node_weights, name="kpi_weights"),
    path("kpi/<int:node_id>/actual/", views.kpi_node_actual, name="kpi_actual"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:period_id>/", views.calibration, name="calibration"),
    path("periods/<int:period_id>/reviews/", views.review_new, name="review_new"),
    path("periods/<int:period_id>/lock/", views.period_lock, name="period_lock"),
    path("reviews/<int:review_id>/", views.review_detail, name="review"),
    path("ratings/<int:rating_id>/", views.rating_detail, name="rating"),
    path("coefficients/", views.coefficient_list, name="coefficients"),
    path("coefficients/propose/", views.recalibration_propose, name="propose"),
    path("coefficients/<int:version_id>/", views.coefficient_version, name="version"),
    path("contests/", views.contest_list, name="contests"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:contest_id>/", views.contest_detail, name="contest"),
    path("contests/<int:contest_id>/close/", views.contest_close, name="contest_close"),
    path("worklogs/", views.work_logs, name="work_logs"),
    path("worklogs/<int:work_log_id>/rate/", views.work_log_rate, name="work_log_rate"),
]
