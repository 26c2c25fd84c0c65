"""Staffing data: queues, contact history per interval, planned peaks, stored forecast runs with their
requirement per interval, and the roster (shifts). Every row belongs to an org unit through its queue
or its own `unit`, which is what `scope_unit_path` hands to the scopes and the audit chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.org.models import Employee, OrgUnit


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    CHAT = "chat", _("在线")


class CustomerTier(models.TextChoices):
    # Values match kefu.staffing.simulation.CustomerTier: answered in this order when agents are shared.
    KA = "ka", _("KA 大客户")
    VIP = "vip", _("VIP")
    NORMAL = "normal", _("普通")


class HistorySource(models.TextChoices):
    CSV = "csv", _("CSV 导入")
    API = "api", _("接口")
    CHANNEL = "channel", _("官方渠道")


class ShiftSource(models.TextChoices):
    ENTERED = "entered", _("手工排班")
    ATTENDANCE = "attendance", _("考勤导入")


class Queue(models.Model):
    """One stream of contacts: a channel, a service group and a customer tier, owned by an org unit.

    Queues of the same unit subtree and channel share their agents when the planner asks what each tier
    gets with KA answered first (see planning.tier_service_levels)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单元"))
    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    service_group = models.CharField(_("服务组"), max_length=50, blank=True)
    customer_tier = models.CharField(
        _("客户层级"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.NORMAL
    )
    # The position that staffs this queue: its hourly cost comes from policy staffing.hourly_cost.
    position_code = models.CharField(_("岗位编码"), max_length=30, default="agent")
    interval_minutes = models.PositiveSmallIntegerField(_("统计间隔（分钟）"), default=30)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "channel", "code"]
        verbose_name = _("队列")
        verbose_name_plural = _("队列")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_minutes__in=[15, 30, 60]), name="staffing_queue_interval_15_30_60"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ContactImport(models.Model):
    """One imported file or batch of history rows; the same content imported twice is found here."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=HistorySource.choices)
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("话务导入")
        verbose_name_plural = _("话务导入")
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="staffing_import_unique_content")]

    def __str__(self) -> str:
        return self.filename or f"导入 #{self.pk}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ContactInterval(models.Model):
    """What one queue received in one interval: offered, answered, abandoned and the handle time."""

    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="history")
    interval_start = models.DateTimeField(_("时段开始"))
    offered = models.PositiveIntegerField(_("呼入量"))
    answered = models.PositiveIntegerField(_("接通量"))
    abandoned = models.PositiveIntegerField(_("放弃量"))
    # Answered within the service-level time, when the source system reports it.
    answered_within = models.PositiveIntegerField(_("时限内接通"), null=True, blank=True)
    aht_seconds = models.DecimalField(_("平均处理时长（秒）"), max_digits=8, decimal_places=1)
    source = models.CharField(max_length=10, choices=HistorySource.choices)
    batch = models.ForeignKey(ContactImport, null=True, on_delete=models.PROTECT, related_name="intervals")

    class Meta:
        ordering = ["queue_id", "interval_start"]
        verbose_name = _("话务历史")
        verbose_name_plural = _("话务历史")
        constraints = [
            models.UniqueConstraint(fields=["queue", "interval_start"], name="staffing_history_unique_interval"),
            models.CheckConstraint(
                condition=models.Q(answered__lte=models.F("offered") - models.F("abandoned")),
                name="staffing_history_answered_abandoned_le_offered",
            ),
            models.CheckConstraint(condition=models.Q(aht_seconds__gte=0), name="staffing_history_aht_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_id}@{self.interval_start:%Y-%m-%d %H:%M}"

    @property
    def scope_unit_path(self) -> str:
        return self.queue.unit.path


class PlannedEvent(models.Model):
    """A peak the planner knows is coming (双11, 618, a promotion): contacts × multiplier on its dates,
    for the queues under `unit` (and only `channel`, when given)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("适用单元"))
    name = models.CharField(_("活动名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    multiplier = models.DecimalField(_("话务倍数"), max_digits=6, decimal_places=2)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("大促活动")
        verbose_name_plural = _("大促活动")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="staffing_event_dates"),
            models.CheckConstraint(condition=models.Q(multiplier__gt=0), name="staffing_event_multiplier_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.starts_on:%m-%d}–{self.ends_on:%m-%d} ×{self.multiplier}）"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ForecastRun(models.Model):
    """A stored forecast of every active queue of one channel under `unit`, with the staff each interval
    needs. The parameters are a snapshot of policy at run time, so the plan can be read again later
    and compared with what actually came in."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    starts_at = models.DateTimeField(_("预测开始"))
    ends_at = models.DateTimeField(_("预测结束"))
    interval_minutes = models.PositiveSmallIntegerField(default=30)
    history_from = models.DateTimeField(_("历史开始"))
    history_to = models.DateTimeField(_("历史结束"))
    service_level_target = models.DecimalField(_("服务水平目标"), max_digits=4, decimal_places=3)
    answer_within_seconds = models.PositiveIntegerField(_("应答时限（秒）"))
    shrinkage = models.DecimalField(_("排班损耗率"), max_digits=4, decimal_places=3)
    max_occupancy = models.DecimalField(_("最高占用率"), max_digits=4, decimal_places=3)
    patience_seconds = models.PositiveIntegerField(_("平均耐心（秒）"), null=True, blank=True)
    concurrency = models.PositiveSmallIntegerField(_("同时接待数"), default=1)
    events = models.JSONField(default=list)  # names of the planned events applied
    holidays = models.JSONField(default=list)  # ISO dates treated as holidays
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    target_chosen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预测与排班需求")
        verbose_name_plural = _("预测与排班需求")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="staffing_run_period")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.starts_at:%Y-%m-%d}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path

    @property
    def model_label(self) -> str:
        return "erlang_a" if self.patience_seconds else "erlang_c"


class ForecastInterval(models.Model):
    """One queue × interval of a run: expected contacts and AHT, and the staff that meets the target.

    `baseline_*` is the same interval without the planned events, so a peak plan can show the extra
    seats each event needs."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="intervals")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    interval_start = models.DateTimeField()
    contacts = models.FloatField()
    baseline_contacts = models.FloatField()
    aht_seconds = models.FloatField()
    events = models.CharField(max_length=200, blank=True)
    holiday = models.BooleanField(default=False)
    agents = models.PositiveIntegerField()  # on the phones / chats, before shrinkage
    scheduled = models.PositiveIntegerField()  # heads to schedule: agents / (1 - shrinkage)
    baseline_scheduled = models.PositiveIntegerField()
    service_level = models.FloatField()
    occupancy = models.FloatField()
    asa_seconds = models.FloatField(null=True)
    abandon_rate = models.FloatField(null=True)
    model = models.CharField(max_length=10)

    class Meta:
        ordering = ["interval_start", "queue_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "queue", "interval_start"], name="staffing_forecast_unique_slot")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.queue_id}@{self.interval_start:%Y-%m-%d %H:%M}"


class Shift(models.Model):
    """One person on one queue for a stretch of time: entered by a planner or imported from attendance."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("员工"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("队列"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    source = models.CharField(max_length=12, choices=ShiftSource.choices, default=ShiftSource.ENTERED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "employee_id"]
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="staffing_shift_period"),
            models.UniqueConstraint(fields=["employee", "starts_at"], name="staffing_shift_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}@{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def scope_unit_path(self) -> str:
        return self.queue.unit.path
