"""Slots that downstream apps fill: the channel must screen every message, the compliance app owns how.

The compliance app calls ``hooks.screen_message.register(its_screener)`` from its ``AppConfig.ready()``
(and other downstream apps add conversation actions and closed-conversation listeners below);
until then the default below applies the policy word lists by plain substring, so block and warn
already work end to end. A screener must not write to the database: it runs inside the send
transaction, *before* the message is stored as delivered or fanned out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kefu.org.models import OrgUnit

DELIVER, WARN, BLOCK = "deliver", "warn", "block"
_SEVERITY = {DELIVER: 0, WARN: 1, BLOCK: 2}


@dataclass(frozen=True)
class ScreenRequest:
    text: str
    sender_kind: str  # "customer" | "agent" | "system"
    unit: OrgUnit  # the conversation's unit: whose policy applies
    conversation_id: int
    customer_id: int
    sender_employee_id: int | None = None
    # The checked upload's bytes when the message carries a picture or file: a personal QR code sent as
    # an image must be judged before delivery like the same link typed as text.
    attachment: bytes | None = None
    attachment_type: str = ""


@dataclass(frozen=True)
class Screening:
    outcome: str  # deliver | warn | block
    reasons: tuple[str, ...] = ()
    notice: str = ""  # shown to the sender when blocked (policy compliance.block_message)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome not in _SEVERITY:
            raise ValueError(f"unknown screening outcome {self.outcome!r}")


Screener = Callable[[ScreenRequest], Screening]


class ScreenSlot:
    """One function slot: the last registered screener wins; `reset()` returns to the default."""

    def __init__(self, default: Screener) -> None:
        self._default = default
        self._screener: Screener = default

    def register(self, screener: Screener) -> None:
        self._screener = screener

    def reset(self) -> None:
        self._screener = self._default

    @property
    def current(self) -> Screener:
        return self._screener

    def __call__(self, request: ScreenRequest) -> Screening:
        return self._screener(request)


def _word_list_screener(request: ScreenRequest) -> Screening:
    from kefu.channel import policy_cache

    text = request.text.casefold()
    blocked = [w for w in policy_cache.effective(request.unit, "compliance.block_terms") if w.casefold() in text]
    if blocked:
        notice = policy_cache.effective(request.unit, "compliance.block_message")
        return Screening(BLOCK, tuple(f"拦截词：{w}" for w in blocked), notice=notice)
    warned = [w for w in policy_cache.effective(request.unit, "compliance.warn_terms") if w.casefold() in text]
    if warned:
        return Screening(WARN, tuple(f"预警词：{w}" for w in warned))
    return Screening(DELIVER)


screen_message = ScreenSlot(_word_list_screener)


@dataclass(frozen=True)
class ConversationAction:
    """A button beside a conversation in the agent console, offered by a downstream app."""

    label: str
    url_template: str  # "{conversation_id}" is replaced with the conversation's id


conversation_actions: list[ConversationAction] = []


def conversation_action_register(action: ConversationAction) -> None:
    if action not in conversation_actions:
        conversation_actions.append(action)


# Called after commit with each conversation that closed (by the agent, the customer or idle timeout):
# downstream apps turn the finished chat into their own records (performance: a work record).
ConversationClosed = Callable[[Any], object]  # receives the closed Conversation; the result is ignored
conversation_closed: list[ConversationClosed] = []


def conversation_closed_register(listener: ConversationClosed) -> None:
    if listener not in conversation_closed:
        conversation_closed.append(listener)
