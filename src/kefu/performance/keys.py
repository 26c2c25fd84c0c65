"""Policy keys of the performance domain (registered from PerformanceConfig.ready())."""

from __future__ import annotations

from decimal import Decimal

from kefu.policy.catalogue import PolicyKeySpec, ValueType

COEFFICIENTS_DELEGATED = "performance.coefficients_delegated"
RECALIBRATION_MONTHS = "performance.recalibration_months"
RECALIBRATION_MIN_SAMPLES = "performance.recalibration_min_samples"
MAX_HANDLE_SECONDS = "performance.max_handle_seconds"
INDICATOR_WEIGHTS = "performance.indicator_weights"
RATER_WEIGHTS = "performance.rater_weights"
SKILL_WEIGHT_REGULAR = "performance.skill_weight_regular"
SKILL_WEIGHT_SENIOR = "performance.skill_weight_senior"
CHAT_BUSINESS_TYPE = "performance.chat_business_type"

PERFORMANCE_KEYS = (
    PolicyKeySpec(
        CHAT_BUSINESS_TYPE,
        ValueType.TEXT,
        "inquiry",
        "在线会话计入的业务类型",
        "客服在官方渠道结束一次会话，按此业务类型编码（客服所在部门的业务类型）记一条工作记录并计分",
    ),
    PolicyKeySpec(
        COEFFICIENTS_DELEGATED,
        ValueType.BOOL,
        False,
        "积分系数审批下放分公司",
        "否：只有集团批准系数调整；是：分公司人事可批准本分公司的系数调整（集团解锁后方可设置）",
    ),
    PolicyKeySpec(
        RECALIBRATION_MONTHS,
        ValueType.INTEGER,
        3,
        "系数重新测算取样月数",
        "按最近 N 个月的工作记录测算标准时长",
        minimum=Decimal(1),
        maximum=Decimal(24),
    ),
    PolicyKeySpec(
        RECALIBRATION_MIN_SAMPLES,
        ValueType.INTEGER,
        30,
        "系数测算最少样本数",
        "样本不足的业务类型保留原系数",
        minimum=Decimal(1),
        maximum=Decimal(100000),
    ),
    PolicyKeySpec(
        MAX_HANDLE_SECONDS,
        ValueType.INTEGER,
        7200,
        "单条记录最长处理时长（秒）",
        "超过此值的工作记录视为异常，导入时拒收",
        minimum=Decimal(60),
        maximum=Decimal(86400),
    ),
    PolicyKeySpec(
        INDICATOR_WEIGHTS,
        ValueType.TABLE,
        [
            {"level": "regular", "workload": "0.40", "quality": "0.25", "kpi": "0.20", "behaviour": "0.15"},
            {"level": "senior", "workload": "0.20", "quality": "0.25", "kpi": "0.35", "behaviour": "0.20"},
        ],
        "绩效指标权重（按岗位）",
        "工作量+质量考核 = 技能权重（普通 60%–70%，高级 40%–50%）；每行合计必须为 100%",
        columns={
            "level": ValueType.TEXT,
            "workload": ValueType.PERCENT,
            "quality": ValueType.PERCENT,
            "kpi": ValueType.PERCENT,
            "behaviour": ValueType.PERCENT,
        },
    ),
    PolicyKeySpec(
        RATER_WEIGHTS,
        ValueType.TABLE,
        [
            {"rater": "lead", "weight": "0.50"},
            {"rater": "qa", "weight": "0.20"},
            {"rater": "peer", "weight": "0.20"},
            {"rater": "self", "weight": "0.10"},
        ],
        "考核评分人权重",
        "组长、质检、同事、本人；合计必须为 100%",
        columns={"rater": ValueType.TEXT, "weight": ValueType.PERCENT},
    ),
)
