"""Fixed, readable plans of any size for the benchmark, loaded through the real importer.

Recommendations have ten actions each. Every action is owned by a role the benchmark's user
holds, so that user may complete any of them; positions 0-2 are complete (Green), 3-4 were
due before the pinned date (Red), 5-9 are due after it (Amber), and every tenth
recommendation's Red actions carry a revised date with a reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

from bot.plan.errors import Conflict
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)
USER = "UBENCH"        # holds both owner roles, so may complete any action
ADMIN = "UBENCHADMIN"  # the plans' admin
TEAM = "T1"
ROLES = ("Head of Protection", "Protection Manager")
ACTIONS_PER_RECOMMENDATION = 10

_THEMES = (
    "Improve the targeting of fire safety inspections",
    "Increase the number of competent inspectors",
    "Engage businesses on their fire safety duties",
    "Strengthen enforcement and prosecution",
    "Share learning from fire investigations",
)
_ACTIONS = (
    "Publish the inspection methodology",
    "Review the risk model",
    "Recruit four inspectors",
    "Train crews in business safety checks",
    "Launch the business engagement campaign",
    "Audit a sample of completed inspections",
    "Report progress to the board",
    "Agree a data sharing protocol with partners",
    "Update the enforcement policy",
    "Evaluate the effect on high-risk premises",
)
_OWNERS = ("Head of Protection", "Protection Manager", "Head of Protection / Corporate Comms",
           "Protection Manager / HR Business Partner")


def plan_key(size: int) -> str:
    return f"p{size}"


def plan_csv(size: int, today: date = NOW.date()) -> str:
    """A plan of `size` actions as CSV text, the same every time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Recommendation", "Actions", "Owner", "Delivery Date", "Status", "Revised Date", "Notes"])
    for index in range(size):
        number, position = divmod(index, ACTIONS_PER_RECOMMENDATION)
        first = position == 0
        recommendation = f"{number + 1}) {_THEMES[number % len(_THEMES)]} (area {number + 1})" if first else ""
        owner = _OWNERS[index % len(_OWNERS)]
        revised, notes = "", ""
        if position < 3:
            status, due = "Complete", today - timedelta(days=60 - position)
        elif position < 5:
            status, due = "In progress", today - timedelta(days=10 + position)
            if number % 10 == 0:
                revised, notes = (today - timedelta(days=2)).strftime("%d/%m/%Y"), "Recruitment delayed"
        else:
            status = "Not started" if position % 2 else "In progress"
            due = today + timedelta(days=7 * position + number % 30)
        writer.writerow([recommendation, _ACTIONS[position], owner, due.strftime("%d/%m/%Y"), status,
                         revised, notes])
    return out.getvalue()


def load(sessions: Sessions, size: int, *, channel: str | None = None) -> str:
    """Import the plan of `size` actions with ADMIN as admin and USER holding both roles."""
    key = plan_key(size)
    cli = Actor.cli("bench")
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(plan_csv(size)), key=key, actor=cli, now=NOW,
                    title=f"Benchmark plan of {size} actions", channel_id=channel, admins=(ADMIN,))
    with sessions.begin() as session:
        plan = get_plan(session, key)
        for role in ROLES:
            try:
                map_role(session, plan, Actor(ADMIN, TEAM), NOW, role, USER, org_id=TEAM)
            except Conflict:
                pass  # roles are workspace-wide: an earlier plan mapped them already
    return key
