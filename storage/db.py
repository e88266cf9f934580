"""Engines, sessions and schema upgrades for SQLite (the default) and PostgreSQL.

Time limits. A Slack request must be answered within 3 seconds, so the app's sessions are
`limited()`: each transaction gets a number of seconds and every wait inside it is bounded by
them. The database's own timeouts come first (SQLite's busy timeout; PostgreSQL's lock and
statement timeouts, set for the transaction; libpq's connect timeout; the pool's checkout
timeout), and they end the transaction with the database's own error. A server that is frozen
(stopped, or a network that swallows packets) answers none of those, since its kernel still
acknowledges every byte: so when the time is up the transaction's connections are cut off from
this side (the socket shut down; SQLite interrupted), the blocked call fails at once, and
`DatabaseTimeout` says so. A server that wakes up later reads the end of the connection and
rolls the transaction back, unless the limit struck while the commit was already sent: then
the error says the change may have been saved.
"""

from __future__ import annotations

import contextlib
import copy
import os
import socket
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from storage import alarms
from storage.faults import DatabaseTimeout, FaultKind, ReadOnlyDatabase, kind_of
from storage.scope import WORKSPACE, enforce_scopes

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_URL = "sqlite:///planbot.db"
MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. A database that records it is up to date, which one plain
# query says; Alembic (a quarter of a second to import, with Mako and Pygments) loads only when
# the schema has to change. A new migration changes it too: tests/storage/test_storage.py
# fails until it is Alembic's head.
HEAD_REVISION = "0013"
SQLITE_BUSY_TIMEOUT_MS = 10_000  # for transactions without a time limit (the command line, the scheduler)
CONNECT_TIMEOUT_SECONDS = 2  # libpq's smallest
POOL_TIMEOUT_SECONDS = 2.0
# The database's own timeouts end this much before the transaction's limit, so that its error
# (a lock held, a statement too slow) is the one the caller sees, and the connection survives.
OWN_TIMEOUT_MARGIN_SECONDS = 0.2


class _Limit:
    """One transaction's time limit and the pooled connections it holds meanwhile.

    When the time is up, each connection it still holds is cut off from under the thread
    blocked on it; a connection given back to the pool first is left alone.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self.saving = False  # the commit is on its way
        self._held: list[Any] = []
        self._lock = threading.Lock()
        self._alarm = alarms.after(seconds, self._expire)

    def own_timeout_ms(self) -> int:
        """What the database's own timeouts may wait, in milliseconds (at least 1)."""
        return max(1, int((self.deadline - time.monotonic() - OWN_TIMEOUT_MARGIN_SECONDS) * 1000))

    def hold(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._held.append(dbapi_connection)
            if self.expired:
                _cut_off(dbapi_connection)

    def release(self, dbapi_connection: Any) -> None:
        with self._lock:
            if dbapi_connection in self._held:
                self._held.remove(dbapi_connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for dbapi_connection in self._held:
                _cut_off(dbapi_connection)

    def stop(self) -> None:
        self._alarm.cancel()
        with self._lock:
            self._held.clear()


def _cut_off(dbapi_connection: Any) -> None:
    """Make whatever waits on this connection fail now (from another thread)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.interrupt()
        return
    try:
        # A duplicate of libpq's socket: shutting it down ends the connection for both, and
        # the poll psycopg is blocked in returns at once with "server closed the connection".
        with socket.socket(fileno=os.dup(dbapi_connection.pgconn.socket)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


# The time limit of the transaction this thread is in, if any (a Session runs on one thread).
_current = threading.local()
_LIMIT = "planbot_limit"
_FRESH = "planbot_fresh"


def _limit_here() -> _Limit | None:
    limit: _Limit | None = getattr(_current, "limit", None)
    return limit


# SQLite has one writer at a time. Its busy handler polls for the lock with sleeps that grow
# to 100 ms, so writers queued behind one another wake up late, and under a few clicks at once
# the wait, not the work, was most of a change's time. Writers of one process take their turn
# on a lock of the process's first, which wakes the next one the moment the last is done; BEGIN
# IMMEDIATE still keeps out writers of other processes (the command line, another replica).
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def _writers_of(engine: Engine) -> threading.RLock | None:
    """The lock this process's writers to `engine` queue on (SQLite only; PostgreSQL has row locks)."""
    if engine.dialect.name != "sqlite":
        return None
    with _WRITERS_LOCK:
        lock = _WRITERS.get(engine)
        if lock is None:
            lock = _WRITERS[engine] = threading.RLock()
        return lock


@contextlib.contextmanager
def _turn(lock: threading.RLock | None, seconds: float) -> Iterator[None]:
    """Wait up to `seconds` for this writer's turn. A turn not had in time goes on without it,
    and BEGIN IMMEDIATE (its busy timeout nearly spent) gives SQLite's own "database is locked"."""
    held = lock is not None and lock.acquire(timeout=max(0.0, seconds))
    try:
        yield
    finally:
        if held:
            assert lock is not None
            lock.release()


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
        engine = _sqlite_engine(url, pool_size)
    else:
        engine = _postgres_engine(url, pool_size)
    _watch_checkouts(engine)
    return engine


def _postgres_engine(url: str, pool_size: int) -> Engine:
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, pool_timeout=POOL_TIMEOUT_SECONDS,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        limit = _limit_here()
        if limit is not None:
            # For this transaction only: a lock wait ends first (busy), then any one statement.
            ms = limit.own_timeout_ms()
            connection.exec_driver_sql(
                f"SELECT set_config('lock_timeout', '{max(1, ms - 100)}', true), "
                f"set_config('statement_timeout', '{ms}', true)")

    return engine


def _watch_checkouts(engine: Engine) -> None:
    """Each connection taken from the pool joins the time limit of the transaction taking it,
    and is checked before use (the pool's own pre-ping would wait on a frozen server unbounded)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_FRESH] = True

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        limit = _limit_here()
        if limit is not None:
            record.info[_LIMIT] = limit
            limit.hold(dbapi_connection)
        if record.info.pop(_FRESH, False) or engine.dialect.name == "sqlite":
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            if limit is not None and limit.expired:
                raise DatabaseTimeout(limit.seconds, while_saving=False) from error
            # Stale (the server restarted, say): the pool replaces it with a new connection.
            raise exc.DisconnectionError() from error

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        limit = record.info.pop(_LIMIT, None)
        if limit is not None:
            limit.release(dbapi_connection)


def _sqlite_engine(url: str, pool_size: int) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory"
    # A file has a pool of connections, bounded like PostgreSQL's; a database in memory has one.
    pool = {} if in_memory else {"pool_size": pool_size, "max_overflow": 10, "pool_timeout": POOL_TIMEOUT_SECONDS}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

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
        limit = _limit_here()
        # A lock held by another connection is waited for up to the transaction's time limit.
        busy_ms = SQLITE_BUSY_TIMEOUT_MS if limit is None else limit.own_timeout_ms()
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy_ms}")
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
    transaction for queries only. Both commit on success and roll back on error. Sessions made
    by `limited(seconds)` give each transaction that long at most (see the module's note);
    `begin(limit=…)` and `read(limit=…)` choose another limit for one transaction.
    """

    def __init__(self, engine: Engine, *, limit: float | None = None) -> None:
        self.engine = engine
        self.limit = limit
        writer = engine.execution_options(planbot_write=True)
        self._write = sessionmaker(bind=writer, expire_on_commit=False)
        self._read = sessionmaker(bind=engine, expire_on_commit=False)
        enforce_scopes(self._write)
        enforce_scopes(self._read)
        self._pinger = _Pinger(self)
        self.workspace: str | None = None  # see scoped()
        self.scope_required = False

    def _copy(self) -> Sessions:
        return copy.copy(self)  # the same engine, session factories and pinger

    def limited(self, seconds: float) -> Sessions:
        """The same database, each transaction limited to `seconds`."""
        limited = Sessions(self.engine, limit=seconds)
        limited._pinger = self._pinger
        limited.workspace, limited.scope_required = self.workspace, self.scope_required
        return limited

    def scoped(self, workspace: str) -> Sessions:
        """The same database, seeing only this workspace's plans (`storage.scope`): '' is a
        single-token install's."""
        scoped = self._copy()
        scoped.workspace = workspace
        return scoped

    def requiring_scope(self) -> Sessions:
        """The same, refusing to open a session until `scoped()`: Slack's listeners get these, so
        a request can never see every workspace's plans by forgetting to say whose it is."""
        required = self._copy()
        required.scope_required = True
        return required

    @contextlib.contextmanager
    def begin(self, *, limit: float | None = None) -> Iterator[Session]:
        with self._transaction(self._write, limit or self.limit, writing=True) as session:
            yield session

    @contextlib.contextmanager
    def read(self, *, limit: float | None = None) -> Iterator[Session]:
        with self._transaction(self._read, limit or self.limit) as session:
            yield session

    @contextlib.contextmanager
    def _transaction(self, factory: sessionmaker[Session], seconds: float | None, *,
                     writing: bool = False) -> Iterator[Session]:
        if self.workspace is None and self.scope_required:
            raise RuntimeError("a Slack request's session must be scoped to its workspace: sessions.scoped(...)")
        info = {} if self.workspace is None else {WORKSPACE: self.workspace}
        turn = _writers_of(self.engine) if writing else None
        if seconds is None:
            with _turn(turn, SQLITE_BUSY_TIMEOUT_MS / 1000), factory(info=info) as session, session.begin():
                yield session
            return
        limit, outer = _Limit(seconds), _limit_here()
        _current.limit = limit
        try:
            # closing the session gives the connection back to the pool
            with _turn(turn, limit.own_timeout_ms() / 1000), factory(info=info) as session:
                with session.begin():
                    yield session
                    limit.saving = True
        except (exc.SQLAlchemyError, DatabaseTimeout) as error:
            # The database's own answer (a lock it waited for in vain, a read-only file) is the
            # better one, even when it came as late as the limit.
            if limit.expired and kind_of(error) in (None, FaultKind.NOT_ANSWERING, FaultKind.UNREACHABLE):
                raise DatabaseTimeout(seconds, while_saving=limit.saving) from error
            raise
        finally:
            limit.stop()
            _current.limit = outer

    def ping(self, timeout: float = 1.0) -> bool:
        """Whether the database answers a trivial query within `timeout` seconds; never waits longer."""
        return self._pinger.answers(timeout)

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


class _Pinger:
    """Pings the database on a thread of its own, one ping at a time: callers wait for the ping
    in flight at most as long as they choose, and a frozen server holds one thread, not many."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._in_flight: Future[bool] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planbot-ping")

    def answers(self, timeout: float) -> bool:
        with self._lock:
            if self._in_flight is None or self._in_flight.done():
                self._in_flight = self._thread.submit(self._ping, max(timeout, 1.0))
            ping = self._in_flight
        try:
            return ping.result(timeout=timeout)
        except FutureTimeout:
            return False

    def _ping(self, limit: float) -> bool:
        try:
            with self._sessions.read(limit=limit) as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - Alembic loads only when the schema changes

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command  # noqa: PLC0415 - Alembic loads only when the schema changes

    command.upgrade(_alembic_config(engine), revision)


def recorded_revisions(engine: Engine) -> list[str] | None:
    """The revisions the database's `alembic_version` table records (one, on a linear history),
    read with one plain query; None when it has no such table (a new database)."""
    with engine.connect() as connection:
        try:
            return list(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
        except exc.DBAPIError:
            return None


def is_up_to_date(engine: Engine) -> bool:
    if recorded_revisions(engine) == [HEAD_REVISION]:
        return True
    # Behind, new, or something else: Alembic's own answer, as ever (the schema is about to change).
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415

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
