"""Reads of the organisation, always through core.scopes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Q, QuerySet

from kefu.core import scopes
from kefu.core.errors import NotFound
from kefu.core.recent import Recent
from kefu.core.scopes import Actor, Grant, Principal
from kefu.org.models import Employee, EmployeeTransfer, OrgUnit, RoleAssignment, UnitKind

# user id → principal for a second (core.recent): every API call asks; role and employee changes in
# this process forget at once (receivers in OrgConfig.ready), other processes within the second.
_recent_principals: Recent[Principal] = Recent()


def forget_principals(**_: Any) -> None:
    """Receiver for role, employee and user changes."""
    _recent_principals.forget()


def principal_for(user: AbstractBaseUser) -> Principal:
    """Registered with core.scopes: the user's employee id and role grants."""
    return _recent_principals.get(user.pk, lambda: _load_principal(user))


def _load_principal(user: AbstractBaseUser) -> Principal:
    """Registered with core.scopes: the user's employee id and role grants.

    Every request that touches data needs it, so it is one plain query: the employee id rides on each
    grant row (a second query only for a user without any role)."""
    employees, grants_table, units = Employee._meta.db_table, RoleAssignment._meta.db_table, OrgUnit._meta.db_table
    employee_sql = f"SELECT e.id FROM {employees} e WHERE e.user_id = %s ORDER BY e.employee_no LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.role, u.path, ({employee_sql}) FROM {grants_table} r"  # noqa: S608 - model metadata only
            f" JOIN {units} u ON u.id = r.unit_id WHERE r.user_id = %s",
            [user.pk, user.pk],
        )
        rows = cursor.fetchall()
        if not rows:
            cursor.execute(employee_sql, [user.pk])
            rows = [(None, None, found[0]) for found in cursor.fetchall()]
    employee_id = rows[0][2] if rows else None
    grants = tuple(Grant(role=role, unit_path=path) for role, path, _ in rows if role is not None)
    return Principal(employee_id=employee_id, grants=grants, superuser=bool(getattr(user, "is_superuser", False)))


def group_unit() -> OrgUnit:
    unit = OrgUnit.objects.filter(kind=UnitKind.GROUP).order_by("id").first()
    if unit is None:
        raise NotFound("还没有集团：请先运行 kefu demo 或在后台创建组织")
    return unit


def org_unit_list(*, actor: Actor) -> QuerySet[OrgUnit]:
    return scopes.restrict(actor, OrgUnit.objects.all(), unit="").order_by("path")


def org_unit_get(*, actor: Actor, unit_id: int) -> OrgUnit:
    unit = org_unit_list(actor=actor).filter(id=unit_id).first()
    if unit is None:
        raise NotFound("找不到该组织单元", extra={"unit_id": unit_id})
    return unit


def employee_list(
    *, actor: Actor, unit_id: int | None = None, search: str = "", status: str = ""
) -> QuerySet[Employee]:
    qs = scopes.restrict(actor, Employee.objects.all(), employee="")
    if unit_id is not None:
        # The employee queryset is already scoped; the unit only narrows it further.
        path = OrgUnit.objects.filter(id=unit_id).values_list("path", flat=True).first() or "-"
        qs = qs.filter(unit__path__startswith=path)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(employee_no__icontains=search))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("unit", "position").order_by("employee_no")


def employee_get(*, actor: Actor, employee_id: int) -> Employee:
    employee = employee_list(actor=actor).filter(id=employee_id).first()
    if employee is None:
        raise NotFound("找不到该员工", extra={"employee_id": employee_id})
    return employee


def employee_transfers(*, actor: Actor, employee_id: int) -> QuerySet[EmployeeTransfer]:
    employee = employee_get(actor=actor, employee_id=employee_id)
    return employee.transfers.select_related("from_unit", "to_unit", "from_position", "to_position")


# Who may see another person's pay: HR, finance and HQ. Everyone sees their own.
PAY_READERS = (scopes.BRANCH_HR, scopes.FINANCE, scopes.HQ_ADMIN)


def can_see_pay(*, actor: Actor, employee: Employee) -> bool:
    if scopes.principal(actor).employee_id == employee.id:
        return True
    return scopes.covers(actor, unit_path=employee.unit.path, roles=PAY_READERS)


def role_assignment_list(*, actor: Actor) -> QuerySet[RoleAssignment]:
    qs = scopes.restrict(actor, RoleAssignment.objects.all(), unit="unit", roles=[scopes.BRANCH_HR, scopes.HQ_ADMIN])
    return qs.select_related("user", "unit").order_by("unit__path", "role")


def own_employee(*, actor: Actor) -> Employee | None:
    employee_id = scopes.principal(actor).employee_id
    if employee_id is None:
        return None
    return Employee.objects.select_related("unit", "position").get(id=employee_id)
