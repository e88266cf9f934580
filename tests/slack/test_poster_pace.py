"""Slack takes one message a second a channel and answers 429 beyond (the local Slack does too,
when paced): planbot's posts keep that pace, and a 429 all the same is waited out, never doubled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.localslack import LocalSlack
from bot.scheduler import Scheduler
from bot.slack.blocks import Message, section_block
from bot.slack.poster import share_metadata
from tests.conftest import refusals_report
from tests.helpers.summaries import CHANNEL, load_big_plan, poster_for, replies, top_level

CREATED = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
MARCH_SLOT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # the plans' first monthly summary falls due


@pytest.fixture
def paced_slack() -> Iterator[LocalSlack]:
    with LocalSlack(paced=True) as slack:
        yield slack
        report = refusals_report(slack)
    if report:
        pytest.fail(report, pytrace=False)


def test_the_local_slack_answers_429_with_retry_after_beyond_one_message_a_second_a_channel(paced_slack):
    client = WebClient(token="xoxb-test-token", base_url=paced_slack.url)  # no retry handlers
    paced_slack.expect_refusal("ratelimited")
    client.chat_postMessage(channel="CONE", text="first")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="CONE", text="too soon")
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers.get("Retry-After") == "1"
    client.chat_postMessage(channel="CTWO", text="another channel is not held up")
    assert [m["text"] for m in paced_slack.messages("CONE")] == ["first"]


def test_a_summary_and_its_thread_keep_slacks_pace_and_are_never_refused(sessions, paced_slack):
    load_big_plan(sessions, CREATED, 400)
    [outcome] = Scheduler(sessions, poster_for(paced_slack, pause=1.0), clock=lambda: MARCH_SLOT).tick()
    assert outcome.kind == "posted"
    assert len(top_level(paced_slack)) == 1 and len(replies(paced_slack)) >= 2
    # The paced local Slack refuses (429) any post within a second of the channel's last one,
    # timed on arrival: none refused means every post kept the pace.
    assert paced_slack.refusal_counts() == {}


def test_a_post_limited_all_the_same_is_waited_out_and_posted_once(paced_slack):
    paced_slack.expect_refusal("ratelimited")
    other_process = WebClient(token="xoxb-test-token", base_url=paced_slack.url)
    other_process.chat_postMessage(channel=CHANNEL, text="posted by another replica just now")
    poster = poster_for(paced_slack, pause=1.0)
    message = Message(text="shared", blocks=[section_block("shared")])
    ts = poster.post(CHANNEL, message, share_metadata("delivery-1"))
    assert [m["ts"] for m in paced_slack.messages(CHANNEL) if m["text"] == "shared"] == [ts]
    assert paced_slack.refusal_counts() == {"chat.postMessage: ratelimited": 1}


def test_summaries_due_together_are_posted_side_by_side_each_once_and_at_slacks_pace(sessions, paced_slack):
    channels = ("CONE", "CTWO", "CTHREE")
    for number, where in enumerate(channels):
        load_big_plan(sessions, CREATED, 400, key=f"plan{number}", channel=where)
    outcomes = Scheduler(sessions, poster_for(paced_slack, pause=1.0), clock=lambda: MARCH_SLOT).tick()
    assert [o.kind for o in outcomes] == ["posted"] * 3
    spans = []
    for where in channels:
        assert len(top_level(paced_slack, where)) == 1 and len(replies(paced_slack, where)) >= 2
        posted = sorted(float(m["ts"]) for m in paced_slack.messages(where))
        spans.append((posted[0], posted[-1]))
    # Each plan's thread was still going out when the next plan's summary began.
    assert all(start < end for (_, end), (start, _) in zip(spans, spans[1:]))
    assert paced_slack.refusal_counts() == {}
    assert Scheduler(sessions, poster_for(paced_slack), clock=lambda: MARCH_SLOT).tick() == []
