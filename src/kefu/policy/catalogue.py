"""The catalogue of policy keys: each key's type, bounds, default and whether HQ locks it by default.

Apps declare their keys here (downstream apps call :func:`register` from ``AppConfig.ready()``), so a
value can be validated and an effective value exists even before anyone has set one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import ApplicationError


class ValueType:
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"  # a fraction 0..1, shown as %
    MONEY = "money"
    TEXT = "text"
    BOOL = "bool"
    WORD_LIST = "word_list"
    TABLE = "table"

    LABELS = {
        INTEGER: _("整数"),
        NUMBER: _("数值"),
        PERCENT: _("百分比"),
        MONEY: _("金额"),
        TEXT: _("文本"),
        BOOL: _("开关"),
        WORD_LIST: _("词表"),
        TABLE: _("表格"),
    }


@dataclass(frozen=True)
class PolicyKeySpec:
    key: str
    value_type: str
    default: Any
    label: str
    description: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # HQ standards are locked unless HQ unlocks them; a branch may override an unlocked key.
    locked: bool = True
    # For TABLE: column name -> value type of that column (INTEGER, NUMBER, PERCENT, MONEY, TEXT).
    columns: dict[str, str] = field(default_factory=dict)
    # WORD_LIST only: lower levels add to the words above instead of replacing them, so a branch can
    # make a list stricter but never remove HQ's words.
    extendable: bool = False

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]


_CATALOGUE: dict[str, PolicyKeySpec] = {}


def register(*specs: PolicyKeySpec) -> None:
    for spec in specs:
        normalise(spec, spec.default)  # a bad default is a programming error: fail at start-up
        _CATALOGUE[spec.key] = spec


def get(key: str) -> PolicyKeySpec:
    try:
        return _CATALOGUE[key]
    except KeyError:
        raise ApplicationError(f"未知的策略项 {key!r}", extra={"field": "key"}) from None


def all_specs() -> list[PolicyKeySpec]:
    return sorted(_CATALOGUE.values(), key=lambda s: s.key)


def _scalar(spec_key: str, value_type: str, value: Any, *, where: str) -> Any:
    def refuse(why: str) -> ApplicationError:
        return ApplicationError(f"策略项 {spec_key}{where}：{why}", extra={"field": "value", "key": spec_key})

    if value_type == ValueType.TEXT:
        if not isinstance(value, str) or not value.strip():
            raise refuse("需要非空文本")
        return value.strip()
    if value_type == ValueType.BOOL:
        if not isinstance(value, bool):
            raise refuse("需要 true 或 false")
        return value
    if isinstance(value, bool | float):
        # floats would smuggle binary rounding into money and percentages
        raise refuse('数值请写成字符串或整数，例如 "0.20"')
    try:
        number = Decimal(str(value).strip().rstrip("%")) / (100 if str(value).strip().endswith("%") else 1)
    except (InvalidOperation, ValueError):
        raise refuse(f"{value!r} 不是数字") from None
    if not number.is_finite():
        raise refuse(f"{value!r} 不是数字")
    if value_type == ValueType.INTEGER:
        if number != number.to_integral_value():
            raise refuse("需要整数")
        return int(number)
    if value_type == ValueType.PERCENT and not Decimal(0) <= number <= Decimal(1):
        raise refuse("百分比必须在 0%–100% 之间")
    if value_type == ValueType.MONEY:
        return str(number.quantize(Decimal("0.01")))
    return str(number.normalize()) if number == number.to_integral_value() else str(number)


def normalise(spec: PolicyKeySpec, value: Any) -> Any:
    """Validate `value` against the key's type and bounds; return it in its stored JSON form."""
    if spec.value_type == ValueType.WORD_LIST:
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ApplicationError(f"策略项 {spec.key}：需要一组词语", extra={"field": "value", "key": spec.key})
        words = list(dict.fromkeys(w.strip() for w in value if w.strip()))
        return words
    if spec.value_type == ValueType.TABLE:
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise ApplicationError(
                f"策略项 {spec.key}：需要表格（每行一个对象）", extra={"field": "value", "key": spec.key}
            )
        rows = []
        for number, row in enumerate(value, start=1):
            missing = [c for c in spec.columns if c not in row]
            if missing:
                raise ApplicationError(
                    f"策略项 {spec.key} 第 {number} 行缺少列：{', '.join(missing)}",
                    extra={"field": "value", "key": spec.key, "row": number},
                )
            rows.append(
                {c: _scalar(spec.key, t, row[c], where=f" 第 {number} 行 {c} 列") for c, t in spec.columns.items()}
            )
        return rows
    stored = _scalar(spec.key, spec.value_type, value, where="")
    if spec.value_type in (ValueType.INTEGER, ValueType.NUMBER, ValueType.PERCENT, ValueType.MONEY):
        amount = Decimal(str(stored))
        if (spec.minimum is not None and amount < spec.minimum) or (spec.maximum is not None and amount > spec.maximum):
            low, high = display(spec, str(spec.minimum)), display(spec, str(spec.maximum))
            raise ApplicationError(
                f"策略项 {spec.key} 必须在 {low} 到 {high} 之间",
                extra={"field": "value", "key": spec.key, "minimum": spec.minimum, "maximum": spec.maximum},
            )
    return stored


def display(spec: PolicyKeySpec, value: Any) -> str:
    """A value as a person reads it: percentages as %, lists joined."""
    if value is None or value == "None":
        return "—"
    if spec.value_type == ValueType.PERCENT:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    if spec.value_type == ValueType.WORD_LIST:
        return "、".join(value)
    if spec.value_type == ValueType.TABLE:
        return "；".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in value)
    if spec.value_type == ValueType.BOOL:
        return "是" if value else "否"
    return str(value)


def typed(spec: PolicyKeySpec, stored: Any) -> Any:
    """A stored value as code uses it: Decimal for numbers and money, int for integers."""
    if spec.value_type in (ValueType.NUMBER, ValueType.PERCENT, ValueType.MONEY):
        return Decimal(str(stored))
    if spec.value_type == ValueType.TABLE:
        return [
            {
                c: Decimal(str(v)) if spec.columns[c] in (ValueType.NUMBER, ValueType.PERCENT, ValueType.MONEY) else v
                for c, v in row.items()
            }
            for row in stored
        ]
    return stored
