"""Pages: inbox with SLA badges, complaint page with its next actions via htmx, conflicts as 409, the
one-click raise from a chat, the agent's file, prevention, and the public form and status page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from kefu.complaints import services
from kefu.complaints.models import Complaint, Status
from kefu.core import scopes


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_shows_overdue_badge_and_filters(world: Any, raised: Any, officer: Any) -> None:
    Complaint.objects.filter(id=raised.id).update(due_at=timezone.now() - dt.timedelta(hours=2))
    body = _client(officer).get("/complaints/?sla=overdue").content.decode()
    assert raised.number in body and "sla-overdue" in body
    assert raised.number not in _client(officer).get("/complaints/?status=closed").content.decode()


def test_one_click_raise_from_the_chat(world: Any, chat: Any) -> None:
    conversation, order = chat
    agent = _client(world.users[scopes.AGENT])
    form = agent.get(f"/complaints/new/?conversation={conversation.id}")
    assert form.status_code == 200 and "王女士" in form.content.decode()
    response = agent.post(
        "/complaints/new/", {"conversation": conversation.id, "content": "杯盖开裂", "amount_at_stake": "129"}
    )
    complaint = Complaint.objects.get(conversation=conversation)
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.id}/"
    assert complaint.order_id == order.id and complaint.conversation_id == conversation.id


def test_bad_amount_on_the_intake_form_is_explained(world: Any, chat: Any) -> None:
    conversation, _ = chat
    response = _client(world.users[scopes.AGENT]).post(
        "/complaints/new/", {"conversation": conversation.id, "content": "x", "amount_at_stake": "十块"}
    )
    assert response.status_code == 400 and "涉及金额不是有效金额" in response.content.decode()
    assert not Complaint.objects.filter(conversation=conversation).exists()


def test_complaint_page_offers_only_the_next_allowed_actions(world: Any, raised: Any, officer: Any) -> None:
    body = _client(officer).get(f"/complaints/{raised.id}/").content.decode()
    assert 'data-action="classify"' in body and 'data-action="reject"' in body
    assert 'data-action="close"' not in body
    agent_body = _client(world.users[scopes.AGENT]).get(f"/complaints/{raised.id}/").content.decode()
    assert "data-action=" not in agent_body and "保温杯收到时杯盖开裂" in agent_body


def test_htmx_action_returns_the_panel_and_a_stale_form_gets_409(world: Any, raised: Any, officer: Any) -> None:
    client = _client(officer)
    data = {
        "action": "classify",
        "version": raised.version,
        "category": "服务",
        "founded": "true",
        "reasonable": "true",
    }
    first = client.post(f"/complaints/{raised.id}/act/", data, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "已定性" in first.content.decode()
    stale = client.post(
        f"/complaints/{raised.id}/act/",
        {"action": "reject", "version": raised.version, "category": "服务", "rejection_reason": "重复"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and "请刷新后再试" in stale.content.decode()
    raised.refresh_from_db()
    assert raised.status == Status.CLASSIFIED


def test_refusal_on_the_page_names_what_is_missing(world: Any, raised: Any, officer: Any) -> None:
    response = _client(officer).post(
        f"/complaints/{raised.id}/act/", {"action": "close", "version": raised.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "还缺 定性判定" in response.content.decode()


def test_agent_file_shows_complaints_and_penalties(world: Any, raised: Any, walk: Any) -> None:
    walk(raised, "classify", "assign", "investigate", "propose", "notify", "satisfied", "assess")
    lead = _client(world.users[scopes.TEAM_LEAD])
    body = lead.get(f"/complaints/agents/{world.me.id}/").content.decode()
    assert raised.number in body and "5%" in body
    other = world.spots["same_branch"].employee
    assert lead.get(f"/complaints/agents/{other.id}/").status_code == 404


def test_prevention_shows_recurring_categories_with_a_local_chart(world: Any, chat: Any, officer: Any) -> None:
    conversation, _ = chat
    for text in ("杯盖开裂", "杯身漏水"):
        c = services.complaint_from_conversation(
            actor=world.users[scopes.AGENT], conversation_id=conversation.id, content=text
        )
        services.complaint_act(
            actor=officer,
            complaint_id=c.id,
            action="classify",
            expected_version=c.version,
            data={"category": "商品质量", "founded": "true", "reasonable": "true"},
        )
    body = _client(world.users[scopes.TEAM_LEAD]).get("/complaints/prevention/").content.decode()
    assert "保温杯" in body and "本人客服" in body and 'src="/plotly.js?v=' in body and "cdn" not in body.lower()


def test_public_form_then_status_page_by_token(world: Any) -> None:
    anonymous = Client()
    assert anonymous.get("/complaints/public/").status_code == 200
    response = anonymous.post(
        "/complaints/public/",
        {
            "branch_id": world.branch_a.id,
            "name": "孙女士",
            "phone": "13812345678",
            "content": "快递丢件",
            "amount_at_stake": "66",
        },
    )
    complaint = Complaint.objects.get(source="web")
    assert response.status_code == 302 and response["Location"] == f"/complaints/public/{complaint.public_token}/"
    page = anonymous.get(response["Location"]).content.decode()
    assert complaint.number in page and "快递丢件" in page


def test_one_token_never_shows_another_complaint(world: Any) -> None:
    first = services.complaint_submit_public(
        branch_id=world.branch_a.id, name="甲", phone="13800000011", content="甲的投诉内容"
    )
    second = services.complaint_submit_public(
        branch_id=world.branch_b.id, name="乙", phone="13800000012", content="乙的投诉内容"
    )
    anonymous = Client()
    page = anonymous.get(f"/complaints/public/{first.public_token}/").content.decode()
    assert "甲的投诉内容" in page and "乙的投诉内容" not in page and second.number not in page
    for guess in (str(second.id), second.number, first.public_token[:-1], "", "x" * 32):
        response = anonymous.get(f"/complaints/public/{guess}/")
        assert response.status_code == 404 or "乙的投诉内容" not in response.content.decode()
    # Feedback through one token cannot touch the other complaint.
    anonymous.post(f"/complaints/public/{first.public_token}/", {"satisfied": "1", "version": second.version})
    second.refresh_from_db()
    assert second.status == Status.RECORDED and second.version == 1


def test_customer_gives_feedback_on_the_status_page(world: Any, raised: Any, walk: Any) -> None:
    complaint = walk(raised, "classify", "assign", "investigate", "propose", "notify")
    anonymous = Client()
    page = anonymous.get(f"/complaints/public/{complaint.public_token}/").content.decode()
    assert "已为您补发新杯" in page and "仓库包装不当" not in page  # internal findings stay internal
    response = anonymous.post(
        f"/complaints/public/{complaint.public_token}/",
        {"satisfied": "0", "feedback": "还是漏", "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.ASSIGNED and complaint.reopen_count == 1


def test_public_form_is_throttled(world: Any) -> None:
    anonymous = Client()
    data = {"branch_id": world.branch_a.id, "name": "刷单", "phone": "13800000099", "content": "重复"}
    for _ in range(5):
        assert anonymous.post("/complaints/public/", data).status_code == 302
    assert anonymous.post("/complaints/public/", data).status_code == 400
    assert Complaint.objects.filter(source="web").count() == 5


def test_api_walk_and_conflict(world: Any, raised: Any, officer: Any) -> None:
    client = _client(officer)
    body = {
        "action": "classify",
        "expected_version": 1,
        "data": {"category": "服务", "founded": True, "reasonable": True},
    }
    ok = client.post(f"/api/v1/complaints/complaints/{raised.id}/act", body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "classified"
    again = client.post(f"/api/v1/complaints/complaints/{raised.id}/act", body, content_type="application/json")
    assert again.status_code == 409 and "请刷新" in again.json()["message"]
    detail = client.get(f"/api/v1/complaints/complaints/{raised.id}").json()
    assert detail["allowed_actions"] == ["reject", "assign"] and len(detail["timeline"]) == 2
