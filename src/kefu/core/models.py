from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.append_only import AppendOnlyModel


class AuditEntry(AppendOnlyModel):
    """One link of the tamper-evident chain: `hash` = HMAC(key, prev_hash ‖ canonical JSON of this entry)."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_label = models.CharField(_("对象"), max_length=200)
    # Materialised org-unit path of the object, so branch HR can be scoped to own branch's entries.
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}"


class AuditHead(models.Model):
    """Single row locked by every append so that concurrent writers extend the chain one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class ApiToken(models.Model):
    """A revocable bearer token for integrations. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(models.Model):
    """One in-app notice for one person, from any app (through ``core.services.notify``): the one
    notification centre and its unread badge.

    Core sits at the top of the import ladder, so a notice cannot point at the record it is about with a
    foreign key: `url` says where to go and `subject` names the record ("complaints.complaint:42").
    A non-empty `key` is unique per recipient, so a sender that may run twice (the SLA sweep) tells once.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    app = models.CharField(_("来源"), max_length=30, blank=True)  # label of the writing app
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    subject = models.CharField(_("关于"), max_length=100, blank=True)
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    emailed = models.BooleanField(_("已发邮件"), default=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            # The badge on every page counts a person's unread rows; the centre lists their newest first.
            models.Index(fields=["recipient", "read_at"], name="core_notif_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="core_notif_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="core_notification_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source(self) -> str:
        """The writing app's name as people know it ("合规监控"), for the notification centre."""
        if not self.app:
            return ""
        try:
            return str(apps.get_app_config(self.app).verbose_name)
        except LookupError:
            return self.app

    @property
    def safe_url(self) -> str:
        """The link target when it stays on this site (a path), else "": never a script or another host."""
        return self.url if self.url.startswith("/") and not self.url.startswith(("//", "/\\")) else ""
