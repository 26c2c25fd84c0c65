"""Effective policy values for the hot path (every message is screened), memoised per policy version.

Policy rows are append-only, so the policy generation (the newest row's id) changes with every change
anywhere: one indexed query tells whether the memo is still good, instead of a walk up the unit chain
per key.
"""

from __future__ import annotations

import threading
from typing import Any

from kefu.org.models import OrgUnit
from kefu.policy import selectors as policy_selectors

_lock = threading.Lock()
_memo: dict[tuple[int, int, str], Any] = {}


def effective(unit: OrgUnit, key: str) -> Any:
    memo_key = (policy_selectors.policy_generation(), unit.id, key)
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
