"""The board paper benchmark runs end to end on a small plan and writes its table (timings are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_report_benchmark_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "report.md"
    run = subprocess.run(
        [sys.executable, "-m", "bench.report", "--quick", "--sizes", "10", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    table = output.read_text()
    assert table in run.stdout
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in table.splitlines() if line.startswith("| 10 |")]
    assert [r[1] for r in rows] == ["pdf", "docx", "html"]
    for cells in rows:
        assert float(cells[2]) > 0 and float(cells[3]) > 50 and float(cells[4]) > 10, cells  # seconds, MB, KB
