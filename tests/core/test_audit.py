"""The audit chain catches every kind of tampering done directly in the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kefu.core import audit
from kefu.core.append_only import trigger_sql
from kefu.core.models import AuditEntry
from kefu.org.models import UnitKind
from tests.factories import OrgUnitFactory

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def chain(db: Any) -> list[AuditEntry]:
    group = OrgUnitFactory(kind=UnitKind.GROUP, name="集团", code="G")
    for n in range(5):
        OrgUnitFactory(kind=UnitKind.BRANCH, name=f"分公司{n}", code=f"B{n}", parent=group)
    return list(AuditEntry.objects.order_by("seq"))


def _raw(sql: str, params: list[Any] | None = None) -> None:
    """What an attacker with database access does: lift the trigger, change rows, put it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_no_update"')
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_no_delete"')
        else:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{TABLE}_append_only" ON "{TABLE}"')
        cursor.execute(sql, params or [])
        for statement in trigger_sql(connection.vendor, TABLE):
            cursor.execute(statement)


def test_intact_chain_verifies(chain: list[AuditEntry]) -> None:
    verdict = audit.verify()
    assert verdict.ok
    assert verdict.count == len(chain) == 6
    assert verdict.head == chain[-1].hash


def test_altered_entry_is_named(chain: list[AuditEntry]) -> None:
    _raw(f"UPDATE {TABLE} SET object_label = %s WHERE seq = 3", ["篡改后的名称"])
    verdict = audit.verify()
    assert not verdict.ok
    assert verdict.bad_seq == 3
    assert "altered" in verdict.reason


def test_altered_before_after_json_is_named(chain: list[AuditEntry]) -> None:
    _raw(f"UPDATE {TABLE} SET after = %s WHERE seq = 2", [json.dumps({"name": "别的分公司"})])
    assert audit.verify().bad_seq == 2


def test_rehashing_without_the_key_is_caught(chain: list[AuditEntry]) -> None:
    """Recomputing a plain SHA-256 over the altered row does not help: the hash is keyed."""
    import hashlib

    entry = chain[3]
    forged = hashlib.sha256(b"forged").hexdigest()
    _raw(f"UPDATE {TABLE} SET note = %s, hash = %s WHERE seq = %s", ["改过", forged, entry.seq])
    assert audit.verify().bad_seq == entry.seq


def test_removed_entry_in_the_middle_is_named(chain: list[AuditEntry]) -> None:
    _raw(f"DELETE FROM {TABLE} WHERE seq = 4")
    verdict = audit.verify()
    assert not verdict.ok
    assert verdict.bad_seq == 5
    assert "removed" in verdict.reason


def test_removed_newest_entries_are_caught_against_a_checkpoint(chain: list[AuditEntry]) -> None:
    head = audit.checkpoint()
    _raw(f"DELETE FROM {TABLE} WHERE seq >= 5")
    assert audit.verify().ok  # without a checkpoint a truncated chain still links up …
    verdict = audit.verify(against=head)
    assert not verdict.ok  # … but not against the head kept outside the database
    assert "newest were removed" in verdict.reason


def test_rewritten_chain_is_caught_against_a_checkpoint(chain: list[AuditEntry]) -> None:
    head = audit.checkpoint()
    _raw(f"UPDATE {TABLE} SET hash = %s WHERE seq = 6", ["f" * 64])
    assert not audit.verify(against=head).ok


def test_entries_swapped_out_of_order_are_named(chain: list[AuditEntry]) -> None:
    a, b = chain[1], chain[2]
    _raw(f"UPDATE {TABLE} SET seq = seq + 1000 WHERE id IN (%s, %s)", [a.id, b.id])
    _raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [b.seq, a.id])
    _raw(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [a.seq, b.id])
    verdict = audit.verify()
    assert not verdict.ok
    assert verdict.bad_id == a.id


def test_inserted_entry_is_named(chain: list[AuditEntry]) -> None:
    last = chain[-1]
    _raw(
        f"INSERT INTO {TABLE} (seq, at, actor_label, action, object_type, object_id, object_label, unit_path,"
        " note, request_id, prev_hash, hash) VALUES (%s, %s, 'intruder', 'x', 'x', '1', 'x', '', '', '', %s, %s)",
        [last.seq + 1, last.at, last.hash, "e" * 64],
    )
    verdict = audit.verify()
    assert verdict.bad_seq == last.seq + 1


def test_audit_rows_refuse_orm_update_and_delete(chain: list[AuditEntry]) -> None:
    from kefu.core.append_only import AppendOnlyViolation

    entry = chain[0]
    with pytest.raises(AppendOnlyViolation):
        AuditEntry.objects.filter(id=entry.id).update(note="x")
    with pytest.raises(AppendOnlyViolation):
        AuditEntry.objects.filter(id=entry.id).delete()
    with pytest.raises(AppendOnlyViolation):
        entry.note = "x"
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    assert audit.verify().ok


def test_database_trigger_refuses_raw_update_and_delete(chain: list[AuditEntry]) -> None:
    from django.db import DatabaseError, transaction

    for sql in (f"UPDATE {TABLE} SET note = 'x'", f"DELETE FROM {TABLE}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == len(chain)
    assert audit.verify().ok


def test_verify_command_exits_non_zero_naming_the_entry(chain: list[AuditEntry], capsys: Any) -> None:
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    _raw(f"UPDATE {TABLE} SET action = 'forged' WHERE seq = 2")
    with pytest.raises(CommandError, match=r"seq=2") as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1


def test_checkpoint_command_output_feeds_verify(chain: list[AuditEntry], capsys: Any, tmp_path: Any) -> None:
    store = tmp_path / "checkpoints.jsonl"
    call_command("audit", "checkpoint", "--output", str(store))
    printed = json.loads(capsys.readouterr().out)
    assert printed["count"] == len(chain)
    call_command("audit", "verify", "--checkpoint", str(store))
    _raw(f"DELETE FROM {TABLE} WHERE seq = {len(chain)}")
    with pytest.raises(CommandError, match="newest were removed"):
        call_command("audit", "verify", "--checkpoint", str(store))


def test_entry_records_actor_request_id_and_change(world: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users["hq_admin"])
    response = client.put(
        f"/api/v1/policy/units/{world.group.id}/values/channel.max_concurrent_chats",
        data=json.dumps({"value": 7, "note": "大促前调整"}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.actor_label, entry.action, entry.request_id) == ("hq", "policy.set", "req-123")
    assert entry.before == {"value": 5, "locked": False} and entry.after == {"value": 7, "locked": False}
    assert entry.note == "大促前调整"
    assert audit.verify().ok
