"""SQLite writers of one process queue on the process's own lock (storage.db), so each wakes
the moment the one before it ends; a writer whose turn does not come in time still ends with
SQLite's own "database is locked", and a failed transaction gives its turn up."""

import threading

import pytest
from sqlalchemy import select, text

from storage.db import Sessions, _writers_of, open_database
from storage.faults import FaultKind, kind_of
from storage.models import Plan
from tests.helpers.plans import load


@pytest.fixture
def sqlite_sessions(tmp_path) -> Sessions:
    return open_database(f"sqlite:///{tmp_path / 'turns.db'}")


def hold_write(sessions: Sessions, holding: threading.Event, release: threading.Event) -> threading.Thread:
    def hold() -> None:
        with sessions.begin() as session:
            session.execute(text("UPDATE plans SET title = title"))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(5)
    return thread


def test_a_dozen_writers_at_once_in_one_process_all_commit(sqlite_sessions, now):
    load(sqlite_sessions, now)
    limited = sqlite_sessions.limited(5.0)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for _ in range(10):
                with limited.begin() as session:
                    plan = session.scalars(select(Plan)).one()
                    plan.title = f"{plan.title[:40]} {n}"
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(12)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(30)
    assert failures == []


def test_a_writer_whose_turn_does_not_come_gets_sqlites_own_answer(sqlite_sessions, now):
    load(sqlite_sessions, now)
    holding, release = threading.Event(), threading.Event()
    holder = hold_write(sqlite_sessions, holding, release)
    try:
        with pytest.raises(Exception) as raised, sqlite_sessions.limited(0.5).begin() as session:
            session.execute(text("UPDATE plans SET title = title"))
        assert kind_of(raised.value) == FaultKind.BUSY
    finally:
        release.set()
        holder.join(5)
    with sqlite_sessions.limited(0.5).begin() as session:  # the turn is free again
        session.execute(text("UPDATE plans SET title = title"))


def test_a_transaction_that_fails_gives_its_turn_up(sqlite_sessions, now):
    load(sqlite_sessions, now)
    with pytest.raises(ZeroDivisionError), sqlite_sessions.begin() as session:
        session.execute(text("UPDATE plans SET title = title"))
        _ = 1 / 0
    turn = _writers_of(sqlite_sessions.engine)
    assert turn is not None
    free: list[bool] = []

    def try_turn() -> None:  # from another thread: an RLock is its own thread's to take again
        taken = turn.acquire(blocking=False)
        free.append(taken)
        if taken:
            turn.release()

    other = threading.Thread(target=try_turn)
    other.start()
    other.join(5)
    assert free == [True]
