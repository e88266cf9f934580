"""Migration 0011 (many workspaces) keeps every plan and role, gives them to the single-token
install (''), and lets each workspace name its own roles."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, upgrade


def test_existing_plans_and_roles_stay_the_single_token_installs(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0010")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO plans (id, key, title, source, timezone, schedule, schedule_since, created_at) VALUES "
            "(1, 'ppr', 'Peer review', '', 'Europe/London', 'monthly', '2021-01-01 00:00:00+00', "
            "'2021-01-01 00:00:00+00')"))
        connection.execute(text("INSERT INTO roles (id, name, name_key) VALUES (1, 'Head of Protection', "
                                "'head of protection')"))
        connection.execute(text("INSERT INTO role_aliases (id, role_id, name, name_key) VALUES (1, 1, 'HoP', 'hop')"))
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= tables
    with engine.begin() as connection:
        assert connection.execute(text("SELECT key, workspace FROM plans")).all() == [("ppr", "")]
        assert connection.execute(text("SELECT name, workspace FROM roles")).all() == [("Head of Protection", "")]
        assert connection.execute(text("SELECT name, workspace FROM role_aliases")).all() == [("HoP", "")]
        connection.execute(text("INSERT INTO roles (id, name, name_key, workspace) VALUES (2, 'Head of Protection', "
                                "'head of protection', 'TFIREB')"))  # another workspace's role of the same name
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("INSERT INTO roles (id, name, name_key, workspace) VALUES (3, 'Head of protection', "
                                "'head of protection', 'TFIREB')"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
