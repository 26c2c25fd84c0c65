"""Writes owned by core: API tokens for integrations."""

from __future__ import annotations

import copy
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.models import ApiToken
from kefu.core.recent import Recent
from kefu.core.scopes import Actor

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
