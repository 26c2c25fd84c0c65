from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.core import scopes
from kefu.core.append_only import AppendOnlyViolation
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.models import AuditEntry
from kefu.org import selectors, services
from kefu.org.models import Employee, EmployeeTransfer, UnitKind


def test_transfer_keeps_history_and_moves_the_employee(world: Any) -> None:
    hr = world.users[scopes.BRANCH_HR]
    employee = world.spots["same_team"].employee
    services.employee_transfer(
        actor=hr,
        employee_id=employee.id,
        to_unit_id=world.team_a2.id,
        effective_date=dt.date(2026, 10, 1),
        reason="二组缺人",
    )
    services.employee_transfer(
        actor=hr,
        employee_id=employee.id,
        to_unit_id=world.team_a2.id,
        to_position_code="senior_agent",
        effective_date=dt.date(2026, 11, 1),
        reason="晋升",
    )
    employee.refresh_from_db()
    assert (employee.unit, employee.position.code) == (world.team_a2, "senior_agent")
    history = list(selectors.employee_transfers(actor=hr, employee_id=employee.id))
    assert [(t.from_unit.name, t.to_unit.name, t.from_position.code, t.to_position.code) for t in history] == [
        ("越界话务二组", "越界话务二组", "agent", "senior_agent"),
        ("话务一组", "越界话务二组", "agent", "agent"),
    ]
    with pytest.raises(AppendOnlyViolation):
        EmployeeTransfer.objects.filter(employee=employee).delete()


def test_transfer_across_branches_needs_reach_over_both(world: Any) -> None:
    hr = world.users[scopes.BRANCH_HR]
    employee = world.spots["same_team"].employee
    with pytest.raises(NotFound):
        services.employee_transfer(
            actor=hr,
            employee_id=employee.id,
            to_unit_id=world.team_b1.id,
            effective_date=dt.date(2026, 10, 1),
            reason="调往华南",
        )
    services.employee_transfer(
        actor=world.users[scopes.HQ_ADMIN],
        employee_id=employee.id,
        to_unit_id=world.team_b1.id,
        effective_date=dt.date(2026, 10, 1),
        reason="调往华南",
    )


def test_transfer_without_reason_or_change_is_refused(world: Any) -> None:
    hr = world.users[scopes.BRANCH_HR]
    employee = world.spots["same_team"].employee
    with pytest.raises(ApplicationError, match="调动原因"):
        services.employee_transfer(
            actor=hr,
            employee_id=employee.id,
            to_unit_id=world.team_a2.id,
            effective_date=dt.date(2026, 10, 1),
            reason=" ",
        )
    with pytest.raises(ApplicationError, match="相同"):
        services.employee_transfer(
            actor=hr,
            employee_id=employee.id,
            to_unit_id=world.team_a1.id,
            effective_date=dt.date(2026, 10, 1),
            reason="无",
        )
    assert not EmployeeTransfer.objects.exists()


def test_two_hr_edits_of_one_file_cannot_both_win(world: Any) -> None:
    hr = world.users[scopes.BRANCH_HR]
    employee = world.spots["same_team"].employee
    services.employee_update(actor=hr, employee_id=employee.id, expected_version=1, base_salary="5000")
    with pytest.raises(Conflict, match="已被他人修改"):
        services.employee_update(actor=hr, employee_id=employee.id, expected_version=1, base_salary="6000")
    employee.refresh_from_db()
    assert employee.base_salary == Decimal("5000.00")


def test_team_lead_can_read_but_not_edit_team_files(world: Any) -> None:
    lead = world.users[scopes.TEAM_LEAD]
    employee = world.spots["same_team"].employee
    assert selectors.employee_get(actor=lead, employee_id=employee.id) == employee
    with pytest.raises(Forbidden):
        services.employee_update(actor=lead, employee_id=employee.id, expected_version=1, base_salary="9999")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"employee_no": "A0001"}, "已存在"),
        ({"name": "  "}, "不能为空"),
        ({"position_code": "ceo"}, "未知岗位"),
        ({"base_salary": "-1"}, "不能为负数"),
        ({"base_salary": "abc"}, "not an amount"),
    ],
)
def test_bad_employee_input_is_refused_and_nothing_is_written(
    world: Any, changes: dict[str, Any], message: str
) -> None:
    fields = {
        "employee_no": "N0001",
        "name": "新人",
        "unit_id": world.team_a1.id,
        "position_code": "agent",
        "hire_date": dt.date(2026, 11, 1),
        "base_salary": "4000",
        **changes,
    }
    count, audits = Employee.objects.count(), AuditEntry.objects.count()
    with pytest.raises((ApplicationError, ValueError), match=message):
        services.employee_create(actor=world.users[scopes.BRANCH_HR], **fields)
    assert (Employee.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_units_nest_only_in_hierarchy_order(world: Any) -> None:
    with pytest.raises(ApplicationError, match="不能建在"):
        services.org_unit_create(
            actor=world.users[scopes.HQ_ADMIN], kind=UnitKind.BRANCH, name="错层", code="X", parent_id=world.team_a1.id
        )
    unit = services.org_unit_create(
        actor=world.users[scopes.BRANCH_HR],
        kind=UnitKind.TEAM,
        name="话务三组",
        code="A-T3",
        parent_id=world.team_a1.parent_id,
    )
    assert unit.path == f"{world.team_a1.parent.path}{unit.id}/"


def test_tenure_is_derived_from_hire_date(world: Any) -> None:
    employee = world.me
    employee.hire_date = dt.date(2018, 5, 20)
    assert employee.tenure_months(dt.date(2026, 5, 19)) == 95
    assert employee.tenure_months(dt.date(2026, 5, 20)) == 96


def test_only_hq_grants_hq_admin(world: Any) -> None:
    with pytest.raises(Forbidden):
        services.role_grant(
            actor=world.users[scopes.BRANCH_HR],
            user_id=world.spots["same_team"].user.pk,
            role=scopes.HQ_ADMIN,
            unit_id=world.group.id,
        )


def test_pay_is_shown_to_the_person_hr_and_finance_but_not_the_team_lead(world: Any) -> None:
    from django.test import Client

    colleague = world.spots["same_team"].employee
    seen = {}
    for role in (scopes.AGENT, scopes.TEAM_LEAD, scopes.FINANCE, scopes.BRANCH_HR):
        client = Client()
        client.force_login(world.users[role])
        seen[role] = client.get(f"/api/v1/org/employees/{colleague.id}").json().get("base_salary")
    assert seen[scopes.TEAM_LEAD] is None
    assert seen[scopes.FINANCE] == seen[scopes.BRANCH_HR] == "4500.00"
    own = Client()
    own.force_login(world.users[scopes.AGENT])
    assert own.get(f"/api/v1/org/employees/{world.me.id}").json()["base_salary"] == "4500.00"
    assert "¥4500.00" in own.get("/org/me/").content.decode()
    lead = Client()
    lead.force_login(world.users[scopes.TEAM_LEAD])
    assert "¥4500.00" not in lead.get(f"/org/employees/{colleague.id}/").content.decode()
