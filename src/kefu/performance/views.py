"""Performance pages: my points, team board, KPI tree and calibration, coefficients, contests, and the
forms that write (imports, recalibration, KPI targets, review periods, contests, work logs).

The writing views are thin: the form parses, the service checks scope, roles and rules. A scope refusal
(NotFound) or a missing role (Forbidden) passes through to a 404/403; any other refusal is shown to the
person next to the form. Forms are only offered to people whose roles reach the record.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import exports, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.periods import Period
from kefu.core.views import page
from kefu.org import selectors as org_selectors
from kefu.performance import charts, forms
from kefu.performance.models import ContestStatus, Indicator, KpiMetric, PeriodStatus, ReviewStatus
from kefu.performance.selectors import contests as contest_selectors
from kefu.performance.selectors import kpi as kpi_selectors
from kefu.performance.selectors import options
from kefu.performance.selectors import points as point_selectors
from kefu.performance.selectors import reviews as review_selectors
from kefu.performance.services import coefficients, contests, records, reviews
from kefu.performance.services import kpi as kpi_services
from kefu.performance.services.common import LEADS, MANAGERS


def _period(request: HttpRequest) -> Period:
    try:
        return Period.parse(request.GET.get("period", ""))
    except ValueError:
        return Period.containing(timezone.localdate())


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


def _require_board(request: HttpRequest) -> None:
    if not scopes.has_any_role(request.user, (*LEADS, scopes.QA)):
        raise Forbidden("班组看板供组长、质检、人事使用")


@page
def employee_export(request: HttpRequest, employee_id: int) -> HttpResponse:
    """One employee's points ledger of the month, a row per day (what the file's chart draws), as Excel
    (or ?format=csv). Scoped like the file: an agent reaches only their own."""
    period = _period(request)
    employee = org_selectors.employee_get(actor=request.user, employee_id=employee_id)
    start, end = point_selectors.month_bounds(period)
    indicators = list(Indicator)
    rows = (
        [
            day,
            employee.employee_no,
            employee.name,
            totals.points,
            totals.records,
            totals.sales,
            *[value for i in indicators for value in (totals.counts.get(i, 0), totals.by_indicator.get(i, 0))],
        ]
        for day, totals in point_selectors.daily_totals(
            actor=request.user, employee_id=employee.id, start=start, end=end
        )
    )
    headers = [
        "日期",
        "工号",
        "姓名",
        "积分",
        "记录数",
        "营销业绩（元）",
        *[f"{i.label}{suffix}" for i in indicators for suffix in ("记录数", "积分")],
    ]
    return exports.spreadsheet_response(
        request.GET.get("format", ""),
        stem=f"performance-points-{employee.employee_no}-{period}",
        sheet="积分明细",
        headers=headers,
        rows=rows,
    )


@page
def team_export(request: HttpRequest) -> HttpResponse:
    """The team board of the month as on the page, as Excel (or ?format=csv): for the lead's monthly review."""
    _require_board(request)
    period = _period(request)
    start, end = point_selectors.month_bounds(period)
    rows = (
        [
            r.rank,
            r.employee.employee_no,
            r.employee.name,
            r.employee.unit.name,
            str(period),
            r.points,
            r.records,
            r.sales,
            r.qa_average,
            r.qa_count,
        ]
        for r in point_selectors.team_board(actor=request.user, start=start, end=end)
    )
    headers = ["名次", "工号", "姓名", "班组", "月份", "积分", "记录数", "营销业绩（元）", "质检平均分", "质检次数"]
    return exports.spreadsheet_response(
        request.GET.get("format", ""), stem=f"performance-team-{period}", sheet="班组看板", headers=headers, rows=rows
    )


@page
def team(request: HttpRequest) -> HttpResponse:
    _require_board(request)
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
    return render(
        request,
        "performance/kpi.html",
        {
            "rows": rows,
            "chart": chart,
            "periods": periods,
            "can_manage_periods": scopes.has_any_role(request.user, MANAGERS),
        },
    )


@page
def calibration(request: HttpRequest, period_id: int) -> HttpResponse:
    """The manager's calibration view: every review of the period side by side, with the spread."""
    period = review_selectors.review_period_get(actor=request.user, period_id=period_id)
    return _calibration_page(request, period)


def _calibration_page(request: HttpRequest, period: Any) -> HttpResponse:
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
    can_manage = period.status != PeriodStatus.LOCKED and scopes.covers(
        request.user, unit_path=period.unit.path, roles=MANAGERS
    )
    review_form = _review_form(request, period) if can_manage else None
    return render(
        request,
        "performance/calibration.html",
        {
            "period": period,
            "rows": rows,
            "chart": chart,
            "can_manage": can_manage,
            "review_form": review_form if review_form and review_form.has_employees else None,
            "pending": sum(1 for r in rows if r.status != ReviewStatus.SIGNED),
        },
    )


def _review_form(request: HttpRequest, period: Any, data: Any = None) -> forms.ReviewCreateForm:
    """Employees of the period's unit the manager reaches; those without a review yet may be picked."""
    people = list(options.employee_choices(actor=request.user, roles=MANAGERS, under=period.unit.path))
    reviewed = set(period.reviews.values_list("employee_id", flat=True))
    return forms.ReviewCreateForm(data, employees=[e for e in people if e.id not in reviewed], peers=people)


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
            "propose_form": forms.ProposeForm(departments=options.department_choices(actor=request.user)),
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
        {
            "contest": contest,
            "board": board,
            "winners": contest.winners.select_related("employee"),
            "chart": chart,
            "can_close": contest.status == ContestStatus.OPEN
            and scopes.covers(request.user, unit_path=contest.unit.path, roles=LEADS),
            "ended": contest.ends_on < timezone.localdate(),
        },
    )


@page
def contest_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "performance/contests.html",
        {
            "contests": contest_selectors.contest_list(actor=request.user),
            "can_create": scopes.has_any_role(request.user, LEADS),
        },
    )


# --- writing pages -------------------------------------------------------------------------------------


def _attempt(form: Any, action: Any) -> Any:
    """Run a service call; a refusal other than scope (404) or role (403) becomes a form error (None)."""
    try:
        return action()
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return None


def _act(request: HttpRequest, action: Callable[[], Any], success: Callable[[Any], str]) -> None:
    """Run a button's service call; its success or refusal becomes a flash message (scope 404 and role 403
    refusals propagate)."""
    try:
        result = action()
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, success(result))


def _form_page(request: HttpRequest, form: Any, *, title: str, help_text: str, back: str) -> HttpResponse:
    return render(
        request, "performance/form.html", {"form": form, "title": title, "help_text": help_text, "back": back}
    )


@page(methods=("GET", "HEAD", "POST"))
def import_records(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/JSON file of work records or QA scores: all or nothing, row-numbered errors on refusal."""
    if not scopes.has_any_role(request.user, MANAGERS):
        raise Forbidden(_("工作记录与质检评分由人事和集团导入"))
    units = options.unit_choices(actor=request.user, roles=MANAGERS)
    form = forms.ImportForm(request.POST or None, request.FILES or None, units=units)
    row_errors: list[str] = []
    error_count = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not units.filter(id=data["unit_id"]).exists():
            raise NotFound(_("找不到该组织单元"), extra={"unit_id": data["unit_id"]})
        try:
            if data["kind"] == "quality":
                result = records.quality_scores_import(
                    actor=request.user, filename=data["filename"], content=data["text"], fmt=data["fmt"]
                )
            else:
                result = records.work_records_import(
                    actor=request.user,
                    source_system=data["source_system"],
                    filename=data["filename"],
                    content=data["text"],
                    fmt=data["fmt"],
                )
        except (Forbidden, NotFound):
            raise
        except ApplicationError as exc:
            row_errors = list(exc.extra.get("errors", []))
            error_count = int(exc.extra.get("error_count", len(row_errors)))
            if row_errors:
                form.add_error(
                    None, _("文件未导入（全部或全不），没有写入任何数据：共 %(n)d 处错误") % {"n": error_count}
                )
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(file)s：共 %(rows)d 行，%(message)s")
                % {"file": data["filename"], "rows": result.rows, "message": result.message},
            )
            return redirect("performance:imports")
    return render(
        request,
        "performance/import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "error_count": error_count,
            "hidden_errors": max(0, error_count - len(row_errors)),
            "batches": options.import_batch_list(actor=request.user)[:20],
            "work_columns": records.WORK_COLUMNS,
            "quality_columns": records.QUALITY_COLUMNS,
        },
    )


@page(methods=("GET", "HEAD", "POST"))
def recalibration_propose(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, MANAGERS):
        raise Forbidden(_("积分系数由人事和集团管理"))
    form = forms.ProposeForm(request.POST or None, departments=options.department_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = _attempt(
            form,
            lambda: coefficients.recalibration_propose(
                actor=request.user,
                department_id=data["department_id"],
                months=data["months"],
                effective_from=data["effective_from"],
                note=data["note"],
            ),
        )
        if version is not None:
            messages.success(request, _("已生成测算版本：批准之前不改变任何系数"))
            return redirect("performance:version", version_id=version.id)
    return _form_page(
        request,
        form,
        title=_("测算积分系数"),
        help_text=_(
            "按最近 N 个完整月份的工作记录测算各业务的平均处理时长，生成新系数版本；批准后按生效日期计入积分。"
        ),
        back="performance:coefficients",
    )


def _require_lead(request: HttpRequest) -> None:
    if not scopes.has_any_role(request.user, LEADS):
        raise Forbidden(_("KPI 分解供组长、人事与集团使用"))


def _kpi_node_form(request: HttpRequest, data: Any = None, *, under: str = "") -> forms.KpiNodeForm:
    return forms.KpiNodeForm(
        data,
        units=options.unit_choices(actor=request.user, roles=MANAGERS, under=under),
        employees=options.employee_choices(actor=request.user, roles=LEADS, under=under),
    )


@page(methods=("GET", "HEAD", "POST"))
def kpi_node_new(request: HttpRequest) -> HttpResponse:
    """A top-level KPI target for a unit (HR/HQ) or an employee."""
    _require_lead(request)
    form = _kpi_node_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        node = _attempt(form, lambda: kpi_services.kpi_node_create(actor=request.user, **form.service_kwargs()))
        if node is not None:
            messages.success(request, _("已新增 KPI 指标：%(name)s") % {"name": node.name})
            return redirect("performance:kpi_node", node_id=node.id)
    return _form_page(
        request,
        form,
        title=_("新增 KPI 指标"),
        help_text=_("指标要么属于一个单元（人事、集团设定），要么属于一名员工；下级指标在指标页面上添加。"),
        back="performance:kpi",
    )


def _kpi_node_page(
    request: HttpRequest,
    node: Any,
    *,
    child_form: Any = None,
    weights_form: Any = None,
    actual_form: Any = None,
) -> HttpResponse:
    children = list(kpi_selectors.kpi_node_list(actor=request.user).filter(parent_id=node.id))
    can_add_child = scopes.covers(request.user, unit_path=node.unit_path, roles=LEADS)
    can_weigh = bool(children) and scopes.covers(request.user, unit_path=node.unit_path, roles=MANAGERS)
    can_report = node.metric == KpiMetric.MANUAL and can_add_child
    if can_add_child and child_form is None:
        child_form = _kpi_node_form(request, under=node.unit_path)
        child_form.initial = {
            "period_start": node.period_start,
            "period_end": node.period_end,
            "unit_label": node.unit_label,
            "metric": node.metric,
        }
    if can_weigh and weights_form is None:
        weights_form = forms.KpiWeightsForm(children=children)
    if can_report and actual_form is None:
        actual_form = forms.KpiActualForm(initial={"value": node.manual_actual})
    value = kpi_selectors.actual(node)
    return render(
        request,
        "performance/kpi_node.html",
        {
            "node": node,
            "actual": value,
            "attainment": None if value is None else (value / node.target * 100).quantize(Decimal("0.1")),
            "children": children,
            "children_weight": sum((c.weight_percent for c in children), Decimal(0)),
            "child_form": child_form if can_add_child else None,
            "weights_form": weights_form if can_weigh else None,
            "actual_form": actual_form if can_report else None,
        },
    )


@page
def kpi_node(request: HttpRequest, node_id: int) -> HttpResponse:
    _require_lead(request)
    return _kpi_node_page(request, kpi_selectors.kpi_node_get(actor=request.user, node_id=node_id))


@page(methods=("POST",))
def kpi_node_child(request: HttpRequest, node_id: int) -> HttpResponse:
    _require_lead(request)
    parent = kpi_selectors.kpi_node_get(actor=request.user, node_id=node_id)
    form = _kpi_node_form(request, request.POST, under=parent.unit_path)
    if form.is_valid():
        node = _attempt(
            form,
            lambda: kpi_services.kpi_node_create(actor=request.user, parent_id=parent.id, **form.service_kwargs()),
        )
        if node is not None:
            messages.success(request, _("已新增下级指标：%(name)s") % {"name": node.name})
            return redirect("performance:kpi_node", node_id=parent.id)
    return _kpi_node_page(request, parent, child_form=form)


@page(methods=("POST",))
def kpi_node_weights(request: HttpRequest, node_id: int) -> HttpResponse:
    _require_lead(request)
    parent = kpi_selectors.kpi_node_get(actor=request.user, node_id=node_id)
    children = kpi_selectors.kpi_node_list(actor=request.user).filter(parent_id=parent.id)
    form = forms.KpiWeightsForm(request.POST, children=children)
    if form.is_valid():
        done = _attempt(
            form, lambda: kpi_services.kpi_weights_set(actor=request.user, parent_id=parent.id, weights=form.weights())
        )
        if done is not None:
            messages.success(request, _("已调整下级指标权重"))
            return redirect("performance:kpi_node", node_id=parent.id)
    return _kpi_node_page(request, parent, weights_form=form)


@page(methods=("POST",))
def kpi_node_actual(request: HttpRequest, node_id: int) -> HttpResponse:
    _require_lead(request)
    node = kpi_selectors.kpi_node_get(actor=request.user, node_id=node_id)
    form = forms.KpiActualForm(request.POST)
    if form.is_valid():
        done = _attempt(
            form,
            lambda: kpi_services.kpi_actual_report(
                actor=request.user, node_id=node.id, value=form.cleaned_data["value"]
            ),
        )
        if done is not None:
            messages.success(request, _("已填报实际值"))
            return redirect("performance:kpi_node", node_id=node.id)
    return _kpi_node_page(request, node, actual_form=form)


@page(methods=("GET", "HEAD", "POST"))
def period_list(request: HttpRequest) -> HttpResponse:
    """Review periods the manager reaches, and the form that opens a new one."""
    if not scopes.has_any_role(request.user, MANAGERS):
        raise Forbidden(_("考核期由人事和集团管理"))
    form = forms.PeriodOpenForm(request.POST or None, units=options.unit_choices(actor=request.user, roles=MANAGERS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = _attempt(
            form,
            lambda: reviews.review_period_open(
                actor=request.user,
                unit_id=data["unit_id"],
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                label=data["label"],
            ),
        )
        if period is not None:
            messages.success(request, _("已开启考核期：%(label)s") % {"label": period.label})
            return redirect("performance:calibration", period_id=period.id)
    return render(
        request,
        "performance/periods.html",
        {"form": form, "periods": review_selectors.review_period_list(actor=request.user)[:50]},
    )


@page(methods=("POST",))
def review_new(request: HttpRequest, period_id: int) -> HttpResponse:
    period = review_selectors.review_period_get(actor=request.user, period_id=period_id)
    form = _review_form(request, period, request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要考核的员工（同事评分人须在本考核期的单元内）"))
        return redirect("performance:calibration", period_id=period.id)
    _act(
        request,
        lambda: reviews.review_create(
            actor=request.user,
            period_id=period.id,
            employee_id=form.cleaned_data["employee_id"],
            peer_ids=form.cleaned_data["peer_ids"],
        ),
        lambda review: _("已为%(name)s建立考核，评分任务已分派") % {"name": review.employee.name},
    )
    return redirect("performance:calibration", period_id=period.id)


@page(methods=("POST",))
def period_lock(request: HttpRequest, period_id: int) -> HttpResponse:
    period = review_selectors.review_period_get(actor=request.user, period_id=period_id)
    _act(
        request,
        lambda: reviews.review_period_lock(actor=request.user, period_id=period.id),
        lambda _p: _("考核期已锁定"),
    )
    return redirect("performance:calibration", period_id=period.id)


@page(methods=("GET", "HEAD", "POST"))
def contest_new(request: HttpRequest) -> HttpResponse:
    if not scopes.has_any_role(request.user, LEADS):
        raise Forbidden(_("劳动竞赛由组长、人事和集团发起"))
    form = forms.ContestForm(request.POST or None, units=options.unit_choices(actor=request.user, roles=LEADS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contest = _attempt(form, lambda: contests.contest_create(actor=request.user, **data))
        if contest is not None:
            messages.success(request, _("已发起竞赛：%(name)s") % {"name": contest.name})
            return redirect("performance:contest", contest_id=contest.id)
    return _form_page(
        request,
        form,
        title=_("发起劳动竞赛"),
        help_text=_("参赛范围内的全体员工按规则上榜；竞赛结束后评奖，前几名记入获奖名单。"),
        back="performance:contests",
    )


@page(methods=("POST",))
def contest_close(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = contest_selectors.contest_get(actor=request.user, contest_id=contest_id)
    _act(
        request,
        lambda: contests.contest_close(actor=request.user, contest_id=contest.id),
        lambda _c: _("竞赛已结束，获奖名单已记录"),
    )
    return redirect("performance:contest", contest_id=contest.id)


@page(methods=("GET", "HEAD", "POST"))
def work_logs(request: HttpRequest) -> HttpResponse:
    """My work logs and plans (and the form to hand one in); a lead also sees and rates the team's."""
    employee = org_selectors.own_employee(actor=request.user)
    periods = list(options.work_log_periods(employee=employee))
    form = forms.WorkLogForm(request.POST or None, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        log = _attempt(
            form,
            lambda: reviews.work_log_submit(
                actor=request.user, period_id=data["period_id"], kind=data["kind"], content=data["content"]
            ),
        )
        if log is not None:
            messages.success(request, _("已提交%(kind)s") % {"kind": log.get_kind_display()})
            return redirect("performance:work_logs")
    logs = review_selectors.work_log_list(actor=request.user).select_related("employee__unit", "rated_by")[:100]
    rows = [
        {
            "log": log,
            "can_rate": log.period.status != PeriodStatus.LOCKED
            and (employee is None or log.employee_id != employee.id)
            and scopes.covers(request.user, unit_path=log.employee.unit.path, roles=LEADS),
        }
        for log in logs
    ]
    return render(
        request,
        "performance/work_logs.html",
        {"form": form if periods or request.method == "POST" else None, "rows": rows, "employee": employee},
    )


@page(methods=("POST",))
def work_log_rate(request: HttpRequest, work_log_id: int) -> HttpResponse:
    log = review_selectors.work_log_list(actor=request.user).filter(id=work_log_id).first()
    if log is None:
        raise NotFound(_("找不到该工作日志"), extra={"work_log_id": work_log_id})
    form = forms.WorkLogRateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("评分需要是 0–100 的整数"))
        return redirect("performance:work_logs")
    _act(
        request,
        lambda: reviews.work_log_rate(actor=request.user, work_log_id=log.id, rating=form.cleaned_data["rating"]),
        lambda _w: _("已为%(name)s的%(kind)s评分") % {"name": log.employee.name, "kind": log.get_kind_display()},
    )
    return redirect("performance:work_logs")
