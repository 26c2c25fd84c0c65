"""Time-boxed contests with a rule, a live leaderboard and recorded winners (seed 002: 劳动竞赛)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.models import Employee, OrgUnit


class ContestRule(models.TextChoices):
    MOST_POINTS = "most_points", _("积分最多")
    BEST_QA = "best_qa", _("质检平均分最高")
    ZERO_VIOLATIONS = "zero_violations", _("零违规且积分最多")


class ContestStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Contest(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("参赛范围"))
    name = models.CharField(_("名称"), max_length=100)
    rule = models.CharField(_("规则"), max_length=30, choices=ContestRule.choices)
    starts_on = models.DateField(_("开始"))
    ends_on = models.DateField(_("结束"))  # inclusive
    winners_count = models.PositiveSmallIntegerField(_("获奖人数"), default=3)
    prize = models.CharField(_("奖励"), max_length=200, blank=True)
    min_qa_samples = models.PositiveSmallIntegerField(_("最少质检次数"), default=1)
    status = models.CharField(_("状态"), max_length=20, choices=ContestStatus.choices, default=ContestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("劳动竞赛")
        verbose_name_plural = _("劳动竞赛")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="perf_contest_dates")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ContestWinner(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="winners")
    rank = models.PositiveSmallIntegerField(_("名次"))
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("成绩"), max_digits=14, decimal_places=3)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contest", "rank"]
        constraints = [models.UniqueConstraint(fields=["contest", "rank"], name="perf_contest_rank")]

    def __str__(self) -> str:
        return f"{self.contest} #{self.rank}"
