"""A PostgreSQL server of the test run's own, that a test may freeze (SIGSTOP) and thaw.

The shared server (PLANBOT_TEST_POSTGRES_URL) is never frozen: other runs use it. This one is a
throwaway cluster (`initdb`, `pg_ctl`) on a free port, run as the `postgres` user when the tests
run as root. Without PostgreSQL's server binaries the tests that need it skip, except in CI.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.databases import PostgresDatabases

BINARIES = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")


def _bin_dir() -> Path | None:
    for pattern in BINARIES:
        for found in sorted(glob.glob(pattern), reverse=True):
            if (Path(found) / "initdb").exists() and (Path(found) / "pg_ctl").exists():
                return Path(found)
    found_on_path = shutil.which("pg_ctl")
    return Path(found_on_path).parent if found_on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivatePostgres:
    """A running cluster: `url`, fresh migrated databases from `databases`, and `frozen()`."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="planbot-private-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.databases = PostgresDatabases(self.url)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def processes(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, WAL writer…)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], check=False, capture_output=True,
                                  text=True).stdout
        return [postmaster, *(int(pid) for pid in children.split())]

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The whole server stopped (SIGSTOP): its kernel still accepts and acknowledges every
        byte, but nothing answers. Thawed (SIGCONT) on the way out, whatever happened."""
        stopped = self.processes()
        try:
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            for pid in self.processes():
                os.kill(pid, signal.SIGCONT)
        with contextlib.suppress(Exception):
            self.databases.drop_all()
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the frozen-PostgreSQL tests, but no PostgreSQL server binaries were found")
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) here: the frozen-database tests need them")
    server = PrivatePostgres(bin_dir)
    try:
        yield server
    finally:
        server.stop()
