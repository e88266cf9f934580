"""`planbot report` (the board paper) for plans of 10, 1,000 and 10,000 actions, in each format:
seconds and peak memory.

    python -m bench.report [--sizes 10,1000,10000] [--formats pdf,docx,html] [--repeat 3]
                           [--output bench/results/report.md]
    python -m bench.report --quick      # 10 and 1,000 actions, once each: under a minute

Each plan is a big sample plan (bot/plan/big_sample.py: a quarter overdue, half of those revised
with a reason, an eighth complete) imported through the real importer into a fresh SQLite file.
Each measurement runs the real command line (`bot.cli.main(["report", …])`) in a process of its
own, so that its peak memory is its own: *seconds* is that call, from opening the database to the
file written (the libraries it loads on the way, matplotlib, fpdf2, python-docx, included; the
interpreter's start is not); *peak RSS* is the process's maximum resident memory; *bytes* is the
file's size. Medians over `--repeat` runs. The goal: the 1,000-action paper under 2 s in every
format, and no format's time growing faster than the plan.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 1_000, 10_000)
QUICK_SIZES = (10, 1_000)
FORMATS = ("pdf", "docx", "html")
CLOCK = "2026-11-22T10:00:00Z"  # bench.plans.NOW
GOAL_SIZE, GOAL_SECONDS = 1_000, 2.0


@dataclass(frozen=True)
class Run:
    size: int
    fmt: str
    seconds: float
    peak_mb: float
    size_bytes: int


def child(database_url: str, key: str, fmt: str, output: str) -> None:
    """One `planbot report` in this process; prints its seconds, peak RSS and file size as JSON."""
    os.environ.update(DATABASE_URL=database_url, PLANBOT_CLOCK_START=CLOCK)
    from bot.cli import main  # noqa: PLC0415 - the command line, as `planbot` runs it

    started = time.perf_counter()
    code = main(["report", key, "--format", fmt, "--output", output])
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(code)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "bytes": Path(output).stat().st_size}))


def _prepare(directory: Path, size: int) -> tuple[str, str]:
    from bench.plans import load  # noqa: PLC0415
    from storage.db import open_database  # noqa: PLC0415

    url = f"sqlite:///{directory / f'plan-{size}.db'}"
    sessions = open_database(url)
    key = load(sessions, size, channel="CBENCH")
    return url, key


def measure(sizes: tuple[int, ...], formats: tuple[str, ...], repeat: int) -> list[Run]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="planbot-bench-report-") as scratch:
        directory = Path(scratch)
        for size in sizes:
            url, key = _prepare(directory, size)
            for fmt in formats:
                seen = []
                for attempt in range(repeat):
                    out = directory / f"paper-{size}-{attempt}.{fmt}"
                    done = subprocess.run(
                        [sys.executable, "-m", "bench.report", "--child", url, key, fmt, str(out)],
                        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
                    if done.returncode != 0:
                        raise SystemExit(f"planbot report {key} --format {fmt} failed:\n{done.stderr[-3000:]}")
                    seen.append(json.loads(done.stdout.strip().splitlines()[-1]))
                runs.append(Run(size, fmt, statistics.median(s["seconds"] for s in seen),
                                statistics.median(s["peak_mb"] for s in seen), int(seen[-1]["bytes"])))
                print(f"  {size:>6,} actions, {fmt}: {runs[-1].seconds:.2f} s, {runs[-1].peak_mb:.0f} MB",
                      file=sys.stderr)
    return runs


def table(runs: list[Run], repeat: int, load: tuple[float, float]) -> str:
    lines = [
        f"`planbot report`, median of {repeat} run{'s' if repeat != 1 else ''} each, SQLite, on "
        f"{os.cpu_count()} CPUs (load average {load[0]:.1f} before, {load[1]:.1f} after).",
        "",
        "| actions | format | seconds | peak RSS (MB) | file (KB) | seconds per 1,000 actions |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        per = run.seconds / max(run.size, 1) * 1000
        lines.append(f"| {run.size:,} | {run.fmt} | {run.seconds:.2f} | {run.peak_mb:.0f} | "
                     f"{run.size_bytes / 1024:,.0f} | {per:.2f} |")
    goal = [r for r in runs if r.size == GOAL_SIZE]
    if goal:
        met = all(r.seconds < GOAL_SECONDS for r in goal)
        lines += ["", f"Goal (the {GOAL_SIZE:,}-action paper under {GOAL_SECONDS:g} s in every format): "
                      f"{'met' if met else 'not met'}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="plan sizes, comma-separated (default 10,1000,10000)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10 and 1,000 actions, once each")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "report.md"))
    parser.add_argument("--child", nargs=4, metavar=("URL", "KEY", "FORMAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else QUICK_SIZES if args.quick else SIZES
    repeat = 1 if args.quick else args.repeat
    formats = tuple(f.strip() for f in args.formats.split(","))
    before = os.getloadavg()[0]
    runs = measure(sizes, formats, repeat)
    text = table(runs, repeat, (before, os.getloadavg()[0]))
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
