"""Plotly figures for the prevention page, rendered as <div>s by core.charts (categories escaped, see there)."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from kefu.core.charts import FONT, figure_html

COLOURS = ["#c62828", "#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#9aa5b1"]


def monthly_categories(rows: list[tuple[str, str, int]]) -> str:
    """Stacked bars: complaints per month by category (rows: month "2026-09", category, count)."""
    months = sorted({m for m, _, _ in rows})
    categories = sorted({c for _, c, _ in rows})
    counts = {(m, c): n for m, c, n in rows}
    figure = go.Figure()
    for i, category in enumerate(categories):
        figure.add_bar(
            name=escape(category),
            x=months,
            y=[counts.get((m, category), 0) for m in months],
            marker_color=COLOURS[i % len(COLOURS)],
        )
    figure.update_layout(
        barmode="stack",
        title={"text": "每月投诉类别", "x": 0.01, "font": {"size": 15}},
        height=340,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        font={"family": FONT, "size": 12},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
    )
    return figure_html(figure)
