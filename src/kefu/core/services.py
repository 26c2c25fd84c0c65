"""Writes owned by core: API tokens for integrations."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, NotFound
from kefu.core.models import ApiToken
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
    return token


def api_token_authenticate(*, plain: str) -> object | None:
    """The active user behind a bearer token, or None; marks the token used."""
    # One row by its unique hash: no ORDER BY (every API request comes through here).
    found = list(
        ApiToken.objects.select_related("user").filter(token_hash=token_digest(plain), revoked_at=None).order_by()[:1]
    )
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute per token: integrations call often, and the timestamp is only a hint.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user
