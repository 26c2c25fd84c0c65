"""A short memory of each speaker's recent messages in a conversation.

An evader splits a number over several messages (138 / 1234 / 5678) or an alias from its account
(加我 / vx / abc123). The window keeps the tail of the same speaker's last few messages so the
scanner can judge them joined. Memory is bounded: a few messages per key, a few characters per
message, and a bounded number of conversations (least recently used dropped first).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Container, Hashable, Iterable, Iterator, Sequence
from itertools import count, repeat


class ConversationWindow:
    def __init__(
        self,
        *,
        max_messages: int = 5,
        max_age_seconds: float = 300.0,
        max_conversations: int = 10_000,
        tail_chars: int = 40,
    ) -> None:
        self.max_messages = max_messages
        self.max_age_seconds = max_age_seconds
        self.max_conversations = max_conversations
        self.tail_chars = tail_chars
        # (time in seconds or None when the caller gave none, tail of the text), oldest first
        self._entries: OrderedDict[Hashable, deque[tuple[float | None, str]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def recent(self, key: Hashable, *, at: float | None) -> list[str]:
        """Tails of the previous messages (oldest first) of the same conversation and speaker, still fresh."""
        remembered = self._entries.get(key)
        if not remembered:
            return []
        return self.fresh(remembered, at=at)

    def entries(self, key: Hashable) -> list[tuple[float | None, str]]:
        """What is remembered for `key`, oldest first: (time, tail) pairs."""
        return list(self._entries.get(key, ()))

    def fresh(self, entries: Iterable[tuple[float | None, str]], *, at: float | None) -> list[str]:
        """The tails among `entries` not older than the window at time `at`."""
        if at is None:
            return [tail for _, tail in entries]
        return [tail for moment, tail in entries if moment is None or 0 <= at - moment <= self.max_age_seconds]

    def remember(self, key: Hashable, text: str, *, at: float | None) -> None:
        remembered = self._entries.get(key)
        if remembered is None:
            remembered = deque(maxlen=max(1, self.max_messages - 1))
            self._entries[key] = remembered
            if len(self._entries) > self.max_conversations:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        remembered.append((at, text[-self.tail_chars :]))

    def remember_many(self, key: Hashable, entries: list[tuple[float | None, str]]) -> None:
        """Remember several (time, tail) entries of one key at once, oldest first."""
        remembered = self._entries.get(key)
        if remembered is None:
            self._entries[key] = deque(entries, maxlen=max(1, self.max_messages - 1))
            if len(self._entries) > self.max_conversations:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
            remembered.extend(entries)

    def walk(
        self,
        keys: Iterable[tuple[Hashable | None, str]],
        texts: Sequence[str],
        moments: Sequence[float | None] | None,
        *,
        wanted: Container[int],
    ) -> Iterator[tuple[int, list[str]]]:
        """Remember a batch in order, as `remember` one message at a time would; before remembering a
        message whose index is `wanted`, yield its index and what `recent` would have given (if any).

        One tight loop, no call per message (this is the per-message cost of a batch scan).
        Messages without a conversation (key[0] is None) are not remembered, as in `Scanner.scan`."""
        entries = self._entries
        get, move_to_end, popitem = entries.get, entries.move_to_end, entries.popitem
        size, cap, tail = max(1, self.max_messages - 1), self.max_conversations, self.tail_chars
        # moments is None (no times given) in most batches: one loop each way, no per-message test
        rows = zip(count(), keys, texts, moments) if moments is not None else zip(count(), keys, texts, repeat(None))
        for index, key, text, at in rows:
            remembered = get(key)
            if remembered is None:
                if key[0] is not None:
                    entries[key] = deque(((at, text[-tail:]),), size)
                    if len(entries) > cap:
                        popitem(last=False)
                continue
            if index in wanted:
                previous = self.fresh(remembered, at=at)
                if previous:
                    yield index, previous
            move_to_end(key)
            remembered.append((at, text[-tail:]))

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys_oldest_first(self) -> Iterator[Hashable]:
        """Keys from the least to the most recently used (the order they are forgotten in)."""
        return iter(self._entries)

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)
