"""When the database does not answer, or answers no, every request still gets planbot's own
short reply in time, and nothing is changed behind the user's back: a frozen PostgreSQL
(SIGSTOP: its kernel still acknowledges every byte), a SQLite file whose write lock another
process holds, a read-only SQLite file. /healthz says 503 within a second."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.localslack import LocalSlack
from bot.plan.rules import ActionStatus
from bot.slack import texts
from bot.slack.app import LISTENER_THREADS
from bot.slack.ids import ActionId
from bot.slack.interactions import CHANGE_AFTER_ACK_SECONDS
from storage.db import Sessions, make_engine
from tests.helpers.clicks import action_pk, action_row, button, events, status_blocks, wait_for_posts
from tests.helpers.plans import ALICE, BOB, load
from tests.helpers.privatepg import PrivatePostgres
from tests.helpers.slackharness import ACK_LIMIT_SECONDS, PlanbotServer, both_transports
from tests.slack.test_modals import open_modal, update

HEALTH_LIMIT_SECONDS = 1.0
# A click's change gives up after CHANGE_AFTER_ACK_SECONDS; its reply follows soon after.
CLICK_REPLY_WITHIN = CHANGE_AFTER_ACK_SECONDS + 3


@pytest.fixture
def on_private_postgres(private_postgres: PrivatePostgres, fake_slack: LocalSlack, now) -> Iterator[PlanbotServer]:
    """planbot on the private PostgreSQL, with the sample plan loaded."""
    sessions = Sessions(make_engine(private_postgres.databases.fresh()))
    load(sessions, now)
    server = PlanbotServer(fake_slack, sessions, now)
    yield server
    server.close()
    sessions.engine.dispose()


def not_answering(reply) -> None:
    assert reply.status == 200, reply.body
    assert reply.elapsed < ACK_LIMIT_SECONDS
    assert reply.text == texts.DATABASE_NOT_ANSWERING


def test_a_frozen_postgresql_gets_status_its_own_reply_within_three_seconds(on_private_postgres, private_postgres):
    planbot = on_private_postgres
    assert planbot.command("status").status == 200  # a pooled connection, as in a running app
    with private_postgres.frozen():
        first = planbot.command("status")
        again = planbot.command("status")  # the pool knows the server is gone: a new connection times out
    not_answering(first)
    not_answering(again)
    assert "Protection peer review" in planbot.command("status").text  # and back once it answers


def test_health_says_503_within_a_second_while_postgresql_is_frozen(on_private_postgres, private_postgres):
    planbot = on_private_postgres
    with private_postgres.frozen():
        down = planbot.get("/healthz")
        still_down = planbot.get("/healthz")
    assert (down.status, down.json) == (503, {"ok": False, "database": "unreachable"})
    assert down.elapsed < HEALTH_LIMIT_SECONDS and still_down.status == 503
    assert still_down.elapsed < HEALTH_LIMIT_SECONDS
    deadline = time.monotonic() + 5
    while (up := planbot.get("/healthz")).status != 200:
        assert time.monotonic() < deadline, up.body
        time.sleep(0.1)


def test_a_note_sent_while_postgresql_is_frozen_is_refused_in_time_and_never_written(on_private_postgres,
                                                                                    private_postgres):
    planbot = on_private_postgres
    before = len(events(planbot.sessions))
    with private_postgres.frozen():
        reply = planbot.command("note 1.1 Interviews booked")
    not_answering(reply)
    time.sleep(0.5)  # the server has woken and read what it was sent: the transaction was cut off
    assert len(events(planbot.sessions)) == before


def test_a_click_while_postgresql_is_frozen_is_told_nothing_changed(on_private_postgres, private_postgres):
    planbot = on_private_postgres
    complete = button(status_blocks(planbot), ActionId.COMPLETE, action_pk(planbot.sessions, "1.1"))
    with private_postgres.frozen():
        reply = planbot.click(complete)
        assert reply.status == 200
        (post,) = wait_for_posts(planbot, planbot.last_response_url, 1, timeout=CLICK_REPLY_WITHIN)
    assert post.args.get("text") == texts.DATABASE_NOT_ANSWERING
    time.sleep(0.5)
    assert action_row(planbot.sessions, "1.1").status != ActionStatus.COMPLETE


def test_a_modal_saved_while_postgresql_is_frozen_says_so_beside_the_field(on_private_postgres, private_postgres):
    planbot = on_private_postgres
    view, _ = open_modal(planbot, "1.1", ActionId.NOTE)
    before = len(events(planbot.sessions))
    with private_postgres.frozen():
        reply = planbot.submit(view, update("Interviews booked"))
    assert reply.status == 200 and reply.elapsed < ACK_LIMIT_SECONDS
    assert reply.json["response_action"] == "errors"
    assert list(reply.json["errors"].values()) == [texts.DATABASE_NOT_ANSWERING]
    time.sleep(0.5)
    assert len(events(planbot.sessions)) == before


@pytest.fixture
def sqlite_planbot(tmp_path: Path, sqlite_template: Path, fake_slack: LocalSlack, now,
                   transport: str) -> Iterator[PlanbotServer]:
    path = tmp_path / "planbot.db"
    path.write_bytes(sqlite_template.read_bytes())
    sessions = Sessions(make_engine(f"sqlite:///{path}"))
    load(sessions, now)
    server = PlanbotServer(fake_slack, sessions, now, transport)
    server.path = path  # type: ignore[attr-defined]
    yield server
    server.close()
    sessions.engine.dispose()


@pytest.fixture
def write_lock_held(sqlite_planbot) -> Iterator[None]:
    """Another process's transaction holds SQLite's write lock (and keeps it) meanwhile."""
    other = sqlite3.connect(sqlite_planbot.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.execute("ROLLBACK")
    other.close()


@both_transports
def test_a_note_while_another_writer_holds_sqlite_is_told_busy_within_three_seconds(sqlite_planbot,
                                                                                   write_lock_held):
    planbot = sqlite_planbot
    before = len(events(planbot.sessions))
    reply = planbot.command("note 1.1 Interviews booked")
    assert reply.status == 200 and reply.elapsed < ACK_LIMIT_SECONDS
    assert reply.text == texts.DATABASE_BUSY
    assert "Protection peer review" in planbot.command("status").text  # reading does not wait for the lock
    assert len(events(planbot.sessions)) == before


def test_a_click_waits_its_turn_behind_another_sqlite_writer_but_not_for_ever(sqlite_planbot):
    planbot = sqlite_planbot
    blocks = status_blocks(planbot)
    other = sqlite3.connect(planbot.path, isolation_level=None, check_same_thread=False)
    # A transaction that holds the write lock for 2.5 s: longer than a command may wait, not a click.
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(2.5, other.execute, ("ROLLBACK",)).start()
    assert planbot.click(button(blocks, ActionId.COMPLETE, action_pk(planbot.sessions, "1.1"))).status == 200
    wait_for_posts(planbot, planbot.last_response_url, 1, timeout=CLICK_REPLY_WITHIN)
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    # One that holds it for good: the click gives up, and says so.
    other.execute("BEGIN IMMEDIATE")
    try:
        complete = button(blocks, ActionId.COMPLETE, action_pk(planbot.sessions, "1.2"))
        assert planbot.click(complete, user=BOB).status == 200
        (post,) = wait_for_posts(planbot, planbot.last_response_url, 1, timeout=CLICK_REPLY_WITHIN)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert post.args.get("text") == texts.DATABASE_BUSY
    assert action_row(planbot.sessions, "1.2").status != ActionStatus.COMPLETE


def test_a_read_only_sqlite_database_says_so_and_still_shows_the_plan(tmp_path, sqlite_template, fake_slack, now):
    path = tmp_path / "planbot.db"
    path.write_bytes(sqlite_template.read_bytes())
    writable = Sessions(make_engine(f"sqlite:///{path}"))
    load(writable, now)
    writable.engine.dispose()
    sessions = Sessions(make_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))
    planbot = PlanbotServer(fake_slack, sessions, now)
    try:
        note = planbot.command("note 1.1 Interviews booked", user=ALICE)
        status = planbot.command("status")
    finally:
        planbot.close()
        sessions.engine.dispose()
    assert note.status == 200 and note.text == texts.DATABASE_READ_ONLY
    assert "Protection peer review" in status.text


@both_transports
def test_with_every_listener_thread_waiting_a_command_is_still_answered_and_never_run_later(sqlite_planbot):
    planbot = sqlite_planbot
    complete = button(status_blocks(planbot), ActionId.COMPLETE, action_pk(planbot.sessions, "1.1"))
    clicks = [planbot.click_body(complete) for _ in range(LISTENER_THREADS)]
    notes = len(events(planbot.sessions, "note"))
    other = sqlite3.connect(planbot.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(LISTENER_THREADS) as pool:
            acked = list(pool.map(lambda body: planbot.post(body, "application/x-www-form-urlencoded"), clicks))
        # Every listener thread now waits for the write lock with a click's change.
        reply = planbot.command("note 1.1 Interviews booked")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [r.status for r in acked] == [200] * LISTENER_THREADS
    assert reply.status == 200 and reply.elapsed < ACK_LIMIT_SECONDS
    assert reply.text == texts.TOO_SLOW  # the database answers; planbot's threads are all taken
    time.sleep(CHANGE_AFTER_ACK_SECONDS)  # the clicks have had their turn, and the note was never written
    assert len(events(planbot.sessions, "note")) == notes
