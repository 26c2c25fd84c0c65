"""Business types and their point coefficients.

A coefficient is derived, never typed in: (standard handle + after-call work seconds) of the type,
divided by the same for the department's base type, times the type's difficulty factor relative to
the base. Seed 002: an inquiry (< 60 s, no follow-up) is the base = 1 point; a complaint (120 s +
60 s follow-up) takes three times as long = 3 points. Coefficients are stored in thousandths of a
point (integers), so sums in SQL are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.models import OrgUnit

MILLI = Decimal(1000)


def derive_coefficient_milli(
    *, handle_seconds: Decimal | int, acw_seconds: Decimal | int, base_seconds: Decimal | int, difficulty: Decimal
) -> int:
    """Thousandths of a point per record: time ratio to the base type times the difficulty factor."""
    if Decimal(base_seconds) <= 0:
        raise ValueError("the base type needs a positive standard time")
    ratio = (Decimal(handle_seconds) + Decimal(acw_seconds)) / Decimal(base_seconds)
    return int((ratio * difficulty * MILLI).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def milli_to_points(milli: int | None) -> Decimal:
    return (Decimal(milli or 0) / MILLI).quantize(Decimal("0.001"))


class Indicator(models.TextChoices):
    """Workload indicators (seed 002): what a business type's points count towards."""

    CALLS = "calls", _("话务量")
    SALES = "sales", _("营销业绩")
    INSPECTIONS = "inspections", _("质检工量")
    OTHER = "other", _("其它工量")


class BusinessType(models.Model):
    department = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="business_types", verbose_name=_("部门")
    )
    code = models.CharField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    indicator = models.CharField(_("工作量指标"), max_length=20, choices=Indicator.choices, default=Indicator.CALLS)
    is_base = models.BooleanField(_("基准业务"), default=False)
    standard_handle_seconds = models.PositiveIntegerField(_("标准处理时长（秒）"))
    standard_acw_seconds = models.PositiveIntegerField(_("标准后续处理时长（秒）"), default=0)
    difficulty = models.DecimalField(_("难度系数"), max_digits=5, decimal_places=2, default=Decimal("1.00"))
    coefficient_milli = models.PositiveIntegerField(_("积分系数（千分）"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["department__path", "-is_base", "code"]
        verbose_name = _("业务类型")
        verbose_name_plural = _("业务类型")
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="perf_business_type_code"),
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(is_base=True), name="perf_one_base_type_per_department"
            ),
            models.CheckConstraint(condition=models.Q(difficulty__gt=0), name="perf_business_type_difficulty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_unit_path(self) -> str:
        return self.department.path

    @property
    def standard_seconds(self) -> int:
        return self.standard_handle_seconds + self.standard_acw_seconds

    @property
    def coefficient(self) -> Decimal:
        return milli_to_points(self.coefficient_milli)


class VersionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class CoefficientVersion(models.Model):
    """One recalibration of a department's coefficients: proposed from measured work, then decided."""

    department = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PROPOSED)
    months = models.PositiveSmallIntegerField(_("取样月数"))
    window_start = models.DateField(_("取样开始"))
    window_end = models.DateField(_("取样结束（不含）"))
    effective_from = models.DateField(_("生效日期"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["department__path", "-number"]
        verbose_name = _("系数版本")
        verbose_name_plural = _("系数版本")
        constraints = [models.UniqueConstraint(fields=["department", "number"], name="perf_coefficient_version")]

    def __str__(self) -> str:
        return f"{self.department.name} 系数版本 v{self.number}"

    @property
    def scope_unit_path(self) -> str:
        return self.department.path


class CoefficientLine(models.Model):
    version = models.ForeignKey(CoefficientVersion, on_delete=models.CASCADE, related_name="lines")
    business_type = models.ForeignKey(BusinessType, on_delete=models.PROTECT, related_name="+")
    samples = models.PositiveIntegerField(_("样本数"))
    old_handle_seconds = models.PositiveIntegerField()
    old_acw_seconds = models.PositiveIntegerField()
    new_handle_seconds = models.PositiveIntegerField()
    new_acw_seconds = models.PositiveIntegerField()
    difficulty = models.DecimalField(max_digits=5, decimal_places=2)
    old_milli = models.PositiveIntegerField()
    new_milli = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "business_type__code"]
        constraints = [models.UniqueConstraint(fields=["version", "business_type"], name="perf_coefficient_line")]

    def __str__(self) -> str:
        return f"{self.business_type}: {self.old_milli} → {self.new_milli}"

    @property
    def old_coefficient(self) -> Decimal:
        return milli_to_points(self.old_milli)

    @property
    def new_coefficient(self) -> Decimal:
        return milli_to_points(self.new_milli)

    @property
    def change_percent(self) -> Decimal:
        if not self.old_milli:
            return Decimal(0)
        return ((Decimal(self.new_milli) / Decimal(self.old_milli) - 1) * 100).quantize(Decimal("0.1"))


class CoefficientRate(models.Model):
    """The coefficient a type had from a date on; the points run joins on [effective_from, effective_to)."""

    business_type = models.ForeignKey(BusinessType, on_delete=models.PROTECT, related_name="rates")
    coefficient_milli = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    version = models.ForeignKey(CoefficientVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["business_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["business_type", "effective_from"], name="perf_rate_from"),
        ]

    def __str__(self) -> str:
        return f"{self.business_type_id}@{self.effective_from}: {self.coefficient_milli}"
