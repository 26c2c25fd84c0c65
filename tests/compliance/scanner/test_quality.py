"""The labelled set: recall ≥ 0.97 on contact exchange, ≤ 1% of negatives blocked, every technique covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from kefu.compliance.scanner.lexicon import CATEGORIES
from kefu.compliance.scanner.quality import CONTACT_EXCHANGE, Evaluation, evaluate, load_labelled

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_messages.jsonl"


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate(load_labelled(LABELLED))


def test_labelled_set_is_large_and_balanced() -> None:
    messages = load_labelled(LABELLED)
    negatives = [message for message in messages if not message.labels]

    assert len(messages) >= 400
    assert len(negatives) / len(messages) >= 0.35
    assert len({message.id for message in messages}) == len(messages)
    assert {category for message in messages for category in message.labels} == set(CATEGORIES)
    assert {message.speaker for message in messages} == {"agent", "customer"}
    assert any(message.conversation for message in messages)


def test_contact_exchange_recall(evaluation: Evaluation) -> None:
    assert evaluation.contact_recall >= 0.97, _mistakes(evaluation, CONTACT_EXCHANGE)


def test_few_negatives_blocked(evaluation: Evaluation) -> None:
    assert evaluation.negatives_blocked_share <= 0.01, _mistakes(evaluation, set())


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_is_found_precisely(evaluation: Evaluation, category: str) -> None:
    assert evaluation.recall(category) >= 0.9, _mistakes(evaluation, {category})
    assert evaluation.precision(category) >= 0.9, _mistakes(evaluation, {category})


def _mistakes(evaluation: Evaluation, categories: set[str] | frozenset[str]) -> str:
    lines = [
        f"{m.message.id} {m.message.text!r} labels={sorted(m.message.labels)} found={list(m.result.categories)}"
        for m in evaluation.mistakes
        if not categories or (m.missed | m.extra) & categories
    ]
    return "\n".join(lines[:30])


BLIND = sorted((LABELLED.parent / "blind").glob("*.jsonl"))
# What each blind set scores now (data/blind/README.md has what each scored when first seen). A set
# written by people who never saw the rules keeps the rules honest: a change that wins on the labelled
# set by losing here is overfitting. Round 1's contact set holds ~25 puzzles no rule should chase.
BLIND_CONTACT_RECALL = {
    "round1_contact": 0.92,
    "round1_conversations": 0.85,
    "round1_money": 0.85,
    "round2_industries": 0.98,
    "round2_spec": 0.96,
    "round3_qa": 0.94,
    "round4_chats": 0.92,
    "round4_redteam": 0.89,
    "round5_customers": 0.96,
    "round5_spec": 0.95,
    "round6_mixed": 0.92,
    "round7_appliances": 0.97,
}


@pytest.mark.parametrize("path", BLIND, ids=[path.stem for path in BLIND])
def test_blind_sets_keep_their_recall_and_block_no_more_than_one_percent_of_negatives(path: Path) -> None:
    evaluation = evaluate(load_labelled(path))

    assert evaluation.negatives_blocked_share <= 0.01, _mistakes(evaluation, set())
    if evaluation.contact_messages:
        assert evaluation.contact_recall >= BLIND_CONTACT_RECALL[path.stem], _mistakes(evaluation, CONTACT_EXCHANGE)
