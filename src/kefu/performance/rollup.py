"""The work-day totals (`WorkDayTotal`), kept by the database itself.

Triggers on the work-record table add every inserted record to its cell (day × agent × business type)
and take away deleted or changed ones, in the same transaction as the write, whatever wrote it. The
points run then groups cells, not records: a month for 4,000 agents is ~600k cells however many
millions of records there are.

SQLite gets row triggers with an upsert; PostgreSQL gets statement triggers over transition tables,
so a COPY or bulk INSERT of a million records costs one grouped upsert, not a million. Like the
append-only triggers they are (re)installed after every migrate: SQLite drops a table's triggers when a
migration rebuilds it.
"""

# ruff: noqa: S608 - the SQL here is built from model metadata and constants only; nothing user-typed
from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from kefu.performance.models import Outcome, WorkDayTotal, WorkRecord

_CELL = "work_date, agent_id, business_type_id"


def _names() -> dict[str, str]:
    return {"work": WorkRecord._meta.db_table, "total": WorkDayTotal._meta.db_table, "invalid": Outcome.INVALID.value}


def _sqlite() -> list[str]:
    n = _names()
    add = (
        f"INSERT INTO {n['total']} ({_CELL}, records, invalid_records, sale_fen)"
        f" VALUES (NEW.work_date, NEW.agent_id, NEW.business_type_id, 1, NEW.outcome = '{n['invalid']}', NEW.sale_fen)"
        f" ON CONFLICT ({_CELL}) DO UPDATE SET records = records + 1,"
        " invalid_records = invalid_records + excluded.invalid_records, sale_fen = sale_fen + excluded.sale_fen;"
    )
    take = (
        f"UPDATE {n['total']} SET records = records - 1,"
        f" invalid_records = invalid_records - (OLD.outcome = '{n['invalid']}'), sale_fen = sale_fen - OLD.sale_fen"
        " WHERE work_date = OLD.work_date AND agent_id = OLD.agent_id AND business_type_id = OLD.business_type_id;"
        f" DELETE FROM {n['total']} WHERE work_date = OLD.work_date AND agent_id = OLD.agent_id"
        " AND business_type_id = OLD.business_type_id AND records = 0;"
    )
    work = n["work"]
    return [
        f'DROP TRIGGER IF EXISTS "{work}_total_insert"',
        f'DROP TRIGGER IF EXISTS "{work}_total_delete"',
        f'DROP TRIGGER IF EXISTS "{work}_total_update"',
        f'CREATE TRIGGER "{work}_total_insert" AFTER INSERT ON "{work}" BEGIN {add} END',
        f'CREATE TRIGGER "{work}_total_delete" AFTER DELETE ON "{work}" BEGIN {take} END',
        f'CREATE TRIGGER "{work}_total_update" AFTER UPDATE OF {_CELL}, outcome, sale_fen ON "{work}"'
        f" BEGIN {take} {add} END",
    ]


def _postgresql() -> list[str]:
    n = _names()
    total = n["total"]
    grouped = (
        f"SELECT {_CELL}, COUNT(*) AS records, COUNT(*) FILTER (WHERE outcome = '{n['invalid']}') AS invalid_records,"
        " COALESCE(SUM(sale_fen), 0) AS sale_fen FROM {rows} GROUP BY {cell} ORDER BY {cell}"
    )
    add = (
        f"INSERT INTO {total} AS t ({_CELL}, records, invalid_records, sale_fen) "
        + grouped.format(rows="kefu_new_rows", cell=_CELL)
        + f" ON CONFLICT ({_CELL}) DO UPDATE SET records = t.records + EXCLUDED.records,"
        " invalid_records = t.invalid_records + EXCLUDED.invalid_records, sale_fen = t.sale_fen + EXCLUDED.sale_fen;"
    )
    take = (
        f"UPDATE {total} AS t SET records = t.records - d.records,"
        " invalid_records = t.invalid_records - d.invalid_records, sale_fen = t.sale_fen - d.sale_fen FROM ("
        + grouped.format(rows="kefu_old_rows", cell=_CELL)
        + ") d WHERE t.work_date = d.work_date AND t.agent_id = d.agent_id AND t.business_type_id = d.business_type_id;"
        f" DELETE FROM {total} WHERE records = 0;"
    )
    work = n["work"]

    def function(name: str, body: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body} RETURN NULL; END $$"
        )

    return [
        function("kefu_work_total_add", add),
        function("kefu_work_total_take", take),
        function("kefu_work_total_change", take + " " + add),
        f'DROP TRIGGER IF EXISTS "{work}_total_insert" ON "{work}"',
        f'DROP TRIGGER IF EXISTS "{work}_total_delete" ON "{work}"',
        f'DROP TRIGGER IF EXISTS "{work}_total_update" ON "{work}"',
        f'CREATE TRIGGER "{work}_total_insert" AFTER INSERT ON "{work}" REFERENCING NEW TABLE AS kefu_new_rows'
        " FOR EACH STATEMENT EXECUTE FUNCTION kefu_work_total_add()",
        f'CREATE TRIGGER "{work}_total_delete" AFTER DELETE ON "{work}" REFERENCING OLD TABLE AS kefu_old_rows'
        " FOR EACH STATEMENT EXECUTE FUNCTION kefu_work_total_take()",
        f'CREATE TRIGGER "{work}_total_update" AFTER UPDATE ON "{work}"'
        " REFERENCING OLD TABLE AS kefu_old_rows NEW TABLE AS kefu_new_rows"
        " FOR EACH STATEMENT EXECUTE FUNCTION kefu_work_total_change()",
    ]


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return _sqlite()
    if vendor == "postgresql":
        return _postgresql()
    raise ImproperlyConfigured(f"kefu runs on SQLite or PostgreSQL; the {vendor} database is not supported")


def install_triggers(*, using: str = "default", **_: Any) -> None:
    """post_migrate receiver."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {WorkRecord._meta.db_table, WorkDayTotal._meta.db_table} <= tables:
        return
    with connection.cursor() as cursor:
        for statement in trigger_sql(connection.vendor):
            cursor.execute(statement)
