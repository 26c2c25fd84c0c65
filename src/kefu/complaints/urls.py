from django.urls import path

from kefu.complaints import public, views

app_name = "complaints"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("export/", views.inbox_export, name="inbox_export"),
    path("new/", views.new, name="new"),
    path("import/<int:unit_id>/", views.import_csv, name="import"),
    path("prevention/", views.prevention, name="prevention"),
    path("agents/<int:employee_id>/", views.agent_file, name="agent_file"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/act/", views.act, name="act"),
    path("<int:complaint_id>/evidence/", views.evidence_add, name="evidence"),
    path("<int:complaint_id>/improvements/", views.improvement_add, name="improvement_add"),
    path("improvements/<int:improvement_id>/done/", views.improvement_done, name="improvement_done"),
    # Public: the customer's form and their status page (the token is the only key).
    path("public/", public.public_form, name="complaint_public_form"),
    path("public/<str:token>/", public.public_status, name="complaint_public_status"),
]
