"""Django's SQLite backend, with the writers of one process taking turns in order.

SQLite has one write lock per database. A writer that finds it taken waits in SQLite's busy handler,
which sleeps 1, 2, 5 … up to 100 ms between tries: under a burst of concurrent sends (one thread per
request under ASGI) the lock changes hands late and unfairly, so a few writers wait seconds while
others barge in. Here a writer first takes a per-database lock in this process (threads queue on it
and are woken at once when it is released), then BEGIN IMMEDIATE as before, and gives the lock back
at commit, rollback or close. Other processes (the worker, a second server) still meet at SQLite's
own lock, as before.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _writer_lock(name: str) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(name, threading.RLock())


class DatabaseWrapper(base.DatabaseWrapper):
    _holds_writer_turn = False

    def _writer_turn(self) -> threading.RLock:
        return _writer_lock(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        wait = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        turn = self._writer_turn()
        if not turn.acquire(timeout=wait):
            raise OperationalError(f"database is locked: no turn to write within {wait:g} s")
        self._holds_writer_turn = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._end_writer_turn()
            raise

    def _end_writer_turn(self) -> None:
        if self._holds_writer_turn:
            self._holds_writer_turn = False
            self._writer_turn().release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._end_writer_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._end_writer_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._end_writer_turn()
