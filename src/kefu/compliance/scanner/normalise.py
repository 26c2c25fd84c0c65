"""Folding chat text into the form the lexicon and the recognisers match against.

Almost every evasion we fold is a per-character rewrite, so the fold is one table from a character
to its folded string (possibly empty):

- NFKC (full-width ｖｘ１３８ → vx138, circled ① → 1, math 𝐯 → v), lower case, tone marks and accents
  off Latin letters (Wēixìn → weixin);
- Traditional → Simplified (OpenCC, character level: 微信號 → 微信号, 紅包 → 红包);
- numerals used to spell numbers → digits (一二三, 壹贰叁, 〇/零/○, 幺 两 洞 拐 勾, ❶➀, other scripts' digits);
- look-alike letters (Cyrillic х, Greek ν …) → Latin, 🇻/🅥 → v, ➕/+ → 加 ("➕V"), emoji that stand for
  a word (🧧 → 红包, 🐧 → 企鹅, 📞 → 电话);
- separators removed: spaces, punctuation, symbols, emoji, zero-width and other format characters,
  combining marks, stroke radicals (V丶x) — whatever an evader slips between the characters of 微 信.

Two rewrites look at neighbours: o and l between digits are 0 and 1 (138o0886245), and digits read
out in pinyin or English (yao ba liu, one 三八 two 零) become digits when set apart by separators.

Multi-character variants and homophones (薇信, 威信, vx, 绿泡泡, 扣扣 …) are folded by the lexicon: the
automaton maps each variant to its category, which keeps this table independent of the policy.

`fold()` is the fast form (one `str.translate`, in C); `normalise()` also returns the offset map from
each folded character back to the original text, and runs only for messages that hit something.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

from kefu.compliance.scanner.frequency import GENERAL, SHOP_CHAT

# Characters above this are looked up in a small dict (they are few: tags, variation selectors).
_TABLE_SIZE = 0x40000
_HIGH_RANGES = ((0xE0000, 0xE0080), (0xE0100, 0xE01F0))

NUMERAL_DIGITS: dict[str, str] = {
    **dict.fromkeys("〇零○◯洞", "0"),  # 洞 幺 两 拐 勾: digits as radio operators read them out
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰两", "2"),  # 两: "幺三两八…" reads a 2 out loud; 两件 → 2件 changes no rule
    **dict.fromkeys("三叁", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"),
    **dict.fromkeys("七柒拐", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖勾", "9"),
}

# Letters that look Latin in a chat window (Cyrillic and Greek), as typed to dodge "vx" or "qq".
CONFUSABLE_LETTERS: dict[str, str] = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ω": "w", "ς": "σ",
}  # fmt: skip

# Emoji that stand for a word in chat (🟢 for the green app, 🐧 for QQ's penguin, 📞 for "phone").
SYMBOL_WORDS: dict[str, str] = {
    "🧧": "红包", "🟢": "绿", "🛰": "卫星", "🐧": "企鹅", "📞": "电话", "☎": "电话", "📱": "手机",
}  # fmt: skip
# Stroke radicals typed as separators (V丶x, 微丿信): never part of a chat word.
STROKE_SEPARATORS = "丶丿乀亅〆"

# "➕我V" and "+vx": a plus stands for 加 (add).
PLUS_SIGNS = "+➕✚✙﹢"
KEPT_SYMBOLS = "@"  # e-mail addresses (Alipay and QQ accounts)

_DELETED_CATEGORIES = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"}) | frozenset(
    {"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Mn", "Mc", "Me"}
)


def _letter_from_name(char: str) -> str | None:
    """🇻 REGIONAL INDICATOR SYMBOL LETTER V, 🅥 NEGATIVE CIRCLED LATIN CAPITAL LETTER V → "v"."""
    name = unicodedata.name(char, "")
    if ("LETTER " in name) and (name.startswith("REGIONAL INDICATOR") or "LATIN CAPITAL LETTER" in name):
        last = name.rsplit(" ", 1)[-1]
        if len(last) == 1 and "A" <= last <= "Z":
            return last.lower()
    return None


def _digits_from_numeric(char: str) -> str | None:
    """❶ ➀ ➊ ⓫ and other digits that NFKC leaves alone but a reader sees as a number."""
    decimal = unicodedata.decimal(char, None)
    if decimal is not None:
        return str(decimal)
    if unicodedata.category(char) in {"No", "Nl"}:
        value = unicodedata.numeric(char, None)
        if value is not None and value == int(value) and 0 <= value <= 50:
            return str(int(value))
    return None


def _fold_one(char: str, simplified: dict[str, str]) -> str:
    out = []
    folded = unicodedata.normalize("NFKC", char).lower()
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    if stripped.isascii() and stripped.isalpha():
        folded = stripped  # Wēixìn → weixin: tone marks and accents on Latin letters
    for piece in folded:
        piece = simplified.get(piece, piece)
        piece = NUMERAL_DIGITS.get(piece, piece)
        piece = CONFUSABLE_LETTERS.get(piece, piece)
        if piece in SYMBOL_WORDS:
            out.append(SYMBOL_WORDS[piece])
            continue
        if piece in PLUS_SIGNS:
            out.append("加")
            continue
        if piece in KEPT_SYMBOLS or (piece.isdigit() and piece.isascii()):
            out.append(piece)
            continue
        category = unicodedata.category(piece)
        if category == "Nd" or category in {"No", "Nl", "So"}:
            replacement = _digits_from_numeric(piece) if category != "So" else None
            replacement = replacement or _letter_from_name(piece)
            if replacement is not None:
                out.append(replacement)
                continue
        if category in _DELETED_CATEGORIES or piece in STROKE_SEPARATORS:
            continue
        out.append(piece)
    return "".join(out)


def _opencc_simplified() -> dict[str, str]:
    """Character-level Traditional → Simplified from OpenCC (t2s, plus Taiwan and Hong Kong variants)."""
    sources = [chr(cp) for cp in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00))]
    joined = "\n".join(sources)
    # A character that is itself the Simplified form of something (么 → 麼) stays: t2s would turn
    # 么 into 幺 and so 什么 into 什1.
    traditional_of = opencc.OpenCC("s2t").convert(joined).split("\n")
    simplified_forms = (
        {source for source, target in zip(sources, traditional_of, strict=False) if target != source}
        | set(SHOP_CHAT)
        | set(GENERAL)
    )
    mapping: dict[str, str] = {}
    for config in ("hk2s", "tw2s", "t2s"):  # t2s last: it wins where they differ
        converted = opencc.OpenCC(config).convert(joined).split("\n")
        if len(converted) != len(sources):  # pragma: no cover - OpenCC keeps newlines
            raise RuntimeError(f"OpenCC {config} changed the number of lines")
        for source, target in zip(sources, converted, strict=True):
            if target != source and len(target) == 1 and source not in simplified_forms:
                mapping[source] = target
    return mapping


@dataclass(frozen=True, slots=True)
class FoldTables:
    """The per-character fold and what the fast path needs to know about it."""

    table: list[int | str | None]  # index = code point; str.translate table
    high: dict[int, str | None]  # the few characters above _TABLE_SIZE that fold
    preimages: dict[str, frozenset[str]]  # folded character → the characters that fold to it (not itself)
    deleted: frozenset[str]  # characters that fold to nothing (separators)
    single_digit: frozenset[str]  # characters that fold to exactly one digit (not ASCII digits)
    multi_digit: frozenset[str]  # characters that fold to two or more characters including a digit


@cache
def fold_tables() -> FoldTables:
    """Build the fold once per process (about half a second); every policy version shares it."""
    simplified = _opencc_simplified()
    table: list[int | str | None] = list(range(_TABLE_SIZE))
    high: dict[int, str | None] = {}
    preimages: dict[str, set[str]] = {}
    deleted: set[str] = set()
    single_digit: set[str] = set()
    multi_digit: set[str] = set()
    code_points = [*range(_TABLE_SIZE), *(cp for lo, hi in _HIGH_RANGES for cp in range(lo, hi))]
    for cp in code_points:
        char = chr(cp)
        if unicodedata.category(char) == "Cn":
            continue
        folded = _fold_one(char, simplified)
        if folded == char:
            continue
        if cp < _TABLE_SIZE:
            table[cp] = folded or None
        else:
            high[cp] = folded or None
        if not folded:
            deleted.add(char)
            continue
        for piece in set(folded):
            preimages.setdefault(piece, set()).add(char)
        digit_count = sum(piece.isdigit() for piece in folded)
        if digit_count and len(folded) == 1:
            single_digit.add(char)
        elif digit_count:
            multi_digit.add(char)
    return FoldTables(
        table=table,
        high=high,
        preimages={key: frozenset(value) for key, value in preimages.items()},
        deleted=frozenset(deleted),
        single_digit=frozenset(single_digit),
        multi_digit=frozenset(multi_digit),
    )


_HIGH_CHAR = re.compile("[\U00040000-\U0010ffff]")


# A letter o (or l) between digits is a 0 (or 1) typed to break a number: 138o0886245. One character
# for one, so the offset map is unchanged.
_LETTER_DIGIT = re.compile("(?<=[0-9])[ol](?=[0-9])")


def _letter_digit(found: re.Match[str]) -> str:
    return "0" if found.group() == "o" else "1"


# Digits read out in pinyin or English (yao ba liu er…, one 三八 two 零): a run of at least four digits
# and digit words, two of them words at least, becomes digits. Spaces are gone by then, so the run is
# one string of letters; four digit words in a row are not ordinary pinyin or English.
_DIGIT_WORDS = {
    "ling": "0", "yao": "1", "yi": "1", "er": "2", "liang": "2", "san": "3", "si": "4", "wu": "5", "liu": "6",
    "qi": "7", "ba": "8", "jiu": "9", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_DIGIT_TOKEN = re.compile("|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + "|[0-9]")
_SPELLED_RUN = re.compile(f"(?:{_DIGIT_TOKEN.pattern}){{4,}}")


_ASCII_LETTER = re.compile("[a-z]")


def _has_spelled_run(folded: str) -> bool:
    return any(not run.group().isdigit() for run in _SPELLED_RUN.finditer(folded))


def _spell_digits(text: str, starts: list[int]) -> tuple[str, list[int]]:
    """Digit words → digits, with the offset map.

    A digit word counts only set apart from other letters by a separator in the original (yao ba liu,
    one三八): qiqi2021 and someone are words of their own, not digits."""
    pieces: list[str] = []
    new_starts: list[int] = []
    last = 0

    def separated(before: int, after: int) -> bool:
        """Are folded neighbours `before`, `after` not two letters, or two with a separator between?"""
        letters = text[before].isascii() and text[before].isalpha() and text[after].isascii() and text[after].isalpha()
        return not letters or starts[after] - starts[before] > 1

    for run in _SPELLED_RUN.finditer(text):
        if run.group().isdigit():
            continue  # digits only: nothing to spell (and a long number costs no Python loop)
        tokens = list(_DIGIT_TOKEN.finditer(text, run.start(), run.end()))
        words = [token for token in tokens if len(token.group()) > 1]
        if len(words) < 2 or not all(
            (token.start() == 0 or separated(token.start() - 1, token.start()))
            and (token.end() == len(text) or separated(token.end() - 1, token.end()))
            for token in words
        ):
            continue
        pieces.append(text[last : run.start()])
        new_starts.extend(starts[last : run.start()])
        # the first digit maps to where its word starts, the others to where theirs end: a match over
        # the run then spans whole words (yao … yi)
        new_starts.append(starts[tokens[0].start()])
        new_starts.extend(starts[token.end() - 1] for token in tokens[1:])
        pieces.append("".join(_DIGIT_WORDS.get(token.group(), token.group()) for token in tokens))
        last = run.end()
    if not pieces:
        return text, starts
    pieces.append(text[last:])
    new_starts.extend(starts[last:])
    return "".join(pieces), new_starts


def fold_chars(text: str) -> str:
    """The character-by-character fold: one folded string per original character."""
    tables = fold_tables()
    folded = text.translate(tables.table)
    if _HIGH_CHAR.search(folded):  # tags and variation selectors beyond the list table
        folded = folded.translate(tables.high)
    if "o" in folded or "l" in folded:
        folded = _LETTER_DIGIT.sub(_letter_digit, folded)
    return folded


def fold(text: str) -> str:
    """The folded form of `text`, without an offset map (all in C for ordinary text)."""
    folded = fold_chars(text)
    if _ASCII_LETTER.search(folded) is None or not _has_spelled_run(folded):
        return folded  # most chat has no Latin letters at all, so no digit words
    return normalise(text).text  # digit words: whether they count depends on separators in the original


@dataclass(frozen=True, slots=True)
class Normalised:
    """Folded text plus, for each folded character, the span of the original character it came from."""

    original: str
    text: str
    starts: tuple[int, ...]  # starts[i]: offset in `original` of the character that produced text[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded span [start, end) back to the original text."""
        if start >= end:
            raise ValueError("empty span")
        return self.starts[start], self.starts[end - 1] + 1


@cache
def _irregular_chars() -> re.Pattern[str]:
    """Characters that do not fold to exactly one character (separators, ⑩, 🧧 …); astral ones all."""
    tables = fold_tables()
    irregular = {
        chr(cp)
        for cp, mapped in enumerate(tables.table)
        if mapped is None or (isinstance(mapped, str) and len(mapped) != 1)
    }
    bmp = sorted(char for char in irregular if ord(char) < 0x10000)
    parts = []
    index = 0
    while index < len(bmp):
        end = index
        while end + 1 < len(bmp) and ord(bmp[end + 1]) == ord(bmp[end]) + 1:
            end += 1
        parts.append(re.escape(bmp[index]) if end == index else f"{re.escape(bmp[index])}-{re.escape(bmp[end])}")
        index = end + 1
    return re.compile("[" + "".join(parts) + "\U00010000-\U0010ffff]")


def normalise(text: str) -> Normalised:
    """Fold `text` and keep the offset map.

    Most characters fold to exactly one character, so offsets only shift at the few that fold to
    none or several: the loop runs over those, not over every character.
    """
    tables = fold_tables()
    table, high = tables.table, tables.high
    folded = fold_chars(text)
    if len(folded) == len(text) and _irregular_chars().search(text) is None:
        if _ASCII_LETTER.search(folded) is None or not _has_spelled_run(folded):
            return Normalised(original=text, text=folded, starts=tuple(range(len(text))))
        spelled, spelled_starts = _spell_digits(folded, list(range(len(text))))
        return Normalised(original=text, text=spelled, starts=tuple(spelled_starts))
    starts: list[int] = []
    previous = 0
    for found in _irregular_chars().finditer(text):
        index = found.start()
        starts.extend(range(previous, index))
        char = text[index]
        cp = ord(char)
        mapped = table[cp] if cp < _TABLE_SIZE else high.get(cp, char)
        if isinstance(mapped, str):
            starts.extend([index] * len(mapped))
        elif isinstance(mapped, int):
            starts.append(index)
        previous = index + 1
    starts.extend(range(previous, len(text)))
    if len(starts) != len(folded):  # pragma: no cover - the two walks agree by construction
        raise AssertionError("offset map out of step with the folded text")
    spelled, spelled_starts = _spell_digits(folded, starts)
    return Normalised(original=text, text=spelled, starts=tuple(spelled_starts))


def to_digits(text: str) -> str:
    """Digits of `text` after folding (一三八 → 138), dropping everything else."""
    return "".join(char for char in fold(text) if char.isdigit())
