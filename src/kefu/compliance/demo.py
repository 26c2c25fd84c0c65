"""Demo compliance data, after the channel's demo: its contact-exchange and red-packet messages become events,
a few agents slip (mostly on weekend evenings, as seed 001 observed) and their cases sit in every workflow
state, refusals are reported and verified, finance finds money in private accounts, scores and honours follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from kefu.channel.models import Conversation, Message, Outcome, SenderKind
from kefu.compliance import effective, services
from kefu.compliance.models import (
    CaseKind,
    CaseStatus,
    PositiveEvent,
    PositiveKind,
    ViolationCase,
)
from kefu.core import audit
from kefu.core.demo import DemoContext
from kefu.core.models import Notification
from kefu.core.periods import Period

SLIPS = (  # (customer, agent) — the agent takes the chat off the channel
    ("这个价格还能再便宜点吗？", "平台扣点高，你加我薇信 xiao_{n}，私下给你便宜 50"),
    ("售后太慢了，有没有更快的办法？", "你直接打我手机 139{n:04d}8826，我私下帮你加急"),
    ("尾款怎么付？", "尾款你私下转我就行，不用走平台"),
    ("能不能先发货后付款？", "可以，你扫码加我，把钱转到我卡上 6217 0000 {n:04d} 5521"),
    ("谢谢你这么耐心", "不客气～给个小红包意思一下就行，哈哈"),
    ("你们有QQ群吗？", "有的，加我扣扣 28{n:04d}731，拉你进群"),
)


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def _slip(ctx: DemoContext, conversation: Conversation, n: int) -> Message:
    """Append a customer line and the agent's slip to a finished conversation (screened like a live send)."""
    customer_line, agent_line = ctx.rng.choice(SLIPS)
    last = conversation.messages.order_by("-seq").first()
    at = (last.created_at if last else conversation.created_at) + dt.timedelta(seconds=ctx.rng.randint(20, 90))
    seq = conversation.last_seq
    stored = None
    for kind, text in ((SenderKind.CUSTOMER, customer_line), (SenderKind.AGENT, agent_line.format(n=n))):
        seq += 1
        at += dt.timedelta(seconds=ctx.rng.randint(15, 120))
        employee = conversation.agent if kind == SenderKind.AGENT else None
        screening = effective.screen(
            effective.hooks.ScreenRequest(
                text=text,
                sender_kind=kind,
                unit=conversation.unit,
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                sender_employee_id=employee.id if employee else None,
            )
        )
        stored = Message.objects.create(  # post_save turns a warned/blocked one into an event and a case
            conversation=conversation,
            customer_id=conversation.customer_id,
            seq=seq,
            sender_kind=kind,
            sender_employee=employee,
            created_at=at,
            text=text,
            outcome=screening.outcome,
            reasons=list(screening.reasons),
            client_key=f"demo-slip-{seq}",
        )
    Conversation.objects.filter(id=conversation.id).update(last_seq=seq, last_message_at=at, closed_at=at)
    assert stored is not None
    return stored


def _weekend_evening(conversation: Conversation) -> bool:
    local = timezone.localtime(conversation.created_at)
    return local.weekday() >= 5 and 18 <= local.hour < 22


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    # 1. The channel demo stored its history in bulk (no signals): its warned/blocked messages become events.
    flagged = (
        Message.objects.filter(outcome__in=(Outcome.WARN, Outcome.BLOCK), violation_event__isnull=True)
        .exclude(sender_kind=SenderKind.SYSTEM)
        .order_by("created_at", "id")
    )
    for message in flagged:
        services.record_message_event(message=message)

    # 2. Some agents slip: weekend evenings three times as likely.
    closed = list(
        Conversation.objects.filter(status="closed", agent__isnull=False)
        .select_related("agent__unit", "unit")
        .order_by("id")
    )
    chosen = [c for c in closed if rng.random() < (0.30 if _weekend_evening(c) else 0.07)]
    hd_agent_user = _user("hd_agent")
    own = getattr(hd_agent_user, "employee", None)
    own_conversations = [c for c in closed if own is not None and c.agent_id == own.id][:2]
    for n, conversation in enumerate([*own_conversations, *chosen[:40]], start=1):
        _slip(ctx, conversation, n)

    # 3. Cases move through the workflow; older ones further along.
    reviewers = {"HD": _user("hd_qa") or _user("hd_hr"), "HN": _user("hn_hr")}
    hq = _user("hq_admin")
    today = ctx.today
    for case in ViolationCase.objects.filter(kind=CaseKind.CHAT).select_related("unit").order_by("day", "id"):
        branch = "HD" if case.unit.path.startswith(ctx.objects["HD.branch"].path) else "HN"
        reviewer = reviewers[branch] or hq
        age = (today - case.day).days
        if age < 3 or reviewer is None:
            continue  # fresh: still waiting for review
        services.violation_case_act(actor=reviewer, case_id=case.id, action="start_review")
        if age < 6:
            continue
        if rng.random() < 0.2:
            services.violation_case_act(
                actor=reviewer, case_id=case.id, action="dismiss", note="复核聊天上下文，属系统误判"
            )
            continue
        services.violation_case_act(actor=reviewer, case_id=case.id, action="confirm", note="聊天记录清楚，确认违规")
        if case.agent_id == getattr(own, "id", None) and hd_agent_user is not None:
            services.violation_case_act(
                actor=hd_agent_user, case_id=case.id, action="appeal", note="客户要求加微信，我只是复述后拒绝了"
            )
            outcome = (
                "overturn"
                if ViolationCase.objects.filter(agent=own, status=CaseStatus.OVERTURNED).count() == 0
                else None
            )
            if outcome:
                services.violation_case_act(actor=hq or reviewer, case_id=case.id, action=outcome, note="申诉成立")
        elif age > 20 and rng.random() < 0.5:
            services.violation_case_act(actor=reviewer, case_id=case.id, action="finalise")

    # 4. Refusals reported by agents (the channel demo's agents decline red packets and private contact).
    offers = (
        Message.objects.filter(
            sender_kind=SenderKind.CUSTOMER,
            violation_event__categories__isnull=False,
            conversation__agent__isnull=False,
        )
        .select_related("conversation__agent__unit")
        .order_by("created_at", "id")
    )
    verified_by = {"HD": _user("hd_qa") or _user("hd_hr"), "HN": _user("hn_hr")}
    for index, offer in enumerate(offers):
        if index % 3:
            continue
        agent = offer.conversation.agent
        assert agent is not None
        kind = PositiveKind.REFUSED_RED_PACKET if "红包" in offer.text else PositiveKind.REFUSED_PRIVATE_CONTACT
        if PositiveEvent.objects.filter(agent=agent, message=offer).exists():
            continue
        if own is not None and agent.id == own.id and hd_agent_user is not None:
            event = services.positive_event_report(actor=hd_agent_user, message_id=offer.id, kind=kind, note="已婉拒")
        else:
            event = PositiveEvent.objects.create(
                agent=agent, unit=agent.unit, kind=kind, message=offer, note="已婉拒，并引导走官方渠道",
                reported_at=offer.created_at + dt.timedelta(minutes=10),
            )  # fmt: skip
            audit.record(actor=None, action="positive_event.report", obj=event, after={"kind": kind, "demo": True})
        branch = "HD" if agent.unit.path.startswith(ctx.objects["HD.branch"].path) else "HN"
        checker = verified_by[branch]
        if checker is not None and index % 9 != 6:
            services.positive_event_verify(actor=checker, event_id=event.id, approve=True, note="聊天记录属实")

    # 5. Finance finds money in private accounts: matched to the customers behind the chats.
    finance, hd = _user("hd_finance"), ctx.objects["HD.branch"]
    if finance is not None:
        behind = list(
            Conversation.objects.filter(unit__path__startswith=hd.path, messages__outcome=Outcome.WARN)
            .select_related("customer")
            .distinct()
            .order_by("id")[:2]
        )
        for conversation in behind:
            services.finance_record_create(
                actor=finance,
                unit_id=hd.id,
                kind="private_receipt",
                amount=f"{rng.randint(50, 400)}.00",
                account="6217 **** **** 5521（个人卡）",
                payer_name=conversation.customer.name,
                payer_phone=conversation.customer.phone,
                occurred_at=min(conversation.last_message_at + dt.timedelta(hours=2), timezone.now()),
                note="银行流水：客户转入客服个人账户",
            )
        services.finance_record_create(
            actor=finance,
            unit_id=hd.id,
            kind="non_company_payment",
            amount="199.00",
            account="个人微信 wxid_unknown",
            payer_name="未登记客户",
            occurred_at=timezone.now() - dt.timedelta(days=1),
            note="对账发现：付款未进入公司账户",
        )

    # 6. Honours for last month, and older alerts already read.
    last_month = Period.containing(today).previous()
    for code, username in (("HD", "hd_hr"), ("HN", "hn_hr")):
        hr = _user(username)
        if hr is not None:
            services.honours_award(actor=hr, unit_id=ctx.objects[f"{code}.branch"].id, period=last_month)
    old_cases = (
        ViolationCase.objects.filter(day__lt=today - dt.timedelta(days=3))
        .annotate(label=Concat(Value(f"{ViolationCase._meta.label_lower}:"), Cast("id", CharField())))
        .values("label")
    )
    Notification.objects.filter(app="compliance", created_at__lt=timezone.now(), subject__in=old_cases).update(
        read_at=F("created_at")
    )
