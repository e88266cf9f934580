from datetime import date

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import (
    HEAD_REVISION,
    MIGRATIONS,
    Sessions,
    is_up_to_date,
    make_engine,
    open_database,
    recorded_revisions,
    upgrade,
)
from storage.models import Action, ActionEvent, SummaryPost
from tests.helpers.plans import load

TABLES = {"plans", "recommendations", "actions", "action_owners", "roles", "role_members", "role_aliases",
          "plan_admins", "action_events", "summary_posts", "alembic_version"}


def test_migrations_bring_an_empty_database_up_to_date(empty_database_url):
    engine = make_engine(empty_database_url)
    assert not is_up_to_date(engine)
    upgrade(engine)
    assert is_up_to_date(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_opening_a_database_upgrades_it_by_itself(empty_database_url):
    sessions = open_database(empty_database_url)
    assert is_up_to_date(sessions.engine)
    sessions.engine.dispose()


def test_the_head_revision_planbot_checks_for_is_the_newest_migration():
    """A new migration changes storage.db.HEAD_REVISION too, or databases are never brought up to it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_a_database_behind_is_brought_up_to_date_when_opened(empty_database_url):
    engine = make_engine(empty_database_url)
    assert recorded_revisions(engine) is None  # no alembic_version table yet
    upgrade(engine, "0011")
    assert recorded_revisions(engine) == ["0011"]
    assert not is_up_to_date(engine)
    engine.dispose()
    sessions = open_database(empty_database_url)
    assert recorded_revisions(sessions.engine) == [HEAD_REVISION]
    assert is_up_to_date(sessions.engine)
    assert "sort_key" in {c["name"] for c in inspect(sessions.engine).get_columns("actions")}  # 0012's column
    sessions.engine.dispose()


def test_the_audit_trail_cannot_be_rewritten_or_deleted(sessions, now):
    load(sessions, now)
    with pytest.raises(DBAPIError, match="append-only"):
        with sessions.begin() as session:
            session.execute(update(ActionEvent).values(reason="rewritten"))
    with pytest.raises(DBAPIError, match="append-only"):
        with sessions.begin() as session:
            session.execute(text("DELETE FROM action_events"))
    with sessions.read() as session:
        assert session.scalar(select(ActionEvent).where(ActionEvent.reason == "rewritten")) is None


def test_a_revised_date_without_a_reason_is_refused_by_the_database(sessions, now):
    load(sessions, now)
    with pytest.raises(IntegrityError):
        with sessions.begin() as session:
            session.execute(update(Action).values(revised_due=date(2027, 1, 1), revision_reason=None))


def test_one_summary_per_plan_and_period(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        session.add(SummaryPost(plan_id=1, period="2026-12", claimed_by="a", claimed_at=now))
    with pytest.raises(IntegrityError):
        with sessions.begin() as session:
            session.add(SummaryPost(plan_id=1, period="2026-12", claimed_by="b", claimed_at=now))


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    sessions = Sessions(make_engine(f"sqlite:///{tmp_path / 'p.db'}"))
    with sessions.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    sessions.engine.dispose()


def test_times_come_back_aware_in_utc(sessions, now):
    load(sessions, now)
    with sessions.read() as session:
        event = session.scalars(select(ActionEvent)).first()
        assert event.at == now and event.at.tzinfo is not None


def test_migration_0007_keeps_every_row_and_lets_a_complete_action_have_no_recorded_date(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0006")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO plans (id, key, title, source, timezone, schedule, schedule_since, created_at) VALUES "
            "(1, 'ppr', 'Peer review', '', 'Europe/London', 'monthly', '2021-01-01 00:00:00+00', "
            "'2021-01-01 00:00:00+00')",
            "INSERT INTO recommendations (id, plan_id, number, text) VALUES (1, 1, 1, 'Evidence')",
            "INSERT INTO actions (id, plan_id, recommendation_id, ref, position, description, original_due, status, "
            "completed_at, version) VALUES (1, 1, 1, '1.1', 0, 'Review', '2021-07-31', 'complete', "
            "'2021-08-01 10:00:00+00', 1)",
            "INSERT INTO roles (id, name, name_key) VALUES (1, 'Head of Protection', 'head of protection')",
            "INSERT INTO action_owners (action_id, role_id, position) VALUES (1, 1, 0)",
        ):
            connection.execute(text(statement))
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT ref, status FROM actions")).all() == [("1.1", "complete")]
        assert connection.execute(text("SELECT action_id, role_id FROM action_owners")).all() == [(1, 1)]
        connection.execute(text("UPDATE actions SET completed_at = NULL"))
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(text("UPDATE actions SET status = 'in_progress', "
                                    "completed_at = '2021-08-01 10:00:00+00'"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
