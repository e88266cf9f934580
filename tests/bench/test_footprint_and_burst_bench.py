"""The footprint and 09:00 burst benchmarks run end to end, small, and write their tables
(timings are not asserted; what they check of planbot's behaviour is)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], output: Path) -> str:
    done = subprocess.run([sys.executable, "-m", *args, "--output", str(output)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    table = output.read_text()
    assert table in done.stdout
    return table


def test_footprint_benchmark_starts_planbot_serve_and_writes_its_table(tmp_path: Path) -> None:
    table = run(["bench.footprint", "--backends", "sqlite", "--size", "100", "--clicks", "8", "--starts", "1"],
                tmp_path / "footprint.md")
    [row] = [line.split("|")[1:-1] for line in table.splitlines() if line.startswith("| SQLite | ")]
    cells = [c.strip() for c in row]
    assert cells[7:9] == ["8", "0"]  # every click answered
    assert all(float(c) > 0 for c in cells[1:7] + cells[9:])  # started, and memory read at each step
    assert "| cold start to /healthz 200 | SQLite |" in table


def test_burst_benchmark_posts_every_summary_once_and_writes_its_table(tmp_path: Path) -> None:
    table = run(["bench.burst", "--plans", "3", "--largest", "40", "--seconds", "2"], tmp_path / "burst.md")
    [burst] = [[c.strip() for c in line.split("|")[1:-1]] for line in table.splitlines()
               if line.startswith("| burst (09:00) |")]
    assert burst[2] == "0"  # no request failed
    assert burst[5:8] == ["3 of 3", "3 of 3", "0"]  # posted, each once in Slack, none refused
    assert "| every summary posted once, none refused | 3 of 3, 0 refused | all, 0 | met |" in table
