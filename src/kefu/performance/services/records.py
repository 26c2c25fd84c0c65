"""Work records and QA scores in: from imports (CSV/JSON per source system) and from kefu's own channel.

Imports are all-or-nothing per file: every row is checked first and the file is refused with a list
of row-numbered errors if any row is bad; nothing is written then. Rows already imported with the
same content are skipped, so re-importing a file is a no-op; the same source id with other content
is refused. Points for the affected days are recomputed in the same transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import Employee
from kefu.performance import keys
from kefu.performance.models import BusinessType, ImportBatch, Outcome, QualityScore, SourceSystem, WorkRecord
from kefu.performance.services import points
from kefu.performance.services.common import MANAGERS, department_ids_by_unit, is_system, local_date
from kefu.policy import selectors as policy_selectors

log = logging.getLogger(__name__)

MAX_ERRORS = 50
WORK_COLUMNS = ("employee_no", "business_type", "started_at", "handle_seconds", "source_id")
QUALITY_COLUMNS = ("employee_no", "score", "inspected_on", "source_id")
_OUTCOMES = {**{c.value: c.value for c in Outcome}, **{str(c.label): c.value for c in Outcome}}


@dataclass
class ImportResult:
    batch: ImportBatch | None
    rows: int
    created: int
    unchanged: int
    message: str
    errors: list[str] = field(default_factory=list)


def parse_rows(*, content: bytes | str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """(row number, row) pairs. CSV row numbers are file lines (the header is line 1); JSON rows count from 1."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ApplicationError(f"文件不是有效的 JSON：{exc}", extra={"field": "file"}) from None
        if isinstance(data, dict):
            data = data.get("records")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ApplicationError('JSON 文件需要是记录数组（或 {"records": [...]}）', extra={"field": "file"})
        return [(n, row) for n, row in enumerate(data, start=1)]
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        return [(reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}) for row in reader]
    raise ApplicationError(f"不支持的文件格式 {fmt!r}：请用 csv 或 json", extra={"field": "fmt"})


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value).strip())
    if number != number.to_integral_value():
        raise ValueError
    return int(number)


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value).strip().replace(" ", "T", 1))
    if moment is None:
        raise ValueError
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class _Checker:
    """Resolves employees and business types in bulk, within the actor's scope, and checks values."""

    def __init__(self, *, actor: Actor | None, employee_nos: set[str]) -> None:
        qs = Employee.objects.filter(employee_no__in=employee_nos).select_related("unit")
        if not is_system(actor):
            qs = scopes.restrict(actor, qs, employee="", roles=MANAGERS)
        self.employees = {e.employee_no: e for e in qs}
        self.department_of_unit = department_ids_by_unit({e.unit_id for e in self.employees.values()})
        departments = set(self.department_of_unit.values())
        self.types = {
            (t.department_id, t.code): t
            for t in BusinessType.objects.filter(department_id__in=departments, active=True)
        }
        self.max_seconds: dict[int, int] = {}
        for e in self.employees.values():
            if e.unit_id not in self.max_seconds:
                self.max_seconds[e.unit_id] = policy_selectors.effective(unit=e.unit, key=keys.MAX_HANDLE_SECONDS)

    def employee(self, value: Any) -> Employee:
        employee = self.employees.get(str(value or "").strip())
        if employee is None:
            raise ValueError(f"工号 {value!r} 不存在或不在你的管理范围内")
        return employee

    def business_type(self, employee: Employee, code: Any) -> BusinessType:
        department = self.department_of_unit.get(employee.unit_id)
        found = self.types.get((department, str(code or "").strip())) if department else None
        if found is None:
            raise ValueError(f"业务类型 {code!r} 不存在（{employee.name}所在部门没有这个业务类型）")
        return found

    def seconds(self, employee: Employee, value: Any, *, label: str) -> int:
        try:
            seconds = _int(value)
        except (InvalidOperation, ValueError, TypeError):
            raise ValueError(f"{label} {value!r} 不是整数秒") from None
        if seconds < 0:
            raise ValueError(f"{label}不能为负数（{seconds}）")
        limit = self.max_seconds[employee.unit_id]
        if seconds > limit:
            raise ValueError(f"{label} {seconds} 秒超过上限 {limit} 秒，疑为异常数据")
        return seconds


def _refuse(errors: list[str], rows: int) -> ApplicationError:
    shown = "；".join(errors[:5]) + (f"；……共 {len(errors)} 处错误" if len(errors) > 5 else "")
    return ApplicationError(
        f"文件未导入（全部或全不）：{shown}",
        extra={"errors": errors[:MAX_ERRORS], "error_count": len(errors), "rows": rows},
    )


def _check_work_row(checker: _Checker, source_system: str, row: dict[str, Any]) -> WorkRecord:
    """One row → an unsaved WorkRecord, or ValueError('field: why')."""
    missing = [c for c in WORK_COLUMNS if str(row.get(c, "") or "").strip() == ""]
    if missing:
        raise ValueError(f"缺少 {', '.join(missing)}")
    try:
        employee = checker.employee(row["employee_no"])
    except ValueError as exc:
        raise ValueError(f"employee_no：{exc}") from None
    try:
        business_type = checker.business_type(employee, row["business_type"])
    except ValueError as exc:
        raise ValueError(f"business_type：{exc}") from None
    try:
        started_at = _moment(row["started_at"])
    except (ValueError, TypeError):
        raise ValueError(f"started_at：{row['started_at']!r} 不是日期时间（例如 2026-11-03 09:15:00）") from None
    if started_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValueError(f"started_at：{row['started_at']} 在未来")
    handle = checker.seconds(employee, row["handle_seconds"], label="handle_seconds：处理时长")
    acw = checker.seconds(employee, row.get("acw_seconds") or 0, label="acw_seconds：后续处理时长")
    outcome = _OUTCOMES.get(str(row.get("outcome") or Outcome.RESOLVED.value).strip())
    if outcome is None:
        raise ValueError(f"outcome：{row.get('outcome')!r} 不是已知结果（{', '.join(Outcome.values)}）")
    try:
        sale = Decimal(str(row.get("sale_amount") or "0").strip())
    except InvalidOperation:
        raise ValueError(f"sale_amount：{row.get('sale_amount')!r} 不是金额") from None
    if sale < 0:
        raise ValueError("sale_amount：金额不能为负数")
    source_id = str(row["source_id"]).strip()
    if len(source_id) > 80:
        raise ValueError("source_id：来源编号超过 80 个字符")
    return WorkRecord(
        agent=employee,
        business_type=business_type,
        started_at=started_at,
        work_date=local_date(started_at),
        handle_seconds=handle,
        acw_seconds=acw,
        outcome=outcome,
        sale_fen=int((sale * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        source_system=source_system,
        source_id=source_id,
    )


def _same_work(a: WorkRecord, b: dict[str, Any]) -> bool:
    return (
        a.agent_id == b["agent_id"]
        and a.business_type_id == b["business_type_id"]
        and a.started_at == b["started_at"]
        and a.handle_seconds == b["handle_seconds"]
        and a.acw_seconds == b["acw_seconds"]
        and a.outcome == b["outcome"]
        and a.sale_fen == b["sale_fen"]
    )


def _existing(model: Any, source_system: str, ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        for row in model.objects.filter(source_system=source_system, source_id__in=ids[i : i + 500]).values(
            "source_id", *fields
        ):
            found[row["source_id"]] = row
    return found


def _check_source(source_system: str) -> None:
    if source_system not in SourceSystem.values:
        raise ApplicationError(
            f"未知的来源系统 {source_system!r}（可选：{', '.join(SourceSystem.values)}）",
            extra={"field": "source_system"},
        )


def _import(
    *,
    actor: Actor | None,
    source_system: str,
    filename: str,
    content: bytes | str,
    fmt: str,
    kind: str,
    check: Callable[[_Checker, dict[str, Any]], Any],
    same: Callable[[Any, dict[str, Any]], bool],
    model: Any,
    compare_fields: list[str],
) -> ImportResult:
    _check_source(source_system)
    if not is_system(actor) and not scopes.has_any_role(actor, MANAGERS):
        raise NotFound("找不到可导入的范围")
    raw = content.encode() if isinstance(content, str) else content
    digest = hashlib.sha256(raw).hexdigest()
    rows = parse_rows(content=raw, fmt=fmt)
    if not rows:
        raise ApplicationError("文件没有数据行", extra={"field": "file"})
    checker = _Checker(actor=actor, employee_nos={str(r.get("employee_no") or "").strip() for _, r in rows})
    errors: list[str] = []
    candidates: list[tuple[int, Any]] = []
    first_row_of: dict[str, int] = {}
    for number, row in rows:
        try:
            obj = check(checker, row)
        except ValueError as exc:
            errors.append(f"第 {number} 行 {exc}")
            continue
        if obj.source_id in first_row_of:
            errors.append(
                f"第 {number} 行 source_id：来源编号 {obj.source_id} 与第 {first_row_of[obj.source_id]} 行重复"
            )
            continue
        first_row_of[obj.source_id] = number
        candidates.append((number, obj))
    existing = _existing(model, source_system, [o.source_id for _, o in candidates], compare_fields)
    new = []
    for number, obj in candidates:
        old = existing.get(obj.source_id)
        if old is None:
            new.append(obj)
        elif not same(obj, old):
            errors.append(f"第 {number} 行 source_id：来源编号 {obj.source_id} 已导入过且内容不同，不能覆盖")
    if errors:
        raise _refuse(errors, len(rows))
    unchanged = len(candidates) - len(new)
    if not new:
        message = f"全部 {unchanged} 条记录此前已导入，未做任何改动"
        return ImportResult(batch=None, rows=len(rows), created=0, unchanged=unchanged, message=message)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source_system=source_system,
            kind=kind,
            filename=filename[:200],
            sha256=digest,
            rows=len(rows),
            created=len(new),
            unchanged=unchanged,
            imported_by=scopes.signed_in(actor),
            unit_path=_actor_path(actor),
        )
        for obj in new:
            obj.batch = batch
        model.objects.bulk_create(new, batch_size=1000)
        audit.record(
            actor=actor,
            action=f"performance.import_{kind}",
            obj=batch,
            after={"rows": len(rows), "created": len(new), "unchanged": unchanged, "sha256": digest},
            note=filename,
        )
        if kind == "work":
            days = [o.work_date for o in new]
            points.recompute(start=min(days), end=max(days), agent_ids={o.agent_id for o in new}, actor=actor)
    message = f"导入 {len(new)} 条" + (f"，{unchanged} 条此前已导入已跳过" if unchanged else "")
    return ImportResult(batch=batch, rows=len(rows), created=len(new), unchanged=unchanged, message=message)


def _actor_path(actor: Actor | None) -> str:
    if is_system(actor):
        return ""
    reach = scopes.reach(actor, roles=MANAGERS)
    return "" if reach.everything else min(reach.unit_paths, key=len, default="")


def work_records_import(
    *, actor: Actor | None, source_system: str, filename: str, content: bytes | str, fmt: str = "csv"
) -> ImportResult:
    """Import work records from the phone, ticket, attendance, sales or QA system (CSV or JSON).

    Columns: employee_no, business_type (code in the agent's department), started_at, handle_seconds,
    acw_seconds (optional), outcome (optional, default resolved), sale_amount (optional, yuan), source_id.
    """
    return _import(
        actor=actor,
        source_system=source_system,
        filename=filename,
        content=content,
        fmt=fmt,
        kind="work",
        check=lambda checker, row: _check_work_row(checker, source_system, row),
        same=_same_work,
        model=WorkRecord,
        compare_fields=[
            "agent_id",
            "business_type_id",
            "started_at",
            "handle_seconds",
            "acw_seconds",
            "outcome",
            "sale_fen",
        ],
    )


def _check_quality_row(checker: _Checker, row: dict[str, Any]) -> QualityScore:
    missing = [c for c in QUALITY_COLUMNS if str(row.get(c, "") or "").strip() == ""]
    if missing:
        raise ValueError(f"缺少 {', '.join(missing)}")
    try:
        employee = checker.employee(row["employee_no"])
    except ValueError as exc:
        raise ValueError(f"employee_no：{exc}") from None
    try:
        score = Decimal(str(row["score"]).strip()).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"score：{row['score']!r} 不是分数") from None
    if not Decimal(0) <= score <= Decimal(100):
        raise ValueError(f"score：质检分 {score} 不在 0–100 之间")
    inspected_on = parse_date(str(row["inspected_on"]).strip()[:10])
    if inspected_on is None:
        raise ValueError(f"inspected_on：{row['inspected_on']!r} 不是日期（例如 2026-11-03）")
    inspector = None
    if str(row.get("inspector_no") or "").strip():
        inspector = Employee.objects.filter(employee_no=str(row["inspector_no"]).strip()).first()
        if inspector is None:
            raise ValueError(f"inspector_no：质检员工号 {row['inspector_no']!r} 不存在")
    return QualityScore(
        agent=employee,
        inspector=inspector,
        inspected_on=inspected_on,
        score=score,
        source_system=SourceSystem.QA,
        source_id=str(row["source_id"]).strip()[:80],
    )


def quality_scores_import(
    *, actor: Actor | None, filename: str, content: bytes | str, fmt: str = "csv"
) -> ImportResult:
    """Import QA results (质量考核) from the QA system: employee_no, score (0–100), inspected_on, source_id."""
    return _import(
        actor=actor,
        source_system=SourceSystem.QA,
        filename=filename,
        content=content,
        fmt=fmt,
        kind="quality",
        check=_check_quality_row,
        same=lambda a, b: a.agent_id == b["agent_id"] and a.score == b["score"] and a.inspected_on == b["inspected_on"],
        model=QualityScore,
        compare_fields=["agent_id", "score", "inspected_on"],
    )


@transaction.atomic
def work_record_add(
    *,
    agent_id: int,
    business_type_code: str,
    started_at: dt.datetime,
    handle_seconds: int,
    acw_seconds: int = 0,
    outcome: str = Outcome.RESOLVED,
    sale_amount: Decimal | None = None,
    source_system: str = SourceSystem.CHANNEL,
    source_id: str,
    actor: Actor | None = None,
) -> WorkRecord:
    """One record from kefu's own channel (a closed conversation): checked like an imported row,
    idempotent on (source system, source id), and the agent's points for that day recomputed."""
    _check_source(source_system)
    employee = Employee.objects.filter(id=agent_id).values_list("employee_no", flat=True).first()
    if employee is None:
        raise ApplicationError(f"客服 #{agent_id} 不存在", extra={"field": "agent_id"})
    checker = _Checker(actor=None, employee_nos={employee})
    row = {
        "employee_no": employee,
        "business_type": business_type_code,
        "started_at": started_at,
        "handle_seconds": handle_seconds,
        "acw_seconds": acw_seconds,
        "outcome": outcome,
        "sale_amount": sale_amount or "0",
        "source_id": source_id,
    }
    try:
        record = _check_work_row(checker, source_system, row)
    except ValueError as exc:
        raise ApplicationError(str(exc), extra={"field": str(exc).split("：", 1)[0]}) from None
    existing = WorkRecord.objects.filter(source_system=source_system, source_id=record.source_id).first()
    if existing is not None:
        if not _same_work(record, existing.__dict__):
            raise ApplicationError(
                f"来源编号 {record.source_id} 已记录过且内容不同，不能覆盖", extra={"field": "source_id"}
            )
        return existing
    record.save()
    audit.record(actor=actor, action="performance.work_record_add", obj=record, after={"source_id": record.source_id})
    points.recompute(start=record.work_date, end=record.work_date, agent_ids=[record.agent_id], actor=actor)
    return record


def work_record_from_conversation(conversation: Any) -> WorkRecord | None:
    """A closed chat of kefu's own channel as a work record of the agent who ended it (channel hook).

    Business type from policy `performance.chat_business_type` (looked up in the agent's department);
    handle time from assignment to close, at most the policy maximum; idempotent per conversation. A
    conversation without an agent, or a department without that business type, gives no record."""
    if conversation.agent_id is None or conversation.assigned_at is None or conversation.closed_at is None:
        return None
    agent = conversation.agent
    code = str(policy_selectors.effective(unit=agent.unit, key=keys.CHAT_BUSINESS_TYPE))
    longest = int(policy_selectors.effective(unit=agent.unit, key=keys.MAX_HANDLE_SECONDS))
    seconds = int((conversation.closed_at - conversation.assigned_at).total_seconds())
    try:
        return work_record_add(
            agent_id=agent.id,
            business_type_code=code,
            started_at=conversation.assigned_at,
            handle_seconds=min(max(seconds, 1), longest),
            source_system=SourceSystem.CHANNEL,
            source_id=f"conversation:{conversation.id}",
        )
    except ApplicationError as exc:
        log.warning("no work record for conversation %s: %s", conversation.id, exc.message)
        return None
