"""Precision and recall of the scanner on a labelled set (used by `kefu bench scanner_quality` and tests).

A labelled message is `{"id", "text", "speaker", "conversation"?, "labels": [categories]}`; messages
are scanned in file order so the conversation window sees them as the chat would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kefu.compliance.scanner.decide import ScanResult, Verdict
from kefu.compliance.scanner.engine import Scanner
from kefu.compliance.scanner.lexicon import CATEGORIES

# Moving the customer to another channel; bank cards and payments are judged separately.
CONTACT_EXCHANGE = frozenset({"contact_wechat", "contact_qq", "contact_phone", "contact_alipay", "contact_qr"})


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    id: str
    text: str
    speaker: str
    conversation: str | None
    labels: frozenset[str]


@dataclass(slots=True)
class Mistake:
    message: LabelledMessage
    result: ScanResult

    @property
    def missed(self) -> set[str]:
        return set(self.message.labels) - set(self.result.categories)

    @property
    def extra(self) -> set[str]:
        return set(self.result.categories) - set(self.message.labels)


@dataclass(slots=True)
class Evaluation:
    true_positives: dict[str, int] = field(default_factory=dict)
    false_positives: dict[str, int] = field(default_factory=dict)
    false_negatives: dict[str, int] = field(default_factory=dict)
    contact_messages: int = 0
    contact_detected: int = 0
    messages: int = 0
    negatives: int = 0
    negatives_blocked: int = 0
    negatives_flagged: int = 0
    mistakes: list[Mistake] = field(default_factory=list)

    def precision(self, category: str) -> float:
        found = self.true_positives.get(category, 0) + self.false_positives.get(category, 0)
        return self.true_positives.get(category, 0) / found if found else 1.0

    def recall(self, category: str) -> float:
        labelled = self.true_positives.get(category, 0) + self.false_negatives.get(category, 0)
        return self.true_positives.get(category, 0) / labelled if labelled else 1.0

    @property
    def contact_recall(self) -> float:
        return self.contact_detected / self.contact_messages if self.contact_messages else 1.0

    @property
    def negatives_blocked_share(self) -> float:
        return self.negatives_blocked / self.negatives if self.negatives else 0.0

    def figures(self) -> list[dict[str, Any]]:
        """One record per figure, in the bench line format (without the "bench" and "subject" keys)."""
        rows: list[dict[str, Any]] = []
        for category in CATEGORIES:
            rows.append({"metric": "precision", "category": category, "value": round(self.precision(category), 4)})
            rows.append({"metric": "recall", "category": category, "value": round(self.recall(category), 4)})
        rows.append({"metric": "recall", "category": "contact_exchange", "value": round(self.contact_recall, 4)})
        rows.append({"metric": "negatives_blocked", "value": round(self.negatives_blocked_share, 4)})
        rows.append({"metric": "messages", "value": self.messages})
        return rows


def load_labelled(path: Path) -> list[LabelledMessage]:
    messages = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                messages.append(
                    LabelledMessage(
                        id=str(raw["id"]),
                        text=raw["text"],
                        speaker=raw.get("speaker", "agent"),
                        conversation=raw.get("conversation"),
                        labels=frozenset(raw.get("labels", ())),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
    return messages


def evaluate(messages: Iterable[LabelledMessage], *, scanner: Scanner | None = None) -> Evaluation:
    scanner = scanner or Scanner()
    evaluation = Evaluation()
    tp, fp, fn = evaluation.true_positives, evaluation.false_positives, evaluation.false_negatives
    for message in messages:
        result = scanner.scan(message.text, speaker=message.speaker, conversation=message.conversation)
        found = set(result.categories)
        evaluation.messages += 1
        for category in found | message.labels:
            if category in found and category in message.labels:
                tp[category] = tp.get(category, 0) + 1
            elif category in found:
                fp[category] = fp.get(category, 0) + 1
            else:
                fn[category] = fn.get(category, 0) + 1
        if message.labels & CONTACT_EXCHANGE:
            evaluation.contact_messages += 1
            if found & CONTACT_EXCHANGE and result.action == Verdict.BLOCK:
                evaluation.contact_detected += 1
        if not message.labels:
            evaluation.negatives += 1
            evaluation.negatives_blocked += result.action == Verdict.BLOCK
            evaluation.negatives_flagged += result.action != Verdict.ALLOW
        if found != message.labels:
            evaluation.mistakes.append(Mistake(message=message, result=result))
    return evaluation
