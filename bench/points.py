"""Points benchmark: a month of points for many agents from millions of work records.

Builds a throw-away database (a temporary SQLite file, or a scratch PostgreSQL database when
KEFU_DATABASE_URL is set), loads generated work records in chunks, and times kefu's points run
(`kefu.performance.services.points.recompute`: one INSERT … SELECT … GROUP BY into the append-only
ledger) against a bare DuckDB GROUP BY over the same rows (same join to the coefficient in force,
same grouping per agent and day, in all and per workload indicator: exactly the rows kefu's ledger gets),
measured in the same run. The DuckDB copy is an on-disk
DuckDB file loaded from the same seeded generator.

What is compared: kefu's points run reads the work-day totals that database triggers keep while the
records are written (performance/rollup.py) — that is how kefu computes points in production, where
records arrive by import all month and points are recomputed often. The cost of keeping them is paid
during the load, so both loads are printed too ("step": "load"): kefu's includes the triggers, the
DuckDB load is a plain columnar append. The totals must give exactly DuckDB's figures ("differences").

Memory: records are generated and loaded in fixed-size chunks and the aggregation runs in the
database, so kefu's peak RSS (taken before DuckDB starts) does not grow with --records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHUNK = 200_000
INDICATORS = ("calls", "sales", "inspections", "other")
TYPES = [  # code, name, handle, acw, indicator, difficulty, share
    ("inquiry", "普通查询", 60, 0, "calls", "1.00", 0.55),
    ("complaint", "投诉受理", 120, 60, "calls", "1.00", 0.15),
    ("order_follow", "订单跟进", 90, 60, "calls", "1.00", 0.15),
    ("sale", "外呼营销", 180, 30, "sales", "1.20", 0.10),
    ("qa_inspect", "质检抽检", 240, 0, "inspections", "1.00", 0.05),
]


def _emit(subject: str, metric: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"bench": "points", "subject": subject, "metric": metric, "value": value, "unit": unit, **extra}))
    sys.stdout.flush()


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _chunks(
    *, records: int, agent_ids: list[int], type_ids: list[int], days: list[str], seed: int
) -> Iterator[dict[str, Any]]:
    import numpy as np

    shares = np.array([t[6] for t in TYPES])
    agents = np.array(agent_ids)
    for index, start in enumerate(range(0, records, CHUNK)):
        n = min(CHUNK, records - start)
        rng = np.random.default_rng(seed + index)
        kind = rng.choice(len(TYPES), size=n, p=shares / shares.sum())
        handle = np.maximum(5, rng.normal([TYPES[k][2] for k in range(len(TYPES))], 20)[kind].astype(int))
        acw = np.maximum(0, np.array([TYPES[k][3] for k in range(len(TYPES))])[kind] + rng.integers(-20, 20, n))
        yield {
            "agent": agents[rng.integers(0, len(agents), n)],
            "type": np.array(type_ids)[kind],
            "day": rng.integers(0, len(days), n),
            "handle": handle,
            "acw": acw,
            "invalid": rng.random(n) < 0.02,
            "sale_fen": np.where(kind == 3, rng.integers(0, 50_000, n), 0),
            "first_id": start,
            "n": n,
        }


def _setup_org(agents: int) -> tuple[list[int], list[int], Any]:
    from kefu.org import services as org_services
    from kefu.org.models import Employee, OrgUnit, Position, UnitKind
    from kefu.performance.services import coefficients

    group = org_services.org_unit_create(actor=None, kind=UnitKind.GROUP, name="基准集团", code="BG", parent_id=None)
    branch = org_services.org_unit_create(
        actor=None, kind=UnitKind.BRANCH, name="基准分公司", code="BB", parent_id=group.id
    )
    centre = org_services.org_unit_create(
        actor=None, kind=UnitKind.CENTRE, name="基准中心", code="BC", parent_id=branch.id
    )
    dept = org_services.org_unit_create(
        actor=None, kind=UnitKind.DEPARTMENT, name="话务部", code="BD", parent_id=centre.id
    )
    position = Position.objects.get(code="agent")
    teams = [
        org_services.org_unit_create(
            actor=None, kind=UnitKind.TEAM, name=f"话务{t + 1}组", code=f"BT{t}", parent_id=dept.id
        )
        for t in range((agents + 19) // 20)
    ]
    Employee.objects.bulk_create(
        Employee(
            employee_no=f"B{i:06d}",
            name=f"客服{i}",
            unit=teams[i // 20],
            position=position,
            hire_date=dt.date(2024, 1, 1),
            base_salary=4200,
        )
        for i in range(agents)
    )
    types = [
        coefficients.business_type_create(
            actor=None,
            department_id=dept.id,
            code=code,
            name=name,
            standard_handle_seconds=handle,
            standard_acw_seconds=acw,
            indicator=indicator,
            difficulty=__import__("decimal").Decimal(difficulty),
            is_base=code == "inquiry",
        )
        for code, name, handle, acw, indicator, difficulty, _ in TYPES
    ]
    _ = OrgUnit
    return list(Employee.objects.order_by("id").values_list("id", flat=True)), [t.id for t in types], dept


def _load_database(chunks: Iterator[dict[str, Any]], days: list[str]) -> None:
    from kefu.performance.models import WorkRecord

    table = WorkRecord._meta.db_table
    cols = (
        "agent_id, business_type_id, started_at, work_date, handle_seconds, acw_seconds, outcome, sale_fen,"
        " source_system, source_id, created_at"
    )
    now = "2026-02-01 00:00:00"
    for c in chunks:
        _insert_chunk(c, days, table, cols, now)


def _insert_chunk(c: dict[str, Any], days: list[str], table: str, cols: str, now: str) -> None:
    from django.db import connection, transaction

    with transaction.atomic():
        day = [days[d] for d in c["day"].tolist()]
        outcome = ["invalid" if x else "resolved" for x in c["invalid"].tolist()]
        ids = range(c["first_id"], c["first_id"] + c["n"])
        rows = zip(
            c["agent"].tolist(),
            c["type"].tolist(),
            day,
            c["handle"].tolist(),
            c["acw"].tolist(),
            outcome,
            c["sale_fen"].tolist(),
            ids,
            strict=True,
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for agent, btype, d, handle, acw, out, sale, i in rows:
                    fields = (
                        agent,
                        btype,
                        f"{d} 01:00:00+00",
                        d,
                        handle,
                        acw,
                        out,
                        sale,
                        "phone",
                        f"B{i}",
                        f"{now}+00",
                    )
                    buffer.write("\t".join(map(str, fields)) + "\n")
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES"
                    f" (%s, %s, %s || ' 01:00:00', %s, %s, %s, %s, %s, 'phone', 'B' || %s, '{now}')",
                    [(a, b, d, d, h, w, o, s, i) for a, b, d, h, w, o, s, i in rows],
                )


def _duckdb_baseline(
    chunks: Iterator[dict[str, Any]], days: list[str], folder: Path
) -> tuple[float, float, tuple[int, ...]]:
    import duckdb
    import pandas as pd

    from kefu.performance.models import BusinessType, CoefficientRate

    load_started = time.perf_counter()
    con = duckdb.connect(str(folder / "baseline.duckdb"))
    con.execute("SET memory_limit = '512MB'")
    con.execute(
        "CREATE TABLE work (agent_id BIGINT, business_type_id BIGINT, work_date DATE, handle_seconds INTEGER,"
        " acw_seconds INTEGER, outcome VARCHAR, sale_fen BIGINT)"
    )
    day_values = pd.to_datetime(pd.Series(days)).dt.date.to_numpy()
    for c in chunks:
        frame = pd.DataFrame(
            {
                "agent_id": c["agent"],
                "business_type_id": c["type"],
                "work_date": day_values[c["day"]],
                "handle_seconds": c["handle"],
                "acw_seconds": c["acw"],
                "outcome": ["invalid" if x else "resolved" for x in c["invalid"].tolist()],
                "sale_fen": c["sale_fen"],
            }
        )
        con.register("frame", frame)
        con.execute(
            "INSERT INTO work SELECT agent_id, business_type_id, CAST(work_date AS DATE), handle_seconds,"
            " acw_seconds, outcome, sale_fen FROM frame"
        )
        con.unregister("frame")
    con.execute("CREATE TABLE types (id BIGINT, indicator VARCHAR)")
    con.executemany("INSERT INTO types VALUES (?, ?)", list(BusinessType.objects.values_list("id", "indicator")))
    con.execute(
        "CREATE TABLE rates (business_type_id BIGINT, coefficient_milli BIGINT, effective_from DATE, effective_to DATE)"
    )
    con.executemany(
        "INSERT INTO rates VALUES (?, ?, ?, ?)",
        list(
            CoefficientRate.objects.values_list(
                "business_type_id", "coefficient_milli", "effective_from", "effective_to"
            )
        ),
    )
    con.execute("CHECKPOINT")
    load_seconds = time.perf_counter() - load_started
    started = time.perf_counter()
    # Exactly kefu's ledger rows: per agent and day, in all and per workload indicator.
    per_indicator = "".join(
        f", SUM(CASE WHEN b.indicator = '{i}' THEN 1 ELSE 0 END) AS {i}_n,"
        f" SUM(CASE WHEN b.indicator = '{i}' AND w.outcome <> 'invalid' THEN r.coefficient_milli ELSE 0 END) AS {i}_p"
        for i in INDICATORS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE result AS
        SELECT w.agent_id, w.work_date AS day, COUNT(*) AS n,
               SUM(CASE WHEN w.outcome = 'invalid' THEN 0 ELSE r.coefficient_milli END) AS p, SUM(w.sale_fen) AS s
               {per_indicator}
        FROM work w JOIN types b ON b.id = w.business_type_id
        JOIN rates r ON r.business_type_id = w.business_type_id AND r.effective_from <= w.work_date
             AND (r.effective_to IS NULL OR w.work_date < r.effective_to)
        GROUP BY w.agent_id, w.work_date
        """
    )
    seconds = time.perf_counter() - started
    sums = ", ".join(f"SUM({i}_n), SUM({i}_p)" for i in INDICATORS)
    found = con.execute(f"SELECT COUNT(*), SUM(n), SUM(p), SUM(s), {sums} FROM result").fetchone()
    con.close()
    return load_seconds, seconds, tuple(int(v or 0) for v in found)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kefu bench points", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--agents", type=int, default=4_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="kefu-bench-points-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    postgres = bool(os.environ.get("KEFU_DATABASE_URL"))
    if not postgres:
        os.environ["KEFU_SQLITE_PATH"] = str(folder / "bench.sqlite3")
    os.environ.setdefault("KEFU_TEST_DATABASE_NAME", "kefu_bench_points")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kefu.performance.models import PointEntry
    from kefu.performance.services import points

    if postgres:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    backend = connection.vendor
    try:
        first_day = dt.date(2026, 1, 1)
        days = [(first_day + dt.timedelta(days=i)).isoformat() for i in range(args.days)]
        agent_ids, type_ids, _dept = _setup_org(args.agents)

        def generate() -> Iterator[dict[str, Any]]:
            return _chunks(records=args.records, agent_ids=agent_ids, type_ids=type_ids, days=days, seed=args.seed)

        started = time.perf_counter()
        _load_database(generate(), days)
        if backend == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        load_seconds = time.perf_counter() - started
        _emit("kefu", "seconds", round(load_seconds, 2), "s", step="load", backend=backend, records=args.records)

        last_day = first_day + dt.timedelta(days=args.days - 1)
        started = time.perf_counter()
        run = points.recompute(start=first_day, end=last_day)
        kefu_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = points.recompute(start=first_day, end=last_day)
        rerun_seconds = time.perf_counter() - started
        kefu_rss = _rss_mb()
        from django.db.models import Count, Sum

        columns = [c for i in INDICATORS for c in (f"{i}_records", f"{i}_points_milli")]
        ledger = PointEntry.objects.aggregate(
            g=Count("id"), n=Sum("records"), p=Sum("points_milli"), s=Sum("sale_fen"), **{c: Sum(c) for c in columns}
        )
        kefu_totals = tuple(int(ledger[k] or 0) for k in ("g", "n", "p", "s", *columns))

        duck_load, duck_seconds, duck_totals = _duckdb_baseline(generate(), days, folder)
        differences = sum(1 for a, b in zip(kefu_totals, duck_totals, strict=True) if a != b)
        common = {"backend": backend, "records": args.records, "agents": args.agents}
        _emit(
            "kefu",
            "rows_per_s",
            round(args.records / kefu_seconds),
            "records/s",
            seconds=round(kefu_seconds, 3),
            ledger_rows=run.rows_written,
            **common,
        )
        _emit(
            "kefu",
            "seconds",
            round(rerun_seconds, 3),
            "s",
            step="idempotent re-run",
            rows_written=again.rows_written,
            **common,
        )
        _emit("baseline:duckdb", "seconds", round(duck_load, 2), "s", step="load", **common)
        _emit(
            "baseline:duckdb",
            "rows_per_s",
            round(args.records / duck_seconds),
            "records/s",
            seconds=round(duck_seconds, 3),
            **common,
        )
        _emit("kefu", "ratio_to_baseline", round(kefu_seconds / duck_seconds, 2), "x", **common)
        _emit("kefu", "peak_rss_mb", kefu_rss, "MB", **common)
        _emit("kefu", "differences", differences + again.rows_written, "count", **common)
    finally:
        if postgres:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
