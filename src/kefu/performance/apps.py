from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PerformanceConfig(AppConfig):
    name = "kefu.performance"
    label = "performance"
    verbose_name = "绩效积分"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.core import navigation, scopes
        from kefu.performance.keys import PERFORMANCE_KEYS
        from kefu.policy.catalogue import register

        register(*PERFORMANCE_KEYS)
        from kefu.channel import hooks as channel_hooks
        from kefu.performance import rollup
        from kefu.performance.services.records import work_record_from_conversation

        # Every chat closed in kefu's own channel becomes a work record of its agent.
        channel_hooks.conversation_closed_register(work_record_from_conversation)

        # The work-day totals are kept by triggers, reinstalled after every migrate (see rollup.py).
        post_migrate.connect(rollup.install_triggers, sender=self, dispatch_uid="kefu_work_day_totals")
        managers = (scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN)
        navigation.register(
            navigation.Section(_("我的绩效"), "performance:my", (), _("今日/本月积分、KPI 完成、我的考核")),
            navigation.Section(_("班组看板"), "performance:team", managers, _("班组成员积分、质检与排名")),
            navigation.Section(
                _("KPI 与校准"),
                "performance:kpi",
                (scopes.TEAM_LEAD, scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("KPI 分解、汇总与考核校准"),
            ),
            navigation.Section(
                _("积分系数"),
                "performance:coefficients",
                (scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("业务类型、系数测算与审批"),
            ),
            navigation.Section(
                _("数据导入"),
                "performance:imports",
                (scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("导入话务、工单、营销等工作记录与质检评分"),
            ),
            navigation.Section(
                _("劳动竞赛"),
                "performance:contests",
                (scopes.TEAM_LEAD, scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("发起竞赛、实时排行与评奖"),
            ),
            navigation.Section(_("工作日志"), "performance:work_logs", (), _("提交工作日志与计划，组长评分")),
        )
