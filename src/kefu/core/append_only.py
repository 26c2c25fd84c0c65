"""Append-only ledgers: the ORM refuses update/delete, and so does a database trigger.

Corrections are new compensating rows. Triggers are (re)installed after every migrate rather than in
one migration, because SQLite rebuilds a table on many schema changes and silently drops its triggers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from django.apps import apps
from django.db import connections, models

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kefu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: corrections are new rows', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END $$;
"""


class AppendOnlyViolation(Exception):
    """Raised when code tries to change or remove a row of an append-only ledger."""


def _refuse(model: type[models.Model], what: str) -> NoReturn:
    raise AppendOnlyViolation(f"{model._meta.label} is append-only: {what} is refused; add a correcting row")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "update")

    def delete(self) -> NoReturn:  # type: ignore[override]
        _refuse(self.model, "delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse(self.model, "bulk_update")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse(self.model, "update_or_create")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(type(self), "save of an existing row")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse(type(self), "delete")


def append_only_models() -> Iterable[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def trigger_sql(vendor: str, table: str) -> list[str]:
    """SQL that makes the database itself refuse UPDATE and DELETE on `table`."""
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: corrections are new rows'); END",
            f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: corrections are new rows'); END",
        ]
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"',
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION kefu_refuse_change()",
        ]
    raise NotImplementedError(f"append-only triggers are not written for the {vendor} database")


def install_triggers(*, using: str = "default", **_: Any) -> None:
    """post_migrate receiver: make sure every append-only table has its triggers."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in append_only_models():
            table = model._meta.db_table
            if table in existing:
                for statement in trigger_sql(connection.vendor, table):
                    cursor.execute(statement)
