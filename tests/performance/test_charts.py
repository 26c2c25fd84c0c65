"""Charts take user text (employee and KPI names, contest titles): plotly must get it escaped."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from kefu.performance import charts

HOSTILE = "<img src=x onerror=alert(1)>"


def _layout(html: str) -> dict[str, object]:
    # Plotly.newPlot(id, data, layout, config): the layout is the third argument
    found = re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{", html, re.S)
    assert found, "no plotly call in the fragment"
    return {"data": json.loads(found.group(1)), "layout": json.loads(found.group(2))}


def test_names_and_titles_reach_plotly_escaped() -> None:
    for html in (
        charts.ranking([HOSTILE, "王五"], [Decimal(3), Decimal(2)], title=HOSTILE),
        charts.attainment([HOSTILE], [Decimal(90)], title=HOSTILE),
        charts.effect([HOSTILE], [Decimal("1.5")], title=HOSTILE),
    ):
        assert "<img" not in html
        figure = _layout(html)
        labels = json.dumps(figure, ensure_ascii=False)
        assert "&lt;img src=x onerror=alert(1)&gt;" in labels


def test_a_long_ranking_gets_a_row_per_name() -> None:
    names = [f"客服{i}" for i in range(30)]
    figure = _layout(charts.ranking(names, [Decimal(i) for i in range(30)], title="积分排名"))
    assert figure["layout"]["height"] == 24 * 30 + 80  # type: ignore[index]
