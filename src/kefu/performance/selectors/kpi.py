"""The KPI tree with actuals and roll-ups: each node's actual comes from the ledger (or QA scores, or
a reported value); a parent's weighted attainment is the weighted sum of its children's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, QuerySet, Sum

from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.performance.models import Indicator, KpiMetric, KpiNode, PointEntry, QualityScore
from kefu.performance.models.records import indicator_columns
from kefu.performance.models.types import milli_to_points

CAP = Decimal("1.5")  # one runaway child cannot carry a parent: attainment counts up to 150%


def kpi_node_list(*, actor: Actor | None) -> QuerySet[KpiNode]:
    qs = scopes.restrict(actor, KpiNode.objects.all(), employee="employee", path_field="unit_path")
    return qs.select_related("unit", "employee", "parent").order_by("unit_path", "id")


def kpi_node_get(*, actor: Actor | None, node_id: int) -> KpiNode:
    node = kpi_node_list(actor=actor).filter(id=node_id).first()
    if node is None:
        raise NotFound("找不到该 KPI 指标", extra={"node_id": node_id})
    return node


def actual(node: KpiNode) -> Decimal | None:
    if node.metric == KpiMetric.MANUAL:
        return node.manual_actual
    if node.metric == KpiMetric.QA_SCORE:
        qs = QualityScore.objects.filter(inspected_on__gte=node.period_start, inspected_on__lte=node.period_end)
        qs = (
            qs.filter(agent_id=node.employee_id)
            if node.employee_id
            else qs.filter(agent__unit__path__startswith=node.unit_path)
        )
        value = qs.aggregate(a=Avg("score"))["a"]
        return Decimal(str(value)).quantize(Decimal("0.1")) if value is not None else None
    ledger = PointEntry.objects.filter(day__gte=node.period_start, day__lte=node.period_end)
    ledger = (
        ledger.filter(agent_id=node.employee_id)
        if node.employee_id
        else ledger.filter(agent__unit__path__startswith=node.unit_path)
    )
    if node.metric == KpiMetric.POINTS:
        return milli_to_points(ledger.aggregate(s=Sum("points_milli"))["s"])
    if node.metric == KpiMetric.SALES:
        return Decimal(ledger.aggregate(s=Sum("sale_fen"))["s"] or 0) / 100
    indicator = Indicator.CALLS if node.metric == KpiMetric.CALLS else Indicator.INSPECTIONS
    return Decimal(ledger.aggregate(s=Sum(indicator_columns(indicator)[0]))["s"] or 0)


@dataclass
class TreeRow:
    node: KpiNode
    depth: int
    actual: Decimal | None
    attainment: Decimal | None  # actual / target
    rolled_up: Decimal | None  # weighted attainment of the children (None for leaves)
    children_weight: Decimal | None
    children: list[TreeRow] = field(default_factory=list)

    @property
    def attainment_percent(self) -> Decimal | None:
        return None if self.attainment is None else (self.attainment * 100).quantize(Decimal("0.1"))

    @property
    def rolled_up_percent(self) -> Decimal | None:
        return None if self.rolled_up is None else (self.rolled_up * 100).quantize(Decimal("0.1"))

    @property
    def weights_ok(self) -> bool:
        return self.children_weight is None or self.children_weight == 1


def _row(node: KpiNode, depth: int, by_parent: dict[int | None, list[KpiNode]]) -> TreeRow:
    value = actual(node)
    attainment = (
        (value / node.target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if value is not None else None
    )
    kids = [_row(c, depth + 1, by_parent) for c in by_parent.get(node.id, [])]
    rolled = weight = None
    if kids:
        weight = sum((k.node.weight for k in kids), Decimal(0))
        rolled = sum(
            (
                k.node.weight * min(CAP, k.rolled_up if k.rolled_up is not None else (k.attainment or Decimal(0)))
                for k in kids
            ),
            Decimal(0),
        ).quantize(Decimal("0.0001"))
    return TreeRow(node, depth, value, attainment, rolled, weight, kids)


def kpi_tree(*, actor: Actor | None, on: dt.date | None = None) -> list[TreeRow]:
    """The visible part of the tree, rooted at the highest nodes the actor may see."""
    nodes = list(kpi_node_list(actor=actor))
    if on is not None:
        nodes = [n for n in nodes if n.period_start <= on <= n.period_end]
    ids = {n.id for n in nodes}
    by_parent: dict[int | None, list[KpiNode]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id if n.parent_id in ids else None, []).append(n)
    return [_row(n, 0, by_parent) for n in by_parent.get(None, [])]


def flatten(rows: list[TreeRow]) -> list[TreeRow]:
    out: list[TreeRow] = []
    for r in rows:
        out.append(r)
        out.extend(flatten(r.children))
    return out


def employee_kpi_attainment(*, employee: Employee, start: dt.date, end: dt.date) -> Decimal | None:
    """Weighted attainment of the employee's own KPI nodes overlapping the period (None without KPIs)."""
    nodes = list(KpiNode.objects.filter(employee=employee, period_start__lte=end, period_end__gte=start))
    if not nodes:
        return None
    total_weight = sum((n.weight for n in nodes), Decimal(0))
    score = Decimal(0)
    for n in nodes:
        value = actual(n)
        score += n.weight * min(CAP, (value or Decimal(0)) / n.target)
    return (score / total_weight).quantize(Decimal("0.0001"))
