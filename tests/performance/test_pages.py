"""Pages people look at: my points, team board, coefficients with their effect; plotly served locally (by core)."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from kefu.performance.services import coefficients
from tests.conftest import World
from tests.performance.factories import department_types, work


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_agent_page_shows_own_points_chart_and_no_colleagues(world: World) -> None:
    department_types(world.team_a1.parent)
    today = timezone.localdate()
    work(world.me, "complaint", today, hour=0)
    body = _client(world, "agent").get("/performance/").content.decode()
    assert "我的绩效" in body and "3.000" in body
    assert 'src="/plotly.js?v=' in body and "cdn" not in body.lower()
    assert "越界同组客服" not in body


def test_team_board_lists_the_team_with_points(world: World) -> None:
    department_types(world.team_a1.parent)
    work(world.spots["same_team"].employee, "inquiry", timezone.localdate(), hour=0)
    body = _client(world, "team_lead").get("/performance/team/").content.decode()
    assert "越界同组客服" in body and "1.000" in body


def test_version_page_shows_old_new_and_effect_and_hq_approves(world: World) -> None:
    department_types(world.team_a1.parent)
    for i in range(3):
        work(world.me, "complaint", dt.date(2026, 1, 5 + i), handle=180, acw=60)
    version = coefficients.recalibration_propose(
        actor=world.users["hq_admin"], department_id=world.team_a1.parent.id, today=dt.date(2026, 2, 10)
    )
    body = _client(world, "branch_hr").get(f"/performance/coefficients/{version.id}/").content.decode()
    assert "本人客服" in body and "集团审批" in body
    response = _client(world, "hq_admin").post(f"/performance/coefficients/{version.id}/", {"action": "approve"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "approved"
