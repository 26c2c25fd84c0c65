from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "kefu.compliance"
    label = "compliance"
    verbose_name = "合规监控"
