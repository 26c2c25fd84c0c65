"""The pages a person looks at: cases with highlighted evidence and workflow buttons, own score, the alert
in the (core) notification centre, finance entry and import, analytics with local plotly."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.compliance.models import CaseStatus, FinanceRecord, ViolationCase
from kefu.core import scopes
from kefu.core.models import Notification


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_case_page_highlights_the_span_and_lets_qa_review(world, active, send, qa) -> None:
    message = send(active, "您好，加我薇信 lily_2024 详聊").message
    case = ViolationCase.objects.get(events__message=message)
    client = _client(qa)

    page = client.get(f"/compliance/cases/{case.id}/").content.decode()
    assert '<mark class="hit"' in page and "lily_2024</mark>" in page
    assert "开始审核" in page

    response = client.post(f"/compliance/cases/{case.id}/act/", {"action": "start_review", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_REVIEW
    page = client.post(f"/compliance/cases/{case.id}/act/", {"action": "confirm", "note": ""}, follow=True)
    assert "需要填写意见" in page.content.decode()


def test_agent_sees_own_score_and_the_cases_behind_it(world, active, send, agent, qa) -> None:
    message = send(active, "加我QQ 12345678").message
    case = ViolationCase.objects.get(events__message=message)
    client = _client(agent)

    response = client.get("/compliance/scores/")
    assert response.status_code == 302 and f"/compliance/scores/{world.me.id}/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "100" in page
    assert "申诉" not in page  # nothing to appeal yet
    assert client.get(f"/compliance/scores/{world.spots['same_team'].employee.id}/").status_code == 404


def test_warn_alert_reaches_the_notification_centre_and_opens_the_case(world, active, send, hr) -> None:
    send(active, "尾款私下转我就行")
    client = _client(hr)
    unread = Notification.objects.filter(recipient=hr, read_at__isnull=True).count()
    assert unread >= 1

    assert f'<span class="count" title="未读">{unread}</span>' in client.get("/compliance/").content.decode()
    notification = Notification.objects.get(recipient=hr, app="compliance", title__contains=world.me.name)
    page = client.get("/notifications/").content.decode()
    assert notification.title in page and "合规监控" in page
    response = client.post(f"/notifications/{notification.id}/read/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == notification.url
    assert response["Location"].startswith("/compliance/cases/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert _client(world.users[scopes.QA]).post(f"/notifications/{notification.id}/read/").status_code == 404


def test_finance_page_records_and_imports(world, active) -> None:
    client = _client(world.users[scopes.FINANCE])
    assert "登记并立案" in client.get("/compliance/finance/").content.decode()

    client.post(
        "/compliance/finance/",
        {"unit_id": world.branch_a.id, "kind": "private_receipt", "amount": "66", "account": "越界测试卡",
         "payer_phone": "13800000001", "occurred_at": "2026-01-05 10:00"},
    )  # fmt: skip
    assert FinanceRecord.objects.filter(account="越界测试卡", customer=active.customer).exists()
    upload = SimpleUploadedFile("f.csv", "类型,金额,收款账户,发生时间\n私人账户收款,10,卡A,2026-01-05\n".encode())
    client.post("/compliance/finance/import/", {"unit_id": world.branch_a.id, "file": upload})
    assert FinanceRecord.objects.filter(account="卡A").exists()


def test_analytics_draws_heatmap_with_local_plotly(world, active, send) -> None:
    send(active, "加我微信 abc12345")
    client = _client(world.users[scopes.BRANCH_HR])

    page = client.get("/compliance/analytics/").content.decode()
    assert 'src="/plotly.js?v=' in page and "cdn" not in page.lower()  # served by core (tests/core)
    assert "Plotly.newPlot" in page and '"type":"heatmap"' in page


def test_every_list_page_renders_for_every_role(world, active, send) -> None:
    send(active, "加我微信 abc12345")
    pages = ["/compliance/", "/compliance/scores/", "/notifications/", "/compliance/finance/",
             "/compliance/positive/", "/compliance/honours/", "/compliance/analytics/"]  # fmt: skip
    for role, user in world.users.items():
        client = _client(user)
        for url in pages:
            response = client.get(url, follow=True)
            assert response.status_code in (200, 403), f"{role} {url}: {response.status_code}"
