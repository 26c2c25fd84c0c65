"""`kefu staffing …` as a planner or a script runs it: through call_command and as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kefu.staffing.models import ContactInterval, ForecastRun
from tests.conftest import World
from tests.staffing.factories import MONDAY, history_csv, make_queue

EXAMPLE = [
    "--calls",
    "100",
    "--aht",
    "180",
    "--interval-minutes",
    "30",
    "--service-level",
    "0.8",
    "--answer-within",
    "20",
]


def test_erlang_through_call_command_prints_the_json_object() -> None:
    out = io.StringIO()
    call_command("staffing", "erlang", *EXAMPLE, "--shrinkage", "0.3", "--max-occupancy", "0.85", "--json", stdout=out)

    figures = json.loads(out.getvalue())
    assert list(figures) == ["agents", "scheduled", "service_level", "occupancy", "asa_seconds", "model"]
    assert (figures["agents"], figures["scheduled"], figures["model"]) == (14, 20, "erlang_c")


def test_erlang_with_patience_is_erlang_a() -> None:
    out = io.StringIO()
    call_command("staffing", "erlang", *EXAMPLE, "--patience", "120", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["model"] == "erlang_a" and figures["agents"] <= 14 and 0 < figures["abandon_rate"] < 0.1


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [("--calls", "0", "--calls"), ("--aht", "-5", "--aht"), ("--service-level", "1.0", "--service-level"),
     ("--answer-within", "0", "--answer-within")],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_flag(flag: str, value: str, named: str) -> None:
    argv = list(EXAMPLE)
    argv[argv.index(flag) + 1] = value
    with pytest.raises(CommandError) as refused:
        call_command("staffing", "erlang", *argv, "--json", stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert named in str(refused.value)


def _kefu(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_") and k != "DJANGO_SETTINGS_MODULE"}
    env["KEFU_SECRET_KEY"] = "staffing-cli-test"
    return subprocess.run(
        [sys.executable, "-m", "kefu.cli", "staffing", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_kefu_staffing_erlang_as_a_process() -> None:
    done = _kefu("erlang", *EXAMPLE, "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["agents"] == 14 and figures["scheduled"] == 14 and figures["model"] == "erlang_c"

    huge = _kefu(
        "erlang", "--calls", "100000", "--aht", "300", "--service-level", "0.8", "--answer-within", "20", "--json"
    )
    assert huge.returncode == 0, huge.stderr
    assert json.loads(huge.stdout)["agents"] > 16_667  # more than the 16,667 Erlangs of load

    bad = _kefu("erlang", "--calls", "-1", "--aht", "180", "--service-level", "0.8", "--answer-within", "20")
    assert bad.returncode == 2
    assert "--calls" in bad.stderr and bad.stdout == ""
    typo = _kefu("erlang", "--calls", "lots", "--aht", "180", "--service-level", "0.8", "--answer-within", "20")
    assert typo.returncode == 2 and "invalid float value" in typo.stderr


def test_import_history_and_forecast_from_the_command_line(world: World, tmp_path: Path) -> None:
    queue = make_queue(world.team_a1, code="A-PH")
    path = tmp_path / "history.csv"
    path.write_text(history_csv(queue, first_day=MONDAY, days=14), encoding="utf-8")

    out = io.StringIO()
    call_command("staffing", "import-history", "--unit", "A", "--file", str(path), stdout=out)
    assert json.loads(out.getvalue())["created"] == 14 * 18
    again = io.StringIO()
    call_command("staffing", "import-history", "--unit", "A", "--file", str(path), stdout=again)
    assert json.loads(again.getvalue())["already_imported"] is True
    assert ContactInterval.objects.filter(queue=queue).count() == 14 * 18

    out = io.StringIO()
    start = MONDAY.replace(day=MONDAY.day + 14).isoformat()
    call_command(
        "staffing", "forecast", "--unit", "A", "--channel", "phone", "--start", start, "--days", "1", stdout=out
    )
    summary = json.loads(out.getvalue())
    assert ForecastRun.objects.filter(id=summary["run"]).exists()
    assert summary["intervals"] == 48 and summary["peak_scheduled"] > 0 and summary["model"] == "erlang_c"

    path.write_text("queue,interval_start,offered,answered,abandoned,aht_seconds\nA-PH,2026-12-01 10:00,5,9,0,200\n")
    with pytest.raises(CommandError) as refused:
        call_command("staffing", "import-history", "--unit", "A", "--file", str(path), stdout=io.StringIO())
    assert refused.value.returncode == 2 and "line 2" in str(refused.value)
