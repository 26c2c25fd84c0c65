"""factory_boy factories that build through the services, so paths, history and audit stay real."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from kefu.org import services as org_services
from kefu.org.models import Employee, OrgUnit, UnitKind


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    kind = UnitKind.TEAM
    name = factory.Sequence(lambda n: f"班组{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    parent = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        parent = kwargs.get("parent")
        return org_services.org_unit_create(
            actor=None,
            kind=kwargs["kind"],
            name=kwargs["name"],
            code=kwargs["code"],
            parent_id=parent.id if parent else None,
        )


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    employee_no = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    unit = factory.SubFactory(OrgUnitFactory)
    position_code = "agent"
    hire_date = dt.date(2023, 3, 15)
    base_salary = Decimal("4500.00")

    @classmethod
    def _create(cls, model_class: type[Employee], *args: Any, **kwargs: Any) -> Employee:
        return org_services.employee_create(
            actor=None,
            employee_no=kwargs["employee_no"],
            name=kwargs["name"],
            unit_id=kwargs["unit"].id,
            position_code=kwargs["position_code"],
            hire_date=kwargs["hire_date"],
            base_salary=kwargs["base_salary"],
        )


def make_user(
    username: str, *, role: str | None = None, unit: OrgUnit | None = None, employee: Employee | None = None
) -> Any:
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery")
    if employee is not None:
        employee.user = user
        employee.save(update_fields=["user"])
    if role is not None:
        assert unit is not None
        org_services.role_grant(actor=None, user_id=user.pk, role=role, unit_id=unit.id)
    return user
