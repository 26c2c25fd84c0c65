"""kefu's SQLite backend: writers of one process take turns, and every way out of a transaction gives
the turn back (commit, rollback, an exception, a closed connection)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from kefu.core.models import AuditHead

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend only")


def _in_thread(work: object) -> threading.Thread:
    def run() -> None:
        try:
            work()  # type: ignore[operator]
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_to_commit_then_goes() -> None:
    order: list[str] = []
    first_inside = threading.Event()

    def first() -> None:
        with transaction.atomic():
            AuditHead.objects.get_or_create(id=1)
            order.append("first writes")
            first_inside.set()
            time.sleep(0.3)
            order.append("first commits")

    def second() -> None:
        first_inside.wait(5)
        with transaction.atomic():
            order.append("second writes")
            AuditHead.objects.filter(id=1).update(seq=7)

    threads = [_in_thread(first), _in_thread(second)]
    for thread in threads:
        thread.join(10)
    assert order == ["first writes", "first commits", "second writes"]
    assert AuditHead.objects.get(id=1).seq == 7


@pytest.mark.django_db(transaction=True)
def test_the_turn_is_given_back_after_an_exception_and_a_rollback() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        AuditHead.objects.get_or_create(id=1)
        raise RuntimeError("the service refused")
    with transaction.atomic():
        AuditHead.objects.get_or_create(id=1)
        transaction.set_rollback(True)
    done = threading.Event()

    def other() -> None:
        with transaction.atomic():
            AuditHead.objects.get_or_create(id=1)
        done.set()

    _in_thread(other).join(5)
    assert done.is_set()  # not stuck behind a turn this thread forgot to give back
