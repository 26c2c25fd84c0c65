"""Django admin for HQ: browse everything, change nothing behind the services' back.

Every write must go through a service (one transaction, one audit entry), so admin is read-only;
only HQ administrators (or superusers) get in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.core import scopes
from kefu.core.models import ApiToken, AuditEntry


def _hq_has_permission(request: HttpRequest) -> bool:
    return bool(request.user.is_active and scopes.has_any_role(request.user, [scopes.HQ_ADMIN]))


admin.site.has_permission = _hq_has_permission  # type: ignore[method-assign]
admin.site.site_header = "kefu 集团后台（只读）"


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _hq_has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _hq_has_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_label", "action", "object_label")
    list_filter = ("action",)
    search_fields = ("object_label", "actor_label", "note")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)
