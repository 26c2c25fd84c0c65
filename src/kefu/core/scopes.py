"""Who sees what, in one place.

agent → own records; team lead → own team; branch roles → own branch; HQ → everything. Every selector
passes its queryset through :func:`restrict`; no view filters by role itself.

Org units carry a materialised ``path`` ("/1/4/9/"), so "inside a unit" is a prefix test. ``core`` sits
above ``org`` on the import ladder, so the org app registers the function that lists a user's role
grants (:func:`set_principal_provider`) in its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, Q, QuerySet

from kefu.core.errors import Forbidden

M = TypeVar("M", bound=Model)
Actor = AbstractBaseUser | AnonymousUser

# Role names (org.models.Role mirrors these): the only place that knows which reach each role gives.
AGENT = "agent"
TEAM_LEAD = "team_lead"
QA = "qa"
COMPLAINTS_OFFICER = "complaints_officer"
FINANCE = "finance"
BRANCH_HR = "branch_hr"
HQ_ADMIN = "hq_admin"
ALL_ROLES = (AGENT, TEAM_LEAD, QA, COMPLAINTS_OFFICER, FINANCE, BRANCH_HR, HQ_ADMIN)


@dataclass(frozen=True)
class Grant:
    role: str
    unit_path: str


@dataclass(frozen=True)
class Principal:
    employee_id: int | None
    grants: tuple[Grant, ...] = ()
    superuser: bool = False

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


@dataclass(frozen=True)
class Reach:
    everything: bool = False
    unit_paths: frozenset[str] = field(default_factory=frozenset)
    employee_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.unit_paths or self.employee_ids)


_provider: Callable[[AbstractBaseUser], Principal] | None = None
PRINCIPAL_MEMO = "_kefu_principal"  # attribute memoising the principal on the user object of a request


def set_principal_provider(provider: Callable[[AbstractBaseUser], Principal]) -> None:
    global _provider
    _provider = provider


def principal(actor: Actor | None) -> Principal:
    """The actor's employee and role grants, memoised on the user object for the request."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Principal(employee_id=None)
    cached = getattr(actor, PRINCIPAL_MEMO, None)
    if cached is None:
        if _provider is None:
            raise RuntimeError("no principal provider registered: is kefu.org installed?")
        cached = _provider(actor)  # type: ignore[arg-type]
        setattr(actor, PRINCIPAL_MEMO, cached)
    return cached


def forget(actor: Actor) -> None:
    """Drop the memoised grants (after a role change in the same request)."""
    if hasattr(actor, PRINCIPAL_MEMO):
        delattr(actor, PRINCIPAL_MEMO)


def reach(actor: Actor | None, *, roles: Collection[str] | None = None) -> Reach:
    """What the actor may see through the given roles (all of theirs when roles is None)."""
    who = principal(actor)
    if who.superuser:
        return Reach(everything=True)
    grants = [g for g in who.grants if roles is None or g.role in roles]
    if any(g.role == HQ_ADMIN for g in grants):
        return Reach(everything=True)
    units = frozenset(g.unit_path for g in grants if g.role != AGENT)
    own = frozenset([who.employee_id]) if who.employee_id and any(g.role == AGENT for g in grants) else frozenset()
    return Reach(unit_paths=units, employee_ids=own)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}__{name}" if prefix else name


def restrict(
    actor: Actor | None,
    queryset: QuerySet[M],
    *,
    employee: str | None = None,
    unit: str | None = None,
    path_field: str | None = None,
    roles: Collection[str] | None = None,
) -> QuerySet[M]:
    """Filter `queryset` to what the actor may see.

    `employee` is the lookup path from the record to the employee it belongs to ("" when the record
    *is* an employee); `unit` is the path to the org unit it belongs to ("" when it *is* a unit).
    `path_field` names a field holding a copied unit path (audit entries). Give at least one.
    `roles` limits which of the actor's roles count for this kind of record.
    """
    if employee is None and unit is None and path_field is None:
        raise ValueError("restrict() needs the path to the record's employee or unit")
    scope = reach(actor, roles=roles)
    if scope.everything:
        return queryset
    conditions: list[Q] = []
    if path_field is not None:
        unit_field = path_field
    elif unit is not None:
        unit_field = _join(unit, "path")
    else:
        unit_field = _join(_join(employee or "", "unit"), "path")
    conditions += [Q(**{f"{unit_field}__startswith": path}) for path in sorted(scope.unit_paths)]
    if employee is not None and scope.employee_ids:
        conditions.append(Q(**{_join(employee, "id__in") if employee else "id__in": scope.employee_ids}))
    if not conditions:
        return queryset.none()
    return queryset.filter(reduce(or_, conditions))


def covers(
    actor: Actor | None, *, unit_path: str, roles: Collection[str] | None, employee_id: int | None = None
) -> bool:
    """True when one of the actor's `roles` (any of them: None) reaches a record in `unit_path` (owned by
    `employee_id`): for one loaded record, the same answer `restrict` gives in SQL."""
    scope = reach(actor, roles=roles)
    if scope.everything:
        return True
    if employee_id is not None and employee_id in scope.employee_ids:
        return True
    return any(unit_path.startswith(p) for p in scope.unit_paths)


def require(
    actor: Actor | None, *, unit_path: str, roles: Collection[str], what: str, employee_id: int | None = None
) -> None:
    """Refuse (403) unless one of `roles` reaches the unit; callers load the record scoped first (404)."""
    if not covers(actor, unit_path=unit_path, roles=roles, employee_id=employee_id):
        raise Forbidden(f"你没有{what}的权限", extra={"roles": sorted(roles)})


def has_any_role(actor: Actor | None, roles: Collection[str]) -> bool:
    who = principal(actor)
    return who.superuser or bool(who.roles() & set(roles))


def signed_in(actor: Actor | None) -> Any:
    """The user to store as "who did it", or None for system work and anonymous callers."""
    return actor if actor is not None and actor.is_authenticated else None


def user_id(actor: Actor) -> int:
    if not actor.is_authenticated or actor.pk is None:
        raise Forbidden("请先登录")
    return int(actor.pk)


def describe(actor: Any) -> str:
    return ", ".join(sorted(principal(actor).roles())) or "—"
