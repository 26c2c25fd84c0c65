"""Planner pages: the overview, a forecast run with its charts, the forms that write."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kefu.core import exports
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.views import page
from kefu.org import selectors as org_selectors
from kefu.staffing import charts, erlang, planning, selectors, services
from kefu.staffing.forms import CsvImportForm, EventForm, QueueForm, RunForm, ShiftForm, TargetForm
from kefu.staffing.models import ContactInterval, Queue

# --- reading pages --------------------------------------------------------------------------------------


@page
def index(request: HttpRequest) -> HttpResponse:
    selectors.require_planner(request.user)
    calculator = _calculator(request)
    return render(
        request,
        "staffing/index.html",
        {
            "runs": selectors.forecast_run_list(actor=request.user)[:30],
            "queues": selectors.queue_list(actor=request.user),
            "events": selectors.planned_event_list(actor=request.user)[:30],
            "imports": selectors.contact_import_list(actor=request.user)[:10],
            "calculator": calculator,
            "query": request.GET,
        },
    )


def _calculator(request: HttpRequest) -> dict[str, Any] | None:
    """The Erlang calculator on the overview: the same numbers as `kefu staffing erlang`."""
    if "calls" not in request.GET:
        return None

    def number(name: str, default: float | None = None) -> float | None:
        text = request.GET.get(name, "").strip()
        if not text:
            return default
        try:
            return float(text)
        except ValueError:
            raise erlang.StaffingInputError(name, f"{name} 不是数字：{text!r}") from None

    try:
        result = erlang.required_agents(
            calls=number("calls"),  # type: ignore[arg-type]
            aht_seconds=number("aht"),  # type: ignore[arg-type]
            interval_minutes=number("interval_minutes", 30.0),  # type: ignore[arg-type]
            service_level_target=number("service_level", 0.8),  # type: ignore[arg-type]
            answer_within_seconds=number("answer_within", 20.0),  # type: ignore[arg-type]
            shrinkage=number("shrinkage", 0.0),  # type: ignore[arg-type]
            max_occupancy=number("max_occupancy", 1.0),  # type: ignore[arg-type]
            patience_seconds=number("patience"),
        )
    except (erlang.StaffingInputError, TypeError) as exc:
        return {"error": str(exc) if not isinstance(exc, TypeError) else "请填写话务量和平均处理时长"}
    return {"result": result, "model": planning.MODEL_LABELS[result.model]}


def _at(request: HttpRequest) -> dt.datetime | None:
    text = request.GET.get("at", "")
    moment = parse_datetime(text) if text else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _optional(compute: Callable[[], Any]) -> tuple[Any, str]:
    """A chart the run cannot draw (no traffic, a policy gap) shows its reason instead of failing the page."""
    try:
        return compute(), ""
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        return None, exc.message


def _queue_filter(request: HttpRequest, queues: list[Queue]) -> int | None:
    """The page's queue choice: one of the run's queues, or None for all of them."""
    queue_id = _int(request.GET.get("queue"))
    return queue_id if queue_id in {q.id for q in queues} else None


@page
def run_export(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's requirement per queue and interval (the queue chosen on the page, or all), as Excel (or
    ?format=csv): what the planner takes into the rostering spreadsheet."""
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    queue_id = _queue_filter(request, planning.run_queues(run))
    rows = (
        [
            row.interval_start,
            row.queue.code,
            row.queue.name,
            row.queue.get_customer_tier_display(),
            round(row.contacts, 2),
            round(row.baseline_contacts, 2),
            round(row.aht_seconds, 1),
            row.agents,
            row.scheduled,
            row.baseline_scheduled,
            round(row.service_level, 4),
            round(row.occupancy, 4),
            None if row.asa_seconds is None else round(row.asa_seconds, 1),
            None if row.abandon_rate is None else round(row.abandon_rate, 4),
            row.events,
            "是" if row.holiday else "",
            planning.MODEL_LABELS.get(row.model, row.model),
        ]
        for row in planning.run_intervals(run, queue_id=queue_id)
    )
    headers = [
        "时段开始",
        "队列编码",
        "队列",
        "客户层级",
        "预测话务量",
        "无大促话务量",
        "平均处理时长（秒）",
        "在线坐席",
        "需排班（含损耗）",
        "无大促需排班",
        "服务水平",
        "占用率",
        "平均应答（秒）",
        "放弃率",
        "大促",
        "节假日",
        "人力模型",
    ]
    return exports.spreadsheet_response(
        request.GET.get("format", ""), stem=f"staffing-run-{run.id}", sheet="人力需求", headers=headers, rows=rows
    )


@page
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    queues = planning.run_queues(run)
    queue_id = _queue_filter(request, queues)
    agents = _int(request.GET.get("agents"))
    at = _at(request)

    totals = planning.run_totals(run, queue_id=queue_id)
    accuracy = planning.forecast_accuracy(run, queue_id=queue_id)
    cover = planning.coverage(run, queue_id=queue_id)
    curve, curve_error = _optional(lambda: planning.cost_curve(run, queue_id=queue_id, at=at))
    tiers, tiers_error = _optional(
        lambda: planning.tier_service_levels(run, at=at, agents=agents if agents and agents > 0 else None)
    )
    plan, plan_error = _optional(lambda: planning.peak_plan(run) if run.events else None)

    figures = {
        "accuracy": charts.forecast_vs_actual(accuracy),
        "coverage": charts.required_vs_rostered(cover, totals),
        "cost": charts.cost_curve(curve) if curve else "",
        "tiers": charts.tier_levels(tiers, target=float(run.service_level_target)) if tiers else "",
        "peak": charts.peak_plan(plan) if plan and plan.points else "",
    }
    by_day: dict[dt.date, list[planning.IntervalTotal]] = defaultdict(list)
    for total in totals:
        by_day[timezone.localtime(total.start).date()].append(total)
    days = [
        {
            "day": day,
            "contacts": sum(t.contacts for t in items),
            "peak_scheduled": max(t.scheduled for t in items),
            "agent_hours": sum(t.agents for t in items) * run.interval_minutes / 60,
            "events": "、".join(sorted({name for t in items for name in t.events})),
        }
        for day, items in sorted(by_day.items())
    ]
    return render(
        request,
        "staffing/run_detail.html",
        {
            "run": run,
            "queues": queues,
            "queue_id": queue_id,
            "figures": figures,
            "accuracy": accuracy,
            "coverage": cover,
            "curve": curve,
            # Picking a point adopts its service level, rounded down so the point still meets it.
            "curve_rows": [(p, f"{math.floor(p.service_level * 100) / 100:.2f}") for p in curve.points]
            if curve
            else [],
            "curve_error": curve_error,
            "tiers": tiers,
            "tiers_error": tiers_error,
            "plan": plan,
            "plan_error": plan_error,
            "days": days,
            "model_label": planning.MODEL_LABELS[run.model_label],
            "target_percent": float(run.service_level_target) * 100,
        },
    )


@page
def queue_detail(request: HttpRequest, queue_id: int) -> HttpResponse:
    queue = selectors.queue_get(actor=request.user, queue_id=queue_id)
    since = timezone.now() - dt.timedelta(days=56)
    daily: dict[dt.date, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for start, offered, answered, aht in ContactInterval.objects.filter(
        queue=queue, interval_start__gte=since
    ).values_list("interval_start", "offered", "answered", "aht_seconds"):
        row = daily[timezone.localtime(start).date()]
        row[0] += offered
        row[1] += answered
        row[2] += answered * float(aht)
    days = sorted(daily)
    figure = charts.daily_history(
        days,
        [int(daily[d][0]) for d in days],
        [int(daily[d][1]) for d in days],
        [round(daily[d][2] / daily[d][1], 1) if daily[d][1] else 0.0 for d in days],
    )
    shifts = selectors.shift_list(actor=request.user, queue_id=queue.id, start=timezone.now())[:50]
    return render(
        request,
        "staffing/queue_detail.html",
        {"queue": queue, "figure": figure, "shifts": shifts},
    )


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


# --- writing pages --------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    form_class: type[Any],
    title: str,
    help_text: str,
    save: Callable[[dict[str, Any]], tuple[str, str]],
    files: bool = False,
) -> HttpResponse:
    """GET shows the form; POST validates, calls the service (403/404 pass through), then redirects."""
    selectors.require_planner(request.user)
    units = selectors.planner_unit_list(actor=request.user)
    form = form_class(
        request.POST or None, request.FILES or None, units=units, initial={"unit_id": request.GET.get("unit")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            message, target = save(form.cleaned_data)
        except (Forbidden, NotFound):
            raise
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            for error in exc.extra.get("errors", [])[:30]:
                form.add_error(None, f"第 {error['line']} 行：{error['message']}")
        else:
            messages.success(request, message)
            return redirect(target)
    return render(request, "staffing/form.html", {"form": form, "title": title, "help_text": help_text, "files": files})


@page(methods=("GET", "HEAD", "POST"))
def run_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        run = services.forecast_run_create(
            actor=request.user,
            unit_id=data["unit_id"],
            channel=data["channel"],
            starts_on=data["starts_on"],
            days=data["days"],
            history_days=data["history_days"],
            note=data["note"],
        )
        return f"已生成预测 #{run.id}", reverse("staffing:run", args=[run.id])

    return _form_page(
        request,
        form_class=RunForm,
        title="新建预测与人力需求",
        help_text="按单元下该渠道的全部启用队列预测话务（星期×时段画像、趋势、节假日、大促倍数），并按当前策略计算每个时段的坐席需求。",
        save=save,
    )


@page(methods=("GET", "HEAD", "POST"))
def event_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        event = services.planned_event_create(
            actor=request.user,
            unit_id=data["unit_id"],
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            multiplier=str(data["multiplier"]),
            channel=data["channel"],
            note=data["note"],
        )
        return f"已录入活动：{event.name}", reverse("staffing:index")

    return _form_page(
        request,
        form_class=EventForm,
        title="录入大促活动",
        help_text="活动期间，该单元下队列的预测话务乘以倍数（例如双11 ×3.5）。新建预测时生效。",
        save=save,
    )


@page(methods=("GET", "HEAD", "POST"))
def history_import(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        result = services.contact_history_import_csv(
            actor=request.user, unit_id=data["unit_id"], csv_text=data["csv_text"], filename=data["filename"]
        )
        if result.already_imported:
            return "该文件已导入过，未做任何修改", reverse("staffing:index")
        return f"已导入：新增 {result.created} 行，更正 {result.updated} 行，相同 {result.unchanged} 行", reverse(
            "staffing:index"
        )

    return _form_page(
        request,
        form_class=CsvImportForm,
        title="导入话务历史",
        help_text=(
            "CSV 表头：queue, interval_start, offered, answered, abandoned, aht_seconds[, answered_within]。"
            "时间按北京时间；任何一行有误则整个文件不导入；重复导入同一文件不会改变数据。"
        ),
        save=save,
        files=True,
    )


@page(methods=("GET", "HEAD", "POST"))
def shift_import(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        result = services.shift_import_csv(
            actor=request.user, unit_id=data["unit_id"], csv_text=data["csv_text"], filename=data["filename"]
        )
        return f"已导入排班：新增 {result.created}，更正 {result.updated}，相同 {result.unchanged}", reverse(
            "staffing:index"
        )

    return _form_page(
        request,
        form_class=CsvImportForm,
        title="导入排班（考勤）",
        help_text="CSV 表头：employee_no, queue, starts_at, ends_at。任何一行有误则整个文件不导入。",
        save=save,
        files=True,
    )


@page(methods=("GET", "HEAD", "POST"))
def queue_create(request: HttpRequest) -> HttpResponse:
    def save(data: dict[str, Any]) -> tuple[str, str]:
        queue = services.queue_create(
            actor=request.user,
            unit_id=data["unit_id"],
            code=data["code"],
            name=data["name"],
            channel=data["channel"],
            service_group=data["service_group"],
            customer_tier=data["customer_tier"],
            position_code=data["position_code"],
            interval_minutes=data["interval_minutes"],
        )
        return f"已建立队列：{queue.name}", reverse("staffing:queue", args=[queue.id])

    return _form_page(
        request,
        form_class=QueueForm,
        title="新建队列",
        help_text="一条话务流：渠道、服务组、客户层级，归属一个单元；岗位决定人工成本（策略 staffing.hourly_cost）。",
        save=save,
    )


@page(methods=("GET", "HEAD", "POST"))
def shift_create(request: HttpRequest, queue_id: int) -> HttpResponse:
    """One shift on a queue's page: the person by employee number, within the planner's scope."""
    queue = selectors.queue_get(actor=request.user, queue_id=queue_id)
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee = (
            org_selectors.employee_list(actor=request.user).filter(employee_no=data["employee_no"].strip()).first()
        )
        if employee is None:
            form.add_error("employee_no", f"找不到工号 {data['employee_no']}（或不在你的排班范围内）")
        else:
            try:
                shift = services.shift_create(
                    actor=request.user,
                    employee_id=employee.id,
                    queue_id=queue.id,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                )
            except (Forbidden, NotFound):
                raise
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已排班：{employee.name} {timezone.localtime(shift.starts_at):%m-%d %H:%M}")
                return redirect("staffing:queue", queue_id=queue.id)
    return render(
        request,
        "staffing/form.html",
        {"form": form, "title": f"为 {queue.name} 排班", "help_text": "时间按北京时间；同一员工的班次不能重叠。"},
    )


@page(methods=("POST",))
def run_choose_target(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.forecast_run_get(actor=request.user, run_id=run_id)
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "服务水平目标必须在 1% 到 99% 之间")
        return redirect(reverse("staffing:run", args=[run.id]))
    try:
        services.forecast_run_choose_target(
            actor=request.user,
            run_id=run.id,
            service_level_target=str(form.cleaned_data["service_level_target"]),
            note=form.cleaned_data["note"],
        )
    except (Forbidden, NotFound):
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已按服务水平 {form.cleaned_data['service_level_target']:.1%} 重新计算人力需求")
    return redirect(reverse("staffing:run", args=[run.id]))
