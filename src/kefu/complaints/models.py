"""Complaints: the case itself, its append-only timeline and evidence, penalties for the pay run and
improvement actions. Notices to people (the SLA sweep's among them) go to ``core.models.Notification``.

The workflow (which status may follow which, who may move it, what it needs) lives in
``workflow.py`` alone; nothing else sets ``Complaint.status``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.append_only import AppendOnlyModel
from kefu.org.models import Employee, OrgUnit


class Status(models.TextChoices):
    RECORDED = "recorded", _("已登记")
    CLASSIFIED = "classified", _("已定性")
    REJECTED = "rejected", _("不成立已结案")
    ASSIGNED = "assigned", _("已分派")
    INVESTIGATED = "investigated", _("已调查")
    PROPOSED = "proposed", _("已提出方案")
    APPROVED = "approved", _("方案已审批")
    NOTIFIED = "notified", _("已通知客户")
    ESCALATED = "escalated", _("已升级")
    RESOLVED = "resolved", _("客户满意")
    ASSESSED = "assessed", _("已定责")
    IMPROVING = "improving", _("整改中")
    CLOSED = "closed", _("已结案")


TERMINAL = (Status.REJECTED, Status.CLOSED)


class Source(models.TextChoices):
    CHAT = "chat", _("在线会话")
    PHONE = "phone", _("电话")
    WEB = "web", _("网页表单")
    IMPORT = "import", _("导入")


class ResponsibleParty(models.TextChoices):
    AGENT = "agent", _("客服")
    DEPARTMENT = "department", _("其他部门")
    LOGISTICS = "logistics", _("物流")
    SUPPLIER = "supplier", _("供应商")
    CUSTOMER = "customer", _("客户自身")
    NONE = "none", _("无责任方")


class SolutionKind(models.TextChoices):
    REFUND = "refund", _("退款")
    REPLACEMENT = "replacement", _("换货")
    COMPENSATION = "compensation", _("赔偿")
    APOLOGY = "apology", _("道歉")
    REPAIR = "repair", _("维修/补发")
    EXPLANATION = "explanation", _("解释说明")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Complaint(models.Model):
    number = models.CharField(_("投诉编号"), max_length=30, unique=True)
    # The branch that handles it: branch roles see it through this unit.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理分公司"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    customer = models.ForeignKey(
        "channel.Customer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("客户")
    )
    order = models.ForeignKey(
        "channel.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("订单"),
    )
    conversation = models.ForeignKey(
        "channel.Conversation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("会话"),
    )
    content = models.TextField(_("投诉内容"))
    customer_request = models.TextField(_("客户诉求"), blank=True)
    amount_at_stake = models.DecimalField(_("涉及金额"), max_digits=12, decimal_places=2, default=0)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # The agent the complaint is about (the chat's agent, or named at intake/investigation).
    subject_agent = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name=_("被投诉客服"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RECORDED)
    # 判定: category, founded (理由是否充分), reasonable (要求是否合理).
    category = models.CharField(_("类别"), max_length=50, blank=True)
    founded = models.BooleanField(_("理由充分"), null=True, blank=True)
    reasonable = models.BooleanField(_("要求合理"), null=True, blank=True)
    rejection_reason = models.TextField(_("不成立原因（告知客户）"), blank=True)
    handler = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
        verbose_name=_("处理人"),
    )
    findings = models.TextField(_("调查结论"), blank=True)
    responsible_party = models.CharField(_("责任方"), max_length=20, choices=ResponsibleParty.choices, blank=True)
    responsible_agent = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_responsible",
        verbose_name=_("责任客服"),
    )
    responsible_note = models.CharField(_("责任方说明"), max_length=200, blank=True)
    solution_kind = models.CharField(_("解决方式"), max_length=20, choices=SolutionKind.choices, blank=True)
    solution = models.TextField(_("解决方案"), blank=True)
    compensation_amount = models.DecimalField(_("赔付金额"), max_digits=12, decimal_places=2, default=0)
    approval_required = models.BooleanField(_("需审批"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_notice = models.TextField(_("告知客户的内容"), blank=True)
    satisfied = models.BooleanField(_("客户满意"), null=True, blank=True)
    feedback = models.TextField(_("客户反馈"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新处理次数"), default=0)
    loss_amount = models.DecimalField(_("损失金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    # SLA of the current step: set on every transition; the sweep reminds and escalates against it.
    step_started_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("本步时限"), null=True, blank=True)
    reminded = models.BooleanField(default=False)
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 lead, 2 manager
    # The customer's status link: unguessable, never an id.
    public_token = models.CharField(max_length=64, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    import_key = models.CharField(max_length=80, blank=True, db_index=True)
    # Optimistic lock: every write states the version it saw; the second of two writers gets a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [models.Index(fields=["status", "due_at"], name="complaint_sla_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_at_stake__gte=0), name="complaint_amount_gte_0"),
            models.CheckConstraint(condition=models.Q(compensation_amount__gte=0), name="complaint_comp_gte_0"),
            models.CheckConstraint(
                condition=~models.Q(responsible_party="agent") | models.Q(responsible_agent__isnull=False),
                name="complaint_agent_party_has_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.customer}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    def sla_state(self, now: dt.datetime | None = None) -> str:
        """ok / soon / overdue / none, for the badge."""
        if not self.is_open or self.due_at is None:
            return "none"
        moment = now or timezone.now()
        if moment >= self.due_at:
            return "overdue"
        if self.due_at - moment <= dt.timedelta(hours=4):
            return "soon"
        return "ok"


class EventKind(models.TextChoices):
    CREATED = "created", _("登记")
    TRANSITION = "transition", _("流转")
    EVIDENCE = "evidence", _("证据")
    REMINDER = "reminder", _("到期提醒")
    ESCALATION = "escalation", _("超时升级")
    PENALTY = "penalty", _("扣罚")
    IMPROVEMENT = "improvement", _("整改")
    CUSTOMER = "customer", _("客户操作")


class ComplaintEvent(AppendOnlyModel):
    """The complaint's timeline (记录原则): every step, reminder and escalation, never changed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    action = models.CharField(max_length=30, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=100)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Shown on the customer's status page (e.g. "已通知客户"), not internal findings.
    public = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("投诉时间线")
        verbose_name_plural = _("投诉时间线")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.action}"

    @property
    def to_label(self) -> str:
        return str(Status(self.to_status).label) if self.to_status in Status.values else ""

    @property
    def scope_unit_path(self) -> str:
        return self.complaint.unit.path


class EvidenceKind(models.TextChoices):
    CONVERSATION = "conversation", _("会话记录")
    ORDER = "order", _("订单")
    PAYMENT = "payment", _("付款")
    FILE = "file", _("附件")
    NOTE = "note", _("说明")


class ComplaintEvidence(AppendOnlyModel):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=20, choices=EvidenceKind.choices)
    conversation = models.ForeignKey(
        "channel.Conversation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey("channel.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey("channel.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attachment = models.ForeignKey(
        "channel.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attachment_name = models.CharField(max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("投诉证据")
        verbose_name_plural = _("投诉证据")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"

    @property
    def scope_unit_path(self) -> str:
        return self.complaint.unit.path


class Penalty(AppendOnlyModel):
    """A deduction the pay run applies: `deduct_rate` of the agent's performance pay for `period`.

    Append-only: a revoked penalty gets a compensating row with the negative rate (`reverses`).
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="penalties")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="complaint_penalties")
    period = models.CharField(_("扣罚月份"), max_length=7, db_index=True)  # "2026-11"
    loss_amount = models.DecimalField(_("损失金额"), max_digits=12, decimal_places=2)
    loss_from = models.DecimalField(max_digits=12, decimal_places=2)
    loss_to = models.DecimalField(max_digits=12, decimal_places=2)
    deduct_rate = models.DecimalField(_("扣减比例"), max_digits=5, decimal_places=4)
    basis = models.CharField(_("扣减基数"), max_length=30, default="performance_pay")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period", "id"]
        verbose_name = _("投诉扣罚")
        verbose_name_plural = _("投诉扣罚")

    def __str__(self) -> str:
        return f"{self.employee} {self.period} -{self.deduct_rate}"

    @property
    def scope_unit_path(self) -> str:
        return self.employee.unit.path


class ImprovementKind(models.TextChoices):
    TRAINING = "training", _("培训")
    RULE = "rule", _("制度/规则")
    PRODUCT = "product", _("商品")
    PROCESS = "process", _("流程")
    LOGISTICS = "logistics", _("物流")


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


class ImprovementAction(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="improvements")
    kind = models.CharField(_("类型"), max_length=20, choices=ImprovementKind.choices)
    description = models.TextField(_("改进内容"))
    owner = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="improvement_actions", verbose_name=_("负责人")
    )
    due_date = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(_("完成说明"), blank=True)
    reminded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")

    def __str__(self) -> str:
        return f"{self.complaint.number}: {self.description[:30]}"

    @property
    def scope_unit_path(self) -> str:
        return self.complaint.unit.path

    @property
    def overdue(self) -> bool:
        return self.status == ImprovementStatus.OPEN and self.due_date < timezone.localdate()
