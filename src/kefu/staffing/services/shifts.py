"""The roster: shifts entered by planners or imported from attendance, per person and queue."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee, EmploymentStatus, OrgUnit
from kefu.staffing import selectors
from kefu.staffing.models import Queue, Shift, ShiftSource
from kefu.staffing.selectors import PLANNERS
from kefu.staffing.services.common import parse_moment, planner_unit, read_csv, refuse_rows

MAX_SHIFT = dt.timedelta(hours=16)
SHIFT_COLUMNS = ("employee_no", "queue", "starts_at", "ends_at")


@dataclass(frozen=True)
class ShiftImportResult:
    created: int
    updated: int
    unchanged: int
    digest: str


def _check_period(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValueError("结束时间必须晚于开始时间")
    if ends_at - starts_at > MAX_SHIFT:
        raise ValueError("一个班次最长 16 小时")


def _overlap(
    employee_id: int, starts_at: dt.datetime, ends_at: dt.datetime, *, exclude: int | None = None
) -> Shift | None:
    qs = Shift.objects.filter(employee_id=employee_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        qs = qs.exclude(id=exclude)
    return qs.first()


@transaction.atomic
def shift_create(
    *, actor: Actor | None, employee_id: int, queue_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> Shift:
    """Put one person on a queue from `starts_at` to `ends_at`; both must lie in the planner's scope."""
    if actor is None:
        queue = Queue.objects.select_related("unit").filter(id=queue_id).first()
        if queue is None:
            raise NotFound("找不到该队列", extra={"queue_id": queue_id})
    else:
        queue = selectors.queue_get(actor=actor, queue_id=queue_id)
    employee = Employee.objects.select_related("unit").filter(id=employee_id).first()
    if employee is None or (
        actor is not None and not scopes.covers(actor, unit_path=employee.unit.path, roles=PLANNERS)
    ):
        raise NotFound("找不到该员工", extra={"employee_id": employee_id})
    if actor is not None:
        scopes.require(actor, unit_path=queue.unit.path, roles=PLANNERS, what="为该队列排班")
    if employee.status == EmploymentStatus.LEFT:
        raise ApplicationError(f"{employee.name} 已离职，不能排班", extra={"field": "employee_id"})
    starts_at, ends_at = parse_moment(starts_at), parse_moment(ends_at)
    try:
        _check_period(starts_at, ends_at)
    except ValueError as exc:
        raise ApplicationError(str(exc), extra={"field": "ends_at"}) from None
    clash = _overlap(employee.id, starts_at, ends_at)
    if clash is not None:
        raise ApplicationError(
            f"{employee.name} 在 {clash.starts_at:%m-%d %H:%M} 已有班次，时间重叠", extra={"field": "starts_at"}
        )
    shift = Shift.objects.create(
        employee=employee,
        queue=queue,
        starts_at=starts_at,
        ends_at=ends_at,
        source=ShiftSource.ENTERED,
        created_by=scopes.signed_in(actor),
    )
    audit.record(
        actor=actor,
        action="shift.create",
        obj=shift,
        after={"employee": employee.employee_no, "queue": queue.code, "starts_at": starts_at, "ends_at": ends_at},
    )
    return shift


@transaction.atomic
def shift_import_csv(*, actor: Actor | None, unit_id: int, csv_text: str, filename: str = "") -> ShiftImportResult:
    """Import the roster from an attendance export: employee_no, queue, starts_at, ends_at.

    People and queues must lie under `unit_id`. A row for a person and start already on the roster
    replaces that shift (a corrected export); the same file twice changes nothing; any bad row refuses
    the whole file.
    """
    unit: OrgUnit = planner_unit(actor=actor, unit_id=unit_id, what="导入该单元的排班")
    records = read_csv(csv_text, required=SHIFT_COLUMNS)
    employees = {
        e.employee_no: e
        for e in Employee.objects.filter(
            unit__path__startswith=unit.path, employee_no__in={r.get("employee_no", "") for r in records}
        )
    }
    queues = {q.code: q for q in Queue.objects.filter(unit__path__startswith=unit.path)}
    errors: list[tuple[int, str]] = []
    parsed: list[tuple[Employee, Queue, dt.datetime, dt.datetime, int]] = []
    seen: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = {}
    for line, record in enumerate(records, start=2):
        try:
            employee = employees.get(record.get("employee_no", ""))
            if employee is None:
                raise ValueError(f"工号 {record.get('employee_no')!r} 不存在或不在 {unit.name} 之下")
            if employee.status == EmploymentStatus.LEFT:
                raise ValueError(f"{employee.name} 已离职")
            queue = queues.get(record.get("queue", ""))
            if queue is None:
                raise ValueError(f"队列 {record.get('queue')!r} 不存在或不在 {unit.name} 之下")
            starts_at, ends_at = parse_moment(record.get("starts_at")), parse_moment(record.get("ends_at"))
            _check_period(starts_at, ends_at)
            for other_start, other_end, other_line in seen.get(employee.id, []):
                if other_start < ends_at and starts_at < other_end:
                    raise ValueError(f"与第 {other_line} 行的班次时间重叠")
            seen.setdefault(employee.id, []).append((starts_at, ends_at, line))
            parsed.append((employee, queue, starts_at, ends_at, line))
        except ValueError as exc:
            errors.append((line, str(exc)))
    existing = {
        (s.employee_id, s.starts_at): s
        for s in Shift.objects.filter(employee_id__in={p[0].id for p in parsed}, starts_at__in={p[2] for p in parsed})
    }
    new: list[Shift] = []
    changed: list[Shift] = []
    file_keys = {(p[0].id, p[2]) for p in parsed}
    for employee, queue, starts_at, ends_at, line in parsed:
        current = existing.get((employee.id, starts_at))
        clash = _overlap(employee.id, starts_at, ends_at, exclude=current.id if current else None)
        if clash is not None and (clash.employee_id, clash.starts_at) not in file_keys:
            errors.append((line, f"{employee.name} 在 {clash.starts_at:%m-%d %H:%M} 已有班次，时间重叠"))
            continue
        if current is None:
            new.append(
                Shift(
                    employee=employee,
                    queue=queue,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    source=ShiftSource.ATTENDANCE,
                    created_by=scopes.signed_in(actor),
                )
            )
        elif current.queue_id != queue.id or current.ends_at != ends_at:
            current.queue, current.ends_at, current.source = queue, ends_at, ShiftSource.ATTENDANCE
            changed.append(current)
    if errors:
        raise refuse_rows(sorted(errors), what="排班")
    Shift.objects.bulk_create(new, batch_size=2000)
    Shift.objects.bulk_update(changed, ["queue", "ends_at", "source"], batch_size=2000)
    digest = hashlib.sha256(csv_text.lstrip("\ufeff").strip().encode()).hexdigest()
    result = ShiftImportResult(len(new), len(changed), len(parsed) - len(new) - len(changed), digest)
    if new or changed:
        audit.record(
            actor=actor,
            action="shift.import",
            obj=unit,
            unit_path=unit.path,
            after={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "sha256": digest,
            },
            note=filename,
        )
    return result
