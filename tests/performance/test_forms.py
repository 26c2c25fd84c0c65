"""The page forms that write: each posted as the right role (effect), with bad input (refusal shown,
nothing written) and by a role without rights (403/404, no form)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kefu.core.models import AuditEntry
from kefu.performance.models import (
    CoefficientVersion,
    Contest,
    ImportBatch,
    KpiNode,
    PeriodStatus,
    QualityScore,
    Review,
    ReviewPeriod,
    VersionStatus,
    WorkLog,
    WorkRecord,
)
from kefu.performance.services import coefficients, kpi, reviews
from tests.conftest import World
from tests.performance.factories import department_types

CSV_HEADER = "employee_no,business_type,started_at,handle_seconds,source_id\n"


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


# --- 1. imports ------------------------------------------------------------------------------------------


def test_hr_imports_a_csv_file_and_sees_the_summary(world: World) -> None:
    department_types(world.team_a1.parent)
    client = _client(world, "branch_hr")
    page = _text(client.get("/performance/imports/"))
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page and "话务系统" in page
    content = CSV_HEADER + "A0001,complaint,2025-11-03 09:15:00,120,F-1\nA0001,inquiry,2025-11-03 10:00:00,60,F-2\n"
    upload = SimpleUploadedFile("话务.csv", content.encode(), content_type="text/csv")
    response = client.post(
        "/performance/imports/",
        {"unit_id": world.team_a1.id, "kind": "work", "source_system": "phone", "file": upload},
        follow=True,
    )
    body = _text(response)
    assert response.redirect_chain[-1][0] == "/performance/imports/"
    assert "共 2 行" in body and "导入 2 条" in body and "话务.csv" in body
    assert WorkRecord.objects.filter(source_system="phone", source_id__in=["F-1", "F-2"]).count() == 2
    assert ImportBatch.objects.filter(filename="话务.csv", created=2).exists()


def test_a_bad_row_refuses_the_whole_file_with_row_numbers_and_escapes_it(world: World) -> None:
    department_types(world.team_a1.parent)
    records_before, batches_before = WorkRecord.objects.count(), ImportBatch.objects.count()
    content = (
        CSV_HEADER
        + "A0001,complaint,2025-11-03 09:15:00,120,B-1\n"
        + "<script>alert(1)</script>,inquiry,2025-11-03 10:00:00,60,B-2\n"
        + "A0001,inquiry,not-a-date,60,B-3\n"
    )
    response = _client(world, "branch_hr").post(
        "/performance/imports/",
        {"unit_id": world.team_a1.id, "kind": "work", "source_system": "phone", "content": content, "fmt": "csv"},
    )
    body = _text(response)
    assert response.status_code == 200
    assert "没有写入任何数据" in body and "共 2 处错误" in body
    assert "第 3 行 employee_no" in body and "第 4 行 started_at" in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert (WorkRecord.objects.count(), ImportBatch.objects.count()) == (records_before, batches_before)


def test_hr_imports_quality_scores_as_json(world: World) -> None:
    content = '[{"employee_no": "A0001", "score": 92.5, "inspected_on": "2025-11-04", "source_id": "Q-1"}]'
    upload = SimpleUploadedFile("qa.json", content.encode(), content_type="application/json")
    response = _client(world, "branch_hr").post(
        "/performance/imports/",
        {"unit_id": world.team_a1.id, "kind": "quality", "source_system": "qa", "file": upload},
    )
    assert response.status_code == 302
    assert QualityScore.objects.get(source_id="Q-1").score == Decimal("92.5")


def test_import_is_for_managers_and_their_own_units(world: World) -> None:
    for role in ("agent", "team_lead", "qa"):
        assert _client(world, role).get("/performance/imports/").status_code == 403
    body = _text(_client(world, "branch_hr").get("/performance/imports/"))
    assert world.team_b1.name not in body  # the unit select lists only units in reach
    content = CSV_HEADER + "X0003,inquiry,2025-11-03 10:00:00,60,O-1\n"
    response = _client(world, "branch_hr").post(
        "/performance/imports/",
        {"unit_id": world.team_b1.id, "kind": "work", "source_system": "phone", "content": content},
    )
    assert response.status_code == 404
    assert not WorkRecord.objects.filter(source_id="O-1").exists()


# --- 2. recalibration --------------------------------------------------------------------------------------


def test_hr_proposes_a_recalibration_and_lands_on_the_version_page(world: World) -> None:
    department = world.team_a1.parent
    before = CoefficientVersion.objects.filter(department=department).count()
    client = _client(world, "branch_hr")
    assert 'id="propose-form"' in _text(client.get("/performance/coefficients/"))
    response = client.post(
        "/performance/coefficients/propose/", {"department_id": department.id, "months": "3", "note": "季度测算"}
    )
    version = CoefficientVersion.objects.filter(department=department).order_by("-number").first()
    assert version is not None and version.months == 3 and version.note == "季度测算"
    assert CoefficientVersion.objects.filter(department=department).count() == before + 1
    assert response.status_code == 302 and response["Location"] == f"/performance/coefficients/{version.id}/"
    assert "原系数" in _text(client.get(response["Location"]))


def test_recalibration_refusal_is_shown_and_foreign_departments_are_404(world: World) -> None:
    client = _client(world, "branch_hr")
    count = CoefficientVersion.objects.count()
    body = _text(
        client.post("/performance/coefficients/propose/", {"department_id": world.team_a1.parent.id, "months": "30"})
    )
    assert "取样月数必须在 1–24 之间" in body
    foreign = client.post("/performance/coefficients/propose/", {"department_id": world.team_b1.parent.id})
    assert foreign.status_code == 404
    assert CoefficientVersion.objects.count() == count
    assert _client(world, "team_lead").get("/performance/coefficients/propose/").status_code == 403


def test_hq_rejects_a_version_on_its_page_and_needs_a_reason(world: World) -> None:
    version = coefficients.recalibration_propose(
        actor=world.users["branch_hr"], department_id=world.team_a1.parent.id, months=2
    )
    client = _client(world, "hq_admin")
    page = _text(client.get(f"/performance/coefficients/{version.id}/"))
    assert 'value="approve"' in page and 'value="reject"' in page
    body = _text(client.post(f"/performance/coefficients/{version.id}/", {"action": "reject"}, follow=True))
    assert "驳回需要说明理由" in body
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    client.post(f"/performance/coefficients/{version.id}/", {"action": "reject", "note": "样本太少"})
    version.refresh_from_db()
    assert version.status == VersionStatus.REJECTED
    # Branch HR may look but (without delegation) not decide: no buttons.
    assert 'value="approve"' not in _text(_client(world, "branch_hr").get(f"/performance/coefficients/{version.id}/"))


# --- 3. KPI targets ----------------------------------------------------------------------------------------

PERIOD = {"period_start": "2026-04-01", "period_end": "2026-04-30"}


def _team_node(world: World, **kw: object) -> KpiNode:
    values: dict[str, object] = {
        "name": "一组四月积分",
        "metric": "points",
        "target": Decimal(1000),
        "weight": Decimal(1),
        "unit_label": "分",
        "period_start": dt.date(2026, 4, 1),
        "period_end": dt.date(2026, 4, 30),
        "unit_id": world.team_a1.id,
    }
    values.update(kw)
    return kpi.kpi_node_create(actor=world.users["branch_hr"], **values)  # type: ignore[arg-type]


def test_hr_creates_a_unit_kpi_from_the_kpi_page(world: World) -> None:
    client = _client(world, "branch_hr")
    assert "/performance/kpi/new/" in _text(client.get("/performance/kpi/"))
    response = client.post(
        "/performance/kpi/new/",
        {
            "name": "华东四月积分",
            "metric": "points",
            "target": "5000",
            "weight_percent": "100",
            "unit_label": "分",
            "unit_id": world.branch_a.id,
            **PERIOD,
        },
    )
    node = KpiNode.objects.get(name="华东四月积分")
    assert response.status_code == 302 and response["Location"] == f"/performance/kpi/{node.id}/"
    assert node.unit_id == world.branch_a.id and node.weight == Decimal(1) and node.parent_id is None


def test_lead_adds_an_employee_child_and_an_overweight_child_is_refused(world: World) -> None:
    parent = _team_node(world)
    client = _client(world, "team_lead")
    page = _text(client.get(f"/performance/kpi/{parent.id}/"))
    assert 'id="child-form"' in page and 'id="weights-form"' not in page  # weights are HR's
    child = {"metric": "points", "target": "300", "unit_label": "分", "employee_id": world.me.id, **PERIOD}
    response = client.post(
        f"/performance/kpi/{parent.id}/children/", {**child, "name": "本人积分", "weight_percent": "60"}
    )
    assert response.status_code == 302
    assert KpiNode.objects.get(name="本人积分").parent_id == parent.id
    body = _text(
        client.post(f"/performance/kpi/{parent.id}/children/", {**child, "name": "<b>超重</b>", "weight_percent": "50"})
    )
    assert "超过 100%" in body and "<b>超重</b>" not in body
    assert not KpiNode.objects.filter(name="<b>超重</b>").exists()


def test_hr_sets_the_weights_of_children_which_must_total_100(world: World) -> None:
    parent = _team_node(world)
    a = _team_node(world, name="甲", parent_id=parent.id, employee_id=world.me.id, unit_id=None, weight=Decimal("0.5"))
    b = _team_node(world, name="乙", parent_id=parent.id, weight=Decimal("0.5"))
    client = _client(world, "branch_hr")
    assert 'id="weights-form"' in _text(client.get(f"/performance/kpi/{parent.id}/"))
    body = _text(
        client.post(f"/performance/kpi/{parent.id}/weights/", {f"weight-{a.id}": "70", f"weight-{b.id}": "20"})
    )
    assert "必须为 100%" in body
    a.refresh_from_db()
    assert a.weight == Decimal("0.5")
    response = client.post(f"/performance/kpi/{parent.id}/weights/", {f"weight-{a.id}": "70", f"weight-{b.id}": "30"})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.weight, b.weight) == (Decimal("0.7"), Decimal("0.3"))
    # A team lead cannot re-balance (the service's roles): 404, nothing changed.
    lead = _client(world, "team_lead").post(
        f"/performance/kpi/{parent.id}/weights/", {f"weight-{a.id}": "50", f"weight-{b.id}": "50"}
    )
    assert lead.status_code == 404
    a.refresh_from_db()
    assert a.weight == Decimal("0.7")


def test_lead_reports_the_actual_of_a_manual_kpi(world: World) -> None:
    manual = _team_node(world, name="客户满意度", metric="manual", target=Decimal(95), unit_label="%")
    client = _client(world, "team_lead")
    assert 'id="actual-form"' in _text(client.get(f"/performance/kpi/{manual.id}/"))
    assert client.post(f"/performance/kpi/{manual.id}/actual/", {"value": "-1"}).status_code == 200
    manual.refresh_from_db()
    assert manual.manual_actual is None
    client.post(f"/performance/kpi/{manual.id}/actual/", {"value": "96.5"})
    manual.refresh_from_db()
    assert manual.manual_actual == Decimal("96.5")
    computed = _team_node(world, name="系统计算")
    assert 'id="actual-form"' not in _text(client.get(f"/performance/kpi/{computed.id}/"))


def test_kpi_forms_are_not_for_agents_or_qa(world: World) -> None:
    node = _team_node(world)
    for role in ("agent", "qa"):
        client = _client(world, role)
        assert client.get(f"/performance/kpi/{node.id}/").status_code == 403
        assert client.post(f"/performance/kpi/{node.id}/actual/", {"value": "1"}).status_code == 403
        assert client.get("/performance/kpi/new/").status_code == 403


# --- 4. review periods -------------------------------------------------------------------------------------


def test_hr_opens_a_period_creates_a_review_and_cannot_lock_while_pending(world: World) -> None:
    client = _client(world, "branch_hr")
    assert "/performance/periods/" in _text(client.get("/performance/kpi/"))
    data = {
        "unit_id": world.branch_a.id,
        "kind": "monthly",
        "label": "2026年4月",
        "start": "2026-04-01",
        "end": "2026-04-30",
    }
    response = client.post("/performance/periods/", data)
    period = ReviewPeriod.objects.get(label="2026年4月")
    assert response["Location"] == f"/performance/periods/{period.id}/"
    assert "已有从 2026-04-01 开始" in _text(client.post("/performance/periods/", data))
    assert ReviewPeriod.objects.filter(label="2026年4月").count() == 1

    page = _text(client.get(f"/performance/periods/{period.id}/"))
    assert 'id="review-form"' in page and 'id="lock-form"' in page and "本人客服" in page
    peer = world.spots["same_team"].employee
    client.post(f"/performance/periods/{period.id}/reviews/", {"employee_id": world.me.id, "peer_ids": [peer.id]})
    review = Review.objects.get(period=period, employee=world.me)
    assert set(review.ratings.values_list("rater_kind", flat=True)) == {"lead", "qa", "peer", "self"}

    body = _text(client.post(f"/performance/periods/{period.id}/lock/", follow=True))
    assert "未经员工确认" in body
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


def test_an_empty_period_is_locked_and_then_offers_no_forms(world: World) -> None:
    period = reviews.review_period_open(
        actor=None,
        unit_id=world.branch_a.id,
        kind="quarterly",
        start=dt.date(2026, 4, 1),
        end=dt.date(2026, 6, 30),
        label="二季度",
    )
    client = _client(world, "branch_hr")
    assert client.post(f"/performance/periods/{period.id}/lock/").status_code == 302
    period.refresh_from_db()
    assert period.status == PeriodStatus.LOCKED
    page = _text(client.get(f"/performance/periods/{period.id}/"))
    assert 'id="review-form"' not in page and 'id="lock-form"' not in page
    response = client.post(f"/performance/periods/{period.id}/reviews/", {"employee_id": world.me.id}, follow=True)
    assert "已于" in _text(response) and not Review.objects.filter(period=period).exists()


def test_periods_are_for_managers(world: World) -> None:
    period = ReviewPeriod.objects.get(unit=world.branch_a, label="2025年12月")
    lead = _client(world, "team_lead")
    assert lead.get("/performance/periods/").status_code == 403
    assert lead.post(f"/performance/periods/{period.id}/lock/").status_code == 404
    assert lead.post(f"/performance/periods/{period.id}/reviews/", {"employee_id": world.me.id}).status_code == 404
    foreign = ReviewPeriod.objects.get(unit=world.branch_b)
    assert _client(world, "branch_hr").post(f"/performance/periods/{foreign.id}/lock/").status_code == 404
    period.refresh_from_db()
    foreign.refresh_from_db()
    assert period.status == foreign.status == PeriodStatus.OPEN


# --- 5. contests -------------------------------------------------------------------------------------------


def test_lead_creates_a_contest_and_bad_dates_are_refused(world: World) -> None:
    client = _client(world, "team_lead")
    assert "/performance/contests/new/" in _text(client.get("/performance/contests/"))
    data = {
        "unit_id": world.team_a1.id,
        "name": "四月积分赛",
        "rule": "most_points",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-30",
        "winners_count": "3",
        "prize": "流动红旗",
    }
    response = client.post("/performance/contests/new/", data)
    contest = Contest.objects.get(name="四月积分赛")
    assert response["Location"] == f"/performance/contests/{contest.id}/"
    body = _text(client.post("/performance/contests/new/", {**data, "name": "倒序赛", "ends_on": "2026-03-01"}))
    assert "结束日期不能早于开始日期" in body and not Contest.objects.filter(name="倒序赛").exists()
    other = client.post("/performance/contests/new/", {**data, "name": "越权赛", "unit_id": world.team_a2.id})
    assert other.status_code == 404 and not Contest.objects.filter(name="越权赛").exists()


def test_lead_closes_an_ended_contest_but_not_a_running_one(world: World) -> None:
    today = timezone.localdate()
    ended = Contest.objects.create(
        unit=world.team_a1,
        name="上月赛",
        rule="most_points",
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=10),
    )
    running = Contest.objects.create(
        unit=world.team_a1, name="本月赛", rule="most_points", starts_on=today, ends_on=today + dt.timedelta(days=5)
    )
    client = _client(world, "team_lead")
    assert 'id="close-form"' in _text(client.get(f"/performance/contests/{ended.id}/"))
    assert 'id="close-form"' not in _text(client.get(f"/performance/contests/{running.id}/"))
    client.post(f"/performance/contests/{ended.id}/close/")
    ended.refresh_from_db()
    assert ended.status == "closed"
    body = _text(client.post(f"/performance/contests/{running.id}/close/", follow=True))
    assert "之后才能评奖" in body
    running.refresh_from_db()
    assert running.status == "open"


def test_contests_are_not_for_agents(world: World) -> None:
    client = _client(world, "agent")
    assert client.get("/performance/contests/new/").status_code == 403
    contest = Contest.objects.get(name="越界竞赛-same_team")
    assert client.post(f"/performance/contests/{contest.id}/close/").status_code == 404
    assert "/performance/contests/new/" not in _text(client.get("/performance/contests/"))


# --- 6. work logs ------------------------------------------------------------------------------------------


def test_agent_submits_a_work_log_and_the_lead_rates_it(world: World) -> None:
    period = ReviewPeriod.objects.get(unit=world.branch_a, label="2025年12月")
    agent = _client(world, "agent")
    assert 'id="work-log-form"' in _text(agent.get("/performance/worklogs/"))
    before = WorkLog.objects.count()
    body = _text(agent.post("/performance/worklogs/", {"period_id": period.id, "kind": "log", "content": "   "}))
    assert "内容不能为空" in body or "这个字段是必填项" in body or "This field is required" in body
    assert WorkLog.objects.count() == before
    response = agent.post(
        "/performance/worklogs/", {"period_id": period.id, "kind": "plan", "content": "<i>下月推广计划</i>"}
    )
    assert response.status_code == 302
    log = WorkLog.objects.get(employee=world.me)
    assert log.kind == "plan"
    page = _text(agent.get("/performance/worklogs/"))
    assert "&lt;i&gt;下月推广计划&lt;/i&gt;" in page and f"/performance/worklogs/{log.id}/rate/" not in page
    assert agent.post(f"/performance/worklogs/{log.id}/rate/", {"rating": "100"}).status_code == 404

    lead = _client(world, "team_lead")
    assert f"/performance/worklogs/{log.id}/rate/" in _text(lead.get("/performance/worklogs/"))
    body = _text(lead.post(f"/performance/worklogs/{log.id}/rate/", {"rating": "150"}, follow=True))
    assert "评分必须在 0–100 之间" in body
    lead.post(f"/performance/worklogs/{log.id}/rate/", {"rating": "85"})
    log.refresh_from_db()
    assert log.rating == 85 and log.rated_by == world.users["team_lead"]


def test_work_logs_are_seen_by_their_author_and_raters_only(world: World) -> None:
    from kefu.performance.selectors import reviews as review_selectors

    theirs = WorkLog.objects.get(employee=world.spots["same_branch"].employee)
    for role in ("qa", "finance", "complaints_officer"):  # branch roles that do not rate work logs
        assert theirs not in review_selectors.work_log_list(actor=world.users[role])
    assert theirs in review_selectors.work_log_list(actor=world.users["branch_hr"])


def test_work_logs_outside_reach_cannot_be_rated(world: World) -> None:
    foreign = WorkLog.objects.get(employee=world.spots["same_branch"].employee)
    count = AuditEntry.objects.count()
    assert (
        _client(world, "team_lead").post(f"/performance/worklogs/{foreign.id}/rate/", {"rating": "1"}).status_code
        == 404
    )
    assert _client(world, "qa").post(f"/performance/worklogs/{foreign.id}/rate/", {"rating": "1"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.rating is None and AuditEntry.objects.count() == count
    # Someone without an employee file has nothing to hand in.
    assert 'id="work-log-form"' not in _text(_client(world, "branch_hr").get("/performance/worklogs/"))


def test_navigation_reaches_the_new_pages_by_role(world: World) -> None:
    agent = _text(_client(world, "agent").get("/"))
    assert "/performance/worklogs/" in agent and "/performance/imports/" not in agent
    hr = _text(_client(world, "branch_hr").get("/"))
    assert "/performance/imports/" in hr and "/performance/contests/" in hr
