from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.api import api
from kefu.channel import services
from kefu.channel.models import Message
from kefu.core import scopes
from tests.channel.factories import png_bytes
from tests.conftest import World

BASE = "/api/v1/channel"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_send_with_idempotency_key_creates_once(agent: Any, active: Any) -> None:
    client = _client(agent)
    url = f"{BASE}/conversations/{active.id}/messages"
    first = _post(client, url, {"text": "您好，请问有什么可以帮您？"}, key="key-001")
    again = _post(client, url, {"text": "您好，请问有什么可以帮您？"}, key="key-001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    assert Message.objects.filter(conversation=active, client_key="key-001").count() == 1


def test_send_without_idempotency_key_is_refused(agent: Any, active: Any) -> None:
    response = _post(_client(agent), f"{BASE}/conversations/{active.id}/messages", {"text": "你好"})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["message"]


def test_blocked_send_returns_the_policy_text(agent: Any, active: Any) -> None:
    response = _post(
        _client(agent), f"{BASE}/conversations/{active.id}/messages", {"text": "加我微信 abc12345"}, key="k"
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["outcome"], body["delivered"], body["notice"]) == ("block", False, "请通过官方渠道联系")


def test_bad_text_gets_a_clear_400(agent: Any, active: Any) -> None:
    url = f"{BASE}/conversations/{active.id}/messages"
    for text, why in (("  ", "不能为空"), ("好" * 5001, "太长"), ("hi\x07", "控制字符")):
        response = _post(_client(agent), url, {"text": text}, key="k1")
        assert response.status_code == 400 and why in response.json()["message"]


def test_unknown_and_foreign_conversations_are_404(world: World, active: Any) -> None:
    outsider = _client(world.spots["same_team"].user)
    assert outsider.get(f"{BASE}/conversations/{active.id}").status_code == 404
    assert outsider.get(f"{BASE}/conversations/{active.id}/messages").status_code == 404
    assert _post(outsider, f"{BASE}/conversations/{active.id}/messages", {"text": "x"}, key="k").status_code == 404
    assert _post(outsider, f"{BASE}/conversations/987654/messages", {"text": "x"}, key="k").status_code == 404


def test_message_list_pages_by_cursor_without_gaps_or_repeats(agent: Any, active: Any) -> None:
    client = _client(agent)
    for i in range(7):
        services.visitor_message_send(conversation_id=active.id, client_key=f"c{i}", text=f"第{i}条")
    seen: list[int] = []
    cursor = 0
    while True:
        page = client.get(f"{BASE}/conversations/{active.id}/messages", {"after": cursor, "limit": 3}).json()
        seen += [m["seq"] for m in page["items"]]
        if not page["items"]:
            break
        cursor = page["cursor"]
    active.refresh_from_db()
    assert seen == list(range(1, active.last_seq + 1))


def test_html_is_returned_as_plain_data(agent: Any, active: Any) -> None:
    services.visitor_message_send(conversation_id=active.id, client_key="x", text="<img src=x onerror=alert(1)>")
    page = _client(agent).get(f"{BASE}/conversations/{active.id}/messages").json()
    assert page["items"][-1]["text"] == "<img src=x onerror=alert(1)>"


def test_image_upload_and_disguised_file(agent: Any, active: Any) -> None:
    client = _client(agent)
    url = f"{BASE}/conversations/{active.id}/attachments"
    good = client.post(
        url, {"file": SimpleUploadedFile("图.png", png_bytes(), "image/png")}, headers={"Idempotency-Key": "up1"}
    )
    assert good.status_code == 201, good.content
    attachment = good.json()["message"]["attachment"]
    assert attachment["content_type"] == "image/png" and len(attachment["sha256"]) == 64
    image = client.get(attachment["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    fake = client.post(
        url,
        {"file": SimpleUploadedFile("cat.png", b"<svg onload=alert(1)>", "image/png")},
        headers={"Idempotency-Key": "up2"},
    )
    assert fake.status_code == 400 and "不支持的文件类型" in fake.json()["message"]


def test_presence_and_queue(world: World, agent: Any, start: Any) -> None:
    client = _client(agent)
    start(phone="13600000001")
    lead = _client(world.users[scopes.TEAM_LEAD])
    queue = {q["name"]: q for q in lead.get(f"{BASE}/queue").json()}
    assert queue["华东售后"]["queued"] == 1, queue
    assert "越界服务组-same_branch" not in queue  # another team's queue is not the lead's
    response = client.put(f"{BASE}/presence", data=json.dumps({"status": "online"}), content_type="application/json")
    assert response.json() == {"status": "online", "max_chats": None, "capacity": 5, "active_chats": 1}
    assert {q["name"]: q["queued"] for q in lead.get(f"{BASE}/queue").json()}["华东售后"] == 0


def test_close_and_transfer_through_the_api(world: World, agent: Any, active: Any) -> None:
    lead = _client(world.users[scopes.TEAM_LEAD])
    moved = _post(
        lead,
        f"{BASE}/conversations/{active.id}/transfer",
        {"to_employee_id": world.spots["same_team"].employee.id, "reason": "改派"},
    )
    assert moved.status_code == 200 and moved.json()["agent_id"] == world.spots["same_team"].employee.id
    assert _post(_client(agent), f"{BASE}/conversations/{active.id}/close", {}).status_code == 404
    closed = _post(lead, f"{BASE}/conversations/{active.id}/close", {})
    assert closed.json()["status"] == "closed"


def test_payment_api_flags_private_account(world: World, make_customer: Any) -> None:
    customer = make_customer("赵先生")
    finance = _client(world.users[scopes.FINANCE])
    response = _post(
        finance,
        f"{BASE}/payments",
        {"customer_id": customer.id, "amount": "66.60", "receiving_account": "张三私人微信", "method": "wechat"},
    )
    assert response.status_code == 201 and response.json()["is_anomaly"] is True
    listed = finance.get(f"{BASE}/payments", {"anomaly": True}).json()
    accounts = {p["receiving_account"] for p in listed["items"]}
    assert "张三私人微信" in accounts and "私人账户-other_branch" not in accounts
    assert all(p["is_anomaly"] for p in listed["items"])


def test_no_route_edits_or_deletes_messages_or_payments() -> None:
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if path.startswith(BASE):
            assert not {"put", "patch", "delete"} & set(operations) or path == f"{BASE}/presence", path


def test_channel_routes_are_in_the_openapi_document() -> None:
    paths = set(api.get_openapi_schema()["paths"])
    for expected in (
        "/customers",
        "/orders",
        "/payments",
        "/conversations",
        "/conversations/{conversation_id}/messages",
    ):
        assert BASE + expected in paths
