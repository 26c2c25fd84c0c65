"""Recalibration, weights, KPI tree, reviews and contests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.compliance.models import CaseKind, CaseStatus, ScoreEntry, ViolationCase
from kefu.core.errors import ApplicationError, Forbidden
from kefu.performance.models import CoefficientRate, PointEntry, Review, ReviewPeriod, VersionStatus, WorkRecord
from kefu.performance.selectors import contests as contest_selectors
from kefu.performance.selectors import kpi as kpi_selectors
from kefu.performance.selectors import points as point_selectors
from kefu.performance.services import coefficients, contests, kpi, reviews, weights
from kefu.policy import services as policy_services
from tests.conftest import World
from tests.performance.factories import at, department_types, work

TODAY = dt.date(2026, 4, 15)


def _generated(world: World, *, complaint_seconds: int, n: int = 40) -> None:
    """Three months of records where complaints now take `complaint_seconds` and inquiries 60 s."""
    types = department_types(world.team_a1.parent)
    people = [world.me, world.spots["same_team"].employee]
    rows = []
    for i in range(n):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=i * 2)
        for who in people:
            for code, handle in (("inquiry", 60), ("complaint", complaint_seconds - 60)):
                rows.append(
                    WorkRecord(
                        agent=who,
                        business_type=types[code],
                        started_at=at(day),
                        work_date=day,
                        handle_seconds=handle,
                        acw_seconds=60 if code == "complaint" else 0,
                        outcome="resolved",
                        source_system="phone",
                        source_id=f"G-{who.id}-{code}-{i}",
                    )
                )
    WorkRecord.objects.bulk_create(rows)


def test_recalibration_proposes_from_measured_times_and_changes_nothing_until_approved(world: World) -> None:
    _generated(world, complaint_seconds=240)
    dept = world.team_a1.parent
    version = coefficients.recalibration_propose(actor=world.users["branch_hr"], department_id=dept.id, today=TODAY)
    lines = {ln.business_type.code: ln for ln in version.lines.all()}
    assert (lines["complaint"].old_coefficient, lines["complaint"].new_coefficient) == (Decimal(3), Decimal(4))
    assert lines["inquiry"].new_coefficient == Decimal(1)
    assert lines["sale"].samples == 0 and lines["sale"].new_milli == lines["sale"].old_milli  # too few samples
    assert version.window_start == dt.date(2026, 1, 1) and version.window_end == dt.date(2026, 4, 1)
    effects = {
        e.employee.id: e for e in point_selectors.recalibration_effect(actor=world.users["hq_admin"], version=version)
    }
    assert effects[world.me.id].old_points == Decimal(40 + 40 * 3)
    assert effects[world.me.id].new_points == Decimal(40 + 40 * 4)
    assert BusinessTypeCoefficient(dept, "complaint") == 3000


def BusinessTypeCoefficient(dept, code: str) -> int:
    return department_types(dept)[code].__class__.objects.get(department=dept, code=code).coefficient_milli


def test_only_hq_approves_unless_the_policy_delegates_to_the_branch(world: World) -> None:
    _generated(world, complaint_seconds=240)
    dept = world.team_a1.parent
    version = coefficients.recalibration_propose(actor=world.users["branch_hr"], department_id=dept.id, today=TODAY)
    with pytest.raises(Forbidden, match="集团锁定"):
        coefficients.recalibration_approve(actor=world.users["branch_hr"], version_id=version.id, today=TODAY)
    hq = world.users["hq_admin"]
    policy_services.policy_set(
        actor=hq, key="performance.coefficients_delegated", unit_id=world.group.id, value=False, locked=False
    )
    policy_services.policy_set(
        actor=hq, key="performance.coefficients_delegated", unit_id=world.branch_a.id, value=True
    )
    approved = coefficients.recalibration_approve(actor=world.users["branch_hr"], version_id=version.id, today=TODAY)
    assert approved.status == VersionStatus.APPROVED
    assert BusinessTypeCoefficient(dept, "complaint") == 4000


def test_approval_effective_in_the_past_appends_compensating_points(world: World) -> None:
    _generated(world, complaint_seconds=240)
    dept = world.team_a1.parent
    hq = world.users["hq_admin"]
    coefficients.points.recompute(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    before = point_selectors.employee_points(
        actor=hq, employee_id=world.me.id, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    version = coefficients.recalibration_propose(
        actor=hq, department_id=dept.id, today=TODAY, effective_from=dt.date(2026, 3, 1)
    )
    coefficients.recalibration_approve(actor=hq, version_id=version.id, today=TODAY)
    after = point_selectors.employee_points(
        actor=hq, employee_id=world.me.id, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31)
    )
    complaints = WorkRecord.objects.filter(agent=world.me, business_type__code="complaint", work_date__month=3).count()
    assert after.points - before.points == complaints  # each March complaint is now worth one point more
    feb = point_selectors.employee_points(
        actor=hq, employee_id=world.me.id, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28)
    )
    assert (
        feb.points
        == 3 * WorkRecord.objects.filter(agent=world.me, business_type__code="complaint", work_date__month=2).count()
        + WorkRecord.objects.filter(agent=world.me, business_type__code="inquiry", work_date__month=2).count()
    )
    assert CoefficientRate.objects.filter(business_type__code="complaint", effective_to=dt.date(2026, 3, 1)).exists()
    # Approving twice is refused; the ledger only grew.
    with pytest.raises(ApplicationError, match="已批准"):
        coefficients.recalibration_approve(actor=hq, version_id=version.id, today=TODAY)
    assert not PointEntry.objects.filter(points_milli=0, records=0, sale_fen=0).exists()


def test_indicator_weights_not_summing_to_100_are_refused(world: World) -> None:
    hq = world.users["hq_admin"]
    bad = [
        {"level": "regular", "workload": "0.40", "quality": "0.25", "kpi": "0.20", "behaviour": "0.10"},
        {"level": "senior", "workload": "0.20", "quality": "0.25", "kpi": "0.35", "behaviour": "0.20"},
    ]
    with pytest.raises(ApplicationError, match="regular 行的指标权重合计为 95%，必须为 100%"):
        weights.indicator_weights_set(actor=hq, unit_id=world.group.id, rows=bad)
    skill_off = [
        {"level": "regular", "workload": "0.30", "quality": "0.25", "kpi": "0.30", "behaviour": "0.15"},
        bad[1],
    ]
    with pytest.raises(ApplicationError, match="技能权重"):
        weights.indicator_weights_set(actor=hq, unit_id=world.group.id, rows=skill_off)
    with pytest.raises(ApplicationError, match="评分人权重合计为 90%"):
        weights.rater_weights_set(actor=hq, unit_id=world.group.id, rows=[{"rater": "lead", "weight": "0.9"}])
    assert weights.indicator_weights(world.me)["workload"] == Decimal("0.40")


def test_scorecard_uses_position_weights_and_the_compliance_hook(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.me, "complaint", dt.date(2026, 3, 3))
    card = point_selectors.scorecard(
        actor=world.users["hq_admin"],
        employee=world.me,
        period=__import__("kefu.core.periods", fromlist=["Period"]).Period(2026, 3),
    )
    assert card.compliance == Decimal(100)  # the policy's starting score: no confirmed violation
    assert card.skill_weight == Decimal("0.65")
    # two confirmed violations in March on the compliance score ledger: 100 − 2 × 5
    for _ in range(2):
        ScoreEntry.objects.create(employee=world.me, period="2026-03", delta=-5, reason="确认违规")
    card = point_selectors.scorecard(actor=world.users["hq_admin"], employee=world.me, period=card_period())
    assert card.parts["behaviour"] == Decimal(90)


def card_period():  # type: ignore[no-untyped-def]
    from kefu.core.periods import Period

    return Period(2026, 3)


def test_kpi_tree_rolls_up_and_refuses_overweight_children(world: World) -> None:
    department_types(world.team_a1.parent)
    hq = world.users["hq_admin"]
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    common = {"metric": "points", "unit_label": "点", "period_start": start, "period_end": end}
    centre = kpi.kpi_node_create(
        actor=hq,
        name="中心积分",
        unit_id=world.team_a1.parent.parent.id,
        target=Decimal(100),
        weight=Decimal(1),
        **common,
    )
    dept = kpi.kpi_node_create(
        actor=hq,
        name="话务部积分",
        parent_id=centre.id,
        unit_id=world.team_a1.parent.id,
        target=Decimal(20),
        weight=Decimal("0.6"),
        **common,
    )
    mine = kpi.kpi_node_create(
        actor=hq,
        name="本人积分",
        parent_id=dept.id,
        employee_id=world.me.id,
        target=Decimal(6),
        weight=Decimal(1),
        specific="每月积分",
        **common,
    )
    with pytest.raises(ApplicationError, match="同级指标权重合计将达 110%"):
        kpi.kpi_node_create(
            actor=hq,
            name="超额",
            parent_id=centre.id,
            unit_id=world.team_a2.parent.id,
            target=Decimal(5),
            weight=Decimal("0.5"),
            **common,
        )
    with pytest.raises(ApplicationError, match="必须为 100%"):
        kpi.kpi_weights_set(actor=hq, parent_id=centre.id, weights={dept.id: Decimal("0.9")})
    work(world.me, "complaint", dt.date(2026, 3, 3))  # 3 points
    tree = kpi_selectors.kpi_tree(actor=hq)
    rows = {r.node.id: r for r in kpi_selectors.flatten(tree)}
    assert rows[mine.id].attainment == Decimal("0.5")
    assert rows[dept.id].rolled_up == Decimal("0.5")
    assert rows[centre.id].rolled_up == Decimal("0.3")  # 60% weight × 50%
    assert not rows[centre.id].weights_ok
    agent_view = {r.node.id for r in kpi_selectors.flatten(kpi_selectors.kpi_tree(actor=world.users["agent"]))}
    assert agent_view == {mine.id}


def _review(world: World) -> Review:
    period = reviews.review_period_open(
        actor=world.users["branch_hr"],
        unit_id=world.branch_a.id,
        kind="monthly",
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
        label="2026年3月",
    )
    return reviews.review_create(actor=world.users["branch_hr"], period_id=period.id, employee_id=world.me.id)


def test_review_runs_rate_calibrate_sign_lock_and_then_refuses_changes(world: World) -> None:
    review = _review(world)
    kinds = {r.rater_kind: r for r in review.ratings.all()}
    assert set(kinds) == {"lead", "qa", "self"}
    items = review.template.items
    assert items[0]["name"] == "业务技能" and items[0]["weight"] == "0.65"
    full = {i["name"]: 90 for i in items}
    reviews.rating_submit(actor=world.users["team_lead"], rating_id=kinds["lead"].id, scores=full)
    reviews.rating_submit(
        actor=world.users["agent"], rating_id=kinds["self"].id, scores={i["name"]: 100 for i in items}
    )
    review.refresh_from_db()
    assert review.weighted_score == Decimal("91.7")  # (0.5 × 90 + 0.1 × 100) / 0.6
    with pytest.raises(ApplicationError):  # only the employee signs; the lead is refused
        reviews.review_sign(actor=world.users["team_lead"], review_id=review.id)
    with pytest.raises(ApplicationError, match="还没有校准"):
        reviews.review_sign(actor=world.users["agent"], review_id=review.id)
    with pytest.raises(ApplicationError, match="校准说明"):
        reviews.review_calibrate(actor=world.users["branch_hr"], review_id=review.id, score=Decimal(88), note="")
    reviews.review_calibrate(actor=world.users["branch_hr"], review_id=review.id, score=Decimal(88), note="与组内对齐")
    with pytest.raises(ApplicationError, match="未经员工确认"):
        reviews.review_period_lock(actor=world.users["branch_hr"], period_id=review.period_id)
    reviews.review_sign(actor=world.users["agent"], review_id=review.id, comment="同意")
    period = reviews.review_period_lock(actor=world.users["branch_hr"], period_id=review.period_id)
    with pytest.raises(ApplicationError, match=r"考核期「2026年3月」已于 .* 锁定，不能再修改"):
        reviews.rating_submit(actor=world.users["qa"], rating_id=kinds["qa"].id, scores=full)
    with pytest.raises(ApplicationError, match=r"已于 .* 锁定"):
        reviews.work_log_submit(actor=world.users["agent"], period_id=period.id, kind="log", content="补交")
    assert ReviewPeriod.objects.get(id=period.id).status == "locked"


def test_a_rater_cannot_submit_someone_elses_rating(world: World) -> None:
    review = _review(world)
    lead_rating = review.ratings.get(rater_kind="lead")
    with pytest.raises(ApplicationError):
        reviews.rating_submit(actor=world.users["agent"], rating_id=lead_rating.id, scores={})
    with pytest.raises(ApplicationError, match="不在 0–100"):
        reviews.rating_submit(
            actor=world.users["team_lead"],
            rating_id=lead_rating.id,
            scores={i["name"]: 120 for i in review.template.items},
        )


def test_work_logs_are_rated_by_the_lead(world: World) -> None:
    review = _review(world)
    log = reviews.work_log_submit(
        actor=world.users["agent"], period_id=review.period_id, kind="plan", content="三月推广计划"
    )
    with pytest.raises(ApplicationError):  # an agent is no lead: the log is not theirs to rate
        reviews.work_log_rate(actor=world.users["agent"], work_log_id=log.id, rating=100)
    assert reviews.work_log_rate(actor=world.users["team_lead"], work_log_id=log.id, rating=85).rating == 85


def test_contest_leaderboard_and_winners(world: World) -> None:
    department_types(world.team_a1.parent)
    day = dt.date(2026, 3, 3)
    work(world.me, "complaint", day)
    work(world.spots["same_team"].employee, "inquiry", day)
    contest = contests.contest_create(
        actor=world.users["team_lead"],
        unit_id=world.team_a1.id,
        name="三月积分王",
        rule="most_points",
        starts_on=day,
        ends_on=day,
        winners_count=1,
    )
    board = contest_selectors.leaderboard(contest)
    assert [s.employee_id for s in board][:2] == [world.me.id, world.spots["same_team"].employee.id]
    with pytest.raises(ApplicationError, match="才结束"):
        contests.contest_close(actor=world.users["team_lead"], contest_id=contest.id, today=day)
    contests.contest_close(actor=world.users["team_lead"], contest_id=contest.id, today=day + dt.timedelta(days=1))
    assert [w.employee_id for w in contest.winners.all()] == [world.me.id]
    ViolationCase.objects.create(
        kind=CaseKind.CHAT, agent=world.me, unit=world.me.unit, day=day, status=CaseStatus.CONFIRMED
    )
    clean = contests.contest_create(
        actor=world.users["team_lead"],
        unit_id=world.team_a1.id,
        name="零违规",
        rule="zero_violations",
        starts_on=day,
        ends_on=day,
    )
    assert world.me.id not in [s.employee_id for s in contest_selectors.leaderboard(clean)]
