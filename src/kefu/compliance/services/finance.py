"""The finance link: money into a private account, or a customer's payment to an account that is not the
company's, is matched to the customer (order, phone, name) and to the chats and agents behind it, and a
case opens for branch HR at once with the chat attached."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from kefu.channel.models import Conversation, Customer, Order, Payment
from kefu.channel.services import branch_of
from kefu.compliance.models import (
    CaseKind,
    FinanceImport,
    FinanceKind,
    FinanceRecord,
    FinanceSource,
    Party,
    ViolationCase,
    ViolationEvent,
    category_label,
)
from kefu.compliance.services import audience
from kefu.core import audit, scopes
from kefu.core import services as core_services
from kefu.core.errors import ApplicationError
from kefu.core.money import to_money
from kefu.core.scopes import Actor
from kefu.org import selectors as org_selectors
from kefu.org.models import OrgUnit
from kefu.policy import selectors as policy_selectors

RECORDERS = (scopes.FINANCE, scopes.HQ_ADMIN)
MAX_IMPORT_BYTES = 5 * 1024 * 1024
_DIGITS = re.compile(r"\D")
KIND_ALIASES = {
    "private_receipt": FinanceKind.PRIVATE_RECEIPT,
    "私人账户收款": FinanceKind.PRIVATE_RECEIPT,
    "私人收款": FinanceKind.PRIVATE_RECEIPT,
    "non_company_payment": FinanceKind.NON_COMPANY_PAYMENT,
    "客户付款至非公司账户": FinanceKind.NON_COMPANY_PAYMENT,
    "非公司账户付款": FinanceKind.NON_COMPANY_PAYMENT,
}
COLUMNS = {  # CSV header (English or Chinese) -> field
    "kind": "kind", "类型": "kind",
    "amount": "amount", "金额": "amount",
    "account": "account", "收款账户": "account",
    "payer_name": "payer_name", "付款人": "payer_name",
    "payer_phone": "payer_phone", "付款人手机": "payer_phone", "手机号": "payer_phone",
    "order_number": "order_number", "订单号": "order_number",
    "occurred_at": "occurred_at", "发生时间": "occurred_at", "时间": "occurred_at",
    "note": "note", "备注": "note",
}  # fmt: skip
REQUIRED = ("kind", "amount", "account", "occurred_at")


@dataclass(frozen=True)
class FinanceInput:
    kind: str
    amount: Decimal
    account: str
    occurred_at: dt.datetime
    payer_name: str = ""
    payer_phone: str = ""
    order_number: str = ""
    note: str = ""


def _clean(
    *, kind: str, amount: Any, account: str, occurred_at: Any, payer_name: str = "", payer_phone: str = "",
    order_number: str = "", note: str = "", where: str = "",
) -> FinanceInput:  # fmt: skip
    def refuse(field: str, why: str) -> ApplicationError:
        return ApplicationError(f"{where}{why}", extra={"field": field})

    resolved = KIND_ALIASES.get(str(kind).strip())
    if resolved is None:
        raise refuse("kind", f"类型不对：{kind!r}（私人账户收款 或 客户付款至非公司账户）")
    try:
        money = to_money(str(amount).replace(",", "").replace("¥", "").strip())
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise refuse("amount", f"金额不对：{amount!r}") from exc
    if money <= 0:
        raise refuse("amount", "金额必须大于 0")
    account = str(account).strip()
    if not account:
        raise refuse("account", "收款账户不能为空")
    when = occurred_at
    if isinstance(when, str):
        text = when.strip()
        when = parse_datetime(text.replace("/", "-"))
        if when is None and (day := parse_date(text.replace("/", "-"))) is not None:
            when = dt.datetime.combine(day, dt.time(12, 0))
    if not isinstance(when, dt.datetime):
        raise refuse("occurred_at", f"发生时间不对：{occurred_at!r}（例如 2026-11-20 14:30）")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise refuse("occurred_at", "发生时间不能在将来")
    phone = _DIGITS.sub("", str(payer_phone or ""))
    return FinanceInput(
        kind=resolved,
        amount=money,
        account=account[:100],
        occurred_at=when,
        payer_name=str(payer_name or "").strip()[:100],
        payer_phone=phone[:20],
        order_number=str(order_number or "").strip()[:40],
        note=str(note or "").strip()[:500],
    )


def _match(branch: OrgUnit, data: FinanceInput) -> tuple[Customer | None, Order | None, str]:
    """The customer behind the money: by order number, else phone, else an unambiguous name."""
    customers = Customer.objects.filter(unit__path__startswith=branch.path)
    if data.order_number:
        order = (
            Order.objects.filter(number=data.order_number, customer__in=customers).select_related("customer").first()
        )
        if order is not None:
            return order.customer, order, "order"
    if data.payer_phone:
        found = customers.filter(phone=data.payer_phone).order_by("id").first()
        if found is not None:
            return found, None, "phone"
    if data.payer_name:
        named = list(customers.filter(name=data.payer_name)[:2])
        if len(named) == 1:
            return named[0], None, "name"
    return None, None, ""


def _conversations_behind(record: FinanceRecord) -> list[Conversation]:
    """The customer's served conversations in the days before the money moved, newest first."""
    if record.customer_id is None:
        return []
    days = int(policy_selectors.effective(unit=record.unit, key="compliance.finance_match_days"))
    since = record.occurred_at - dt.timedelta(days=days)
    return list(
        Conversation.objects.filter(
            customer_id=record.customer_id,
            agent__isnull=False,
            last_message_at__gte=since,
            created_at__lte=record.occurred_at + dt.timedelta(hours=1),
        )
        .select_related("agent__unit", "unit")
        .order_by("-last_message_at", "-id")
    )


def open_cases(*, record: FinanceRecord, actor: Actor | None) -> list[ViolationCase]:
    """One case per agent behind the record (one for the branch when no agent is found), HR told at once."""
    conversations = _conversations_behind(record)
    by_agent: dict[int, Conversation] = {}
    for found in conversations:
        by_agent.setdefault(found.agent_id, found)  # type: ignore[arg-type]
    targets: list[tuple[Any, Conversation | None]] = [(c.agent, c) for c in by_agent.values()] or [(None, None)]
    day = timezone.localdate(record.occurred_at)
    cases = []
    for agent, conversation in targets:
        unit = agent.unit if agent is not None else record.unit
        case = ViolationCase.objects.create(
            kind=CaseKind.FINANCE,
            agent=agent,
            unit=unit,
            day=day,
            categories=[record.kind],
            customer_id=record.customer_id,
            order_id=record.order_id,
            finance_record=record,
        )
        ViolationEvent.objects.create(
            case=case,
            party=Party.FINANCE,
            action="finance",
            categories=[record.kind],
            conversation=conversation,
            customer_id=record.customer_id,
            agent=agent,
            unit=unit,
            finance_record=record,
            occurred_at=record.occurred_at,
        )
        audit.record(
            actor=actor,
            action="violation_case.open",
            obj=case,
            after={
                "kind": case.kind,
                "finance_record": record.id,
                "conversation": conversation.id if conversation else None,
            },
        )
        who = agent.name if agent is not None else "未匹配到客服"
        core_services.notify(
            app="compliance",
            recipients=audience.branch_hr_users(unit),
            kind="finance_case",
            title=f"财务异常立案：{category_label(record.kind)} ¥{record.amount}（{who}）",
            body=f"收款账户 {record.account} · 付款人 {record.payer_name or '—'} · 客户 {record.customer or '未匹配'}",
            subject=case,
            url=reverse("compliance:case_detail", args=[case.id]),
        )
        cases.append(case)
    return cases


def _create(
    *, actor: Actor | None, branch: OrgUnit, data: FinanceInput, source: str, batch: FinanceImport | None = None,
    row_number: int | None = None, payment: Payment | None = None,
) -> FinanceRecord:  # fmt: skip
    customer: Customer | None
    order: Order | None
    if payment is not None:
        customer, order, matched_by = payment.customer, payment.order, "payment"
    else:
        customer, order, matched_by = _match(branch, data)
    record = FinanceRecord.objects.create(
        kind=data.kind,
        source=source,
        unit=branch,
        amount=data.amount,
        account=data.account,
        payer_name=data.payer_name,
        payer_phone=data.payer_phone,
        order_number=data.order_number or (order.number if order else ""),
        occurred_at=data.occurred_at,
        note=data.note,
        customer=customer,
        order=order,
        matched_by=matched_by,
        payment=payment,
        batch=batch,
        row_number=row_number,
        recorded_by=scopes.signed_in(actor),
        recorded_at=payment.recorded_at if payment is not None else timezone.now(),
    )
    audit.record(
        actor=actor,
        action="finance_record.create",
        obj=record,
        after={"kind": record.kind, "amount": str(record.amount), "account": record.account, "matched_by": matched_by},
    )
    open_cases(record=record, actor=actor)
    return record


def _branch_for(actor: Actor, unit_id: int) -> OrgUnit:
    unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)  # scoped: 404 outside
    scopes.require(actor, unit_path=unit.path, roles=RECORDERS, what="登记财务异常")
    return branch_of(unit)


@transaction.atomic
def finance_record_create(*, actor: Actor, unit_id: int, **fields: Any) -> FinanceRecord:
    """Finance enters one record; the case for branch HR opens in the same transaction."""
    branch = _branch_for(actor, unit_id)
    return _create(actor=actor, branch=branch, data=_clean(**fields), source=FinanceSource.MANUAL)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError("文件不是 UTF-8 或 GBK 编码的 CSV", extra={"field": "file"})


@transaction.atomic
def finance_import(*, actor: Actor, unit_id: int, filename: str, content: bytes) -> FinanceImport:
    """A CSV of finance records, all or nothing; the same file again changes nothing."""
    branch = _branch_for(actor, unit_id)
    if len(content) > MAX_IMPORT_BYTES:
        raise ApplicationError("文件太大（上限 5 MB）", extra={"field": "file"})
    digest = hashlib.sha256(content).hexdigest()
    existing = FinanceImport.objects.filter(unit=branch, sha256=digest).first()
    if existing is not None:
        return existing
    reader = csv.DictReader(io.StringIO(_decode(content)))
    header = {name: COLUMNS.get((name or "").strip()) for name in reader.fieldnames or []}
    missing = [c for c in REQUIRED if c not in header.values()]
    if missing:
        raise ApplicationError(f"缺少列：{'、'.join(missing)}", extra={"field": "file", "missing": missing})
    rows: list[tuple[int, FinanceInput]] = []
    for number, raw in enumerate(reader, start=2):  # line 1 is the header
        values = {field: (raw.get(name) or "") for name, field in header.items() if field}
        if not any(v.strip() for v in values.values()):
            continue
        rows.append((number, _clean(**values, where=f"第 {number} 行：")))
    if not rows:
        raise ApplicationError("文件里没有记录", extra={"field": "file"})
    batch = FinanceImport.objects.create(
        unit=branch, sha256=digest, filename=filename[:200], rows=len(rows), imported_by=scopes.signed_in(actor)
    )
    audit.record(actor=actor, action="finance_import.create", obj=batch, after={"rows": len(rows), "sha256": digest})
    for number, data in rows:
        _create(actor=actor, branch=branch, data=data, source=FinanceSource.IMPORT, batch=batch, row_number=number)
    return batch


def finance_record_from_payment(*, payment: Payment) -> FinanceRecord | None:
    """The channel flagged a payment to a non-company account: the same trail, at once."""
    if not payment.is_anomaly or FinanceRecord.objects.filter(payment=payment).exists():
        return None
    customer = Customer.objects.select_related("unit").get(id=payment.customer_id)
    data = FinanceInput(
        kind=FinanceKind.NON_COMPANY_PAYMENT,
        amount=payment.amount,
        account=payment.receiving_account,
        occurred_at=payment.paid_at,
        payer_name=payment.payer,
        payer_phone=customer.phone,
        note=payment.anomaly_reason,
    )
    return _create(
        actor=payment.recorded_by,
        branch=branch_of(customer.unit),
        data=data,
        source=FinanceSource.CHANNEL,
        payment=payment,
    )
