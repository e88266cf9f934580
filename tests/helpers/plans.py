"""Fixed, readable plans for tests, loaded through the real importer."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.plan.big_sample import big_sample_csv
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions

DATA = Path(__file__).parents[1] / "data"
PEER_REVIEW_CSV = DATA / "peer_review_plan.csv"

ADMIN = "UADMIN"      # admin of the plan
ALICE = "UALICE"      # holds "Head of Protection"
BOB = "UBOB"          # holds "Protection Manager"
MALLORY = "UMALLORY"  # holds no role
TEAM = "T1"
TODAY = date(2026, 11, 22)  # the date of the `now` fixture

# Recommendation 1 has two actions; 1.1 is Alice's, 1.2 Bob's, 2.1 is shared by both roles.
SMALL_PLAN = """\
Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Notes
1) Improve the inspection programme,Publish the programme,Head of Protection,01/12/2026,In progress,,
,Review the risk model,Protection Manager,15/11/2026,Not started,,
2) Recruit inspectors,Recruit four inspectors,Head of Protection / Protection Manager,31/10/2026,In progress,20/11/2026,Recruitment delayed
3) Engage businesses,Launch the campaign,Corporate Comms,30/09/2026,Complete,,
"""  # noqa: E501 - rows as the spreadsheet has them


def load(sessions: Sessions, now: datetime, *, csv_text: str = SMALL_PLAN, key: str = "ppr",
         channel: str | None = "CPLAN", map_owners: bool = True) -> None:
    """Import a plan with ADMIN as its admin and map Alice and Bob to their roles."""
    cli = Actor.cli("test")
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(csv_text), key=key, actor=cli, now=now,
                    title="Protection peer review", channel_id=channel, admins=(ADMIN,))
    if map_owners:
        with sessions.begin() as session:
            plan = get_plan(session, key)
            map_role(session, plan, Actor(ADMIN, TEAM), now, "Head of Protection", ALICE, org_id=TEAM)
            map_role(session, plan, Actor(ADMIN, TEAM), now, "Protection Manager", BOB, org_id=TEAM)


def big_plan_csv(actions: int, today: date = TODAY, per_recommendation: int = 20) -> str:
    """A big sample plan (bot/plan/big_sample.py) of `actions` actions, dated for the tests' today:
    actions 1.1 to 1.20, 2.1 to 2.20… Alice and Bob hold its first two roles."""
    return big_sample_csv(actions, today=today, per_recommendation=per_recommendation)
