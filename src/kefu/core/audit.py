"""The tamper-evident audit chain.

Every service write calls :func:`record` inside its transaction. Each entry's hash is an HMAC-SHA256,
keyed with ``settings.AUDIT_KEY``, over the previous hash and the entry's canonical JSON, so somebody
with only database access can neither alter, drop, insert nor reorder entries without
:func:`verify` naming the first bad one. Dropping the newest entries is caught against a checkpoint
kept outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from kefu.core import context, scopes
from kefu.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """What JSONField will hand back later: Decimals, dates and UUIDs become strings now, not on read."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _mac(prev_hash: str, fields: dict[str, Any]) -> str:
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(fields), hashlib.sha256).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    at = entry.at.astimezone(dt.UTC)
    return {
        "seq": entry.seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "unit_path": entry.unit_path,
        "before": entry.before,
        "after": entry.after,
        "note": entry.note,
        "request_id": entry.request_id,
    }


def _actor_label(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return str(actor.get_username())


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model,
    before: Any = None,
    after: Any = None,
    note: str = "",
    unit_path: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction."""
    # No savepoint of its own: a failure here fails the caller's write, which is what must happen anyway.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            # Microsecond precision is what both SQLite and PostgreSQL keep, so the hash survives a reload.
            at=timezone.now().astimezone(dt.UTC),
            actor=scopes.signed_in(actor),
            actor_label=_actor_label(actor),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_label=str(obj)[:200],
            unit_path=unit_path if unit_path is not None else getattr(obj, "scope_unit_path", "") or "",
            before=_plain(before),
            after=_plain(after),
            note=note,
            request_id=context.request_id.get(),
            prev_hash=head.hash,
        )
        entry.hash = _mac(head.hash, _fields(entry))
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class Checkpoint:
    count: int
    hash: str

    def to_json(self) -> str:
        return json.dumps({"count": self.count, "hash": self.hash, "at": timezone.now().isoformat()})

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        try:
            data = json.loads(text)
            return cls(count=int(data["count"]), hash=str(data["hash"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f'a checkpoint is JSON like {{"count": 12, "hash": "…"}}: {exc}') from exc


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    head: str
    bad_seq: int | None = None
    bad_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.count} entries, head {self.head}"
        where = f"entry seq={self.bad_seq} (id={self.bad_id})" if self.bad_seq is not None else "the chain"
        return f"audit chain BROKEN at {where}: {self.reason}"


def checkpoint() -> Checkpoint:
    last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
    return Checkpoint(count=last["seq"], hash=last["hash"]) if last else Checkpoint(count=0, hash=GENESIS)


def verify(*, against: Checkpoint | None = None) -> Verdict:
    """Recompute the whole chain in storage order and name the first entry that does not hold."""
    prev_hash, expected_seq, seen_at_checkpoint = GENESIS, 1, None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            reason = f"expected seq {expected_seq}, found {entry.seq}: an entry was removed or inserted out of order"
            return Verdict(False, expected_seq - 1, prev_hash, entry.seq, entry.id, reason)
        if entry.prev_hash != prev_hash:
            reason = "its link to the previous entry does not match: an entry before it was removed or replaced"
            return Verdict(False, expected_seq - 1, prev_hash, entry.seq, entry.id, reason)
        if not hmac.compare_digest(entry.hash, _mac(prev_hash, _fields(entry))):
            reason = "its content does not match its hash: the entry was altered"
            return Verdict(False, expected_seq - 1, prev_hash, entry.seq, entry.id, reason)
        if against is not None and entry.seq == against.count:
            seen_at_checkpoint = entry.hash
        prev_hash, expected_seq = entry.hash, expected_seq + 1
    count = expected_seq - 1
    if against is not None and against.count > 0:
        if count < against.count:
            reason = f"the checkpoint holds {against.count} entries but only {count} remain: newest were removed"
            return Verdict(False, count, prev_hash, count + 1, None, reason)
        if seen_at_checkpoint != against.hash:
            reason = "the entry at the checkpoint has another hash: the chain was rewritten"
            return Verdict(False, count, prev_hash, against.count, None, reason)
    return Verdict(True, count, prev_hash)
