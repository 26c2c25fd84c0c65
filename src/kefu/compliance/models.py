"""Compliance records: violation events and the cases they form, the score ledger, positive events,
honours, and finance records of money that went past the company. (Notices to people go to the one
notification centre, ``core.models.Notification``.)

Events and score entries are evidence or ledgers: events and score entries are
append-only (corrections are compensating rows); a case's status changes only through `workflow.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.channel.models import Conversation, Customer, Message, Order, Payment
from kefu.core.append_only import AppendOnlyModel
from kefu.org.models import Employee, OrgUnit

# Scanner categories (scanner.lexicon) plus the branch word lists and the finance sources.
CATEGORY_LABELS: dict[str, Any] = {  # lazy translations
    "contact_wechat": _("私加微信"),
    "contact_qq": _("私加QQ"),
    "contact_phone": _("私留电话"),
    "contact_alipay": _("私加支付宝"),
    "contact_qr": _("私发二维码"),
    "bank_card": _("私留银行卡"),
    "red_packet": _("红包"),
    "private_transfer": _("私下转账"),
    "custom_block": _("分公司拦截词"),
    "custom_warn": _("分公司预警词"),
    "custom_log": _("分公司记录词"),
    "private_receipt": _("私人账户收款"),
    "non_company_payment": _("客户付款至非公司账户"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


class CaseKind(models.TextChoices):
    CHAT = "chat", _("聊天违规")
    FINANCE = "finance", _("财务异常")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("待审核")
    UNDER_REVIEW = "under_review", _("审核中")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("不成立")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("终审维持")
    OVERTURNED = "overturned", _("申诉成立")


# Only these count against the agent (compliance score, honours).
COUNTED_STATUSES = (CaseStatus.CONFIRMED, CaseStatus.APPEALED, CaseStatus.UPHELD)
OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.UNDER_REVIEW)


class ViolationCase(models.Model):
    """One agent's violations of one day (chat), or one finance record's trail to an agent (finance)."""

    kind = models.CharField(_("类型"), max_length=10, choices=CaseKind.choices)
    agent = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violation_cases",
        verbose_name=_("客服"),
    )
    # Scope: the agent's unit when the case opened (the customer's branch when no agent was found).
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元"))
    day = models.DateField(_("日期"))  # local date of the violation; the score counts in its month
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    categories = models.JSONField(_("类别"), default=list)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("订单")
    )
    finance_record = models.ForeignKey(
        "FinanceRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    decision_note = models.TextField(_("裁定意见"), blank=True)
    appeal_note = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    final_note = models.TextField(_("终审意见"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("违规案件")
        verbose_name_plural = _("违规案件")
        constraints = [
            # One open chat case per agent per day collects that day's events.
            models.UniqueConstraint(
                fields=["agent", "day"],
                condition=models.Q(kind="chat", status__in=["open", "under_review"]),
                name="compliance_one_open_chat_case_per_agent_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.agent or '—'} {self.day}"

    @property
    def number(self) -> str:
        return f"HG{self.day:%Y%m%d}-{self.pk:05d}" if self.pk else "HG-新"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path

    @property
    def counts(self) -> bool:
        return self.status in COUNTED_STATUSES

    @property
    def category_labels(self) -> list[str]:
        return [category_label(c) for c in self.categories]

    @property
    def finance_lag_seconds(self) -> float | None:
        """From the finance record to this case (target: the same minute)."""
        if self.finance_record is None:
            return None
        return max(0.0, (self.opened_at - self.finance_record.recorded_at).total_seconds())


class Party(models.TextChoices):
    AGENT = "agent", _("客服")
    CUSTOMER = "customer", _("客户")
    FINANCE = "finance", _("财务")


class ViolationEvent(AppendOnlyModel):
    """One hit: a warned or blocked message (with the matched spans), or a finance record."""

    case = models.ForeignKey(ViolationCase, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    party = models.CharField(_("发起方"), max_length=10, choices=Party.choices)
    action = models.CharField(_("处置"), max_length=10)  # block | warn | log | finance
    categories = models.JSONField(_("类别"), default=list)
    matches = models.JSONField(_("命中片段"), default=list)  # [{"start", "end", "text", "category"}]
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="violation_event"
    )
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    finance_record = models.ForeignKey(
        "FinanceRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("违规事件")
        verbose_name_plural = _("违规事件")

    def __str__(self) -> str:
        return f"{self.action} {','.join(self.categories)} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path

    @property
    def category_labels(self) -> list[str]:
        return [category_label(c) for c in self.categories]


class PositiveKind(models.TextChoices):
    REFUSED_RED_PACKET = "refused_red_packet", _("拒收红包")
    REFUSED_PRIVATE_CONTACT = "refused_private_contact", _("拒绝私下联系")


class PositiveStatus(models.TextChoices):
    REPORTED = "reported", _("待核实")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("未核实")


class PositiveEvent(models.Model):
    """An agent refused a red packet or private contact, pointing at the chat; counts once verified."""

    agent = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="positive_events", verbose_name=_("客服")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=30, choices=PositiveKind.choices)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="+", verbose_name=_("聊天消息"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PositiveStatus.choices, default=PositiveStatus.REPORTED)
    reported_at = models.DateTimeField(_("上报时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verify_note = models.CharField(_("核实意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("正向事件")
        verbose_name_plural = _("正向事件")
        constraints = [
            models.UniqueConstraint(fields=["agent", "message"], name="compliance_positive_once_per_message")
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.get_kind_display()}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class ScoreEntry(AppendOnlyModel):
    """The compliance score ledger: the score of a month is the policy start plus these deltas, floored at 0."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="compliance_entries")
    period = models.CharField(_("月份"), max_length=7, db_index=True)  # "2026-11"
    delta = models.IntegerField(_("分值"))
    reason = models.CharField(_("原因"), max_length=200)
    case = models.ForeignKey(
        ViolationCase, null=True, blank=True, on_delete=models.PROTECT, related_name="score_entries"
    )
    positive_event = models.ForeignKey(
        PositiveEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="score_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("合规分流水")
        verbose_name_plural = _("合规分流水")

    def __str__(self) -> str:
        return f"{self.employee} {self.period} {self.delta:+d}"

    @property
    def scope_unit_path(self) -> str:
        return self.employee.unit.path


class Honour(models.Model):
    """合规标兵 of a month: zero confirmed violations and at least one verified positive event."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="compliance_honours")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("月份"), max_length=7)
    positive_count = models.PositiveIntegerField(_("正向事件"))
    awarded_at = models.DateTimeField(default=timezone.now)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period", "employee__name"]
        verbose_name = _("合规标兵")
        verbose_name_plural = _("合规标兵")
        constraints = [models.UniqueConstraint(fields=["employee", "period"], name="compliance_one_honour_per_month")]

    def __str__(self) -> str:
        return f"{self.period} {self.employee}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class FinanceKind(models.TextChoices):
    PRIVATE_RECEIPT = "private_receipt", _("私人账户收款")
    NON_COMPANY_PAYMENT = "non_company_payment", _("客户付款至非公司账户")


class FinanceSource(models.TextChoices):
    MANUAL = "manual", _("手工录入")
    IMPORT = "import", _("文件导入")
    CHANNEL = "channel", _("渠道付款异常")


class FinanceImport(models.Model):
    """One imported file; the same bytes again change nothing."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("财务导入")
        verbose_name_plural = _("财务导入")
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="compliance_finance_import_once")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows})"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class FinanceRecord(models.Model):
    """Money that went past the company: matched to the customer, the chats and the agents behind it."""

    kind = models.CharField(_("类型"), max_length=30, choices=FinanceKind.choices)
    source = models.CharField(_("来源"), max_length=10, choices=FinanceSource.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("分公司"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    account = models.CharField(_("收款账户"), max_length=100)
    payer_name = models.CharField(_("付款人"), max_length=100, blank=True)
    payer_phone = models.CharField(_("付款人手机"), max_length=20, blank=True)
    order_number = models.CharField(_("订单号"), max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    note = models.CharField(_("备注"), max_length=500, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    matched_by = models.CharField(_("匹配依据"), max_length=20, blank=True)  # order | phone | name | payment
    payment = models.OneToOneField(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(FinanceImport, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    row_number = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("财务异常记录")
        verbose_name_plural = _("财务异常记录")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="compliance_finance_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount} → {self.account}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path
