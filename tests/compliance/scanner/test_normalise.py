"""Folding: every evasion we know maps onto the plain form, and spans map back to the original."""

from __future__ import annotations

import pytest

from kefu.compliance.scanner.normalise import fold, normalise, to_digits


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("ＶＸ：ａｂｃ１２３", "vxabc123"),  # full-width
        ("加我V信", "加我v信"),  # case
        ("微信號", "微信号"),  # Traditional → Simplified
        ("紅包轉賬", "红包转账"),
        ("微 信", "微信"),  # spaces
        ("微.信-号_码", "微信号码"),  # punctuation between characters
        ("微\u200b信\u200d", "微信"),  # zero-width characters
        ("微❤️信😊", "微信"),  # emoji
        ("🇻🇽", "vx"),  # regional indicator letters
        ("➕V", "加v"),  # the plus that reads as 加
        ("vх", "vx"),  # Cyrillic х
        ("🧧给你", "红包给你"),
    ],
)
def test_fold_undoes_evasions(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("一三八一二三四五六七八", "13812345678"),
        ("壹叁捌贰零零零", "1382000"),
        ("①③⑧⓪", "1380"),
        ("❶❸❽", "138"),
        ("幺三八 〇零○", "138000"),
        ("１３８", "138"),
        ("陸", "6"),  # Traditional capital numeral
    ],
)
def test_numerals_become_digits(written: str, digits: str) -> None:
    assert to_digits(written) == digits


def test_common_words_stay_words() -> None:
    # 么 is Simplified in its own right: OpenCC's t2s would make it 幺 (and so 什么 → 什1)
    assert fold("什么时候发货？") == "什么时候发货"


def test_offsets_map_back_to_the_original() -> None:
    original = "加我 薇 信：ＡＢＣ１２３ 谢谢"
    normalised = normalise(original)
    assert normalised.text == fold(original)
    start = normalised.text.index("薇信")
    first, last = normalised.span(start, start + 2)
    assert original[first:last] == "薇 信"
    start = normalised.text.index("abc123")
    first, last = normalised.span(start, start + 6)
    assert original[first:last] == "ＡＢＣ１２３"


def test_one_character_can_fold_to_several() -> None:
    normalised = normalise("号⑩")
    assert normalised.text == "号10"
    assert normalised.span(1, 3) == (1, 2)


def test_empty_and_separator_only_text() -> None:
    assert normalise("").text == ""
    assert normalise(" ，。！").text == ""
