from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class PolicyKeyOut(Schema):
    key: str
    value_type: str
    label: str
    description: str
    default: Any
    locked: bool
    extendable: bool
    minimum: Decimal | None
    maximum: Decimal | None


class EffectiveOut(Schema):
    key: str
    label: str
    value: Any
    display: str
    source_unit_id: int | None
    locked_at_unit_id: int | None
    locked_above: bool
    own_value: Any = None


class PolicySetIn(Schema):
    value: Any
    locked: bool = False
    note: str = ""


class PolicyClearIn(Schema):
    note: str = ""


class PolicyValueOut(Schema):
    id: int
    key: str
    unit_id: int
    unit_name: str
    version: int
    value: Any
    locked: bool
    cleared: bool
    set_by: str | None
    set_at: dt.datetime
    note: str

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit.name)

    @staticmethod
    def resolve_set_by(obj: Any) -> str | None:
        return obj.set_by.get_username() if obj.set_by else None
