"""Slots that downstream apps fill from their AppConfig.ready().

Performance sits above compliance on the import ladder's consumer side: the compliance app (written
later) owns the compliance score and the violation cases, and registers itself here. Until it does,
every agent has the policy's starting score (``compliance.score_start``) and no violations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from kefu.org.models import Employee
from kefu.policy import selectors as policy_selectors

ComplianceScore = Callable[[Employee, dt.date, dt.date], Decimal]
ViolationCounts = Callable[[Iterable[int], dt.date, dt.date], dict[int, int]]

_compliance_score: ComplianceScore | None = None
_violation_counts: ViolationCounts | None = None


def register_compliance_score(provider: ComplianceScore | None) -> None:
    """compliance: `provider(employee, start, end) -> score` for the period (inclusive dates)."""
    global _compliance_score
    _compliance_score = provider


def register_violation_counts(provider: ViolationCounts | None) -> None:
    """compliance: `provider(employee_ids, start, end) -> {employee_id: confirmed violations}`."""
    global _violation_counts
    _violation_counts = provider


def compliance_score(employee: Employee, start: dt.date, end: dt.date) -> Decimal:
    if _compliance_score is not None:
        return Decimal(_compliance_score(employee, start, end))
    return Decimal(policy_selectors.effective(unit=employee.unit, key="compliance.score_start"))


def violation_counts(employee_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, int]:
    if _violation_counts is not None:
        return dict(_violation_counts(list(employee_ids), start, end))
    return {}
