"""The one notification centre: every app writes through core.services.notify; a person sees and marks
only their own notices, on one page with one unread badge in the navigation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import IntegrityError, transaction
from django.test import Client

from kefu.api import api
from kefu.core import scopes, selectors, services
from kefu.core.errors import NotFound
from kefu.core.models import AuditEntry, Notification
from kefu.org.models import UnitKind
from tests.factories import OrgUnitFactory, make_user

BADGE = '<span class="count" title="未读">{}</span>'


@pytest.fixture
def zhou(db: Any) -> Any:
    user = make_user("zhou")
    user.email = "zhou@example.com"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def wu(db: Any) -> Any:
    return make_user("wu")  # no e-mail address


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tell(*people: Any, title: str = "投诉 C001 分派给你处理", **extra: Any) -> list[Notification]:
    return services.notify(recipients=people, kind="assigned", title=title, app="complaints", **extra)


# --- writing: idempotent keys, e-mail after commit ----------------------------------------------------


def test_a_key_tells_each_person_once(zhou: Any, wu: Any) -> None:
    assert len(_tell(zhou, key="sla:1:assigned:remind", email=False)) == 1
    # The sweep runs again, now with a second owner: only the one not yet told hears about it.
    again = _tell(zhou, wu, key="sla:1:assigned:remind", email=False)
    assert [n.recipient_id for n in again] == [wu.id]
    assert Notification.objects.filter(key="sla:1:assigned:remind").count() == 2
    # Without a key every call tells; the same person listed twice is told once.
    _tell(zhou, zhou, email=False)
    _tell(zhou, None, email=False)
    assert Notification.objects.filter(recipient=zhou, key="").count() == 2


def test_the_database_refuses_a_second_notice_with_the_same_key(zhou: Any) -> None:
    _tell(zhou, key="penalty:7", email=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=zhou, kind="penalty", title="重复", key="penalty:7")
    Notification.objects.create(recipient=zhou, kind="x", title="无键一")
    Notification.objects.create(recipient=zhou, kind="x", title="无键二")  # empty keys never collide


def test_email_goes_after_commit_only_to_people_with_an_address(
    zhou: Any, wu: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = _tell(zhou, wu, body="请在 48 小时内处理", url="/complaints/1/", email_subject="[kefu 投诉] C001")
        assert mail.outbox == []  # nothing leaves before the write is committed
        assert len(created) == 2
    assert [m.to for m in mail.outbox] == [["zhou@example.com"]]
    assert mail.outbox[0].subject == "[kefu 投诉] C001"
    assert "请在 48 小时内处理" in mail.outbox[0].body and "/complaints/1/" in mail.outbox[0].body
    assert Notification.objects.get(recipient=zhou).emailed
    assert not Notification.objects.get(recipient=wu).emailed


def test_a_rolled_back_write_leaves_no_notice_and_sends_no_email(
    zhou: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _tell(zhou)
        raise RuntimeError("the write that caused the notice failed")
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.filter(recipient=zhou).exists()


def test_no_email_when_the_sender_says_so(zhou: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _tell(zhou, email=False)
    assert mail.outbox == [] and Notification.objects.filter(recipient=zhou, emailed=False).count() == 1


def test_a_mail_server_that_is_down_keeps_the_notice(
    zhou: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def refuse(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        _tell(zhou)
    notice = Notification.objects.get(recipient=zhou)
    assert not notice.emailed and selectors.unread_count(actor=zhou) == 1


def test_a_long_title_is_cut_and_kept_whole_in_the_body(zhou: Any) -> None:
    text = "整改措施即将到期：" + "加强培训" * 80
    (notice,) = _tell(zhou, title=text, email=False)
    assert len(notice.title) == 200 and notice.title.endswith("…") and notice.body == text


# --- reading and marking: own notices only ------------------------------------------------------------


def test_a_person_sees_and_marks_only_their_own(zhou: Any, wu: Any) -> None:
    (mine,) = _tell(zhou, title="周的通知", email=False)
    (theirs,) = _tell(wu, title="吴的通知", email=False)

    assert list(selectors.notification_list(actor=zhou)) == [mine]
    with pytest.raises(NotFound):
        services.notification_read(actor=zhou, notification_id=theirs.id)
    client = _client(zhou)
    page = client.get("/notifications/").content.decode()
    assert "周的通知" in page and "吴的通知" not in page
    before = AuditEntry.objects.count()
    assert client.post(f"/notifications/{theirs.id}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.id}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None and AuditEntry.objects.count() == before

    assert client.post(f"/notifications/{mine.id}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert AuditEntry.objects.filter(action="notification.read", object_id=str(mine.id)).count() == 1


def test_hq_cannot_read_anybody_elses_notice_either(zhou: Any) -> None:
    group = OrgUnitFactory(kind=UnitKind.GROUP, name="测试集团", code="G")
    hq = make_user("hq", role=scopes.HQ_ADMIN, unit=group)
    (notice,) = _tell(zhou, title="只给周", email=False)

    client = _client(hq)
    assert "只给周" not in client.get("/notifications/").content.decode()
    assert json.loads(client.get("/api/v1/notifications").content)["count"] == 0
    assert client.post(f"/notifications/{notice.id}/read/").status_code == 404


def test_mark_all_read_touches_only_own_unread(zhou: Any, wu: Any) -> None:
    for n in range(3):
        _tell(zhou, title=f"周 {n}", email=False)
    _tell(wu, title="吴", email=False)

    response = _client(zhou).post("/notifications/read-all/", follow=True)
    assert "已将 3 条通知标为已读" in response.content.decode()
    assert selectors.unread_count(actor=zhou) == 0 and selectors.unread_count(actor=wu) == 1
    assert services.notifications_read_all(actor=zhou) == 0  # nothing left: no second audit entry
    assert AuditEntry.objects.filter(action="notification.read_all").count() == 1


def test_view_marks_read_and_opens_only_a_local_address(zhou: Any) -> None:
    (local,) = _tell(zhou, url="/complaints/1/", email=False)
    (foreign,) = _tell(zhou, url="//evil.example/steal", email=False)
    client = _client(zhou)

    response = client.post(f"/notifications/{local.id}/read/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == "/complaints/1/"
    response = client.post(f"/notifications/{foreign.id}/read/", {"go": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"


# --- the page and the badge -----------------------------------------------------------------------------


def test_unread_badge_in_the_navigation_counts_and_follows_marking(zhou: Any, wu: Any) -> None:
    first, _second = _tell(zhou, email=False)[0], _tell(zhou, email=False)[0]
    _tell(wu, email=False)
    client = _client(zhou)

    home = client.get("/").content.decode()
    assert 'id="nav-unread"' in home and BADGE.format(2) in home
    assert BADGE.format(2) in client.get("/notifications/badge/").content.decode()

    # htmx marks one: the row comes back read and the badge is swapped out of band.
    row = client.post(f"/notifications/{first.id}/read/", HTTP_HX_REQUEST="true").content.decode()
    assert f'id="notification-{first.id}"' in row and "标为已读" not in row
    assert 'hx-swap-oob="true"' in row and BADGE.format(1) in row

    listing = client.post("/notifications/read-all/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="notification-list"' in listing and 'class="count"' not in listing
    assert 'class="count"' not in client.get("/notifications/badge/").content.decode()


def test_page_posts_carry_csrf_and_htmx(zhou: Any) -> None:
    _tell(zhou, email=False)
    page = Client(enforce_csrf_checks=True)
    page.force_login(zhou)
    body = page.get("/notifications/").content.decode()
    assert "csrfmiddlewaretoken" in body and 'hx-post="/notifications/read-all/"' in body
    assert 'hx-target="closest tr"' in body
    assert page.post("/notifications/read-all/").status_code == 403  # no token, no write


def test_notification_text_is_escaped_on_the_page(zhou: Any) -> None:
    _tell(
        zhou,
        title="<script>alert('标题')</script>",
        body='<img src=x onerror="alert(1)">',
        url="javascript:alert(1)",
        email=False,
    )
    page = _client(zhou).get("/notifications/").content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "javascript:alert" not in page  # an address that is not a local path is never linked


# --- the API ---------------------------------------------------------------------------------------------


def test_api_lists_marks_and_marks_all(zhou: Any, wu: Any) -> None:
    first = _tell(zhou, title="一", email=False)[0]
    _tell(zhou, title="二", email=False)
    _tell(wu, title="吴", email=False)
    client = _client(zhou)

    listed = json.loads(client.get("/api/v1/notifications").content)
    assert listed["count"] == 2 and [n["title"] for n in listed["items"]] == ["二", "一"]
    assert listed["items"][0]["app"] == "complaints" and listed["items"][0]["read_at"] is None
    marked = json.loads(client.post(f"/api/v1/notifications/{first.id}/read").content)
    assert marked["id"] == first.id and marked["read_at"] is not None
    assert json.loads(client.get("/api/v1/notifications?unread=true").content)["count"] == 1
    assert json.loads(client.post("/api/v1/notifications/read-all").content) == {"count": 1}
    assert selectors.unread_count(actor=wu) == 1


def test_notification_routes_are_in_the_openapi_document() -> None:
    paths = api.get_openapi_schema()["paths"]
    assert "get" in paths["/api/v1/notifications"]
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
    assert "post" in paths["/api/v1/notifications/read-all"]
