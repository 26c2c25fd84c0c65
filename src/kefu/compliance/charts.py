"""Plotly figures for the analytics page, rendered as <div>s by core.charts (team names escaped, see there)."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from kefu.compliance.selectors import GroupRisk
from kefu.core.charts import FONT, figure_html


def _layout(figure: go.Figure, title: str, height: int) -> str:
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        font={"family": FONT, "size": 12},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
    )
    return figure_html(figure)


def heatmap(grid: list[list[int]], weekdays: list[str]) -> str:
    """Events by weekday × hour: where the risk concentrates (seed 001: weekend evenings)."""
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=[f"{h:02d}:00" for h in range(24)],
            y=weekdays,
            colorscale="Reds",
            hovertemplate="%{y} %{x}<br>事件 %{z}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed")
    return _layout(figure, "高风险时段（违规事件：星期 × 小时）", 340)


def groups(rows: list[GroupRisk]) -> str:
    """Events and confirmed cases per team (label carries the branch)."""
    top = rows[:20]
    labels = [escape(f"{r.branch} · {r.name}") for r in top]
    figure = go.Figure()
    figure.add_bar(name="客服发起事件", x=labels, y=[r.agent_events for r in top], marker_color="#ef6c00")
    figure.add_bar(name="客户发起事件", x=labels, y=[r.events - r.agent_events for r in top], marker_color="#9aa5b1")
    figure.add_bar(name="确认违规", x=labels, y=[r.confirmed for r in top], marker_color="#c62828")
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.3})
    return _layout(figure, "各组风险", 380)
