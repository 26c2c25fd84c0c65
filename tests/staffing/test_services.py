"""Staffing writes: imports all-or-nothing and idempotent, events, forecast runs, the planner's pick,
the roster, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.models import AuditEntry
from kefu.policy import services as policy_services
from kefu.staffing import planning, services
from kefu.staffing.models import ContactInterval, ForecastInterval, ForecastRun, PlannedEvent, Shift
from tests.conftest import World
from tests.staffing.factories import MONDAY, history_csv, make_queue, queue_with_history


def test_history_import_stores_rows_and_reimport_is_a_no_op(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    text = history_csv(queue, first_day=MONDAY, days=2)
    hr = world.users[scopes.BRANCH_HR]

    first = services.contact_history_import_csv(actor=hr, unit_id=world.branch_a.id, csv_text=text, filename="a.csv")
    audits = AuditEntry.objects.count()
    again = services.contact_history_import_csv(actor=hr, unit_id=world.branch_a.id, csv_text=text, filename="a.csv")

    assert (first.created, first.updated, first.already_imported) == (36, 0, False)
    assert again.already_imported and again.created == 0
    assert ContactInterval.objects.filter(queue=queue).count() == 36
    assert AuditEntry.objects.count() == audits
    entry = AuditEntry.objects.filter(action="contact_history.import").last()
    assert entry is not None and entry.after["created"] == 36 and entry.unit_path == world.branch_a.path


def test_a_later_export_corrects_intervals_and_says_so(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    services.contact_history_import_csv(
        actor=None, unit_id=world.branch_a.id, csv_text=history_csv(queue, first_day=MONDAY, days=1)
    )
    corrected = history_csv(queue, first_day=MONDAY, days=1).replace(",200,", ",230,", 1)

    result = services.contact_history_import_csv(actor=None, unit_id=world.branch_a.id, csv_text=corrected)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 17)
    assert ContactInterval.objects.filter(queue=queue, aht_seconds=Decimal("230")).count() == 1


def test_one_bad_row_refuses_the_whole_file_naming_each_bad_row(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    lines = history_csv(queue, first_day=MONDAY, days=1).splitlines()
    lines[3] = lines[3].replace("A-PH", "NOPE")
    lines[5] = f"A-PH,{MONDAY} 10:15,10,9,1,200,5"  # not on the 30-minute grid
    lines[7] = f"A-PH,{MONDAY} 23:00,10,9,3,200,5"  # answered + abandoned > offered
    before = AuditEntry.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.contact_history_import_csv(actor=None, unit_id=world.branch_a.id, csv_text="\n".join(lines))

    assert [e["line"] for e in refused.value.extra["errors"]] == [4, 6, 8]
    assert "第 4 行" in refused.value.message and "NOPE" in refused.value.message
    assert "超过了呼入量" in refused.value.extra["errors"][2]["message"]
    assert not ContactInterval.objects.filter(queue=queue).exists()
    assert AuditEntry.objects.count() == before


def test_missing_columns_are_named(world: World) -> None:
    with pytest.raises(ApplicationError, match="缺少列：aht_seconds"):
        services.contact_history_import_csv(
            actor=None,
            unit_id=world.branch_a.id,
            csv_text="queue,interval_start,offered,answered,abandoned\nx,1,1,1,0\n",
        )


def test_team_lead_imports_for_own_team_only(world: World) -> None:
    other = make_queue(world.team_a2, code="A2-PH")
    lead = world.users[scopes.TEAM_LEAD]
    with pytest.raises(NotFound):
        services.contact_history_import_csv(
            actor=lead, unit_id=world.team_a2.id, csv_text=history_csv(other, first_day=MONDAY, days=1)
        )
    # Aimed at the lead's own team, a queue of the neighbouring team is not found in the file either.
    with pytest.raises(ApplicationError, match="不在 话务一组 之下"):
        services.contact_history_import_csv(
            actor=lead, unit_id=world.team_a1.id, csv_text=history_csv(other, first_day=MONDAY, days=1)
        )
    assert not ContactInterval.objects.filter(queue=other).exists()


@pytest.mark.parametrize("role", [scopes.AGENT, scopes.QA, scopes.FINANCE])
def test_non_planners_cannot_plan(world: World, role: str) -> None:
    with pytest.raises((Forbidden, NotFound)):
        services.planned_event_create(
            actor=world.users[role],
            unit_id=world.team_a1.id,
            name="双11",
            starts_on=dt.date(2026, 11, 10),
            ends_on=dt.date(2026, 11, 12),
            multiplier="3.5",
        )
    assert not PlannedEvent.objects.filter(name="双11").exists()


def test_planned_event_is_validated_and_audited(world: World) -> None:
    hr = world.users[scopes.BRANCH_HR]
    with pytest.raises(ApplicationError, match="倍数必须大于 0"):
        services.planned_event_create(
            actor=hr, unit_id=world.branch_a.id, name="618", starts_on=MONDAY, ends_on=MONDAY, multiplier="0"
        )
    with pytest.raises(ApplicationError, match="结束日期早于开始日期"):
        services.planned_event_create(
            actor=hr,
            unit_id=world.branch_a.id,
            name="618",
            starts_on=MONDAY,
            ends_on=MONDAY - dt.timedelta(days=1),
            multiplier="2",
        )
    event = services.planned_event_create(
        actor=hr, unit_id=world.branch_a.id, name="双11", starts_on=MONDAY, ends_on=MONDAY, multiplier="3.50"
    )
    entry = AuditEntry.objects.get(action="planned_event.create", object_id=str(event.id))
    assert event.multiplier == Decimal("3.50") and entry.after["name"] == "双11" and entry.actor_id == hr.pk


def test_forecast_run_applies_events_and_keeps_the_ordinary_day_as_baseline(world: World) -> None:
    queue = queue_with_history(world.team_a1, code="A-PH", days=28, per_slot=30)
    hr = world.users[scopes.BRANCH_HR]
    peak_day = MONDAY + dt.timedelta(days=30)
    services.planned_event_create(
        actor=hr, unit_id=world.branch_a.id, name="双11", starts_on=peak_day, ends_on=peak_day, multiplier="3"
    )

    run = services.forecast_run_create(
        actor=hr, unit_id=world.branch_a.id, channel="phone", starts_on=MONDAY + dt.timedelta(days=28), days=7
    )

    assert run.events == ["双11"] and run.model_label == "erlang_c"
    rows = list(ForecastInterval.objects.filter(run=run, queue=queue))
    assert len(rows) == 7 * 48
    peak = [r for r in rows if r.events]
    assert len(peak) == 48
    busy = max(peak, key=lambda r: r.contacts)
    assert busy.contacts == pytest.approx(3 * busy.baseline_contacts)
    assert busy.scheduled > busy.baseline_scheduled
    assert all(r.service_level >= 0.8 for r in rows if r.contacts > 0)
    assert all(r.agents == 0 for r in rows if r.contacts == 0)  # closed at night: nobody needed
    plan = planning.peak_plan(run)
    assert plan.peak_extra > 0 and plan.extra_cost > 0
    assert AuditEntry.objects.filter(action="forecast_run.create", object_id=str(run.id)).exists()


def test_patience_in_policy_switches_to_erlang_a_with_fewer_agents(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=60)
    start = MONDAY + dt.timedelta(days=14)
    plain = services.forecast_run_create(
        actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=start, days=1
    )
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN],
        key="staffing.patience_seconds",
        unit_id=world.branch_a.id,
        value=60,
        note="实测",
    )
    patient = services.forecast_run_create(
        actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=start, days=1
    )

    assert patient.model_label == "erlang_a" and patient.patience_seconds == 60
    agents_c = sum(plain.intervals.values_list("agents", flat=True))
    agents_a = sum(patient.intervals.values_list("agents", flat=True))
    assert agents_a < agents_c
    assert set(patient.intervals.exclude(agents=0).values_list("model", flat=True)) == {"erlang_a"}


def test_forecast_without_history_says_what_is_missing(world: World) -> None:
    make_queue(world.team_a1, code="A-PH")
    with pytest.raises(ApplicationError, match="没有历史话务"):
        services.forecast_run_create(actor=None, unit_id=world.branch_a.id, channel="phone", starts_on=MONDAY)
    with pytest.raises(ApplicationError, match="没有启用的在线队列"):
        services.forecast_run_create(actor=None, unit_id=world.branch_a.id, channel="chat", starts_on=MONDAY)
    assert not ForecastRun.objects.filter(unit=world.branch_a).exists()


def test_choosing_a_point_on_the_cost_curve_recomputes_the_plan(world: World) -> None:
    queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40)
    hr = world.users[scopes.BRANCH_HR]
    run = services.forecast_run_create(
        actor=hr, unit_id=world.branch_a.id, channel="phone", starts_on=MONDAY + dt.timedelta(days=14), days=1
    )
    before = sum(run.intervals.values_list("scheduled", flat=True))

    services.forecast_run_choose_target(actor=hr, run_id=run.id, service_level_target="0.95", note="KA 大促要求")

    run.refresh_from_db()
    assert run.service_level_target == Decimal("0.950") and run.target_chosen_at is not None
    assert sum(run.intervals.values_list("scheduled", flat=True)) > before
    assert all(r.service_level >= 0.95 for r in run.intervals.all() if r.contacts > 0)
    entry = AuditEntry.objects.get(action="forecast_run.choose_target")
    assert entry.before["scheduled_total"] == before
    with pytest.raises(ApplicationError):
        services.forecast_run_choose_target(actor=hr, run_id=run.id, service_level_target="1.0")
    with pytest.raises(NotFound):
        services.forecast_run_choose_target(
            actor=world.users[scopes.TEAM_LEAD], run_id=run.id, service_level_target="0.5"
        )


def test_roster_import_is_all_or_nothing_and_feeds_coverage(world: World) -> None:
    queue = queue_with_history(world.team_a1, code="A-PH", days=14, per_slot=40)
    hr = world.users[scopes.BRANCH_HR]
    day = MONDAY + dt.timedelta(days=14)
    good = (
        f"employee_no,queue,starts_at,ends_at\nA0001,A-PH,{day} 09:00,{day} 13:00\nX0001,A-PH,{day} 09:00,{day} 18:00\n"
    )
    bad = good + f"X0001,A-PH,{day} 12:00,{day} 14:00\nZ404,A-PH,{day} 09:00,{day} 18:00\n"

    with pytest.raises(ApplicationError) as refused:
        services.shift_import_csv(actor=hr, unit_id=world.branch_a.id, csv_text=bad)
    assert [e["line"] for e in refused.value.extra["errors"]] == [4, 5]
    assert not Shift.objects.filter(queue=queue).exists()

    first = services.shift_import_csv(actor=hr, unit_id=world.branch_a.id, csv_text=good)
    again = services.shift_import_csv(actor=hr, unit_id=world.branch_a.id, csv_text=good)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)

    run = services.forecast_run_create(actor=hr, unit_id=world.branch_a.id, channel="phone", starts_on=day, days=1)
    cover = planning.coverage(run, queue_id=queue.id)
    at = {p.start.astimezone(run.starts_at.tzinfo).strftime("%H:%M"): p for p in cover.points}
    assert at["09:00"].rostered == 2 and at["13:00"].rostered == 1 and at["18:00"].rostered == 0
    assert at["12:00"].gap == at["12:00"].rostered - at["12:00"].required
    assert cover.short_intervals > 0


def test_shift_for_someone_outside_the_planners_scope_is_refused(world: World) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    lead = world.users[scopes.TEAM_LEAD]
    with pytest.raises(NotFound):
        services.shift_create(
            actor=lead,
            employee_id=world.spots["same_branch"].employee.id,
            queue_id=queue.id,
            starts_at=dt.datetime.fromisoformat("2026-11-20T09:00+08:00"),
            ends_at=dt.datetime.fromisoformat("2026-11-20T17:00+08:00"),
        )
    shift = services.shift_create(
        actor=lead,
        employee_id=world.me.id,
        queue_id=queue.id,
        starts_at=dt.datetime.fromisoformat("2026-11-20T09:00+08:00"),
        ends_at=dt.datetime.fromisoformat("2026-11-20T17:00+08:00"),
    )
    with pytest.raises(ApplicationError, match="时间重叠"):
        services.shift_create(
            actor=lead,
            employee_id=world.me.id,
            queue_id=queue.id,
            starts_at=dt.datetime.fromisoformat("2026-11-20T16:00+08:00"),
            ends_at=dt.datetime.fromisoformat("2026-11-20T20:00+08:00"),
        )
    assert AuditEntry.objects.filter(action="shift.create", object_id=str(shift.id)).exists()
