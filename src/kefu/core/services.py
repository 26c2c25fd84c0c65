"""Writes owned by core: API tokens for integrations, and the notification centre every app writes to."""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.models import ApiToken, Notification
from kefu.core.recent import Recent
from kefu.core.scopes import Actor

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "kefu_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Issue a token acting as `actor`; the plain token is returned once and never stored."""
    if not actor.is_authenticated:
        raise ApplicationError("请先登录")
    name = name.strip()
    if not name:
        raise ApplicationError("请为令牌命名，例如用途或系统名", extra={"field": "name"})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=scopes.user_id(actor), name=name, prefix=plain[:12], token_hash=token_digest(plain)
    )
    audit.record(actor=actor, action="api_token.create", obj=token, after={"name": name, "prefix": token.prefix})
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(id=token_id, user_id=scopes.user_id(actor)).first()
    if token is None:
        raise NotFound("找不到该令牌", extra={"token_id": token_id})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api_token.revoke", obj=token)
        _recent_tokens.forget()
    return token


# token digest → (user, token id, last used) for a second: an integration sends many calls in a burst
_recent_tokens: Recent[tuple[Any, int, Any] | None] = Recent()


def forget_tokens(**_: Any) -> None:
    """Receiver for user changes (deactivation): cached token answers are dropped at once."""
    _recent_tokens.forget()


def api_token_authenticate(*, plain: str) -> object | None:
    """The active user behind a bearer token, or None; marks the token used.

    Answers are remembered for a second (core.recent): revoking a token or deactivating its user here
    takes effect at once, in other server processes within that second."""
    digest = token_digest(plain)

    def load() -> tuple[Any, int, Any] | None:
        # One row by its unique hash: no ORDER BY (every API request comes through here).
        found = list(ApiToken.objects.select_related("user").filter(token_hash=digest, revoked_at=None).order_by()[:1])
        if not found or not found[0].user.is_active:
            return None
        return found[0].user, found[0].id, found[0].last_used_at

    known = _recent_tokens.get(digest, load)
    if known is None:
        return None
    user, token_id, last_used_at = known
    now = timezone.now()
    # At most one write a minute per token: integrations call often, and the timestamp is only a hint.
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token_id).update(last_used_at=now)
        _recent_tokens.forget(digest)
    # A copy per request: per-request memos set on the user object must not outlive the request.
    fresh = copy.copy(user)
    fresh.__dict__.pop(scopes.PRINCIPAL_MEMO, None)
    return fresh


# --- the notification centre ------------------------------------------------------------------------


def subject_of(record: models.Model) -> str:
    """The label a notice keeps of the record it is about: "complaints.complaint:42"."""
    return f"{record._meta.label_lower}:{record.pk}"


@transaction.atomic(savepoint=False)
def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    subject: models.Model | str | None = "",
    app: str = "",
    email: bool = True,
    email_subject: str = "",
) -> list[Notification]:
    """Tell each recipient (None entries skipped, each person once) in the caller's transaction, so the
    notice exists exactly when what it announces does; the e-mail goes only after commit, to those
    with an address. With a `key`, a recipient who already has a notice with that key gets nothing:
    a sender that may run twice (the SLA sweep) tells once. Returns the notices written.

    No audit entry of its own: the write that causes a notice records one."""
    people = {user.pk: user for user in recipients if user is not None}
    if not people:
        return []
    label = subject_of(subject) if isinstance(subject, models.Model) else subject or ""
    if len(title) > 200:  # a long title is cut for the list, and kept whole as the body
        title, body = title[:199] + "…", body or title
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            app=app[:30],
            kind=kind[:40],
            title=title,
            body=body,
            url=url[:300],
            subject=label[:100],
            key=key[:120],
            created_at=now,
        )
        for user in people.values()
    ]
    if not key:
        created = Notification.objects.bulk_create(rows)
    else:
        told = set(
            Notification.objects.filter(key=key[:120], recipient_id__in=list(people)).values_list(
                "recipient_id", flat=True
            )
        )
        created = []
        for row in rows:
            if row.recipient_id in told:
                continue
            try:
                with transaction.atomic():  # a concurrent sender may win the (recipient, key) race
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
    outgoing = [(row.id, row.recipient.email) for row in created if row.recipient.email] if email else []
    if outgoing:
        text = "\n\n".join(part for part in (body or title, url) if part)
        transaction.on_commit(functools.partial(_send_emails, outgoing, (email_subject or title)[:200], text))
    return created


def _send_emails(outgoing: list[tuple[int, str]], subject: str, text: str) -> None:
    """After commit, through Django's e-mail backend; a mail server that is down must not break the write
    that caused the notice (the in-app notice stands), so failures are logged and `emailed` stays False."""
    sent: list[int] = []
    subject = " ".join(subject.split())  # a header is one line
    try:
        with get_connection() as connection:
            for notification_id, address in outgoing:
                message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [address], connection=connection)
                try:
                    message.send()
                except OSError:  # smtplib's errors are OSErrors too; one refused address stops no one else
                    logger.warning("notification %s not e-mailed to %s", notification_id, address, exc_info=True)
                    continue
                sent.append(notification_id)
    except OSError:  # the mail server cannot be reached at all
        logger.warning("notification e-mail failed: %d of %d sent", len(sent), len(outgoing), exc_info=True)
    if sent:
        Notification.objects.filter(id__in=sent).update(emailed=True)


@transaction.atomic
def notification_read(*, actor: Actor, notification_id: int) -> Notification:
    """The recipient marks one notice read; somebody else's is not found (HQ included)."""
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


@transaction.atomic
def notifications_read_all(*, actor: Actor) -> int:
    """The recipient marks every unread notice of theirs read; returns how many were unread."""
    user_id = scopes.user_id(actor)
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit.record(
            actor=actor,
            action="notification.read_all",
            obj=cast(models.Model, actor),  # the person: a user, signed in (user_id above)
            after={"count": count},
            unit_path="",
        )
    return count
