"""Weights that must add up to 100%: indicator weights by position, rater weights, score sheets.

The policy app stores the tables; these checks run both when a weight table is set through
:func:`indicator_weights_set` / :func:`rater_weights_set` and whenever a weight is used, so a table
that does not add up is refused with a message rather than silently skewing anybody's score.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit
from kefu.performance import keys
from kefu.performance.models import RaterKind
from kefu.performance.services.common import is_senior
from kefu.policy import catalogue
from kefu.policy import selectors as policy_selectors
from kefu.policy import services as policy_services
from kefu.policy.models import PolicyValue

ONE = Decimal(1)
INDICATORS = ("workload", "quality", "kpi", "behaviour")


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def check_indicator_rows(rows: list[dict[str, Any]], *, skill_regular: Decimal, skill_senior: Decimal) -> None:
    levels = {row["level"] for row in rows}
    if levels != {"regular", "senior"}:
        raise ApplicationError("指标权重需要 regular（普通）和 senior（高级）两行", extra={"field": "level"})
    for row in rows:
        total = sum((Decimal(str(row[k])) for k in INDICATORS), Decimal(0))
        if total != ONE:
            raise ApplicationError(
                f"{row['level']} 行的指标权重合计为 {_percent(total)}，必须为 100%", extra={"field": row["level"]}
            )
        skill = Decimal(str(row["workload"])) + Decimal(str(row["quality"]))
        expected = skill_senior if row["level"] == "senior" else skill_regular
        if skill != expected:
            raise ApplicationError(
                f"{row['level']} 行的技能权重（工作量+质量考核）为 {_percent(skill)}，"
                f"与策略规定的技能权重 {_percent(expected)} 不一致",
                extra={"field": row["level"]},
            )


def indicator_weights(employee: Employee) -> dict[str, Decimal]:
    """The employee's indicator weights (workload, quality, kpi, behaviour), checked to sum to 100%."""
    rows = policy_selectors.effective(unit=employee.unit, key=keys.INDICATOR_WEIGHTS)
    check_indicator_rows(
        rows,
        skill_regular=policy_selectors.effective(unit=employee.unit, key=keys.SKILL_WEIGHT_REGULAR),
        skill_senior=policy_selectors.effective(unit=employee.unit, key=keys.SKILL_WEIGHT_SENIOR),
    )
    level = "senior" if is_senior(employee) else "regular"
    row = next(r for r in rows if r["level"] == level)
    return {k: Decimal(str(row[k])) for k in INDICATORS}


def check_rater_rows(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    weights = {str(r["rater"]): Decimal(str(r["weight"])) for r in rows}
    unknown = set(weights) - set(RaterKind.values)
    if unknown:
        raise ApplicationError(f"未知的评分人类型：{', '.join(sorted(unknown))}", extra={"field": "rater"})
    total = sum(weights.values(), Decimal(0))
    if total != ONE:
        raise ApplicationError(f"评分人权重合计为 {_percent(total)}，必须为 100%", extra={"field": "weight"})
    return weights


def rater_weights(unit: OrgUnit) -> dict[str, Decimal]:
    return check_rater_rows(policy_selectors.effective(unit=unit, key=keys.RATER_WEIGHTS))


def check_template_items(items: list[dict[str, Any]]) -> None:
    if not items:
        raise ApplicationError("评分表至少需要一项", extra={"field": "items"})
    total = sum((Decimal(str(i["weight"])) for i in items), Decimal(0))
    if total != ONE:
        raise ApplicationError(f"评分表各项权重合计为 {_percent(total)}，必须为 100%", extra={"field": "items"})


@transaction.atomic
def indicator_weights_set(*, actor: Actor, unit_id: int, rows: list[dict[str, Any]], note: str = "") -> PolicyValue:
    """Set the indicator weights table at a unit, refusing rows that do not add up to 100%."""
    unit = OrgUnit.objects.get(id=unit_id)
    stored = catalogue.normalise(catalogue.get(keys.INDICATOR_WEIGHTS), rows)
    check_indicator_rows(
        stored,
        skill_regular=policy_selectors.effective(unit=unit, key=keys.SKILL_WEIGHT_REGULAR),
        skill_senior=policy_selectors.effective(unit=unit, key=keys.SKILL_WEIGHT_SENIOR),
    )
    return policy_services.policy_set(actor=actor, key=keys.INDICATOR_WEIGHTS, unit_id=unit_id, value=rows, note=note)


@transaction.atomic
def rater_weights_set(*, actor: Actor, unit_id: int, rows: list[dict[str, Any]], note: str = "") -> PolicyValue:
    stored = catalogue.normalise(catalogue.get(keys.RATER_WEIGHTS), rows)
    check_rater_rows(stored)
    return policy_services.policy_set(actor=actor, key=keys.RATER_WEIGHTS, unit_id=unit_id, value=rows, note=note)
