"""Compliance pages (htmx): cases with evidence and workflow, scores, finance, positive events, honours
and analytics; notices are in core's notification centre. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kefu.compliance import charts, selectors, services, workflow
from kefu.compliance.api import WEEKDAYS, period_of
from kefu.compliance.models import CaseKind, CaseStatus, FinanceKind, PositiveKind, PositiveStatus, category_label
from kefu.core import exports, scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.periods import Period
from kefu.core.views import page
from kefu.org import selectors as org_selectors


def _period(request: HttpRequest) -> Period:
    try:
        return period_of(request.GET.get("period", ""))
    except ApplicationError:
        return Period.containing(timezone.localdate())


def _refusal(request: HttpRequest, exc: ApplicationError) -> None:
    if isinstance(exc, NotFound | Forbidden):
        raise exc
    messages.error(request, exc.message)


def _case_filters(request: HttpRequest) -> dict[str, Any]:
    """The case list's filters from the query string: the page and its download read the same ones."""
    return {
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "period": period_of(request.GET["period"]) if request.GET.get("period") else None,
        "search": request.GET.get("q", ""),
    }


@page
def cases(request: HttpRequest) -> HttpResponse:
    filters = _case_filters(request)
    status, kind = filters["status"], filters["kind"]
    qs = selectors.violation_case_list(actor=request.user, **filters)
    return render(
        request,
        "compliance/cases.html",
        {
            "page_obj": Paginator(qs, 50).get_page(request.GET.get("page")),
            "status": status,
            "kind": kind,
            "statuses": CaseStatus.choices,
            "kinds": CaseKind.choices,
            "counts": selectors.status_counts(actor=request.user),
            "q": request.GET.get("q", ""),
        },
    )


@page
def case_detail(request: HttpRequest, violation_case_id: int) -> HttpResponse:
    case = selectors.violation_case_get(actor=request.user, case_id=violation_case_id)
    lag = case.finance_lag_seconds
    return render(
        request,
        "compliance/case_detail.html",
        {
            "case": case,
            "evidence": selectors.case_evidence(actor=request.user, case=case),
            "actions": workflow.allowed(request.user, case),
            "lag": None if lag is None else {"seconds": round(lag, 1), "same_minute": lag < 60},
        },
    )


@page(methods=("POST",))
def case_act(request: HttpRequest, violation_case_id: int) -> HttpResponse:
    try:
        version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
        case = services.violation_case_act(
            actor=request.user,
            case_id=violation_case_id,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            expected_version=version,
        )
        messages.success(request, f"案件 {case.number}：{case.get_status_display()}")
    except ApplicationError as exc:
        _refusal(request, exc)
    return redirect("compliance:case_detail", violation_case_id=violation_case_id)


@page
def cases_export(request: HttpRequest) -> HttpResponse:
    """The case list as filtered on the page, as Excel (or ?format=csv): for HR's monthly review."""
    qs = selectors.violation_case_list(actor=request.user, **_case_filters(request))
    rows = (
        [
            case.number,
            case.day,
            case.get_kind_display(),
            case.agent.name if case.agent else "",
            case.agent.employee_no if case.agent else "",
            case.unit.name,
            "、".join(category_label(c) for c in case.categories),
            case.get_status_display(),
            case.customer.name if case.customer else "",
            case.order.number if case.order else "",
            case.opened_at,
            case.decided_at,
        ]
        for case in qs.iterator(chunk_size=500)
    )
    headers = ["案件号", "日期", "类型", "客服", "工号", "单元", "类别", "状态", "客户", "订单", "立案时间", "裁定时间"]
    return exports.spreadsheet_response(
        request.GET.get("format", ""), stem="compliance-cases", sheet="合规案件", headers=headers, rows=rows
    )


@page
def scores_export(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    rows = (
        [
            employee.name,
            employee.employee_no,
            employee.unit.name,
            str(period),
            score.score,
            score.confirmed,
            score.positive,
            "有" if score.bonus_eligible else "无",
        ]
        for employee, score in selectors.score_board(actor=request.user, period=period)
    )
    headers = ["客服", "工号", "单元", "月份", "合规分", "确认违规", "正向事件", "奖金资格"]
    return exports.spreadsheet_response(
        request.GET.get("format", ""), stem=f"compliance-scores-{period}", sheet="合规分", headers=headers, rows=rows
    )


@page
def scores(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    own = org_selectors.own_employee(actor=request.user)
    if own is not None and not scopes.has_any_role(request.user, selectors.ANALYSTS):
        return redirect(
            f"{reverse('compliance:score_detail', args=[own.id])}?period={period}"
        )  # an agent's page is their own score
    return render(
        request,
        "compliance/scores.html",
        {"period": period, "board": selectors.score_board(actor=request.user, period=period)},
    )


@page
def score_detail(request: HttpRequest, employee_id: int) -> HttpResponse:
    period = _period(request)
    found = selectors.score_detail(actor=request.user, employee_id=employee_id, period=period)
    return render(
        request,
        "compliance/score_detail.html",
        {"d": found, "period": period, "previous": period.previous(), "next": period.next()},
    )


def _finance_units(request: HttpRequest) -> list[Any]:
    from kefu.org.models import UnitKind

    return [
        u
        for u in org_selectors.org_unit_list(actor=request.user).filter(kind__in=(UnitKind.BRANCH, UnitKind.GROUP))
        if scopes.covers(request.user, unit_path=u.path, roles=services.finance.RECORDERS)
    ]


@page(methods=("GET", "HEAD", "POST"))
def finance(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            record = services.finance_record_create(
                actor=request.user,
                unit_id=int(request.POST.get("unit_id") or 0),
                kind=request.POST.get("kind", ""),
                amount=request.POST.get("amount", ""),
                account=request.POST.get("account", ""),
                occurred_at=request.POST.get("occurred_at", ""),
                payer_name=request.POST.get("payer_name", ""),
                payer_phone=request.POST.get("payer_phone", ""),
                order_number=request.POST.get("order_number", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, f"已登记，立案 {record.cases.count()} 件，已通知分公司人事")
            return redirect("compliance:finance")
        except ApplicationError as exc:
            _refusal(request, exc)
    qs = selectors.finance_record_list(
        actor=request.user, kind=request.GET.get("kind", ""), search=request.GET.get("q", "")
    )
    return render(
        request,
        "compliance/finance.html",
        {
            "page_obj": Paginator(qs, 50).get_page(request.GET.get("page")),
            "kinds": FinanceKind.choices,
            "units": _finance_units(request),
            "q": request.GET.get("q", ""),
            "form": request.POST if request.method == "POST" else {},
        },
    )


@page(methods=("POST",))
def finance_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        batch = services.finance_import(
            actor=request.user,
            unit_id=int(request.POST.get("unit_id") or 0),
            filename=(upload.name or "") if upload else "",
            content=upload.read() if upload else b"",
        )
        messages.success(request, f"已导入 {batch.filename}：{batch.rows} 条")
    except ApplicationError as exc:
        _refusal(request, exc)
    return redirect("compliance:finance")


@page(methods=("GET", "HEAD", "POST"))
def positive_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.positive_event_report(
                actor=request.user,
                message_id=int(request.POST.get("message_id") or 0),
                kind=request.POST.get("kind", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, "已上报，等待质检或人事核实")
            return redirect("compliance:positive_list")
        except ApplicationError as exc:
            _refusal(request, exc)
    items = selectors.positive_event_list(actor=request.user, status=request.GET.get("status", ""))
    rows = [(e, e.status == PositiveStatus.REPORTED and _can_verify(request, e)) for e in items[:200]]
    return render(
        request,
        "compliance/positive.html",
        {
            "rows": rows,
            "kinds": PositiveKind.choices,
            "reportable": selectors.reportable_messages(actor=request.user),
        },
    )


def _can_verify(request: HttpRequest, event: Any) -> bool:
    return scopes.covers(request.user, unit_path=event.unit.path, roles=workflow.REVIEWER_ROLES) and (
        scopes.principal(request.user).employee_id != event.agent_id
    )


@page(methods=("POST",))
def positive_verify(request: HttpRequest, positive_event_id: int) -> HttpResponse:
    try:
        services.positive_event_verify(
            actor=request.user,
            event_id=positive_event_id,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        _refusal(request, exc)
    return redirect("compliance:positive_list")


@page(methods=("GET", "HEAD", "POST"))
def honours(request: HttpRequest) -> HttpResponse:
    last_month = Period.containing(timezone.localdate()).previous()
    if request.method == "POST":
        try:
            awarded = services.honours_award(
                actor=request.user,
                unit_id=int(request.POST.get("unit_id") or 0),
                period=period_of(request.POST.get("period", "")),
            )
            messages.success(request, f"评出合规标兵 {len(awarded)} 名")
            return redirect("compliance:honours")
        except ApplicationError as exc:
            _refusal(request, exc)
    units = [
        u
        for u in org_selectors.org_unit_list(actor=request.user)
        if scopes.covers(request.user, unit_path=u.path, roles=(scopes.BRANCH_HR, scopes.HQ_ADMIN)) and u.depth <= 1
    ]
    return render(
        request,
        "compliance/honours.html",
        {"honours": selectors.honour_list(actor=request.user)[:300], "units": units, "last_month": last_month},
    )


@page
def analytics(request: HttpRequest) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 90
    days = min(max(days, 7), 730)
    since = selectors.since_days(days)
    grid = selectors.event_heatmap(actor=request.user, since=since)
    groups = selectors.risk_by_group(actor=request.user, since=since)
    return render(
        request,
        "compliance/analytics.html",
        {
            "days": days,
            "total": sum(map(sum, grid)),
            "heatmap": charts.heatmap(grid, WEEKDAYS) if any(map(any, grid)) else "",
            "groups_chart": charts.groups(groups) if groups else "",
            "groups": groups,
        },
    )
