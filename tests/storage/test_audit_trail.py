"""The audit trail holds against rewriting: REPLACE and TRUNCATE refused, a hash chain that
shows any change made round the database's guards, and a PostgreSQL role that cannot alter it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.plan import audit
from bot.plan.queries import get_action, get_plan
from bot.plan.services import Actor, add_note, complete
from storage.db import Sessions, grant_app_role, make_engine, upgrade
from storage.models import ActionEvent
from tests.helpers.plans import ALICE, TEAM, load


def _events(sessions: Sessions) -> int:
    with sessions.read() as session:
        return session.scalar(select(func.count()).select_from(ActionEvent)) or 0


def _work(sessions: Sessions, now: datetime) -> None:
    load(sessions, now)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        add_note(session, get_action(session, plan, "1.1"), Actor(ALICE, TEAM), now, "Draft with the printers")
        complete(session, get_action(session, plan, "1.1"), Actor(ALICE, TEAM), now + timedelta(hours=1), None)


def _verify(sessions: Sessions) -> audit.Verification:
    with sessions.read() as session:
        return audit.verify(session, get_plan(session, "ppr").id)


def _as_owner_bypassing_triggers(sessions: Sessions, statement: str) -> None:
    """What someone with the database file or the tables' owner role could do."""
    with sessions.engine.begin() as connection:
        if sessions.dialect == "postgresql":
            connection.exec_driver_sql("ALTER TABLE action_events DISABLE TRIGGER USER")
            connection.exec_driver_sql(statement)
            connection.exec_driver_sql("ALTER TABLE action_events ENABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER action_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER action_events_no_delete")
            connection.exec_driver_sql(statement)


def test_every_event_of_a_plan_is_chained_in_order(sessions, now):
    _work(sessions, now)
    result = _verify(sessions)
    assert result.intact and result.events == _events(sessions) > 5
    with sessions.read() as session:
        places = session.scalars(select(ActionEvent.seq).order_by(ActionEvent.id)).all()
    assert places == list(range(1, len(places) + 1))


def test_an_event_changed_behind_the_triggers_is_found(sessions, now):
    _work(sessions, now)
    with sessions.read() as session:
        note = session.scalars(select(ActionEvent).where(ActionEvent.kind == "note")).one()
    _as_owner_bypassing_triggers(sessions, f"UPDATE action_events SET reason = 'Nothing to see' WHERE id = {note.id}")
    result = _verify(sessions)
    assert result.first_break is not None
    assert result.first_break.event_id == note.id and "changed after it was written" in result.first_break.problem


def test_a_removed_event_is_found(sessions, now):
    _work(sessions, now)
    with sessions.read() as session:
        note = session.scalars(select(ActionEvent).where(ActionEvent.kind == "note")).one()
    _as_owner_bypassing_triggers(sessions, f"DELETE FROM action_events WHERE id = {note.id}")
    result = _verify(sessions)
    assert result.first_break is not None and result.first_break.seq == note.seq
    assert "removed or reordered" in result.first_break.problem


@pytest.fixture
def sqlite_sessions(tmp_path, sqlite_template):
    path = tmp_path / "planbot.db"
    shutil.copy(sqlite_template, path)
    sessions = Sessions(make_engine(f"sqlite:///{path}"))
    yield sessions
    sessions.engine.dispose()


@pytest.fixture
def postgres_sessions(postgres_url):
    sessions = Sessions(make_engine(postgres_url))
    yield sessions
    sessions.engine.dispose()


def test_sqlite_refuses_insert_or_replace_over_an_event(sqlite_sessions, now):
    sessions = sqlite_sessions
    _work(sessions, now)
    before = _events(sessions)
    with pytest.raises(DBAPIError, match="cannot be replaced"):
        with sessions.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT OR REPLACE INTO action_events (id, plan_id, at, actor, kind, seq, hash) "
                "VALUES (1, 1, '2026-01-01 00:00:00', 'mallory', 'note', 1, 'x')"
            )
    assert _events(sessions) == before and _verify(sessions).intact


def test_postgresql_refuses_truncate_even_to_the_owner(postgres_sessions, now):
    sessions = postgres_sessions
    _work(sessions, now)
    before = _events(sessions)
    with pytest.raises(DBAPIError, match="cannot be truncated"):
        with sessions.engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE action_events")
    assert _events(sessions) == before and _verify(sessions).intact


def test_events_written_before_the_chain_existed_are_chained_by_the_upgrade(empty_database_url, now):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO plans (key, title, source, timezone, schedule, schedule_since, "
                                "created_at) VALUES ('ppr', 'Plan', '', 'Europe/London', 'monthly', :at, :at)"),
                           {"at": now})
        old_events = [{"plan_id": 1, "at": now + timedelta(minutes=n), "actor": "cli:test", "kind": "note",
                       "new_value": f"update {n}"} for n in range(3)]
        connection.execute(text("INSERT INTO action_events (plan_id, at, actor, kind, new_value) "
                                "VALUES (:plan_id, :at, :actor, :kind, :new_value)"), old_events)
    upgrade(engine)
    sessions = Sessions(engine)
    assert _verify(sessions).intact and _events(sessions) == 3
    with sessions.begin() as session:  # the next event follows on from the upgraded chain
        audit.append(session, ActionEvent(plan_id=1, at=now, actor="cli:test", kind="note", new_value="after"))
    result = _verify(sessions)
    assert result.intact and result.events == 4
    engine.dispose()


def test_planbot_audit_verify_reports_an_intact_trail_then_the_first_break(database_url, sessions, now):
    _work(sessions, now)
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "bot.cli", "audit", "verify", "ppr"]
    intact = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert intact.returncode == 0, intact.stderr
    assert f"intact: {_events(sessions)} events" in intact.stdout

    with sessions.read() as session:
        note = session.scalars(select(ActionEvent).where(ActionEvent.kind == "note")).one()
    _as_owner_bypassing_triggers(sessions, f"UPDATE action_events SET actor = 'UMALLORY' WHERE id = {note.id}")
    broken = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 1
    assert f"broken at number {note.seq}" in broken.stderr and "Traceback" not in broken.stderr


def test_the_app_role_can_run_planbot_but_not_rewrite_the_audit_trail(postgres_url, now):
    owner = make_engine(postgres_url)
    role = f"planbot_app_{uuid.uuid4().hex[:8]}"
    with owner.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    try:
        grant_app_role(owner, role)
        app = Sessions(make_engine(make_url(postgres_url).set(username=role).render_as_string(hide_password=False)))
        _work(app, now)  # imports, maps roles, notes and completes as the app role
        assert _verify(app).intact
        for attack in ("TRUNCATE action_events",
                       "UPDATE action_events SET reason = 'x'",
                       "DELETE FROM action_events",
                       "ALTER TABLE action_events DISABLE TRIGGER USER",
                       "DROP TRIGGER action_events_append_only ON action_events",
                       "UPDATE alembic_version SET version_num = '0001'"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"):
                with app.engine.begin() as connection:
                    connection.exec_driver_sql(attack)
        assert _verify(app).intact
        app.engine.dispose()
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        owner.dispose()
