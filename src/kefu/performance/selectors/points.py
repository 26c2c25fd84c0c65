"""Reads of work records, the points ledger, coefficients and the per-employee scorecard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum

from kefu.compliance import selectors as compliance_selectors
from kefu.core import scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.periods import Period
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.performance.models import (
    BusinessType,
    CoefficientVersion,
    Indicator,
    Outcome,
    PointEntry,
    QualityScore,
    WorkRecord,
)
from kefu.performance.models.records import indicator_columns
from kefu.performance.models.types import milli_to_points
from kefu.performance.services.common import MANAGERS
from kefu.performance.services.weights import indicator_weights

HUNDRED = Decimal(100)


def month_bounds(period: Period) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a calendar month."""
    return period.first_day(), period.next().first_day() - dt.timedelta(days=1)


def work_record_list(
    *, actor: Actor | None, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[WorkRecord]:
    qs = scopes.restrict(actor, WorkRecord.objects.all(), employee="agent")
    if start:
        qs = qs.filter(work_date__gte=start)
    if end:
        qs = qs.filter(work_date__lte=end)
    return qs.select_related("agent", "business_type").order_by("-started_at")


def point_entries(*, actor: Actor | None) -> QuerySet[PointEntry]:
    return scopes.restrict(actor, PointEntry.objects.all(), employee="agent")


@dataclass
class PointTotals:
    points: Decimal = Decimal(0)
    records: int = 0
    sales: Decimal = Decimal(0)
    by_indicator: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _indicator_sums() -> dict[str, Sum]:
    sums: dict[str, Sum] = {}
    for indicator in Indicator.values:
        records, points = indicator_columns(indicator)
        sums[records], sums[points] = Sum(records), Sum(points)
    return sums


def totals(qs: QuerySet[PointEntry]) -> PointTotals:
    return _totals_of(qs.aggregate(p=Sum("points_milli"), n=Sum("records"), s=Sum("sale_fen"), **_indicator_sums()))


def _totals_of(row: dict[str, Any]) -> PointTotals:
    result = PointTotals(
        points=milli_to_points(row["p"]), records=int(row["n"] or 0), sales=Decimal(row["s"] or 0) / 100
    )
    for indicator in Indicator.values:
        records, points = indicator_columns(indicator)
        if row[records] or row[points]:
            result.by_indicator[indicator] = milli_to_points(row[points])
            result.counts[indicator] = int(row[records] or 0)
    return result


def employee_points(*, actor: Actor | None, employee_id: int, start: dt.date, end: dt.date) -> PointTotals:
    return totals(point_entries(actor=actor).filter(agent_id=employee_id, day__gte=start, day__lte=end))


def daily_points(
    *, actor: Actor | None, employee_id: int, start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, Decimal]]:
    """(day, indicator, points) for every day and indicator with points or records."""
    rows = (
        point_entries(actor=actor)
        .filter(agent_id=employee_id, day__gte=start, day__lte=end)
        .values("day")
        .annotate(**_indicator_sums())
        .order_by("day")
    )
    daily = []
    for row in rows:
        for indicator in Indicator.values:
            records, points = indicator_columns(indicator)
            if row[records] or row[points]:
                daily.append((row["day"], indicator, milli_to_points(row[points])))
    return daily


def daily_totals(
    *, actor: Actor | None, employee_id: int, start: dt.date, end: dt.date
) -> list[tuple[dt.date, PointTotals]]:
    """One agent's points ledger summed per day: points, records and sales in all and per indicator."""
    rows = (
        point_entries(actor=actor)
        .filter(agent_id=employee_id, day__gte=start, day__lte=end)
        .values("day")
        .annotate(p=Sum("points_milli"), n=Sum("records"), s=Sum("sale_fen"), **_indicator_sums())
        .order_by("day")
    )
    return [(row["day"], _totals_of(row)) for row in rows]


@dataclass
class BoardRow:
    employee: Employee
    points: Decimal
    records: int
    sales: Decimal
    qa_average: Decimal | None
    qa_count: int
    rank: int = 0


def team_board(*, actor: Actor | None, start: dt.date, end: dt.date, unit_path: str = "") -> list[BoardRow]:
    """Everyone the actor leads or manages, with the month's points, records, sales and QA average."""
    employees = scopes.restrict(
        actor, Employee.objects.all(), employee="", roles=(*MANAGERS, scopes.TEAM_LEAD, scopes.QA)
    )
    if unit_path:
        employees = employees.filter(unit__path__startswith=unit_path)
    employees = employees.select_related("unit", "position")
    people = {e.id: e for e in employees}
    if not people:
        return []
    ledger = (
        PointEntry.objects.filter(agent_id__in=people, day__gte=start, day__lte=end)
        .values("agent_id")
        .annotate(p=Sum("points_milli"), n=Sum("records"), s=Sum("sale_fen"))
    )
    sums = {r["agent_id"]: r for r in ledger}
    qa = {
        r["agent_id"]: r
        for r in QualityScore.objects.filter(agent_id__in=people, inspected_on__gte=start, inspected_on__lte=end)
        .values("agent_id")
        .annotate(a=Avg("score"), n=Count("id"))
    }
    rows = []
    for employee_id, employee in people.items():
        s, q = sums.get(employee_id, {}), qa.get(employee_id)
        rows.append(
            BoardRow(
                employee=employee,
                points=milli_to_points(s.get("p")),
                records=int(s.get("n") or 0),
                sales=Decimal(s.get("s") or 0) / 100,
                qa_average=Decimal(str(q["a"])).quantize(Decimal("0.1")) if q else None,
                qa_count=int(q["n"]) if q else 0,
            )
        )
    rows.sort(key=lambda r: (-r.points, r.employee.employee_no))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


@dataclass
class Scorecard:
    """Seed 002's indicators for one employee and month, weighted by position (seed 004)."""

    employee: Employee
    weights: dict[str, Decimal]
    parts: dict[str, Decimal]  # 0..100 each
    total: Decimal
    points: PointTotals
    team_average_points: Decimal
    qa_average: Decimal | None
    compliance: Decimal
    kpi_attainment: Decimal | None
    error: str = ""

    @property
    def skill_weight(self) -> Decimal:
        return self.weights.get("workload", Decimal(0)) + self.weights.get("quality", Decimal(0))


def _clip(value: Decimal) -> Decimal:
    return max(Decimal(0), min(HUNDRED, value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def scorecard(*, actor: Actor | None, employee: Employee, period: Period) -> Scorecard:
    """Workload (points against the team's average), quality (QA average), KPI attainment and behaviour
    (the compliance score from the compliance app's hook), combined with the policy's weights."""
    from kefu.performance.selectors.kpi import employee_kpi_attainment

    start, end = month_bounds(period)
    own = employee_points(actor=actor, employee_id=employee.id, start=start, end=end)
    team = (
        PointEntry.objects.filter(agent__unit_id=employee.unit_id, day__gte=start, day__lte=end)
        .values("agent_id")
        .annotate(p=Sum("points_milli"))
    )
    values = [milli_to_points(r["p"]) for r in team]
    team_avg = (sum(values, Decimal(0)) / len(values)) if values else Decimal(0)
    qa = QualityScore.objects.filter(agent=employee, inspected_on__gte=start, inspected_on__lte=end).aggregate(
        a=Avg("score")
    )["a"]
    qa_avg = Decimal(str(qa)).quantize(Decimal("0.1")) if qa is not None else None
    compliance = compliance_selectors.compliance_score_between(employee, start, end)
    attainment = employee_kpi_attainment(employee=employee, start=start, end=end)
    parts = {
        # At the team's average an agent scores 80; 125% of the average or more scores 100.
        "workload": _clip(own.points / team_avg * 80) if team_avg else Decimal(0),
        "quality": _clip(qa_avg) if qa_avg is not None else Decimal(0),
        "kpi": _clip(attainment * 100) if attainment is not None else Decimal(0),
        "behaviour": _clip(compliance),
    }
    try:
        weights = indicator_weights(employee)
    except ApplicationError as exc:
        return Scorecard(employee, {}, parts, Decimal(0), own, team_avg, qa_avg, compliance, attainment, exc.message)
    total = sum((weights[k] * parts[k] for k in parts), Decimal(0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Scorecard(employee, weights, parts, total, own, team_avg, qa_avg, compliance, attainment)


def business_type_list(*, actor: Actor | None) -> QuerySet[BusinessType]:
    qs = scopes.restrict(actor, BusinessType.objects.all(), unit="department", roles=MANAGERS)
    return qs.select_related("department").order_by("department__path", "-is_base", "code")


def coefficient_version_list(*, actor: Actor | None) -> QuerySet[CoefficientVersion]:
    qs = scopes.restrict(actor, CoefficientVersion.objects.all(), unit="department", roles=MANAGERS)
    return qs.select_related("department", "proposed_by", "decided_by").order_by("-proposed_at", "-id")


def coefficient_version_get(*, actor: Actor | None, version_id: int) -> CoefficientVersion:
    version = coefficient_version_list(actor=actor).filter(id=version_id).first()
    if version is None:
        raise NotFound("找不到该系数版本", extra={"version_id": version_id})
    return version


@dataclass
class Effect:
    employee: Employee
    records: int
    old_points: Decimal
    new_points: Decimal

    @property
    def change(self) -> Decimal:
        return self.new_points - self.old_points

    @property
    def change_percent(self) -> Decimal:
        if not self.old_points:
            return Decimal(0)
        return (self.change / self.old_points * 100).quantize(Decimal("0.1"))


def recalibration_effect(*, actor: Actor | None, version: CoefficientVersion) -> list[Effect]:
    """Each agent's points over the sampling window, at the old and at the proposed coefficients."""
    lines = {ln.business_type_id: ln for ln in version.lines.all()}
    counts = (
        scopes.restrict(actor, WorkRecord.objects.all(), employee="agent", roles=MANAGERS)
        .filter(business_type_id__in=lines, work_date__gte=version.window_start, work_date__lt=version.window_end)
        .filter(~Q(outcome=Outcome.INVALID))
        .values("agent_id", "business_type_id")
        .annotate(n=Count("id"))
    )
    per_agent: dict[int, list[int]] = {}
    for row in counts:
        line = lines[row["business_type_id"]]
        acc = per_agent.setdefault(row["agent_id"], [0, 0, 0])
        acc[0] += row["n"]
        acc[1] += row["n"] * line.old_milli
        acc[2] += row["n"] * line.new_milli
    people = Employee.objects.in_bulk(list(per_agent))
    effects = [
        Effect(people[i], n, milli_to_points(old), milli_to_points(new)) for i, (n, old, new) in per_agent.items()
    ]
    return sorted(effects, key=lambda e: (e.change, e.employee.employee_no))


INDICATOR_LABELS = dict(Indicator.choices)
