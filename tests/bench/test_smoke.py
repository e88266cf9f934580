"""The benchmark script runs end to end, over HTTP and Socket Mode, and writes its table
(timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ack_latency_benchmark_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "latest.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench.ack_latency", "--quick", "--backends", "sqlite", "--sizes", "10",
         "--requests", "4", "--output", str(output)],
        cwd=ROOT, check=False, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    table = output.read_text()
    assert table in run.stdout
    for row in ("| bare | SQLite | – | /plan status | 1 |", "| bare | SQLite | – | Mark complete | 4 |",
                "| planbot | SQLite | 10 | /plan status | 4 |", "| planbot | SQLite | 10 | Mark complete | 1 |",
                "| bare, Socket Mode | SQLite | – | /plan status | 4 |",
                "| bare, Socket Mode | SQLite | – | Mark complete | 1 |"):
        assert row in table
    assert "| `/plan status` p99 at 10,000 actions | SQLite | not measured |" in table
    assert "| Socket Mode: `/plan status` p99 at 10,000 actions | SQLite | not measured |" in table
    rows = [line.split("|") for line in table.splitlines()
            if line.startswith(("| planbot | SQLite | 10 |", "| planbot, Socket Mode | SQLite | 10 |"))]
    assert len(rows) == 8
    for cells in rows:
        # Every request answered without error, and planbot really ran SQL (its listeners worked).
        assert cells[-2].strip() == "0", "|".join(cells)
        assert float(cells[-3]) > 0, "|".join(cells)
