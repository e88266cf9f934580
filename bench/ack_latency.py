"""Ack latency and throughput of `/plan status` and "Mark complete", beside a bare Bolt app,
over HTTP and over Socket Mode.

    python -m bench.ack_latency [--quick] [--backends sqlite,postgresql] [--sizes 10,1000,10000]
                                [--requests N] [--transports http,socket_mode]
                                [--output bench/results/latest.md]

Each app runs in its own process (bench/apps.py) behind planbot's waitress server, the local
Slack (bot/localslack) in another (bench/fake.py), and this process sends signed requests over
keep-alive HTTP connections: one at a time, then with 4 in flight, after a warm-up. A bare
Bolt app that only acks is measured just before each database, with the same bodies. Plans
are imported through the real importer (bench/plans.py); each click completes a different
open action, and completed actions are reopened (through the reopen service, so each with
its audit event) between measured batches.

Over Socket Mode the same requests go as envelopes over the WebSocket of a local Slack in this
process (its `apps.connections.open` is all the apps ask it; their Web API calls still go to the
other one), and an ack's time is from sending the envelope until its ack was read, as Slack
times it. Each app connects as `planbot serve --socket` does, beside its HTTP server.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bench import plans
from bench.signed import Client, Request, click, command, signed_headers
from bot.clock import utc_now
from bot.localslack import LocalSlack, NotAcked, SocketMode, payloads
from bot.plan.rules import ActionStatus
from bot.plan.services import reopen
from bot.slack.ids import ActionButton, ActionId, ViewSpec
from storage.db import Sessions, normalise_url, open_database
from storage.models import Action, Plan, Recommendation

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "PLANBOT_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
THREADS = 8  # waitress worker threads, as `planbot serve` defaults to
IN_FLIGHT = (1, 4)
CHANNEL = "CBENCH"
STATUS = "/plan status"
COMPLETE = "Mark complete"
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
HTTP, SOCKET_MODE = "http", "socket_mode"
TRANSPORT_NAMES = {HTTP: "HTTP", SOCKET_MODE: "Socket Mode"}
ENVELOPE_ACK_WAIT = 30.0  # an envelope not acked by then is an error (Slack would have given up)
START_TIMEOUT = 60.0
ANNOUNCED_WORDS = 2  # a started process prints "WORD value"
# Goals the table is judged by: /plan status p99 at 10,000 actions (seconds), and 4-in-flight
# rates as a share of the bare app's.
STATUS_P99_GOAL = 0.100
RATE_GOAL = 0.5
REDRAWN_P99_GOAL = 0.250  # "Mark complete", 4 in flight, at 10,000 actions: until the message is redrawn
STATUS_ACK_RATIO_GOAL = 0.5  # /plan status ack median at 10,000 actions ÷ the bare app's
MIN_REQUESTS = 100  # a series stops at --requests, or at its time budget once it has this many


@dataclass
class Series:
    """One measured series: the same request, many times, at one concurrency."""

    app: str
    backend: str
    size: int | None
    request: str
    in_flight: int
    transport: str = HTTP
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall time spent measuring
    errors: int = 0
    first_error: str = ""
    statements: int | None = None  # SQL statements the app ran during the series
    # For clicks, whose work comes after the ack: until the clicked message was drawn again.
    redrawn: list[float] = field(default_factory=list)
    redraw_seconds: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def redrawn_rps(self) -> float:
        return len(self.redrawn) / self.redraw_seconds if self.redraw_seconds else 0.0

    def error(self, what: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or what

    @property
    def statements_per_request(self) -> float | None:
        return None if self.statements is None else self.statements / len(self.latencies)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: p99 of 400 values is the 396th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Child:
    """A process of ours that announces itself with one line, `WORD value`, on stdout."""

    def __init__(self, args: list[str], word: str, log: Path) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=self._log_file, env={**os.environ, "PYTHONPATH": str(ROOT)})
        stdout = self.process.stdout
        assert stdout is not None  # stdout=PIPE
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        announced = line[0].decode().split() if line else []
        if len(announced) != ANNOUNCED_WORDS or announced[0] != word:
            self.stop()
            raise RuntimeError(f"{' '.join(args)} did not start; its log:\n{self.tail()}")
        self.value = announced[1]

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class Server:
    """An app under test, served by bench/apps.py in its own process; with `socket`, connected
    to that local Slack over Socket Mode too."""

    def __init__(self, kind: str, database_url: str, slack_base: str, log: Path,
                 socket: LocalSlack | None = None) -> None:
        self.kind = kind
        self.slack_base = slack_base
        connect = ["--socket-api-url", socket.url, "--app-token", socket.socket_mode.app_token] if socket else []
        hellos = socket.socket_mode.hellos if socket else 0
        self.child = Child(["-m", "bench.apps", kind, "--database-url", database_url,
                            "--api-url", slack_base + "/api/", "--threads", str(THREADS), *connect], "PORT", log)
        self.port = int(self.child.value)
        self.url = f"http://127.0.0.1:{self.port}"
        self.socket = socket.socket_mode if socket else None
        if self.socket is not None:
            self.socket.wait_connected(hellos + 1, timeout=START_TIMEOUT)

    def statements(self) -> int:
        return int(get_json(self.url + "/bench/stats")["statements"])

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the app has finished its work after the last ack (responses, updates)."""
        deadline = time.monotonic() + timeout
        while get_json(self.url + "/bench/stats")["running"] and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self.child.stop()


@dataclass(frozen=True)
class Sample:
    request: Request
    sent: float  # epoch seconds, comparable with the fake Slack's clock
    latency: float  # seconds until the whole ack had arrived
    ok: bool
    reply: bytes


def send_all(port: int, requests: Sequence[Request], in_flight: int,
             stop_after: float = math.inf, at_least: int = 0) -> tuple[list[Sample], float]:
    """Send the requests `in_flight` at a time over keep-alive connections; the samples and wall time.

    After `stop_after` seconds no more are sent, once `at_least` have been.
    """
    samples: list[Sample] = []
    taken = [0]
    failures: list[BaseException] = []
    queue: Iterator[Request] = iter(requests)
    lock = threading.Lock()
    clients = [Client(port) for _ in range(min(in_flight, len(requests)))]
    start = threading.Barrier(len(clients) + 1)

    def worker(client: Client) -> None:
        start.wait()
        mine: list[Sample] = []
        try:
            while True:
                with lock:
                    late = time.perf_counter() - began > stop_after and taken[0] >= at_least
                    request = None if late else next(queue, None)
                    taken[0] += request is not None
                if request is None:
                    break
                headers = signed_headers(request)
                sent = time.time()
                status, body, elapsed = client.send(request, headers)
                mine.append(Sample(request, sent, elapsed, status == HTTPStatus.OK and b"went wrong" not in body, body))
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            failures.append(error)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    for c in clients:
        c.close()
    if failures:
        raise failures[0]
    if requests and not samples:
        raise RuntimeError("no request was sent")
    return samples, seconds


def send_envelopes(socket: SocketMode, requests: Sequence[Request], in_flight: int,
                   stop_after: float = math.inf, at_least: int = 0) -> tuple[list[Sample], float]:
    """As send_all, over Socket Mode: each request as the envelope Slack would send instead, and
    its latency from sending the envelope until its ack was read."""
    samples: list[Sample] = []
    taken = [0]
    queue: Iterator[Request] = iter(requests)
    lock = threading.Lock()
    workers = min(in_flight, len(requests))
    start = threading.Barrier(workers + 1)

    def worker() -> None:
        start.wait()
        mine: list[Sample] = []
        while True:
            with lock:
                late = time.perf_counter() - began > stop_after and taken[0] >= at_least
                request = None if late else next(queue, None)
                taken[0] += request is not None
            if request is None:
                break
            sent = time.time()
            envelope = socket.send(*payloads.socket_payload(request.body, request.content_type))
            try:
                ack = envelope.wait_ack(ENVELOPE_ACK_WAIT)
            except NotAcked as error:
                mine.append(Sample(request, sent, ENVELOPE_ACK_WAIT, False, str(error).encode()))
                continue
            reply = json.dumps(ack.payload).encode() if ack.payload else b""
            mine.append(Sample(request, sent, ack.elapsed, b"went wrong" not in reply, reply))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    if requests and not samples:
        raise RuntimeError("no envelope was sent")
    return samples, seconds


def send(server: Server, requests: Sequence[Request], in_flight: int,
         stop_after: float = math.inf, at_least: int = 0) -> tuple[list[Sample], float]:
    """Send over the server's transport: Socket Mode if it is connected so, else HTTP."""
    if server.socket is not None:
        return send_envelopes(server.socket, requests, in_flight, stop_after, at_least)
    return send_all(server.port, requests, in_flight, stop_after, at_least)


@contextmanager
def scratch_database(backend: str, workdir: Path) -> Iterator[str]:
    """A new, empty database for one run, dropped afterwards."""
    if backend == "sqlite":
        path = workdir / "bench.db"
        yield f"sqlite:///{path}"
        return
    server = make_url(normalise_url(os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"planbot_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class OpenActions:
    """The plan's open actions, handed out one per click; reopened in the database when used up."""

    def __init__(self, sessions: Sessions, key: str) -> None:
        self.sessions = sessions
        self.key = key
        with sessions.read() as session:
            self.ids: list[int] = list(session.scalars(
                select(Action.id)
                .join(Plan, Plan.id == Action.plan_id)
                .join(Recommendation, Recommendation.id == Action.recommendation_id)
                .where(Plan.key == key, Action.status != ActionStatus.COMPLETE.value)
                .order_by(Recommendation.number, Action.position)
            ))
        self.next = 0
        self.clicked: dict[str, int] = {}  # a click's response key -> the action it completes

    def take(self, count: int) -> list[tuple[int, int]]:
        """Up to `count` open actions as (id, version), none of them handed out before."""
        ids = self.ids[self.next:self.next + count]
        self.next += len(ids)
        with self.sessions.read() as session:
            versions = dict(session.execute(select(Action.id, Action.version).where(Action.id.in_(ids))).all())
        return [(i, versions[i]) for i in ids]

    def still_open(self, sent: list[Request]) -> int:
        """How many of the actions these clicks were on are not complete."""
        ids = [self.clicked.pop(request.response_key) for request in sent]
        self.clicked.clear()  # taken but not sent: the series ran out of time
        with self.sessions.read() as session:
            complete = session.scalars(select(Action.id).where(
                Action.id.in_(ids), Action.status == ActionStatus.COMPLETE.value)).all()
        return len(ids) - len(complete)

    def reopen_all(self) -> None:
        """Reopen the used actions that are complete, through the service, each with its audit event."""
        used = self.ids[:self.next]
        with self.sessions.begin() as session:
            complete = session.scalars(select(Action).where(
                Action.id.in_(used), Action.status == ActionStatus.COMPLETE.value).order_by(Action.id)).all()
            for action in complete:
                reopen(session, action, plans.CLI, plans.NOW, "reopened for the next benchmark batch")
        self.next = 0


def complete_button(action_id: int, version: int, key: str) -> dict[str, Any]:
    """The "Mark complete" button planbot puts on an open action in `/plan status`."""
    value = ActionButton(action_id=action_id, version=version, view=ViewSpec(kind="status", plan=key))
    return {"action_id": ActionId.COMPLETE.value, "block_id": f"action.{action_id}",
            "value": value.model_dump_json(), "text": {"type": "plain_text", "text": "Mark complete"}}


@dataclass
class Options:
    backends: list[str]
    sizes: list[int]
    requests: int
    warmup: int
    series_seconds: float  # the time budget of one series
    output: Path
    quick: bool
    transports: list[str] = field(default_factory=lambda: [HTTP])


class Bench:
    def __init__(self, options: Options, workdir: Path, say: Callable[[str], None]) -> None:
        self.options = options
        self.workdir = workdir
        self.say = say
        self.results: list[Series] = []
        self.fake = Child(["-m", "bench.fake"], "URL", workdir / "fake.log")
        self.slack_base = self.fake.value
        # Socket Mode's side of Slack: apps.connections.open and the WebSocket, in this process.
        self.socket = LocalSlack().start() if SOCKET_MODE in options.transports else None

    def close(self) -> None:
        self.fake.stop()
        if self.socket is not None:
            self.socket.stop()

    def server(self, kind: str, database_url: str, log: Path, transport: str) -> Server:
        return Server(kind, database_url, self.slack_base, log,
                      self.socket if transport == SOCKET_MODE else None)

    def status_request(self, key: str) -> Request:
        return command(f"status {key}", user=plans.USER, team=plans.TEAM, channel=CHANNEL,
                       slack_base=self.slack_base)

    def click_request(self, action_id: int, version: int, key: str) -> Request:
        return click(complete_button(action_id, version, key), user=plans.USER, team=plans.TEAM,
                     channel=CHANNEL, slack_base=self.slack_base)

    def measure(self, server: Server, series: Series, make: Callable[[int], list[Request]],
                unfinished: Callable[[list[Request]], int] | None = None) -> Series:
        """Run `series` in batches from `make(n)` (which may give fewer than n), counting SQL.

        `unfinished(sent)`, asked once the app is idle after each batch, says how many of the
        requests sent did not do what they should (a click that left its action open).
        """
        server.settle()
        before = server.statements()
        budget = self.options.series_seconds
        while len(series.latencies) < self.options.requests and (
                series.seconds < budget or len(series.latencies) < MIN_REQUESTS):
            batch = make(self.options.requests - len(series.latencies))
            samples, seconds = send(server, batch, series.in_flight, budget - series.seconds,
                                    MIN_REQUESTS - len(series.latencies))
            series.latencies += [s.latency for s in samples]
            series.seconds += seconds
            for sample in samples:
                if not sample.ok:
                    series.error(sample.reply.decode(errors="replace")[:300])
                elif series.request == STATUS and server.kind == "planbot" and b'"blocks"' not in sample.reply:
                    series.error(f"no blocks in the reply: {sample.reply[:200]!r}")
            if series.request == COMPLETE and server.kind == "planbot":
                self.redraws(server, series, samples)
            if unfinished is not None:
                server.settle()
                for _ in range(unfinished([sample.request for sample in samples])):
                    series.error("a clicked action was not complete afterwards")
        server.settle()
        series.statements = server.statements() - before if server.kind == "planbot" else None
        self.results.append(series)
        self.say(f"  {series.app:8} {TRANSPORT_NAMES[series.transport]:11} {series.backend:10} "
                 f"{series.size or '':>6} {series.request:14} "
                 f"x{series.in_flight}  p50 {series.p50 * 1000:7.1f} ms  p99 {series.p99 * 1000:7.1f} ms  "
                 f"{series.rps:6.1f}/s  errors {series.errors}"
                 + (f"  redrawn p50 {statistics.median(series.redrawn) * 1000:.1f} ms "
                    f"{series.redrawn_rps:.1f}/s" if series.redrawn else ""))
        if series.first_error:
            self.say(f"    first error: {series.first_error}")
        return series

    def redraws(self, server: Server, series: Series, samples: list[Sample]) -> None:
        """When each click's message was drawn again (its response URL posted to), once the app is idle."""
        server.settle()
        posted = {k: float(v) for k, v in get_json(self.slack_base + "/bench/responses").items()}
        done = [(posted[s.request.response_key], s) for s in samples if s.request.response_key in posted]
        for sample in samples:
            if sample.request.response_key not in posted:
                series.error("the clicked message was never drawn again")
        series.redrawn += [at - s.sent for at, s in done]
        if done:
            series.redraw_seconds += max(at for at, _ in done) - min(s.sent for s in samples)

    def warm(self, server: Server, make: Callable[[int], list[Request]]) -> None:
        for in_flight in IN_FLIGHT[::-1]:
            sent = 0
            while sent < self.options.warmup:
                batch = make(self.options.warmup - sent)
                send(server, batch, in_flight)
                sent += len(batch)
        server.settle()
        get_json(self.slack_base + "/bench/responses")

    def bare(self, backend: str, transport: str) -> None:
        key = plans.plan_key(1000)
        server = self.server("bare", "sqlite://", self.workdir / "bare.log", transport)

        def statuses(n: int) -> list[Request]:
            return [self.status_request(key) for _ in range(n)]

        def clicks(n: int) -> list[Request]:
            return [self.click_request(i + 1, 1, key) for i in range(n)]

        try:
            self.warm(server, statuses)
            self.warm(server, clicks)
            for in_flight in IN_FLIGHT:
                self.measure(server, Series("bare", backend, None, STATUS, in_flight, transport), statuses)
                self.measure(server, Series("bare", backend, None, COMPLETE, in_flight, transport), clicks)
        finally:
            server.stop()

    def planbot(self, backend: str, transport: str) -> None:
        with scratch_database(backend, self.workdir) as url:
            sessions = open_database(url)
            started = time.perf_counter()
            keys = {size: plans.load(sessions, size, channel=None) for size in self.options.sizes}
            plans.settle(sessions)
            self.say(f"  imported plans of {', '.join(map(str, self.options.sizes))} actions into "
                     f"{BACKEND_NAMES[backend]} in {time.perf_counter() - started:.0f} s")
            server = self.server("planbot", url, self.workdir / f"planbot-{backend}.log", transport)
            try:
                for size, key in keys.items():
                    actions = OpenActions(sessions, key)

                    def clicks(n: int, actions: OpenActions = actions, key: str = key) -> list[Request]:
                        batch = actions.take(n)
                        if not batch:
                            server.settle()
                            actions.reopen_all()
                            batch = actions.take(n)
                        requests = [self.click_request(i, v, key) for i, v in batch]
                        actions.clicked.update((r.response_key, i) for r, (i, _) in zip(requests, batch))
                        return requests

                    def statuses(n: int, key: str = key) -> list[Request]:
                        return [self.status_request(key) for _ in range(n)]

                    self.warm(server, statuses)
                    self.warm(server, clicks)
                    actions.clicked.clear()
                    for in_flight in IN_FLIGHT:
                        self.measure(server, Series("planbot", backend, size, STATUS, in_flight, transport),
                                     statuses)
                        self.measure(server, Series("planbot", backend, size, COMPLETE, in_flight, transport),
                                     clicks, actions.still_open)
                    server.settle()
            finally:
                server.stop()
                sessions.engine.dispose()
                if server.child.process.returncode not in (0, -15, None):
                    self.say(server.child.tail())

    def run(self) -> list[Series]:
        for backend in self.options.backends:
            for transport in self.options.transports:
                self.say(f"{BACKEND_NAMES[backend]}, {TRANSPORT_NAMES[transport]}:")
                self.bare(backend, transport)
                self.planbot(backend, transport)
        return self.results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def find_series(results: list[Series], app: str, backend: str, size: int | None, *, request: str,
                in_flight: int, transport: str = HTTP) -> Series | None:
    for s in results:
        if (s.app, s.backend, s.size, s.request, s.in_flight, s.transport) == (
                app, backend, size, request, in_flight, transport):
            return s
    return None


def app_name(series: Series) -> str:
    """The table's app cell: the app, and the transport when it is not HTTP."""
    return series.app if series.transport == HTTP else f"{series.app}, {TRANSPORT_NAMES[series.transport]}"


@dataclass(frozen=True)
class Goal:
    name: str
    backend: str
    measured: str
    target: str
    met: bool | None


def goals(results: list[Series], backends: list[str], transports: Sequence[str] = (HTTP,)) -> list[Goal]:
    """The goals for each backend and transport, each judged against the bare app on the same transport."""
    found: list[Goal] = []
    for transport in transports:
        named = "" if transport == HTTP else f"{TRANSPORT_NAMES[transport]}: "
        found += [Goal(named + g.name, g.backend, g.measured, g.target, g.met)
                  for g in transport_goals(results, backends, transport)]
    return found


def transport_goals(results: list[Series], backends: list[str], transport: str) -> list[Goal]:
    def get(app: str, backend: str, size: int | None, *, request: str, in_flight: int) -> Series | None:
        return find_series(results, app, backend, size, request=request, in_flight=in_flight, transport=transport)

    found: list[Goal] = []
    for backend in backends:
        db = BACKEND_NAMES[backend]
        big = get("planbot", backend, 10000, request=STATUS, in_flight=1)
        found.append(Goal("`/plan status` p99 at 10,000 actions", db,
                          f"{ms(big.p99)} ms" if big else "not measured", f"< {STATUS_P99_GOAL * 1000:.0f} ms",
                          big.p99 < STATUS_P99_GOAL if big else None))
        bare = get("bare", backend, None, request=STATUS, in_flight=1)
        for size, limit in ((1000, 1.5), (10000, 2.0)):
            s = get("planbot", backend, size, request=STATUS, in_flight=1)
            ratio = s.p50 / bare.p50 if s and bare else None
            found.append(Goal(f"`/plan status` median ÷ bare median at {size:,} actions", db,
                              f"{ratio:.2f}x" if ratio else "not measured", f"≤ {limit}x",
                              ratio <= limit if ratio else None))
        s = get("planbot", backend, 1000, request=STATUS, in_flight=4)
        b = get("bare", backend, None, request=STATUS, in_flight=4)
        ratio = s.rps / b.rps if s and b else None
        found.append(Goal("`/plan status`, 4 in flight: acks/s ÷ bare acks/s at 1,000 actions", db,
                          f"{ratio:.2f}" if ratio else "not measured", f"≥ {RATE_GOAL}",
                          ratio >= RATE_GOAL if ratio else None))
        # A click is acked before its work is done, so judge it by the work: redraws a second.
        for size in (1000, 10000):
            s = get("planbot", backend, size, request=COMPLETE, in_flight=4)
            b = get("bare", backend, None, request=COMPLETE, in_flight=4)
            acks = s.rps / b.rps if s and b else None
            done = s.redrawn_rps / b.rps if s and b and s.redrawn else None
            found.append(Goal(f"Mark complete, 4 in flight: redrawn/s (acks/s) ÷ bare acks/s at {size:,} actions", db,
                              f"{done or 0:.2f} ({acks:.2f})" if acks else "not measured", f"≥ {RATE_GOAL}",
                              (done or 0) >= RATE_GOAL if acks else None))
        s = get("planbot", backend, 10000, request=COMPLETE, in_flight=4)
        p99 = percentile(s.redrawn, 0.99) if s and s.redrawn else None
        found.append(Goal("Mark complete, 4 in flight: redrawn p99 at 10,000 actions", db,
                          f"{ms(p99)} ms" if p99 is not None else "not measured",
                          f"< {REDRAWN_P99_GOAL * 1000:.0f} ms", p99 < REDRAWN_P99_GOAL if p99 is not None else None))
        s = get("planbot", backend, 10000, request=STATUS, in_flight=1)
        ratio = s.p50 / bare.p50 if s and bare else None
        found.append(Goal("`/plan status` ack median ÷ bare median at 10,000 actions (goal 2)", db,
                          f"{ratio:.2f}x" if ratio else "not measured", f"≤ {STATUS_ACK_RATIO_GOAL}x",
                          ratio <= STATUS_ACK_RATIO_GOAL if ratio else None))
    return found


def report(results: list[Series], options: Options, elapsed: float, load: tuple[float, float]) -> str:
    when = utc_now().strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Ack latency, {when}: {platform.python_implementation()} {platform.python_version()} on "
        f"{os.cpu_count()} CPUs (load average {load[0]:.1f} before, {load[1]:.1f} after), waitress with "
        f"{THREADS} threads; a series is {options.requests} requests, or what {options.series_seconds:.0f} s "
        f"allow once it has {MIN_REQUESTS}, after {options.warmup} + {options.warmup} warm-up ones; "
        f"{elapsed / 60:.1f} minutes in all. "
        "Times in ms; \"redrawn\" is from sending a click until planbot had redrawn the clicked "
        "message (its work after the ack). Over Socket Mode an ack's time is from sending the "
        "envelope until its ack was read; each goal compares with the bare app on the same transport.",
        "",
        "| app | database | actions | request | in flight | requests | ack p50 | ack p99 | acks/s "
        "| redrawn p50 | redrawn p99 | redrawn/s | SQL/request | errors |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in results:
        sql = s.statements_per_request
        redrawn = (f"{ms(statistics.median(s.redrawn))} | {ms(percentile(s.redrawn, 0.99))} | {s.redrawn_rps:.0f}"
                   if s.redrawn else "– | – | –")
        lines.append(
            f"| {app_name(s)} | {BACKEND_NAMES[s.backend]} | {f'{s.size:,}' if s.size else '–'} | {s.request} | "
            f"{s.in_flight} | {len(s.latencies)} | {ms(s.p50)} | {ms(s.p99)} | {s.rps:.0f} | {redrawn} | "
            f"{'–' if sql is None else f'{sql:.1f}'} | {s.errors} |"
        )
    lines += ["", "| goal | database | measured | target | result |", "| --- | --- | ---: | ---: | --- |"]
    for g in goals(results, options.backends, options.transports):
        result = "not measured" if g.met is None else ("met" if g.met else "**missed**")
        lines.append(f"| {g.name} | {g.backend} | {g.measured} | {g.target} | {result} |")
    errors = [s for s in results if s.errors]
    if errors:
        lines += ["", "Errors (the first of each series):", ""]
        lines += [f"- {app_name(s)} {BACKEND_NAMES[s.backend]} {s.size or ''} {s.request} x{s.in_flight}: "
                  f"{s.errors}, first: `{s.first_error[:200]}`" for s in errors]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.ack_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sizes", default=None, help="plan sizes in actions (default 10,1000,10000; quick 10,1000)")
    parser.add_argument("--requests", type=int, default=None, help="measured requests a series (default 400; quick 30)")
    parser.add_argument("--transports", default=f"{HTTP},{SOCKET_MODE}",
                        help="http and/or socket_mode (default both)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    args = parser.parse_args(argv)
    transports = [t.strip() for t in args.transports.split(",") if t.strip()]
    if not transports or set(transports) - set(TRANSPORT_NAMES):
        parser.error(f"--transports takes {HTTP} and/or {SOCKET_MODE}")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - set(BACKEND_NAMES)
    if unknown:
        parser.error(f"unknown backend {', '.join(sorted(unknown))}; use sqlite and/or postgresql")
    sizes = [int(s) for s in (args.sizes or ("10,1000" if args.quick else "10,1000,10000")).split(",")]
    requests = args.requests or (30 if args.quick else 400)
    return Options(backends=backends, sizes=sizes, requests=requests,
                    warmup=max(5, requests // 20), series_seconds=3.0 if args.quick else 10.0, output=args.output,
                    quick=args.quick, transports=transports)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the apps and drop the database
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="planbot-bench-") as tmp:
        bench = Bench(options, Path(tmp), lambda line: print(line, file=sys.stderr, flush=True))
        try:
            results = bench.run()
        finally:
            bench.close()
    table = report(results, options, time.perf_counter() - started, (load_before, os.getloadavg()[0]))
    print(table)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
