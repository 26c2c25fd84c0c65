"""Reviews: periods, score-sheet templates, several raters per employee, calibration, sign-off, lock.
Non-quantifiable roles hand in work logs and plans that their lead rates (seed 004)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.models import Employee, OrgUnit


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("月度")
    QUARTERLY = "quarterly", _("季度")
    ANNUAL = "annual", _("年度")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("评分中")
    CALIBRATING = "calibrating", _("校准中")
    LOCKED = "locked", _("已锁定")


class ReviewPeriod(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元"))
    kind = models.CharField(_("类型"), max_length=20, choices=PeriodKind.choices)
    label = models.CharField(_("名称"), max_length=60)
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"))  # inclusive
    status = models.CharField(_("状态"), max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-start", "unit__path"]
        verbose_name = _("考核期")
        verbose_name_plural = _("考核期")
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "start"], name="perf_review_period_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ScoreTemplate(models.Model):
    """A score sheet: items with weights (must sum to 100%), for one position level group."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    senior = models.BooleanField(_("高级岗位"), default=False)
    # [{"name": "业务技能", "weight": "0.65", "skill": true}, ...]
    items = models.JSONField(_("评分项"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("评分表模板")
        verbose_name_plural = _("评分表模板")

    def __str__(self) -> str:
        return self.name


class ReviewStatus(models.TextChoices):
    RATING = "rating", _("评分中")
    CALIBRATED = "calibrated", _("已校准")
    SIGNED = "signed", _("员工已确认")


class Review(models.Model):
    period = models.ForeignKey(ReviewPeriod, on_delete=models.PROTECT, related_name="reviews")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="reviews")
    template = models.ForeignKey(ScoreTemplate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.RATING)
    weighted_score = models.DecimalField(_("加权得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    calibrated_score = models.DecimalField(_("校准后得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    calibration_note = models.CharField(_("校准说明"), max_length=200, blank=True)
    employee_comment = models.CharField(_("员工意见"), max_length=500, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "employee__employee_no"]
        verbose_name = _("绩效考核")
        verbose_name_plural = _("绩效考核")
        constraints = [models.UniqueConstraint(fields=["period", "employee"], name="perf_review_unique")]

    def __str__(self) -> str:
        return f"{self.period.label} · {self.employee.name}"

    @property
    def scope_unit_path(self) -> str:
        return self.employee.unit.path

    @property
    def final_score(self) -> Decimal | None:
        return self.calibrated_score if self.calibrated_score is not None else self.weighted_score


class RaterKind(models.TextChoices):
    LEAD = "lead", _("组长")
    QA = "qa", _("质检")
    PEER = "peer", _("同事")
    SELF = "self", _("本人")


class Rating(models.Model):
    """One rater's score sheet for one review; pending until submitted."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    rater_kind = models.CharField(_("评分人类型"), max_length=10, choices=RaterKind.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField(_("各项得分"), default=dict)  # item name -> 0..100
    total = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "rater_kind", "id"]
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["review", "rater"], name="perf_rating_one_per_rater")]

    def __str__(self) -> str:
        return f"{self.review} · {self.get_rater_kind_display()}"

    @property
    def scope_unit_path(self) -> str:
        return self.review.employee.unit.path


class WorkLogKind(models.TextChoices):
    LOG = "log", _("工作日志")
    PLAN = "plan", _("工作计划")


class WorkLog(models.Model):
    """For roles whose output cannot be counted (seed 004: 推广、美工、策划…): logs and plans the lead rates."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="work_logs")
    period = models.ForeignKey(ReviewPeriod, on_delete=models.PROTECT, related_name="work_logs")
    kind = models.CharField(_("类型"), max_length=10, choices=WorkLogKind.choices)
    content = models.TextField(_("内容"))
    submitted_at = models.DateTimeField(auto_now_add=True)
    rating = models.PositiveSmallIntegerField(_("组长评分"), null=True, blank=True)  # 0..100
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("工作日志与计划")
        verbose_name_plural = _("工作日志与计划")

    def __str__(self) -> str:
        return f"{self.employee.name} {self.get_kind_display()}"

    @property
    def scope_unit_path(self) -> str:
        return self.employee.unit.path
