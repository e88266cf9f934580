"""Closing a plan from the command line, the closure report and the inspector's pack, on the
April 2021 case of PRODUCT.md: an 18-month plan closed with every activity delivered but one,
which moved to business as usual."""

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.plan import closure, evidence, queries, reviews
from bot.plan.closure_report import closure_report, render_closure
from bot.plan.errors import Conflict
from bot.plan.rules import ActionStatus
from bot.plan.summary import build_summary, month_period
from bot.plan.summary_text import render_markdown
from bot.scheduler import publish
from storage.db import Sessions, make_engine
from storage.kinds import EventKind, ReviewOutcome
from storage.models import ActionEvent, Plan
from tests.helpers.april import CLOSING_DAY, KEY, LEFT_OPEN, NOTE, SECRETARY, STARTED, WHERE, import_april
from tests.helpers.summaries import CHANNEL, poster_for


def planbot(database_url: str, *args: str, clock: datetime = CLOSING_DAY) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PLANBOT_CLOCK_START": clock.isoformat()}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=120)


def trail(sessions: Sessions) -> int:
    with sessions.read() as session:
        return session.scalar(select(func.count()).select_from(ActionEvent)) or 0


def test_closing_is_refused_while_an_action_is_undecided_and_a_dry_run_writes_nothing(database_url):
    sessions = Sessions(make_engine(database_url))
    import_april(sessions)
    before = trail(sessions)
    refused = planbot(database_url, "close", KEY)
    assert refused.returncode == 1
    assert "cannot close while 1 open action is undecided: 1.1" in refused.stderr
    dry = planbot(database_url, "close", KEY, "--bau", LEFT_OPEN, WHERE, "--note", NOTE, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would close plan ip2019" in dry.stdout and "Nothing was written." in dry.stdout
    no_where = planbot(database_url, "close", KEY, "--bau", LEFT_OPEN, " ")
    assert no_where.returncode == 1 and "Say where 1.1 now lives" in no_where.stderr
    assert trail(sessions) == before
    with sessions.read() as session:
        assert queries.get_plan(session, KEY).closed_at is None
    sessions.engine.dispose()


def test_the_april_2021_plan_closes_into_business_as_usual_and_its_report_says_so(database_url):
    sessions = Sessions(make_engine(database_url))
    import_april(sessions)
    closed = planbot(database_url, "close", KEY, "--bau", LEFT_OPEN, WHERE, "--note", NOTE)
    assert closed.returncode == 0, closed.stderr
    assert "0 actions completed and 1 moved to business as usual" in closed.stdout
    with sessions.read() as session:
        plan = queries.get_plan(session, KEY)
        assert plan.closed_at is not None and plan.closed_at.date() == CLOSING_DAY.date()
        assert plan.closed_by is not None and plan.closed_by.startswith("cli:")
        action = queries.get_action(session, plan, LEFT_OPEN)
        assert (action.status, action.bau_where, action.bau_note) == (ActionStatus.BAU, WHERE, NOTE)
        counts = queries.rag_counts(session, plan.id, CLOSING_DAY.date())
        # Business as usual is neither complete nor overdue, and reported apart.
        assert (counts.red, counts.amber, counts.green, counts.bau, counts.total) == (0, 0, 4, 1, 5)
        assert counts.percent_complete == 80
        text = render_markdown(build_summary(session, plan, month_period(2021, 4), datetime(2021, 4, 20, tzinfo=UTC)))
    assert "Every action was delivered except one, which was moved to business as usual." in text
    assert "Moved to business as usual (1)" in text and WHERE in text

    status = planbot(database_url, "status", KEY)
    assert "5 actions, 80% complete:  RED 0  AMBER 0  GREEN 4  BUSINESS AS USUAL 1" in status.stdout, status.stderr

    report = planbot(database_url, "report", KEY, "--closure")
    assert report.returncode == 0, report.stderr
    assert ("Plan closed on 31 March 2021 after 18 months (1 October 2019 to 31 March 2021): 4 of 5 actions\n"
            "delivered; 1 moved to business as usual.") in report.stdout
    markdown = planbot(database_url, "report", KEY, "--closure", "--format", "markdown").stdout
    assert markdown.startswith("# Protection improvement plan 2019-21 — closure report\n")
    assert "## What was delivered" in markdown and "## Effectiveness reviews" in markdown
    assert (f"| 1.1 | Develop an interactive platform to publish enforcement | Head of Protection | {WHERE} | "
            f"{NOTE} |") in markdown
    data = json.loads(planbot(database_url, "report", KEY, "--closure", "--format", "json").stdout)
    assert data["period"] == {"started": "2019-10-01", "closed": "2021-03-31", "months": 18}
    assert [a["ref"] for a in data["delivered"]] == ["1.2", "2.1", "2.2", "3.1"]
    assert [(a["ref"], a["where"], a["note"]) for a in data["moved_to_business_as_usual"]] == [("1.1", WHERE, NOTE)]
    # Each delivered action's effectiveness review, six months after its completion (the closing, here:
    # the import recorded no completion dates).
    assert [(r["ref"], r["due"], r["outcome"]) for r in data["reviews"]] == [
        (ref, "2021-09-30", None) for ref in ("1.2", "2.1", "2.2", "3.1")]
    sessions.engine.dispose()


def test_a_closed_plan_refuses_changes_until_an_admin_reopens_it(database_url):
    sessions = Sessions(make_engine(database_url))
    import_april(sessions)
    assert planbot(database_url, "close", KEY, "--bau", LEFT_OPEN, WHERE).returncode == 0
    before = trail(sessions)
    for args in (("schedule", KEY, "quarterly"), ("closing", KEY, "evidence", "on"),
                 ("import", "tests/data/improvement_plan_april_2021.csv", "--plan", KEY)):
        refused = planbot(database_url, *args)
        assert refused.returncode == 1, args
        assert "Plan `ip2019` was closed on 31 March 2021; an admin can reopen it." in refused.stderr, args
    assert trail(sessions) == before
    reopened = planbot(database_url, "reopen", KEY, "--reason", "one more action",
                       clock=datetime(2021, 4, 2, tzinfo=UTC))
    assert reopened.returncode == 0, reopened.stderr
    assert planbot(database_url, "closing", KEY, "evidence", "on").returncode == 0
    with sessions.read() as session:
        kinds = [e.kind for e in session.scalars(select(ActionEvent).order_by(ActionEvent.id))][-3:]
        assert kinds[-2:] == [EventKind.PLAN_REOPENED, EventKind.PLAN_SETTINGS]
        assert queries.get_plan(session, KEY).evidence_required
    sessions.engine.dispose()


def test_the_inspectors_pack_holds_every_action_event_summary_and_review_readable_offline(database_url, tmp_path):
    sessions = Sessions(make_engine(database_url))
    import_april(sessions)
    with sessions.begin() as session:
        plan = queries.get_plan(session, KEY)
        evidence.add_evidence(session, queries.get_action(session, plan, "2.1"), SECRETARY, STARTED,
                              "https://example.org/inspection-programme.pdf", "Programme <b>signed off</b>")
        closure.close_plan(session, plan, SECRETARY, CLOSING_DAY,
                           [closure.Decision(LEFT_OPEN, bau=True, where=WHERE, note=NOTE)])
    with sessions.begin() as session:
        plan = queries.get_plan(session, KEY)
        reviews.answer_yes(session, queries.get_action(session, plan, "2.1"), SECRETARY,
                           datetime(2021, 10, 1, tzinfo=UTC), comment="Inspections follow the programme")
    output = tmp_path / "pack.zip"
    made = planbot(database_url, "pack", KEY, "--output", str(output), clock=datetime(2021, 10, 2, tzinfo=UTC))
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        index = archive.read("index.html").decode()
        audit = list(csv.DictReader(io.StringIO(archive.read("audit.csv").decode())))
        closure_md = archive.read("closure-report.md").decode()
    assert {"index.html", "audit.csv", "evidence.csv", "closure-report.md"} <= names
    with sessions.read() as session:
        plan = session.scalar(select(Plan).where(Plan.key == KEY))
        events = list(session.scalars(select(ActionEvent).where(ActionEvent.plan_id == plan.id)
                                      .order_by(ActionEvent.seq)))
        refs = [a.ref for a in plan.actions]
    assert [int(row["seq"]) for row in audit] == [e.seq for e in events]
    assert [row["hash"] for row in audit] == [e.hash for e in events]
    for ref in refs:
        assert f'id="action-{ref}"' in index
    assert f"at the plan's revision\n{events[-1].id}" in index
    assert "https://example.org/inspection-programme.pdf" in index
    assert "Programme &lt;b&gt;signed off&lt;/b&gt;" in index  # what people typed is escaped
    assert "embedded (verified)" in index
    assert "digital transformation programme" in index
    assert "closed on 31 March 2021" in index and "4 of 5 actions" in closure_md
    assert "<script" not in index and "http" not in index.split("<body>")[0]  # nothing to fetch to read it
    sessions.engine.dispose()


def test_the_closure_report_is_refused_for_an_open_plan(sessions):
    import_april(sessions)
    with sessions.read() as session:
        try:
            closure_report(session, queries.get_plan(session, KEY), CLOSING_DAY)
        except Conflict as refused:
            assert "is not closed yet" in str(refused)
        else:
            raise AssertionError("an open plan got a closure report")
    assert ReviewOutcome.EMBEDDED.value == "embedded"
    assert callable(render_closure)


def test_each_posted_summary_is_in_the_pack_as_it_was_posted(database_url, fake_slack, tmp_path):
    sessions = Sessions(make_engine(database_url))
    import_april(sessions, channel_id=CHANNEL)
    november = datetime(2020, 11, 2, 9, 0, tzinfo=UTC)
    with sessions.read() as session:  # what it says when it is posted (its own event comes after)
        posted = render_markdown(build_summary(session, queries.get_plan(session, KEY), month_period(2020, 11),
                                               november))
    outcome = publish(sessions, poster_for(fake_slack), plan_key=KEY, period=month_period(2020, 11),
                      clock=lambda: november, worker="test", actor=SECRETARY)
    assert outcome.kind == "posted", outcome
    output = tmp_path / "pack.zip"
    assert planbot(database_url, "pack", KEY, "--output", str(output)).returncode == 0
    with zipfile.ZipFile(output) as archive:
        assert archive.read("summaries/2020-11.md").decode() == posted
        assert 'href="summaries/2020-11.md"' in archive.read("index.html").decode()
    sessions.engine.dispose()
