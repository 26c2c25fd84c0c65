"""Reads that feed the page forms: the units, departments and people a person may pick, recent imports,
and the periods an employee may hand a work log in for. Everything passes through core.scopes."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet

from kefu.core import scopes
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit, UnitKind
from kefu.performance.models import ImportBatch, PeriodStatus, ReviewPeriod
from kefu.performance.services.common import MANAGERS


def unit_choices(*, actor: Actor | None, roles: Collection[str], kind: str = "", under: str = "") -> QuerySet[OrgUnit]:
    """Active units the actor reaches through `roles` (optionally one kind, optionally inside a path)."""
    qs = scopes.restrict(actor, OrgUnit.objects.filter(active=True), unit="", roles=roles)
    if kind:
        qs = qs.filter(kind=kind)
    if under:
        qs = qs.filter(path__startswith=under)
    return qs.order_by("path")


def department_choices(*, actor: Actor | None) -> QuerySet[OrgUnit]:
    return unit_choices(actor=actor, roles=MANAGERS, kind=UnitKind.DEPARTMENT)


def employee_choices(*, actor: Actor | None, roles: Collection[str], under: str = "") -> QuerySet[Employee]:
    """Employees the actor reaches through `roles` (their own file does not count), optionally inside a path."""
    qs = scopes.restrict(actor, Employee.objects.all(), employee="", roles=[r for r in roles if r != scopes.AGENT])
    if under:
        qs = qs.filter(unit__path__startswith=under)
    return qs.select_related("unit").order_by("employee_no")


def import_batch_list(*, actor: Actor | None) -> QuerySet[ImportBatch]:
    qs = scopes.restrict(actor, ImportBatch.objects.all(), path_field="unit_path", roles=MANAGERS)
    return qs.select_related("imported_by").order_by("-imported_at", "-id")


def work_log_periods(*, employee: Employee | None) -> QuerySet[ReviewPeriod]:
    """Open review periods whose unit contains the employee's unit (where they may hand in logs and plans)."""
    if employee is None:
        return ReviewPeriod.objects.none()
    ids = [int(p) for p in employee.unit.path.strip("/").split("/") if p]
    return (
        ReviewPeriod.objects.filter(unit_id__in=ids)
        .exclude(status=PeriodStatus.LOCKED)
        .select_related("unit")
        .order_by("-start", "id")
    )
