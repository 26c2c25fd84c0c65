"""From hits to the verdict: the policy maps each category to block, warn or log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kefu.compliance.scanner.lexicon import Action, CompiledPolicy
from kefu.compliance.scanner.normalise import Normalised
from kefu.compliance.scanner.recognisers import Hit


class Verdict(StrEnum):
    BLOCK = "block"  # not delivered; the sender sees the policy's block message
    WARN = "warn"  # delivered; the agent is warned, branch HR alerted
    ALLOW = "allow"  # delivered (log-only categories still list their matches)


@dataclass(frozen=True, slots=True)
class Match:
    """Evidence: original[start:end] == text, found as `category`."""

    start: int
    end: int
    text: str
    category: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "category": self.category}


@dataclass(frozen=True, slots=True)
class ScanResult:
    action: Verdict
    categories: tuple[str, ...]  # sorted, unique
    matches: tuple[Match, ...]  # sorted by position
    notice: str | None = None  # what the sender sees when blocked ("请通过官方渠道联系")

    @property
    def blocked(self) -> bool:
        return self.action == Verdict.BLOCK

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": str(self.action),
            "categories": list(self.categories),
            "matches": [match.to_dict() for match in self.matches],
        }


ALLOW = ScanResult(action=Verdict.ALLOW, categories=(), matches=())

_VERDICT = {Action.BLOCK: Verdict.BLOCK, Action.WARN: Verdict.WARN, Action.LOG: Verdict.ALLOW}
_RANK = {Verdict.ALLOW: 0, Verdict.WARN: 1, Verdict.BLOCK: 2}


def matches_from_hits(normalised: Normalised, hits: Iterable[Hit]) -> list[Match]:
    """Map folded spans back to the original text."""
    matches = []
    for hit in hits:
        start, end = normalised.span(hit.start, hit.end)
        matches.append(Match(start=start, end=end, text=normalised.original[start:end], category=hit.category))
    return matches


def decide(compiled: CompiledPolicy, matches: Iterable[Match]) -> ScanResult:
    """The strictest action among the categories found."""
    unique = sorted(set(matches), key=lambda m: (m.start, m.end, m.category))
    if not unique:
        return ALLOW
    categories = tuple(sorted({match.category for match in unique}))
    verdict = Verdict.ALLOW
    for category in categories:
        candidate = _VERDICT[compiled.actions.get(category, Action.LOG)]
        if _RANK[candidate] > _RANK[verdict]:
            verdict = candidate
    notice = compiled.policy.block_message if verdict == Verdict.BLOCK else None
    return ScanResult(action=verdict, categories=categories, matches=tuple(unique), notice=notice)
