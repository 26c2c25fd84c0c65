"""Login throttling: after N failures for one username from one address, refuse for a while.

Kept in the cache (local memory embedded, Redis at scale) so every worker sees the same count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{address}".encode()).hexdigest()[:32]
    return f"kefu:login-failures:{digest}"


def is_locked_out(*, username: str, address: str) -> bool:
    return int(cache.get(_key(username, address), 0)) >= settings.LOGIN_MAX_FAILURES


def note_failure(*, username: str, address: str) -> None:
    key = _key(username, address)
    cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear(*, username: str, address: str) -> None:
    cache.delete(_key(username, address))
