"""`planbot serve`'s footprint: how soon it answers /healthz from a cold start, and its memory.

    python -m bench.footprint [--quick] [--backends sqlite,postgresql] [--size 10000]
                              [--clicks N] [--starts N] [--output bench/results/footprint.md]

For each database a plan of `--size` actions is imported through the real importer
(bench/plans.py), and the local Slack (bench/fake.py) runs in its own process. Then `planbot
serve` itself (`python -m bot.cli serve`, scheduler and reminders on, as deployed) is started
`--starts` times: each start is timed from launching the process until `GET /healthz` answers
200, and its resident memory (VmRSS) read there. One more start is then loaded: `/plan status`
of the plan, page by page for 10 pages, then `--clicks` "Mark complete" clicks with 4 in flight
(each on a different open action); its VmRSS and peak (VmHWM) are read after each. A bare Bolt
app (bench/apps.py) started the same way gives the floor: what Python, Bolt, slack_sdk and
waitress hold before planbot does anything.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

from bench import plans
from bench.ack_latency import (
    BACKEND_NAMES,
    CHANNEL,
    ROOT,
    Child,
    OpenActions,
    complete_button,
    scratch_database,
    send_all,
)
from bench.signed import BOT_TOKEN, SIGNING_SECRET, click, command
from bot.clock import utc_now
from bot.slack.ids import ActionId, ViewSpec
from storage.db import open_database

RSS_GOAL_MB = 150.0
COLD_START_GOAL_S = 1.0
IN_FLIGHT = 4
STATUS_PAGES = 10
START_TIMEOUT = 30.0


@dataclass
class Footprint:
    backend: str
    starts: list[float]  # seconds from launch to /healthz 200
    started_mb: list[float]  # VmRSS at that moment
    loaded_mb: float = 0.0  # after the plan's status pages
    clicked_mb: float = 0.0  # after the click load
    peak_mb: float = 0.0  # VmHWM after the click load
    clicks: int = 0
    click_errors: int = 0
    bare_mb: float = 0.0  # a bare Bolt app, started


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status == HTTPStatus.OK)
    except (urllib.error.URLError, OSError):
        return False


class Serve:
    """`planbot serve` in a process of its own, started cold."""

    def __init__(self, database_url: str, slack_base: str, log: Path, *, clock_start: datetime = plans.NOW,
                 reminders: bool = True) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack_base + "/api/",
               "DATABASE_URL": database_url, "PLANBOT_CLOCK_START": clock_start.isoformat()}
        self._log = log.open("ab")
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             *([] if reminders else ["--no-reminders"])],
            cwd=ROOT, env=env, stdout=self._log, stderr=self._log)
        while not healthy(self.port):
            if self.process.poll() is not None or time.perf_counter() - began > START_TIMEOUT:
                self.stop()
                raise RuntimeError(f"planbot serve did not start; see {log}")
            time.sleep(0.005)
        self.started_in = time.perf_counter() - began

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def measure(backend: str, *, size: int, clicks: int, starts: int, workdir: Path, slack_base: str) -> Footprint:
    with scratch_database(backend, workdir) as url:
        sessions = open_database(url)
        key = plans.load(sessions, size)
        plans.settle(sessions)
        result = Footprint(backend, [], [])
        log = workdir / f"serve-{backend}.log"
        for _ in range(starts):
            serve = Serve(url, slack_base, log)
            result.starts.append(serve.started_in)
            result.started_mb.append(memory_mb(serve.process.pid)[0])
            serve.stop()
        serve = Serve(url, slack_base, log)
        try:
            pages = [command(f"status {key}", user=plans.USER, team=plans.TEAM, channel=CHANNEL,
                             slack_base=slack_base)]
            pages += [click(page_button(key, offset), user=plans.USER, team=plans.TEAM, channel=CHANNEL,
                            slack_base=slack_base) for offset in range(12, 12 * STATUS_PAGES, 12)]
            send_all(serve.port, pages, 1)
            result.loaded_mb = memory_mb(serve.process.pid)[0]
            actions = OpenActions(sessions, key)
            batch = [click(complete_button(i, v, key), user=plans.USER, team=plans.TEAM, channel=CHANNEL,
                           slack_base=slack_base) for i, v in actions.take(clicks)]
            samples, _ = send_all(serve.port, batch, IN_FLIGHT)
            time.sleep(2.0)  # the work after the last acks (redraws, App Home)
            result.clicks = len(samples)
            result.click_errors = sum(not s.ok for s in samples)
            result.clicked_mb, result.peak_mb = memory_mb(serve.process.pid)
        finally:
            serve.stop()
            sessions.engine.dispose()
    bare = Child(["-m", "bench.apps", "bare", "--database-url", "sqlite://", "--api-url", slack_base + "/api/"],
                 "PORT", workdir / "bare.log")
    try:
        result.bare_mb = memory_mb(bare.process.pid)[0]
    finally:
        bare.stop()
    return result


def page_button(key: str, offset: int) -> dict[str, object]:
    """The "Next page" button of `/plan status` at `offset`."""
    spec = ViewSpec(kind="status", plan=key, offset=offset)
    return {"action_id": ActionId.NEXT_PAGE.value, "block_id": "nav", "value": spec.model_dump_json(),
            "text": {"type": "plain_text", "text": "Next page"}}


def report(results: list[Footprint], size: int, load: tuple[float, float]) -> str:
    when = utc_now().strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Footprint, {when}, on {os.cpu_count()} CPUs (load average {load[0]:.1f} before, {load[1]:.1f} after): "
        f"`planbot serve` with a plan of {size:,} actions; cold start is launch to /healthz 200 (median of "
        f"{len(results[0].starts) if results else 0}); memory is VmRSS in MB.",
        "",
        "| database | cold start p50 (s) | cold start max (s) | RSS started | RSS plan loaded | RSS after clicks "
        "| peak RSS | clicks | errors | bare Bolt app RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| {BACKEND_NAMES[r.backend]} | {statistics.median(r.starts):.2f} | {max(r.starts):.2f} | "
                     f"{statistics.median(r.started_mb):.0f} | {r.loaded_mb:.0f} | {r.clicked_mb:.0f} | "
                     f"{r.peak_mb:.0f} | {r.clicks} | {r.click_errors} | {r.bare_mb:.0f} |")
    lines += ["", "| goal | database | measured | target | result |", "| --- | --- | ---: | ---: | --- |"]
    for r in results:
        db = BACKEND_NAMES[r.backend]
        start = statistics.median(r.starts)
        lines.append(f"| cold start to /healthz 200 | {db} | {start:.2f} s | < {COLD_START_GOAL_S:g} s | "
                     f"{'met' if start < COLD_START_GOAL_S else '**missed**'} |")
        most = max(r.loaded_mb, r.peak_mb)
        lines.append(f"| RSS, plan loaded and after the clicks (peak) | {db} | {most:.0f} MB | < {RSS_GOAL_MB:g} MB | "
                     f"{'met' if most < RSS_GOAL_MB else '**missed**'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.footprint", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a plan of 1,000 actions, 40 clicks, 2 starts")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--clicks", type=int, default=None)
    parser.add_argument("--starts", type=int, default=None)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "footprint.md")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    size = args.size or (1000 if args.quick else 10000)
    clicks = args.clicks or (40 if args.quick else 400)
    starts = args.starts or (2 if args.quick else 5)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="planbot-footprint-") as tmp:
        fake = Child(["-m", "bench.fake"], "URL", Path(tmp) / "fake.log")
        try:
            results = [measure(b, size=size, clicks=clicks, starts=starts, workdir=Path(tmp), slack_base=fake.value)
                       for b in backends]
        finally:
            fake.stop()
    table = report(results, size, (load_before, os.getloadavg()[0]))
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
