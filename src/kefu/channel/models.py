"""The official channel: customers and their orders and payments, conversations and their messages.

Messages, payments, attachments and conversation transfers are append-only ledgers (ORM and database
trigger refuse changes): they are the evidence that nothing was said or paid off the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.append_only import AppendOnlyModel
from kefu.org.models import Employee, OrgUnit


class Tier(models.TextChoices):
    KA = "ka", _("KA 大客户")
    VIP = "vip", _("VIP")
    NORMAL = "normal", _("普通")


# Queue order: KA first, then VIP, then everyone else (first come, first served within a tier).
TIER_PRIORITY = {Tier.KA: 0, Tier.VIP: 1, Tier.NORMAL: 2}


class Customer(models.Model):
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    platform_account = models.CharField(_("平台/店铺账号"), max_length=100, blank=True)
    tier = models.CharField(_("客户等级"), max_length=10, choices=Tier.choices, default=Tier.NORMAL)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="customers", verbose_name=_("所属分公司"))
    is_guest = models.BooleanField(_("访客"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("待付款")
    PAID = "paid", _("已付款")
    SHIPPED = "shipped", _("已发货")
    COMPLETED = "completed", _("已完成")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    CANCELLED = "cancelled", _("已取消")


class Order(models.Model):
    number = models.CharField(_("订单号"), max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("客户"))
    shop = models.CharField(_("店铺"), max_length=100)
    # [{"name": "...", "quantity": 1, "unit_price": "99.00"}]
    items = models.JSONField(_("商品"), default=list)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PAID)
    created_at = models.DateTimeField(_("下单时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="channel_order_amount_gte_0")]

    def __str__(self) -> str:
        return self.number

    @property
    def scope_unit_path(self) -> str:
        return self.customer.unit.path


class PaymentMethod(models.TextChoices):
    ALIPAY = "alipay", _("支付宝")
    WECHAT = "wechat", _("微信支付")
    BANK = "bank", _("银行转账")
    CARD = "card", _("银行卡")


class Payment(AppendOnlyModel):
    """A payment as received. Money to an account that is not the company's is kept and flagged."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments", verbose_name=_("客户"))
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments", verbose_name=_("订单")
    )
    payer = models.CharField(_("付款人"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("付款时间"))
    receiving_account = models.CharField(_("收款账户"), max_length=100)
    method = models.CharField(_("付款方式"), max_length=10, choices=PaymentMethod.choices)
    # Decided once when recorded, against policy channel.company_accounts at that moment.
    is_anomaly = models.BooleanField(_("异常"), default=False, db_index=True)
    anomaly_reason = models.CharField(_("异常原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-paid_at", "-id"]
        verbose_name = _("付款")
        verbose_name_plural = _("付款")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="channel_payment_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.payer} ¥{self.amount} → {self.receiving_account}"

    @property
    def scope_unit_path(self) -> str:
        return self.customer.unit.path


class ServiceGroup(models.Model):
    """A queue: customers wait here until an online agent of the group's unit has room."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="service_groups", verbose_name=_("单元"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务组")
        verbose_name_plural = _("服务组")

    def __str__(self) -> str:
        return self.name

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class AgentStatus(models.TextChoices):
    ONLINE = "online", _("在线")
    BUSY = "busy", _("忙碌")
    AWAY = "away", _("离开")
    OFFLINE = "offline", _("离线")


class AgentPresence(models.Model):
    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="presence")
    status = models.CharField(_("状态"), max_length=10, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    # None: the policy's channel.max_concurrent_chats for the agent's unit.
    max_chats = models.PositiveSmallIntegerField(_("同时接待上限"), null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("客服状态")
        verbose_name_plural = _("客服状态")

    def __str__(self) -> str:
        return f"{self.employee.name}: {self.get_status_display()}"

    @property
    def scope_unit_path(self) -> str:
        return self.employee.unit.path


class ConversationStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    ACTIVE = "active", _("接待中")
    CLOSED = "closed", _("已结束")


class CloseReason(models.TextChoices):
    AGENT = "agent", _("客服结束")
    CUSTOMER = "customer", _("客户结束")
    IDLE = "idle", _("空闲超时")


class IdentifiedBy(models.TextChoices):
    GUEST = "guest", _("访客")
    PHONE = "phone", _("手机号（未验证）")
    ORDER = "order", _("订单号（未验证）")
    STAFF = "staff", _("后台创建")


class Conversation(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("客户")
    )
    service_group = models.ForeignKey(
        ServiceGroup, on_delete=models.PROTECT, related_name="conversations", verbose_name=_("服务组")
    )
    # Scope: the service group's unit while queued, the serving agent's unit once assigned.
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单元"))
    agent = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversations",
        verbose_name=_("客服"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.QUEUED
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=2)
    identified_by = models.CharField(_("身份"), max_length=10, choices=IdentifiedBy.choices)
    created_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    assigned_at = models.DateTimeField(_("接入时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    close_reason = models.CharField(_("结束原因"), max_length=10, choices=CloseReason.choices, blank=True)
    last_message_at = models.DateTimeField(_("最后消息"), default=timezone.now)
    # Per-conversation message counter: message cursors are gapless, so a client can tell what it missed.
    last_seq = models.PositiveIntegerField(default=0)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    satisfaction_comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("会话")
        verbose_name_plural = _("会话")
        indexes = [models.Index(fields=["status", "service_group", "priority", "queued_at"], name="channel_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="channel_conversation_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(agent__isnull=False),
                name="channel_conversation_active_has_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"会话 #{self.pk} · {self.customer}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path


class AssignmentKind(models.TextChoices):
    ROUTE = "route", _("自动分配")
    TRANSFER = "transfer", _("转接")
    REASSIGN = "reassign", _("组长改派")


class ConversationAssignment(AppendOnlyModel):
    """Every hand-over of a conversation, kept: who had it, who got it, who decided, why."""

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(_("方式"), max_length=10, choices=AssignmentKind.choices)
    from_agent = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_agent = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("会话转接")
        verbose_name_plural = _("会话转接")

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.from_agent_id} → {self.to_agent_id}"

    @property
    def scope_unit_path(self) -> str:
        return self.conversation.unit.path


class Attachment(AppendOnlyModel):
    """Uploaded bytes, content-addressed by SHA-256 and kept in the database so evidence cannot be swapped."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)  # sniffed from the bytes, never taken from the client
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type}, {self.size} B)"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SenderKind(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    AGENT = "agent", _("客服")
    SYSTEM = "system", _("系统")


class Outcome(models.TextChoices):
    DELIVER = "deliver", _("已送达")
    WARN = "warn", _("预警")
    BLOCK = "block", _("已拦截")


class Message(AppendOnlyModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="messages")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="messages")
    seq = models.PositiveIntegerField()
    sender_kind = models.CharField(_("发送方"), max_length=10, choices=SenderKind.choices)
    sender_employee = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    text = models.TextField(_("内容"), blank=True)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attachment_name = models.CharField(_("附件名"), max_length=200, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="messages", verbose_name=_("订单")
    )
    outcome = models.CharField(_("筛查结果"), max_length=10, choices=Outcome.choices, default=Outcome.DELIVER)
    reasons = models.JSONField(_("筛查原因"), default=list, blank=True)
    retracts = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="retraction")
    client_key = models.CharField(max_length=100)

    class Meta:
        ordering = ["conversation", "seq"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="channel_message_seq_unique"),
            models.UniqueConstraint(fields=["conversation", "client_key"], name="channel_message_key_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id}.{self.seq} {self.sender_kind}: {self.text[:30]}"

    @property
    def scope_unit_path(self) -> str:
        return self.conversation.unit.path

    @property
    def delivered(self) -> bool:
        return self.outcome != Outcome.BLOCK
