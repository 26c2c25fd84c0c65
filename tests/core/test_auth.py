"""Logging in, passwords, throttling, API tokens, CSRF and language."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from kefu.core import scopes, services, throttle
from kefu.core.models import ApiToken


def test_production_hasher_is_argon2(db: Any) -> None:
    from kefu import settings as kefu_settings

    assert kefu_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("pw-123456", hasher.salt())
    assert encoded.startswith("argon2$argon2id$") and hasher.verify("pw-123456", encoded)


@pytest.fixture(autouse=True)
def _no_lockout_left_over() -> Iterator[None]:
    """Redis outlives a test run: a lockout left by an earlier run must not decide this one, nor ours the next."""
    throttle.clear(username="hr", address="127.0.0.1")
    yield
    throttle.clear(username="hr", address="127.0.0.1")


def test_login_page_and_successful_login(world: Any) -> None:
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "hr", "password": "correct-horse-battery"})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "策略" in home and "审计日志" in home


def test_agent_home_shows_only_own_sections(world: Any) -> None:
    client = Client()
    client.force_login(world.users[scopes.AGENT])
    body = client.get("/").content.decode()
    assert "我的档案" in body and "审计日志" not in body and "策略" not in body
    me = client.get("/org/me/").content.decode()
    assert "本人客服" in me


def test_repeated_failures_lock_the_login_for_a_while(world: Any) -> None:
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/accounts/login/", {"username": "hr", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "hr", "password": "correct-horse-battery"})
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_api_writes_need_csrf(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[scopes.HQ_ADMIN])
    response = client.post("/api/v1/tokens", data=json.dumps({"name": "x"}), content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_bearer_token_is_hashed_at_rest_and_revocable(world: Any) -> None:
    hr = world.users[scopes.BRANCH_HR]
    token, plain = services.api_token_create(actor=hr, name="考勤系统")
    assert (
        plain.startswith("kefu_") and plain not in token.token_hash and token.token_hash == services.token_digest(plain)
    )

    client = Client()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200 and response.json()["username"] == "hr"
    employees = client.get("/api/v1/org/employees", HTTP_AUTHORIZATION=f"Bearer {plain}").json()["items"]
    assert {e["employee_no"] for e in employees} >= {"A0001", "X0001", "X0002"}
    assert "X0003" not in {e["employee_no"] for e in employees}  # the token carries its owner's scope

    services.api_token_revoke(actor=hr, token_id=token.id)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer kefu_wrong").status_code == 401


def test_a_revoked_role_or_deactivated_user_stops_working_at_once_despite_the_short_memory(world: Any) -> None:
    from kefu.org import services as org_services
    from kefu.org.models import RoleAssignment

    hr = world.users[scopes.BRANCH_HR]
    _, plain = services.api_token_create(actor=hr, name="考勤系统")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/v1/org/employees").json()["items"]  # principal and token now remembered
    for grant in RoleAssignment.objects.filter(user=hr):
        org_services.role_revoke(actor=world.users[scopes.HQ_ADMIN], assignment_id=grant.id)
    assert not client.get("/api/v1/org/employees").json()["items"]
    hr.is_active = False
    hr.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_remembered_answers_expire(monkeypatch: Any) -> None:
    from kefu.core import recent

    clock = [100.0]
    monkeypatch.setattr(recent.time, "monotonic", lambda: clock[0])
    memory: recent.Recent[int] = recent.Recent(ttl=1.0)
    loads = iter(range(10))
    assert memory.get("k", lambda: next(loads)) == 0
    clock[0] += 0.5
    assert memory.get("k", lambda: next(loads)) == 0
    clock[0] += 0.6
    assert memory.get("k", lambda: next(loads)) == 1


def test_openapi_document_and_docs_page(world: Any) -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/org/employees" in schema["paths"]
    client.force_login(world.users[scopes.HQ_ADMIN])
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "登录"), ("en", "Log in")])
def test_login_page_speaks_the_chosen_language(db: Any, language: str, word: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert word in client.get("/accounts/login/").content.decode()


def test_errors_are_json_with_a_message(world: Any) -> None:
    client = Client()
    client.force_login(world.users[scopes.BRANCH_HR])
    response = client.post(
        "/api/v1/org/employees",
        data=json.dumps(
            {
                "employee_no": "N1",
                "name": "新人",
                "unit_id": world.team_a1.id,
                "position_code": "ceo",
                "hire_date": "2026-11-01",
                "base_salary": "4000",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "未知岗位" in response.json()["message"] and response.json()["extra"]["field"] == "position"
