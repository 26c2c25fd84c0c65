"""Writes of customers, orders and payments. A payment to an account that is not one of the company's
(policy ``channel.company_accounts``, set by HQ) is recorded *and* flagged as an anomaly, never dropped
and never silently accepted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.channel import selectors
from kefu.channel.models import Customer, Order, OrderStatus, Payment, PaymentMethod, Tier
from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Conflict
from kefu.core.money import to_money
from kefu.core.scopes import Actor
from kefu.org.models import OrgUnit, UnitKind
from kefu.policy import selectors as policy_selectors

PAYMENT_RECORDERS = (scopes.FINANCE, scopes.HQ_ADMIN)
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def branch_of(unit: OrgUnit) -> OrgUnit:
    """The branch a unit belongs to (the unit itself for the group)."""
    branch = OrgUnit.objects.filter(id__in=unit.ancestor_ids(), kind=UnitKind.BRANCH).first()
    return branch or unit


def clean_phone(phone: str) -> str:
    phone = phone.strip()
    if phone and not _PHONE.match(phone):
        raise ApplicationError(f"手机号格式不对：{phone}", extra={"field": "phone"})
    return phone.replace(" ", "").replace("-", "")


@transaction.atomic
def customer_create(
    *,
    actor: Actor | None,
    name: str,
    unit: OrgUnit,
    phone: str = "",
    platform_account: str = "",
    tier: str = Tier.NORMAL,
    is_guest: bool = False,
    created_at: dt.datetime | None = None,
) -> Customer:
    name = name.strip()
    if not name:
        raise ApplicationError("客户姓名不能为空", extra={"field": "name"})
    if tier not in Tier.values:
        raise ApplicationError(f"未知客户等级 {tier!r}", extra={"field": "tier"})
    customer = Customer.objects.create(
        name=name[:100],
        phone=clean_phone(phone),
        platform_account=platform_account.strip()[:100],
        tier=tier,
        unit=branch_of(unit),
        is_guest=is_guest,
        created_at=created_at or timezone.now(),
    )
    audit.record(actor=actor, action="customer.create", obj=customer, after={"tier": tier, "guest": is_guest})
    return customer


@transaction.atomic
def order_create(
    *,
    actor: Actor | None,
    customer: Customer,
    number: str,
    shop: str,
    items: list[dict[str, Any]],
    status: str = OrderStatus.PAID,
    created_at: dt.datetime | None = None,
) -> Order:
    """An order as the shop system reports it; the amount is the sum of its lines (line-level rounding)."""
    number = number.strip()
    if not number:
        raise ApplicationError("订单号不能为空", extra={"field": "number"})
    if status not in OrderStatus.values:
        raise ApplicationError(f"未知订单状态 {status!r}", extra={"field": "status"})
    lines, amount = [], Decimal("0.00")
    for index, item in enumerate(items, start=1):
        try:
            quantity = int(item["quantity"])
            unit_price = to_money(item["unit_price"])
            name = str(item["name"]).strip()
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ApplicationError(
                f"第 {index} 件商品需要 name、quantity、unit_price", extra={"field": "items", "row": index}
            ) from exc
        if quantity <= 0 or unit_price < 0 or not name:
            raise ApplicationError(f"第 {index} 件商品的数量或单价不对", extra={"field": "items", "row": index})
        line_total = to_money(unit_price * quantity)
        lines.append({"name": name, "quantity": quantity, "unit_price": str(unit_price), "total": str(line_total)})
        amount += line_total
    if not lines:
        raise ApplicationError("订单至少要有一件商品", extra={"field": "items"})
    try:
        with transaction.atomic():
            order = Order.objects.create(
                number=number,
                customer=customer,
                shop=shop.strip()[:100],
                items=lines,
                amount=amount,
                status=status,
                created_at=created_at or timezone.now(),
            )
    except IntegrityError as exc:
        raise Conflict(f"订单号 {number} 已存在", extra={"field": "number"}) from exc
    audit.record(actor=actor, action="order.create", obj=order, after={"amount": str(amount), "status": status})
    return order


def company_accounts(unit: OrgUnit) -> list[str]:
    return [a.strip() for a in policy_selectors.effective(unit=unit, key="channel.company_accounts")]


@transaction.atomic
def payment_record(
    *,
    actor: Actor | None,
    customer_id: int,
    amount: Any,
    receiving_account: str,
    method: str,
    payer: str = "",
    order_id: int | None = None,
    paid_at: dt.datetime | None = None,
) -> Payment:
    """Record one payment as received. `actor` None is the system (imports, demo); a person must be
    finance or HQ and reach the customer."""
    if actor is not None:
        customer = selectors.customer_get(actor=actor, customer_id=customer_id)  # scoped: 404 outside
        scopes.require(actor, unit_path=customer.unit.path, roles=PAYMENT_RECORDERS, what="登记付款")
    else:
        customer = Customer.objects.select_related("unit").get(id=customer_id)
    order = None
    if order_id is not None:
        order = Order.objects.filter(id=order_id, customer=customer).first()
        if order is None:
            raise ApplicationError("该订单不属于这个客户", extra={"field": "order_id"})
    try:
        money = to_money(amount)
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ApplicationError(f"金额不对：{amount!r}", extra={"field": "amount"}) from exc
    if money <= 0:
        raise ApplicationError("付款金额必须大于 0", extra={"field": "amount"})
    if method not in PaymentMethod.values:
        raise ApplicationError(f"未知付款方式 {method!r}", extra={"field": "method"})
    account = receiving_account.strip()
    if not account:
        raise ApplicationError("收款账户不能为空", extra={"field": "receiving_account"})
    paid_at = paid_at or timezone.now()
    if paid_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError("付款时间不能在将来", extra={"field": "paid_at"})
    official = company_accounts(customer.unit)
    anomaly = account not in official
    payment = Payment.objects.create(
        customer=customer,
        order=order,
        payer=(payer.strip() or customer.name)[:100],
        amount=money,
        paid_at=paid_at,
        receiving_account=account[:100],
        method=method,
        is_anomaly=anomaly,
        anomaly_reason=f"收款账户 {account} 不是公司账户" if anomaly else "",
        recorded_by=scopes.signed_in(actor),
    )
    audit.record(
        actor=actor,
        action="payment.anomaly" if anomaly else "payment.record",
        obj=payment,
        after={"amount": str(money), "account": account, "anomaly": anomaly},
        note=payment.anomaly_reason,
    )
    return payment
