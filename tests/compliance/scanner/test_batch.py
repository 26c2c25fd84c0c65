"""`scan_many` (how `kefu scan` runs) gives exactly the results of `scan` on each message in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.compliance.scanner import ConversationWindow, Scanner, ScanResult, Verdict
from kefu.compliance.scanner.quality import load_labelled

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_messages.jsonl"

Message = tuple[str, str, str | None, float | None]  # text, speaker, conversation, time

# Fragments that complete each other across messages (split numbers, alias then account), clean
# talk, refusals, allowed phrases, order numbers, and characters that fold away or never match.
FRAGMENTS = [
    "我手机号", "138 1234", "5678", "好的", "加我", "微信", "lily_2024", "订单号", "3847562910", "壹叁捌",
    "零零壹叁", "捌零零零", "红包给你", "您好", "2件", "vx", "abc", "123456", "不加微信", "我的vx是", "：",
    "可以用微信支付吗？", "一三九", "一二三四", "五六七八", "加个", "绿泡泡", "SF123456789012", "400-820-8820",
    "扣扣", "9470 3932", "7", "\u200b", "😊", "\uffff", "", " ", "私下转账更便宜", "打到我卡上 6222",
    "795730430385917",
]  # fmt: skip


def _one_by_one(
    messages: Sequence[Message], window: Callable[[], ConversationWindow]
) -> tuple[list[ScanResult], Scanner]:
    scanner = Scanner(window=window())
    results = [scanner.scan(text, speaker=s, conversation=c, at=t) for text, s, c, t in messages]
    return results, scanner


def _batched(
    messages: Sequence[Message], cuts: Sequence[int], window: Callable[[], ConversationWindow]
) -> tuple[list[ScanResult], Scanner]:
    scanner = Scanner(window=window())
    results: list[ScanResult] = []
    bounds = [0, *sorted(cut for cut in cuts if 0 < cut < len(messages)), len(messages)]
    for first, last in pairwise(bounds):
        chunk = messages[first:last]
        results.extend(
            scanner.scan_many(
                [m[0] for m in chunk],
                speakers=[m[1] for m in chunk],
                conversations=[m[2] for m in chunk],
                at=[m[3] for m in chunk],
            )
        )
    return results, scanner


def _assert_same(messages: Sequence[Message], cuts: Sequence[int], window: Callable[[], ConversationWindow]) -> None:
    expected, single = _one_by_one(messages, window)
    got, batched = _batched(messages, cuts, window)
    assert got == expected
    # the window remembers the same messages in the same order, so the next batch starts the same
    every_key = {(c, s) for _, s, c, _ in messages}
    assert [key for key in single.window.keys_oldest_first()] == [key for key in batched.window.keys_oldest_first()]
    for key in every_key:
        assert single.window.entries(key) == batched.window.entries(key)


@pytest.mark.parametrize("batch", [1, 7, 37, 1000])
@pytest.mark.parametrize(
    "window",
    [ConversationWindow, lambda: ConversationWindow(max_conversations=2, max_messages=3)],
    ids=["default", "tiny"],
)
def test_labelled_set_batched_is_scanned_exactly_as_one_by_one(
    batch: int, window: Callable[[], ConversationWindow]
) -> None:
    messages = [(m.text, m.speaker, m.conversation, None) for m in load_labelled(LABELLED)]
    _assert_same(messages, range(batch, len(messages), batch), window)
    # the labelled set's split numbers are caught across batch boundaries too
    results, _ = _batched(messages, range(batch, len(messages), batch), window)
    assert sum(result.action == Verdict.BLOCK for result in results) > 100


def test_number_split_across_two_batches_is_caught() -> None:
    scanner = Scanner()
    first = scanner.scan_many(["我手机号", "138 1234", "好的"], conversations=["c1", "c1", "c2"])
    second = scanner.scan_many(["您好", "5678"], conversations=["c2", "c1"])
    assert [r.action for r in first] == [Verdict.ALLOW] * 3
    assert second[0].action == Verdict.ALLOW
    assert second[1].categories == ("contact_phone",)
    assert [(m.start, m.end, m.text) for m in second[1].matches] == [(0, 4, "5678")]


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="speakers"):
        Scanner().scan_many(["a", "b"], speakers=["agent"], conversations=["c", "c"])


_messages = st.lists(
    st.tuples(
        st.sampled_from(FRAGMENTS) | st.text(max_size=12),
        st.sampled_from(["agent", "customer"]),
        st.sampled_from(["c1", "c2", "c3", "c4", None]),
        st.none() | st.floats(min_value=0, max_value=2_000),
    ),
    max_size=60,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=_messages,
    cuts=st.lists(st.integers(min_value=1, max_value=59), max_size=6),
    tiny=st.booleans(),
)
def test_random_batches_are_scanned_exactly_as_one_by_one(messages: list[Message], cuts: list[int], tiny: bool) -> None:
    window: Callable[[], ConversationWindow] = (
        (lambda: ConversationWindow(max_conversations=3, max_messages=3, max_age_seconds=300))
        if tiny
        else ConversationWindow
    )
    _assert_same(messages, cuts, window)


def test_repeated_texts_are_judged_once_per_policy_version_and_the_memory_is_bounded() -> None:
    from dataclasses import replace

    from kefu.compliance.scanner import engine
    from kefu.compliance.scanner.lexicon import default_policy

    scanner = Scanner(default_policy(version=71))
    first = scanner.scan_text("加我微信 lily_2024")
    assert scanner.scan_text("加我微信 lily_2024") is first and first.blocked
    assert not scanner.scan_text("给个好评返现吧").matches
    stricter = default_policy(version=72)
    rules = tuple(
        replace(rule, terms=(*rule.terms, "好评返现")) if index == 0 else rule
        for index, rule in enumerate(stricter.categories)
    )
    scanner.use_policy(replace(stricter, categories=rules))
    assert scanner.scan_text("给个好评返现吧").matches  # the new version judges afresh: no stale verdict
    for n in range(engine._CACHED_VERDICTS + 10):
        scanner.scan_text(f"加我微信 user_{n}")
    assert len(scanner.compiled.verdicts) <= engine._CACHED_VERDICTS
