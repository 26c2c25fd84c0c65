"""Effective policy values for the hot path (every message is screened), memoised per policy version.

Policy rows are append-only, so the newest row's (id, set_at) changes with every change anywhere:
one indexed query tells whether the memo is still good, instead of a walk up the unit chain per key.
"""

from __future__ import annotations

import threading
from typing import Any

from kefu.org.models import OrgUnit
from kefu.policy import selectors as policy_selectors
from kefu.policy.models import PolicyValue

_lock = threading.Lock()
_memo: dict[tuple[Any, int, str], Any] = {}


def _marker() -> tuple[Any, ...]:
    newest = PolicyValue.objects.order_by("-id").values_list("id", "set_at").first()
    return tuple(newest) if newest else ()


def effective(unit: OrgUnit, key: str) -> Any:
    memo_key = (_marker(), unit.id, key)
    with _lock:
        if memo_key in _memo:
            return _memo[memo_key]
    value = policy_selectors.effective(unit=unit, key=key)
    with _lock:
        if len(_memo) > 5000:
            _memo.clear()
        _memo[memo_key] = value
    return value


def clear() -> None:
    with _lock:
        _memo.clear()
