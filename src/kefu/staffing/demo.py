"""Demo staffing: phone, KA line and chat queues for both branches, eight weeks of 30-minute history with
a daily and weekly shape, Double 11 and a shop-anniversary promotion, a roster, and forecast runs (one
looking back, so forecast against actual shows, and ones looking ahead over the promotion)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu.core import audit
from kefu.core.demo import DemoContext
from kefu.policy import services as policy_services
from kefu.staffing import services
from kefu.staffing.models import ContactImport, ContactInterval, HistorySource, Queue, Shift, ShiftSource

HISTORY_DAYS = 56
# Share of a phone day's calls per hour, 08:00–22:00 (morning and afternoon peaks, an evening bump).
PHONE_HOURS = {8: 3, 9: 7, 10: 10, 11: 9, 12: 6, 13: 7, 14: 9, 15: 9, 16: 8, 17: 6, 18: 5, 19: 6, 20: 8, 21: 7}
# Chat runs round the clock, quiet at night, busiest in the evening after work.
CHAT_HOURS = {
    h: w for h, w in enumerate([2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 7, 9, 10, 10, 8, 4])
}
PHONE_WEEK = [1.15, 1.05, 1.0, 1.0, 1.05, 0.85, 0.8]
CHAT_WEEK = [1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.2]

# (code suffix, name, channel, service group, tier, team key, calls per day, AHT seconds)
QUEUES = [
    ("PHONE", "热线（普通客户）", "phone", "售后", "normal", "话务一组", 260, 240),
    ("KA", "KA 专线", "phone", "大客户", "ka", "话务二组", 50, 300),
    ("CHAT", "在线客服", "chat", "售前", "normal", "营销一组", 300, 420),
]


def _double_eleven(today: dt.date) -> dt.date:
    year = today.year if today >= dt.date(today.year, 10, 1) else today.year - 1
    return dt.date(year, 11, 11)


def _multiplier(day: dt.date, events: list[tuple[dt.date, dt.date, float, str]], channel: str) -> float:
    factor = 1.0
    for starts_on, ends_on, multiplier, only in events:
        if starts_on <= day <= ends_on and only in ("", channel):
            factor *= multiplier
    return factor


def build(ctx: DemoContext) -> None:
    users = get_user_model().objects
    hq, hd_hr, hn_hr = users.get(username="hq_admin"), users.get(username="hd_hr"), users.get(username="hn_hr")
    tz = timezone.get_default_timezone()
    rng = ctx.rng
    today = ctx.today
    first_day = today - dt.timedelta(days=HISTORY_DAYS)
    d11 = _double_eleven(today)
    anniversary = today + dt.timedelta(days=3)

    # 华东 measures caller patience, so its plans use Erlang A; 华南 stays on Erlang C.
    policy_services.policy_set(
        actor=hd_hr, key="staffing.patience_seconds", unit_id=ctx.objects["HD.branch"].id, value=150,
        note="华东实测客户平均耐心约 150 秒，按 Erlang A 排班",
    )  # fmt: skip

    for code, hr in (("HD", hd_hr), ("HN", hn_hr)):
        branch = ctx.objects[f"{code}.branch"]
        scale = 1.0 if code == "HD" else 0.7
        events = [
            (d11 - dt.timedelta(days=1), d11 + dt.timedelta(days=1), 3.5, ""),
            (anniversary, anniversary + dt.timedelta(days=1), 2.0, "phone"),
        ]
        services.planned_event_create(
            actor=hq, unit_id=branch.id, name="双11", starts_on=events[0][0], ends_on=events[0][1],
            multiplier="3.50", note="种子 003：双11 全线坐席需从平日基数扩到数倍",
        )  # fmt: skip
        services.planned_event_create(
            actor=hr, unit_id=branch.id, name="店庆大促", starts_on=events[1][0], ends_on=events[1][1],
            multiplier="2.00", channel="phone", note="直播间店庆，电话咨询预计翻倍",
        )  # fmt: skip

        queues: list[tuple[Queue, int, int]] = []
        for suffix, name, channel, group, tier, team, per_day, aht in QUEUES:
            queue = services.queue_create(
                actor=hr, unit_id=ctx.objects[f"{code}.{team}"].id, code=f"{code}-{suffix}", name=name,
                channel=channel, service_group=group, customer_tier=tier,
            )  # fmt: skip
            ctx.objects[f"{code}.queue.{suffix}"] = queue
            queues.append((queue, int(per_day * scale), aht))

        batch = ContactImport.objects.create(
            unit=branch, source=HistorySource.CHANNEL, filename="demo", sha256=hashlib.sha256(code.encode()).hexdigest()
        )
        rows: list[ContactInterval] = []
        for offset in range(HISTORY_DAYS):
            day = first_day + dt.timedelta(days=offset)
            trend = 1.0 + 0.003 * offset
            for queue, per_day, aht in queues:
                hours, week = (PHONE_HOURS, PHONE_WEEK) if queue.channel == "phone" else (CHAT_HOURS, CHAT_WEEK)
                total_weight = sum(hours.values())
                daily = per_day * trend * week[day.weekday()] * _multiplier(day, events, queue.channel)
                for hour, weight in hours.items():
                    for half in (0, 30):
                        mean = daily * weight / total_weight / 2
                        offered = max(0, round(rng.gauss(mean, math.sqrt(mean) if mean > 0 else 0)))
                        abandon_share = 0.02 + 0.10 * min(1.0, mean / 120)
                        abandoned = min(offered, round(offered * abandon_share * rng.uniform(0.5, 1.5)))
                        answered = offered - abandoned
                        rows.append(
                            ContactInterval(
                                queue=queue,
                                interval_start=dt.datetime.combine(day, dt.time(hour, half), tzinfo=tz),
                                offered=offered,
                                answered=answered,
                                abandoned=abandoned,
                                answered_within=round(answered * rng.uniform(0.7, 0.92)),
                                aht_seconds=Decimal(str(round(aht * rng.uniform(0.85, 1.15), 1))),
                                source=HistorySource.CHANNEL,
                                batch=batch,
                            )
                        )
        ContactInterval.objects.bulk_create(rows, batch_size=5000)
        batch.rows = batch.created = len(rows)
        batch.save(update_fields=["rows", "created"])
        audit.record(actor=None, action="contact_history.import", obj=batch, after={"rows": len(rows), "demo": True})

        # Roster: early 08:00–17:00, middle 10:00–19:00 and late 13:00–22:00; chat adds an evening 18:00–02:00.
        shifts: list[Shift] = []
        for suffix, team in (("PHONE", "话务一组"), ("KA", "话务二组"), ("CHAT", "营销一组")):
            queue = ctx.objects[f"{code}.queue.{suffix}"]
            members = ctx.objects[f"{code}.{team}.members"]
            if suffix == "PHONE":  # half of 话务二组 also answers the hotline
                members = members + ctx.objects[f"{code}.话务二组.members"][4:]
            elif suffix == "KA":
                members = members[:4]
            for index, employee in enumerate(members):
                for offset in range(-14, 8):
                    day = today + dt.timedelta(days=offset)
                    if (day.toordinal() + index) % 7 in (0, 1):  # two rest days a week, staggered
                        continue
                    start_hour, length = (
                        [(8, 9), (10, 9), (13, 9)][index % 3] if suffix != "CHAT" or index % 3 else (18, 8)
                    )
                    starts_at = dt.datetime.combine(day, dt.time(start_hour), tzinfo=tz)
                    shifts.append(
                        Shift(
                            employee=employee,
                            queue=queue,
                            starts_at=starts_at,
                            ends_at=starts_at + dt.timedelta(hours=length),
                            source=ShiftSource.ATTENDANCE,
                        )
                    )
        Shift.objects.bulk_create(shifts, batch_size=5000)
        audit.record(actor=None, action="shift.import", obj=branch, after={"created": len(shifts), "demo": True})

        department = ctx.objects[f"{code}.话务部"]
        review = services.forecast_run_create(
            actor=hr, unit_id=department.id, channel="phone", starts_on=today - dt.timedelta(days=14), days=14,
            history_days=42, note="回顾：预测与实际对比",
        )  # fmt: skip
        ahead = services.forecast_run_create(
            actor=hr, unit_id=department.id, channel="phone", starts_on=today, days=7, note="下周排班（含店庆大促）"
        )
        ctx.objects[f"{code}.run.review"], ctx.objects[f"{code}.run.ahead"] = review, ahead
        if code == "HD":
            ctx.objects["HD.run.chat"] = services.forecast_run_create(
                actor=hr, unit_id=branch.id, channel="chat", starts_on=today, days=7, note="在线客服下周需求"
            )
