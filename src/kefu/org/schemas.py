from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class OrgUnitOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None
    path: str


class EmployeeOut(Schema):
    id: int
    employee_no: str
    name: str
    unit_id: int
    unit_name: str
    position_code: str
    position_name: str
    hire_date: dt.date
    tenure_months: int
    base_salary: Decimal | None  # None where the caller may not see this person's pay
    status: str
    version: int


class EmployeeCreateIn(Schema):
    employee_no: str
    name: str
    unit_id: int
    position_code: str
    hire_date: dt.date
    base_salary: Decimal
    status: str = "active"


class EmployeeUpdateIn(Schema):
    expected_version: int
    base_salary: Decimal | None = None
    status: str | None = None
    name: str | None = None


class TransferIn(Schema):
    to_unit_id: int
    to_position_code: str | None = None
    effective_date: dt.date
    reason: str


class TransferOut(Schema):
    id: int
    employee_id: int
    from_unit_id: int
    to_unit_id: int
    from_position_id: int
    to_position_id: int
    effective_date: dt.date
    reason: str
    recorded_at: dt.datetime
