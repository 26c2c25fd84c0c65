from decimal import Decimal

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    label = "complaints"
    verbose_name = "投诉处理"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.channel import hooks as channel_hooks
        from kefu.complaints import workflow
        from kefu.complaints.services import sla
        from kefu.core import navigation, periodic, scopes

        periodic.register("complaints.sla_sweep", every_seconds=60, run=sla.complaint_sla_sweep)
        # One click from the agent console: raise a complaint linked to the chat and its order.
        channel_hooks.conversation_action_register(
            channel_hooks.ConversationAction("登记投诉", "/complaints/new/?conversation={conversation_id}")
        )
        from kefu.policy.catalogue import PolicyKeySpec, ValueType, register

        register(
            PolicyKeySpec(
                "complaints.categories",
                ValueType.WORD_LIST,
                list(workflow.DEFAULT_CATEGORIES),
                "投诉类别",
                "种子 004：商品质量、购销合同、货物运输、服务、建议/意见；由集团设定",
            ),
            PolicyKeySpec(
                "complaints.approval_limit",
                ValueType.MONEY,
                "500.00",
                "方案审批上限（元）",
                "赔付/退款金额超过此值的方案须经第二人审批",
                minimum=Decimal(0),
            ),
            PolicyKeySpec(
                "complaints.sla_hours",
                ValueType.TABLE,
                workflow.DEFAULT_SLA,
                "投诉各步骤时限（小时）",
                "按步骤和类别（* 表示所有类别）；超时提醒、升级组长、再升级经理",
                columns={"step": ValueType.TEXT, "category": ValueType.TEXT, "hours": ValueType.NUMBER},
                locked=False,
            ),
            PolicyKeySpec(
                "complaints.reminder_hours",
                ValueType.NUMBER,
                "2",
                "到期前提醒（小时）",
                "本步时限前多少小时提醒负责人",
                minimum=Decimal(0),
                maximum=Decimal(240),
                locked=False,
            ),
            PolicyKeySpec(
                "complaints.manager_escalation_hours",
                ValueType.NUMBER,
                "24",
                "升级经理（超时后小时）",
                "超时先升级组长；再过此时长仍未处理则升级经理",
                minimum=Decimal(0),
                maximum=Decimal(720),
                locked=False,
            ),
        )
        staff = tuple(r for r in scopes.ALL_ROLES if r != scopes.FINANCE)
        navigation.register(
            navigation.Section(_("投诉"), "complaints:inbox", staff, _("投诉收件箱、时限、处理流程")),
            navigation.Section(
                _("投诉预防"),
                "complaints:prevention",
                (scopes.TEAM_LEAD, scopes.COMPLAINTS_OFFICER, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("按商品和客服统计反复出现的投诉类别"),
            ),
        )
