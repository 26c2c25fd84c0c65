"""`kefu scan`: one JSON line out per line in, in order; a malformed line stops the run with status 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kefu.compliance.scanner import default_policy
from kefu.compliance.scanner.cli import main, scan_lines
from kefu.compliance.scanner.engine import Scanner


def run(lines: list[str], *, policy: Scanner | None = None) -> tuple[int, list[dict[str, object]], str]:
    out, err = io.BytesIO(), io.StringIO()
    status = scan_lines((line.encode() + b"\n" for line in lines), scanner=policy or Scanner(), out=out, err=err)
    records = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    return status, records, err.getvalue()


def test_each_input_line_gives_one_output_line_in_order() -> None:
    lines = [
        json.dumps({"id": 1, "text": "您好，请问有什么可以帮您"}, ensure_ascii=False),
        json.dumps({"id": "b", "text": "加我薇信 abc123", "speaker": "agent"}, ensure_ascii=False),
        json.dumps({"id": 3, "text": "我给你发个红包", "speaker": "customer"}, ensure_ascii=False),
    ]

    status, records, err = run(lines)

    assert status == 0
    assert err == ""
    assert [record["id"] for record in records] == [1, "b", 3]
    assert records[0] == {"id": 1, "action": "allow", "categories": [], "matches": []}
    assert records[1]["action"] == "block"
    assert records[1]["categories"] == ["contact_wechat"]
    assert records[1]["matches"] == [{"start": 0, "end": 11, "text": "加我薇信 abc123", "category": "contact_wechat"}]
    assert records[2]["action"] == "warn"


def test_lines_sharing_a_conversation_are_one_conversation() -> None:
    lines = [
        json.dumps({"id": n, "text": text, "conversation": "c-1"}, ensure_ascii=False)
        for n, text in enumerate(["我手机号", "138 1234", "5678"])
    ]
    lines.insert(2, json.dumps({"id": "other", "text": "1234", "conversation": "c-2"}))

    _, records, _ = run(lines)

    assert [record["action"] for record in records] == ["allow", "allow", "allow", "block"]


def test_malformed_line_stops_after_writing_the_lines_before_it() -> None:
    lines = [
        json.dumps({"id": 1, "text": "好的"}, ensure_ascii=False),
        "",  # blank lines are skipped
        '{"id": 2, "text": ',
        json.dumps({"id": 3, "text": "不会被处理"}, ensure_ascii=False),
    ]

    status, records, err = run(lines)

    assert status == 2
    assert [record["id"] for record in records] == [1]
    assert "line 3" in err
    assert "not JSON" in err


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('["not", "an", "object"]', "JSON object"),
        ('{"id": 1}', "'text' must be a string"),
        ('{"id": 1, "text": 5}', "'text' must be a string"),
        ('{"id": 1, "text": "好", "speaker": "bot"}', "'speaker'"),
        ('{"id": 1, "text": "好", "conversation": [1]}', "'conversation'"),
    ],
)
def test_malformed_line_reasons(line: str, reason: str) -> None:
    status, records, err = run([line])

    assert status == 2
    assert records == []
    assert "line 1" in err
    assert reason in err


def test_invalid_utf8_is_malformed() -> None:
    out, err = io.BytesIO(), io.StringIO()
    status = scan_lines([b'{"id": 1, "text": "\xff"}\n'], scanner=Scanner(), out=out, err=err)
    assert status == 2
    assert "not UTF-8" in err.getvalue()


def test_lone_surrogate_still_gives_valid_json() -> None:
    status, records, _ = run(['{"id": 1, "text": "\\ud800加我微信 abc123"}'])

    assert status == 0
    assert records[0]["action"] == "block"


def test_file_argument_and_policy_file(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    policy = default_policy(version=9).to_dict()
    policy["categories"]["contact_wechat"]["terms"].append("小窗我")
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(policy, ensure_ascii=False), encoding="utf-8")
    messages = tmp_path / "messages.jsonl"
    messages.write_text(json.dumps({"id": "x", "text": "小窗我"}, ensure_ascii=False) + "\n", encoding="utf-8")

    assert main([str(messages)]) == 0
    assert json.loads(capsysbinary.readouterr().out)["action"] == "allow"
    assert main([str(messages), "--policy", str(policy_file)]) == 0
    assert json.loads(capsysbinary.readouterr().out)["categories"] == ["contact_wechat"]


def test_unreadable_policy_or_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "policy.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["--policy", str(bad)]) == 2
    assert "policy" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot open" in capsys.readouterr().err


def test_reads_standard_input_as_a_command() -> None:
    stdin = "\n".join(
        json.dumps({"id": n, "text": text}, ensure_ascii=False) for n, text in enumerate(["好的", "加我vx lily_2024"])
    )
    completed = subprocess.run(
        [sys.executable, "-m", "kefu.compliance.scanner.cli"],
        input=stdin.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr.decode()
    records = [json.loads(line) for line in completed.stdout.decode().splitlines()]
    assert [record["action"] for record in records] == ["allow", "block"]
