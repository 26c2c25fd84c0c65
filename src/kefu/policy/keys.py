"""The policy keys the foundation seeds for the domains built on it (HQ standards, locked by default)."""

from __future__ import annotations

from decimal import Decimal

from kefu.policy.catalogue import PolicyKeySpec, ValueType, register

FOUNDATION_KEYS = (
    PolicyKeySpec("compliance.score_start", ValueType.INTEGER, 100, "合规分起始分", "每位客服每月的合规分起点",
                  minimum=Decimal(0), maximum=Decimal(1000)),
    PolicyKeySpec("compliance.violation_penalty", ValueType.INTEGER, 5, "每次违规扣分", "每个确认的违规案件扣减的合规分",
                  minimum=Decimal(0), maximum=Decimal(100)),
    PolicyKeySpec("compliance.bonus_threshold", ValueType.INTEGER, 90, "合规奖金门槛", "合规分不低于此值可获合规奖金",
                  minimum=Decimal(0), maximum=Decimal(1000)),
    PolicyKeySpec("compliance.weight", ValueType.PERCENT, "0.20", "合规分在绩效中的权重", "集团规定 15%–25%",
                  minimum=Decimal("0.15"), maximum=Decimal("0.25")),
    PolicyKeySpec("compliance.block_message", ValueType.TEXT, "请通过官方渠道联系", "拦截提示语",
                  "消息被拦截时发送方看到的提示"),
    PolicyKeySpec("compliance.block_terms", ValueType.WORD_LIST,
                  ["加微信", "加我微信", "微信号", "加QQ", "QQ号", "私人电话", "银行卡号", "扫码加我"],
                  "拦截词表", "命中即拦截（分公司只能增加，不能删除集团词语）", locked=False, extendable=True),
    PolicyKeySpec("compliance.warn_terms", ValueType.WORD_LIST,
                  ["红包", "私下转账", "转账给我", "私下付款", "好处费"],
                  "预警词表", "命中即提醒客服并通知人事", locked=False, extendable=True),
    PolicyKeySpec("channel.company_accounts", ValueType.WORD_LIST,
                  ["6222020200112233445", "kefu-pay@example.com"], "公司收款账户",
                  "只有这些账户是公司账户；付款到其他账户记为异常"),
    PolicyKeySpec("channel.official_hotlines", ValueType.WORD_LIST, ["400-820-8820", "95188"], "官方客服热线",
                  "官方号码不会被合规扫描拦截"),
    PolicyKeySpec("channel.max_concurrent_chats", ValueType.INTEGER, 5, "每位客服同时接待上限",
                  minimum=Decimal(1), maximum=Decimal(50), locked=False),
    PolicyKeySpec("channel.idle_close_minutes", ValueType.INTEGER, 30, "会话空闲自动关闭（分钟）",
                  minimum=Decimal(1), maximum=Decimal(1440), locked=False),
    PolicyKeySpec("performance.skill_weight_regular", ValueType.PERCENT, "0.65", "普通客服技能考核权重",
                  "种子 004：普通客服 60%–70%", minimum=Decimal("0.60"), maximum=Decimal("0.70")),
    PolicyKeySpec("performance.skill_weight_senior", ValueType.PERCENT, "0.45", "高级岗位技能考核权重",
                  "种子 004：高级岗位 40%–50%", minimum=Decimal("0.40"), maximum=Decimal("0.50")),
    PolicyKeySpec("payroll.unit_price", ValueType.MONEY, "1.20", "绩效点单价（元/点）",
                  "由人工成本预算推出", minimum=Decimal(0), locked=False),
    PolicyKeySpec("complaints.penalty_bands", ValueType.TABLE,
                  [{"loss_from": "0", "loss_to": "500", "deduct_rate": "0.05"},
                   {"loss_from": "500", "loss_to": "5000", "deduct_rate": "0.10"},
                   {"loss_from": "5000", "loss_to": "999999999", "deduct_rate": "0.20"}],
                  "投诉损失扣罚档位", "按损失金额扣减绩效工资的比例",
                  columns={"loss_from": ValueType.MONEY, "loss_to": ValueType.MONEY, "deduct_rate": ValueType.PERCENT}),
    PolicyKeySpec("staffing.service_level_target", ValueType.PERCENT, "0.80", "服务水平目标",
                  "在应答时限内接起的比例", minimum=Decimal("0.01"), maximum=Decimal("0.99"), locked=False),
    PolicyKeySpec("staffing.answer_within_seconds", ValueType.INTEGER, 20, "应答时限（秒）",
                  minimum=Decimal(1), maximum=Decimal(3600), locked=False),
    PolicyKeySpec("staffing.shrinkage", ValueType.PERCENT, "0.30", "排班损耗率", "休息、培训、缺勤",
                  minimum=Decimal(0), maximum=Decimal("0.90"), locked=False),
    PolicyKeySpec("staffing.max_occupancy", ValueType.PERCENT, "0.85", "最高占用率",
                  minimum=Decimal("0.10"), maximum=Decimal(1), locked=False),
)


def register_foundation_keys() -> None:
    register(*FOUNDATION_KEYS)
