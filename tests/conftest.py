"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL, and a
local Slack (bot/localslack) that fails the test on any refusal the test did not expect.

PostgreSQL comes from PLANBOT_TEST_POSTGRES_URL (a server URL whose user may create
databases; `.ci/run` starts one and sets it). Without it the PostgreSQL cases skip locally,
and fail in CI (CI=true), so they can never go missing silently.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.localslack import LocalSlack
from bot.plan.services import Actor
from storage.db import Sessions, make_engine, normalise_url, upgrade
from tests.helpers.databases import PostgresDatabases
from tests.helpers.privatepg import private_postgres  # noqa: F401  (a fixture)
from tests.helpers.slackharness import planbot, transport  # noqa: F401  (fixtures)
from tests.helpers.workspaces import installed, many  # noqa: F401  (fixtures)

POSTGRES_ENV = "PLANBOT_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_long_collections() -> Iterator[None]:
    """Keep the garbage collector's pauses short in this one long-lived process.

    The servers under test run in the test process, beside what 1,200 tests leave behind; a full
    collection scans all of it while every thread waits, and late in a run that pause grew past
    half a second, landing on whatever request was in flight (an ack measured at 3.2 s). A real
    planbot process has its own small heap. So after each test the garbage goes, and what
    survives is frozen out of later collections' scans."""
    yield
    gc.collect()
    gc.freeze()


def postgres_server_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return normalise_url(url)
    if os.environ.get("CI"):
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL tests")
    return None


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    url = postgres_server_url()
    if url is None:
        yield None
        return
    databases = PostgresDatabases(url)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "planbot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _database_url(backend: str, migrated: bool, tmp_path: Path, sqlite_template: Path,
                  postgres_databases: PostgresDatabases | None) -> str:
    if backend == "postgresql":
        if postgres_databases is None:
            pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
        return postgres_databases.fresh(migrated)
    path = tmp_path / "planbot.db"
    if migrated:
        shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, sqlite_template: Path,
                 postgres_databases: PostgresDatabases | None) -> str:
    """A fresh database with the current schema and no data."""
    return _database_url(backend, True, tmp_path, sqlite_template, postgres_databases)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, sqlite_template: Path,
                       postgres_databases: PostgresDatabases | None) -> str:
    """A fresh database with no schema at all."""
    return _database_url(backend, False, tmp_path, sqlite_template, postgres_databases)


@pytest.fixture
def postgres_url(tmp_path: Path, sqlite_template: Path, postgres_databases: PostgresDatabases | None) -> str:
    """For tests that are about PostgreSQL itself (real concurrent connections)."""
    return _database_url("postgresql", True, tmp_path, sqlite_template, postgres_databases)


@pytest.fixture
def sessions(database_url: str) -> Iterator[Sessions]:
    s = Sessions(make_engine(database_url))
    yield s
    s.engine.dispose()


def refusals_report(slack: LocalSlack) -> str | None:
    """What the local Slack refused that the test did not say it expected, or None."""
    unexpected = slack.unexpected_refusals()
    if not unexpected:
        return None
    return (f"the local Slack refused {len(unexpected)} call(s) the test did not expect "
            "(say so with fake_slack.expect_refusal(error) if it should):\n"
            + "\n".join(f"  {refusal}" for refusal in unexpected))


@pytest.fixture
def fake_slack() -> Iterator[LocalSlack]:
    """A local Slack for one test; the test fails if Slack would have refused any call it made."""
    with LocalSlack() as slack:
        yield slack
        report = refusals_report(slack)
    if report:
        pytest.fail(report, pytrace=False)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def cli_actor() -> Actor:
    return Actor.cli("test")
