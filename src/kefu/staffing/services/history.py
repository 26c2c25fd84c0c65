"""Contact history per queue and interval: CSV imports by planners, row batches from the API and the
chat's own measurements (services/chat.py). All-or-nothing per file or batch; the same content twice is a no-op; a later
export that corrects an interval replaces it (counted as updated and audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit
from kefu.staffing import selectors
from kefu.staffing.models import ContactImport, ContactInterval, HistorySource, Queue
from kefu.staffing.selectors import PLANNERS
from kefu.staffing.services.common import (
    parse_count,
    parse_moment,
    parse_seconds,
    planner_unit,
    read_csv,
    refuse_rows,
)

HISTORY_COLUMNS = ("queue", "interval_start", "offered", "answered", "abandoned", "aht_seconds")


@dataclass(frozen=True)
class HistoryImportResult:
    batch: ContactImport
    created: int
    updated: int
    unchanged: int
    already_imported: bool  # the very same content was imported before: nothing was written


@dataclass(frozen=True)
class _Row:
    line: int
    queue: Queue
    interval_start: dt.datetime
    offered: int
    answered: int
    abandoned: int
    answered_within: int | None
    aht_seconds: Decimal


def _parse_rows(
    records: Iterable[tuple[int, Mapping[str, object]]], *, queues: Mapping[str, Queue], unit: OrgUnit
) -> list[_Row]:
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[int, dt.datetime], int] = {}
    for line, record in records:
        try:
            code = str(record.get("queue") or "").strip()
            queue = queues.get(code)
            if queue is None:
                raise ValueError(f"队列 {code!r} 不存在或不在 {unit.name} 之下" if code else "缺少队列编码")
            start = parse_moment(record.get("interval_start"))
            local = timezone.localtime(start)
            if local.second or local.microsecond or (local.minute % queue.interval_minutes):
                raise ValueError(f"时段开始 {record.get('interval_start')} 没有对齐到 {queue.interval_minutes} 分钟")
            offered = parse_count(record.get("offered"), "offered（呼入量）")
            answered = parse_count(record.get("answered"), "answered（接通量）")
            abandoned = parse_count(record.get("abandoned"), "abandoned（放弃量）")
            within_value = record.get("answered_within")  # 0 is a figure, not a blank
            within_text = "" if within_value is None else str(within_value).strip()
            within = parse_count(within_text, "answered_within（时限内接通）") if within_text else None
            aht = parse_seconds(record.get("aht_seconds"), "aht_seconds（平均处理时长）")
            if answered + abandoned > offered:
                raise ValueError(f"接通 {answered} + 放弃 {abandoned} 超过了呼入量 {offered}")
            if within is not None and within > answered:
                raise ValueError(f"时限内接通 {within} 超过了接通量 {answered}")
            if answered and aht <= 0:
                raise ValueError("有接通量时平均处理时长必须大于 0")
            key = (queue.id, start)
            if key in seen:
                raise ValueError(f"与第 {seen[key]} 行是同一队列同一时段")
            seen[key] = line
            rows.append(_Row(line, queue, start, offered, answered, abandoned, within, aht))
        except ValueError as exc:
            errors.append((line, str(exc)))
    if errors:
        raise refuse_rows(errors, what="话务历史")
    return rows


def _queues_under(unit: OrgUnit) -> dict[str, Queue]:
    return {
        queue.code: queue for queue in Queue.objects.filter(unit__path__startswith=unit.path).select_related("unit")
    }


def _store(
    *, actor: Actor | None, unit: OrgUnit, rows: list[_Row], source: str, filename: str, digest: str
) -> HistoryImportResult:
    existing_batch = ContactImport.objects.filter(unit=unit, sha256=digest).first()
    if existing_batch is not None:
        return HistoryImportResult(existing_batch, 0, 0, existing_batch.rows, already_imported=True)

    starts = [row.interval_start for row in rows]
    existing = {
        (item.queue_id, item.interval_start): item
        for item in ContactInterval.objects.filter(
            queue_id__in={row.queue.id for row in rows},
            interval_start__gte=min(starts),
            interval_start__lte=max(starts),
        )
    }
    batch = ContactImport.objects.create(
        unit=unit,
        source=source,
        filename=filename[:200],
        sha256=digest,
        rows=len(rows),
        imported_by=scopes.signed_in(actor),
    )
    fields = ("offered", "answered", "abandoned", "answered_within", "aht_seconds")
    new: list[ContactInterval] = []
    changed: list[ContactInterval] = []
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        current = existing.get((row.queue.id, row.interval_start))
        if current is None:
            new.append(
                ContactInterval(
                    queue=row.queue, interval_start=row.interval_start, source=source, batch=batch, **values
                )
            )
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.source, current.batch = source, batch
            changed.append(current)
    ContactInterval.objects.bulk_create(new, batch_size=2000)
    ContactInterval.objects.bulk_update(changed, [*fields, "source", "batch"], batch_size=2000)
    batch.created, batch.updated, batch.unchanged = len(new), len(changed), len(rows) - len(new) - len(changed)
    batch.save(update_fields=["created", "updated", "unchanged"])
    audit.record(
        actor=actor,
        action="contact_history.import",
        obj=batch,
        after={
            "rows": len(rows),
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
            "queues": sorted({row.queue.code for row in rows}),
            "from": min(starts),
            "to": max(starts),
        },
        note=filename,
    )
    return HistoryImportResult(batch, batch.created, batch.updated, batch.unchanged, already_imported=False)


@transaction.atomic
def contact_history_import_csv(
    *, actor: Actor | None, unit_id: int, csv_text: str, filename: str = ""
) -> HistoryImportResult:
    """Import a CSV of interval history for queues under `unit_id`.

    Columns: queue, interval_start (local time unless it carries an offset), offered, answered,
    abandoned, aht_seconds, optional answered_within. Any bad row refuses the whole file, naming the
    rows; importing the same file again changes nothing.
    """
    unit = planner_unit(actor=actor, unit_id=unit_id, what="导入该单元的话务历史")
    records = read_csv(csv_text, required=HISTORY_COLUMNS)
    rows = _parse_rows(enumerate(records, start=2), queues=_queues_under(unit), unit=unit)
    digest = hashlib.sha256(csv_text.lstrip("\ufeff").strip().encode()).hexdigest()
    return _store(actor=actor, unit=unit, rows=rows, source=HistorySource.CSV, filename=filename, digest=digest)


@transaction.atomic
def contact_history_record(
    *, actor: Actor | None, queue_id: int, rows: Sequence[Mapping[str, object]], source: str = HistorySource.API
) -> HistoryImportResult:
    """Record a batch of intervals for one queue (API callers and the channel app); same rules as a file.

    Each row: interval_start, offered, answered, abandoned, aht_seconds, optional answered_within.
    """
    if source not in HistorySource.values:
        raise ApplicationError(f"未知来源 {source!r}", extra={"field": "source"})
    if actor is None:
        queue = Queue.objects.select_related("unit").filter(id=queue_id).first()
        if queue is None:
            raise ApplicationError("找不到该队列", extra={"queue_id": queue_id})
    else:
        queue = selectors.queue_get(actor=actor, queue_id=queue_id)
        scopes.require(actor, unit_path=queue.unit.path, roles=PLANNERS, what="录入该队列的话务历史")
    if not rows:
        raise ApplicationError("没有数据行", extra={"field": "rows"})
    records = [(index, {**row, "queue": queue.code}) for index, row in enumerate(rows, start=1)]
    parsed = _parse_rows(records, queues={queue.code: queue}, unit=queue.unit)
    canonical = json.dumps(
        [[queue.code, *(str(value) for value in sorted(dict(row).items()))] for row in rows], ensure_ascii=False
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return _store(
        actor=actor, unit=queue.unit, rows=parsed, source=source, filename=f"{source}:{queue.code}", digest=digest
    )
