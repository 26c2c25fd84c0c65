"""Performance pages: my points, team board, KPI tree and calibration, coefficients, contests."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden
from kefu.core.periods import Period
from kefu.core.views import page
from kefu.org import selectors as org_selectors
from kefu.performance import charts
from kefu.performance.models import PeriodStatus, ReviewStatus
from kefu.performance.selectors import contests as contest_selectors
from kefu.performance.selectors import kpi as kpi_selectors
from kefu.performance.selectors import points as point_selectors
from kefu.performance.selectors import reviews as review_selectors
from kefu.performance.services import coefficients, reviews
from kefu.performance.services.common import LEADS, MANAGERS


def _period(request: HttpRequest) -> Period:
    try:
        return Period.parse(request.GET.get("period", ""))
    except ValueError:
        return Period.containing(timezone.localdate())


@page
def plotly_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(charts.plotly_js(), content_type="application/javascript")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _file_context(request: HttpRequest, employee_id: int, period: Period) -> dict[str, object]:
    employee = org_selectors.employee_get(actor=request.user, employee_id=employee_id)
    start, end = point_selectors.month_bounds(period)
    today = timezone.localdate()
    card = point_selectors.scorecard(actor=request.user, employee=employee, period=period)
    daily = point_selectors.daily_points(actor=request.user, employee_id=employee.id, start=start, end=end)
    kpis = [
        r
        for r in kpi_selectors.flatten(kpi_selectors.kpi_tree(actor=request.user))
        if r.node.employee_id == employee.id and r.node.period_end >= start and r.node.period_start <= end
    ]
    return {
        "employee": employee,
        "period": period,
        "previous": period.previous(),
        "next": period.next(),
        "card": card,
        "today_points": point_selectors.employee_points(
            actor=request.user, employee_id=employee.id, start=today, end=today
        ),
        "chart": charts.daily_points(daily, title=f"{period} 每日积分") if daily else "",
        "kpis": kpis,
        "reviews": review_selectors.review_list(actor=request.user).filter(employee=employee)[:12],
    }


@page
def my(request: HttpRequest) -> HttpResponse:
    """Agent: my points today and this month, my KPIs vs target, my reviews, my rating tasks, my contests."""
    employee = org_selectors.own_employee(actor=request.user)
    if employee is None:
        if scopes.has_any_role(request.user, (*LEADS, scopes.QA)):
            return team(request)  # managers without an employee file land on the team board
        raise Http404("此账号没有关联员工档案")
    context = _file_context(request, employee.id, _period(request))
    standings = []
    for contest in contest_selectors.contests_for_participant(employee=employee)[:5]:
        board = contest_selectors.leaderboard(contest)
        mine = next((s for s in board if s.employee_id == employee.id), None)
        standings.append({"contest": contest, "mine": mine, "size": len(board)})
    context.update(
        {"is_self": True, "tasks": review_selectors.my_rating_tasks(actor=request.user), "standings": standings}
    )
    return render(request, "performance/file.html", context)


@page
def employee_file(request: HttpRequest, employee_id: int) -> HttpResponse:
    """The performance file of one employee (seed 004: 为每个客服单独设立绩效档案)."""
    context = _file_context(request, employee_id, _period(request))
    context["is_self"] = scopes.principal(request.user).employee_id == employee_id
    return render(request, "performance/file.html", context)


@page
def team(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, (*LEADS, scopes.QA)):
        raise Forbidden("班组看板供组长、质检、人事使用")
    period = _period(request)
    start, end = point_selectors.month_bounds(period)
    rows = point_selectors.team_board(actor=request.user, start=start, end=end)
    top = rows[:30]
    chart = (
        charts.ranking([r.employee.name for r in top], [r.points for r in top], title=f"{period} 积分排名")
        if top
        else ""
    )
    return render(
        request,
        "performance/team.html",
        {"rows": rows, "period": period, "previous": period.previous(), "next": period.next(), "chart": chart},
    )


@page
def kpi(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, LEADS):
        raise Forbidden("KPI 分解供组长、人事与集团使用")
    rows = kpi_selectors.flatten(kpi_selectors.kpi_tree(actor=request.user))
    top = [r for r in rows if r.depth <= 1][:20]
    chart = (
        charts.attainment(
            [r.node.name for r in top],
            [r.rolled_up_percent or r.attainment_percent or Decimal(0) for r in top],
            title="完成率（汇总）",
        )
        if top
        else ""
    )
    periods = review_selectors.review_period_list(actor=request.user)[:12]
    return render(request, "performance/kpi.html", {"rows": rows, "chart": chart, "periods": periods})


@page
def calibration(request: HttpRequest, period_id: int) -> HttpResponse:
    """The manager's calibration view: every review of the period side by side, with the spread."""
    period = review_selectors.review_period_get(actor=request.user, period_id=period_id)
    rows = list(review_selectors.review_list(actor=request.user, period_id=period.id))
    scored = [r for r in rows if r.weighted_score is not None]
    chart = (
        charts.histogram(
            [r.weighted_score for r in scored if r.weighted_score is not None],
            [r.final_score for r in scored if r.final_score is not None],
            title="得分分布",
        )
        if scored
        else ""
    )
    return render(request, "performance/calibration.html", {"period": period, "rows": rows, "chart": chart})


@page(methods=("GET", "HEAD", "POST"))
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    review = review_selectors.review_get(actor=request.user, review_id=review_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                reviews.review_sign(actor=request.user, review_id=review.id, comment=request.POST.get("comment", ""))
                messages.success(request, "已确认考核结果")
            else:
                try:
                    score = Decimal(request.POST.get("score", ""))
                except InvalidOperation:
                    raise ApplicationError("校准分需要是数字") from None
                reviews.review_calibrate(
                    actor=request.user, review_id=review.id, score=score, note=request.POST.get("note", "")
                )
                messages.success(request, "已校准")
        except Forbidden:
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("performance:review", review_id=review.id)
    is_self = scopes.principal(request.user).employee_id == review.employee_id
    ratings = list(review.ratings.select_related("rater"))
    return render(
        request,
        "performance/review.html",
        {
            "review": review,
            "ratings": ratings,
            "is_self": is_self,
            "can_calibrate": not is_self
            and scopes.covers(request.user, unit_path=review.employee.unit.path, roles=MANAGERS),
            "locked": review.period.status == PeriodStatus.LOCKED,
            "can_sign": is_self and review.status == ReviewStatus.CALIBRATED,
        },
    )


@page(methods=("GET", "HEAD", "POST"))
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    rating = review_selectors.rating_get(actor=request.user, rating_id=rating_id)
    mine = rating.rater_id == request.user.pk
    if request.method == "POST":
        if not mine:
            raise Http404("找不到该评分任务")
        scores = {
            item["name"]: request.POST.get(f"item-{i}", "") for i, item in enumerate(rating.review.template.items)
        }
        try:
            reviews.rating_submit(
                actor=request.user, rating_id=rating.id, scores=scores, comment=request.POST.get("comment", "")
            )
            messages.success(request, "评分已提交")
            return redirect("performance:my")
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("performance:rating", rating_id=rating.id)
    items = [(i, item, rating.scores.get(item["name"], "")) for i, item in enumerate(rating.review.template.items)]
    return render(request, "performance/rating.html", {"rating": rating, "items": items, "mine": mine})


@page
def coefficient_list(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, MANAGERS):
        raise Forbidden("积分系数由人事和集团管理")
    return render(
        request,
        "performance/coefficients.html",
        {
            "types": point_selectors.business_type_list(actor=request.user),
            "versions": point_selectors.coefficient_version_list(actor=request.user)[:30],
        },
    )


@page(methods=("GET", "HEAD", "POST"))
def coefficient_version(request: HttpRequest, version_id: int) -> HttpResponse:
    version = point_selectors.coefficient_version_get(actor=request.user, version_id=version_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reject":
                coefficients.recalibration_reject(
                    actor=request.user, version_id=version.id, note=request.POST.get("note", "")
                )
                messages.success(request, "已驳回")
            else:
                coefficients.recalibration_approve(
                    actor=request.user, version_id=version.id, note=request.POST.get("note", "")
                )
                messages.success(request, "已批准，新系数按生效日期计入积分")
        except Forbidden:
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("performance:version", version_id=version.id)
    effects = point_selectors.recalibration_effect(actor=request.user, version=version)
    chart = (
        charts.effect(
            [e.employee.name for e in effects], [e.change_percent for e in effects], title="各客服积分变化（%）"
        )
        if effects
        else ""
    )
    return render(
        request,
        "performance/version.html",
        {
            "version": version,
            "lines": version.lines.select_related("business_type"),
            "effects": effects,
            "chart": chart,
            "can_approve": coefficients.can_approve(request.user, version.department),
        },
    )


@page
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = contest_selectors.contest_get(actor=request.user, contest_id=contest_id)
    board = contest_selectors.leaderboard(contest)
    top = board[:20]
    chart = charts.ranking([s.name for s in top], [s.value for s in top], title=contest.name) if top else ""
    return render(
        request,
        "performance/contest.html",
        {"contest": contest, "board": board, "winners": contest.winners.select_related("employee"), "chart": chart},
    )


@page
def contest_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "performance/contests.html", {"contests": contest_selectors.contest_list(actor=request.user)}
    )
