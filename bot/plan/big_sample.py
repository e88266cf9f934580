"""Big sample plans of any size, for the benchmark, load tests and the sandbox.

Fixed, readable rows written out as the CSV a user would import, so they go through the real
importer. Action n (from 0) is, by n % 8: 0 overdue with a note, 1 overdue with a revised
date (still past) and a long reason, 2 complete, 3-7 open and due within the coming year
(n % 360 days from today). Most actions are owned by both "Head of Protection" and
"Protection Manager"; every third by "Head of Prevention and Protection" alone.
Descriptions are long and carry `&`, `<` and `>`, which renderers must escape.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from bot.plan.dates import format_date

ROLES = ("Head of Protection", "Protection Manager", "Head of Prevention and Protection")
HEADINGS = ("Recommendation", "Actions", "Owner", "Delivery Date", "Status", "Revised Date", "Reason", "Notes")
OVERDUE_WITH_NOTE, OVERDUE_REVISED, COMPLETE = 0, 1, 2
CYCLE = 8


def description(n: int) -> str:
    return (f"Action {n + 1}: deliver the agreed improvement to the inspection, audit and enforcement "
            f"process number {n + 1}, with evidence reported to the board & <partners>")


def revision_reason(n: int) -> str:
    return ("Delayed because the supplier could not deliver the training on the agreed dates and a "
            f"second supplier had to be procured under the framework, case {n}")


def big_sample_csv(actions: int, *, today: date, per_recommendation: int = 50) -> str:
    """A plan of `actions` actions as CSV text, the same for the same arguments."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADINGS)
    for n in range(actions):
        number, position = divmod(n, per_recommendation)
        recommendation = (f"{number + 1}) Improve how the service targets, records and reviews its "
                          f"protection work in area {number + 1}") if position == 0 else ""
        owner = " / ".join(ROLES[:2]) if n % 3 else ROLES[2]
        status, due, revised, reason, notes = "Not started", today + timedelta(days=n % 360), "", "", ""
        kind = n % CYCLE
        if kind in (OVERDUE_WITH_NOTE, OVERDUE_REVISED):
            status, due = "In progress", today - timedelta(days=40 + n % 50)
            if kind == OVERDUE_REVISED:
                revised, reason = format_date(today - timedelta(days=1 + n % 20)), revision_reason(n)
            else:
                notes = f"Blocked: supplier {n}"
        elif kind == COMPLETE:
            status, due = "Complete", today - timedelta(days=100)
        writer.writerow([recommendation, description(n), owner, format_date(due), status, revised, reason, notes])
    return out.getvalue()
