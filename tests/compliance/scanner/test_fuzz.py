"""No input crashes the scanner, spans always point into the text, and 1 MB messages are scanned."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.compliance.scanner import Scanner, Verdict, fold, normalise
from kefu.compliance.scanner.cli import scan_lines

SCANNER = Scanner()

# Pieces that reach the slow path: aliases, verbs, refusals, numerals, separators, order words.
PIECES = [
    "微信", "薇信", "vx", "ＶＸ", "qq", "扣扣", "支付宝", "二维码", "红包", "转账", "私下", "加", "我", "你", "不",
    "不能", "吗", "的话", "订单号", "单号", "sf", "¥", "元", "@", "abc", "lily_", "138", "1", "2", "0", "一", "三",
    "壹", "①", "０", "幺", " ", "，", "。", "？", "-", ".", "\u200b", "😊", "🧧", "➕", "號", "紅", "\n", "：",
    "6222", "4008208820", "卡号", "打到", "我卡上", "收款码", "扫码", "加我", "号", "是",
]  # fmt: skip


def _check(text: str) -> None:
    result = SCANNER.scan(text)
    assert result.action in (Verdict.ALLOW, Verdict.WARN, Verdict.BLOCK)
    assert list(result.categories) == sorted(set(result.categories))
    for match in result.matches:
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start : match.end] == match.text


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text())
def test_any_unicode_text(text: str) -> None:
    _check(text)
    assert normalise(text).text == fold(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_text_built_from_lexicon_pieces(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(PIECES)), max_size=12))
def test_conversations(turns: list[tuple[str, str]]) -> None:
    scanner = Scanner()
    for speaker, text in turns:
        result = scanner.scan(text, speaker=speaker, conversation="fuzz")
        for match in result.matches:
            assert text[match.start : match.end] == match.text


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_cli_never_crashes_on_bytes(raw: bytes) -> None:
    import io

    status = scan_lines(raw.splitlines(), scanner=Scanner(), out=io.BytesIO(), err=io.StringIO())
    assert status in (0, 2)


def _one_megabyte(pieces: list[str], seed: int) -> str:
    rng = random.Random(seed)
    chunks: list[str] = []
    size = 0
    while size < 1_000_000:
        chunk = rng.choice(pieces)
        chunks.append(chunk)
        size += len(chunk.encode())
    return "".join(chunks)


def test_one_megabyte_of_ordinary_chat_is_scanned() -> None:
    text = _one_megabyte(["您好，请问有什么可以帮您？", "订单已经发货了，", "价格是199元。", "尺码偏大"], seed=1)
    assert SCANNER.scan(text).action == Verdict.ALLOW


def test_one_megabyte_full_of_hits_is_scanned() -> None:
    # the worst case for the slow path: a hit every few characters, every context rule engaged
    text = _one_megabyte(PIECES, seed=2)
    _check(text)


def test_one_megabyte_of_digits_and_separators_is_scanned() -> None:
    _check(_one_megabyte(["1", "3", "8", " ", "-", "一", "①"], seed=3))
    _check("1" * 1_000_000)
    _check("微" * 400_000)
