"""Reads of the audit log, of the actor's API tokens and of the actor's own notifications."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from kefu.core import scopes
from kefu.core.models import ApiToken, AuditEntry, Notification
from kefu.core.scopes import Actor

AUDIT_READERS = (scopes.BRANCH_HR, scopes.HQ_ADMIN)


def audit_entry_list(
    *,
    actor: Actor,
    action: str = "",
    search: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """HQ sees the whole log; branch HR the entries about its own branch; nobody else any."""
    qs = scopes.restrict(actor, AuditEntry.objects.all(), path_field="unit_path", roles=AUDIT_READERS)
    if action:
        qs = qs.filter(action__startswith=action)
    if search:
        qs = qs.filter(Q(object_label__icontains=search) | Q(actor_label__icontains=search) | Q(note__icontains=search))
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-seq")


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=scopes.user_id(actor)).order_by("-created_at")


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's own notices, newest first: nobody, HQ included, reads another person's."""
    if not actor.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=scopes.user_id(actor))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, actor: Actor) -> int:
    """The number on the badge in the navigation."""
    return notification_list(actor=actor, unread_only=True).count()
