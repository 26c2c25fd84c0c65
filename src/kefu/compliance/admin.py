from django.contrib import admin

from kefu.compliance.models import FinanceRecord, Honour, PositiveEvent, ScoreEntry, ViolationCase, ViolationEvent


@admin.register(ViolationCase)
class ViolationCaseAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "agent", "unit", "day", "status", "opened_at")
    list_filter = ("kind", "status")
    readonly_fields = ("status",)  # the workflow (services) is the only way to change it


@admin.register(ViolationEvent)
class ViolationEventAdmin(admin.ModelAdmin):
    list_display = ("id", "party", "action", "agent", "occurred_at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register((ScoreEntry, PositiveEvent, Honour, FinanceRecord))
