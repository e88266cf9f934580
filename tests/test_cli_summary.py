"""`planbot summary`, `planbot schedule` and the scheduler inside `planbot serve`, run as a user
would: the real console entry point in a subprocess, talking to the fake Slack over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.plan.publishing import set_schedule
from bot.plan.queries import get_plan
from bot.plan.services import Actor
from storage.models import SummaryPost
from tests.helpers.plans import load
from tests.helpers.summaries import CHANNEL, top_level

NOW = "2026-11-22T10:00:00Z"


def environment(database_url: str, fake=None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))}
    env.update({"DATABASE_URL": database_url, "PLANBOT_CLOCK_START": NOW, **extra})
    if fake is not None:
        env.update(SLACK_API_URL=fake.url, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET="secret")
    return env


def planbot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=120, cwd=Path(__file__).parents[1])


def test_summary_prints_as_text_markdown_or_json(sessions, database_url, now):
    load(sessions, now)
    env = environment(database_url)
    text = planbot(env, "summary", "ppr")
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Protection peer review — monthly update — November 2026\n=====")
    assert ("2 of 4 actions are overdue, under recommendations 1 (Improve the inspection programme) and 2 (Recruit "
            "inspectors); of the other 2, 1 is complete and 1 on track.") in " ".join(text.stdout.split())
    markdown = planbot(env, "summary", "ppr", "--format", "markdown", "--month", "2026-10")
    assert markdown.stdout.startswith("# Protection peer review — monthly update — October 2026\n")
    data = json.loads(planbot(env, "summary", "--format", "json").stdout)
    assert [e["ref"] for e in data["exceptions"]] == ["1.2", "2.1"]


def test_summary_post_twice_posts_once_and_says_when(sessions, database_url, fake_slack, now):
    load(sessions, now)
    env = environment(database_url, fake_slack)
    first = planbot(env, "summary", "ppr", "--post")
    assert first.returncode == 0, first.stderr
    [message] = top_level(fake_slack)
    assert first.stdout == f"Posted the November 2026 summary of ppr to {CHANNEL} (message {message['ts']}).\n"
    second = planbot(env, "summary", "ppr", "--post")
    assert second.returncode == 0, second.stderr
    assert second.stdout == (f"The November 2026 summary of ppr was already posted to {CHANNEL} on 22 Nov 2026 "
                             f"at 10:00 (Europe/London) (message {message['ts']}); use --force to post it again.\n")
    assert len(top_level(fake_slack)) == 1
    forced = planbot(env, "summary", "ppr", "--post", "--force")
    assert forced.returncode == 0 and len(top_level(fake_slack)) == 2


def test_summary_post_failing_says_why_and_exits_non_zero(sessions, database_url, fake_slack, now):
    load(sessions, now)
    fake_slack.fail_next("chat.postMessage", status=200, error="not_in_channel")
    result = planbot(environment(database_url, fake_slack), "summary", "--post")
    assert result.returncode == 1
    assert result.stderr.endswith("Could not post the November 2026 summary of ppr: Slack answered not_in_channel. "
                                  "Nothing was recorded as posted; try again.\n")
    with sessions.read() as session:
        assert session.scalars(select(SummaryPost.state)).one() == "failed"


def test_summary_post_needs_the_bot_token_and_a_channel(sessions, database_url, now):
    load(sessions, now)
    result = planbot(environment(database_url), "summary", "--post")
    assert result.returncode == 1 and "Set SLACK_BOT_TOKEN first" in result.stderr
    load(sessions, now, key="nochannel", channel=None, map_owners=False)
    result = planbot(environment(database_url, SLACK_BOT_TOKEN="xoxb-x"), "summary", "nochannel", "--post")
    assert result.returncode == 1 and "Plan `nochannel` has no channel for its summaries yet" in result.stderr
    assert "Traceback" not in result.stderr


def test_schedule_is_set_from_the_command_line_and_prints_the_next_run(sessions, database_url, now):
    load(sessions, now)
    env = environment(database_url)
    result = planbot(env, "schedule", "ppr", "quarterly", "--channel", "CBOARD")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Changed.",
        "Plan ppr: first working day of each quarter at 09:00 (Europe/London), posted to CBOARD.",
        "Next run: Monday 4 Jan 2027 at 09:00 (Q1 2027).",
    ]
    custom = planbot(env, "schedule", "ppr", "RRULE:FREQ=WEEKLY;BYDAY=MO")
    assert "Next run: Monday 23 Nov 2026 at 09:00 (23 November 2026)." in custom.stdout
    bad = planbot(env, "schedule", "ppr", "weekly")
    assert bad.returncode == 1 and bad.stderr.startswith('I can\'t read "weekly" as a schedule') and not bad.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str], *extra: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                *extra], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               cwd=Path(__file__).parents[1])
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"planbot serve did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.mark.timeout(120)
def test_a_running_planbot_serve_posts_at_the_scheduled_time_without_anyone_asking(
        sessions, database_url, fake_slack, tmp_path, now):
    # Plan set up in February 2027; the server's clock starts a few seconds before the March slot
    # (Monday 1 March, 09:00 in London) and runs on in real time.

    created = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
    slot = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    load(sessions, created)
    env = environment(database_url, fake_slack, PLANBOT_CLOCK_START="2027-03-01T08:59:48Z",
                      PLANBOT_SCHEDULER_INTERVAL="0.25")
    process, _ = serve(env, "--no-reminders", log=tmp_path / "serve.log")
    try:
        fake_slack.wait_for("chat.postMessage", 1, timeout=30)
        fake_slack.wait_for("files.completeUploadExternal", 1, timeout=30)  # then its board paper
        time.sleep(1.0)  # a few more ticks: nothing more
        [message] = top_level(fake_slack)
        assert message["metadata"]["event_payload"] == {"plan": "ppr", "period": "2027-03"}
        with sessions.read() as session:
            post = session.scalars(select(SummaryPost)).one()
        # Within seconds of the slot: the message at once, then the paper drawn and shared.
        assert post.state == "posted" and slot <= post.posted_at < slot + timedelta(seconds=10)
        assert len(fake_slack.calls_to("chat.postMessage")) == 1
        assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    finally:
        stop(process)
    log = (tmp_path / "serve.log").read_text()
    started = datetime.fromisoformat(log.split("scheduler started at ")[1].split(",")[0])
    assert started < slot, "the server started too slowly to see the time arrive"


@pytest.mark.timeout(120)
def test_planbot_serve_with_no_scheduler_posts_nothing(sessions, database_url, fake_slack, tmp_path):
    load(sessions, datetime(2027, 2, 10, 12, 0, tzinfo=UTC))
    with sessions.begin() as session:  # due since 09:00
        set_schedule(session, get_plan(session, "ppr"), Actor.cli(), datetime(2027, 2, 10, tzinfo=UTC))
    env = environment(database_url, fake_slack, PLANBOT_CLOCK_START="2027-03-01T10:00:00Z",
                      PLANBOT_SCHEDULER_INTERVAL="0.25")
    process, url = serve(env, "--no-scheduler", "--no-reminders", log=tmp_path / "serve.log")
    try:
        time.sleep(1.5)
        assert fake_slack.calls_to("chat.postMessage") == []
    finally:
        stop(process)
