"""Coefficients, work records, imports and the points ledger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection

from kefu.core.append_only import AppendOnlyViolation
from kefu.core.errors import ApplicationError, Forbidden
from kefu.core.models import AuditEntry
from kefu.performance.models import PointEntry, WorkDayTotal, WorkRecord
from kefu.performance.models.types import derive_coefficient_milli
from kefu.performance.selectors import points as point_selectors
from kefu.performance.services import points, records
from tests.conftest import World
from tests.performance.factories import at, department_types, work

DAY = dt.date(2026, 2, 10)


def ledger_points(employee_id: int) -> Decimal:
    return point_selectors.totals(PointEntry.objects.filter(agent_id=employee_id)).points


def test_seed_002_inquiry_is_one_point_and_complaint_with_follow_up_three(world: World) -> None:
    types = department_types(world.team_a1.parent)
    assert types["inquiry"].coefficient == Decimal("1.000")
    assert types["complaint"].coefficient == Decimal("3.000")  # (120 s + 60 s) / 60 s
    work(world.me, "inquiry", DAY, handle=55)
    assert ledger_points(world.me.id) == Decimal(1)
    work(world.me, "complaint", DAY, handle=120, acw=60)
    assert ledger_points(world.me.id) == Decimal(4)


def test_difficulty_factor_scales_the_time_ratio() -> None:
    assert (
        derive_coefficient_milli(handle_seconds=180, acw_seconds=30, base_seconds=60, difficulty=Decimal("1.2")) == 4200
    )


def _csv(rows: list[str]) -> str:
    return (
        "employee_no,business_type,started_at,handle_seconds,acw_seconds,outcome,source_id\n" + "\n".join(rows) + "\n"
    )


def test_import_adds_records_and_points_and_reimport_is_a_no_op(world: World) -> None:
    department_types(world.team_a1.parent)
    content = _csv(
        [
            "A0001,inquiry,2026-02-10 09:00:00,50,0,resolved,P-1",
            "A0001,complaint,2026-02-10 09:05:00,130,70,已解决,P-2",
            "A0001,inquiry,2026-02-11 09:00:00,40,0,invalid,P-3",
        ]
    )
    result = records.work_records_import(
        actor=world.users["branch_hr"], source_system="phone", filename="话务.csv", content=content
    )
    assert (result.created, result.unchanged) == (3, 0)
    assert ledger_points(world.me.id) == Decimal(4)  # the invalid call counts no points
    entries, audits = PointEntry.objects.count(), AuditEntry.objects.count()

    again = records.work_records_import(
        actor=world.users["branch_hr"], source_system="phone", filename="话务.csv", content=content
    )
    assert (again.created, again.unchanged, again.batch) == (0, 3, None)
    assert "已导入" in again.message
    assert (PointEntry.objects.count(), AuditEntry.objects.count()) == (entries, audits)


def test_json_import_is_accepted(world: World) -> None:
    department_types(world.team_a1.parent)
    rows = [
        {
            "employee_no": "A0001",
            "business_type": "sale",
            "started_at": "2026-02-10T10:00:00+08:00",
            "handle_seconds": 200,
            "outcome": "sold",
            "sale_amount": "199.90",
            "source_id": "S-1",
        }
    ]
    result = records.work_records_import(
        actor=world.users["hq_admin"], source_system="sales", filename="营销.json", content=json.dumps(rows), fmt="json"
    )
    assert result.created == 1
    totals = point_selectors.totals(PointEntry.objects.filter(agent=world.me))
    assert totals.sales == Decimal("199.90")
    assert totals.by_indicator["sales"] == Decimal("4.200")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Z9999,inquiry,2026-02-10 09:00:00,50,0,resolved,B-1", "第 2 行 employee_no：工号 'Z9999' 不存在"),
        ("A0001,refund,2026-02-10 09:00:00,50,0,resolved,B-1", "第 2 行 business_type：业务类型 'refund' 不存在"),
        ("A0001,inquiry,2026-02-10 09:00:00,-5,0,resolved,B-1", "第 2 行 handle_seconds：处理时长不能为负数"),
        ("A0001,inquiry,2026-02-10 09:00:00,99999,0,resolved,B-1", "超过上限 7200 秒"),
        ("A0001,inquiry,not-a-date,50,0,resolved,B-1", "第 2 行 started_at"),
        ("A0001,inquiry,2026-02-10 09:00:00,50,0,lost,B-1", "第 2 行 outcome"),
        ("A0001,inquiry,2026-02-10 09:00:00,50,0,resolved,OK-1", "第 4 行 source_id：来源编号 OK-1 与第 3 行重复"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_the_row(world: World, row: str, expected: str) -> None:
    department_types(world.team_a1.parent)
    content = _csv(
        [
            row,
            "A0001,inquiry,2026-02-10 10:00:00,50,0,resolved,OK-1",
            "A0001,inquiry,2026-02-10 10:00:00,50,0,resolved,OK-1",
        ][: 1 if "OK-1" not in row else 3]
    )
    if "OK-1" in row:
        content = _csv(
            [
                "A0001,inquiry,2026-02-10 10:00:00,50,0,resolved,OK-0",
                "A0001,inquiry,2026-02-10 10:00:00,50,0,resolved,OK-1",
                row,
            ]
        )
    else:
        content = _csv([row, "A0001,inquiry,2026-02-10 10:00:00,50,0,resolved,OK-1"])
    before = (WorkRecord.objects.count(), PointEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ApplicationError) as caught:
        records.work_records_import(
            actor=world.users["branch_hr"], source_system="phone", filename="坏.csv", content=content
        )
    assert expected in caught.value.message
    assert (WorkRecord.objects.count(), PointEntry.objects.count(), AuditEntry.objects.count()) == before


def test_an_already_imported_source_id_with_other_content_is_refused(world: World) -> None:
    department_types(world.team_a1.parent)
    hr = world.users["branch_hr"]
    records.work_records_import(
        actor=hr,
        source_system="phone",
        filename="a.csv",
        content=_csv(["A0001,inquiry,2026-02-10 09:00:00,50,0,resolved,D-1"]),
    )
    with pytest.raises(ApplicationError, match="来源编号 D-1 已导入过且内容不同"):
        records.work_records_import(
            actor=hr,
            source_system="phone",
            filename="b.csv",
            content=_csv(["A0001,complaint,2026-02-10 09:00:00,50,0,resolved,D-1"]),
        )
    assert WorkRecord.objects.get(source_id="D-1").business_type.code == "inquiry"


def test_importer_cannot_import_for_employees_outside_their_branch(world: World) -> None:
    department_types(world.team_b1.parent)
    content = _csv(["X0003,inquiry,2026-02-10 09:00:00,50,0,resolved,F-1"])
    with pytest.raises(ApplicationError, match="不在你的管理范围内"):
        records.work_records_import(
            actor=world.users["branch_hr"], source_system="phone", filename="x.csv", content=content
        )


def test_quality_scores_import_checks_range(world: World) -> None:
    ok = "employee_no,score,inspected_on,source_id\nA0001,92.5,2026-02-10,Q-1\n"
    assert records.quality_scores_import(actor=world.users["branch_hr"], filename="q.csv", content=ok).created == 1
    bad = "employee_no,score,inspected_on,source_id\nA0001,120,2026-02-10,Q-2\n"
    with pytest.raises(ApplicationError, match="第 2 行 score"):
        records.quality_scores_import(actor=world.users["branch_hr"], filename="q.csv", content=bad)


def test_channel_record_is_idempotent_on_its_source_id(world: World) -> None:
    department_types(world.team_a1.parent)
    first = work(world.me, "inquiry", DAY, source_id="conv-1")
    again = work(world.me, "inquiry", DAY, source_id="conv-1")
    assert first.id == again.id
    assert ledger_points(world.me.id) == Decimal(1)
    with pytest.raises(ApplicationError, match="已记录过且内容不同"):
        work(world.me, "complaint", DAY, source_id="conv-1")


def test_recompute_appends_differences_and_twice_changes_nothing(world: World) -> None:
    types = department_types(world.team_a1.parent)
    WorkRecord.objects.bulk_create(
        WorkRecord(
            agent=world.me,
            business_type=types["complaint" if i % 2 else "inquiry"],
            started_at=at(DAY + dt.timedelta(days=i)),
            work_date=DAY + dt.timedelta(days=i),
            handle_seconds=60,
            outcome="resolved",
            source_system="phone",
            source_id=f"R-{i}",
        )
        for i in range(5)
    )
    hq = world.users["hq_admin"]
    first = points.points_recompute(actor=hq, start=DAY, end=DAY + dt.timedelta(days=10))
    assert first.rows_written == 5
    assert ledger_points(world.me.id) == Decimal(9)  # 3 inquiries × 1 + 2 complaints × 3
    count = PointEntry.objects.count()
    second = points.points_recompute(actor=hq, start=DAY, end=DAY + dt.timedelta(days=10))
    assert second.rows_written == 0
    assert PointEntry.objects.count() == count
    # A record withdrawn at the source: the next run appends a compensating row, never edits.
    WorkRecord.objects.filter(source_id="R-1").delete()
    third = points.points_recompute(actor=hq, start=DAY, end=DAY + dt.timedelta(days=10))
    assert third.rows_written == 1
    assert PointEntry.objects.filter(run=third).get().points_milli == -3000
    assert ledger_points(world.me.id) == Decimal(6)


def test_ledger_refuses_update_and_delete_in_orm_and_database(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.me, "inquiry", DAY)
    entry = PointEntry.objects.first()
    with pytest.raises(AppendOnlyViolation):
        PointEntry.objects.filter(id=entry.id).update(points_milli=0)
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PointEntry._meta.db_table} SET points_milli = 0")


def test_branch_hr_cannot_recompute_another_branch(world: World) -> None:
    with pytest.raises((Forbidden, ApplicationError)):
        points.points_recompute(actor=world.users["branch_hr"], start=DAY, end=DAY, unit_id=world.branch_b.id)


def test_agent_sees_only_own_points(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.me, "inquiry", DAY)
    work(world.spots["same_team"].employee, "complaint", DAY)
    agent = world.users["agent"]
    assert set(point_selectors.point_entries(actor=agent).values_list("agent_id", flat=True)) == {world.me.id}
    lead_sees = set(point_selectors.point_entries(actor=world.users["team_lead"]).values_list("agent_id", flat=True))
    assert world.spots["same_team"].employee.id in lead_sees


def _cells() -> dict[tuple[str, int, int], tuple[int, int, int]]:
    return {
        (str(t.work_date), t.agent_id, t.business_type_id): (t.records, t.invalid_records, t.sale_fen)
        for t in WorkDayTotal.objects.all()
    }


def _grouped_records() -> dict[tuple[str, int, int], tuple[int, int, int]]:
    cells: dict[tuple[str, int, int], list[int]] = {}
    for r in WorkRecord.objects.all():
        cell = cells.setdefault((str(r.work_date), r.agent_id, r.business_type_id), [0, 0, 0])
        cell[0] += 1
        cell[1] += r.outcome == "invalid"
        cell[2] += r.sale_fen
    return {key: (n, bad, sale) for key, (n, bad, sale) in cells.items()}


def test_database_keeps_work_day_totals_for_every_write(world: World) -> None:
    """Bulk insert, raw SQL, update and delete all keep the totals equal to grouping the records."""
    types = department_types(world.team_a1.parent)
    before = WorkRecord.objects.count()
    WorkRecord.objects.bulk_create(
        WorkRecord(
            agent=world.me if i % 3 else world.spots["same_team"].employee,
            business_type=types["inquiry" if i % 2 else "complaint"],
            started_at=at(DAY + dt.timedelta(days=i % 4)),
            work_date=DAY + dt.timedelta(days=i % 4),
            handle_seconds=60,
            outcome="invalid" if i % 5 == 0 else "resolved",
            sale_fen=i,
            source_system="phone",
            source_id=f"T-{i}",
        )
        for i in range(40)
    )
    assert _cells() == _grouped_records()
    assert sum(n for n, _, _ in _cells().values()) == before + 40

    with connection.cursor() as cursor:  # a raw load outside the ORM counts too
        cursor.execute(
            f"INSERT INTO {WorkRecord._meta.db_table} (agent_id, business_type_id, started_at, work_date,"
            " handle_seconds, acw_seconds, outcome, sale_fen, source_system, source_id, created_at)"
            " VALUES (%s, %s, %s, %s, 60, 0, 'resolved', 7, 'phone', 'RAW-1', %s)",
            [world.me.id, types["inquiry"].id, at(DAY), DAY, at(DAY)],
        )
    WorkRecord.objects.filter(source_id="T-1").update(outcome="invalid", sale_fen=100)
    WorkRecord.objects.filter(source_id="T-2").update(work_date=DAY + dt.timedelta(days=9))
    WorkRecord.objects.filter(source_id__in=["T-3", "T-4", "T-6"]).delete()
    assert _cells() == _grouped_records()
    WorkRecord.objects.all().delete()
    assert not WorkDayTotal.objects.exists()  # emptied cells are removed, not left at zero
