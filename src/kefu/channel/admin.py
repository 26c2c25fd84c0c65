from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.channel.models import Conversation, ConversationAssignment, Customer, Message, Order, Payment, ServiceGroup


class ReadOnly(admin.ModelAdmin):
    """Ledgers: visible for HQ, never changed or removed here (the database refuses it anyway)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "tier", "unit", "is_guest")
    list_filter = ("tier", "unit")
    search_fields = ("name", "phone", "platform_account")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "shop", "amount", "status", "created_at")
    search_fields = ("number", "customer__name")


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "active")


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("paid_at", "payer", "amount", "receiving_account", "is_anomaly")
    list_filter = ("is_anomaly", "method")


@admin.register(Conversation)
class ConversationAdmin(ReadOnly):
    list_display = ("id", "customer", "agent", "status", "created_at", "satisfaction")
    list_filter = ("status",)


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("conversation", "seq", "sender_kind", "outcome", "created_at")
    list_filter = ("outcome", "sender_kind")


@admin.register(ConversationAssignment)
class ConversationAssignmentAdmin(ReadOnly):
    list_display = ("conversation", "kind", "from_agent", "to_agent", "at")
