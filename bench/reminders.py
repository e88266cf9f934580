"""One reminder run over a big plan: its time, its SQL statements and its Web API calls.

    python -m bench.reminders [--people 1000] [--actions-each 10] [--repeat 3]
                              [--backends sqlite,postgresql] [--output bench/results/reminders.md]

A plan of people × actions-each actions (10,000 by default) is imported through the real
importer, each person holding one role that owns their actions: some overdue, some due soon,
some later. The local Slack (bot/localslack) runs in its own process and knows every person.
Two runs are measured, each on a fresh copy of the database, `--repeat` times:

- *first*: Monday 1 March 2027, nobody known yet: Slack is asked each person's timezone and
  each DM is opened (users.info and conversations.open once per person, ever);
- *next week*: Monday 8 March, after the first run: overdue actions are due again, timezones
  and DM channels are known, so only chat.postMessage is called.

DMs are not paced (`pace=0`), so no time goes on the waits a real run makes to stay inside Slack's
rate limits (one DM a second by default). *Wall* includes waiting for each answer of the local
Slack (another process on the same machine); *own CPU* is this process's CPU time over the run,
the run's own work. Medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.localslack import LocalSlack
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from bot.reminding import run_reminders
from bot.slack.reminders import SlackCourier
from storage.db import Sessions, make_engine, normalise_url, upgrade

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "PLANBOT_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
FIRST = datetime(2027, 3, 1, 9, 5, tzinfo=UTC)
NEXT_WEEK = FIRST + timedelta(days=7)
ADMIN = "UBENCHADMIN"
TEAM = "T1"
CLI = Actor.cli("bench")
# Each person's actions, in days from 1 March 2027: overdue, due near, due soon, later.
OFFSETS = (-30, -23, -16, -9, -2, 2, 5, 12, 19, 26, 33, 40)


def person(n: int) -> str:
    return f"UP{n:05d}"


def plan_csv(people: int, actions_each: int) -> str:
    rows = ["Recommendation,Actions,Owner,Delivery Date,Status"]
    for k in range(actions_each):
        for p in range(people):
            n = k * people + p
            due = FIRST.date() + timedelta(days=OFFSETS[k % len(OFFSETS)])
            recommendation = f"{n // 10 + 1}) Recommendation {n // 10 + 1}" if n % 10 == 0 else ""
            rows.append(f"{recommendation},Action {n + 1} of person {p},Role {p:05d},{due:%d/%m/%Y},In progress")
    return "\n".join(rows) + "\n"


def load(sessions: Sessions, people: int, actions_each: int) -> None:
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(plan_csv(people, actions_each)), key="bench", actor=CLI,
                    now=FIRST - timedelta(days=60), title="Benchmark plan", admins=(ADMIN,))
    with sessions.begin() as session:
        plan = get_plan(session, "bench")
        for p in range(people):
            map_role(session, plan, CLI, FIRST - timedelta(days=60), f"Role {p:05d}", person(p), org_id=TEAM)


def serve_slack(people: int) -> int:
    """`--serve-slack N`: a local Slack that knows N people (and the admin), until stdin closes."""
    slack = LocalSlack(keep=1_000)
    for p in range(people):
        slack.add_user(person(p), name=f"p{p}", tz="Europe/London")
    slack.add_user(ADMIN, name="admin", tz="Europe/London")
    slack.add_route("/bench/calls", lambda: {"calls": slack.counts(), "refused": slack.refusal_counts()})
    with slack:
        print(f"URL {slack.base_url}", flush=True)
        sys.stdin.read()
    return 0


@contextmanager
def local_slack(people: int) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "bench.reminders", "--serve-slack", str(people)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("URL "):
            raise RuntimeError(f"the local Slack did not start: {line!r}")
        yield line.split()[1]
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def calls(base: str) -> dict[str, int]:
    with urllib.request.urlopen(base + "/bench/calls", timeout=10) as response:
        counted: dict[str, int] = json.loads(response.read())["calls"]
        return counted


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall clock, waiting on the local Slack's answers included
    cpu: float  # this process's CPU time: the run's own work
    statements: int
    dms: int
    api: dict[str, int]


def run_once(sessions: Sessions, base: str, at: datetime) -> Measured:
    settings = Settings(slack_bot_token=SecretStr("xoxb-bench"), slack_api_url=base + "/api/")
    courier = SlackCourier.from_settings(settings, backoff=0.05)
    seen = [0]

    def count(*_: object) -> None:
        seen[0] += 1

    before = calls(base)
    event.listen(sessions.engine, "before_cursor_execute", count)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = run_reminders(sessions, courier, clock=lambda: at, worker="bench", pace=0.0)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        event.remove(sessions.engine, "before_cursor_execute", count)
    after = calls(base)
    if not report.ok:
        raise RuntimeError(f"the run failed: {[o.error for o in report.of('failed', 'lost')][:3]}")
    api = {m: after.get(m, 0) - before.get(m, 0) for m in ("chat.postMessage", "conversations.open", "users.info",
                                                           "conversations.history")}
    return Measured(seconds, cpu, seen[0], len(report.of("sent")), api)


class Databases:
    """A loaded template database and fresh copies of it, for one backend."""

    def __init__(self, backend: str, people: int, actions_each: int, workdir: Path) -> None:
        self.backend = backend
        self.copies: list[str] = []
        if backend == "sqlite":
            self.template = str(workdir / "template.db")
            url = f"sqlite:///{self.template}"
        else:
            server = make_url(normalise_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)))
            self.admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
            self.server = server
            self.template = f"planbot_bench_reminders_{uuid.uuid4().hex[:8]}"
            self._sql(f'CREATE DATABASE "{self.template}"')
            self.copies.append(self.template)
            url = server.set(database=self.template).render_as_string(hide_password=False)
        engine = make_engine(url)
        upgrade(engine)
        load(Sessions(engine), people, actions_each)
        engine.dispose()

    def _sql(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def fresh(self, workdir: Path) -> Sessions:
        if self.backend == "sqlite":
            path = workdir / f"copy{len(self.copies)}.db"
            shutil.copy(self.template, path)
            self.copies.append(str(path))
            return Sessions(make_engine(f"sqlite:///{path}"))
        name = f"{self.template}_{len(self.copies)}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.copies.append(name)
        return Sessions(make_engine(self.server.set(database=name).render_as_string(hide_password=False)))

    def drop(self) -> None:
        if self.backend == "postgresql":
            for name in reversed(self.copies):
                self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


def measure(backend: str, people: int, actions_each: int, repeat: int, *, base: str,
            workdir: Path) -> dict[str, list[Measured]]:
    databases = Databases(backend, people, actions_each, workdir)
    found: dict[str, list[Measured]] = {"first": [], "next week": []}
    try:
        for _ in range(repeat):
            sessions = databases.fresh(workdir)
            try:
                found["first"].append(run_once(sessions, base, FIRST))
                found["next week"].append(run_once(sessions, base, NEXT_WEEK))
            finally:
                sessions.engine.dispose()
    finally:
        databases.drop()
    return found


def table(results: dict[str, dict[str, list[Measured]]], people: int, actions_each: int, repeat: int) -> str:
    lines = [
        f"Reminder runs over a plan of {people * actions_each:,} actions held by {people:,} people "
        f"(median of {repeat}; DMs not paced; load average {os.getloadavg()[0]:.1f} at the end).",
        "",
        "| database | run | DMs | wall (s) | own CPU (s) | SQL statements | per DM | chat.postMessage "
        "| conversations.open | users.info | conversations.history |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for backend, runs in results.items():
        for name, measured in runs.items():
            seconds = statistics.median(m.seconds for m in measured)
            cpu = statistics.median(m.cpu for m in measured)
            last = measured[-1]
            lines.append(
                f"| {backend} | {name} | {last.dms:,} | {seconds:.2f} | {cpu:.2f} | {last.statements:,} | "
                f"{last.statements / max(last.dms, 1):.1f} | {last.api['chat.postMessage']:,} | "
                f"{last.api['conversations.open']:,} | {last.api['users.info']:,} | "
                f"{last.api['conversations.history']:,} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--actions-each", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "reminders.md"))
    parser.add_argument("--serve-slack", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_slack is not None:
        return serve_slack(args.serve_slack)
    results: dict[str, dict[str, list[Measured]]] = {}
    with tempfile.TemporaryDirectory() as scratch, local_slack(args.people) as base:
        for backend in args.backends.split(","):
            name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
            results[name] = measure(backend, args.people, args.actions_each, args.repeat, base=base,
                                    workdir=Path(scratch))
    output = table(results, args.people, args.actions_each, args.repeat)
    print(output)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
