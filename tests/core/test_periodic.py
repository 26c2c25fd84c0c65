from __future__ import annotations

from typing import Any

from django.core.management import call_command

from kefu.core import periodic


def test_due_jobs_run_once_per_period_and_failures_do_not_stop_the_others(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(periodic, "_JOBS", {})
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    periodic.register("a_broken", every_seconds=60, run=broken)
    periodic.register("b_sweep", every_seconds=60, run=lambda: calls.append("sweep"))

    assert periodic.run_due(now=1000.0) == ["a_broken", "b_sweep"]
    assert periodic.run_due(now=1030.0) == []  # not due yet
    assert periodic.run_due(now=1061.0) == ["a_broken", "b_sweep"]
    assert calls == ["broken", "sweep", "broken", "sweep"]


def test_worker_once_runs_registered_jobs(db: Any, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setattr(periodic, "_JOBS", {})
    done: list[int] = []
    periodic.register("count", every_seconds=5, run=lambda: done.append(1))
    call_command("worker", "--once")
    assert done == [1]
    assert "ran count" in capsys.readouterr().out
