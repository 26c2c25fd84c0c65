"""Plotly figures rendered as HTML fragments by core.charts (which also serves the library, no CDN).

Names (employees, KPI nodes) and titles (contest names) are user text: escaped before they reach a
figure, because plotly renders a subset of HTML in labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from html import escape

import plotly.graph_objects as go

from kefu.core.charts import FONT, figure_html
from kefu.performance.models import Indicator

_LAYOUT = {"margin": {"l": 40, "r": 10, "t": 30, "b": 40}, "font": {"family": FONT}}


def _html(fig: go.Figure, *, title: str, height: int = 300) -> str:
    fig.update_layout(**_LAYOUT, title=escape(title), height=height)
    return figure_html(fig, mode_bar=False)


def daily_points(rows: Sequence[tuple[dt.date, str, Decimal]], *, title: str) -> str:
    labels = dict(Indicator.choices)
    fig = go.Figure()
    for indicator in Indicator.values:
        days = [r[0] for r in rows if r[1] == indicator]
        if days:
            fig.add_bar(x=days, y=[float(r[2]) for r in rows if r[1] == indicator], name=str(labels[indicator]))
    fig.update_layout(barmode="stack")
    return _html(fig, title=title)


def ranking(names: Sequence[str], values: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=[float(v) for v in values], y=[escape(n) for n in names], orientation="h"))
    fig.update_layout(yaxis={"autorange": "reversed"})
    return _html(fig, title=title, height=max(300, 24 * len(names) + 80))  # one readable row per name


def attainment(names: Sequence[str], percents: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=[escape(n) for n in names], y=[float(p) for p in percents]))
    fig.add_hline(y=100, line_dash="dash")
    fig.update_layout(yaxis={"ticksuffix": "%"})
    return _html(fig, title=title)


def histogram(before: Sequence[Decimal], after: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure()
    fig.add_histogram(x=[float(v) for v in before], name="加权得分", opacity=0.6)
    fig.add_histogram(x=[float(v) for v in after], name="校准后", opacity=0.6)
    fig.update_layout(barmode="overlay")
    return _html(fig, title=title)


def effect(names: Sequence[str], changes: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=[escape(n) for n in names], y=[float(c) for c in changes]))
    fig.update_layout(yaxis={"ticksuffix": "%"})
    return _html(fig, title=title)
