from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "kefu.staffing"
    label = "staffing"
    verbose_name = "排班与人力"
