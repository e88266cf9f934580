"""A running sandbox per test: `planbot sandbox` as `Sandbox.start` builds it, on a fresh database
in the test's own directory, served on a free port of 127.0.0.1, its clock pinned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.conftest import NOW, refusals_report


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    running = Sandbox.start(database_url=f"sqlite:///{tmp_path / 'sandbox.db'}", port=0, clock=lambda: NOW)
    running.serve_in_thread()
    yield running
    report = refusals_report(running.slack)
    running.close()
    if report:
        pytest.fail(report, pytrace=False)
