"""Builders for performance tests: business types in a department, work records through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kefu.org.models import Employee, OrgUnit
from kefu.performance.models import BusinessType, Indicator
from kefu.performance.services import coefficients, records

_ids = itertools.count(1)


def department_types(department: OrgUnit) -> dict[str, BusinessType]:
    """Seed 002's catalogue: the inquiry is the base (60 s, 1 point); a complaint 120 s + 60 s (3 points)."""
    existing = {t.code: t for t in BusinessType.objects.filter(department=department)}
    if existing:
        return existing

    def add(code: str, name: str, handle: int, acw: int, **kw: Any) -> BusinessType:
        return coefficients.business_type_create(
            actor=None,
            department_id=department.id,
            code=code,
            name=name,
            standard_handle_seconds=handle,
            standard_acw_seconds=acw,
            **kw,
        )

    return {
        "inquiry": add("inquiry", "普通查询", 60, 0, is_base=True),
        "complaint": add("complaint", "投诉受理", 120, 60),
        "sale": add("sale", "外呼营销", 180, 30, indicator=Indicator.SALES, difficulty=Decimal("1.20")),
    }


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def work(employee: Employee, code: str, day: dt.date, *, handle: int = 60, acw: int = 0, **kw: Any) -> Any:
    return records.work_record_add(
        agent_id=employee.id,
        business_type_code=code,
        started_at=at(day, kw.pop("hour", 10)),
        handle_seconds=handle,
        acw_seconds=acw,
        source_id=kw.pop("source_id", f"CH-{next(_ids)}"),
        **kw,
    )
