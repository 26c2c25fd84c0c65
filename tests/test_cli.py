"""The `kefu` command on the embedded default: a fresh SQLite file in WAL mode, as `make run` makes it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

KEFU = [sys.executable, "-m", "kefu.cli"]


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(KEFU_VAR_DIR=str(var_dir), KEFU_SECRET_KEY="cli-test-secret", PYTHONUNBUFFERED="1")
    return env


def _kefu(var_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*KEFU, *args], env=_env(var_dir), capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"kefu {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: Any) -> Path:
    var_dir = tmp_path_factory.mktemp("kefu-var")
    _kefu(var_dir, "migrate", "--no-input", "-v0")
    demo = _kefu(var_dir, "demo", "--today", "2026-11-23")
    assert "hq_admin" in demo.stdout and "kefu-demo-2026" in demo.stdout
    return var_dir


def test_embedded_database_is_sqlite_in_wal_mode(demo_site: Path) -> None:
    database = demo_site / "kefu.sqlite3"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_demo_builds_the_organisation_once(demo_site: Path) -> None:
    with sqlite3.connect(demo_site / "kefu.sqlite3") as connection:
        employees = connection.execute("SELECT count(*) FROM org_employee").fetchone()[0]
        kinds = dict(connection.execute("SELECT kind, count(*) FROM org_orgunit GROUP BY kind").fetchall())
        roles = {r for (r,) in connection.execute("SELECT DISTINCT role FROM org_roleassignment")}
        tenures = connection.execute("SELECT min(hire_date), max(hire_date) FROM org_employee").fetchone()
    assert 70 <= employees <= 90
    assert kinds == {"group": 1, "branch": 2, "centre": 2, "department": 8, "team": 10}
    assert roles == {"agent", "team_lead", "qa", "complaints_officer", "finance", "branch_hr", "hq_admin"}
    assert tenures[0] < "2019-01-01" and tenures[1] > "2026-05-01"  # from eight years to newcomers
    again = _kefu(demo_site, "demo")
    assert "already loaded" in again.stdout
    with sqlite3.connect(demo_site / "kefu.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM org_employee").fetchone()[0] == employees


def test_demo_is_deterministic(tmp_path: Path, demo_site: Path) -> None:
    _kefu(tmp_path, "migrate", "--no-input", "-v0")
    _kefu(tmp_path, "demo", "--today", "2026-11-23")
    query = "SELECT employee_no, name, hire_date, base_salary FROM org_employee ORDER BY employee_no"
    with sqlite3.connect(demo_site / "kefu.sqlite3") as a, sqlite3.connect(tmp_path / "kefu.sqlite3") as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_audit_verify_and_checkpoint_commands(demo_site: Path) -> None:
    head = json.loads(_kefu(demo_site, "audit", "checkpoint").stdout)
    assert head["count"] > 100
    verified = _kefu(demo_site, "audit", "verify", "--checkpoint", json.dumps(head))
    assert "intact" in verified.stdout


def test_concurrent_writers_wait_instead_of_failing(demo_site: Path) -> None:
    """Four processes write policy versions at once: none sees "database is locked", the chain holds."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from kefu.policy import services\n"
        "hq = get_user_model().objects.get(username='hq_admin')\n"
        "for n in range(15):\n"
        "    services.policy_set(actor=hq, key='channel.idle_close_minutes', unit_id=1, value=10 + n)\n"
    )
    before = json.loads(_kefu(demo_site, "audit", "checkpoint").stdout)["count"]
    workers = [
        subprocess.Popen([*KEFU, "shell", "-c", script], env=_env(demo_site), stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [w.communicate(timeout=300)[1] for w in workers]
    assert all(w.returncode == 0 for w in workers), errors
    head = json.loads(_kefu(demo_site, "audit", "checkpoint").stdout)
    assert head["count"] == before + 60
    with sqlite3.connect(demo_site / "kefu.sqlite3") as connection:
        versions = [
            v
            for (v,) in connection.execute(
                "SELECT version FROM policy_policyvalue WHERE key = 'channel.idle_close_minutes' ORDER BY version"
            )
        ]
    assert versions == list(range(1, 61))
    assert "intact" in _kefu(demo_site, "audit", "verify").stdout


def test_bench_lists_benchmarks(demo_site: Path) -> None:
    result = _kefu(demo_site, "bench", "--help")
    assert "available:" in result.stdout
    unknown = _kefu(demo_site, "bench", "no_such_bench", check=False)
    assert unknown.returncode == 2 and "unknown benchmark" in unknown.stderr
