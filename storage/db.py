"""Engines, sessions and schema upgrades for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from storage.faults import ReadOnlyDatabase

DEFAULT_URL = "sqlite:///planbot.db"
MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def rows_matched(result: object) -> int:
    """How many rows an UPDATE or DELETE run through `Session.execute` matched.

    The session types its result as a plain Result; for these statements it is the cursor's."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of an UPDATE or DELETE, got {type(result).__name__}")
    return result.rowcount


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str = DEFAULT_URL, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Take over transaction control from the sqlite3 module so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once ("database is locked") when another writer got in between,
        # whereas BEGIN IMMEDIATE waits its turn for up to the busy timeout.
        if connection.get_execution_options().get("planbot_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


class Sessions:
    """The one way to get a database session: callers own the transaction.

    `begin()` opens a read-write transaction (a write lock up front on SQLite), `read()` a
    transaction for queries only. Both commit on success and roll back on error.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        writer = engine.execution_options(planbot_write=True)
        self._write = sessionmaker(bind=writer, expire_on_commit=False)
        self._read = sessionmaker(bind=engine, expire_on_commit=False)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        with self._write.begin() as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read.begin() as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def check_writable(self) -> None:
        """Raise the database's own error if planbot could not save a change here.

        SQLite opens a read-only file without complaint and fails only at the first write, so
        a table is created and rolled back; PostgreSQL says whether it is read-only.
        """
        with self.engine.connect() as connection:
            if self.dialect == "sqlite":
                transaction = connection.begin()
                try:
                    connection.exec_driver_sql("CREATE TABLE planbot_write_check (x INTEGER)")
                finally:
                    transaction.rollback()
            elif connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                raise ReadOnlyDatabase("the database is read-only (transaction_read_only is on)")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(_alembic_config(engine), revision)


def is_up_to_date(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def open_database(url: str, *, pool_size: int = 10) -> Sessions:
    """An engine on `url`, brought up to the current schema if it is behind."""
    engine = make_engine(url, pool_size=pool_size)
    if not is_up_to_date(engine):
        upgrade(engine)
    return Sessions(engine)


# What planbot's own role needs on PostgreSQL when it is not the owner of its tables: every
# table read and written, except that the audit trail is only read and appended to, and the
# schema version only read (migrations are run by the owner: `planbot db upgrade`).
_APP_ROLE_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON action_events FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
)


def grant_app_role(engine: Engine, role: str) -> None:
    """Let `role` run planbot on this database without being able to rewrite its audit trail.

    Run as the tables' owner after each upgrade (new tables need the grants too). The role
    cannot truncate the audit trail, update or delete its rows, nor drop or disable its
    triggers, since only a table's owner may alter it.
    """
    if engine.dialect.name != "postgresql":
        raise ValueError("roles are a PostgreSQL feature; SQLite has none")
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as connection:
        for grant in _APP_ROLE_GRANTS:
            connection.exec_driver_sql(grant.format(role=quoted))
