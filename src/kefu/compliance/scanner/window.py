"""A short memory of each speaker's recent messages in a conversation.

An evader splits a number over several messages (138 / 1234 / 5678) or an alias from its account
(加我 / vx / abc123). The window keeps the tail of the same speaker's last few messages so the
scanner can judge them joined. Memory is bounded: a few messages per key, a few characters per
message, and a bounded number of conversations (least recently used dropped first).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable, Iterable, Iterator


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

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys_oldest_first(self) -> Iterator[Hashable]:
        """Keys from the least to the most recently used (the order they are forgotten in)."""
        return iter(self._entries)

    def absorb(self, updates: Iterable[tuple[Hashable, list[tuple[float | None, str]], bool]]) -> None:
        """Apply a batch as if its messages had been remembered one by one.

        `updates`: per key, in the order of its last message in the batch, the key's newest (time, tail)
        entries (oldest first) and whether what was remembered before is gone (the key was forgotten
        during the batch). Keys beyond `max_conversations` are forgotten afterwards, least recently
        used first; the caller makes sure a batch never forgets a key it used itself.
        """
        remembered = self._entries
        size = max(1, self.max_messages - 1)
        for key, entries, restart in updates:
            previous = remembered.get(key)
            if previous is None or restart:
                remembered[key] = deque(entries, maxlen=size)
            else:
                previous.extend(entries)
            remembered.move_to_end(key)
        while len(remembered) > self.max_conversations:
            remembered.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)
