"""Writes of policy. HQ sets group values and locks; a branch overrides only what is not locked above it."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Conflict, Forbidden
from kefu.core.scopes import Actor
from kefu.org import selectors as org_selectors
from kefu.org.models import UnitKind
from kefu.policy import catalogue, selectors, signals
from kefu.policy.models import PolicyValue

POLICY_EDITORS = (scopes.BRANCH_HR, scopes.HQ_ADMIN)


class PolicyLocked(Forbidden):
    """The key is locked by a unit above; the change is refused and nothing is written."""


def _editable_unit(*, actor: Actor, key: str, unit_id: int) -> selectors.Resolution:
    unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)
    if unit.kind == UnitKind.GROUP:
        if not scopes.has_any_role(actor, [scopes.HQ_ADMIN]):
            raise Forbidden("只有集团管理员可以修改集团策略")
    else:
        scopes.require(actor, unit_path=unit.path, roles=POLICY_EDITORS, what="修改此单元的策略")
    current = selectors.resolve(unit=unit, key=key)
    if current.locked_above and current.locked_at is not None:
        raise PolicyLocked(
            f"策略项「{current.spec.label}」（{key}）已由{current.locked_at.name}锁定，{unit.name}不能修改",
            extra={"key": key, "locked_at": current.locked_at.name},
        )
    return current


def _append(
    *, actor: Actor, current: selectors.Resolution, value: Any, locked: bool, cleared: bool, note: str
) -> PolicyValue:
    last = PolicyValue.objects.filter(key=current.spec.key, unit=current.unit).order_by("-version").first()
    try:
        with transaction.atomic():
            return PolicyValue.objects.create(
                key=current.spec.key,
                unit=current.unit,
                version=(last.version if last else 0) + 1,
                value=value,
                locked=locked,
                cleared=cleared,
                set_by=scopes.signed_in(actor),
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict("该策略刚被他人修改，请刷新后再试", extra={"key": current.spec.key}) from exc
    finally:
        key, unit_id = current.spec.key, current.unit.id
        signals.policy_written.send(sender=PolicyValue, key=key, unit_id=unit_id)
        transaction.on_commit(lambda: signals.policy_changed.send(sender=PolicyValue, key=key, unit_id=unit_id))


@transaction.atomic
def policy_set(
    *, actor: Actor, key: str, unit_id: int, value: Any, locked: bool = False, note: str = ""
) -> PolicyValue:
    """Set `key` at a unit (a new version); `locked` stops every unit below from overriding it."""
    current = _editable_unit(actor=actor, key=key, unit_id=unit_id)
    stored = catalogue.normalise(current.spec, value)
    row = _append(actor=actor, current=current, value=stored, locked=locked, cleared=False, note=note.strip())
    audit.record(
        actor=actor,
        action="policy.set",
        obj=row,
        before={"value": current.value, "locked": current.locked_at is not None},
        after={"value": stored, "locked": locked},
        note=note,
    )
    return row


@transaction.atomic
def policy_clear(*, actor: Actor, key: str, unit_id: int, note: str = "") -> PolicyValue:
    """Remove a unit's own override so the value from above applies again."""
    current = _editable_unit(actor=actor, key=key, unit_id=unit_id)
    if current.unit.kind == UnitKind.GROUP:
        raise ApplicationError("集团策略不能撤销，只能修改", extra={"key": key})
    if current.own is None:
        raise ApplicationError(
            f"{current.unit.name}没有自己的「{current.spec.label}」设置，无需撤销", extra={"key": key}
        )
    row = _append(actor=actor, current=current, value=None, locked=False, cleared=True, note=note.strip())
    audit.record(
        actor=actor, action="policy.clear", obj=row, before={"value": current.own.value}, after=None, note=note
    )
    return row
