"""Writes to the organisation: units, employees, transfers, users and roles. One transaction and one
audit entry each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.money import to_money
from kefu.core.scopes import Actor
from kefu.org import selectors
from kefu.org.models import (
    UNIT_DEPTH,
    Employee,
    EmployeeTransfer,
    EmploymentStatus,
    OrgUnit,
    Position,
    Role,
    RoleAssignment,
    UnitKind,
)

# Who may change the organisation inside the units they reach.
ORG_EDITORS = (scopes.BRANCH_HR, scopes.HQ_ADMIN)
# Roles a branch may hand out itself; hq_admin is granted only by HQ.
BRANCH_GRANTABLE = {Role.AGENT, Role.TEAM_LEAD, Role.QA, Role.COMPLAINTS_OFFICER, Role.FINANCE, Role.BRANCH_HR}


def _position(code: str) -> Position:
    position = Position.objects.filter(code=code).first()
    if position is None:
        known = ", ".join(Position.objects.values_list("code", flat=True))
        raise ApplicationError(f"未知岗位 {code!r}（可选：{known}）", extra={"field": "position"})
    return position


@transaction.atomic
def org_unit_create(*, actor: Actor | None, kind: str, name: str, code: str, parent_id: int | None) -> OrgUnit:
    """Add a unit below `parent_id` (None only for the group itself, which only a system call creates)."""
    if kind not in UnitKind.values:
        raise ApplicationError(f"未知单元类型 {kind!r}", extra={"field": "kind"})
    name = name.strip()
    if not name:
        raise ApplicationError("单元名称不能为空", extra={"field": "name"})
    if parent_id is None:
        if kind != UnitKind.GROUP or OrgUnit.objects.filter(kind=UnitKind.GROUP).exists():
            raise ApplicationError("只有集团可以没有上级，且只能有一个集团", extra={"field": "parent_id"})
        if actor is not None and not scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
            raise Forbidden("只有集团管理员可以创建集团")
        parent = None
    else:
        parent = (
            OrgUnit.objects.filter(id=parent_id).first()
            if actor is None
            else selectors.org_unit_get(actor=actor, unit_id=parent_id)
        )
        if parent is None:
            raise NotFound("找不到上级单元", extra={"parent_id": parent_id})
        if actor is not None:
            scopes.require(actor, unit_path=parent.path, roles=ORG_EDITORS, what="在此单元下建立组织")
        if UNIT_DEPTH[kind] <= UNIT_DEPTH[parent.kind]:
            raise ApplicationError(
                f"{UnitKind(kind).label}不能建在{UnitKind(parent.kind).label}之下", extra={"field": "kind"}
            )
    if OrgUnit.objects.filter(code=code).exists():
        raise ApplicationError(f"编码 {code} 已被使用", extra={"field": "code"})
    unit = OrgUnit.objects.create(kind=kind, name=name, code=code, parent=parent)
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.save(update_fields=["path"])
    audit.record(actor=actor, action="org_unit.create", obj=unit, after={"kind": kind, "name": name, "code": code})
    return unit


@transaction.atomic
def employee_create(
    *,
    actor: Actor | None,
    employee_no: str,
    name: str,
    unit_id: int,
    position_code: str,
    hire_date: dt.date,
    base_salary: Decimal | str | int,
    status: str = EmploymentStatus.ACTIVE,
) -> Employee:
    unit = OrgUnit.objects.filter(id=unit_id).first() if actor is None else None
    if actor is not None:
        unit = selectors.org_unit_get(actor=actor, unit_id=unit_id)
        scopes.require(actor, unit_path=unit.path, roles=ORG_EDITORS, what="在此单元录入员工")
    if unit is None:
        raise NotFound("找不到该组织单元", extra={"unit_id": unit_id})
    if not employee_no.strip() or not name.strip():
        raise ApplicationError(
            "工号和姓名不能为空", extra={"field": "employee_no" if not employee_no.strip() else "name"}
        )
    if Employee.objects.filter(employee_no=employee_no).exists():
        raise ApplicationError(f"工号 {employee_no} 已存在", extra={"field": "employee_no"})
    if status not in EmploymentStatus.values:
        raise ApplicationError(f"未知员工状态 {status!r}", extra={"field": "status"})
    salary = to_money(base_salary)
    if salary < 0:
        raise ApplicationError("基本工资不能为负数", extra={"field": "base_salary"})
    employee = Employee.objects.create(
        employee_no=employee_no.strip(),
        name=name.strip(),
        unit=unit,
        position=_position(position_code),
        hire_date=hire_date,
        base_salary=salary,
        status=status,
    )
    audit.record(
        actor=actor,
        action="employee.create",
        obj=employee,
        after={"unit": unit.name, "position": position_code, "hire_date": hire_date, "base_salary": salary},
    )
    return employee


@transaction.atomic
def employee_update(
    *,
    actor: Actor,
    employee_id: int,
    expected_version: int,
    base_salary: Decimal | str | int | None = None,
    status: str | None = None,
    name: str | None = None,
) -> Employee:
    """Change salary, status or name; refuses when someone else saved the file since it was read."""
    employee = selectors.employee_get(actor=actor, employee_id=employee_id)
    scopes.require(actor, unit_path=employee.unit.path, roles=ORG_EDITORS, what="修改员工档案")
    employee = Employee.objects.select_for_update().get(id=employee.id)
    if employee.version != expected_version:
        raise Conflict(
            "该员工档案已被他人修改，请刷新后再试", extra={"expected": expected_version, "current": employee.version}
        )
    before = {"base_salary": employee.base_salary, "status": employee.status, "name": employee.name}
    if base_salary is not None:
        salary = to_money(base_salary)
        if salary < 0:
            raise ApplicationError("基本工资不能为负数", extra={"field": "base_salary"})
        employee.base_salary = salary
    if status is not None:
        if status not in EmploymentStatus.values:
            raise ApplicationError(f"未知员工状态 {status!r}", extra={"field": "status"})
        employee.status = status
    if name is not None:
        if not name.strip():
            raise ApplicationError("姓名不能为空", extra={"field": "name"})
        employee.name = name.strip()
    employee.version += 1
    employee.save()
    after = {"base_salary": employee.base_salary, "status": employee.status, "name": employee.name}
    audit.record(actor=actor, action="employee.update", obj=employee, before=before, after=after)
    return employee


@transaction.atomic
def employee_transfer(
    *,
    actor: Actor | None,
    employee_id: int,
    to_unit_id: int,
    effective_date: dt.date,
    reason: str,
    to_position_code: str | None = None,
) -> EmployeeTransfer:
    """Move an employee to another unit and/or position; the old placement stays in the history."""
    if actor is None:
        employee = Employee.objects.select_related("unit", "position").get(id=employee_id)
        to_unit = OrgUnit.objects.get(id=to_unit_id)
    else:
        employee = selectors.employee_get(actor=actor, employee_id=employee_id)
        to_unit = selectors.org_unit_get(actor=actor, unit_id=to_unit_id)
        scopes.require(actor, unit_path=employee.unit.path, roles=ORG_EDITORS, what="调出该员工")
        scopes.require(actor, unit_path=to_unit.path, roles=ORG_EDITORS, what="调入该单元")
    if not reason.strip():
        raise ApplicationError("请填写调动原因", extra={"field": "reason"})
    to_position = _position(to_position_code) if to_position_code else employee.position
    if to_unit.id == employee.unit_id and to_position.id == employee.position_id:
        raise ApplicationError("调入单元和岗位与现在相同，没有需要调动的内容", extra={"field": "to_unit_id"})
    transfer = EmployeeTransfer.objects.create(
        employee=employee,
        from_unit=employee.unit,
        to_unit=to_unit,
        from_position=employee.position,
        to_position=to_position,
        effective_date=effective_date,
        reason=reason.strip(),
        recorded_by=scopes.signed_in(actor),
    )
    before = {"unit": employee.unit.name, "position": employee.position.code}
    employee.unit, employee.position = to_unit, to_position
    employee.version += 1
    employee.save(update_fields=["unit", "position", "version"])
    audit.record(
        actor=actor,
        action="employee.transfer",
        obj=employee,
        before=before,
        after={"unit": to_unit.name, "position": to_position.code, "effective_date": effective_date},
        note=reason,
    )
    return transfer


@transaction.atomic
def user_create(
    *, actor: Actor | None, username: str, password: str, employee_id: int | None = None, email: str = ""
) -> AbstractUser:
    """Create a login, optionally linked to an employee; the password must pass Django's validators."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ApplicationError(f"用户名 {username} 已存在", extra={"field": "username"})
    employee = None
    if employee_id is not None:
        employee = (
            Employee.objects.get(id=employee_id)
            if actor is None
            else selectors.employee_get(actor=actor, employee_id=employee_id)
        )
        if actor is not None:
            scopes.require(actor, unit_path=employee.unit.path, roles=ORG_EDITORS, what="为该员工开通账号")
        if employee.user_id is not None:
            raise ApplicationError("该员工已有账号", extra={"field": "employee_id"})
    elif actor is not None and not scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
        raise Forbidden("只有集团管理员可以创建不属于员工的账号")
    user = user_model(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("密码不符合要求：" + "；".join(exc.messages), extra={"field": "password"}) from exc
    user.set_password(password)
    user.save()
    if employee is not None:
        employee.user = user
        employee.save(update_fields=["user"])
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        after={"username": username, "employee_id": employee_id},
        unit_path=employee.unit.path if employee else "",
    )
    return user  # type: ignore[return-value]


@transaction.atomic
def role_grant(*, actor: Actor | None, user_id: int, role: str, unit_id: int) -> RoleAssignment:
    if role not in Role.values:
        raise ApplicationError(f"未知角色 {role!r}", extra={"field": "role"})
    unit = OrgUnit.objects.filter(id=unit_id).first()
    if unit is None:
        raise NotFound("找不到该组织单元", extra={"unit_id": unit_id})
    if role == Role.HQ_ADMIN and unit.kind != UnitKind.GROUP:
        raise ApplicationError("集团管理员角色只能绑定在集团上", extra={"field": "unit_id"})
    if actor is not None:
        if role not in BRANCH_GRANTABLE and not scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
            raise Forbidden("只有集团管理员可以授予该角色")
        unit = selectors.org_unit_get(actor=actor, unit_id=unit_id)
        scopes.require(actor, unit_path=unit.path, roles=ORG_EDITORS, what="在此单元授予角色")
    user = get_user_model().objects.filter(id=user_id).first()
    if user is None:
        raise NotFound("找不到该用户", extra={"user_id": user_id})
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    if created:
        if role == Role.HQ_ADMIN and not user.is_staff:
            user.is_staff = True  # HQ administers through Django admin as well
            user.save(update_fields=["is_staff"])
        audit.record(actor=actor, action="role.grant", obj=assignment, after={"role": role, "unit": unit.name})
    scopes.forget(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment_id: int) -> None:
    assignment = selectors.role_assignment_list(actor=actor).filter(id=assignment_id).first()
    if assignment is None:
        raise NotFound("找不到该角色授权", extra={"assignment_id": assignment_id})
    if assignment.role not in BRANCH_GRANTABLE and not scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
        raise Forbidden("只有集团管理员可以收回该角色")
    audit.record(actor=actor, action="role.revoke", obj=assignment, before={"role": assignment.role})
    assignment.delete()
