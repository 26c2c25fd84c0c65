"""The KPI tree: centre targets broken down to departments and then to employees (seed 002, SMART)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.models import Employee, OrgUnit


class KpiMetric(models.TextChoices):
    POINTS = "points", _("绩效积分")
    CALLS = "calls", _("话务量（条）")
    SALES = "sales", _("营销业绩（元）")
    INSPECTIONS = "inspections", _("质检工量（条）")
    QA_SCORE = "qa_score", _("质检平均分")
    MANUAL = "manual", _("人工填报")


class KpiNode(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="kpi_nodes")
    # Copied from the unit (or the employee's unit) so the tree can be scoped with one prefix test.
    unit_path = models.CharField(max_length=255)
    name = models.CharField(_("指标名称"), max_length=100)
    metric = models.CharField(_("度量"), max_length=20, choices=KpiMetric.choices)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=4)  # share among siblings, 0..1
    unit_label = models.CharField(_("单位"), max_length=20)
    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"))  # inclusive
    # SMART (seed 002): specific, measurable, achievable, relevant, time-bound.
    specific = models.CharField(_("具体"), max_length=200, blank=True)
    measurable = models.CharField(_("可衡量"), max_length=200, blank=True)
    achievable = models.CharField(_("可实现"), max_length=200, blank=True)
    relevant = models.CharField(_("相关性"), max_length=200, blank=True)
    time_bound = models.CharField(_("时限"), max_length=200, blank=True)
    manual_actual = models.DecimalField(_("填报实际值"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["unit_path", "id"]
        verbose_name = _("KPI 指标")
        verbose_name_plural = _("KPI 指标")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gt=0), name="perf_kpi_target_gt_0"),
            models.CheckConstraint(condition=models.Q(weight__gt=0, weight__lte=1), name="perf_kpi_weight_0_1"),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(employee__isnull=False), name="perf_kpi_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit_path(self) -> str:
        return self.unit_path

    @property
    def owner_label(self) -> str:
        return self.employee.name if self.employee_id and self.employee else (self.unit.name if self.unit else "")

    @property
    def weight_percent(self) -> Decimal:
        return (self.weight * 100).quantize(Decimal("0.1"))
