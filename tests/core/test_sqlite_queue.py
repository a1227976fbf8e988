"""The embedded SQLite backend queues writers: the next one starts the moment the
previous transaction ends, instead of polling through SQLite's busy timeout."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from buergerticket.core.sqlite.base import DatabaseWrapper


def _wrapper(path: Path, *, timeout: float) -> DatabaseWrapper:
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "buergerticket.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
            }
        }
    )
    wrapper = handler["default"]
    assert isinstance(wrapper, DatabaseWrapper)
    wrapper.ensure_connection()
    return wrapper


def _write(wrapper: DatabaseWrapper, value: int, hold: float = 0.0) -> None:
    wrapper._start_transaction_under_autocommit()
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES (%s)", [value])
    time.sleep(hold)
    wrapper.commit()


@pytest.fixture
def database(tmp_path: Path, django_db_blocker) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A database file of its own (not the test database), opened through the backend."""
    with django_db_blocker.unblock():
        yield _create(tmp_path)


def _create(tmp_path: Path) -> Path:
    path = tmp_path / "queue.sqlite3"
    setup = _wrapper(path, timeout=5)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE t (v INTEGER)")
    setup.close()
    return path


def _queue_is_free(path: Path) -> bool:
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_transaction_holds_the_queue_until_commit_or_rollback(database: Path) -> None:
    wrapper = _wrapper(database, timeout=5)
    wrapper._start_transaction_under_autocommit()
    assert not _queue_is_free(database)
    wrapper.commit()
    assert _queue_is_free(database)
    wrapper._start_transaction_under_autocommit()
    assert not _queue_is_free(database)
    wrapper.rollback()
    assert _queue_is_free(database)
    wrapper.close()


def test_a_second_writer_waits_its_turn_instead_of_failing(database: Path) -> None:
    """SQLite alone gives up after its busy timeout (here 50 ms) while another
    writer holds the database for 400 ms; in the queue the writer simply waits."""
    errors: list[BaseException] = []
    first_in = threading.Event()

    def first() -> None:
        wrapper = _wrapper(database, timeout=0.05)
        wrapper._start_transaction_under_autocommit()
        first_in.set()
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t (v) VALUES (1)")
        time.sleep(0.4)
        wrapper.commit()
        wrapper.close()

    def second() -> None:
        first_in.wait(5)
        wrapper = _wrapper(database, timeout=0.05)
        try:
            _write(wrapper, 2)
        except OperationalError as exc:
            errors.append(exc)
        finally:
            wrapper.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    check = _wrapper(database, timeout=5)
    with check.cursor() as cursor:
        cursor.execute("SELECT v FROM t ORDER BY v")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    check.close()


def test_other_programs_still_meet_sqlites_busy_timeout(database: Path) -> None:
    """Only this installation's connections know the queue: a plain sqlite3
    connection holding the database makes ours fail after the timeout, as before."""
    import sqlite3

    outsider = sqlite3.connect(database, isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    wrapper = _wrapper(database, timeout=0.05)
    with pytest.raises(OperationalError):
        _write(wrapper, 3)
    # The failed BEGIN left the queue free for the next writer.
    assert _queue_is_free(database)
    outsider.execute("ROLLBACK")
    outsider.close()
    _write(wrapper, 4)
    wrapper.close()
