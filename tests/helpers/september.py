"""The plan of PRODUCT.md as its September 2021 monthly update printed it, copied into a CSV the
way a board secretary copies a table (recommendations without numbers, the paper's own status
words, a Reason/Notes column, owners as typed), and imported with the clock at 30 September 2021."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.plan.importer import ImportReport, import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor
from bot.plan.spreadsheet import read_plan_csv
from bot.plan.summary import Summary, build_summary, month_period
from storage.db import Sessions
from tests.helpers.plans import DATA

SEPTEMBER_CSV = DATA / "ppr_september_2021.csv"
PAPER_DAY = datetime(2021, 9, 30, 9, 0, tzinfo=UTC)  # the day of the board paper
DAY_AFTER = datetime(2021, 10, 1, 9, 0, tzinfo=UTC)
REASON = ("Currently overdue due to a delay in the recruitment of the business engagement SM. "
          "We are currently recruiting for this post.")


def import_september(sessions: Sessions, *, key: str = "ppr") -> ImportReport:
    with sessions.begin() as session:
        return import_plan(session, read_plan_csv(SEPTEMBER_CSV.read_text(encoding="utf-8")), key=key,
                           actor=Actor.cli("secretary"), now=PAPER_DAY, title="Protection peer review",
                           source="Peer review of protection, board update of 30 September 2021")


def september_summary(sessions: Sessions, at: datetime = PAPER_DAY, *, key: str = "ppr") -> Summary:
    with sessions.read() as session:
        return build_summary(session, get_plan(session, key), month_period(at.year, at.month), at)
