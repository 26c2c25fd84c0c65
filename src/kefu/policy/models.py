from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.append_only import AppendOnlyModel
from kefu.org.models import OrgUnit


class PolicyValue(AppendOnlyModel):
    """One version of one key at one org unit. Rows are never changed: the newest version per
    (key, unit) is the current one, and clearing an override is a new row with ``cleared``."""

    key = models.CharField(_("策略项"), max_length=100)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="policy_values")
    version = models.PositiveIntegerField(_("版本"))
    value = models.JSONField(null=True, blank=True)
    locked = models.BooleanField(_("锁定"), default=False)
    cleared = models.BooleanField(_("已撤销"), default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["key", "unit__path", "-version"]
        verbose_name = _("策略值")
        verbose_name_plural = _("策略值")
        constraints = [models.UniqueConstraint(fields=["key", "unit", "version"], name="policy_value_version_unique")]
        indexes = [models.Index(fields=["key", "unit", "-version"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.unit} v{self.version}"

    @property
    def scope_unit_path(self) -> str:
        return self.unit.path
