from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "kefu.org"
    label = "org"
    verbose_name = "组织"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.core import navigation, scopes
        from kefu.org import selectors

        scopes.set_principal_provider(selectors.principal_for)
        # Remembered principals and token answers are dropped when what they are made of changes here.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from kefu.core import services as core_services
        from kefu.org.models import Employee, RoleAssignment

        for model in (RoleAssignment, Employee, get_user_model()):
            for signal in (post_save, post_delete):
                signal.connect(selectors.forget_principals, sender=model, dispatch_uid=f"org.forget.{model.__name__}")
        for signal in (post_save, post_delete):
            signal.connect(core_services.forget_tokens, sender=get_user_model(), dispatch_uid="org.forget_tokens")
        navigation.register(
            navigation.Section(_("我的档案"), "org:me", (), _("我的岗位、司龄、工资与调动记录")),
            navigation.Section(
                _("组织架构"),
                "org:tree",
                tuple(r for r in scopes.ALL_ROLES if r != scopes.AGENT),
                _("分公司、客服中心、部门、班组与员工"),
            ),
        )
