"""Staffing benchmark: required agents for a week of intervals, kefu against pyworkforce's ErlangC.

Generates a realistic week for each queue (quiet nights, a late-morning and an evening peak, busier
weekends, one promotion day with several times the usual volume, AHT 180–600 s), computes the agents
each interval needs with `kefu.staffing.erlang.required_agents` and with `pyworkforce.queuing.ErlangC`
on the same inputs, and prints one JSON line per figure.

Like with like: pyworkforce's `raw_positions` is the agent count before shrinkage, after its own
occupancy cap (if the service-level answer runs hotter than the cap it takes ceil(load / cap)), which
is what kefu's `agents` means too. Both get the same service-level target, answer time and cap.

Known source of differences: pyworkforce starts its search at round(load + 1), so for a load such as
22.5 Erlangs it never tries 23 agents. With the default 80/20 target floor(load) + 1 agents never meet
the target and the counts agree; with a lax target (e.g. --service-level 0.5 --answer-within 60)
kefu's smaller, still sufficient count shows up as differences.
"""

# No `from __future__ import annotations`: `kefu bench` loads this file without registering it in
# sys.modules, and dataclasses need the module there to read string annotations.
import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from pyworkforce.queuing import ErlangC

from kefu.staffing.erlang import required_agents


@dataclass(frozen=True, slots=True)
class Interval:
    calls: int
    aht_seconds: float


def _week(*, queues: int, days: int, interval_minutes: int, seed: int) -> list[Interval]:
    rng = random.Random(seed)
    slots = 24 * 60 // interval_minutes
    intervals = []
    for _ in range(queues):
        daily_contacts = math.exp(rng.uniform(math.log(500), math.log(40_000)))  # small shop to flagship
        queue_aht = rng.uniform(180.0, 600.0)
        promotion_day = rng.randrange(days)
        for day in range(days):
            weekend = 1.25 if day % 7 in (5, 6) else 1.0
            promotion = rng.uniform(2.5, 4.0) if day == promotion_day else 1.0
            for slot in range(slots):
                hour = (slot + 0.5) * interval_minutes / 60
                shape = (
                    0.04
                    + math.exp(-(((hour - 10.5) / 2.2) ** 2))
                    + 1.2 * math.exp(-(((hour - 20.5) / 1.8) ** 2))
                    + (1.5 * math.exp(-((hour / 0.6) ** 2)) if promotion > 1 else 0.0)  # midnight rush
                )
                expected = daily_contacts * weekend * promotion * shape / (slots * 0.45)
                calls = max(1, round(expected * rng.uniform(0.85, 1.15)))
                aht = min(600.0, max(180.0, queue_aht * rng.uniform(0.9, 1.1)))
                intervals.append(Interval(calls=calls, aht_seconds=aht))
    return intervals


def _best_rate(run: Callable[[], list[int]], *, rows: int, repeats: int) -> tuple[float, list[int]]:
    answer = run()  # warm-up
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        answer = run()
        best = min(best, time.perf_counter() - started)
    return rows / best, answer


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kefu bench staffing", description=__doc__.splitlines()[0])
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--interval-minutes", type=int, default=30)
    parser.add_argument("--service-level", type=float, default=0.8)
    parser.add_argument("--answer-within", type=float, default=20.0)
    parser.add_argument("--max-occupancy", type=float, default=0.85)
    parser.add_argument("--shrinkage", type=float, default=0.3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args(argv)

    intervals = _week(
        queues=options.queues, days=options.days, interval_minutes=options.interval_minutes, seed=options.seed
    )
    interval_seconds = options.interval_minutes * 60

    def kefu() -> list[int]:
        return [
            required_agents(
                calls=row.calls,
                aht_seconds=row.aht_seconds,
                interval_minutes=options.interval_minutes,
                service_level_target=options.service_level,
                answer_within_seconds=options.answer_within,
                shrinkage=options.shrinkage,
                max_occupancy=options.max_occupancy,
            ).agents
            for row in intervals
        ]

    def pyworkforce() -> list[int]:
        return [
            ErlangC(
                transactions=row.calls,
                aht=row.aht_seconds,
                asa=options.answer_within,  # pyworkforce's "asa" is the target answer time
                interval=interval_seconds,
                shrinkage=options.shrinkage,
            ).required_positions(service_level=options.service_level, max_occupancy=options.max_occupancy)[
                "raw_positions"
            ]
            for row in intervals
        ]

    kefu_rate, kefu_agents = _best_rate(kefu, rows=len(intervals), repeats=options.repeats)
    baseline_rate, baseline_agents = _best_rate(pyworkforce, rows=len(intervals), repeats=options.repeats)
    differences = sum(ours != theirs for ours, theirs in zip(kefu_agents, baseline_agents, strict=True))

    for subject, metric, value, unit in (
        ("kefu", "rows_per_s", round(kefu_rate, 1), "intervals/s"),
        ("baseline:pyworkforce", "rows_per_s", round(baseline_rate, 1), "intervals/s"),
        ("kefu", "differences", differences, "intervals"),
    ):
        print(json.dumps({"bench": "staffing", "subject": subject, "metric": metric, "value": value, "unit": unit}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
