"""What the planner reads off a run: forecast against actual, cost curve, KA-first tier service levels."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from kefu.core import scopes
from kefu.policy import services as policy_services
from kefu.staffing import planning, services
from tests.conftest import World
from tests.staffing.factories import MONDAY, history_csv, queue_with_history


def test_forecast_against_actual_scores_mape_and_wape_once_actuals_arrive(world: World) -> None:
    queue = queue_with_history(world.team_a1, code="A-PH", days=21, per_slot=30)
    start = MONDAY + dt.timedelta(days=21)
    run = services.forecast_run_create(actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=start, days=2)
    assert planning.forecast_accuracy(run, queue_id=queue.id).compared == 0

    # The first actual day comes in 10% busier than the history.
    services.contact_history_import_csv(
        actor=None,
        unit_id=world.branch_a.id,
        csv_text=history_csv(queue, first_day=start, days=1, per_slot=30, factor_on={start: 1.1}),
    )
    accuracy = planning.forecast_accuracy(run, queue_id=queue.id)

    assert accuracy.compared == 18  # 09:00–18:00 came in; the closed night has no actuals
    assert accuracy.wape == pytest.approx(0.1, abs=0.02)
    assert accuracy.mape == pytest.approx(0.1, abs=0.02)
    assert accuracy.by_queue["A-PH"][1] == pytest.approx(accuracy.wape)
    assert all(p.actual is None for p in accuracy.points[48:])


def test_cost_curve_trades_service_level_for_labour_cost_at_the_policy_hourly_cost(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40)
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN],
        key="staffing.hourly_cost",
        unit_id=world.group.id,
        value=[{"position": "agent", "hourly_cost": "30.00"}],
        note="测试",
    )
    run = services.forecast_run_create(
        actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=MONDAY + dt.timedelta(days=14), days=1
    )
    curve = planning.cost_curve(run)

    assert curve is not None and curve.model == "erlang_c" and curve.hourly_cost == Decimal("30.00")
    levels = [p.service_level for p in curve.points]
    assert levels == sorted(levels)
    required = next(p for p in curve.points if p.agents == curve.row.agents)
    fewer = next(p for p in curve.points if p.agents == curve.row.agents - 1)
    assert required.service_level >= 0.8 > fewer.service_level
    # 30 yuan/hour × half an hour × heads scheduled with 30% shrinkage.
    assert required.labour_cost == Decimal(15) * required.scheduled


def test_ka_answered_first_gets_a_better_service_level_than_normal_with_the_same_staff(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=60, name="热线")
    queue_with_history(world.team_a1, code="A-KA", days=14, per_slot=10, name="KA 专线", tier="ka")
    run = services.forecast_run_create(
        actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=MONDAY + dt.timedelta(days=14), days=1
    )
    busiest = max(planning.run_totals(run), key=lambda t: t.contacts)
    tight = math.ceil(busiest.contacts * 200 / 1800) + 1  # pooled and tight: a queue builds, priority matters

    report = planning.tier_service_levels(run, agents=tight, seed=7)

    assert report is not None and report.agents == tight
    by_tier = {(line.tier, line.model): line for line in report.lines}
    ka, normal = by_tier[("ka", "simulation")], by_tier[("normal", "simulation")]
    assert ka.service_level is not None and normal.service_level is not None
    assert ka.service_level > normal.service_level + 0.05
    assert ("overall", "erlang_c") in by_tier  # the pooled first-come-first-served figure, and its model


def test_tier_report_with_no_traffic_is_empty(world: World) -> None:
    # Chat, so the access-matrix spots' phone queues are not part of the run.
    queue = services.queue_create(actor=None, unit_id=world.team_a1.id, code="A-CH", name="在线", channel="chat")
    services.contact_history_import_csv(
        actor=None, unit_id=world.branch_a.id, csv_text=history_csv(queue, first_day=MONDAY, days=7, per_slot=0)
    )
    run = services.forecast_run_create(
        actor=None, unit_id=world.branch_a.id, channel="chat", starts_on=MONDAY + dt.timedelta(days=7), days=1
    )
    assert planning.tier_service_levels(run) is None
    assert planning.cost_curve(run) is None
