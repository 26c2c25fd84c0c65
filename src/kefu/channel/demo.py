"""Demo data for the official channel: service groups, customers of every tier in both branches, orders,
payments (a few to private accounts → anomalies), three months of Chinese conversations between the demo
agents and customers — some with contact-exchange attempts (blocked) and red-packet talk (warned) — and
live work for the `hd_agent` login: active conversations on the console and customers waiting in a queue.

History is written in bulk (screened by the same `screen_message` hook, so outcomes are real); customers,
orders, payments and the live conversations go through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.channel import hooks, services
from kefu.channel.models import (
    TIER_PRIORITY,
    AgentPresence,
    AgentStatus,
    AssignmentKind,
    CloseReason,
    Conversation,
    ConversationAssignment,
    ConversationStatus,
    Customer,
    IdentifiedBy,
    Message,
    Order,
    OrderStatus,
    SenderKind,
    ServiceGroup,
    Tier,
)
from kefu.core.demo import DemoContext
from kefu.org.models import Employee

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉梅鑫宇欣怡涵浩然思雨轩晨佳琪嘉雅婷"
SHOPS = ("华夏优品天猫旗舰店", "华夏优品京东自营店", "华夏优品抖音小店")
PRODUCTS = (
    ("智能电饭煲 4L", "299.00"),
    ("不粘炒锅 32cm", "189.00"),
    ("电热水壶 1.7L", "129.00"),
    ("空气炸锅 5L", "459.00"),
    ("破壁料理机", "699.00"),
    ("扫地机器人", "1899.00"),
    ("加湿器", "239.00"),
    ("电动牙刷", "199.00"),
    ("羽绒被 200×230", "899.00"),
    ("保温杯 500ml", "99.00"),
)
PRIVATE_ACCOUNTS = ("6217000012345678901", "wxid_xiaowang88", "alipay:138****6621")

# (customer line, agent line) pairs per topic; "{order}" is the customer's order number.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "logistics": [
        ("你好，我的订单{order}什么时候发货？", "您好，很高兴为您服务，我马上帮您查询订单{order}。"),
        ("好的，麻烦快一点，下周要用。", "订单已经从仓库发出，顺丰单号 SF1402836659，预计明天送达。"),
        ("收到，谢谢！", "不客气，有问题随时在这里找我们～"),
    ],
    "return": [
        ("收到的电饭煲内胆有划痕，可以换货吗？订单{order}", "非常抱歉给您带来不便，麻烦发一张划痕的照片给我。"),
        ("照片发你了，挺明显的。", "已为您登记换货，快递员 1–2 天内上门取件，新货同步发出。"),
        ("那运费谁出？", "运费由我们承担，您不需要支付任何费用。"),
    ],
    "invoice": [
        ("我需要开增值税专用发票，怎么弄？", "您好，请提供公司名称、税号、开户行和账号，我这边为您申请。"),
        ("华东某某贸易有限公司，税号 91310000XXXXXXXX。", "已提交，电子发票会在 3 个工作日内发到您的邮箱。"),
    ],
    "price": [
        ("这个空气炸锅双十一还会降价吗？", "活动价格以官方页面公布为准，目前下单可以享受保价 30 天。"),
        ("保价是什么意思？", "30 天内如果官方降价，您可以申请退还差价，在订单页点“价保”即可。"),
    ],
    "contact": [
        ("能加我微信吗？我微信号 lx_2023，方便沟通", "抱歉，为保障您的权益，请通过官方渠道联系，我在这里为您处理。"),
        ("那你给我个私人电话也行", "所有服务都在本平台完成，记录可查，售后也更有保障。"),
    ],
    "red_packet": [
        ("谢谢你帮我处理这么快，给你发个红包吧", "心意领了，公司规定不能收红包，您给个好评就是对我最大的支持～"),
        ("就一点小意思嘛", "真的不用，付款也请只通过官方页面，不要转账给个人。"),
    ],
    "transfer": [
        ("我直接转账给你行不行，便宜点卖我", "抱歉，付款只能通过官方页面或公司账户，私下转账没有保障。"),
        ("好吧，那我在页面下单。", "好的，下单后有任何问题随时找我们。"),
    ],
}
TOPIC_WEIGHTS = {
    "logistics": 30,
    "return": 20,
    "invoice": 12,
    "price": 18,
    "contact": 6,
    "red_packet": 6,
    "transfer": 4,
}
COMMENTS = ("回复很快，点赞", "态度很好", "问题解决了", "", "", "处理有点慢", "客服很专业")


def _name(ctx: DemoContext, used: set[str]) -> str:
    while True:
        name = ctx.rng.choice(SURNAMES) + "".join(ctx.rng.sample(GIVEN, ctx.rng.choice([1, 2])))
        if name not in used:
            used.add(name)
            return name


def _aware(day: dt.date, minute_of_day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute_of_day // 60, minute_of_day % 60)))


def _customers(ctx: DemoContext, branch_code: str, count: int, used: set[str]) -> list[Customer]:
    branch = ctx.objects[f"{branch_code}.branch"]
    made = []
    for i in range(count):
        tier = Tier.KA if i < 4 else Tier.VIP if i < 12 else Tier.NORMAL
        name = _name(ctx, used)
        label = name + ("（企业采购）" if tier == Tier.KA else "")
        made.append(
            services.customer_create(
                actor=None,
                name=label,
                unit=branch,
                phone=f"1{ctx.rng.choice('3578')}{ctx.rng.randrange(10**9):09d}",
                platform_account=f"tb_{ctx.rng.randrange(16**6):06x}",
                tier=tier,
                created_at=timezone.now() - dt.timedelta(days=ctx.rng.randint(100, 900)),
            )
        )
    return made


def _orders(ctx: DemoContext, customer: Customer, serial: list[int]) -> list[Order]:
    orders = []
    for _ in range(ctx.rng.choice([1, 1, 2, 2, 3])):
        serial[0] += 1
        lines = [
            {"name": name, "quantity": ctx.rng.choice([1, 1, 1, 2]), "unit_price": price}
            for name, price in ctx.rng.sample(PRODUCTS, ctx.rng.choice([1, 1, 2]))
        ]
        placed = ctx.today - dt.timedelta(days=ctx.rng.randint(1, 95))
        status = ctx.rng.choice([OrderStatus.COMPLETED] * 5 + [OrderStatus.SHIPPED, OrderStatus.PAID])
        orders.append(
            services.order_create(
                actor=None,
                customer=customer,
                number=f"DD{placed:%Y%m%d}{serial[0]:05d}",
                shop=ctx.rng.choice(SHOPS),
                items=lines,
                status=status,
                created_at=_aware(placed, ctx.rng.randint(8 * 60, 23 * 60)),
            )
        )
    return orders


def _screened(conversation: Conversation, sender_kind: str, text: str) -> hooks.Screening:
    return hooks.screen_message(
        hooks.ScreenRequest(
            text=text,
            sender_kind=sender_kind,
            unit=conversation.unit,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
        )
    )


def _history(
    ctx: DemoContext, *, group: ServiceGroup, agents: list[Employee], customer: Customer, orders: list[Order]
) -> tuple[Conversation, list[Message]]:
    day = ctx.today - dt.timedelta(days=ctx.rng.randint(1, 91))
    start = _aware(day, ctx.rng.randint(8 * 60, 22 * 60 + 30))
    agent = ctx.rng.choice(agents)
    topic = ctx.rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]
    order = ctx.rng.choice(orders) if orders else None
    wait = dt.timedelta(seconds=ctx.rng.randint(3, 180))
    conversation = Conversation.objects.create(
        customer=customer,
        service_group=group,
        unit=agent.unit,
        agent=agent,
        status=ConversationStatus.ACTIVE,
        priority=TIER_PRIORITY[Tier(customer.tier)],
        identified_by=IdentifiedBy.PHONE,
        created_at=start,
        queued_at=start,
        assigned_at=start + wait,
        last_message_at=start,
    )
    ConversationAssignment.objects.create(
        conversation=conversation, kind=AssignmentKind.ROUTE, to_agent=agent, at=start + wait
    )
    at = start + wait
    lines: list[tuple[str, Employee | None, str]] = [(SenderKind.SYSTEM, None, f"客服{agent.name}为您服务。")]
    for customer_line, agent_line in TOPICS[topic]:
        number = order.number if order else "（无订单）"
        lines.append((SenderKind.CUSTOMER, None, customer_line.format(order=number)))
        lines.append((SenderKind.AGENT, agent, agent_line.format(order=number)))
    lines.append((SenderKind.SYSTEM, None, "本次会话已结束，请为我们的服务评分（1–5 星）。"))
    messages = []
    for seq, (kind, sender, text) in enumerate(lines, start=1):
        at += dt.timedelta(seconds=ctx.rng.randint(8, 150))
        screening = _screened(conversation, kind, text) if kind != SenderKind.SYSTEM else hooks.Screening("deliver")
        messages.append(
            Message(
                conversation=conversation,
                customer=customer,
                seq=seq,
                sender_kind=kind,
                sender_employee=sender,
                created_at=at,
                text=text,
                order=order if order and order.number in text else None,
                outcome=screening.outcome,
                reasons=list(screening.reasons),
                client_key=f"demo-{seq}",
            )
        )
    rated = ctx.rng.random() < 0.7
    score = ctx.rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0] if rated else None
    Conversation.objects.filter(id=conversation.id).update(
        status=ConversationStatus.CLOSED,
        closed_at=at,
        close_reason=ctx.rng.choice([CloseReason.AGENT] * 4 + [CloseReason.IDLE, CloseReason.CUSTOMER]),
        last_message_at=at,
        last_seq=len(lines),
        satisfaction=score,
        satisfaction_comment=ctx.rng.choice(COMMENTS) if rated else "",
        rated_at=at + dt.timedelta(minutes=1) if rated else None,
    )
    return conversation, messages


def build(ctx: DemoContext) -> None:
    used: set[str] = set()
    serial = [0]
    groups: dict[str, list[ServiceGroup]] = {}
    for code, name in (("HD", "华东"), ("HN", "华南")):
        groups[code] = [
            services.service_group_create(
                actor=None, name=f"{name}售前咨询", code=f"{code}-PRE", unit_id=ctx.objects[f"{code}.话务一组"].id
            ),
            services.service_group_create(
                actor=None, name=f"{name}售后服务", code=f"{code}-AFTER", unit_id=ctx.objects[f"{code}.话务二组"].id
            ),
        ]
    history: list[Message] = []
    for code in ("HD", "HN"):
        customers = _customers(ctx, code, 40, used)
        ctx.objects[f"{code}.customers"] = customers
        company = services.company_accounts(ctx.objects[f"{code}.branch"])
        for index, customer in enumerate(customers):
            orders = _orders(ctx, customer, serial)
            for order in orders:
                private = index in (5, 17, 29) and order is orders[0]
                services.payment_record(
                    actor=None,
                    customer_id=customer.id,
                    order_id=order.id,
                    amount=order.amount,
                    receiving_account=PRIVATE_ACCOUNTS[index % 3] if private else ctx.rng.choice(company),
                    method="wechat" if private else ctx.rng.choice(["alipay", "wechat", "card"]),
                    payer=customer.name,
                    paid_at=order.created_at + dt.timedelta(minutes=ctx.rng.randint(1, 30)),
                )
            for _ in range(ctx.rng.choice([1, 2, 3, 3, 4])):
                group = ctx.rng.choice(groups[code])
                team = "话务一组" if group.code.endswith("PRE") else "话务二组"
                agents = [ctx.objects[f"{code}.{team}.lead"], *ctx.objects[f"{code}.{team}.members"]]
                _, messages = _history(ctx, group=group, agents=agents[1:], customer=customer, orders=orders)
                history.extend(messages)
    Message.objects.bulk_create(history, batch_size=500)
    _live(ctx, groups)


def _live(ctx: DemoContext, groups: dict[str, list[ServiceGroup]]) -> None:
    """Today's work: hd_agent serves three customers; two more wait in the HD after-sales queue."""
    user: Any = get_user_model().objects.get(username="hd_agent")
    services.presence_set(actor=user, status=AgentStatus.ONLINE)
    openings = (
        ("13912345001", "你好，订单还没发货，能帮我催一下吗？"),
        ("13912345002", "买的扫地机器人连不上 WiFi 怎么办？"),
        ("13912345003", "我想改一下收货地址"),
    )
    for phone, text in openings:
        conversation = services.conversation_start(
            service_group_id=groups["HD"][0].id, identified_by=IdentifiedBy.PHONE, phone=phone, name=""
        )
        services.visitor_message_send(conversation_id=conversation.id, client_key="demo-open", text=text)
    # Leave hd_agent's pre-sales desk with room for new chats; after-sales has nobody signed in.
    AgentPresence.objects.filter(employee__user=user).update(max_chats=6)
    vip = Customer.objects.filter(unit=ctx.objects["HD.branch"], tier=Tier.VIP).first()
    for phone in ((vip.phone if vip else "13912345004"), "13912345005"):
        conversation = services.conversation_start(
            service_group_id=groups["HD"][1].id, identified_by=IdentifiedBy.PHONE, phone=phone, name=""
        )
        services.visitor_message_send(
            conversation_id=conversation.id, client_key="demo-wait", text="有人吗？退款一直没到账"
        )
    ctx.objects["channel.service_groups"] = groups
