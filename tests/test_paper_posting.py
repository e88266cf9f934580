"""The posted summary shares its board paper and chart in its thread, once: through slack_sdk's
files_upload_v2 against the local Slack (an upload URL, the bytes, the completion), across a
process killed between the upload and the completion, a completion Slack kept but answered 500
to, and a workspace that refuses files. The people it names are asked of users.info and named.

Nothing of planbot's is mocked: the scheduler, the poster and `planbot summary --post` run as
they do in production; a crash is a real process killed."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.plan import people
from bot.plan.paper.settings import set_paper_settings
from bot.plan.people import NAME_AGE
from bot.plan.publishing import LEASE
from bot.plan.queries import get_action, get_plan
from bot.plan.services import Actor, complete
from bot.plan.summary import build_summary, month_period
from bot.plan.summary_text import render_markdown
from bot.scheduler import Scheduler
from storage.models import Person, SummaryPost
from tests.helpers.papers import docx_text, pdf_text, png_size, squash
from tests.helpers.plans import ADMIN, ALICE, TEAM, load
from tests.helpers.summaries import CHANNEL, file_messages, poster_for, replies, top_level
from tests.test_cli_summary import environment

CREATED = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)
MARCH_SLOT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
PAPER = "ppr-2027-03-board-paper.pdf"
CHART = "ppr-2027-03-board-paper-chart.png"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _tick(sessions, fake, clock, worker="w1"):
    return Scheduler(sessions, poster_for(fake), clock=clock, worker=worker).tick()


def _post_state(sessions) -> SummaryPost:
    with sessions.read() as session:
        return session.scalars(select(SummaryPost)).one()


def test_the_scheduled_summary_shares_its_paper_and_chart_in_its_thread_once(sessions, fake_slack):
    load(sessions, CREATED)
    clock = Clock(MARCH_SLOT + timedelta(seconds=5))
    [outcome] = _tick(sessions, fake_slack, clock)
    assert outcome.kind == "posted" and outcome.attach_error is None
    assert _tick(sessions, fake_slack, clock) == []
    [main] = top_level(fake_slack)
    [shared] = file_messages(fake_slack)
    assert shared["thread_ts"] == main["ts"]
    assert [(f["name"], f["title"]) for f in shared["files"]] == [
        (PAPER, "Protection peer review — monthly update — March 2027"), (CHART, "Progress chart — March 2027")]
    # Shared after the summary's own replies, as the last message of its thread.
    assert fake_slack.thread(CHANNEL, main["ts"])[-1]["ts"] == shared["ts"]
    [paper, chart] = fake_slack.files(CHANNEL)
    text = squash(pdf_text(paper["data"]))
    assert squash("Protection peer review — monthly update — March 2027") in text
    assert squash("1.2 Review the risk model") in text and squash("Recruitment delayed") in text
    assert png_size(chart["data"]) == (1500, 600)
    # files_upload_v2's three calls, each once per file or once in all.
    assert [c.args["filename"] for c in fake_slack.calls_to("files.getUploadURLExternal")] == [PAPER, CHART]
    assert len(fake_slack.calls_to("file_upload")) == 2
    [completion] = fake_slack.calls_to("files.completeUploadExternal")
    assert (completion.args["channel_id"], completion.args["thread_ts"]) == (CHANNEL, main["ts"])
    assert fake_slack.pending_uploads() == []


def test_a_plan_that_chooses_docx_gets_its_paper_as_a_word_document(sessions, fake_slack):
    load(sessions, CREATED)
    with sessions.begin() as session:
        set_paper_settings(session, get_plan(session, "ppr"), Actor.cli("test"), CREATED,
                           {"attach": "docx", "meeting": "Performance and Resources Board"})
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT))
    assert outcome.kind == "posted"
    [paper, _chart] = fake_slack.files(CHANNEL)
    assert paper["name"] == "ppr-2027-03-board-paper.docx"
    assert "Meeting | Performance and Resources Board" in docx_text(paper["data"])


def test_a_process_killed_between_the_upload_and_the_completion_shares_the_paper_once(
        sessions, database_url, fake_slack):
    load(sessions, CREATED)
    # Slack takes the bytes but cannot complete: the process is killed while it waits to retry.
    fake_slack.fail_next("files.completeUploadExternal", status=500, times=None)
    env = environment(database_url, fake_slack, PLANBOT_CLOCK_START="2027-03-01T09:00:00Z")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "summary", "ppr", "--post"], env=env,
                               cwd=Path(__file__).parents[1], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        fake_slack.wait_for("files.completeUploadExternal", 1, timeout=60)
    finally:
        process.kill()
        process.wait(10)
    fake_slack.clear_faults()
    assert len(fake_slack.calls_to("file_upload")) == 2 and len(fake_slack.pending_uploads()) == 2
    assert file_messages(fake_slack) == [] and len(top_level(fake_slack)) == 1
    post = _post_state(sessions)
    assert post.state == "claimed" and post.message_ts == top_level(fake_slack)[0]["ts"]

    # After the dead process's lease, the next attempt posts nothing again and shares the files once.
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT + LEASE + timedelta(minutes=1)), worker="w2")
    assert outcome.kind == "posted"
    assert len(top_level(fake_slack)) == 1 and len(fake_slack.calls_to("chat.postMessage")) == 1 + len(
        replies(fake_slack))
    [shared] = file_messages(fake_slack)
    assert [f["name"] for f in shared["files"]] == [PAPER, CHART]
    assert [f["name"] for f in fake_slack.files(CHANNEL)] == [PAPER, CHART]
    assert len(fake_slack.pending_uploads()) == 2  # the dead process's uploads: never shown to anyone
    assert _post_state(sessions).state == "posted"


def test_a_completion_slack_kept_but_answered_500_to_is_found_not_shared_again(sessions, fake_slack):
    load(sessions, CREATED)
    fake_slack.fail_next("files.completeUploadExternal", status=500, kept=True)
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT))
    assert outcome.kind == "posted"
    assert len(file_messages(fake_slack)) == 1 and len(fake_slack.files(CHANNEL)) == 2
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1  # it looked in the thread instead


def test_an_upload_url_that_fails_is_retried_with_a_fresh_upload(sessions, fake_slack):
    load(sessions, CREATED)
    fake_slack.fail_next("file_upload", status=503)
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT))
    assert outcome.kind == "posted"
    assert len(file_messages(fake_slack)) == 1
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 4  # two files, twice


def test_a_workspace_that_refuses_files_still_gets_its_summary_and_is_told_why(sessions, fake_slack):
    load(sessions, CREATED)
    fake_slack.fail_next("files.getUploadURLExternal", status=200, error="missing_scope")
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT))
    assert outcome.kind == "posted" and outcome.attach_error == "Slack answered missing_scope"
    assert _post_state(sessions).state == "posted" and file_messages(fake_slack) == []


def test_people_the_summary_names_are_asked_of_slack_once_and_named_everywhere(sessions, fake_slack):
    load(sessions, CREATED)
    fake_slack.add_user(ALICE, name="alice", real_name="Alice Smith")
    with sessions.begin() as session:
        action = get_action(session, get_plan(session, "ppr"), "1.1")
        complete(session, action, Actor(ALICE, TEAM), CREATED + timedelta(days=2), "Programme published")
    clock = Clock(MARCH_SLOT)
    [outcome] = _tick(sessions, fake_slack, clock)
    assert outcome.kind == "posted"
    assert [c.args["user"] for c in fake_slack.calls_to("users.info")] == [ALICE]
    [paper, _] = fake_slack.files(CHANNEL)
    assert squash("by Alice Smith on 12 Feb 2027") in squash(pdf_text(paper["data"]))
    assert "UALICE" not in pdf_text(paper["data"])
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, "ppr"), month_period(2027, 3), MARCH_SLOT)
        person = session.get(Person, ALICE)
        assert person is not None and (person.display_name, person.real_name) == ("alice", "Alice Smith")
    assert "- 1.1 Publish the programme — by Alice Smith on 12 Feb 2027" in render_markdown(summary)

    # Within the refresh age Slack is not asked again; after it, it is.
    fake_slack.reset()
    with sessions.begin() as session:
        assert people.stale(session, [ALICE], MARCH_SLOT + NAME_AGE - timedelta(hours=1)) == []
        assert people.stale(session, [ALICE], MARCH_SLOT + NAME_AGE + timedelta(hours=1)) == [ALICE]


def test_someone_slack_does_not_know_is_shown_by_id(sessions, fake_slack):
    load(sessions, CREATED)
    with sessions.begin() as session:
        action = get_action(session, get_plan(session, "ppr"), "1.1")
        complete(session, action, Actor(ADMIN, TEAM), CREATED + timedelta(days=2), None)  # Slack has no UADMIN
    fake_slack.expect_refusal("user_not_found", method="users.info")
    [outcome] = _tick(sessions, fake_slack, Clock(MARCH_SLOT))
    assert outcome.kind == "posted"
    [paper, _] = fake_slack.files(CHANNEL)
    assert squash("by UADMIN on 12 Feb 2027") in squash(pdf_text(paper["data"]))
