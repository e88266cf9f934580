"""The plan `planbot demo` loads: the real one of PRODUCT.md, a fire and rescue service's
protection peer review, as its September 2021 monthly update printed it (eight recommendations,
ten actions, owners as typed there, near-duplicates and all).

Its dates are moved so that today stands where 15 October 2021 stood: recommendation 1's action
has slipped, with its reason, and is overdue on its new date (Red); two actions are on track
(Amber); the other seven are complete (Green). It is written out as the CSV a board secretary
would copy, and goes through the real importer.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.plan.dates import format_date

SAMPLE_KEY = "ppr"
SAMPLE_TITLE = "Protection peer review"
SAMPLE_SOURCE = "Peer review of the service's protection (fire safety regulation) work"
# The day of the real plan that the demo's today stands for.
SAMPLE_ANCHOR = date(2021, 10, 15)

RECOMMENDATIONS = (
    "Provide further evidence for the enhancement of the sharing of information and expectations to businesses. "
    "This may be by way of an external communications plan.",
    "Clarify and evidence provision of Out of Hours Fire Safety Officer cover.",
    "Include some commentary within the Protection Strategy to explain sufficiency of resources or planning to "
    "enhance this. This would give better clarity as to how the service is going to achieve parity with the NFCC "
    "Competency Framework which HMICFRS will use as a benchmark.",
    "Outline clear objectives and target figures for audit activity in order to evidence the ability to meet these.",
    "Create links to the HR Policy/People Strategy for Fire Protection.",
    "Supply and/or provide clear link to Quality Assurance Policy for all audit activity.",
    "Outline clear objectives and rationale for enforcement activity in order to evidence the ability to increase "
    "this activity.",
    "Provide further evidence for the enhancement of pro-active engagement with businesses to promote fire safety. "
    "This may be by way of an external communications plan.",
)
RECRUITMENT_DELAY = (
    "Currently overdue due to a delay in the recruitment of the business engagement SM. "
    "We are currently recruiting for this post."
)

# (recommendation, action, owner as typed, delivery date, status, revised date, reason/notes)
_ROWS: tuple[tuple[int, str, str, date, str, date | None, str], ...] = (
    (1, "Develop a communications plan to share with customers.",
     "Head of Protection and Prevention/Corporate comms.", date(2021, 7, 31), "In progress", date(2021, 9, 30),
     RECRUITMENT_DELAY),
    (2, "Rebalance the flexi duty rota and make best use of staff we already have.", "Head of Ops Policy",
     date(2021, 7, 31), "Complete", None, ""),
    (2, "Establish an out of hours system for day duty fire safety officers.", "Head of Protection",
     date(2021, 2, 28), "Complete", None, ""),
    (3, "This is included in the staff succession planning currently and will be picked up in the annual review "
        "of the Protection strategy.", "Head of Prevention and Protection", date(2021, 12, 31), "In progress",
     None, ""),
    (4, "Set a performance target in the monthly, quarterly and annual performance reports. To be monitored at "
        "1/4ly P and P board.", "Head of Prevention and Protection", date(2021, 4, 1), "Complete", None, ""),
    (5, "Restructure of the Protection function then embed this into the service people strategy.",
     "Head of Prevention and Protection", date(2021, 12, 31), "In progress", None, ""),
    (6, "Embed the Quality Assurance Process within Protection activities.", "Head of Protection",
     date(2021, 3, 31), "Complete", None, ""),
    (6, "Create a recording and reporting process to enable activity to be monitored and action taken to resolve.",
     "Head of Prevention and Protection", date(2021, 7, 31), "Complete", None, ""),
    (7, "Review the Enforcement policy to include clearer objectives and rationale.",
     "Head of Prevention and Protection", date(2021, 2, 28), "Complete", None, ""),
    (8, "Look to continually develop and expand the way we communicate with businesses.",
     "Head of Prevention and Protection/ Corporate Comms", date(2021, 5, 31), "Complete", None, ""),
)

HEADINGS = ("Recommendation", "Actions", "Owner", "Delivery Date", "Status", "Revised Date", "Reason/Notes")


def sample_csv(today: date) -> str:
    """The real plan as CSV, its dates moved so that `today` stands where SAMPLE_ANCHOR stood."""
    shift = today - SAMPLE_ANCHOR
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADINGS)
    previous = 0
    for number, action, owner, due, status, revised, notes in _ROWS:
        recommendation = f"{number}) {RECOMMENDATIONS[number - 1]}" if number != previous else ""
        previous = number
        writer.writerow([recommendation, action, owner, format_date(due + shift), status,
                         format_date(revised + shift) if revised else "", notes])
    return out.getvalue()
