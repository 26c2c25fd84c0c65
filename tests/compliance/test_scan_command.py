"""`kefu scan`: the issue's JSON-lines format, with the group's effective policy from the database or a
policy file; also as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from kefu.compliance.scanner import default_policy
from kefu.core import scopes
from kefu.policy import services as policy_services

LINES = [
    {"id": 1, "text": "加我薇信 lily_2024", "speaker": "agent", "conversation": "c1"},
    {"id": "m2", "text": "好的，订单 YJ20261120001 今天发货"},
    {"id": 3, "text": "这单接私单吗", "speaker": "customer"},
    {"id": 4, "text": "我手机号是138", "speaker": "agent", "conversation": "c2"},
    {"id": 5, "text": "0013 8000", "speaker": "agent", "conversation": "c2"},
    {"id": 6, "text": "给你发个红包"},
]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in LINES) + "\n", encoding="utf-8")
    return path


def _scan(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("scan", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_scan_writes_one_line_per_input_in_order_with_the_effective_policy(world, tmp_path: Path) -> None:
    results = _scan(str(_write(tmp_path)))

    assert [r["id"] for r in results] == [1, "m2", 3, 4, 5, 6]
    assert set(results[0]) == {"id", "action", "categories", "matches"}
    assert results[0]["action"] == "block" and results[0]["categories"] == ["contact_wechat"]
    match = results[0]["matches"][0]
    assert set(match) == {"start", "end", "text", "category"}
    assert LINES[0]["text"][match["start"] : match["end"]] == match["text"]
    assert results[1] == {"id": "m2", "action": "allow", "categories": [], "matches": []}
    assert results[2]["action"] == "allow"  # 私单 is not in HQ's lexicon
    assert results[4]["action"] == "block"  # the number split over c2's messages
    assert results[5]["action"] == "warn"


def test_scan_uses_words_hq_added_to_the_policy_and_policy_file_overrides(world, tmp_path: Path) -> None:
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN], key="compliance.block_terms", unit_id=world.group.id,
        value=["加微信", "私单"],
    )  # fmt: skip
    assert _scan(str(_write(tmp_path)))[2]["action"] == "block"

    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(default_policy().to_dict(), ensure_ascii=False), encoding="utf-8")
    assert _scan(str(_write(tmp_path)), "--policy", str(policy_file))[2]["action"] == "allow"


def test_a_branch_policy_applies_with_unit(world, tmp_path: Path) -> None:
    policy_services.policy_set(
        actor=world.users[scopes.HQ_ADMIN], key="compliance.warn_terms", unit_id=world.branch_b.id, value=["私单"]
    )
    assert _scan(str(_write(tmp_path)))[2]["action"] == "allow"
    assert _scan(str(_write(tmp_path)), "--unit", world.branch_b.code)[2]["action"] == "warn"


def test_malformed_line_exits_2(world, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "你好"}\nnot json\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        _scan(str(path))
    assert exit_info.value.code == 2


def test_kefu_scan_subprocess_reads_stdin_before_and_after_migrate(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(KEFU_VAR_DIR=str(tmp_path), KEFU_SECRET_KEY="scan-test", PYTHONUNBUFFERED="1")
    kefu = [sys.executable, "-m", "kefu.cli"]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in LINES) + "\n"

    def scan() -> subprocess.CompletedProcess[str]:
        return subprocess.run([*kefu, "scan"], input=stdin, env=env, capture_output=True, text=True, timeout=300)

    # a fresh checkout: no database yet, so the group's policy is the catalogue's (stderr says so)
    before = scan()
    subprocess.run([*kefu, "migrate", "--no-input", "-v0"], env=env, check=True, timeout=600)
    after = scan()

    assert before.returncode == 0, before.stderr
    assert "kefu migrate" in before.stderr
    assert after.returncode == 0 and after.stderr == ""
    lines = [json.loads(line) for line in after.stdout.splitlines()]
    assert [line["action"] for line in lines] == ["block", "allow", "allow", "allow", "block", "warn"]
    assert lines[0]["id"] == 1 and lines[0]["matches"][0]["category"] == "contact_wechat"
    assert before.stdout == after.stdout
