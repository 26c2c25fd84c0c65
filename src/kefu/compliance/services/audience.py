"""Who hears about a compliance event: branch HR over a unit, the agent behind an employee record.
The notices themselves go through the one notification centre (``core.services.notify``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from kefu.core import scopes
from kefu.org.models import OrgUnit, RoleAssignment


def branch_hr_users(unit: OrgUnit) -> list[Any]:
    """Active users holding branch HR over `unit` (a grant at the unit or any unit above it)."""
    grants = RoleAssignment.objects.filter(
        role=scopes.BRANCH_HR, unit_id__in=unit.ancestor_ids(), user__is_active=True
    ).select_related("user")
    return list({grant.user_id: grant.user for grant in grants}.values())


def user_of_employee(employee_id: int | None) -> Any:
    if employee_id is None:
        return None
    return get_user_model().objects.filter(employee__id=employee_id, is_active=True).first()
