"""Intake: from a conversation (one click in the agent console), by phone, on the customer's web form,
or imported from a CSV file (all-or-nothing; re-importing the same file adds nothing)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kefu.channel import selectors as channel_selectors
from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, Customer, Message, Order
from kefu.complaints.models import Complaint, ComplaintEvidence, EventKind, EvidenceKind, Source, Status
from kefu.complaints.services.common import event, money, start_step
from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError, Forbidden
from kefu.core.scopes import Actor
from kefu.org import selectors as org_selectors
from kefu.org.models import OrgUnit

MAX_CONTENT = 5000
# Staff who may record a complaint they hear about (agents on the phone or in a chat, officers, leads).
INTAKE_ROLES = (scopes.AGENT, scopes.TEAM_LEAD, scopes.COMPLAINTS_OFFICER, scopes.QA, scopes.HQ_ADMIN)


def _text(value: str, *, field: str, label: str, required: bool = True, limit: int = MAX_CONTENT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(f"请填写{label}", extra={"field": field})
    if len(value) > limit:
        raise ApplicationError(f"{label}太长（最多 {limit} 字）", extra={"field": field})
    return value


def _create(
    *,
    actor: Actor | None,
    unit: OrgUnit,
    source: str,
    customer: Customer,
    content: str,
    customer_request: str,
    amount_at_stake: Any,
    order: Order | None = None,
    conversation: Conversation | None = None,
    contact_phone: str = "",
    subject_agent_id: int | None = None,
    created_at: dt.datetime | None = None,
    import_key: str = "",
) -> Complaint:
    content = _text(content, field="content", label="投诉内容")
    customer_request = _text(customer_request, field="customer_request", label="客户诉求", required=False)
    amount = money(amount_at_stake, field="amount_at_stake", label="涉及金额")
    now = created_at or timezone.now()
    complaint = Complaint(
        number=f"TMP-{timezone.now().timestamp()}-{customer.id}-{import_key}"[:30],
        unit=channel_services.branch_of(unit),
        source=source,
        customer=customer,
        order=order,
        conversation=conversation,
        content=content,
        customer_request=customer_request,
        amount_at_stake=amount,
        contact_phone=contact_phone or customer.phone,
        subject_agent_id=subject_agent_id,
        status=Status.RECORDED,
        created_by=scopes.signed_in(actor),
        created_at=now,
        import_key=import_key,
    )
    start_step(complaint, now=now)
    complaint.save()
    complaint.number = f"TS{timezone.localtime(now):%Y%m%d}-{complaint.id:05d}"
    complaint.save(update_fields=["number"])
    event(
        complaint=complaint,
        kind=EventKind.CREATED,
        actor=actor,
        action="record",
        to_status=Status.RECORDED,
        text=f"{Source(source).label}登记投诉：{content[:200]}",
        data={"amount_at_stake": str(amount)},
        public=True,
        at=now,
        label="客户" if source == Source.WEB else "",
    )
    if conversation is not None:
        ComplaintEvidence.objects.create(
            complaint=complaint,
            kind=EvidenceKind.CONVERSATION,
            conversation=conversation,
            added_by=scopes.signed_in(actor),
        )
    if order is not None:
        ComplaintEvidence.objects.create(
            complaint=complaint, kind=EvidenceKind.ORDER, order=order, added_by=scopes.signed_in(actor)
        )
    audit.record(
        actor=actor,
        action="complaint.record",
        obj=complaint,
        after={"source": source, "customer": customer.id, "order": order.id if order else None, "amount": str(amount)},
    )
    return complaint


def _require_intake(actor: Actor) -> None:
    if not scopes.has_any_role(actor, INTAKE_ROLES):
        raise Forbidden("你没有登记投诉的权限")


@transaction.atomic
def complaint_from_conversation(
    *,
    actor: Actor,
    conversation_id: int,
    content: str,
    customer_request: str = "",
    amount_at_stake: Any = "0",
    order_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> Complaint:
    """Raised from the agent console: the chat and its order become evidence; its agent is the subject."""
    _require_intake(actor)
    conversation = channel_selectors.conversation_get(actor=actor, conversation_id=conversation_id)  # 404 outside
    order = None
    if order_id is not None:
        order = Order.objects.filter(id=order_id, customer_id=conversation.customer_id).first()
        if order is None:
            raise ApplicationError("该订单不属于这个会话的客户", extra={"field": "order_id"})
    else:
        linked = Message.objects.filter(conversation=conversation, order__isnull=False).order_by("-seq").first()
        order = linked.order if linked else None
    return _create(
        actor=actor,
        unit=conversation.unit,
        source=Source.CHAT,
        customer=conversation.customer,
        content=content,
        customer_request=customer_request,
        amount_at_stake=amount_at_stake,
        order=order,
        conversation=conversation,
        subject_agent_id=conversation.agent_id,
        created_at=_not_future(created_at),
    )


@transaction.atomic
def complaint_record(
    *,
    actor: Actor,
    customer_id: int,
    content: str,
    customer_request: str = "",
    amount_at_stake: Any = "0",
    order_id: int | None = None,
    source: str = Source.PHONE,
    subject_agent_id: int | None = None,
    created_at: dt.datetime | None = None,
) -> Complaint:
    """Entered by staff for a phone call (or a letter, a visit): the customer must be in the actor's reach.
    `created_at` back-dates a complaint taken down on paper (never into the future)."""
    _require_intake(actor)
    if source not in (Source.PHONE, Source.CHAT, Source.WEB):
        raise ApplicationError(f"未知来源 {source!r}", extra={"field": "source"})
    customer = channel_selectors.customer_get(actor=actor, customer_id=customer_id)  # 404 outside
    order = None
    if order_id is not None:
        order = Order.objects.filter(id=order_id, customer=customer).first()
        if order is None:
            raise ApplicationError("该订单不属于这个客户", extra={"field": "order_id"})
    if subject_agent_id is not None:
        org_selectors.employee_get(actor=actor, employee_id=subject_agent_id)
    return _create(
        actor=actor,
        unit=customer.unit,
        source=source,
        customer=customer,
        content=content,
        customer_request=customer_request,
        amount_at_stake=amount_at_stake,
        order=order,
        subject_agent_id=subject_agent_id,
        created_at=_not_future(created_at),
    )


def _not_future(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError("登记时间不能在将来", extra={"field": "created_at"})
    return moment


@transaction.atomic
def complaint_submit_public(
    *,
    branch_id: int,
    name: str,
    phone: str,
    content: str,
    customer_request: str = "",
    amount_at_stake: Any = "0",
    order_number: str = "",
) -> Complaint:
    """The customer's own web form. The order is linked only when the phone matches its customer,
    so nobody can attach a complaint to someone else's order by guessing a number."""
    from kefu.org.models import UnitKind

    branch = OrgUnit.objects.filter(id=branch_id, kind=UnitKind.BRANCH, active=True).first()
    if branch is None:
        raise ApplicationError("请选择受理的分公司", extra={"field": "branch_id"})
    name = _text(name, field="name", label="您的姓名", limit=50)
    phone = channel_services.commerce.clean_phone(phone)
    if not phone:
        raise ApplicationError("请填写手机号，方便我们联系您", extra={"field": "phone"})
    order = None
    order_number = order_number.strip()
    if order_number:
        order = Order.objects.select_related("customer").filter(number=order_number).first()
        if order is not None and order.customer.phone != phone:
            order = None
    found = order.customer if order is not None else None
    if found is None:
        found = Customer.objects.filter(phone=phone, is_guest=False, unit=branch).order_by("id").first()
    customer = found or channel_services.customer_create(actor=None, name=name, unit=branch, phone=phone)
    complaint = _create(
        actor=None,
        unit=branch,
        source=Source.WEB,
        customer=customer,
        content=content,
        customer_request=customer_request,
        amount_at_stake=amount_at_stake,
        order=order,
        contact_phone=phone,
    )
    if order_number and order is None:
        event(
            complaint=complaint,
            kind=EventKind.CUSTOMER,
            actor=None,
            text=f"客户填写的订单号 {order_number[:40]} 未能核实（与手机号不符或不存在）",
            label="系统",
        )
    return complaint


# --- import ----------------------------------------------------------------------------------

COLUMNS = {
    "编号": "external_id",
    "客户姓名": "name",
    "手机号": "phone",
    "订单号": "order_number",
    "投诉内容": "content",
    "客户诉求": "customer_request",
    "涉及金额": "amount_at_stake",
    "登记时间": "created_at",
}
REQUIRED = ("name", "phone", "content")


@dataclass
class ImportResult:
    created: list[Complaint] = field(default_factory=list)
    skipped: int = 0


def _rows(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ApplicationError("文件编码无法识别：请存为 UTF-8 或 GBK 的 CSV", extra={"field": "file"}) from exc
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or []]
    missing = [zh for zh, key in COLUMNS.items() if key in REQUIRED and zh not in headers]
    if missing:
        raise ApplicationError(f"缺少列：{'、'.join(missing)}", extra={"field": "file", "missing": missing})
    return [
        {COLUMNS[k.strip()]: (v or "").strip() for k, v in row.items() if k and k.strip() in COLUMNS} for row in reader
    ]


@transaction.atomic
def complaint_import(*, actor: Actor, unit_id: int, content: bytes, filename: str = "") -> ImportResult:
    """All rows or none: every bad row is named in one refusal. Rows already imported are skipped."""
    unit = org_selectors.org_unit_get(actor=actor, unit_id=unit_id)  # 404 outside
    scopes.require(actor, unit_path=unit.path, roles=(scopes.COMPLAINTS_OFFICER, scopes.HQ_ADMIN), what="导入投诉")
    branch = channel_services.branch_of(unit)
    rows = _rows(content)
    if not rows:
        raise ApplicationError("文件里没有数据行", extra={"field": "file"})
    errors: list[str] = []
    plans: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        problems = [f"缺少{zh}" for zh, key in COLUMNS.items() if key in REQUIRED and not row.get(key)]
        try:
            amount = money(row.get("amount_at_stake"), field="amount_at_stake", label="涉及金额")
        except ApplicationError as exc:
            problems.append(exc.message)
            amount = None
        created_at = None
        if row.get("created_at"):
            parsed = parse_datetime(row["created_at"].replace("/", "-"))
            if parsed is None:
                problems.append(f"登记时间格式不对：{row['created_at']}（例如 2026-03-05 14:30）")
            else:
                created_at = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
                if created_at > timezone.now():
                    problems.append("登记时间不能在将来")
        try:
            phone = channel_services.commerce.clean_phone(row.get("phone", ""))
        except ApplicationError as exc:
            problems.append(exc.message)
            phone = ""
        order = None
        if row.get("order_number"):
            order = Order.objects.select_related("customer__unit").filter(number=row["order_number"]).first()
            if order is None:
                problems.append(f"订单号 {row['order_number']} 不存在")
            elif not order.customer.unit.path.startswith(branch.path):
                problems.append(f"订单号 {row['order_number']} 不属于{branch.name}")
        if len(row.get("content", "")) > MAX_CONTENT:
            problems.append("投诉内容太长")
        if problems:
            errors.append(f"第 {number} 行：{'；'.join(problems)}")
            continue
        key_source = row.get("external_id") or "|".join(row.get(k, "") for k in sorted(COLUMNS.values()))
        key = "imp:" + hashlib.sha256(f"{branch.id}|{key_source}".encode()).hexdigest()[:40]
        plans.append(
            {"row": row, "amount": amount, "created_at": created_at, "phone": phone, "order": order, "key": key}
        )
    if errors:
        raise ApplicationError(
            f"导入失败，没有写入任何投诉：{len(errors)} 行有问题", extra={"field": "file", "rows": errors}
        )
    result = ImportResult()
    seen: set[str] = set()
    for plan in plans:
        if plan["key"] in seen or Complaint.objects.filter(import_key=plan["key"]).exists():
            result.skipped += 1
            continue
        seen.add(plan["key"])
        row = plan["row"]
        customer: Customer | None = plan["order"].customer if plan["order"] else None
        if customer is None:
            customer = Customer.objects.filter(phone=plan["phone"], unit=branch, is_guest=False).order_by("id").first()
        if customer is None:
            customer = channel_services.customer_create(actor=actor, name=row["name"], unit=branch, phone=plan["phone"])
        assert customer is not None
        result.created.append(
            _create(
                actor=actor,
                unit=branch,
                source=Source.IMPORT,
                customer=customer,
                content=row["content"],
                customer_request=row.get("customer_request", ""),
                amount_at_stake=plan["amount"],
                order=plan["order"],
                contact_phone=plan["phone"],
                created_at=plan["created_at"],
                import_key=plan["key"],
            )
        )
    audit.record(
        actor=actor,
        action="complaint.import",
        obj=unit,
        after={"file": filename[:100], "created": len(result.created), "skipped": result.skipped},
    )
    return result
