"""Plotly for every chart page: figures are rendered as <div>s without the library, and the library
itself is served once from the installed package (no CDN) by ``core.views.plotly_js``; pages load it
with ``{% include "core/_plotly.html" %}``.

User text (queue, event, team and category names) must be HTML-escaped before it reaches a figure:
plotly renders a subset of HTML in labels, and the JSON it embeds must not be able to close the
<script> around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly

if TYPE_CHECKING:
    import plotly.graph_objects as go

# Part of the library's URL (?v=) and its ETag: a new plotly gets a new URL, so it may be cached for long.
PLOTLY_VERSION: str = plotly.__version__

FONT = "system-ui, PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif"


def figure_html(figure: go.Figure, *, mode_bar: bool = True) -> str:
    """The figure as a <div> and the script that draws it; the page loads the library itself."""
    config = {"displaylogo": False} if mode_bar else {"displayModeBar": False}
    return str(figure.to_html(full_html=False, include_plotlyjs=False, config=config))
