"""Fixed, readable plans for tests, loaded through the real importer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from bot.plan.importer import import_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions

DATA = Path(__file__).parent / "data"
PEER_REVIEW_CSV = DATA / "peer_review_plan.csv"

ADMIN = "UADMIN"      # admin of the plan
ALICE = "UALICE"      # holds "Head of Protection"
BOB = "UBOB"          # holds "Protection Manager"
MALLORY = "UMALLORY"  # holds no role
TEAM = "T1"

# Recommendation 1 has two actions; 1.1 is Alice's, 1.2 Bob's, 2.1 is shared by both roles.
SMALL_PLAN = """\
Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Notes
1) Improve the inspection programme,Publish the programme,Head of Protection,01/12/2026,In progress,,
,Review the risk model,Protection Manager,15/11/2026,Not started,,
2) Recruit inspectors,Recruit four inspectors,Head of Protection / Protection Manager,31/10/2026,In progress,20/11/2026,Recruitment delayed
3) Engage businesses,Launch the campaign,Corporate Comms,30/09/2026,Complete,,
"""


def load(sessions: Sessions, now: datetime, csv_text: str = SMALL_PLAN, key: str = "ppr",
         channel: str | None = "CPLAN", map_owners: bool = True) -> None:
    """Import a plan with ADMIN as its admin and map Alice and Bob to their roles."""
    cli = Actor.cli("test")
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(csv_text), key=key, actor=cli, now=now,
                    title="Protection peer review", channel_id=channel, admins=(ADMIN,))
    if map_owners:
        with sessions.begin() as session:
            from bot.plan.queries import get_plan

            plan = get_plan(session, key)
            map_role(session, plan, Actor(ADMIN, TEAM), now, "Head of Protection", ALICE, org_id=TEAM)
            map_role(session, plan, Actor(ADMIN, TEAM), now, "Protection Manager", BOB, org_id=TEAM)


BIG_PLAN_OWNERS = ("Head of Protection", "Protection Manager", "Corporate Comms",
                   "Head of Prevention and Protection / Corporate Comms")


def big_plan_csv(actions: int, per_recommendation: int = 20, start: date = date(2026, 1, 5)) -> str:
    """A plan of `actions` actions with fixed, readable data: statuses, owners and dates cycle,
    every seventh open action has a revised date with a reason, so every list has members."""
    lines = ["Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Notes"]
    for i in range(actions):
        number = i // per_recommendation + 1
        recommendation = (
            f'"{number}) Make sure area {number} of the protection service meets the national standard."'
            if i % per_recommendation == 0 else ""
        )
        due = start + timedelta(days=(i * 3) % 700)
        status = "Complete" if i % 5 == 0 else "In progress" if i % 3 == 0 else "Not started"
        revised, notes = "", ""
        if status != "Complete" and i % 7 == 0:
            revised = (due + timedelta(days=45)).strftime("%d/%m/%Y")
            notes = f"Delayed: the contractor for batch {i + 1} withdrew"
        lines.append(
            f"{recommendation},Review the fire safety procedure for premises group {i + 1} and publish it,"
            f"{BIG_PLAN_OWNERS[i % len(BIG_PLAN_OWNERS)]},{due:%d/%m/%Y},{status},{revised},{notes}"
        )
    return "\n".join(lines) + "\n"
