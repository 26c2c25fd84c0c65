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
        navigation.register(
            navigation.Section(_("我的档案"), "org:me", (), _("我的岗位、司龄、工资与调动记录")),
            navigation.Section(
                _("组织架构"),
                "org:tree",
                tuple(r for r in scopes.ALL_ROLES if r != scopes.AGENT),
                _("分公司、客服中心、部门、班组与员工"),
            ),
        )
