from django.urls import path

from kefu.compliance import views

app_name = "compliance"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("cases/export/", views.cases_export, name="cases_export"),
    path("cases/<int:violation_case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:violation_case_id>/act/", views.case_act, name="case_act"),
    path("scores/", views.scores, name="scores"),
    path("scores/export/", views.scores_export, name="scores_export"),
    path("scores/<int:employee_id>/", views.score_detail, name="score_detail"),
    path("finance/", views.finance, name="finance"),
    path("finance/import/", views.finance_import, name="finance_import"),
    path("positive/", views.positive_list, name="positive_list"),
    path("positive/<int:positive_event_id>/verify/", views.positive_verify, name="positive_verify"),
    path("honours/", views.honours, name="honours"),
    path("analytics/", views.analytics, name="analytics"),
]
