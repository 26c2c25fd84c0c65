"""Demo complaints: three months across categories and outcomes for both branches, some overdue.

Uses the channel's demo customers, orders and conversations when there are any; otherwise makes a few
customers and orders through the channel services. Every step goes through the workflow service with
a back-dated clock, so timelines, audit, penalties and SLA escalations are real.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.channel import services as channel_services
from kefu.channel.models import Conversation, Customer, Order
from kefu.complaints import services
from kefu.complaints.models import Complaint
from kefu.core.demo import DEMO_PASSWORD, DemoContext, DemoLogin
from kefu.org import services as org_services
from kefu.org.models import Role

PRODUCTS = [
    ("保温杯", "129.00"),
    ("空气炸锅", "399.00"),
    ("羽绒服", "899.00"),
    ("蓝牙耳机", "259.00"),
    ("电饭煲", "329.00"),
    ("儿童安全座椅", "1299.00"),
]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
STORIES = {
    "商品质量": ("收到的{p}有质量问题，用了两天就坏了", "换新或退款"),
    "购销合同": ("{p}的促销价格和下单页不一致，多收了钱", "退还差价"),
    "货物运输": ("{p}快递超时一周未到，物流信息不更新", "尽快送达并补偿"),
    "服务": ("咨询{p}时客服态度敷衍，问题没有解决", "道歉并说明"),
    "建议/意见": ("希望{p}增加更多颜色，包装再结实一点", "采纳建议"),
}
PARTY_BY_CATEGORY = {
    "商品质量": "supplier",
    "购销合同": "department",
    "货物运输": "logistics",
    "服务": "agent",
    "建议/意见": "none",
}


def _login(ctx: DemoContext, username: str, role: str, unit: Any, employee: Any) -> Any:
    user = org_services.user_create(actor=None, username=username, password=DEMO_PASSWORD, employee_id=employee.id)
    org_services.role_grant(actor=None, user_id=user.pk, role=role, unit_id=unit.id)
    ctx.logins.append(DemoLogin(username=username, role=role, scope=unit.name))
    return user


def _customers(ctx: DemoContext, code: str, branch: Any) -> list[tuple[Customer, Order | None]]:
    existing = list(Customer.objects.filter(unit=branch, is_guest=False).order_by("id")[:30])
    if existing:
        return [(c, Order.objects.filter(customer=c).order_by("id").first()) for c in existing]
    made: list[tuple[Customer, Order | None]] = []
    for i in range(12):
        customer = channel_services.customer_create(
            actor=None,
            name=f"{SURNAMES[i]}{'女士' if i % 2 else '先生'}",
            unit=branch,
            phone=f"13{8 if code == 'HD' else 9}0{i:07d}",
        )
        name, price = PRODUCTS[i % len(PRODUCTS)]
        order = channel_services.order_create(
            actor=None,
            customer=customer,
            number=f"DEMO-{code}-{i:04d}",
            shop="华夏优品旗舰店",
            items=[{"name": name, "quantity": 1, "unit_price": price}],
            created_at=timezone.now() - dt.timedelta(days=100),
        )
        made.append((customer, order))
    return made


def build(ctx: DemoContext) -> None:
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["hq_admin", "hd_complaints", "hd_lead"])
    }
    hq = users["hq_admin"]
    officers = {"HD": users["hd_complaints"]}
    hn_desk = ctx.objects["HN.投诉组.lead"]
    officers["HN"] = _login(ctx, "hn_complaints", Role.COMPLAINTS_OFFICER, ctx.objects["HN.branch"], hn_desk)
    # The HD complaints desk has a second officer so large solutions can be approved by someone else.
    second = ctx.objects["HD.投诉组.members"][0]
    _login(ctx, "hd_complaints2", Role.COMPLAINTS_OFFICER, ctx.objects["HD.branch"], second)
    now = timezone.now()
    categories = list(STORIES)
    count = 0
    for code in ("HD", "HN"):
        officer = officers[code]
        branch = ctx.objects[f"{code}.branch"]
        handlers = ctx.objects[f"{code}.投诉组.members"]
        agents = ctx.objects[f"{code}.话务一组.members"] + ctx.objects[f"{code}.话务二组.members"]
        lead = ctx.objects[f"{code}.话务一组.lead"]
        pairs = _customers(ctx, code, branch)
        chats = list(
            Conversation.objects.filter(unit__path__startswith=branch.path, agent__isnull=False).order_by("id")[:10]
        )
        for i in range(36):
            count += 1
            rng = ctx.rng
            start = now - dt.timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 8))
            category = categories[i % len(categories)] if rng.random() < 0.7 else rng.choice(categories)
            customer, order = pairs[i % len(pairs)]
            product = order.items[0]["name"] if order and order.items else rng.choice(PRODUCTS)[0]
            content, request = STORIES[category]
            amount = Decimal(order.amount if order else "100.00")
            if chats and i % 4 == 0:
                chat = chats[i % len(chats)]
                c = services.complaint_from_conversation(
                    actor=hq,
                    conversation_id=chat.id,
                    content=content.format(p=product),
                    customer_request=request,
                    amount_at_stake=str(amount),
                    created_at=start,
                )
            else:
                c = services.complaint_record(
                    actor=hq,
                    customer_id=customer.id,
                    content=content.format(p=product),
                    customer_request=request,
                    amount_at_stake=str(amount),
                    order_id=order.id if order else None,
                    subject_agent_id=rng.choice(agents).id if category == "服务" or rng.random() < 0.3 else None,
                    created_at=start,
                )
            _walk(
                c,
                rng=rng,
                officer=officer,
                hq=hq,
                handler=rng.choice(handlers),
                lead=lead,
                category=category,
                start=start,
                now=now,
            )
    services.complaint_sla_sweep(now=now)
    ctx.objects["complaints.count"] = count


def _walk(
    c: Complaint,
    *,
    rng: Any,
    officer: Any,
    hq: Any,
    handler: Any,
    lead: Any,
    category: str,
    start: dt.datetime,
    now: dt.datetime,
) -> None:
    """Take the complaint as far as its drawn outcome, each step a few hours after the one before."""
    roll = rng.random()
    clock = [start]

    def step(action: str, data: dict[str, Any] | None = None, actor: Any = None, hours: float = 0.0) -> bool:
        moment = clock[0] + dt.timedelta(hours=hours or rng.uniform(1, 20))
        if moment >= now:
            return False  # recent complaints are still in progress
        clock[0] = moment
        c.refresh_from_db()
        services.complaint_act(
            actor=actor or officer,
            complaint_id=c.id,
            action=action,
            expected_version=c.version,
            data=data or {},
            now=moment,
        )
        return True

    if roll < 0.06:
        return  # still waiting to be classified: overdue after a few hours
    if roll < 0.18 or (category == "建议/意见" and roll < 0.4):
        step(
            "reject",
            {"category": category, "rejection_reason": "经核查订单与聊天记录，情况与描述不符；如有新证据欢迎补充"},
        )
        return
    if not step(
        "classify", {"category": category, "founded": "true", "reasonable": "true" if rng.random() < 0.8 else "false"}
    ):
        return
    if roll < 0.24 or not step("assign", {"handler_id": handler.id}):
        return
    party = PARTY_BY_CATEGORY[category] if rng.random() < 0.75 else "agent"
    data: dict[str, Any] = {"findings": "核对订单、物流与聊天记录后确认", "responsible_party": party}
    if party == "agent":
        data["responsible_agent_id"] = c.subject_agent_id or ""
        if not c.subject_agent_id:
            data["responsible_party"] = "department"
    if roll < 0.30 or not step("investigate", data, hours=rng.uniform(4, 40)):
        return
    amount = c.amount_at_stake if rng.random() < 0.3 else (c.amount_at_stake * Decimal("0.2")).quantize(Decimal("0.01"))
    kind = {"商品质量": "replacement", "购销合同": "refund", "货物运输": "compensation", "服务": "apology"}.get(
        category, "explanation"
    )
    if roll < 0.35 or not step(
        "propose", {"solution_kind": kind, "solution": "按公司售后规定处理", "compensation_amount": str(amount)}
    ):
        return
    c.refresh_from_db()
    if c.approval_required and not step("approve", {"note": "同意"}, actor=hq):
        return
    if not step(
        "notify", {"customer_notice": f"已为您办理：{c.get_solution_kind_display()}，金额 ¥{c.compensation_amount}"}
    ):
        return
    if roll < 0.45:
        return  # waiting for the customer's feedback
    if rng.random() < 0.15:
        step("reopen", {"feedback": "不满意，问题没有真正解决"})
        return
    if not step("satisfied", {"feedback": "满意"}, hours=rng.uniform(2, 30)):
        return
    if not step("assess", {"loss_amount": str(c.compensation_amount), "note": "非客服责任"}):
        return
    # Due dates are never in the past when set; old cases got theirs "today" in the demo's telling.
    due = max((clock[0] + dt.timedelta(days=14)).date(), timezone.localdate() + dt.timedelta(days=rng.randint(1, 20)))
    description = {
        "商品质量": "向供应商反馈质检问题，抽检同批次",
        "货物运输": "更换该线路物流商",
        "服务": "服务话术与态度专项培训",
    }.get(category, "修订售前说明与促销规则")
    owner = c.responsible_agent or handler
    if not step(
        "plan",
        {
            "improvement_kind": "training" if category == "服务" else "rule",
            "improvement_description": description,
            "owner_id": owner.id,
            "due_date": due.isoformat(),
        },
    ):
        return
    if roll < 0.6:
        return
    action = c.improvements.first()
    if action is not None:
        services.improvement_complete(actor=officer, improvement_id=action.id, note="已完成并抽查")
        step("close", {"note": "整改完成"})
