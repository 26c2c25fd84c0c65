"""Plotly figures for the planner pages, rendered as <div>s by core.charts.

User text (queue and event names) is HTML-escaped before it reaches a figure (see core.charts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go
from django.utils import timezone

from kefu.core.charts import FONT, figure_html
from kefu.staffing import planning

RED, BLUE, GREEN, ORANGE, GREY = "#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#9aa5b1"


def _local(moments: Sequence[dt.datetime]) -> list[str]:
    return [timezone.localtime(m).strftime("%Y-%m-%d %H:%M") for m in moments]


def _html(figure: go.Figure, *, title: str, height: int = 360) -> str:
    figure.update_layout(
        title={"text": escape(title), "x": 0.01, "font": {"size": 15}},
        height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "y": -0.18},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        hovermode="x unified",
    )
    figure.update_xaxes(gridcolor="#eef2f6")
    figure.update_yaxes(gridcolor="#eef2f6")
    return figure_html(figure)


def forecast_vs_actual(accuracy: planning.Accuracy) -> str:
    x = _local([p.start for p in accuracy.points])
    figure = go.Figure()
    figure.add_scatter(x=x, y=[p.forecast for p in accuracy.points], name="预测", line={"color": BLUE})
    figure.add_scatter(x=x, y=[p.actual for p in accuracy.points], name="实际", line={"color": RED}, connectgaps=False)
    scores = []
    if accuracy.mape is not None:
        scores.append(f"MAPE {accuracy.mape:.1%}")
    if accuracy.wape is not None:
        scores.append(f"WAPE {accuracy.wape:.1%}")
    suffix = "（" + "，".join(scores) + f"，{accuracy.compared} 个时段）" if scores else "（尚无实际话务可比）"
    figure.update_yaxes(title_text="话务量 / 时段")
    return _html(figure, title="预测与实际话务" + suffix)


def required_vs_rostered(cover: planning.Coverage, totals: list[planning.IntervalTotal]) -> str:
    x = _local([p.start for p in cover.points])
    figure = go.Figure()
    figure.add_bar(
        x=x,
        y=[p.gap for p in cover.points],
        name="缺口(-) / 富余(+)",
        marker_color=[RED if p.gap < 0 else GREEN for p in cover.points],
        opacity=0.55,
    )
    figure.add_scatter(x=x, y=[p.required for p in cover.points], name="需排班人数（含损耗）", line={"color": BLUE})
    figure.add_scatter(
        x=x, y=[p.rostered for p in cover.points], name="已排班人数", line={"color": ORANGE, "shape": "hv"}
    )
    figure.add_scatter(
        x=_local([t.start for t in totals]),
        y=[t.agents for t in totals],
        name="在线坐席需求（不含损耗）",
        line={"color": GREY, "dash": "dot"},
    )
    figure.update_yaxes(title_text="人数")
    title = (
        f"需求与排班覆盖：缺员 {cover.short_intervals} 个时段，"
        f"缺 {cover.short_head_hours} 人时，富余 {cover.over_head_hours} 人时"
    )
    return _html(figure, title=title, height=400)


def cost_curve(curve: planning.CostCurve) -> str:
    points = curve.points
    figure = go.Figure()
    costs = [float(p.labour_cost) for p in points]
    hover = [
        f"{p.agents} 坐席 / 排班 {p.scheduled} 人<br>成本 ¥{p.labour_cost}<br>服务水平 {p.service_level:.1%}"
        + (f"<br>ASA {p.asa_seconds:.0f} 秒" if p.asa_seconds is not None else "<br>ASA 无穷（排队无法消化）")
        + (f"<br>放弃率 {p.abandon_rate:.1%}" if p.abandon_rate is not None else "")
        + f"<br>占用率 {p.occupancy:.0%}"
        for p in points
    ]
    figure.add_scatter(
        x=costs,
        y=[p.service_level for p in points],
        mode="lines+markers",
        name="服务水平",
        text=hover,
        hoverinfo="text",
        line={"color": BLUE},
    )
    if any(p.abandon_rate is not None for p in points):
        figure.add_scatter(
            x=costs, y=[p.abandon_rate for p in points], mode="lines", name="放弃率", line={"color": RED, "dash": "dot"}
        )
    figure.add_scatter(
        x=costs, y=[p.occupancy for p in points], mode="lines", name="占用率", line={"color": GREY, "dash": "dash"}
    )
    chosen = next((p for p in points if p.agents == curve.row.agents), None)
    if chosen is not None:
        figure.add_scatter(
            x=[float(chosen.labour_cost)],
            y=[chosen.service_level],
            mode="markers",
            name="当前方案",
            marker={"size": 14, "color": RED, "symbol": "star"},
        )
    figure.update_xaxes(title_text="本时段人工成本（元）")
    figure.update_yaxes(title_text="比例", tickformat=".0%", range=[0, 1.02])
    when = timezone.localtime(curve.row.interval_start).strftime("%m-%d %H:%M")
    model = planning.MODEL_LABELS[curve.model]
    title = f"服务水平与成本（{curve.queue.name} {when}，{curve.row.contacts:.0f} 通，{model}）"
    return _html(figure, title=title, height=400)


def tier_levels(report: planning.TierReport, *, target: float) -> str:
    figure = go.Figure()
    labels = [f"{escape(line.label)}<br>{planning.MODEL_LABELS[line.model]}" for line in report.lines]
    colors = [RED if line.tier == "ka" else ORANGE if line.tier == "vip" else BLUE for line in report.lines]
    figure.add_bar(
        x=labels,
        y=[line.service_level or 0 for line in report.lines],
        marker_color=colors,
        text=[f"{line.service_level:.1%}" if line.service_level is not None else "—" for line in report.lines],
        textposition="outside",
        name="服务水平",
    )
    figure.add_hline(y=target, line_dash="dash", line_color=GREEN, annotation_text=f"目标 {target:.0%}")
    figure.update_yaxes(tickformat=".0%", range=[0, 1.1])
    when = timezone.localtime(report.start).strftime("%m-%d %H:%M")
    return _html(figure, title=f"KA 优先时各层级服务水平（{when}，共用 {report.agents} 坐席）", height=360)


def peak_plan(plan: planning.PeakPlan) -> str:
    x = _local([p.start for p in plan.points])
    figure = go.Figure()
    figure.add_bar(x=x, y=[p.baseline for p in plan.points], name="平日需排班", marker_color=GREY)
    figure.add_bar(x=x, y=[p.extra for p in plan.points], name="大促增员", marker_color=RED)
    figure.add_scatter(
        x=x,
        y=[float(p.extra_cost) for p in plan.points],
        name="增员成本（元）",
        yaxis="y2",
        line={"color": ORANGE},
    )
    figure.update_layout(
        barmode="stack",
        yaxis={"title": {"text": "人数"}},
        yaxis2={"title": {"text": "元"}, "overlaying": "y", "side": "right", "showgrid": False},
    )
    title = (
        f"大促增员计划：峰值 {plan.peak_needed} 人（增 {plan.peak_extra} 人），"
        f"增员 {plan.extra_head_hours} 人时，¥{plan.extra_cost}"
    )
    return _html(figure, title=title, height=400)


def daily_history(days: list[dt.date], offered: list[int], answered: list[int], aht: list[float]) -> str:
    figure = go.Figure()
    figure.add_bar(x=days, y=offered, name="呼入", marker_color=BLUE, opacity=0.6)
    figure.add_scatter(x=days, y=answered, name="接通", line={"color": GREEN})
    figure.add_scatter(x=days, y=aht, name="平均处理时长（秒）", yaxis="y2", line={"color": ORANGE, "dash": "dot"})
    figure.update_layout(
        yaxis={"title": {"text": "话务量 / 天"}},
        yaxis2={"title": {"text": "秒"}, "overlaying": "y", "side": "right", "showgrid": False},
    )
    return _html(figure, title="每日话务（近 8 周）")
