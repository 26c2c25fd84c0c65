from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "kefu.staffing"
    label = "staffing"
    verbose_name = "排班与人力"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.core import navigation, periodic
        from kefu.policy.catalogue import register
        from kefu.staffing import keys, services
        from kefu.staffing.selectors import PLANNERS

        register(*keys.STAFFING_KEYS)
        periodic.register("staffing.history_from_chat", every_seconds=300, run=services.contact_history_from_chat)
        navigation.register(
            navigation.Section(
                _("排班与人力"), "staffing:index", PLANNERS, _("话务预测、Erlang 人力需求、成本曲线、大促与排班覆盖")
            )
        )
