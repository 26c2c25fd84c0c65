"""Signal receivers: stored messages become violation events, flagged payments become finance cases, and
a policy change makes the scanner rebuild. Connected in `ComplianceConfig.ready()`; the channel is not edited."""

from __future__ import annotations

from typing import Any

from kefu.channel.models import Message, Outcome, Payment
from kefu.compliance.effective import SCANNERS


def message_stored(sender: type[Message], instance: Message, created: bool, raw: bool = False, **_: Any) -> None:
    if not created or raw:
        return
    if instance.outcome in (Outcome.WARN, Outcome.BLOCK) or (instance.reasons and instance.text):
        from kefu.compliance.services import events

        events.record_message_event(message=instance)


def payment_stored(sender: type[Payment], instance: Payment, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw and instance.is_anomaly:
        from kefu.compliance.services import finance

        finance.finance_record_from_payment(payment=instance)


def policy_changed(**kwargs: Any) -> None:
    SCANNERS.invalidate(**kwargs)
