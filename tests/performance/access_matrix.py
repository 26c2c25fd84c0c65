"""Performance records at every spot of the access matrix, and how to name them in routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kefu.performance.models import (
    CoefficientVersion,
    Contest,
    ContestRule,
    KpiNode,
    Rating,
    Review,
    ReviewPeriod,
    WorkLog,
)
from kefu.performance.services import coefficients, reviews
from tests.performance.factories import department_types, work

DAY = dt.date(2025, 12, 10)  # outside the windows the workflow tests measure


def _department(spot: Any) -> Any:
    return spot.unit.parent


def _period(world: Any, spot: Any) -> ReviewPeriod:
    branch = world.branch_b if spot.name == "other_branch" else world.branch_a
    period, _ = ReviewPeriod.objects.get_or_create(
        unit=branch,
        kind="monthly",
        start=dt.date(2025, 12, 1),
        defaults={"end": dt.date(2025, 12, 31), "label": "2025年12月"},
    )
    return period


def build(world: Any, spot: Any) -> list[str]:
    department_types(_department(spot))
    work(spot.employee, "complaint", DAY, handle=120, acw=60, source_id=f"SPOT-{spot.name}")
    period = _period(world, spot)
    review = reviews.review_create(actor=None, period_id=period.id, employee_id=spot.employee.id)
    KpiNode.objects.create(
        employee=spot.employee,
        unit_path=spot.unit.path,
        name=f"越界KPI-{spot.name}",
        metric="points",
        target=Decimal(100),
        weight=Decimal(1),
        unit_label="点",
        period_start=dt.date(2025, 12, 1),
        period_end=dt.date(2025, 12, 31),
    )
    WorkLog.objects.create(employee=spot.employee, period=period, kind="log", content=f"越界工作日志-{spot.name}")
    Contest.objects.create(
        unit=spot.unit, name=f"越界竞赛-{spot.name}", rule=ContestRule.MOST_POINTS, starts_on=DAY, ends_on=DAY
    )
    if not CoefficientVersion.objects.filter(department=_department(spot)).exists():
        coefficients.recalibration_propose(actor=None, department_id=_department(spot).id, today=dt.date(2026, 4, 2))
    assert review.ratings.exists()
    return [f"越界KPI-{spot.name}", f"越界工作日志-{spot.name}"]


def _review(world: Any, spot: Any) -> int:
    return Review.objects.get(employee=spot.employee).id


PARAMS = {
    "review_id": _review,
    # The spot's own rating task (self-rating): only the spot's user and those who see the spot reach it.
    "rating_id": lambda world, spot: Rating.objects.get(review__employee=spot.employee, rater=spot.user).id,
    "period_id": lambda world, spot: _period(world, spot).id,
    "version_id": lambda world, spot: CoefficientVersion.objects.filter(department=_department(spot)).first().id,
    "contest_id": lambda world, spot: Contest.objects.get(name=f"越界竞赛-{spot.name}").id,
    "node_id": lambda world, spot: KpiNode.objects.get(name=f"越界KPI-{spot.name}").id,
    "work_log_id": lambda world, spot: WorkLog.objects.get(employee=spot.employee).id,
}


def _kpi_body(spot: Any) -> dict[str, Any]:
    return {
        "name": "越权指标",
        "metric": "points",
        "target": "10",
        "weight_percent": "10",
        "unit_label": "点",
        "period_start": "2025-12-01",
        "period_end": "2025-12-31",
        "employee_id": spot.employee.id,
    }


API = "/api/v1/performance"
WRITE_BODIES: dict[tuple[str, str], Any] = {
    ("POST", f"{API}/units/{{unit_id}}/imports"): lambda world, spot: {
        "source_system": "phone",
        "filename": "越权.csv",
        "content": "employee_no,business_type,started_at,handle_seconds,source_id\n"
        f"{spot.employee.employee_no},inquiry,2025-12-11 09:00:00,50,XR-{spot.name}\n",
    },
    ("POST", f"{API}/points/recompute"): lambda world, spot: {
        "start": "2025-12-01",
        "end": "2025-12-31",
        "unit_id": spot.unit.id,
    },
    ("POST", f"{API}/coefficient-versions"): lambda world, spot: {"department_id": _department(spot).id},
    ("POST", f"{API}/coefficient-versions/{{version_id}}/approve"): lambda world, spot: {"note": "越权批准"},
    ("POST", f"{API}/coefficient-versions/{{version_id}}/reject"): lambda world, spot: {"note": "越权驳回"},
    ("POST", f"{API}/kpi"): lambda world, spot: {
        "name": "越权指标",
        "metric": "points",
        "target": "10",
        "weight": "1",
        "unit_label": "点",
        "period_start": "2025-12-01",
        "period_end": "2025-12-31",
        "employee_id": spot.employee.id,
    },
    ("POST", f"{API}/reviews/{{review_id}}/calibrate"): lambda world, spot: {"score": "50", "note": "越权校准"},
    ("POST", f"{API}/reviews/{{review_id}}/sign"): lambda world, spot: {"comment": "越权确认"},
    ("POST", f"{API}/ratings/{{rating_id}}"): lambda world, spot: {"scores": {"业务技能": "1"}},
    ("POST", f"{API}/periods/{{period_id}}/lock"): lambda world, spot: None,
    ("POST", f"{API}/contests/{{contest_id}}/close"): lambda world, spot: None,
    ("POST", "/performance/reviews/<review_id>/"): lambda world, spot: {"score": "50", "note": "越权校准"},
    ("POST", "/performance/ratings/<rating_id>/"): lambda world, spot: {"item-0": "1"},
    ("POST", "/performance/coefficients/<version_id>/"): lambda world, spot: {"action": "approve", "note": "越权"},
    # Page forms: a complete, valid body aimed at the spot, so only the scope can refuse it.
    ("POST", "/performance/imports/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "kind": "work",
        "source_system": "phone",
        "fmt": "csv",
        "content": "employee_no,business_type,started_at,handle_seconds,source_id\n"
        f"{spot.employee.employee_no},inquiry,2025-12-11 09:00:00,50,XP-{spot.name}\n",
    },
    ("POST", "/performance/coefficients/propose/"): lambda world, spot: {
        "department_id": _department(spot).id,
        "months": "3",
        "note": "越权测算",
    },
    ("POST", "/performance/kpi/new/"): lambda world, spot: _kpi_body(spot),
    ("POST", "/performance/kpi/<node_id>/children/"): lambda world, spot: _kpi_body(spot),
    ("POST", "/performance/kpi/<node_id>/weights/"): lambda world, spot: {},
    ("POST", "/performance/kpi/<node_id>/actual/"): lambda world, spot: {"value": "1"},
    ("POST", "/performance/periods/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "kind": "monthly",
        "label": "越权考核期",
        "start": "2026-05-01",
        "end": "2026-05-31",
    },
    ("POST", "/performance/periods/<period_id>/reviews/"): lambda world, spot: {"employee_id": spot.employee.id},
    ("POST", "/performance/periods/<period_id>/lock/"): lambda world, spot: {},
    ("POST", "/performance/contests/new/"): lambda world, spot: {
        "unit_id": spot.unit.id,
        "name": "越权竞赛",
        "rule": "most_points",
        "starts_on": "2026-05-01",
        "ends_on": "2026-05-31",
        "winners_count": "3",
    },
    ("POST", "/performance/contests/<contest_id>/close/"): lambda world, spot: {},
    ("POST", "/performance/worklogs/<work_log_id>/rate/"): lambda world, spot: {"rating": "1"},
}
SELF_ONLY: dict[tuple[str, str], str] = {
    ("POST", "/performance/worklogs/"): "a work log is always the caller's own (the service takes the employee "
    "from the session and 404s a period outside it)",
}
SPOT_BUILDERS = [build]
