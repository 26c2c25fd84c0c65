"""HQ policy wins: locked keys cannot be overridden by a branch, through the service, API or pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kefu.core import scopes
from kefu.core.errors import ApplicationError, Forbidden, NotFound
from kefu.core.models import AuditEntry
from kefu.policy import selectors, services
from kefu.policy.models import PolicyValue
from kefu.policy.services import PolicyLocked


def _hq(world: Any) -> Any:
    return world.users[scopes.HQ_ADMIN]


def _hr(world: Any) -> Any:
    return world.users[scopes.BRANCH_HR]


def test_catalogue_defaults_apply_before_anyone_sets_a_value(world: Any) -> None:
    assert selectors.effective(unit=world.team_a1, key="compliance.score_start") == 100
    assert selectors.effective(unit=world.team_a1, key="compliance.violation_penalty") == 5
    assert selectors.effective(unit=world.team_a1, key="compliance.bonus_threshold") == 90
    assert selectors.effective(unit=world.team_a1, key="compliance.weight") == Decimal("0.20")
    assert selectors.effective(unit=world.team_a1, key="compliance.block_message") == "请通过官方渠道联系"


def test_branch_cannot_override_a_key_locked_by_hq(world: Any) -> None:
    services.policy_set(actor=_hq(world), key="compliance.weight", unit_id=world.group.id, value="0.25", locked=True)
    before = (PolicyValue.objects.count(), AuditEntry.objects.count())

    with pytest.raises(PolicyLocked, match="已由测试集团锁定"):
        services.policy_set(actor=_hr(world), key="compliance.weight", unit_id=world.branch_a.id, value="0.15")

    assert (PolicyValue.objects.count(), AuditEntry.objects.count()) == before
    assert selectors.effective(unit=world.team_a1, key="compliance.weight") == Decimal("0.25")


def test_catalogue_lock_holds_even_before_hq_sets_a_value(world: Any) -> None:
    with pytest.raises(PolicyLocked):
        services.policy_set(actor=_hr(world), key="compliance.violation_penalty", unit_id=world.branch_a.id, value=1)


def test_branch_overrides_an_unlocked_key_for_its_own_units_only(world: Any) -> None:
    services.policy_set(actor=_hr(world), key="channel.max_concurrent_chats", unit_id=world.branch_a.id, value=8)
    assert selectors.effective(unit=world.team_a1, key="channel.max_concurrent_chats") == 8
    assert selectors.effective(unit=world.team_b1, key="channel.max_concurrent_chats") == 5


def test_nearest_unlocked_value_wins_and_a_lock_stops_the_walk(world: Any) -> None:
    key = "channel.max_concurrent_chats"
    services.policy_set(actor=_hq(world), key=key, unit_id=world.group.id, value=4)
    services.policy_set(actor=_hr(world), key=key, unit_id=world.branch_a.id, value=6)
    services.policy_set(actor=_hr(world), key=key, unit_id=world.team_a1.id, value=7)
    assert selectors.effective(unit=world.team_a1, key=key) == 7
    assert selectors.effective(unit=world.team_a2, key=key) == 6

    services.policy_set(actor=_hq(world), key=key, unit_id=world.group.id, value=3, locked=True)
    resolution = selectors.resolve(unit=world.team_a1, key=key)
    assert resolution.typed == 3
    assert resolution.locked_at == world.group and resolution.locked_above


def test_clearing_an_override_restores_the_value_from_above(world: Any) -> None:
    key = "channel.max_concurrent_chats"
    services.policy_set(actor=_hr(world), key=key, unit_id=world.branch_a.id, value=9)
    services.policy_clear(actor=_hr(world), key=key, unit_id=world.branch_a.id, note="恢复集团值")
    assert selectors.effective(unit=world.team_a1, key=key) == 5
    with pytest.raises(ApplicationError, match="没有自己的"):
        services.policy_clear(actor=_hr(world), key=key, unit_id=world.branch_a.id)


def test_word_lists_can_be_made_stricter_by_a_branch_but_never_shorter(world: Any) -> None:
    key = "compliance.block_terms"
    hq_words = selectors.effective(unit=world.group, key=key)
    services.policy_set(actor=_hr(world), key=key, unit_id=world.branch_a.id, value=["私聊我"])
    words = selectors.effective(unit=world.team_a1, key=key)
    assert set(hq_words) <= set(words) and "私聊我" in words
    assert "私聊我" not in selectors.effective(unit=world.team_b1, key=key)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("compliance.weight", "0.30", "必须在 15% 到 25% 之间"),
        ("compliance.weight", 0.2, "字符串或整数"),
        ("channel.max_concurrent_chats", "abc", "不是数字"),
        ("channel.max_concurrent_chats", "2.5", "需要整数"),
        ("compliance.block_message", "   ", "需要非空文本"),
        ("complaints.penalty_bands", [{"loss_from": "0"}], "缺少列"),
        ("no.such.key", 1, "未知的策略项"),
    ],
)
def test_bad_values_are_refused_naming_the_problem(world: Any, key: str, value: Any, message: str) -> None:
    before = PolicyValue.objects.count()
    with pytest.raises(ApplicationError, match=message):
        services.policy_set(actor=_hq(world), key=key, unit_id=world.group.id, value=value)
    assert PolicyValue.objects.count() == before


def test_only_hq_sets_group_values(world: Any) -> None:
    # The group lies above branch HR's scope (404); a QA user in the group's reach still lacks the role (403).
    with pytest.raises(NotFound):
        services.policy_set(actor=_hr(world), key="channel.max_concurrent_chats", unit_id=world.group.id, value=9)
    with pytest.raises(Forbidden):
        services.policy_set(
            actor=world.users[scopes.QA], key="channel.max_concurrent_chats", unit_id=world.branch_a.id, value=9
        )


def test_branch_hr_cannot_touch_another_branch(world: Any) -> None:
    with pytest.raises(NotFound):
        services.policy_set(actor=_hr(world), key="channel.max_concurrent_chats", unit_id=world.branch_b.id, value=9)


def test_every_change_is_kept_with_who_and_why(world: Any) -> None:
    key = "channel.max_concurrent_chats"
    services.policy_set(actor=_hq(world), key=key, unit_id=world.group.id, value=4, note="第一次")
    services.policy_set(actor=_hq(world), key=key, unit_id=world.group.id, value=6, note="第二次")
    history = list(selectors.policy_history(actor=_hq(world), key=key, unit_id=world.group.id))
    assert [(h.version, h.value, h.note, h.set_by.username) for h in history] == [
        (2, 6, "第二次", "hq"),
        (1, 4, "第一次", "hq"),
    ]


def test_locked_key_is_refused_through_the_api(world: Any) -> None:
    client = Client()
    client.force_login(_hr(world))
    response = client.put(
        f"/api/v1/policy/units/{world.branch_a.id}/values/compliance.weight",
        data=json.dumps({"value": "0.15", "note": "想改"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "已由测试集团锁定" in response.json()["message"]
    assert not PolicyValue.objects.filter(key="compliance.weight").exists()


def test_locked_key_is_refused_through_the_page(world: Any) -> None:
    client = Client()
    client.force_login(_hr(world))
    page = client.get(f"/policy/units/{world.branch_a.id}/keys/compliance.weight/")
    assert page.status_code == 200
    assert "已由测试集团锁定" in page.content.decode()
    assert '<form method="post" class="stack">' not in page.content.decode()
    response = client.post(
        f"/policy/units/{world.branch_a.id}/keys/compliance.weight/", {"value": "0.15", "note": "想改"}
    )
    assert response.status_code == 403
    assert not PolicyValue.objects.filter(key="compliance.weight").exists()


def test_policy_editor_page_saves_a_new_version_and_shows_history(world: Any) -> None:
    client = Client()
    client.force_login(_hr(world))
    url = f"/policy/units/{world.branch_a.id}/keys/channel.max_concurrent_chats/"
    response = client.post(url, {"value": "7", "note": "双十一前扩容"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "双十一前扩容" in body and "v1" in body
    assert selectors.effective(unit=world.team_a1, key="channel.max_concurrent_chats") == 7


def test_policy_page_escapes_user_text(world: Any) -> None:
    services.policy_set(
        actor=_hq(world),
        key="compliance.block_message",
        unit_id=world.group.id,
        value="<script>alert(1)</script>",
        note="<b>x</b>",
    )
    client = Client()
    client.force_login(_hq(world))
    body = client.get(f"/policy/units/{world.group.id}/keys/compliance.block_message/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_a_committed_change_is_announced_once(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from kefu.policy.signals import policy_changed

    heard: list[tuple[str, int]] = []

    def listener(sender: Any, key: str, unit_id: int, **_: Any) -> None:
        heard.append((key, unit_id))

    policy_changed.connect(listener)
    try:
        generation = selectors.policy_generation()
        with django_capture_on_commit_callbacks(execute=True):
            services.policy_set(actor=_hq(world), key="channel.max_concurrent_chats", unit_id=world.group.id, value=6)
        assert heard == [("channel.max_concurrent_chats", world.group.id)]
        assert selectors.policy_generation() > generation
    finally:
        policy_changed.disconnect(listener)
