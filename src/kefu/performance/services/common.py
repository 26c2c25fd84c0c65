"""Small helpers shared by the performance services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.utils import timezone

from kefu.core import scopes
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit, UnitKind

# Who may import records, run the points computation, and manage coefficients and KPI targets.
MANAGERS = (scopes.BRANCH_HR, scopes.HQ_ADMIN)
LEADS = (scopes.TEAM_LEAD, scopes.BRANCH_HR, scopes.HQ_ADMIN)


def is_system(actor: Actor | None) -> bool:
    """Imports from the ingest app, the channel and the demo run without a signed-in person."""
    return actor is None


def require_roles(actor: Actor | None, *, unit_path: str, roles: Collection[str], what: str) -> None:
    if not is_system(actor):
        scopes.require(actor, unit_path=unit_path, roles=roles, what=what)


def department_of(unit: OrgUnit) -> OrgUnit:
    """The department a unit lies in (the unit itself when it is one)."""
    if unit.kind == UnitKind.DEPARTMENT:
        return unit
    found = OrgUnit.objects.filter(id__in=unit.ancestor_ids(), kind=UnitKind.DEPARTMENT).first()
    if found is None:
        raise ApplicationError(f"{unit.name}不在任何部门之下，没有业务类型", extra={"unit_id": unit.id})
    return found


def department_ids_by_unit(unit_ids: Collection[int]) -> dict[int, int]:
    """unit id -> id of the department it lies in, for many units at once (imports)."""
    units = OrgUnit.objects.filter(id__in=unit_ids).values_list("id", "path")
    ancestors = {int(p) for _, path in units for p in path.strip("/").split("/") if p}
    departments = set(OrgUnit.objects.filter(id__in=ancestors, kind=UnitKind.DEPARTMENT).values_list("id", flat=True))
    result = {}
    for unit_id, path in units:
        ids = [int(p) for p in path.strip("/").split("/") if p]
        match = [i for i in ids if i in departments]
        if match:
            result[unit_id] = match[-1]
    return result


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def is_senior(employee: Employee) -> bool:
    """Seed 004: regular agents (level 1) vs senior roles (高级客服、组长、质检、主管…)."""
    return employee.position.level >= 2
