"""Demo: business types per department, three months of work records for every demo employee (bulk),
QA scores, points computed, a KPI tree, reviews in every state, one contest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kefu.core.demo import DemoContext
from kefu.core.periods import Period
from kefu.org.models import Employee, OrgUnit
from kefu.performance.models import BusinessType, Indicator, QualityScore, SourceSystem, WorkRecord
from kefu.performance.services import coefficients, contests, kpi, points, reviews

# department name -> (code, name, handle s, acw s, indicator, difficulty, share, base)
CATALOGUE = {
    "话务部": [
        ("inquiry", "普通查询", 55, 0, Indicator.CALLS, "1.00", 0.6, True),
        ("order_follow", "订单跟进", 90, 40, Indicator.CALLS, "1.00", 0.3, False),
        ("complaint_intake", "投诉受理", 120, 60, Indicator.CALLS, "1.00", 0.1, False),
    ],
    "营销部": [
        ("inquiry", "营销咨询", 60, 0, Indicator.CALLS, "1.00", 0.5, True),
        ("outbound_sale", "外呼营销", 180, 30, Indicator.SALES, "1.20", 0.5, False),
    ],
    "投诉处理部": [
        ("inquiry", "投诉查询", 60, 0, Indicator.CALLS, "1.00", 0.3, True),
        ("complaint", "投诉处理", 240, 300, Indicator.CALLS, "1.30", 0.7, False),
    ],
    "质检部": [
        ("qa_check", "录音质检", 300, 0, Indicator.INSPECTIONS, "1.00", 0.8, True),
        ("qa_review", "质检复核", 420, 120, Indicator.INSPECTIONS, "1.10", 0.2, False),
    ],
}


def _departments(ctx: DemoContext) -> list[OrgUnit]:
    return [ctx.objects[f"{code}.{name}"] for code in ("HD", "HN") for name in CATALOGUE]


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    today = ctx.today
    first = Period.containing(today).previous().previous().first_day()
    types_by_dept: dict[int, list[tuple[BusinessType, float, int, int]]] = {}
    for dept in _departments(ctx):
        made = []
        for code, name, handle, acw, indicator, difficulty, share, base in CATALOGUE[dept.name]:
            t = coefficients.business_type_create(
                actor=None,
                department_id=dept.id,
                code=code,
                name=name,
                indicator=indicator,
                standard_handle_seconds=handle,
                standard_acw_seconds=acw,
                difficulty=Decimal(difficulty),
                is_base=base,
            )
            made.append((t, share, handle, acw))
        types_by_dept[dept.id] = made

    people = list(Employee.objects.select_related("unit", "position").filter(unit__kind="team"))
    dept_of = {d.id: d for d in _departments(ctx)}
    records: list[WorkRecord] = []
    scores: list[QualityScore] = []
    serial = 0
    for employee in people:
        dept_id = employee.unit.parent_id
        if dept_id not in dept_of:
            continue
        made = types_by_dept[dept_id]
        skill = rng.uniform(0.8, 1.25)
        day: dt.date = first
        while day < today:
            if day.weekday() < 6 or rng.random() < 0.3:
                for _ in range(int(rng.randint(4, 9) * skill)):
                    t, _share, handle, acw = rng.choices(made, weights=[m[1] for m in made])[0]
                    serial += 1
                    start = dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=tz)
                    sale = rng.randint(50, 2000) * 100 if t.indicator == Indicator.SALES and rng.random() < 0.3 else 0
                    records.append(
                        WorkRecord(
                            agent=employee,
                            business_type=t,
                            started_at=start,
                            work_date=day,
                            handle_seconds=max(10, int(rng.gauss(handle * 1.08, handle * 0.2))),
                            acw_seconds=max(0, int(rng.gauss(acw, acw * 0.2 + 1))),
                            outcome="sold" if sale else ("invalid" if rng.random() < 0.02 else "resolved"),
                            sale_fen=sale,
                            source_system=SourceSystem.PHONE
                            if t.indicator != Indicator.INSPECTIONS
                            else SourceSystem.QA,
                            source_id=f"DEMO-{serial}",
                        )
                    )
                if rng.random() < 0.15:
                    scores.append(
                        QualityScore(
                            agent=employee,
                            inspected_on=day,
                            score=Decimal(str(round(min(100, rng.gauss(86 * skill**0.3, 6)), 1))),
                            source_id=f"DEMO-QA-{serial}",
                        )
                    )
            day += dt.timedelta(days=1)
    WorkRecord.objects.bulk_create(records, batch_size=2000)
    QualityScore.objects.bulk_create(scores, batch_size=2000)
    points.recompute(start=first, end=today)

    # A recalibration waiting for HQ: complaint handling in 华东 now takes longer than its standard.
    hd_complaints = ctx.objects["HD.投诉处理部"]
    coefficients.recalibration_propose(actor=None, department_id=hd_complaints.id, note="季度测算", today=today)

    # KPI tree for 华东: centre → 话务部 → 话务一组 members.
    this_month = Period.containing(today)
    month_start, month_end = this_month.first_day(), this_month.next().first_day() - dt.timedelta(days=1)
    hd_centre = ctx.objects["HD.话务部"].parent
    root = kpi.kpi_node_create(
        actor=None,
        name="中心月度积分",
        unit_id=hd_centre.id,
        metric="points",
        target=Decimal(12000),
        weight=Decimal(1),
        unit_label="点",
        specific="话务、营销、投诉、质检积分合计",
        time_bound=f"{this_month} 月底",
        period_start=month_start,
        period_end=month_end,
    )
    dept_node = kpi.kpi_node_create(
        actor=None,
        name="话务部积分",
        parent_id=root.id,
        unit_id=ctx.objects["HD.话务部"].id,
        metric="points",
        target=Decimal(5000),
        weight=Decimal("0.6"),
        unit_label="点",
        period_start=month_start,
        period_end=month_end,
    )
    kpi.kpi_node_create(
        actor=None,
        name="营销部营销业绩",
        parent_id=root.id,
        unit_id=ctx.objects["HD.营销部"].id,
        metric="sales",
        target=Decimal(60000),
        weight=Decimal("0.4"),
        unit_label="元",
        period_start=month_start,
        period_end=month_end,
    )
    members = ctx.objects["HD.话务一组.members"]
    weight = (Decimal(1) / len(members)).quantize(Decimal("0.0001"))
    for n, employee in enumerate(members):
        kpi.kpi_node_create(
            actor=None,
            name=f"{employee.name} 月度积分",
            parent_id=dept_node.id,
            employee_id=employee.id,
            metric="points",
            target=Decimal(280),
            weight=weight if n < len(members) - 1 else Decimal(1) - weight * (len(members) - 1),
            unit_label="点",
            measurable="系统积分",
            period_start=month_start,
            period_end=month_end,
        )

    # Reviews for last month in 华东 话务一组: signed, calibrated, rated, untouched.
    last = Period.containing(today).previous()
    period = reviews.review_period_open(
        actor=None,
        unit_id=ctx.objects["HD.branch"].id,
        kind="monthly",
        start=last.first_day(),
        end=last.next().first_day() - dt.timedelta(days=1),
        label=f"{last.year}年{last.month}月月度考核",
    )
    for i, employee in enumerate(members):
        review = reviews.review_create(actor=None, period_id=period.id, employee_id=employee.id)
        if i % 4 == 3:
            continue
        for rating in review.ratings.all():
            reviews.rating_submit(
                actor=None,
                rating_id=rating.id,
                scores={item["name"]: rng.randint(75, 98) for item in review.template.items},
                comment="表现稳定",
            )
        review.refresh_from_db()
        if i % 4 in (0, 1) and review.weighted_score is not None:
            reviews.review_calibrate(actor=None, review_id=review.id, score=review.weighted_score, note="")
    contests.contest_create(
        actor=None,
        unit_id=ctx.objects["HD.话务部"].id,
        name="本月积分王",
        rule="most_points",
        starts_on=month_start,
        ends_on=month_end,
        winners_count=3,
        prize="前三名各奖 500 元",
    )
