"""Helpers shared by the staffing writes: the unit a planner acts in, and parsing typed-in values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from kefu.core import scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit
from kefu.staffing import selectors
from kefu.staffing.selectors import PLANNERS

MAX_IMPORT_ROWS = 200_000


def planner_unit(*, actor: Actor | None, unit_id: int, what: str) -> OrgUnit:
    """The unit a planner writes into: scoped (404 outside), then role-checked (403). None = system."""
    if actor is None:
        unit = OrgUnit.objects.filter(id=unit_id).first()
        if unit is None:
            raise NotFound("找不到该组织单元", extra={"unit_id": unit_id})
        return unit
    unit = selectors.planner_unit_get(actor=actor, unit_id=unit_id)
    scopes.require(actor, unit_path=unit.path, roles=PLANNERS, what=what)
    return unit


def parse_moment(value: object) -> dt.datetime:
    """An ISO date-time; without an offset it is read on the local clock (Asia/Shanghai)."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ValueError("缺少时间")
        try:
            moment = dt.datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError(f"时间 {text!r} 不是 YYYY-MM-DD HH:MM 格式") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def parse_count(value: object, field: str) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError(f"{field} 为空")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{field} {text!r} 不是数字") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValueError(f"{field} 必须是不小于 0 的整数，收到 {text!r}")
    return int(number)


def parse_seconds(value: object, field: str) -> Decimal:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValueError(f"{field} 为空")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{field} {text!r} 不是数字") from None
    if not number.is_finite() or number < 0 or number >= Decimal("10000000"):
        raise ValueError(f"{field} 必须是 0 到 9999999 之间的秒数，收到 {text!r}")
    return number.quantize(Decimal("0.1"))


def read_csv(csv_text: str, *, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a CSV with a header line; refuses a file missing a column, naming it."""
    text = csv_text.lstrip("\ufeff")  # Excel's UTF-8 BOM
    if not text.strip():
        raise ApplicationError("文件是空的", extra={"field": "file"})
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        raise ApplicationError(
            f"缺少列：{', '.join(missing)}（需要 {', '.join(required)}）", extra={"field": "file", "missing": missing}
        )
    rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    if not rows:
        raise ApplicationError("文件只有表头，没有数据行", extra={"field": "file"})
    if len(rows) > MAX_IMPORT_ROWS:
        raise ApplicationError(f"一次最多导入 {MAX_IMPORT_ROWS} 行，请拆分文件", extra={"field": "file"})
    return rows


def refuse_rows(errors: list[tuple[int, str]], *, what: str) -> ApplicationError:
    """All-or-nothing: one error listing the first bad rows by number (the header is line 1)."""
    shown = "；".join(f"第 {line} 行：{message}" for line, message in errors[:10])
    more = f"；另有 {len(errors) - 10} 行有误" if len(errors) > 10 else ""
    return ApplicationError(
        f"{what}未导入（{len(errors)} 行有误，整个文件均未写入）：{shown}{more}",
        extra={"errors": [{"line": line, "message": message} for line, message in errors[:200]]},
    )
