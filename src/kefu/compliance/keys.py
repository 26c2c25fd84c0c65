"""The compliance app's own policy keys (the foundation already seeds score, penalty, weight, word lists).

HQ owns the scanner's categories, terms and actions (`compliance.scanner_rules`, locked); a branch makes
the scanner stricter through the extendable word lists `compliance.block_terms` / `compliance.warn_terms`.
"""

from __future__ import annotations

from decimal import Decimal

from kefu.compliance.scanner import default_policy
from kefu.policy.catalogue import PolicyKeySpec, ValueType, register

TERM_SEPARATOR = "、"


def default_rules() -> list[dict[str, str]]:
    """The built-in lexicon as policy table rows (terms and aliases joined with 、)."""
    return [
        {
            "category": rule.name,
            "action": str(rule.action),
            "terms": TERM_SEPARATOR.join(rule.terms),
            "aliases": TERM_SEPARATOR.join(rule.aliases),
        }
        for rule in default_policy().categories
    ]


def register_keys() -> None:
    register(
        PolicyKeySpec(
            "compliance.scanner_rules",
            ValueType.TABLE,
            default_rules(),
            "合规扫描类别与词库",
            (
                "集团规定：每个类别的处置（block 拦截 / warn 预警 / log 记录）、"
                "独立成立的词语与需结合账号或动作的别名（用、分隔）"
            ),
            columns={
                "category": ValueType.TEXT,
                "action": ValueType.TEXT,
                "terms": ValueType.TEXT,
                "aliases": ValueType.TEXT,
            },
        ),
        PolicyKeySpec(
            "compliance.allowed_phrases",
            ValueType.WORD_LIST,
            list(default_policy().allowed_phrases),
            "合规扫描放行短语",
            "集团规定：微信支付、店铺红包、对公转账等正当说法，不算违规",
        ),
        PolicyKeySpec(
            "compliance.positive_reward",
            ValueType.TEXT,
            "score",
            "正向事件奖励方式",
            "score：加合规分；points：计绩效点（由绩效模块读取）",
        ),
        PolicyKeySpec(
            "compliance.positive_score_bonus",
            ValueType.INTEGER,
            2,
            "正向事件加分",
            "每个核实的拒收红包/拒绝私下联系加的合规分（合规分不超过起始分）",
            minimum=Decimal(0),
            maximum=Decimal(20),
        ),
        PolicyKeySpec(
            "compliance.positive_points",
            ValueType.INTEGER,
            10,
            "正向事件绩效点",
            "奖励方式为 points 时，每个核实的正向事件计的绩效点",
            minimum=Decimal(0),
            maximum=Decimal(1000),
        ),
        PolicyKeySpec(
            "compliance.honours_day",
            ValueType.INTEGER,
            5,
            "合规标兵自动评选日",
            "每月几号起自动评选上月合规标兵（此前留给复核未结案件；仍未结案的客服结案后再评）",
            minimum=Decimal(1),
            maximum=Decimal(28),
        ),
        PolicyKeySpec(
            "compliance.finance_match_days",
            ValueType.INTEGER,
            30,
            "财务异常追溯天数",
            "财务异常记录关联此前多少天内与该客户的会话及客服",
            minimum=Decimal(1),
            maximum=Decimal(365),
            locked=False,
        ),
    )
