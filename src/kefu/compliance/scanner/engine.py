"""The scanner: fast path, rules for the messages that hit, conversation window, verdict.

Per message, cheapest first:

1. trigger (one compiled regex, C): does the message contain the least common character of some
   lexicon key (in any form that folds to it), or ten digit-like characters in a row? Most messages
   stop here.
2. prescreen: fold (one `str.translate`) + the automaton + digit runs: is there a key outside the
   allowed phrases, or a number that is not an order, tracking or hotline number? Messages that only
   name 微信支付 or an order number stop here.
3. normalise with offsets and apply the context rules (recognisers.py); spans map to the original.

`scan_many` runs step 1 once over a whole batch (the messages joined), so a clean message costs no
Python at all; it gives exactly the results of calling `scan` on each message in order.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Hashable, Iterator, Sequence
from datetime import datetime
from functools import cache
from itertools import accumulate, repeat
from typing import Literal

from kefu.compliance.scanner.decide import ALLOW, Match, ScanResult, decide, matches_from_hits
from kefu.compliance.scanner.lexicon import CompiledPolicy, PolicyHolder, ScannerPolicy, char_class, default_policy
from kefu.compliance.scanner.normalise import fold, fold_chars, fold_tables, normalise
from kefu.compliance.scanner.recognisers import find_hits, merge_hits, needs_rules
from kefu.compliance.scanner.window import ConversationWindow

Speaker = Literal["agent", "customer"]
When = datetime | float | None

_JOINER = "\n"  # folds to nothing: a window's messages read as one
_REACH = 64  # characters either side of a message boundary that a match crossing it can span
_NEAR_START = 8  # a lexicon key found this close to the start may have begun in the previous message
_BARRIER = "\uffff"  # a noncharacter no pattern matches: batch messages never run into each other
_CACHED_TEXT_CHARS = 120  # texts this short recur verbatim (quick replies); their verdicts are kept
_CACHED_VERDICTS = 8192  # per policy version


@cache
def _continuation_head() -> str:
    """A message that starts (after separators) with a digit or a letter may continue the previous one."""
    tables = fold_tables()
    chars = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    chars |= tables.single_digit | tables.multi_digit
    for letter in "abcdefghijklmnopqrstuvwxyz":
        chars |= tables.preimages.get(letter, frozenset())
    return f"{char_class(tables.deleted, astral='all')}*{char_class(chars)}"


@cache
def _head_pattern() -> re.Pattern[str]:
    return re.compile(_continuation_head())


@cache
def _batch_head_pattern() -> re.Pattern[str]:
    # a literal first character lets the regex engine skip from barrier to barrier
    return re.compile(f"{_BARRIER}{_continuation_head()}")


_FILLER_TAIL = frozenset("加我你您个下的私发给留换要求报搜添到")


def _may_cross(compiled: CompiledPolicy, previous: str, text: str, earlier: Sequence[str] = ()) -> bool:
    """Could a match run across the end of `previous` into `text`? (A cheap look at both edges.)

    Yes when digits or letters run on (138 | 1234), when a lexicon key spans the edge (加我 | 微信),
    when an alias ends `previous` and an account starts `text` (我的vx是 | lily_2024), or when a key
    opens `text` right after a verb (加个 | 绿泡泡).
    """
    # the edges only: digit words need separators to count, so a dozen characters are folded as such
    before = fold_chars(previous[-12:])
    after = fold_chars(text[:12])
    if not before or not after:
        return False
    if after[0].isdigit() and not before[-1].isdigit() and earlier and _names_phone(compiled, earlier):
        return True  # 我电话186 | 后面是 | 7752 0931: more digits after a phone word a message or two back
    account_follows = after[0].isascii() and after[0].isalnum()
    if account_follows and before[-1].isascii() and before[-1].isalnum():
        return True
    if not account_follows and before[-1] not in compiled.key_inner_chars and before[-1] not in _FILLER_TAIL:
        return False  # no key can span the edge, and no account follows: the cases below cannot happen
    cut = len(before)
    for end, value in compiled.automaton.iter(before + after):
        if not value[2]:
            continue
        start = end + 1 - len(value[0])
        if start < cut <= end:
            return True
        if end < cut and end >= cut - 5 and account_follows:
            return True
        if cut <= start < cut + 3 and before[-1] in _FILLER_TAIL:
            return True
    return False


def _names_phone(compiled: CompiledPolicy, messages: Sequence[str]) -> bool:
    """Does a phone word close one of the last few messages (我电话186, 号码是)?"""
    folded = fold_chars("".join(message[-16:] for message in messages[-3:]))
    return any(value[4] and not value[2] for _, value in compiled.automaton.iter(folded))


_match_start = re.Match.start


def _symbol_position(compiled: CompiledPolicy, text: str) -> int | None:
    """Where the first emoji standing for a lexicon word (🐧, 📞) is in `text`, if any."""
    if _ASTRAL.search(text) is None:
        return None  # most messages: no character beyond the BMP at all
    found = [position for symbol in compiled.trigger_symbols if (position := text.find(symbol)) >= 0]
    return min(found) if found else None


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _occurrences(text: str, symbol: str) -> Iterator[int]:
    """Every position of `symbol` in `text` (str.find: a fast C search, no regex over the batch)."""
    position = text.find(symbol)
    while position >= 0:
        yield position
        position = text.find(symbol, position + 1)


def _seconds(at: When) -> float | None:
    if at is None:
        return None
    if isinstance(at, datetime):
        return at.timestamp()
    return float(at)


class Scanner:
    """Screens chat messages against one policy; `use_policy` swaps the policy without a restart."""

    def __init__(
        self,
        policy: ScannerPolicy | None = None,
        *,
        holder: PolicyHolder | None = None,
        window: ConversationWindow | None = None,
    ) -> None:
        self._holder = holder or PolicyHolder()
        if policy is not None or holder is None:
            self._holder.install(policy or default_policy())
        self.window = window if window is not None else ConversationWindow()

    @property
    def compiled(self) -> CompiledPolicy:
        return self._holder.current

    @property
    def policy(self) -> ScannerPolicy:
        return self._holder.current.policy

    def use_policy(self, policy: ScannerPolicy) -> None:
        """Install a new policy version (recompiles only if the version or content changed)."""
        self._holder.install(policy)

    def scan(
        self,
        text: str,
        *,
        speaker: Speaker | str = "agent",
        conversation: Hashable | None = None,
        at: When = None,
    ) -> ScanResult:
        """Judge one message; with `conversation`, also as the continuation of the speaker's last ones."""
        compiled = self._holder.current  # one policy version for the whole message
        trigger = compiled.trigger.search(text)
        symbol = None if trigger is not None else _symbol_position(compiled, text)
        result = ALLOW if trigger is None and symbol is None else self._scan_message(compiled, text)
        if conversation is None:
            return result
        key = (conversation, speaker)
        moment = _seconds(at)
        # Only a message that starts with what may continue the last one is judged joined with it; the
        # window is asked only then (a window backed by the database then costs no query).
        first_key = trigger.start() if trigger is not None else symbol
        key_near_start = first_key is not None and first_key < _NEAR_START
        if key_near_start or _head_pattern().match(text) is not None:
            previous = self.window.recent(key, at=moment)
            if previous and _may_cross(compiled, previous[-1], text, previous):
                result = self._with_window(compiled, result, previous, text)
        self.window.remember(key, text, at=moment)
        return result

    def scan_text(self, text: str) -> ScanResult:
        """Judge one message on its own (no conversation window)."""
        compiled = self._holder.current
        if compiled.trigger.search(text) is None and _symbol_position(compiled, text) is None:
            return ALLOW
        return self._scan_message(compiled, text)

    def scan_many(
        self,
        texts: Sequence[str],
        *,
        speakers: Sequence[str] | None = None,
        conversations: Sequence[Hashable | None] | None = None,
        at: Sequence[When] | None = None,
    ) -> list[ScanResult]:
        """Judge a batch in order: exactly the results of `scan` on each message, at a fraction of the cost.

        The trigger runs once over the whole batch (the messages joined with a character no pattern
        matches), so a clean message costs no Python at all; only messages the trigger picks go through
        the rules, and only messages that may continue an earlier one are judged with the window.
        """
        count = len(texts)
        for name, values in (("speakers", speakers), ("conversations", conversations), ("at", at)):
            if values is not None and len(values) != count:
                raise ValueError(f"scan_many: {name} has {len(values)} items for {count} texts")
        if count == 0:
            return []

        compiled = self._holder.current  # one policy version for the whole batch
        joined = _BARRIER.join(texts)
        # where each message starts in `joined` (C-level: no Python loop over clean messages)
        starts = list(map(operator.add, accumulate(map(len, texts), initial=0), itertools.count()))
        triggered: set[int] = set()
        near_start: set[int] = set()
        for position in itertools.chain(
            *(map(_match_start, pattern.finditer(joined)) for pattern in compiled.trigger_parts),
            *(_occurrences(joined, symbol) for symbol in compiled.trigger_symbols),
        ):
            index = bisect.bisect_right(starts, position) - 1
            triggered.add(index)
            if position - starts[index] < _NEAR_START:
                near_start.add(index)
        results = [ALLOW] * count
        for index in sorted(triggered):
            results[index] = self._scan_message(compiled, texts[index])
        if conversations is not None:
            self._window_pass(compiled, results, texts, joined, starts, near_start, speakers, conversations, at)
        return results

    def _window_pass(
        self,
        compiled: CompiledPolicy,
        results: list[ScanResult],
        texts: Sequence[str],
        joined: str,
        starts: list[int],
        near_start: set[int],
        speakers: Sequence[str] | None,
        conversations: Sequence[Hashable | None],
        at: Sequence[When] | None,
    ) -> None:
        """The conversation window for a batch, message by message exactly as `scan` does it: the window
        remembers every message, and is asked only for the messages that may continue an earlier one
        (found for the whole batch by one regex over the joined text)."""
        heads: set[int] = {0} if _head_pattern().match(texts[0]) else set()
        for position in map(_match_start, _batch_head_pattern().finditer(joined)):
            heads.add(bisect.bisect_right(starts, position))  # the barrier before the message
        keys = zip(conversations, speakers if speakers is not None else repeat("agent"), strict=False)
        moments = [_seconds(moment) for moment in at] if at is not None else None
        for index, previous in self.window.walk(keys, texts, moments, wanted=near_start | heads):
            if _may_cross(compiled, previous[-1], texts[index], previous):
                results[index] = self._with_window(compiled, results[index], previous, texts[index])

    @staticmethod
    def _scan_message(compiled: CompiledPolicy, text: str) -> ScanResult:
        verdicts = compiled.verdicts
        known = verdicts.get(text)
        if known is not None:
            return known
        result = ALLOW
        lexicon = needs_rules(fold(text), compiled)
        if lexicon is not None:
            normalised = normalise(text)
            hits = merge_hits(find_hits(normalised, compiled, lexicon))
            if hits:
                result = decide(compiled, matches_from_hits(normalised, hits))
        if len(text) <= _CACHED_TEXT_CHARS:
            if len(verdicts) >= _CACHED_VERDICTS:
                verdicts.clear()
            verdicts[text] = result
        return result

    def _with_window(self, compiled: CompiledPolicy, result: ScanResult, previous: list[str], text: str) -> ScanResult:
        """Add matches that start in earlier messages and end in this one, clipped to this message."""
        before = _JOINER.join(previous)[-_REACH:]
        joined = f"{before}{_JOINER}{text[:_REACH]}"
        offset = len(before) + 1
        if compiled.trigger.search(joined) is None:
            return result
        crossing: list[Match] = []
        for match in self._scan_message(compiled, joined).matches:
            if match.start < offset < match.end:
                end = match.end - offset
                crossing.append(Match(start=0, end=end, text=text[:end], category=match.category))
        if not crossing:
            return result
        return decide(compiled, (*result.matches, *crossing))
