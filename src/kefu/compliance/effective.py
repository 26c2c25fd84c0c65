"""The scanner as the database's policy says: built per unit, compiled once per policy version, swapped
atomically, and the screener the channel calls for every message.

A policy change anywhere bumps `policy_generation()` (one indexed query, asked at most once a second per
process, so other processes notice within a second) and, in the process that made it, `policy_written`
and `policy_changed` (after commit) drop the cache at once. Either way the next message rebuilds
the unit's `ScannerPolicy` from the policy keys; the automaton is recompiled only when the content
changed (holders are shared by fingerprint), and the new holder replaces the old one in a single
assignment, so a scan already running keeps the version it started with.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kefu.channel import hooks
from kefu.channel.models import Message
from kefu.compliance.models import category_label
from kefu.compliance.scanner import (
    Action,
    CategoryRule,
    ConversationWindow,
    PolicyHolder,
    Scanner,
    ScannerPolicy,
    ScanResult,
    Verdict,
    fold,
    images,
)
from kefu.compliance.scanner.lexicon import ALLOWED
from kefu.core.recent import Recent
from kefu.org.models import OrgUnit
from kefu.policy import catalogue
from kefu.policy import selectors as policy_selectors
from kefu.policy.models import PolicyValue

SCANNER_KEYS = (
    "compliance.scanner_rules",
    "compliance.allowed_phrases",
    "compliance.block_terms",
    "compliance.warn_terms",
    "compliance.block_message",
    "channel.official_hotlines",
)
CUSTOM_BLOCK, CUSTOM_WARN = "custom_block", "custom_warn"
_SPLIT = re.compile(r"[、,，;；\s]+")
_SEVERITY = {Verdict.ALLOW: 0, Verdict.WARN: 1, Verdict.BLOCK: 2}


def _words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in _SPLIT.split(text or "") if w))


def hq_rules(rows: list[dict[str, Any]]) -> tuple[CategoryRule, ...]:
    rules = []
    for row in rows:
        try:
            action = Action(str(row.get("action", "log")).strip().lower())
        except ValueError:
            action = Action.LOG  # an unknown action never blocks by accident; the policy page shows the row
        rules.append(
            CategoryRule(
                name=str(row["category"]).strip(),
                action=action,
                terms=_words(str(row.get("terms", ""))),
                aliases=_words(str(row.get("aliases", ""))),
            )
        )
    return tuple(rules)


def _version(unit: OrgUnit) -> int:
    """The newest policy row that shapes this unit's scanner: the scanner policy's version number."""
    newest = (
        PolicyValue.objects.filter(key__in=SCANNER_KEYS, unit_id__in=unit.ancestor_ids())
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(newest or 0)


def build_policy(*, unit: OrgUnit) -> ScannerPolicy:
    """The effective scanner policy at `unit`: HQ's locked lexicon plus the words the branch added."""
    return policy_from_values(lambda key: policy_selectors.effective(unit=unit, key=key), version=_version(unit))


def catalogue_policy() -> ScannerPolicy:
    """The scanner policy of a group that has set nothing: the catalogue's defaults (no database)."""

    def default(key: str) -> Any:
        spec = catalogue.get(key)
        return catalogue.typed(spec, spec.default)

    return policy_from_values(default, version=0)


def policy_from_values(value: Callable[[str], Any], *, version: int) -> ScannerPolicy:
    """A scanner policy from the policy keys' typed values: `value(key)`.

    A word from the block/warn lists that HQ's lexicon already knows (a term or alias with its own
    context rules) or already judges at least as strictly adds nothing; any other word becomes a term
    of the branch's own block (or warn) category.
    """
    base = ScannerPolicy(
        version=version,
        categories=hq_rules(value("compliance.scanner_rules")),
        official_numbers=tuple(value("channel.official_hotlines")),
        allowed_phrases=tuple(value("compliance.allowed_phrases")),
        block_message=str(value("compliance.block_message")),
    )
    judge = Scanner(holder=PolicyHolder(base))
    automaton = judge.compiled.automaton

    def known(word: str) -> bool:
        # a term or alias of HQ's lexicon: HQ's rules already say when it counts (微信号 next to an ID …)
        found = automaton.get(fold(word), None)
        return found is not None and any(kind != ALLOWED for kind, _ in found[1])

    extra: list[CategoryRule] = []
    for key, category, action, verdict in (
        ("compliance.block_terms", CUSTOM_BLOCK, Action.BLOCK, Verdict.BLOCK),
        ("compliance.warn_terms", CUSTOM_WARN, Action.WARN, Verdict.WARN),
    ):
        words = tuple(
            w for w in value(key) if not known(w) and _SEVERITY[judge.scan_text(w).action] < _SEVERITY[verdict]
        )
        if words:
            extra.append(CategoryRule(category, action, terms=words))
    if not extra:
        return base
    return base.with_branch_additions(ScannerPolicy(version=base.version, categories=tuple(extra)))


class EffectiveScanners:
    """Compiled scanners per unit, rebuilt once per policy generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        # Every message is screened: the generation query runs at most once a second (core.recent).
        self._generations: Recent[int] = Recent()
        self._by_unit: dict[int, PolicyHolder] = {}
        self._by_fingerprint: dict[str, PolicyHolder] = {}

    def invalidate(self, **_: Any) -> None:
        """policy_written / policy_changed receiver: the next message rebuilds."""
        self._generations.forget()
        self._generation = None

    def _current_generation(self) -> int:
        return self._generations.get("policy", policy_selectors.policy_generation)

    def holder(self, unit: OrgUnit) -> PolicyHolder:
        generation = self._current_generation()
        if generation == self._generation:
            found = self._by_unit.get(unit.id)
            if found is not None:
                return found
        with self._lock:
            if generation != self._generation:
                self._by_unit = {}  # a new dict: readers holding the old one finish with it
                self._generation = generation
            found = self._by_unit.get(unit.id)
            if found is None:
                policy = build_policy(unit=unit)
                fingerprint = policy.fingerprint()
                found = self._by_fingerprint.get(fingerprint)
                if found is None:
                    found = PolicyHolder(policy)  # the one compilation of this version
                    if len(self._by_fingerprint) > 64:
                        self._by_fingerprint.clear()
                    self._by_fingerprint[fingerprint] = found
                by_unit = dict(self._by_unit)
                by_unit[unit.id] = found
                self._by_unit = by_unit  # swapped in one assignment
            return found

    def policy(self, unit: OrgUnit) -> ScannerPolicy:
        return self.holder(unit).current.policy

    def scan(
        self,
        *,
        unit: OrgUnit,
        text: str,
        speaker: str,
        conversation_id: int | None,
        sender_employee_id: int | None,
        before_seq: int | None = None,
        at: dt.datetime | None = None,
    ) -> ScanResult:
        """Judge one message, joined with the same speaker's previous messages of the conversation (from
        the database, so a number split across messages handled by different processes is still caught)."""
        scanner = Scanner(holder=self.holder(unit))
        if conversation_id is None:
            return scanner.scan_text(text)
        # assigned, not passed: Scanner(window=...) swaps an empty window (len 0) for its own
        scanner.window = _StoredWindow(
            conversation_id=conversation_id,
            speaker=speaker,
            sender_employee_id=sender_employee_id,
            before_seq=before_seq,
        )
        return scanner.scan(text, speaker=speaker, conversation=conversation_id, at=at or timezone.now())


class _StoredWindow(ConversationWindow):
    """The speaker's previous messages of one conversation, read from the database when the scanner
    asks (only for a message that may continue an earlier one), so a number split across messages
    handled by different processes is still caught and ordinary messages cost no query."""

    def __init__(
        self, *, conversation_id: int, speaker: str, sender_employee_id: int | None, before_seq: int | None
    ) -> None:
        super().__init__()
        self._query = (conversation_id, speaker, sender_employee_id, before_seq)
        self._loaded = False

    def recent(self, key: Hashable, *, at: float | None) -> list[str]:
        if not self._loaded:
            self._loaded = True
            conversation_id, speaker, sender_employee_id, before_seq = self._query
            previous = Message.objects.filter(conversation_id=conversation_id, sender_kind=speaker)
            if speaker == "agent" and sender_employee_id is not None:
                previous = previous.filter(sender_employee_id=sender_employee_id)
            if before_seq is not None:
                previous = previous.filter(seq__lt=before_seq)
            keep = max(1, self.max_messages - 1)
            rows = list(previous.order_by("-seq").values_list("created_at", "text")[:keep])
            self.remember_many(key, [(created.timestamp(), body) for created, body in reversed(rows) if body])
        return super().recent(key, at=at)


SCANNERS = EffectiveScanners()

_OUTCOME = {Verdict.BLOCK: hooks.BLOCK, Verdict.WARN: hooks.WARN, Verdict.ALLOW: hooks.DELIVER}


@dataclass(frozen=True)
class Reason:
    category: str
    text: str

    def __str__(self) -> str:
        return f"{category_label(self.category)}：{self.text}"


def reasons_of(result: ScanResult) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(Reason(m.category, m.text)) for m in result.matches))


def screen(request: hooks.ScreenRequest) -> hooks.Screening:
    """The channel's screener: scanner verdict → deliver / warn / block. Reads only, never writes."""
    if request.sender_kind not in ("agent", "customer"):
        return hooks.Screening(hooks.DELIVER)
    # A personal QR code sent as a picture is judged before delivery like the same link typed as text.
    if request.attachment and request.attachment_type.startswith("image/"):
        found = _scan_picture(request.attachment, request.unit)
        if found is not None:
            return found
    if not request.text:
        return hooks.Screening(hooks.DELIVER)
    result = SCANNERS.scan(
        unit=request.unit,
        text=request.text,
        speaker=request.sender_kind,
        conversation_id=request.conversation_id,
        sender_employee_id=request.sender_employee_id,
    )
    outcome = _OUTCOME[result.action]
    notice = SCANNERS.policy(request.unit).block_message if outcome == hooks.BLOCK else ""
    return hooks.Screening(
        outcome,
        reasons_of(result),  # log-only hits are listed too, so they become events after the message is stored
        notice=notice,
        details={"categories": list(result.categories), "matches": [m.to_dict() for m in result.matches]},
    )


def _scan_picture(content: bytes, unit: OrgUnit) -> hooks.Screening | None:
    """A QR code in the picture that the policy blocks or warns about, or None (then the text decides)."""
    try:
        found = images.scan_image(content, scanner=Scanner(holder=SCANNERS.holder(unit)))
    except ValueError:  # not a decodable image: the channel's upload check has the last word on that
        return None
    if found.action == Verdict.ALLOW:
        return None
    reasons = tuple(
        dict.fromkeys(
            f"{category_label(c)}：二维码 {code.payload[:60]}" for code in found.codes for c in code.result.categories
        )
    )
    outcome = _OUTCOME[found.action]
    notice = SCANNERS.policy(unit).block_message if outcome == hooks.BLOCK else ""
    return hooks.Screening(outcome, reasons, notice=notice, details={"image": found.to_dict()})
