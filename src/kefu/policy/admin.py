from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin
from kefu.policy.models import PolicyValue


@admin.register(PolicyValue)
class PolicyValueAdmin(ReadOnlyAdmin):
    list_display = ("key", "unit", "version", "locked", "cleared", "set_by", "set_at")
    list_filter = ("key", "locked")
