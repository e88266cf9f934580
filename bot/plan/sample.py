"""A sample plan for `planbot demo`: a fire and rescue service's protection peer review.

Dates are relative to today so that Red, Amber and Green all show. It is written out as the
CSV a user would import and goes through the real importer.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from bot.plan.dates import format_date

SAMPLE_KEY = "ppr"
SAMPLE_TITLE = "Protection peer review"
SAMPLE_SOURCE = "Peer review of the service's protection (fire safety regulation) work"

# (recommendation cell, action, owner, days from today due, status, revised days, notes)
_ROWS: tuple[tuple[str, str, str, int, str, int | None, str], ...] = (
    ("1) Provide further evidence of how the risk-based inspection programme is targeted",
     "Publish the risk-based inspection programme methodology", "Head of Protection",
     -120, "Complete", None, "Approved by the Performance and Resources Board"),
    ("", "Review the premises risk model against local incident data", "Protection Manager",
     45, "In progress", None, ""),
    ("2) Improve the quality assurance of fire safety audits",
     "Introduce a quality assurance sample of 10% of audits", "Protection Manager",
     -60, "Complete", None, ""),
    ("3) Increase the capacity of competent fire safety inspectors",
     "Recruit four fire safety inspectors", "Head of Protection / HR Business Partner",
     -75, "In progress", -14, "Recruitment delayed: first campaign attracted no suitable candidates"),
    ("", "Train two watch managers to level 4 fire safety certificate", "Head of Protection",
     20, "In progress", None, ""),
    ("4) Engage businesses on their responsibilities under fire safety law",
     "Launch a business engagement campaign", "Head of Prevention and Protection / Corporate Comms",
     -30, "Complete", None, ""),
    ("5) Work with partners to share information on high-risk premises",
     "Agree an information-sharing protocol with the local authority", "Head of Protection",
     90, "Not started", None, ""),
    ("6) Evaluate the effectiveness of enforcement activity",
     "Report enforcement outcomes to the board each quarter", "Protection Manager",
     -10, "In progress", None, "Waiting for the new reporting system"),
    ("7) Ensure building safety regulator requirements are met",
     "Nominate a building safety lead and publish the process", "Head of Protection",
     12, "In progress", None, ""),
    ("8) Review protection policies and procedures",
     "Complete the review of protection policies", "Head of Prevention and Protection",
     150, "Not started", None, ""),
)

HEADINGS = ("Recommendation", "Actions", "Owner", "Delivery Date", "Status", "Revised Date", "Notes")


def sample_csv(today: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADINGS)
    for rec, action, owner, due_in, status, revised_in, notes in _ROWS:
        revised = format_date(today + timedelta(days=revised_in)) if revised_in is not None else ""
        writer.writerow([rec, action, owner, format_date(today + timedelta(days=due_in)), status, revised, notes])
    return out.getvalue()
