"""A short memory for answers every request asks again (who is behind this token, what may this user
do), so a burst of API calls does not repeat the same queries.

Entries live `ttl` seconds. The process that changes the underlying rows forgets at once (the owners
clear it from their services and signal receivers); other processes see a change within `ttl`. Keep
`ttl` short: it is how long a revoked token or role may still work elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

TTL_SECONDS = 1.0


class Recent(Generic[V]):
    def __init__(self, *, ttl: float = TTL_SECONDS, limit: int = 10_000) -> None:
        self.ttl, self.limit = ttl, limit
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The remembered value if younger than `ttl`, else `load()` (remembered for next time)."""
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Forget one key, or everything (key None)."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)
