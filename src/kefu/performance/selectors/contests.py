"""Contest reads and the live leaderboard (computed from the ledger on every view)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, QuerySet, Sum

from kefu.compliance import selectors as compliance_selectors
from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.performance.models import Contest, ContestRule, PointEntry, QualityScore
from kefu.performance.models.types import milli_to_points
from kefu.performance.services.common import LEADS


def contest_list(*, actor: Actor | None) -> QuerySet[Contest]:
    return scopes.restrict(actor, Contest.objects.all(), unit="unit", roles=LEADS).select_related("unit")


def contest_get(*, actor: Actor | None, contest_id: int) -> Contest:
    contest = contest_list(actor=actor).filter(id=contest_id).first()
    if contest is None:
        raise NotFound("找不到该竞赛", extra={"contest_id": contest_id})
    return contest


def contests_for_participant(*, employee: Employee) -> QuerySet[Contest]:
    """Contests the employee takes part in (their unit lies inside the contest's unit)."""
    ids = [int(p) for p in employee.unit.path.strip("/").split("/") if p]
    return Contest.objects.filter(unit_id__in=ids).select_related("unit").order_by("-starts_on")


@dataclass
class Standing:
    rank: int
    employee_id: int
    name: str
    value: Decimal
    detail: str = ""


def leaderboard(contest: Contest) -> list[Standing]:
    people = Employee.objects.filter(unit__path__startswith=contest.unit.path)
    names = dict(people.values_list("id", "name"))
    window = {"day__gte": contest.starts_on, "day__lte": contest.ends_on}
    if contest.rule == ContestRule.BEST_QA:
        rows = (
            QualityScore.objects.filter(
                agent_id__in=names, inspected_on__gte=contest.starts_on, inspected_on__lte=contest.ends_on
            )
            .values("agent_id")
            .annotate(v=Avg("score"), n=Count("id"))
            .filter(n__gte=contest.min_qa_samples)
        )
        values = {r["agent_id"]: (Decimal(str(r["v"])).quantize(Decimal("0.1")), f"{r['n']} 次质检") for r in rows}
    else:
        rows = (
            PointEntry.objects.filter(agent_id__in=names, **window).values("agent_id").annotate(v=Sum("points_milli"))
        )
        values = {r["agent_id"]: (milli_to_points(r["v"]), "") for r in rows if r["v"]}
        if contest.rule == ContestRule.ZERO_VIOLATIONS:
            violations = compliance_selectors.confirmed_violation_counts(values, contest.starts_on, contest.ends_on)
            values = {k: v for k, v in values.items() if not violations.get(k)}
    ordered = sorted(values.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [
        Standing(rank=i, employee_id=k, name=names[k], value=v, detail=d)
        for i, (k, (v, d)) in enumerate(ordered, start=1)
    ]
