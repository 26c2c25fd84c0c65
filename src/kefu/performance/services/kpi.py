"""The KPI tree: targets set at centre level, broken down to departments, teams and employees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit
from kefu.performance.models import KpiMetric, KpiNode
from kefu.performance.services.common import LEADS, MANAGERS, is_system, require_roles

ONE = Decimal(1)


def _node(*, actor: Actor | None, node_id: int, roles: tuple[str, ...] = LEADS) -> KpiNode:
    node = KpiNode.objects.select_for_update().filter(id=node_id).first()
    if node is None or not (is_system(actor) or scopes.covers(actor, unit_path=node.unit_path, roles=roles)):
        raise NotFound("找不到该 KPI 指标", extra={"node_id": node_id})
    return node


@transaction.atomic
def kpi_node_create(
    *,
    actor: Actor | None,
    name: str,
    metric: str,
    target: Decimal,
    weight: Decimal,
    unit_label: str,
    period_start: dt.date,
    period_end: dt.date,
    parent_id: int | None = None,
    unit_id: int | None = None,
    employee_id: int | None = None,
    specific: str = "",
    measurable: str = "",
    achievable: str = "",
    relevant: str = "",
    time_bound: str = "",
) -> KpiNode:
    """A target for a unit or an employee; under a parent it must lie inside the parent's unit and period,
    and the weights of the parent's children may not exceed 100% together."""
    if (unit_id is None) == (employee_id is None):
        raise ApplicationError("KPI 指标要么属于一个单元，要么属于一名员工", extra={"field": "unit_id"})
    if metric not in KpiMetric.values:
        raise ApplicationError(f"未知的度量 {metric!r}", extra={"field": "metric"})
    if target <= 0:
        raise ApplicationError("目标值必须大于 0", extra={"field": "target"})
    if not Decimal(0) < weight <= ONE:
        raise ApplicationError("权重必须在 0%–100% 之间", extra={"field": "weight"})
    if period_end < period_start:
        raise ApplicationError("周期结束不能早于开始", extra={"field": "period_end"})
    unit = employee = None
    if employee_id is not None:
        employee = Employee.objects.select_related("unit").filter(id=employee_id).first()
        if employee is None:
            raise NotFound("找不到该员工", extra={"employee_id": employee_id})
        path = employee.unit.path
    else:
        unit = OrgUnit.objects.filter(id=unit_id or 0).first()
        if unit is None:
            raise NotFound("找不到该单元", extra={"unit_id": unit_id})
        path = unit.path
    if not (is_system(actor) or scopes.covers(actor, unit_path=path, roles=LEADS)):
        raise NotFound("找不到该单元或员工")
    if employee is None:
        require_roles(actor, unit_path=path, roles=MANAGERS, what="设定单元 KPI")
    parent = None
    if parent_id is not None:
        parent = _node(actor=actor, node_id=parent_id)
        if not path.startswith(parent.unit_path):
            raise ApplicationError("下级指标必须属于上级指标的单元之内", extra={"field": "parent_id"})
        if period_start < parent.period_start or period_end > parent.period_end:
            raise ApplicationError("下级指标的周期必须在上级周期之内", extra={"field": "period_start"})
        siblings = parent.children.aggregate(s=Sum("weight"))["s"] or Decimal(0)
        if siblings + weight > ONE:
            raise ApplicationError(
                f"同级指标权重合计将达 {((siblings + weight) * 100).normalize():f}%，超过 100%",
                extra={"field": "weight"},
            )
    node = KpiNode.objects.create(
        parent=parent,
        unit=unit,
        employee=employee,
        unit_path=path,
        name=name.strip(),
        metric=metric,
        target=target,
        weight=weight,
        unit_label=unit_label.strip(),
        period_start=period_start,
        period_end=period_end,
        specific=specific,
        measurable=measurable,
        achievable=achievable,
        relevant=relevant,
        time_bound=time_bound,
        created_by=scopes.signed_in(actor),
    )
    audit.record(actor=actor, action="kpi_node.create", obj=node, after={"target": target, "weight": weight})
    return node


@transaction.atomic
def kpi_weights_set(*, actor: Actor | None, parent_id: int, weights: dict[int, Decimal]) -> list[KpiNode]:
    """Re-balance the weights of a node's children; together they must be exactly 100%."""
    parent = _node(actor=actor, node_id=parent_id, roles=MANAGERS)
    children = {c.id: c for c in parent.children.select_for_update()}
    if set(weights) != set(children):
        raise ApplicationError("需要为每个下级指标给出权重", extra={"field": "weights"})
    total = sum(weights.values(), Decimal(0))
    if total != ONE:
        raise ApplicationError(
            f"下级指标权重合计为 {(total * 100).normalize():f}%，必须为 100%", extra={"field": "weights"}
        )
    before = {c.id: c.weight for c in children.values()}
    for node_id, weight in weights.items():
        if weight <= 0:
            raise ApplicationError("每个权重都必须大于 0", extra={"field": "weights"})
        children[node_id].weight = weight
        children[node_id].save(update_fields=["weight"])
    audit.record(actor=actor, action="kpi_node.weights", obj=parent, before=before, after=weights)
    return list(children.values())


@transaction.atomic
def kpi_actual_report(*, actor: Actor | None, node_id: int, value: Decimal) -> KpiNode:
    """Report the actual of a manually measured KPI (e.g. 客户满意度 from a survey)."""
    node = _node(actor=actor, node_id=node_id)
    if node.metric != KpiMetric.MANUAL:
        raise ApplicationError("此指标的实际值由系统计算，不能填报", extra={"field": "value"})
    if value < 0:
        raise ApplicationError("实际值不能为负", extra={"field": "value"})
    before = node.manual_actual
    node.manual_actual = value
    node.save(update_fields=["manual_actual"])
    audit.record(actor=actor, action="kpi_node.report", obj=node, before=before, after=value)
    return node
