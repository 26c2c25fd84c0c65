"""Reads of the audit log and of the actor's API tokens."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from kefu.core import scopes
from kefu.core.models import ApiToken, AuditEntry
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
