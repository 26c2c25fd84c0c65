"""Writes of complaints, one module per concern; import from here."""

from kefu.complaints.services.actions import complaint_act
from kefu.complaints.services.intake import (
    ImportResult,
    complaint_from_conversation,
    complaint_import,
    complaint_record,
    complaint_submit_public,
)
from kefu.complaints.services.records import evidence_add, improvement_add, improvement_complete, penalty_revoke
from kefu.complaints.services.sla import SweepResult, complaint_sla_sweep

__all__ = [
    "ImportResult",
    "SweepResult",
    "complaint_act",
    "complaint_from_conversation",
    "complaint_import",
    "complaint_record",
    "complaint_sla_sweep",
    "complaint_submit_public",
    "evidence_add",
    "improvement_add",
    "improvement_complete",
    "penalty_revoke",
]
