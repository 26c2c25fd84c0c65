"""Performance data: business types and coefficients, work records, the points ledger, KPI tree,
reviews and contests. One module per area; everything is importable from here."""

from kefu.performance.models.contests import Contest, ContestRule, ContestStatus, ContestWinner
from kefu.performance.models.kpi import KpiMetric, KpiNode
from kefu.performance.models.records import (
    ImportBatch,
    Indicator,
    Outcome,
    PointEntry,
    PointRun,
    QualityScore,
    SourceSystem,
    WorkDayTotal,
    WorkRecord,
)
from kefu.performance.models.reviews import (
    PeriodKind,
    PeriodStatus,
    RaterKind,
    Rating,
    Review,
    ReviewPeriod,
    ReviewStatus,
    ScoreTemplate,
    WorkLog,
    WorkLogKind,
)
from kefu.performance.models.types import (
    BusinessType,
    CoefficientLine,
    CoefficientRate,
    CoefficientVersion,
    VersionStatus,
)

__all__ = [
    "BusinessType",
    "CoefficientLine",
    "CoefficientRate",
    "CoefficientVersion",
    "Contest",
    "ContestRule",
    "ContestStatus",
    "ContestWinner",
    "ImportBatch",
    "Indicator",
    "KpiMetric",
    "KpiNode",
    "Outcome",
    "PeriodKind",
    "PeriodStatus",
    "PointEntry",
    "PointRun",
    "QualityScore",
    "RaterKind",
    "Rating",
    "Review",
    "ReviewPeriod",
    "ReviewStatus",
    "ScoreTemplate",
    "SourceSystem",
    "VersionStatus",
    "WorkDayTotal",
    "WorkLog",
    "WorkLogKind",
    "WorkRecord",
]
