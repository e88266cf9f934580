"""When the database cannot be written or reached, the command line says why and what to do:
a read-only file, a read-only filesystem, a full disk, a PostgreSQL server that is down. Never
a traceback, and the data already there is kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from storage.db import Sessions, make_engine
from storage.faults import FaultKind, describe
from tests.helpers.plans import PEER_REVIEW_CSV, big_plan_csv

SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}


def planbot(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url, **env}, timeout=120)


@pytest.fixture
def imported(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "planbot.db"
    shutil.copy(sqlite_template, path)
    result = planbot(f"sqlite:///{path}", "import", str(PEER_REVIEW_CSV), "--plan", "ppr",
                     "--channel", "CPLAN")
    assert result.returncode == 0, result.stderr
    return path


def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          check=False, capture_output=True).returncode == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small filesystem of its own (root can mount one; elsewhere these tests say why they skip)."""
    where = tmp_path / "disk"
    if not _mount_tmpfs(where, "size=400k"):
        pytest.skip("mounting a small tmpfs needs root: the full-disk and read-only-filesystem cases need one")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _exported(path: Path) -> str:
    result = planbot(f"sqlite:///{path}", "export", "ppr")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_read_only_database_file_is_named_and_nothing_changes(imported: Path):
    before = _exported(imported)
    read_only = f"sqlite:///file:{imported}?mode=ro&uri=true"
    result = planbot(read_only, "import", str(PEER_REVIEW_CSV), "--plan", "second")
    assert result.returncode == 1
    assert f"The database file {imported} is read-only" in result.stderr
    assert "Traceback" not in result.stderr
    assert _exported(imported) == before


def test_serve_on_a_read_only_database_says_so_and_exits_2(imported: Path):
    result = planbot(f"sqlite:///file:{imported}?mode=ro&uri=true", "serve", "--port", "0", **SLACK_ENV)
    assert result.returncode == 2
    assert "planbot serve cannot start: The database file" in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr


def test_summary_post_on_a_read_only_database_names_the_cause(imported: Path):
    result = planbot(f"sqlite:///file:{imported}?mode=ro&uri=true", "summary", "ppr", "--post",
                     SLACK_API_URL="http://127.0.0.1:9/api/", **SLACK_ENV)
    assert result.returncode == 1 and "read-only" in result.stderr and "Traceback" not in result.stderr


def test_a_read_only_filesystem_is_named(imported: Path, tmpfs: Path):
    path = tmpfs / "planbot.db"
    shutil.copy(imported, path)
    assert subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=False, capture_output=True).returncode == 0
    result = planbot(f"sqlite:///{path}", "import", str(PEER_REVIEW_CSV), "--plan", "second")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is on a read-only filesystem" in result.stderr
    assert subprocess.run(["mount", "-o", "remount,rw", str(tmpfs)], check=False, capture_output=True).returncode == 0
    assert _exported(path) == _exported(imported)


def test_a_full_disk_is_named_and_the_plan_already_there_is_kept(imported: Path, tmpfs: Path, tmp_path: Path):
    path = tmpfs / "planbot.db"
    shutil.copy(imported, path)
    before = _exported(path)
    big = tmp_path / "big.csv"
    big.write_text(big_plan_csv(3000))
    result = planbot(f"sqlite:///{path}", "import", str(big), "--plan", "big")
    assert result.returncode == 1, result.stdout
    assert "is full, so planbot cannot save anything" in result.stderr and "Traceback" not in result.stderr
    assert _exported(path) == before


def test_a_postgresql_server_that_is_down_is_named():
    result = planbot("postgresql://planbot@127.0.0.1:9/planbot", "status")
    assert result.returncode == 1
    assert "cannot connect to the database server at 127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_sqlite_database_is_described_as_a_full_disk(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'full.db'}"
    sessions = Sessions(make_engine(url))
    with pytest.raises(OperationalError) as raised, sessions.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x BLOB)")
        connection.exec_driver_sql("PRAGMA max_page_count = 3")
        for _ in range(100):
            connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(4000))")
    fault = describe(raised.value, url)
    assert fault is not None and fault.kind is FaultKind.DISK_FULL
    sessions.engine.dispose()
