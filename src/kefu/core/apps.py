from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.core import append_only, navigation, scopes

        # Once per migrate (not per app): every append-only table gets its refusing triggers.
        post_migrate.connect(append_only.install_triggers, sender=self, dispatch_uid="kefu_append_only_triggers")
        navigation.register(
            navigation.Section(
                _("通知中心"), "notifications", (), _("发给你的全部通知：合规预警、案件进展、投诉提醒（未读提醒）")
            ),
            navigation.Section(
                _("审计日志"), "audit_log", (scopes.BRANCH_HR, scopes.HQ_ADMIN), _("每一次修改：谁、何时、改了什么")
            ),
        )
