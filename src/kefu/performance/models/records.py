"""Work records (from imports and kefu's own channel), QA scores, and the points ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.append_only import AppendOnlyModel
from kefu.org.models import Employee
from kefu.performance.models.types import BusinessType, Indicator, milli_to_points

__all__ = [
    "ImportBatch",
    "Indicator",
    "Outcome",
    "PointEntry",
    "PointRun",
    "QualityScore",
    "SourceSystem",
    "WorkDayTotal",
    "WorkRecord",
    "indicator_columns",
]


class SourceSystem(models.TextChoices):
    PHONE = "phone", _("话务系统")
    TICKET = "ticket", _("工单系统")
    ATTENDANCE = "attendance", _("工时系统")
    SALES = "sales", _("营销系统")
    QA = "qa", _("质检系统")
    CHANNEL = "channel", _("kefu 官方渠道")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("已解决")
    TRANSFERRED = "transferred", _("已转接")
    FOLLOW_UP = "follow_up", _("待跟进")
    SOLD = "sold", _("成交")
    INVALID = "invalid", _("无效")  # counts no points (e.g. silent or test calls)


class ImportBatch(models.Model):
    """One imported file; the same file (same hash) imported again is a no-op."""

    source_system = models.CharField(_("来源系统"), max_length=20, choices=SourceSystem.choices)
    kind = models.CharField(max_length=20, default="work")  # "work" or "quality"
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("行数"))
    created = models.PositiveIntegerField(_("新增"))
    unchanged = models.PositiveIntegerField(_("已导入过"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    # Import batches are scoped to the unit of the person who imported them.
    unit_path = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.get_source_system_display()} {self.filename}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit_path


class WorkRecord(models.Model):
    agent = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="work_records", verbose_name=_("客服"))
    business_type = models.ForeignKey(BusinessType, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始时间"))
    # The local (Asia/Shanghai) calendar day of started_at, kept so the ledger groups by a plain column.
    work_date = models.DateField(_("日期"))
    handle_seconds = models.PositiveIntegerField(_("处理时长（秒）"))
    acw_seconds = models.PositiveIntegerField(_("后续处理时长（秒）"), default=0)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    sale_fen = models.BigIntegerField(_("成交金额（分）"), default=0)
    source_system = models.CharField(_("来源系统"), max_length=20, choices=SourceSystem.choices)
    source_id = models.CharField(_("来源编号"), max_length=80)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("工作记录")
        verbose_name_plural = _("工作记录")
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="perf_work_record_source"),
            models.CheckConstraint(condition=models.Q(sale_fen__gte=0), name="perf_work_record_sale_gte_0"),
        ]
        # Records by day and agent (agent pages, recalibration); the points run reads WorkDayTotal instead.
        indexes = [
            models.Index(
                fields=["work_date", "agent", "business_type", "outcome", "sale_fen"], name="perf_work_day_agent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_system_display()} {self.source_id}"

    @property
    def scope_unit_path(self) -> str:
        return self.agent.unit.path


class WorkDayTotal(models.Model):
    """Work records summed per day, agent and business type: what the points run reads.

    Kept by database triggers on the work-record table (see performance/rollup.py), so every way a
    record arrives — import, channel, bulk load, raw SQL — updates it in the same transaction. A month
    of points then reads one row per cell (agent × day × type) instead of every record.
    """

    work_date = models.DateField()
    agent = models.ForeignKey(Employee, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    business_type = models.ForeignKey(BusinessType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    records = models.BigIntegerField(default=0)
    invalid_records = models.BigIntegerField(default=0)
    sale_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("工作量日汇总")
        verbose_name_plural = _("工作量日汇总")
        constraints = [
            models.UniqueConstraint(fields=["work_date", "agent", "business_type"], name="perf_work_day_total_cell")
        ]

    def __str__(self) -> str:
        return f"{self.work_date} {self.agent_id} {self.business_type_id}: {self.records}"


class QualityScore(models.Model):
    """A QA inspection result (质量考核) for one agent, from the QA system or a QA inspector in kefu."""

    agent = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="quality_scores")
    inspector = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("质检日期"))
    score = models.DecimalField(_("质检分"), max_digits=5, decimal_places=1)
    source_system = models.CharField(max_length=20, choices=SourceSystem.choices, default=SourceSystem.QA)
    source_id = models.CharField(max_length=80)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-inspected_on"]
        verbose_name = _("质检评分")
        verbose_name_plural = _("质检评分")
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="perf_quality_source"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="perf_quality_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.inspected_on} {self.score}"

    @property
    def scope_unit_path(self) -> str:
        return self.agent.unit.path


class PointRun(models.Model):
    """One run of the points computation over a date range (what the audit entry points at)."""

    start = models.DateField()
    end = models.DateField()  # inclusive
    rows_written = models.PositiveIntegerField(default=0)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(auto_now_add=True)
    unit_path = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-run_at"]

    def __str__(self) -> str:
        return f"积分计算 {self.start}–{self.end}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit_path


def indicator_columns(indicator: str) -> tuple[str, str]:
    """The ledger's (records, points_milli) columns of one workload indicator."""
    return f"{indicator}_records", f"{indicator}_points_milli"


class PointEntry(AppendOnlyModel):
    """The points ledger: one row per agent and day for each run that changed it, with the day's records
    and points in all and per workload indicator. A recomputation appends the difference between what
    the work records now give and what the ledger already holds.

    One row per agent-day (not per indicator) because a run appends hundreds of thousands of them: each
    row, index and check counts. For the same reason no database foreign keys (agent ids come from work
    records, which have them; the run is created in the same transaction) and no single-column indexes
    (the two composite ones below serve every read). The ORM still protects agents and runs from deletion.
    """

    agent = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="point_entries", db_constraint=False, db_index=False
    )
    day = models.DateField()
    records = models.IntegerField()  # delta of records counted, all indicators
    points_milli = models.BigIntegerField()  # delta, thousandths of a point, all indicators
    sale_fen = models.BigIntegerField(default=0)  # delta of sales (营销业绩), fen
    calls_records = models.IntegerField(default=0)  # 话务量
    calls_points_milli = models.BigIntegerField(default=0)
    sales_records = models.IntegerField(default=0)  # 营销业绩
    sales_points_milli = models.BigIntegerField(default=0)
    inspections_records = models.IntegerField(default=0)  # 质检工量
    inspections_points_milli = models.BigIntegerField(default=0)
    other_records = models.IntegerField(default=0)  # 其它工量
    other_points_milli = models.BigIntegerField(default=0)
    run = models.ForeignKey(
        PointRun, on_delete=models.PROTECT, related_name="entries", db_constraint=False, db_index=False
    )

    class Meta:
        ordering = ["day", "agent_id", "id"]
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        indexes = [
            models.Index(fields=["day", "agent"], name="perf_point_day_agent"),  # runs, KPI roll-ups
            models.Index(fields=["agent", "day"], name="perf_point_agent_day"),  # one agent's points
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.day} {self.points_milli:+d}"

    @property
    def points(self) -> Decimal:
        return milli_to_points(self.points_milli)
