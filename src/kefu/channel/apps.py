from decimal import Decimal

from django.apps import AppConfig


class ChannelConfig(AppConfig):
    name = "kefu.channel"
    label = "channel"
    verbose_name = "官方渠道"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from kefu.channel.services import routing
        from kefu.core import navigation, periodic, scopes

        periodic.register("channel.close_idle", every_seconds=60, run=routing.close_idle)
        from kefu.policy.catalogue import PolicyKeySpec, ValueType, register

        register(
            PolicyKeySpec(
                "channel.retract_minutes",
                ValueType.INTEGER,
                2,
                "消息撤回时限（分钟）",
                "客服只能撤回此时限内发出的消息；原消息留档备查",
                minimum=Decimal(0),
                maximum=Decimal(60),
            ),
            PolicyKeySpec(
                "channel.queue_notice_seconds",
                ValueType.INTEGER,
                60,
                "排队提示（秒）",
                "客户排队超过此时长，页面告知其排队位置",
                minimum=Decimal(0),
                maximum=Decimal(3600),
                locked=False,
            ),
            PolicyKeySpec(
                "channel.quick_replies",
                ValueType.WORD_LIST,
                [
                    "您好，很高兴为您服务，请问有什么可以帮您？",
                    "请您提供一下订单号，我马上为您查询。",
                    "已为您登记，预计 1–3 个工作日内处理完毕。",
                    "付款请只通过官方页面或公司账户，不要转账给个人。",
                    "感谢您的耐心等待，还有其他问题吗？",
                ],
                "快捷回复",
                "客服工作台的常用语",
                locked=False,
                extendable=True,
            ),
        )
        everyone_but_agents = tuple(r for r in scopes.ALL_ROLES if r != scopes.AGENT)
        navigation.register(
            navigation.Section(
                _("客服工作台"), "channel:console", (scopes.AGENT, scopes.TEAM_LEAD), _("排队、接待中的会话、实时消息")
            ),
            navigation.Section(
                _("会话记录"), "channel:conversations", scopes.ALL_ROLES, _("按客户、客服、订单、内容、时间查找会话")
            ),
            navigation.Section(
                _("排队监控"),
                "channel:queue",
                (scopes.TEAM_LEAD, scopes.QA, scopes.BRANCH_HR, scopes.HQ_ADMIN),
                _("各服务组排队人数、最长等待、在线客服"),
            ),
            navigation.Section(_("客户"), "channel:customers", scopes.ALL_ROLES, _("客户、订单与付款")),
            navigation.Section(
                _("付款记录"),
                "channel:payments",
                everyone_but_agents,
                _("付款与异常收款（非公司账户）"),
            ),
        )
