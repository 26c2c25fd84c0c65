"""Complaint pages: inbox per role, the complaint page (timeline, evidence, next actions via htmx),
staff intake (one click from a chat, or a phone call), CSV import, the agent's complaint file and
prevention for leads. The customer's public pages are in ``public.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from kefu.channel import selectors as channel_selectors
from kefu.channel import services as channel_services
from kefu.complaints import charts, selectors, services, workflow
from kefu.complaints.models import (
    EvidenceKind,
    ImprovementKind,
    ResponsibleParty,
    SolutionKind,
    Source,
    Status,
)
from kefu.core import exports, scopes
from kefu.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from kefu.core.views import page
from kefu.org import selectors as org_selectors
from kefu.org.models import OrgUnit, UnitKind


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- inbox --------------------------------------------------------------------------------------


def _inbox_filters(request: HttpRequest) -> dict[str, Any]:
    """The inbox's filters from the query string: the page and its download read the same ones."""
    g = request.GET
    return {
        "status": g.get("status", ""),
        "category": g.get("category", ""),
        "source": g.get("source", ""),
        "search": g.get("q", "").strip(),
        "sla": g.get("sla", ""),
        "open_only": g.get("open", "") == "1",
        "mine": g.get("mine", "") == "1",
    }


@page
def inbox(request: HttpRequest) -> HttpResponse:
    g = request.GET
    complaints = selectors.complaint_list(actor=request.user, **_inbox_filters(request))
    page_obj = Paginator(complaints, 50).get_page(g.get("page"))
    now = timezone.now()
    rows = [(c, c.sla_state(now)) for c in page_obj]
    own_unit = _own_branch(request)
    return render(
        request,
        "complaints/inbox.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "filters": g,
            "statuses": Status.choices,
            "sources": Source.choices,
            "categories": workflow.DEFAULT_CATEGORIES,
            "improvements": selectors.improvement_list(actor=request.user)[:20],
            "import_unit": own_unit if scopes.has_any_role(request.user, workflow.OFFICE_ROLES) else None,
        },
    )


RATE = Decimal("0.0001")
SLA_LABELS = {"overdue": "超时", "soon": "即将到期", "ok": "正常", "none": ""}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _rate(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(RATE)  # SQLite sums decimals as floats


@page
def inbox_export(request: HttpRequest) -> HttpResponse:
    """The inbox as filtered on the page, as Excel (or ?format=csv): for the officer's weekly report."""
    now = timezone.now()
    rows = (
        [
            c.number,
            c.created_at,
            c.get_source_display(),
            c.category,
            c.customer.name,
            c.order.number if c.order else "",
            c.subject_agent.name if c.subject_agent else "",
            c.handler.name if c.handler else "",
            c.get_status_display(),
            SLA_LABELS[c.sla_state(now)],
            c.due_at if c.is_open else None,
            _yes_no(c.founded),
            _yes_no(c.reasonable),
            c.amount_at_stake,
            c.loss_amount,
            _rate(c.penalty_rate),  # type: ignore[attr-defined]  # annotated by the selector
            c.closed_at,
            c.content,
        ]
        for c in selectors.complaint_export_list(actor=request.user, **_inbox_filters(request)).iterator(chunk_size=500)
    )
    headers = [
        "编号",
        "登记时间",
        "来源",
        "类别",
        "客户",
        "订单",
        "被投诉客服",
        "处理人",
        "状态",
        "时限",
        "本步时限",
        "理由充分",
        "要求合理",
        "涉及金额",
        "损失金额",
        "扣罚比例",
        "结案时间",
        "投诉内容",
    ]
    return exports.spreadsheet_response(
        request.GET.get("format", ""), stem="complaints", sheet="投诉", headers=headers, rows=rows
    )


def _own_branch(request: HttpRequest) -> OrgUnit | None:
    employee = org_selectors.own_employee(actor=request.user)
    if employee is not None:
        return channel_services.branch_of(employee.unit)
    for grant in scopes.principal(request.user).grants:
        unit = OrgUnit.objects.filter(path=grant.unit_path).first()
        if unit is not None and unit.kind != UnitKind.GROUP:
            return channel_services.branch_of(unit)
    return None


# --- intake -------------------------------------------------------------------------------------


@page(methods=("GET", "HEAD", "POST"))
def new(request: HttpRequest) -> HttpResponse:
    """From the agent console: /complaints/new/?conversation=<id> (the chat and its order are linked);
    without it, a phone complaint looked up by the caller's phone number."""
    source = request.POST if request.method == "POST" else request.GET
    conversation = None
    conversation_id = source.get("conversation", "").strip()
    if conversation_id:
        if not conversation_id.isdigit():
            raise NotFound("找不到该会话")
        conversation = channel_selectors.conversation_get(actor=request.user, conversation_id=int(conversation_id))
    orders = (
        channel_selectors.order_list(actor=request.user, customer_id=conversation.customer_id) if conversation else []
    )
    error = ""
    if request.method == "POST":
        p = request.POST
        order_id = int(p["order_id"]) if p.get("order_id", "").isdigit() else None
        try:
            if conversation is not None:
                complaint = services.complaint_from_conversation(
                    actor=request.user,
                    conversation_id=conversation.id,
                    content=p.get("content", ""),
                    customer_request=p.get("customer_request", ""),
                    amount_at_stake=p.get("amount_at_stake", "0"),
                    order_id=order_id,
                )
            else:
                customer = _phone_customer(request, p.get("phone", ""), p.get("name", ""))
                order = None
                if p.get("order_number", "").strip():
                    order = customer.orders.filter(number=p["order_number"].strip()).first()
                    if order is None:
                        raise ApplicationError("该订单号不属于这位客户", extra={"field": "order_number"})
                complaint = services.complaint_record(
                    actor=request.user,
                    customer_id=customer.id,
                    content=p.get("content", ""),
                    customer_request=p.get("customer_request", ""),
                    amount_at_stake=p.get("amount_at_stake", "0"),
                    order_id=order.id if order else None,
                )
        except (Forbidden, NotFound):
            raise
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记投诉 {complaint.number}")
            return redirect("complaints:detail", complaint_id=complaint.id)
    return render(
        request,
        "complaints/new.html",
        {"conversation": conversation, "orders": orders, "error": error, "form": source},
        status=400 if error else 200,
    )


def _phone_customer(request: HttpRequest, phone: str, name: str) -> Any:
    if not scopes.has_any_role(request.user, services.intake.INTAKE_ROLES):
        raise Forbidden("你没有登记投诉的权限")
    phone = channel_services.commerce.clean_phone(phone)
    if not phone:
        raise ApplicationError("请填写来电手机号", extra={"field": "phone"})
    customer = channel_selectors.customer_list(actor=request.user).filter(phone=phone).first()
    if customer is not None:
        return customer
    branch = _own_branch(request)
    if branch is None:
        raise ApplicationError("找不到这位客户，且你的账号没有所属分公司：请先在客户页建档")
    return channel_services.customer_create(
        actor=request.user, name=name or f"客户{phone[-4:]}", unit=branch, phone=phone
    )


@page(methods=("GET", "HEAD", "POST"))
def import_csv(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = org_selectors.org_unit_get(actor=request.user, unit_id=unit_id)
    scopes.require(actor=request.user, unit_path=unit.path, roles=workflow.OFFICE_ROLES, what="导入投诉")
    result, errors, status = None, [], 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError("请选择 CSV 文件", extra={"field": "file"})
            if upload.size and upload.size > 5 * 1024 * 1024:
                raise ApplicationError("文件太大（上限 5 MB）", extra={"field": "file"})
            result = services.complaint_import(
                actor=request.user, unit_id=unit.id, content=upload.read(), filename=upload.name or ""
            )
        except (Forbidden, NotFound):
            raise
        except ApplicationError as exc:
            errors = [exc.message, *exc.extra.get("rows", [])]
            status = 400
    return render(
        request,
        "complaints/import.html",
        {"unit": unit, "result": result, "errors": errors, "columns": list(services.intake.COLUMNS)},
        status=status,
    )


# --- the complaint page -------------------------------------------------------------------------


def _detail_context(request: HttpRequest, complaint_id: int) -> dict[str, Any]:
    complaint = selectors.complaint_get(actor=request.user, complaint_id=complaint_id)
    allowed = selectors.allowed_actions(actor=request.user, complaint=complaint)
    held = workflow.roles_of(request.user, complaint)
    context: dict[str, Any] = {
        "c": complaint,
        "sla": complaint.sla_state(),
        "allowed": allowed,
        "allowed_names": {t.action for t in allowed},
        "timeline": selectors.timeline(complaint=complaint),
        "evidence": selectors.evidence(complaint=complaint),
        "improvements": complaint.improvements.select_related("owner"),
        "penalties": complaint.penalties.select_related("employee"),
        "categories": selectors.categories(complaint=complaint),
        "parties": ResponsibleParty.choices,
        "solutions": SolutionKind.choices,
        "improvement_kinds": ImprovementKind.choices,
        "evidence_kinds": EvidenceKind.choices,
        "can_add_evidence": complaint.is_open and bool(held & {workflow.OFFICE, workflow.HANDLER, workflow.LEAD}),
        "can_add_improvement": complaint.status == Status.IMPROVING and bool(held & {workflow.OFFICE, workflow.LEAD}),
        "my_employee_id": scopes.principal(request.user).employee_id,
        "is_office": workflow.OFFICE in held,
        "is_lead": workflow.LEAD in held,
        "approval_limit": selectors.approval_limit(complaint=complaint),
    }
    if "assign" in context["allowed_names"]:
        context["suggestions"] = selectors.handler_suggestions(complaint=complaint)
        context["assignable"] = selectors.assignable_employees(actor=request.user, complaint=complaint)[:300]
    if {"plan"} & context["allowed_names"] or context["can_add_improvement"]:
        context["owners"] = scopes.restrict(
            request.user,
            org_selectors.employee_list(actor=request.user).filter(unit__path__startswith=complaint.unit.path),
            employee="",
        )[:300]
    if complaint.status == Status.ASSIGNED or "investigate" in context["allowed_names"]:
        context["branch_agents"] = selectors.assignable_employees(actor=request.user, complaint=complaint)[:300]
    return context


@page
def detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return render(request, "complaints/detail.html", _detail_context(request, complaint_id))


def _panel(request: HttpRequest, complaint_id: int, *, error: str = "", status: int = 200) -> HttpResponse:
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
        response = redirect("complaints:detail", complaint_id=complaint_id)
        if status == 409:
            # Non-htmx clients still learn it was a conflict; the page shows the message.
            return render(
                request,
                "complaints/detail.html",
                {**_detail_context(request, complaint_id), "error": error},
                status=409,
            )
        return response
    context = _detail_context(request, complaint_id)
    context["error"] = error
    return render(request, "complaints/_panel.html", context, status=status)


@page(methods=("POST",))
def act(request: HttpRequest, complaint_id: int) -> HttpResponse:
    data = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "action", "version"}}
    version = request.POST.get("version", "")
    try:
        complaint = services.complaint_act(
            actor=request.user,
            complaint_id=complaint_id,
            action=request.POST.get("action", ""),
            expected_version=int(version) if version.isdigit() else None,
            data=data,
        )
    except (Forbidden, NotFound):
        raise
    except Conflict as exc:
        return _panel(request, complaint_id, error=exc.message, status=409)
    except ApplicationError as exc:
        return _panel(request, complaint_id, error=exc.message, status=400)
    if not _is_htmx(request):
        messages.success(
            request, f"已完成：{workflow.get(request.POST['action']).label}（{complaint.get_status_display()}）"
        )
    return _panel(request, complaint_id)


@page(methods=("POST",))
def evidence_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    p = request.POST
    upload = request.FILES.get("file")
    try:
        services.evidence_add(
            actor=request.user,
            complaint_id=complaint_id,
            kind=p.get("kind", ""),
            ref_id=int(p["ref_id"]) if p.get("ref_id", "").strip().isdigit() else None,
            note=p.get("note", ""),
            upload=channel_services.Upload(content=upload.read(), name=upload.name or "") if upload else None,
        )
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        return _panel(request, complaint_id, error=exc.message, status=400)
    return _panel(request, complaint_id)


@page(methods=("POST",))
def improvement_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    version = request.POST.get("version", "")
    try:
        services.improvement_add(
            actor=request.user,
            complaint_id=complaint_id,
            expected_version=int(version) if version.isdigit() else None,
            data=dict(request.POST.items()),
        )
    except (Forbidden, NotFound):
        raise
    except Conflict as exc:
        return _panel(request, complaint_id, error=exc.message, status=409)
    except ApplicationError as exc:
        return _panel(request, complaint_id, error=exc.message, status=400)
    return _panel(request, complaint_id)


@page(methods=("POST",))
def improvement_done(request: HttpRequest, improvement_id: int) -> HttpResponse:
    action = selectors.improvement_get(actor=request.user, improvement_id=improvement_id)
    try:
        services.improvement_complete(
            actor=request.user, improvement_id=improvement_id, note=request.POST.get("note", "")
        )
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        return _panel(request, action.complaint_id, error=exc.message, status=400)
    return _panel(request, action.complaint_id)


# --- the agent's file, prevention ------------------------------------------------


@page
def agent_file(request: HttpRequest, employee_id: int) -> HttpResponse:
    found = selectors.agent_file(actor=request.user, employee_id=employee_id)
    return render(request, "complaints/agent_file.html", {"f": found})


@page
def prevention(request: HttpRequest) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 90
    since = timezone.now() - dt.timedelta(days=min(max(days, 7), 730))
    by_agent = selectors.recurring_by_agent(actor=request.user, since=since)
    by_product = selectors.recurring_by_product(actor=request.user, since=since)
    monthly = selectors.monthly_categories(actor=request.user, since=since)
    return render(
        request,
        "complaints/prevention.html",
        {
            "days": days,
            "by_agent": by_agent,
            "by_product": by_product,
            "counts": selectors.category_counts(actor=request.user, since=since),
            "chart": charts.monthly_categories(monthly) if monthly else "",
        },
    )
