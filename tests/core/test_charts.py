"""Plotly for every chart page: one copy of the library served by core, one URL every page loads."""

from __future__ import annotations

import plotly
import plotly.graph_objects as go
import pytest
from django.test import Client

from kefu.core import scopes
from kefu.core.charts import figure_html
from tests.conftest import World

SCRIPT = f'<script src="/plotly.js?v={plotly.__version__}"></script>'


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_plotly_js_is_served_from_the_package_with_an_etag_and_long_caching(world: World) -> None:
    client = _client(world, scopes.AGENT)
    response = client.get("/plotly.js", {"v": plotly.__version__})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert response["ETag"] == f'"plotly-{plotly.__version__}"'
    assert b"plotly" in response.content[:2000].lower() and len(response.content) > 1_000_000

    cached = client.get("/plotly.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304 and cached.content == b""
    # Another plotly (an old ETag) gets the new library, not a 304.
    assert client.get("/plotly.js", HTTP_IF_NONE_MATCH='"plotly-0.0.0"').status_code == 200


def test_plotly_js_is_for_every_signed_in_role_and_nobody_else(world: World) -> None:
    for role in world.users:
        assert _client(world, role).get("/plotly.js").status_code == 200, role
    anonymous = Client().get("/plotly.js")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert _client(world, scopes.AGENT).post("/plotly.js").status_code == 405


def test_the_apps_no_longer_serve_their_own_copy(world: World) -> None:
    client = _client(world, scopes.HQ_ADMIN)
    for app in ("staffing", "compliance", "complaints", "performance"):
        assert client.get(f"/{app}/plotly.js").status_code == 404, app


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (scopes.BRANCH_HR, "/compliance/analytics/"),
        (scopes.TEAM_LEAD, "/complaints/prevention/"),
        (scopes.TEAM_LEAD, "/performance/team/"),
        (scopes.AGENT, "/performance/"),
    ],
)
def test_chart_pages_load_the_one_library_url(world: World, role: str, url: str) -> None:
    body = _client(world, role).get(url, follow=True).content.decode()
    assert body.count(SCRIPT) == 1
    assert "cdn.plot.ly" not in body and "cdn.jsdelivr" not in body


def test_figure_html_is_a_div_without_the_library() -> None:
    figure = go.Figure()
    figure.add_bar(x=["</script><script>alert(1)</script>"], y=[1])
    html = figure_html(figure)
    assert html.startswith("<div") and "Plotly.newPlot" in html
    assert '"displaylogo": false' in html and len(html) < 100_000  # no inlined library
    assert "<script>alert(1)" not in html  # the embedded JSON cannot close the <script> around it
    assert '"displayModeBar": false' in figure_html(go.Figure(), mode_bar=False)
