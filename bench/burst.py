"""The 09:00 burst: every plan's monthly summary falls due at one minute while people click.

    python -m bench.burst [--quick] [--backend sqlite|postgresql] [--plans N] [--seconds S]
                          [--output bench/results/burst.md]

`--plans` plans (500 by default, 10 to 2,000 actions each, sizes spread evenly on a log scale)
are imported through the real importer (bot/plan/big_sample.py) into one database, each with a
channel of its own and the default monthly schedule, so that all their first summaries fall
due at 09:00 on Monday 1 March 2027. `planbot serve` itself runs them (`python -m bot.cli
serve`, its scheduler checking every second, reminders off) against the local Slack, which
holds `chat.postMessage` to one message a second a channel and answers 429 beyond.

A load generator sends signed `/plan status` requests and "Mark complete" clicks on the largest
plan, alternately, 4 in flight: first for `--seconds` with planbot's clock at 08:00 (nothing
due), then from 08:59:58 until every summary is posted. It reports ack p50 and p99 of both runs,
their ratio, how long the burst took, summaries a minute, and checks that each plan's summary
was posted exactly once (in the database and in Slack) with no post refused as rate limited.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import plans
from bench.ack_latency import BACKEND_NAMES, ROOT, OpenActions, complete_button, percentile, scratch_database, send_all
from bench.footprint import Serve
from bench.signed import Request, click, command
from bot.clock import utc_now
from bot.localslack import LocalSlack
from bot.plan.big_sample import big_sample_csv
from bot.plan.importer import import_plan
from bot.plan.spreadsheet import read_plan_csv
from bot.slack.poster import SUMMARY_EVENT
from storage.db import Sessions, open_database
from storage.kinds import PostState
from storage.models import SummaryPost

CREATED = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
SLOT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday 1 March 2027, 09:00 in London (GMT)
SMALLEST, LARGEST = 10, 2000
IN_FLIGHT = 4
ACK_P99_GOAL = 0.100
RATIO_GOAL = 2.0
BURST_TIMEOUT = 3600.0


def sizes(count: int, largest: int = LARGEST) -> list[int]:
    """`count` plan sizes from SMALLEST to `largest` actions, evenly spread on a log scale."""
    if count == 1:
        return [largest]
    return [round(SMALLEST * (largest / SMALLEST) ** (i / (count - 1))) for i in range(count)]


def channel(index: int) -> str:
    return f"CBURST{index:04d}"


def build(sessions: Sessions, count: int, largest: int = LARGEST) -> str:
    """Import the plans; the key of the largest, which the load generator uses."""
    for index, size in enumerate(sizes(count, largest)):
        rows = read_plan_csv(big_sample_csv(size, today=CREATED.date(),
                                            per_recommendation=plans.ACTIONS_PER_RECOMMENDATION))
        with sessions.begin() as session:
            import_plan(session, rows, key=f"b{index:04d}", actor=plans.CLI, now=CREATED,
                        title=f"Burst plan {index} of {size} actions", channel_id=channel(index),
                        admins=(plans.ADMIN,))
    key = f"b{count - 1:04d}"
    plans.hold_every_role(sessions, key, at=CREATED)
    plans.settle(sessions)
    return key


@dataclass
class Run:
    name: str
    latencies: list[float]
    errors: int

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


def load(port: int, key: str, actions: OpenActions, slack_base: str, *, seconds: float,
         until: Callable[[], bool] | None = None) -> Run:
    """Alternate status requests and clicks, 4 in flight, for `seconds` (or until `until()`)."""
    latencies: list[float] = []
    errors = 0
    started = time.monotonic()
    while True:
        batch: list[Request] = []
        for i, v in actions.take(20):
            batch.append(command(f"status {key}", user=plans.USER, team=plans.TEAM, channel="CLOAD",
                                 slack_base=slack_base))
            batch.append(click(complete_button(i, v, key), user=plans.USER, team=plans.TEAM, channel="CLOAD",
                               slack_base=slack_base))
        if not batch:
            actions.reopen_all()
            continue
        samples, _ = send_all(port, batch, IN_FLIGHT)
        latencies += [s.latency for s in samples]
        errors += sum(not s.ok for s in samples)
        elapsed = time.monotonic() - started
        if (until is None and elapsed >= seconds) or (until is not None and (until() or elapsed > BURST_TIMEOUT)):
            return Run("", latencies, errors)


def posted(sessions: Sessions) -> int:
    with sessions.read() as session:
        return session.scalar(select(func.count()).select_from(SummaryPost)
                              .where(SummaryPost.state == PostState.POSTED)) or 0


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one scenario, start to end
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 plans, 10 s of load without the burst")
    parser.add_argument("--backend", default="sqlite", choices=sorted(BACKEND_NAMES))
    parser.add_argument("--plans", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None, help="load without the burst (default 30)")
    parser.add_argument("--largest", type=int, default=LARGEST, help="actions in the largest plan")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "burst.md")
    args = parser.parse_args(argv)
    count = args.plans or (20 if args.quick else 500)
    seconds = args.seconds or (10.0 if args.quick else 30.0)
    load_before = os.getloadavg()[0]
    os.environ["PLANBOT_SCHEDULER_INTERVAL"] = "1"
    with tempfile.TemporaryDirectory(prefix="planbot-burst-") as tmp, \
            LocalSlack(accept_any_trigger_id=True, accept_any_response_url=True, keep=1000, paced=True) as slack, \
            scratch_database(args.backend, Path(tmp)) as url:
        slack.add_user(plans.USER, name="bench", tz="Europe/London")
        slack_base = slack.base_url
        sessions = open_database(url)
        began = time.perf_counter()
        key = build(sessions, count, args.largest)
        built = time.perf_counter() - began
        actions = OpenActions(sessions, key)
        log = Path(tmp) / "serve.log"
        say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
        say(f"built {count} plans ({sum(sizes(count, args.largest)):,} actions) in {built:.0f} s")

        quiet = Serve(url, slack_base, log, clock_start=SLOT - timedelta(hours=1), reminders=False)
        try:
            calm = load(quiet.port, key, actions, slack_base, seconds=seconds)
        finally:
            quiet.stop()
        say(f"no burst: ack p50 {calm.p50 * 1000:.1f} ms, p99 {calm.p99 * 1000:.1f} ms")
        assert posted(sessions) == 0, "a summary went out before it was due"
        actions.reopen_all()

        busy = Serve(url, slack_base, log, clock_start=SLOT - timedelta(seconds=2), reminders=False)
        burst_began = time.monotonic()
        try:
            burst = load(busy.port, key, actions, slack_base, seconds=0, until=lambda: posted(sessions) >= count)
            burst_seconds = time.monotonic() - burst_began
        finally:
            busy.stop()
        say(f"burst: ack p50 {burst.p50 * 1000:.1f} ms, p99 {burst.p99 * 1000:.1f} ms, {burst_seconds:.0f} s")
        done = posted(sessions)
        in_slack = Counter(i for i in range(count) for m in slack.messages(channel(i))
                           if (m.get("metadata") or {}).get("event_type") == SUMMARY_EVENT)
        once = sum(1 for i in range(count) if in_slack[i] == 1)
        limited = slack.refusal_counts().get("chat.postMessage: ratelimited", 0)
        sessions.engine.dispose()
    per_minute = done / burst_seconds * 60 if burst_seconds else 0.0
    ratio = burst.p99 / calm.p99
    when = utc_now().strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join([
        f"09:00 burst, {when}, on {os.cpu_count()} CPUs (load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after), {BACKEND_NAMES[args.backend]}: {count} plans of {SMALLEST:,} to "
        f"{args.largest:,} actions ({sum(sizes(count, args.largest)):,} in all, built in {built:.0f} s), "
        f"`/plan status` and \"Mark complete\" on the plan of {args.largest:,} alternately, {IN_FLIGHT} in flight. "
        "Times in ms.",
        "",
        "| run | requests | errors | ack p50 | ack p99 | summaries posted | posted once in Slack | 429s | seconds "
        "| summaries a minute |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| no burst (08:00) | {len(calm.latencies)} | {calm.errors} | {calm.p50 * 1000:.1f} | "
        f"{calm.p99 * 1000:.1f} | – | – | – | {seconds:.0f} | – |",
        f"| burst (09:00) | {len(burst.latencies)} | {burst.errors} | {burst.p50 * 1000:.1f} | "
        f"{burst.p99 * 1000:.1f} | {done} of {count} | {once} of {count} | {limited} | {burst_seconds:.0f} | "
        f"{per_minute:.0f} |",
        "",
        "| goal | measured | target | result |",
        "| --- | ---: | ---: | --- |",
        f"| ack p99 during the burst | {burst.p99 * 1000:.1f} ms | < {ACK_P99_GOAL * 1000:.0f} ms | "
        f"{'met' if burst.p99 < ACK_P99_GOAL else '**missed**'} |",
        f"| ack p99, burst ÷ no burst | {ratio:.2f}x | ≤ {RATIO_GOAL:g}x | "
        f"{'met' if ratio <= RATIO_GOAL else '**missed**'} |",
        f"| every summary posted once, none refused | {once} of {count}, {limited} refused | all, 0 | "
        f"{'met' if once == count == done and limited == 0 else '**missed**'} |",
    ]) + "\n"
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
