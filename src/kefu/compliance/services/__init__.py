"""Writes of the compliance app, one module per entity group; import from here."""

from kefu.compliance.services.cases import score_entry_add, violation_case_act
from kefu.compliance.services.events import record_message_event
from kefu.compliance.services.finance import finance_import, finance_record_create, finance_record_from_payment
from kefu.compliance.services.positive import (
    honours_award,
    honours_monthly_sweep,
    positive_event_report,
    positive_event_verify,
)

__all__ = [
    "finance_import",
    "finance_record_create",
    "finance_record_from_payment",
    "honours_award",
    "honours_monthly_sweep",
    "positive_event_report",
    "positive_event_verify",
    "record_message_event",
    "score_entry_add",
    "violation_case_act",
]
