"""Timeliness with a controllable clock: reminder before the deadline, the lead at it, the manager after;
running the sweep twice sends nothing twice; a step taken in time starts a fresh clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.core.management import call_command

from kefu.complaints import services
from kefu.complaints.models import EventKind
from kefu.core import scopes
from kefu.core.models import Notification
from kefu.core.services import subject_of
from tests.factories import EmployeeFactory, make_user


def _events(complaint: Any) -> list[str]:
    """This complaint's reminders and escalations (the world's other complaints are swept too)."""
    kinds = [EventKind.REMINDER, EventKind.ESCALATION]
    return list(complaint.events.filter(kind__in=kinds).order_by("id").values_list("kind", flat=True))


def _at(complaint: Any, hours: float) -> dt.datetime:
    return complaint.due_at + dt.timedelta(hours=hours)


def test_reminder_then_lead_then_manager_each_once(
    world: Any, raised: Any, walk: Any, handler: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = EmployeeFactory(
        name="中心经理老郑", employee_no="A0900", unit=world.team_a1.parent, position_code="manager"
    )
    manager_user = make_user("manager_zheng", employee=manager)
    complaint = walk(raised, "classify", "assign")
    assert complaint.due_at - complaint.step_started_at == dt.timedelta(hours=48)  # 商品质量 × assigned

    services.complaint_sla_sweep(now=_at(complaint, -3))  # before the reminder window
    assert _events(complaint) == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_sla_sweep(now=_at(complaint, -1))
    assert _events(complaint) == [EventKind.REMINDER]
    assert Notification.objects.filter(recipient=handler, kind="reminder").count() == 1
    assert ["zhou@example.com"] in [m.to for m in mail.outbox]  # e-mailed after commit
    reminder = Notification.objects.get(recipient=handler, kind="reminder")
    assert reminder.emailed and reminder.app == "complaints" and reminder.url == f"/complaints/{complaint.id}/"
    assert any(m.subject.startswith("[kefu 投诉] 投诉 ") for m in mail.outbox)

    services.complaint_sla_sweep(now=_at(complaint, 1))
    assert _events(complaint) == [EventKind.REMINDER, EventKind.ESCALATION]
    lead = world.users[scopes.TEAM_LEAD]
    assert Notification.objects.filter(recipient=lead, kind="escalation", subject=subject_of(complaint)).count() == 1

    again = services.complaint_sla_sweep(now=_at(complaint, 2))
    assert (again.reminders, again.lead_escalations, again.manager_escalations, again.notices) == (0, 0, 0, 0)

    services.complaint_sla_sweep(now=_at(complaint, 25))  # manager_escalation_hours = 24
    assert (
        Notification.objects.filter(recipient=manager_user, kind="escalation", subject=subject_of(complaint)).count()
        == 1
    )
    assert services.complaint_sla_sweep(now=_at(complaint, 30)).notices == 0
    assert _events(complaint) == [EventKind.REMINDER, EventKind.ESCALATION, EventKind.ESCALATION]
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2


def test_a_step_taken_in_time_starts_a_new_clock(world: Any, raised: Any, walk: Any, handler: Any) -> None:
    complaint = walk(raised, "classify", "assign")
    services.complaint_sla_sweep(now=_at(complaint, 1))
    complaint = walk(complaint, "investigate")
    assert complaint.escalation_level == 0 and not complaint.reminded
    result = services.complaint_sla_sweep(now=complaint.step_started_at + dt.timedelta(hours=1))
    assert complaint.id not in result.touched


def test_unassigned_complaint_escalates_to_the_complaints_desk(world: Any, raised: Any) -> None:
    result = services.complaint_sla_sweep(now=_at(raised, 1))
    assert raised.id in result.touched and _events(raised) == [EventKind.ESCALATION]
    assert Notification.objects.filter(recipient=world.users[scopes.COMPLAINTS_OFFICER], kind="escalation").exists()


def test_without_a_manager_login_hq_hears_of_it(world: Any, raised: Any) -> None:
    services.complaint_sla_sweep(now=_at(raised, 30))
    assert Notification.objects.filter(recipient=world.users[scopes.HQ_ADMIN], kind="escalation").exists()


def test_sweep_command_for_cron(world: Any, raised: Any, capsys: Any) -> None:
    when = _at(raised, 1).isoformat()
    call_command("complaints", "sweep", "--now", when, "--json")
    assert '"lead_escalations": 0' not in capsys.readouterr().out
    assert _events(raised) == [EventKind.ESCALATION]
    call_command("complaints", "sweep", "--now", when, "--json")
    assert '"notices": 0' in capsys.readouterr().out


def test_improvement_owner_is_reminded_once_when_due(world: Any, raised: Any, walk: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate", "propose", "notify", "satisfied", "assess", "plan")
    action = complaint.improvements.get()
    moment = dt.datetime.combine(action.due_date, dt.time(10), tzinfo=dt.UTC)
    assert services.complaint_sla_sweep(now=moment).improvement_reminders >= 1
    assert services.complaint_sla_sweep(now=moment).improvement_reminders == 0
    assert Notification.objects.filter(recipient=world.users[scopes.TEAM_LEAD], kind="improvement_due").count() == 1
