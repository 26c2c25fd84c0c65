"""Reads of policy: the effective value of a key at a unit, and the history of changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from kefu.core import scopes
from kefu.core.scopes import Actor
from kefu.org import selectors as org_selectors
from kefu.org.models import OrgUnit
from kefu.policy import catalogue
from kefu.policy.catalogue import PolicyKeySpec
from kefu.policy.models import PolicyValue


@dataclass(frozen=True)
class Resolution:
    spec: PolicyKeySpec
    unit: OrgUnit
    value: Any  # stored JSON form
    source: OrgUnit | None  # the unit whose value won; None = the catalogue default
    locked_at: OrgUnit | None  # the nearest unit at or above `unit` that locked the key
    own: PolicyValue | None  # the current row set at `unit` itself, if any

    @property
    def typed(self) -> Any:
        return catalogue.typed(self.spec, self.value)

    @property
    def display(self) -> str:
        return catalogue.display(self.spec, self.value)

    @property
    def locked_above(self) -> bool:
        """Locked by an ancestor: this unit cannot set its own value."""
        return self.locked_at is not None and self.locked_at.id != self.unit.id


def _current_rows(key: str, unit_ids: list[int]) -> dict[int, PolicyValue]:
    rows: dict[int, PolicyValue] = {}
    for row in PolicyValue.objects.filter(key=key, unit_id__in=unit_ids).order_by("unit_id", "-version"):
        rows.setdefault(row.unit_id, row)
    return {uid: row for uid, row in rows.items() if not row.cleared}


def resolve(*, unit: OrgUnit, key: str) -> Resolution:
    """Walk group → branch → … → unit: the nearest value wins unless a unit above locked the key."""
    spec = catalogue.get(key)
    chain = list(OrgUnit.objects.in_bulk(unit.ancestor_ids()).values())
    chain.sort(key=lambda u: u.depth)
    rows = _current_rows(key, [u.id for u in chain])
    value: Any = spec.default
    source: OrgUnit | None = None
    locked_at: OrgUnit | None = None
    for level, at in enumerate(chain):
        row = rows.get(at.id)
        if row is not None:
            # Extendable word lists gather words on the way down; anything else is replaced.
            value = list(dict.fromkeys([*value, *(row.value or [])])) if spec.extendable and level > 0 else row.value
            source = at
        # Without a group row the catalogue's lock state stands at group level.
        if row.locked if row is not None else level == 0 and spec.locked:
            locked_at = at
            break
    return Resolution(spec=spec, unit=unit, value=value, source=source, locked_at=locked_at, own=rows.get(unit.id))


def policy_generation() -> int:
    """A number that grows with every policy change in any process: compare it to rebuild caches.

    Asked once per chat message (screening), so it is one plain indexed query without the ORM's
    compilation (policy rows are append-only: the newest id changes with every change)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {PolicyValue._meta.db_table}")  # noqa: S608 - model metadata
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def effective(*, unit: OrgUnit, key: str) -> Any:
    """The typed effective value, for services (no actor: the policy applies to everyone in the unit)."""
    return resolve(unit=unit, key=key).typed


def group_effective(*, key: str) -> Any:
    return effective(unit=org_selectors.group_unit(), key=key)


def policy_overview(*, actor: Actor, unit_id: int) -> list[Resolution]:
    unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)
    return [resolve(unit=unit, key=spec.key) for spec in catalogue.all_specs()]


def policy_history(*, actor: Actor, key: str, unit_id: int | None = None) -> QuerySet[PolicyValue]:
    catalogue.get(key)
    qs = scopes.restrict(actor, PolicyValue.objects.filter(key=key), unit="unit")
    if unit_id is not None:
        unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)
        qs = qs.filter(unit_id__in=unit.ancestor_ids())
    return qs.select_related("unit", "set_by").order_by("-set_at", "-id")
