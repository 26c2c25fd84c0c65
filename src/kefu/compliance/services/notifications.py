"""The notification centre: in-app rows written in the caller's transaction (they exist exactly when the
thing they announce does), e-mail through Django's e-mail backend only after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from kefu.compliance.models import Notification, ViolationCase
from kefu.core import audit, scopes
from kefu.core.errors import NotFound
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit, RoleAssignment

logger = logging.getLogger(__name__)


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


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    case: ViolationCase | None = None,
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """In-app notifications now (caller's transaction); the e-mail after commit."""
    now = timezone.now()
    rows = [
        Notification(recipient=user, kind=kind, title=title[:200], body=body, case=case, url=url, created_at=now)
        for user in recipients
        if user is not None
    ]
    created = Notification.objects.bulk_create(rows)
    addresses = [user.email for user in (row.recipient for row in rows) if getattr(user, "email", "")]
    if email and addresses:
        text = f"{body}\n\n{url}" if url else body
        messages = [(title, text, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
        transaction.on_commit(lambda: _send(messages))
    return created


def _send(messages: list[tuple[str, str, str, list[str]]]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:  # a mail server down must not break the chat; the in-app alert is already there
        logger.exception("compliance alert e-mail failed")


@transaction.atomic
def notification_read(*, actor: Actor, notification_id: int) -> Notification:
    """The recipient marks one notification read (someone else's is not found)."""
    found = (
        Notification.objects.select_for_update().filter(id=notification_id, recipient_id=scopes.user_id(actor)).first()
    )
    if found is None:
        raise NotFound("找不到该通知", extra={"notification_id": notification_id})
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at"])
        audit.record(actor=actor, action="notification.read", obj=found, unit_path="")
    return found
