"""The scheduler posts each period's summary exactly once: on time, after downtime, through
Slack failures, across a crash between posting and recording, and with two schedulers racing.

The real slack_sdk client talks to the fake Slack Web API; nothing of planbot's is mocked.
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from sqlalchemy import select

from bot.config import Settings
from bot.plan.publishing import LEASE, set_schedule
from bot.plan.queries import get_action, get_plan
from bot.plan.schedule import Schedule, parse_schedule
from bot.plan.services import Actor, revise_due
from bot.scheduler import Scheduler
from bot.slack.poster import PART_EVENT, SUMMARY_EVENT, SlackSummaryPoster
from storage.db import Sessions, make_engine
from storage.models import ActionEvent, Plan, SummaryPost
from tests.helpers.plans import load
from tests.helpers.summaries import CHANNEL, load_big_plan, poster_for, replies, top_level

CREATED = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
MARCH_SLOT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # Monday 1 March 2027, 09:00 in London (GMT)
APRIL_SLOT = datetime(2027, 4, 1, 8, 0, tzinfo=UTC)  # Thursday 1 April 2027, 09:00 in London (BST)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def scheduler(sessions, fake, clock, worker="w1", poster=None) -> Scheduler:
    return Scheduler(sessions, poster or poster_for(fake), clock=clock, worker=worker)


def posts(sessions) -> list[SummaryPost]:
    with sessions.read() as session:
        return list(session.scalars(select(SummaryPost).order_by(SummaryPost.id)))


def ok_posts(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.status == 200 and c.response.get("ok")]


def test_the_due_summary_is_posted_once_marked_with_metadata_and_recorded(sessions, fake_slack):
    load(sessions, CREATED)
    clock = Clock(MARCH_SLOT - timedelta(minutes=1))
    s = scheduler(sessions, fake_slack, clock)
    assert s.tick() == []  # February's slot was before the plan existed, March's not yet come
    clock.now = MARCH_SLOT + timedelta(seconds=20)
    [outcome] = s.tick()
    assert outcome.kind == "posted" and outcome.period.key == "2027-03"
    assert s.tick() == [] and s.tick() == []
    [message] = top_level(fake_slack)
    assert message["metadata"] == {"event_type": SUMMARY_EVENT, "event_payload": {"plan": "ppr", "period": "2027-03"}}
    assert message["text"].startswith("Protection peer review — monthly update — March 2027: ")
    [post] = posts(sessions)
    assert (post.state, post.message_ts, post.channel_id, post.posted_at) == (
        "posted", message["ts"], CHANNEL, clock.now
    )
    assert post.snapshot == ('{"amber": 0, "bau": 0, "blocked": 0, "green": 1, "percent_complete": 25, "red": 3, '
                             '"total": 4}')
    assert post.posted_markdown is not None and post.posted_markdown.startswith("# ")  # kept as posted
    with sessions.read() as session:
        event = session.scalars(select(ActionEvent).where(ActionEvent.kind == "summary_posted")).one()
    assert (event.actor, event.new_value) == ("planbot:scheduler", f"2027-03 {CHANNEL} {message['ts']}")
    assert fake_slack.warnings == []


def test_slack_answering_429_then_500_then_succeeding_posts_once(sessions, fake_slack):
    load(sessions, CREATED)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    fake_slack.fail_next("chat.postMessage", status=500)
    [outcome] = scheduler(sessions, fake_slack, Clock(MARCH_SLOT)).tick()
    assert outcome.kind == "posted"
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 500, 200]
    assert len(top_level(fake_slack)) == 1 and len(ok_posts(fake_slack)) == 1
    # Before retrying after the 500 it looked for the message in case Slack had kept it.
    assert len(fake_slack.calls_to("conversations.history")) == 2
    assert posts(sessions)[0].state == "posted"


def test_slack_down_for_a_whole_tick_leaves_the_period_due_and_the_next_tick_posts_once(sessions, fake_slack):
    load(sessions, CREATED)
    clock = Clock(MARCH_SLOT)
    s = scheduler(sessions, fake_slack, clock, poster=poster_for(fake_slack, attempts=3))
    fake_slack.fail_next("chat.postMessage", status=503, times=3)
    [failed] = s.tick()
    assert failed.kind == "failed" and "Slack answered fatal_error, 3 times" in failed.error
    [post] = posts(sessions)
    assert (post.state, post.last_error) == ("failed", failed.error)
    clock.now += timedelta(minutes=1)
    [outcome] = s.tick()
    assert outcome.kind == "posted"
    assert len(top_level(fake_slack)) == 1 and posts(sessions)[0].attempts == 2


def test_a_network_failure_leaves_the_period_due(sessions, fake_slack):
    load(sessions, CREATED)
    clock = Clock(MARCH_SLOT)
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=f"http://127.0.0.1:{port}/api/")
    unreachable = SlackSummaryPoster.from_settings(settings, attempts=2, backoff=0.01)
    [failed] = Scheduler(sessions, unreachable, clock=clock, worker="w1").tick()
    assert failed.kind == "failed" and "Slack could not be reached" in failed.error
    clock.now += timedelta(minutes=1)
    [outcome] = scheduler(sessions, fake_slack, clock).tick()
    assert outcome.kind == "posted" and len(top_level(fake_slack)) == 1


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it runs, not even error handling."""


class DiesAfterSlackAccepts(WebClient):
    """A slack_sdk client in a process that is killed just after Slack accepts its nth post."""

    def __init__(self, *args, posts: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.left = posts

    def chat_postMessage(self, **kwargs):  # type: ignore[override]  # passes slack_sdk's keyword arguments on as they are
        response = super().chat_postMessage(**kwargs)
        self.left -= 1
        if self.left == 0:
            raise ProcessDied
        return response


def dying_poster(fake, posts: int) -> SlackSummaryPoster:
    reader = WebClient(token="xoxb-test-token", base_url=fake.url)
    return SlackSummaryPoster(DiesAfterSlackAccepts(token="xoxb-test-token", base_url=fake.url, posts=posts),
                              reader, pause=0.0, backoff=0.05)


def test_a_crash_between_posting_and_recording_does_not_post_twice(sessions, fake_slack):
    load(sessions, CREATED)
    clock = Clock(MARCH_SLOT)
    with pytest.raises(ProcessDied):
        scheduler(sessions, fake_slack, clock, poster=dying_poster(fake_slack, posts=1)).tick()
    [message] = top_level(fake_slack)
    [post] = posts(sessions)
    assert (post.state, post.message_ts) == ("claimed", None)  # Slack has it; the database does not know

    restarted = scheduler(sessions, fake_slack, clock, worker="w2")
    clock.now += timedelta(minutes=1)
    assert [o.kind for o in restarted.tick()] == ["busy"]  # the dead process's claim holds until its lease ends
    clock.now = MARCH_SLOT + LEASE
    [outcome] = restarted.tick()
    assert outcome.kind == "recovered" and outcome.message_ts == message["ts"]
    assert len(top_level(fake_slack)) == 1 and len(ok_posts(fake_slack)) == 1
    [post] = posts(sessions)
    assert (post.state, post.message_ts, post.claimed_by, post.attempts) == ("posted", message["ts"], "w2", 2)
    assert restarted.tick() == []


def test_a_crash_in_the_middle_of_the_thread_posts_only_the_missing_replies(sessions, fake_slack):
    load_big_plan(sessions, CREATED, 400)
    clock = Clock(MARCH_SLOT)
    with pytest.raises(ProcessDied):  # dies once the main message and two replies are in
        scheduler(sessions, fake_slack, clock, poster=dying_poster(fake_slack, posts=3)).tick()
    assert len(top_level(fake_slack)) == 1 and len(replies(fake_slack)) == 2
    assert posts(sessions)[0].message_ts == top_level(fake_slack)[0]["ts"]

    clock.now += LEASE
    [outcome] = scheduler(sessions, fake_slack, clock, worker="w2").tick()
    assert outcome.kind == "posted"
    parts = [m["metadata"]["event_payload"]["part"] for m in replies(fake_slack)]
    assert len(top_level(fake_slack)) == 1 and parts == list(range(1, len(parts) + 1)) and len(parts) > 3
    assert all(m["metadata"]["event_type"] == PART_EVENT for m in replies(fake_slack))
    assert all(m["thread_ts"] == top_level(fake_slack)[0]["ts"] for m in replies(fake_slack))


def test_after_downtime_only_the_current_period_is_posted(sessions, fake_slack):
    load(sessions, datetime(2026, 12, 1, tzinfo=UTC))
    # Down from before the March slot until 6 April: January, February and March were missed.
    [outcome] = scheduler(sessions, fake_slack, Clock(datetime(2027, 4, 6, 12, 0, tzinfo=UTC))).tick()
    assert outcome.period.key == "2027-04"
    assert [p.period for p in posts(sessions)] == ["2027-04"] and len(top_level(fake_slack)) == 1


def test_back_the_same_month_after_missing_the_slot_posts_that_months_summary(sessions, fake_slack):
    load(sessions, CREATED)
    [outcome] = scheduler(sessions, fake_slack, Clock(MARCH_SLOT + timedelta(days=6, hours=5))).tick()
    assert outcome.kind == "posted" and outcome.period.label == "March 2027"


def test_a_plan_created_after_this_periods_slot_waits_for_the_next(sessions, fake_slack):
    load(sessions, MARCH_SLOT + timedelta(days=2))
    clock = Clock(MARCH_SLOT + timedelta(days=19))
    s = scheduler(sessions, fake_slack, clock)
    assert s.tick() == []
    clock.now = APRIL_SLOT - timedelta(seconds=1)
    assert s.tick() == []
    clock.now = APRIL_SLOT
    assert [o.period.key for o in s.tick()] == ["2027-04"]
    assert len(top_level(fake_slack)) == 1


def test_a_plan_without_a_channel_is_skipped_with_one_log_line(sessions, fake_slack, caplog):
    load(sessions, CREATED, channel=None)
    s = scheduler(sessions, fake_slack, Clock(MARCH_SLOT))
    with caplog.at_level(logging.WARNING, logger="planbot.scheduler"):
        assert s.tick() == [] and s.tick() == []
    lines = [r.getMessage() for r in caplog.records if "no channel" in r.getMessage()]
    assert lines == ["plan ppr: the March 2027 summary is due but the plan has no channel; skipped"]
    assert fake_slack.calls_to("chat.postMessage") == [] and posts(sessions) == []


def test_closed_plans_and_plans_with_summaries_off_get_none(sessions, fake_slack, now):
    load(sessions, CREATED, key="done")
    load(sessions, CREATED, key="quiet", map_owners=False)
    with sessions.begin() as session:
        get_plan(session, "done").closed_at = CREATED
        set_schedule(session, get_plan(session, "quiet"), Actor.cli(), CREATED, schedule=Schedule("off"))
    assert scheduler(sessions, fake_slack, Clock(MARCH_SLOT)).tick() == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_quarterly_plan_posts_on_the_first_working_day_of_each_quarter(sessions, fake_slack):
    load(sessions, CREATED)
    with sessions.begin() as session:
        set_schedule(session, get_plan(session, "ppr"), Actor.cli(), CREATED, schedule=Schedule("quarterly"))
    clock = Clock(CREATED)
    s = scheduler(sessions, fake_slack, clock)
    posted = []
    while clock.now < datetime(2028, 1, 10, tzinfo=UTC):  # a tick every day at 09:30 UTC
        clock.now += timedelta(days=1)
        posted += [(o.period.key, clock.now.date().isoformat()) for o in s.tick()]
    # 1 January 2028 is a Saturday and Monday 3rd its bank holiday; Q2 starts on Thursday 1 April.
    assert posted == [("2027-Q2", "2027-04-01"), ("2027-Q3", "2027-07-01"), ("2027-Q4", "2027-10-01"),
                      ("2028-Q1", "2028-01-04")]
    titles = [m["text"].split(":")[0] for m in top_level(fake_slack)]
    assert titles[0] == "Protection peer review — quarterly update — Q2 2027"


def test_a_custom_rule_posts_on_its_own_days(sessions, fake_slack):
    load(sessions, CREATED)
    with sessions.begin() as session:
        rule = Schedule("rrule", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=17;BYMINUTE=30")
        set_schedule(session, get_plan(session, "ppr"), Actor.cli(), CREATED, schedule=rule)
    clock = Clock(datetime(2027, 2, 15, 17, 29, tzinfo=UTC))
    s = scheduler(sessions, fake_slack, clock)
    assert s.tick() == []
    clock.now += timedelta(minutes=1)
    [outcome] = s.tick()
    assert (outcome.period.key, outcome.period.label) == ("2027-02-15", "15 February 2027")
    assert top_level(fake_slack)[0]["text"].startswith("Protection peer review — update — 15 February 2027")


@pytest.mark.timeout(120)
def test_four_schedulers_on_two_engines_racing_over_several_periods_post_each_once(database_url, fake_slack):
    """Two `planbot serve` processes (and then some) sharing one database, at the same instant."""
    engines = [Sessions(make_engine(database_url)) for _ in range(2)]
    try:
        for key in ("ppr", "fire", "audit"):
            load(engines[0], CREATED, key=key, map_owners=False)
        clock = Clock(MARCH_SLOT)
        racers = [scheduler(engines[i % 2], fake_slack, clock, worker=f"w{i}") for i in range(4)]
        for month in range(3):  # March, April, May
            clock.now = datetime(2027, 3 + month, 7, 9, 30, tzinfo=UTC)
            barrier = threading.Barrier(len(racers))
            outcomes: list = []
            errors: list = []

            def race(s: Scheduler) -> None:
                try:
                    barrier.wait()
                    outcomes.extend(s.tick())
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

            threads = [threading.Thread(target=race, args=(s,)) for s in racers]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert errors == []
            assert sorted(o.plan_key for o in outcomes if o.kind == "posted") == ["audit", "fire", "ppr"]
            assert {o.kind for o in outcomes} <= {"posted", "busy", "already_posted"}
        with engines[0].read() as session:
            rows = session.execute(select(Plan.key, SummaryPost.period, SummaryPost.state)
                                   .join(Plan, Plan.id == SummaryPost.plan_id)).all()
        assert len(rows) == 9 and {state for _, _, state in rows} == {"posted"}
        periods = sorted((m["metadata"]["event_payload"]["plan"], m["metadata"]["event_payload"]["period"])
                         for m in top_level(fake_slack))
        assert periods == sorted((k, p) for k in ("ppr", "fire", "audit") for p in ("2027-03", "2027-04", "2027-05"))
        assert len(ok_posts(fake_slack)) == 9
    finally:
        for s in engines:
            s.engine.dispose()


QUIET_PLAN = """\
Recommendation,Actions,Owner,Delivery Date,Status
1) Audit,Review the programme,Head of Protection,01/12/2027,In progress
,Publish it,Head of Protection,01/11/2026,Complete
"""
MAY_SLOT = datetime(2027, 5, 4, 8, 0, tzinfo=UTC)  # Tuesday 4 May 2027 (3 May is a bank holiday), 09:00 BST


def test_quarterly_or_by_exception_posts_each_quarter_and_other_months_only_on_an_exception_or_change(
        sessions, fake_slack):
    load(sessions, CREATED, csv_text=QUIET_PLAN)
    with sessions.begin() as session:
        set_schedule(session, get_plan(session, "ppr"), Actor.cli(), CREATED,
                     schedule=parse_schedule("quarterly or by exception"))
    clock = Clock(MARCH_SLOT)
    s = scheduler(sessions, fake_slack, clock)
    assert s.tick() == [] and s.tick() == []  # March: nothing is late or slipped, nothing changed
    clock.now = APRIL_SLOT
    assert [(o.kind, o.period.key, o.period.label) for o in s.tick()] == [("posted", "2027-Q2", "Q2 2027")]
    clock.now = MAY_SLOT
    assert s.tick() == []  # May: still no exception, and no change since the Q2 summary
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        revise_due(session, get_action(session, plan, "1.1"), Actor.cli(), MAY_SLOT, date(2028, 2, 1),
                   "Auditor not available until the new year")
    clock.now = MAY_SLOT + timedelta(hours=2)
    assert [(o.kind, o.period.key) for o in s.tick()] == [("posted", "2027-05")]  # an exception now: by exception
    assert [p.period for p in posts(sessions)] == ["2027-Q2", "2027-05"]
