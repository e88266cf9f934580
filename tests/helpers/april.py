"""The case the April 2021 board paper of PRODUCT.md closed: an 18-month improvement plan that
began on 1 October 2019 and ended on 31 March 2021, every activity delivered except one
("develop an interactive platform to publish enforcement"), rolled into business as usual, tied
into the service's digital transformation work. The paper names only that activity; the others
in the CSV stand for "every other activity", in the shape the plan's tracker had."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.plan.importer import import_plan
from bot.plan.services import Actor
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions
from tests.helpers.plans import DATA

APRIL_CSV = DATA / "improvement_plan_april_2021.csv"
KEY = "ip2019"
STARTED = datetime(2019, 10, 1, 9, 0, tzinfo=UTC)  # the plan began
CLOSING_DAY = datetime(2021, 3, 31, 15, 0, tzinfo=UTC)  # the plan ended
PAPER_DAY = datetime(2021, 4, 20, 9, 0, tzinfo=UTC)  # the board paper that closed it
LEFT_OPEN = "1.1"  # develop an interactive platform to publish enforcement
WHERE = "the service's digital transformation programme"
NOTE = "No further reports on it to this board."
SECRETARY = Actor.cli("secretary")


def import_april(sessions: Sessions, *, channel_id: str | None = None, admins: tuple[str, ...] = ()) -> None:
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(APRIL_CSV.read_text(encoding="utf-8")), key=KEY, actor=SECRETARY,
                    now=STARTED, title="Protection improvement plan 2019-21",
                    source="Improvement plan of October 2019, closed by the board paper of April 2021",
                    channel_id=channel_id, admins=admins)
