"""A fixed plan for reminder tests, the people who hold its roles, a courier aimed at the local
Slack, and a run of reminders at a pinned instant.

The plan's day is Monday 1 March 2027 (London is on GMT: 09:00 there is 09:00 UTC):
- 1.1 Head of Protection (Alice), due Thursday 4 March: due in 3 days
- 1.2 Head of Protection (Alice), due Monday 22 February: overdue by a week
- 2.1 Protection Manager (Bob, who mutes his reminders in some tests), due 10 March: due soon
- 3.1 Corporate Comms (Carol), complete: Carol has no open action
- 4.1 Head of Recruitment (nobody holds it), due today: goes to the admin instead
- 5.1 Head of Operations (Dave, in New York), due 15 January: long overdue, with a note
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import SecretStr
from slack_sdk import WebClient

from bot.config import Settings
from bot.localslack import LocalSlack
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from bot.reminding import RunReport, run_reminders
from bot.slack.poster import SlackPoster
from bot.slack.reminders import SlackCourier
from storage.db import Sessions

ADMIN = "UADMIN"
ALICE = "UALICE"
BOB = "UBOB"
CAROL = "UCAROL"
DAVE = "UDAVE"
TEAM = "T1"
PEOPLE = {ADMIN: "Europe/London", ALICE: "Europe/London", BOB: "Europe/London", CAROL: "Europe/London",
          DAVE: "America/New_York"}
MONDAY = datetime(2027, 3, 1, 9, 5, tzinfo=UTC)  # 09:05 in London, 04:05 in New York
SET_UP = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)

PLAN = """\
Recommendation,Actions,Owner,Delivery Date,Status,Notes
1) Improve the inspection programme,Publish the programme,Head of Protection,04/03/2027,In progress,
,Review the risk model,Head of Protection,22/02/2027,In progress,
2) Recruit inspectors,Recruit four inspectors,Protection Manager,10/03/2027,Not started,
3) Engage businesses,Launch the campaign,Corporate Comms,30/01/2027,Complete,
4) Staff the team,Appoint a business engagement manager,Head of Recruitment,01/03/2027,Not started,
5) Cover out of hours,Rebalance the flexi duty rota,Head of Operations,15/01/2027,In progress,\
Blocked by the rota consultation
"""

ROLES = {"Head of Protection": ALICE, "Protection Manager": BOB, "Corporate Comms": CAROL, "Head of Operations": DAVE}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def load_plan(sessions: Sessions, *, key: str = "ppr", csv_text: str = PLAN, at: datetime = SET_UP,
              roles: dict[str, str] | None = None, channel: str | None = "CPLAN") -> None:
    """Import the plan with ADMIN as its admin, and map each role to its holder."""
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(csv_text), key=key, actor=Actor.cli("test"), now=at,
                    title="Protection peer review", channel_id=channel, admins=(ADMIN,))
        plan = get_plan(session, key)
        for role, user in (ROLES if roles is None else roles).items():
            map_role(session, plan, Actor(ADMIN, TEAM), at, role, user, org_id=TEAM)


def add_people(fake: LocalSlack, people: dict[str, str] | None = None) -> None:
    for user, tz in (PEOPLE if people is None else people).items():
        fake.add_user(user, name=user.removeprefix("U").lower(), tz=tz)


def courier_for(fake: LocalSlack, *, poster_client: WebClient | None = None, **options: object) -> SlackCourier:
    settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=fake.url)
    poster = SlackPoster.from_settings(settings, **{"backoff": 0.05, **options})
    if poster_client is not None:
        poster.client = poster_client
    return SlackCourier(poster)


def remind(sessions: Sessions, fake: LocalSlack, at: datetime | Clock, *, worker: str = "w1",
           courier: SlackCourier | None = None, **options: object) -> RunReport:
    clock = at if isinstance(at, Clock) else Clock(at)
    return run_reminders(sessions, courier or courier_for(fake), clock=clock, worker=worker,
                         **{"pace": 0.0, **options})  # type: ignore[arg-type]


def dms(fake: LocalSlack, user: str) -> list[dict]:
    channel = fake.dm_channel(user)
    return fake.messages(channel) if channel else []


def refs_in(report: RunReport, recipient: str) -> list[tuple[str, str]]:
    """(ref, milestone) of each item the recipient's message carried, in order."""
    (outcome,) = [o for o in report.outcomes if o.recipient == recipient]
    assert outcome.reminder is not None
    return [(outcome.reminder.actions[i.action_id].ref, i.milestone) for i in outcome.items]
