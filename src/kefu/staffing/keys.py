"""Policy keys the staffing app declares (service level, answer time, shrinkage and occupancy cap are
foundation keys in kefu/policy/keys.py)."""

from __future__ import annotations

from decimal import Decimal

from kefu.policy.catalogue import PolicyKeySpec, ValueType

STAFFING_KEYS = (
    PolicyKeySpec(
        "staffing.hourly_cost",
        ValueType.TABLE,
        [
            {"position": "agent", "hourly_cost": "28.00"},
            {"position": "senior_agent", "hourly_cost": "34.00"},
            {"position": "team_lead", "hourly_cost": "42.00"},
        ],
        "每小时人工成本（按岗位）",
        "含社保公积金的每小时成本，用于成本曲线与大促增员成本",
        columns={"position": ValueType.TEXT, "hourly_cost": ValueType.MONEY},
        locked=False,
    ),
    PolicyKeySpec(
        "staffing.patience_seconds",
        ValueType.INTEGER,
        0,
        "客户平均耐心（秒）",
        "大于 0 时按 Erlang A 计算（客户等待超过耐心会挂断）；0 表示按 Erlang C（不考虑放弃）",
        minimum=Decimal(0),
        maximum=Decimal(86400),
        locked=False,
    ),
    PolicyKeySpec(
        "staffing.chat_concurrency",
        ValueType.INTEGER,
        3,
        "在线客服同时接待数（排班用）",
        "在线渠道每位客服同时处理的会话数；处理时长应按该并发下实测",
        minimum=Decimal(1),
        maximum=Decimal(20),
        locked=False,
    ),
    PolicyKeySpec(
        "staffing.holidays",
        ValueType.WORD_LIST,
        [
            "2026-01-01",
            "2026-05-01",
            "2026-05-02",
            "2026-05-03",
            "2026-05-04",
            "2026-05-05",
            "2026-10-01",
            "2026-10-02",
            "2026-10-03",
            "2026-10-04",
            "2026-10-05",
            "2026-10-06",
            "2026-10-07",
        ],
        "法定节假日（预测用）",
        "每行一个日期（YYYY-MM-DD）；分公司可增加本地节日",
        locked=False,
        extendable=True,
    ),
)
