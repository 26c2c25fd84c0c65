"""Plotly figures rendered as HTML fragments; the plotly JS itself is served by our own view (no CDN)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

import plotly.graph_objects as go
import plotly.offline

from kefu.performance.models import Indicator

_LAYOUT = {"margin": {"l": 40, "r": 10, "t": 30, "b": 40}, "height": 300, "font": {"family": "system-ui, sans-serif"}}


@lru_cache(maxsize=1)
def plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def _html(fig: go.Figure) -> str:
    fig.update_layout(**_LAYOUT)
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False}))


def daily_points(rows: Sequence[tuple[dt.date, str, Decimal]], *, title: str) -> str:
    labels = dict(Indicator.choices)
    fig = go.Figure()
    for indicator in Indicator.values:
        days = [r[0] for r in rows if r[1] == indicator]
        if days:
            fig.add_bar(x=days, y=[float(r[2]) for r in rows if r[1] == indicator], name=str(labels[indicator]))
    fig.update_layout(barmode="stack", title=title)
    return _html(fig)


def ranking(names: Sequence[str], values: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=[float(v) for v in values], y=list(names), orientation="h"))
    fig.update_layout(title=title, yaxis={"autorange": "reversed"}, height=max(300, 24 * len(names) + 80))
    return _html(fig)


def attainment(names: Sequence[str], percents: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=list(names), y=[float(p) for p in percents]))
    fig.add_hline(y=100, line_dash="dash")
    fig.update_layout(title=title, yaxis={"ticksuffix": "%"})
    return _html(fig)


def histogram(before: Sequence[Decimal], after: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure()
    fig.add_histogram(x=[float(v) for v in before], name="加权得分", opacity=0.6)
    fig.add_histogram(x=[float(v) for v in after], name="校准后", opacity=0.6)
    fig.update_layout(barmode="overlay", title=title)
    return _html(fig)


def effect(names: Sequence[str], changes: Sequence[Decimal], *, title: str) -> str:
    fig = go.Figure(go.Bar(x=list(names), y=[float(c) for c in changes]))
    fig.update_layout(title=title, yaxis={"ticksuffix": "%"})
    return _html(fig)
