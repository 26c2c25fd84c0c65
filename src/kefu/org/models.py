from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core import scopes
from kefu.core.append_only import AppendOnlyModel


class UnitKind(models.TextChoices):
    GROUP = "group", _("集团")
    BRANCH = "branch", _("分公司")
    CENTRE = "centre", _("客服中心")
    DEPARTMENT = "department", _("部门")
    TEAM = "team", _("班组")


# Depth order of the hierarchy: a unit's parent must be of an earlier kind.
UNIT_DEPTH = {kind: depth for depth, kind in enumerate(UnitKind.values)}


class OrgUnit(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # "/1/4/9/": ids from the group down; "inside a unit" is a prefix test (see core.scopes).
    path = models.CharField(max_length=255, unique=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="org_unit_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit_path(self) -> str:
        return self.path

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestor_ids(self) -> list[int]:
        """Ids from the group down to this unit itself."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Position(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(_("岗位"), max_length=50)
    # Used later to weight reviews and indicators by seniority (seed 004: 60–70% vs 40–50%).
    level = models.PositiveSmallIntegerField(_("职级"))

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")

    def __str__(self) -> str:
        return str(self.name)


class EmploymentStatus(models.TextChoices):
    PROBATION = "probation", _("试用期")
    ACTIVE = "active", _("在职")
    ON_LEAVE = "on_leave", _("休假")
    LEFT = "left", _("离职")


class Employee(models.Model):
    employee_no = models.CharField(_("工号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("所属单元"))
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+", verbose_name=_("岗位"))
    hire_date = models.DateField(_("入职日期"))
    base_salary = models.DecimalField(_("基本工资"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    # Optimistic lock: two HR people editing the same file cannot both win.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        constraints = [models.CheckConstraint(condition=models.Q(base_salary__gte=0), name="employee_salary_gte_0")]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path

    def tenure_months(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        months = (on.year - self.hire_date.year) * 12 + on.month - self.hire_date.month
        if on.day < self.hire_date.day:
            months -= 1
        return max(months, 0)

    @property
    def tenure_label(self) -> str:
        years, months = divmod(self.tenure_months(), 12)
        return f"{years}年{months}个月" if years else f"{months}个月"


class EmployeeTransfer(AppendOnlyModel):
    """History of moves between units and positions; the employee row holds only the current state."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    from_position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    to_position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("调动记录")
        verbose_name_plural = _("调动记录")

    def __str__(self) -> str:
        return f"{self.employee}: {self.from_unit} → {self.to_unit}"


class Role(models.TextChoices):
    AGENT = scopes.AGENT, _("客服")
    TEAM_LEAD = scopes.TEAM_LEAD, _("组长")
    QA = scopes.QA, _("质检")
    COMPLAINTS_OFFICER = scopes.COMPLAINTS_OFFICER, _("投诉专员")
    FINANCE = scopes.FINANCE, _("财务")
    BRANCH_HR = scopes.BRANCH_HR, _("分公司人事")
    HQ_ADMIN = scopes.HQ_ADMIN, _("集团管理员")


class RoleAssignment(models.Model):
    """A role bound to an org unit: the unit bounds what the role reaches (see core.scopes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="role_assignments")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path
