"""The reminders benchmark runs end to end on a small plan and writes its table (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reminders_benchmark_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "reminders.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench.reminders", "--people", "12", "--actions-each", "3", "--repeat", "1",
         "--backends", "sqlite", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    table = output.read_text()
    assert table in run.stdout
    rows = {line.split("|")[2].strip(): [c.strip() for c in line.split("|")[1:-1]]
            for line in table.splitlines() if line.startswith("| SQLite |")}
    # One DM a person (and the admin); DMs opened and timezones asked once, in the first run only.
    assert rows["first"][2] == "13" and rows["first"][7:10] == ["13", "13", "13"]
    assert rows["next week"][2] == "13" and rows["next week"][7:10] == ["13", "0", "0"]
