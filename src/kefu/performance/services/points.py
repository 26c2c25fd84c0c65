"""The points computation: work records → the append-only ledger, entirely in the database.

One INSERT … SELECT per run: the work-day totals of the range (records summed per agent, day and
business type by database triggers, see rollup.py), grouped per agent and day and priced at
the coefficient in force that day, UNION ALL the negated sums the ledger already holds;
whatever does not net to zero is appended as a compensating row. Running it twice appends nothing.
No work record is ever loaded into Python, so memory stays flat however many records there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from django.db import connection, transaction

from kefu.core import audit, scopes
from kefu.core.errors import ApplicationError
from kefu.core.scopes import Actor
from kefu.org.models import Employee, OrgUnit
from kefu.org.selectors import org_unit_get
from kefu.performance.models import BusinessType, CoefficientRate, Indicator, PointEntry, PointRun, WorkDayTotal
from kefu.performance.models.records import indicator_columns
from kefu.performance.services.common import MANAGERS, is_system

MAX_RANGE_DAYS = 400
_CHUNK = 500


def _columns() -> tuple[list[str], list[str]]:
    """The ledger's value columns in order, and for each the SQL summing it from a cell `g` priced at `r`
    of business type `b`: all indicators, then per indicator (only matching types add to it)."""
    earned = "(g.records - g.invalid_records) * r.coefficient_milli"
    names = ["records", "points_milli", "sale_fen"]
    sums = ["SUM(g.records)", f"SUM({earned})", "SUM(g.sale_fen)"]
    for indicator in Indicator.values:
        records, points = indicator_columns(indicator)
        names += [records, points]
        sums += [
            f"SUM(CASE WHEN b.indicator = '{indicator}' THEN g.records ELSE 0 END)",
            f"SUM(CASE WHEN b.indicator = '{indicator}' THEN {earned} ELSE 0 END)",
        ]
    return names, sums


def _sql(*, scoped: bool, agents: int, fresh: bool = False) -> str:
    totals, ledger = WorkDayTotal._meta.db_table, PointEntry._meta.db_table
    types, rates = BusinessType._meta.db_table, CoefficientRate._meta.db_table
    employees, units = Employee._meta.db_table, OrgUnit._meta.db_table
    join_w = join_l = where_w = where_l = ""
    if scoped:
        join_w = f" JOIN {employees} e ON e.id = g.agent_id JOIN {units} u ON u.id = e.unit_id"
        join_l = f" JOIN {employees} e ON e.id = l.agent_id JOIN {units} u ON u.id = e.unit_id"
        where_w = where_l = " AND u.path LIKE %s"
    if agents:
        marks = ", ".join(["%s"] * agents)
        where_w += f" AND g.agent_id IN ({marks})"
        where_l += f" AND l.agent_id IN ({marks})"
    names, sums = _columns()
    # The cells come from the work-day totals the database keeps (performance/rollup.py): one row per
    # agent, day and business type, priced at the coefficient in force that day; grouped per agent-day in
    # the totals' index order (day, agent), so SQLite streams the groups instead of sorting them.
    # Table names come from model metadata and the placeholders are bound: nothing user-typed is spliced in.
    values = ", ".join(f"{expression} AS {name}" for expression, name in zip(sums, names, strict=True))
    cells = f"""
  SELECT g.agent_id AS agent_id, g.work_date AS day, {values}
  FROM {totals} g{join_w}
  JOIN {types} b ON b.id = g.business_type_id
  JOIN {rates} r ON r.business_type_id = g.business_type_id AND r.effective_from <= g.work_date
       AND (r.effective_to IS NULL OR g.work_date < r.effective_to)
  WHERE g.work_date >= %s AND g.work_date <= %s{where_w}
  GROUP BY g.work_date, g.agent_id
"""  # noqa: S608
    insert = f"INSERT INTO {ledger} (agent_id, day, {', '.join(names)}, run_id)"
    # in the ledger's index order: appending in key order is about twice as fast as in hash order
    order = " ORDER BY day, agent_id"
    if fresh:  # nothing in the ledger for these agents and days yet: the cells go in as they are
        return f"{insert} SELECT c.*, CAST(%s AS BIGINT) FROM ({cells}) c{order}"  # noqa: S608
    # Otherwise the cells UNION ALL the negated sums already in the ledger: what does not net to zero is new.
    negated = ", ".join(f"-SUM(l.{name})" for name in names)
    summed = ", ".join(f"SUM(d.{name})" for name in names)
    changed = " OR ".join(f"SUM(d.{name}) <> 0" for name in names)
    return f"""
{insert}
SELECT d.agent_id, d.day, {summed}, CAST(%s AS BIGINT)
FROM (
{cells}
  UNION ALL
  SELECT l.agent_id, l.day, {negated}
  FROM {ledger} l{join_l}
  WHERE l.day >= %s AND l.day <= %s{where_l}
  GROUP BY l.day, l.agent_id
) d
GROUP BY d.day, d.agent_id
HAVING {changed}{order}
"""  # noqa: S608


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _ledger_holds_any(*, start: dt.date, end: dt.date, unit_path: str, ids: list[int]) -> bool:
    """Does the ledger already hold rows for these days (and unit / agents)? If not, a run appends the cells."""
    entries = PointEntry.objects.filter(day__gte=start, day__lte=end)
    if unit_path:
        entries = entries.filter(agent__unit__path__startswith=unit_path)
    if ids:
        entries = entries.filter(agent_id__in=ids)
    return entries.exists()


def _apply(run: PointRun, *, start: dt.date, end: dt.date, unit_path: str, agent_ids: Collection[int] | None) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one points run at a time, or both would append the same difference
            cursor.execute("SELECT pg_advisory_xact_lock(7007)")
            # A month of cells is grouped in memory rather than spilled to disk in batches.
            cursor.execute("SET LOCAL work_mem = '256MB'")
    written = 0
    batches: list[list[int]] = list(_chunks(sorted(set(agent_ids)))) if agent_ids is not None else [[]]
    for ids in batches:
        if agent_ids is not None and not ids:
            continue
        scope: list[Any] = [start, end, *([unit_path + "%"] if unit_path else []), *ids]
        fresh = not _ledger_holds_any(start=start, end=end, unit_path=unit_path, ids=ids)
        params = [run.id, *scope] if fresh else [run.id, *scope, *scope]
        with connection.cursor() as cursor:
            cursor.execute(_sql(scoped=bool(unit_path), agents=len(ids), fresh=fresh), params)
            written += max(cursor.rowcount, 0)
    return written


def recompute(
    *,
    start: dt.date,
    end: dt.date,
    unit_path: str = "",
    agent_ids: Collection[int] | None = None,
    actor: Actor | None = None,
) -> PointRun:
    """System entry point (imports, recalibration, channel, bench): no role check, one transaction."""
    if end < start:
        raise ApplicationError("结束日期不能早于开始日期", extra={"field": "end"})
    if (end - start).days > MAX_RANGE_DAYS:
        raise ApplicationError(f"一次最多计算 {MAX_RANGE_DAYS} 天", extra={"field": "end"})
    with transaction.atomic():
        run = PointRun.objects.create(start=start, end=end, run_by=scopes.signed_in(actor), unit_path=unit_path)
        run.rows_written = _apply(run, start=start, end=end, unit_path=unit_path, agent_ids=agent_ids)
        run.save(update_fields=["rows_written"])
        audit.record(
            actor=actor,
            action="points.recompute",
            obj=run,
            after={"start": start, "end": end, "rows_written": run.rows_written},
        )
    return run


def points_recompute(*, actor: Actor | None, start: dt.date, end: dt.date, unit_id: int | None = None) -> PointRun:
    """HR or HQ recomputes points for a date range in a unit they cover (their whole reach by default)."""
    if unit_id is not None:
        unit = OrgUnit.objects.get(id=unit_id) if actor is None else org_unit_get(actor=actor, unit_id=unit_id)
        unit_path = unit.path
    else:
        reach = scopes.reach(actor, roles=MANAGERS)
        if reach.everything or is_system(actor):
            unit_path = ""
        elif len(reach.unit_paths) == 1:
            unit_path = next(iter(reach.unit_paths))
        else:
            raise ApplicationError("请选择要计算的单元", extra={"field": "unit_id"})
    if not is_system(actor) and unit_path:
        scopes.require(actor, unit_path=unit_path, roles=MANAGERS, what="计算积分")
    return recompute(start=start, end=end, unit_path=unit_path, actor=actor)
