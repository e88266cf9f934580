"""One clock: with PLANBOT_CLOCK_START every command (import, status, export, summary, slippage,
role, schedule, demo) takes "now" from it, and "today" in the plan's timezone, so a trial of the
September 2021 plan reads as of 30 September 2021 and never as of the machine's date."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from storage.db import Sessions, make_engine
from storage.models import ActionEvent
from tests.helpers.september import SEPTEMBER_CSV

PAPER_DAY = "2021-09-30T09:00:00Z"


def planbot(database_url: str, *args: str, clock: str = PAPER_DAY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))}
    env.update({"DATABASE_URL": database_url, "PLANBOT_CLOCK_START": clock})
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                            timeout=120, cwd=Path(__file__).parents[1], check=False)
    assert result.returncode == 0, result.stderr
    return result


def test_every_command_reads_the_plan_as_of_the_trial_clock(database_url):
    imported = planbot(database_url, "import", str(SEPTEMBER_CSV), "--plan", "ppr", "--title", "Protection peer review")
    # Only as of 30/09/2021 is the typed "Overdue" contradicted by the revised date (due that day).
    assert 'Status says "Overdue", but its revised date (30/09/2021) has not passed' in imported.stdout
    assert imported.stdout.rstrip().endswith("Created plan ppr: 10 actions added, 0 updated, 0 unchanged.")
    sessions = Sessions(make_engine(database_url))
    with sessions.read() as session:
        days = {event.at.date().isoformat() for event in session.scalars(select(ActionEvent))}
    sessions.engine.dispose()
    assert days == {"2021-09-30"}

    status = planbot(database_url, "status")
    assert "as at 30/09/2021" in status.stdout
    assert "61 days past its original date (31/07/2021); revised to 30/09/2021; due today" in status.stdout
    assert "days late" not in status.stdout

    exported = planbot(database_url, "export", "ppr").stdout.splitlines()
    assert exported[1].endswith(",Amber")  # not Red: its revised date is today
    assert planbot(database_url, "summary", "ppr").stdout.startswith(
        "Protection peer review — monthly update — September 2021")
    assert "as at 30/09/2021" in planbot(database_url, "slippage", "ppr").stdout

    planbot(database_url, "role", "merge", "Corporate comms.", "Corporate Comms", clock="2021-10-01T10:00:00Z")
    later = planbot(database_url, "status", clock="2021-10-01T10:00:00Z").stdout
    assert "62 days past its original date (31/07/2021); revised to 30/09/2021; 1 day late" in later


def test_the_demo_is_the_real_plan_dated_by_the_trial_clock(empty_database_url):
    demo = planbot(empty_database_url, "demo", clock="2027-03-01T09:00:00Z").stdout
    assert "as at 01/03/2027" in demo
    assert "Develop a communications plan to share with customers." in demo
    assert "Head of Protection and Prevention / Corporate comms." in demo
    assert "76 days past its original date (15/12/2026); revised to 14/02/2027; 15 days late" in demo
    assert all(word in demo for word in ("RED", "AMBER", "GREEN"))
    assert "complete (date not recorded)" in demo and "completed 01/03/2027" not in demo
