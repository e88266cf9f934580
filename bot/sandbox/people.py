"""The sandbox's workspace: its people, its channel, and the demo plan they act on.

Two of the demo plan's roles are held by sandbox people, so the person switcher has a plan
admin, two owners and someone with no role at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.localslack import LocalSlack
from bot.plan import queries
from bot.plan.importer import import_plan
from bot.plan.rules import DEFAULT_TIMEZONE, today_in
from bot.plan.sample import SAMPLE_KEY, SAMPLE_SOURCE, SAMPLE_TITLE, sample_csv
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions

TEAM = "T0SANDBOX"
TEAM_NAME = "Fire and Rescue (sandbox)"
CHANNEL = "C0PLAN0001"
CHANNEL_NAME = "protection-plan"
DEMO = "demo"


@dataclass(frozen=True)
class Person:
    id: str
    name: str  # the display name that `@name` mentions use
    real_name: str
    title: str  # what the switcher says about them
    role: str | None = None  # the plan role they hold, if any
    admin: bool = False


ADMIN = Person("U0ADMIN001", "morgan", "Morgan Reid", "plan admin", admin=True)
OWNER = Person("U0OWNER001", "priya", "Priya Shah", "Head of Prevention and Protection",
               role="Head of Prevention and Protection")
MANAGER = Person("U0OWNER002", "sam", "Sam Okafor", "Head of Protection", role="Head of Protection")
NOBODY = Person("U0GUEST001", "jo", "Jo Blake", "no role")
PEOPLE: tuple[Person, ...] = (ADMIN, OWNER, MANAGER, NOBODY)


def person(user_id: str) -> Person:
    for someone in PEOPLE:
        if someone.id == user_id:
            return someone
    raise KeyError(user_id)


def add_people(slack: LocalSlack) -> None:
    """Everyone users.info should know (planbot asks it when a role is mapped)."""
    for someone in PEOPLE:
        slack.add_user(someone.id, name=someone.name, real_name=someone.real_name, tz=DEFAULT_TIMEZONE)


def load_plan_if_empty(sessions: Sessions, plan: str, now: datetime) -> str | None:
    """Load the demo plan (or the CSV file `plan` names) if the database has no plan yet, with
    the sandbox admin as its admin and the owners mapped to their roles; what was loaded, or None."""
    with sessions.read() as session:
        if queries.list_plans(session):
            return None
    if plan == DEMO:
        text, key, title, source = sample_csv(today_in(DEFAULT_TIMEZONE, now)), SAMPLE_KEY, SAMPLE_TITLE, SAMPLE_SOURCE
    else:
        path = Path(plan)
        text, key, title, source = path.read_text(encoding="utf-8-sig"), "plan", path.stem, str(path)
    with sessions.begin() as session:
        report = import_plan(session, read_plan_csv(text), key=key, actor=Actor.cli("sandbox"), now=now,
                             title=title, source=source, channel_id=CHANNEL, admins=(ADMIN.id,))
    admin = Actor(ADMIN.id, TEAM)
    with sessions.begin() as session:
        loaded = queries.get_plan(session, key)
        for someone in PEOPLE:
            if someone.role:
                map_role(session, loaded, admin, now, someone.role, someone.id, org_id=TEAM)
    return report.summary()
