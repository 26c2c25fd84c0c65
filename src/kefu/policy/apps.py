from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "kefu.policy"
    label = "policy"
    verbose_name = "策略"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.core import navigation, scopes
        from kefu.policy import keys

        keys.register_foundation_keys()
        navigation.register(
            navigation.Section(
                _("策略"),
                "policy:index",
                (scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("集团标准与分公司设置，含锁定状态和修改历史"),
            )
        )
