from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "kefu.compliance"
    label = "compliance"
    verbose_name = "合规监控"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.translation import gettext_lazy as _

        from kefu.channel import hooks
        from kefu.channel.models import Message, Payment
        from kefu.compliance import effective, keys, receivers, services
        from kefu.core import navigation, periodic, scopes
        from kefu.policy.signals import policy_changed, policy_written

        keys.register_keys()
        hooks.screen_message.register(effective.screen)
        post_save.connect(receivers.message_stored, sender=Message, dispatch_uid="compliance.message_stored")
        post_save.connect(receivers.payment_stored, sender=Payment, dispatch_uid="compliance.payment_stored")
        policy_changed.connect(receivers.policy_changed, dispatch_uid="compliance.policy_changed")
        policy_written.connect(receivers.policy_changed, dispatch_uid="compliance.policy_written")
        periodic.register("compliance.monthly_honours", every_seconds=3600, run=services.honours_monthly_sweep)

        readers = (scopes.AGENT, scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
        analysts = (scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
        navigation.register(
            navigation.Section(_("合规案件"), "compliance:cases", readers, _("违规事件、证据、审核与申诉")),
            navigation.Section(_("合规分"), "compliance:scores", readers, _("每月合规分、奖金资格与扣分依据")),
            navigation.Section(
                _("财务异常"),
                "compliance:finance",
                (scopes.FINANCE, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("私人账户收款、非公司账户付款：匹配客户、会话与客服"),
            ),
            navigation.Section(
                _("正向事件"), "compliance:positive_list", readers, _("拒收红包、拒绝私下联系，核实后加分")
            ),
            navigation.Section(_("合规标兵"), "compliance:honours", readers, _("每月零违规且有正向事件的客服")),
            navigation.Section(_("合规分析"), "compliance:analytics", analysts, _("高风险时段热力图、各组风险")),
        )
