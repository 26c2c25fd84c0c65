"""The move of both apps' notices into core.Notification: rows written under the old models (compliance's
and complaints') are in the one notification centre after `migrate`, and the old tables are gone.

Runs the real migrations with Django's MigrationExecutor, back to the state before the move and forward
again, so it needs a transactional test (schema changes); it writes no append-only rows, so the flush
after it works on SQLite too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from kefu.core import services
from kefu.core.models import Notification

BEFORE = [
    ("core", "0002_notification"),
    ("compliance", "0001_initial"),
    ("complaints", "0001_initial"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def _old_rows(old: Any) -> dict[str, Any]:
    """Records as they stood before the move, written with the historical models."""
    user = old.get_model("auth", "User").objects.create(username="hr_zhou", email="zhou@example.com")
    other = old.get_model("auth", "User").objects.create(username="agent_wu")
    unit = old.get_model("org", "OrgUnit").objects.create(kind="branch", name="华东分公司", code="HD", path="/1/")
    customer = old.get_model("channel", "Customer").objects.create(name="张三", unit=unit)
    complaint = old.get_model("complaints", "Complaint").objects.create(
        number="TS20261101-0001", unit=unit, source="phone", customer=customer, content="杯子破损"
    )
    case = old.get_model("compliance", "ViolationCase").objects.create(kind="chat", unit=unit, day=dt.date(2026, 11, 2))
    sent = timezone.now() - dt.timedelta(days=2)
    compliance = old.get_model("compliance", "Notification")
    compliance.objects.create(
        recipient=user,
        kind="warn_alert",
        title="合规预警：吴（客服发送）私下转账",
        body="会话 #9 · 命中：私下转",
        case=case,
        url=f"/compliance/cases/{case.id}/",
        created_at=sent,
        read_at=sent + dt.timedelta(hours=1),
    )
    compliance.objects.create(recipient=other, kind="honour", title="恭喜！你获评合规标兵", url="/compliance/honours/")
    complaints = old.get_model("complaints", "Notification")
    complaints.objects.create(
        recipient=user,
        complaint=complaint,
        kind="reminder",
        key=f"sla:{complaint.id}:assigned:1:remind",
        text="投诉 TS20261101-0001「已分派」将于 11-03 10:00 到期，请及时处理",
        emailed=True,
        created_at=sent,
    )
    complaints.objects.create(
        recipient=other, complaint=None, kind="improvement_due", key="improvement_due:3", text="整改" * 150
    )
    return {"user": user.id, "other": other.id, "complaint": complaint.id, "case": case.id}


@pytest.mark.django_db(transaction=True)
def test_migrate_copies_both_apps_notifications_into_core() -> None:
    executor = _migrate(BEFORE)
    try:
        ids = _old_rows(executor.loader.project_state(BEFORE).apps)
    finally:
        _migrate()  # forward to the newest state, whatever happened above

    tables = connection.introspection.table_names()
    assert "compliance_notification" not in tables and "complaints_notification" not in tables

    alert = Notification.objects.get(recipient_id=ids["user"], kind="warn_alert")
    assert alert.app == "compliance" and alert.title == "合规预警：吴（客服发送）私下转账"
    assert alert.body == "会话 #9 · 命中：私下转" and alert.url == f"/compliance/cases/{ids['case']}/"
    assert alert.subject == f"compliance.violationcase:{ids['case']}" and alert.read_at is not None
    honour = Notification.objects.get(recipient_id=ids["other"], kind="honour")
    assert honour.subject == "" and honour.read_at is None and honour.key == ""

    reminder = Notification.objects.get(recipient_id=ids["user"], kind="reminder")
    assert reminder.app == "complaints" and reminder.title.startswith("投诉 TS20261101-0001「已分派」")
    assert reminder.url == reverse("complaints:detail", args=[ids["complaint"]])
    assert reminder.subject == f"complaints.complaint:{ids['complaint']}"
    assert reminder.key == f"sla:{ids['complaint']}:assigned:1:remind" and reminder.emailed
    assert reminder.read_at is None
    long = Notification.objects.get(recipient_id=ids["other"], kind="improvement_due")
    assert len(long.title) == 200 and long.body == "整改" * 150 and long.url == ""

    assert Notification.objects.count() == 4
    # The key still tells once after the move: the sweep that sent the reminder sends nothing again.
    user = reminder.recipient
    assert services.notify(recipients=[user], kind="reminder", title="再次", key=reminder.key, email=False) == []
