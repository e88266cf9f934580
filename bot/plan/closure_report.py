"""The closure report as data and as an outline: the plan's period (its start to its closing),
what was delivered (each action with its completion date and evidence), what moved to business
as usual and where, slippage over the plan's life, and the effectiveness reviews scheduled.

The outline uses `bot.plan.outline`'s nodes, so `bot.plan.summary_text` renders it as text and
Markdown, and `bot.slack.closing` as Block Kit; `closure_dict` is its JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.dates import format_date, format_full, format_long
from bot.plan.errors import Conflict
from bot.plan.evidence import EvidenceItem, evidence_of
from bot.plan.outline import (
    REVIEW_WORDS,
    ActionRef,
    ActionRow,
    ActionTable,
    ClosurePart,
    Outline,
    Para,
    Person,
    Rule,
    Section,
    Tone,
    slippage_section,
)
from bot.plan.phrases import actor_name, completed_on, owners, plural
from bot.plan.queries import ActionView, PlanView
from bot.plan.reviews import ReviewItem, reviews_of
from bot.plan.rules import ActionStatus, Rag, today_in
from bot.plan.slippage import Slippage, slippage_of
from bot.plan.summary_json import _action_dict
from bot.plan.summary_text import markdown_of, text_of
from storage.models import Action, ActionEvent, Plan

TITLE: Final = "{title} — closure report"
HEADING_PERIOD: Final = "The plan's period"
HEADING_DELIVERED: Final = "What was delivered"
HEADING_MOVED: Final = "Moved to business as usual"
HEADING_REVIEWS: Final = "Effectiveness reviews"
NOT_CLOSED: Final = "Plan `{plan}` is not closed yet; the closure report is written when it closes."
NOTHING_MOVED: Final = "Nothing was moved to business as usual."
NOTHING_DELIVERED: Final = "No action was completed."
NO_REVIEWS: Final = "No effectiveness review is scheduled (reviews are off for this plan)."


@dataclass(frozen=True)
class ClosureReport:
    plan: PlanView
    started: date
    closed: date
    closed_by: str
    generated_at: datetime
    delivered: tuple[ActionView, ...]  # complete, in plan order
    moved: tuple[ActionView, ...]  # moved to business as usual
    bau_notes: dict[int, str]
    evidence: dict[int, list[EvidenceItem]]
    slippage: Slippage
    reviews: tuple[ReviewItem, ...]
    last_event_id: int

    @property
    def total(self) -> int:
        return len(self.delivered) + len(self.moved)

    @property
    def months(self) -> int:
        months = (self.closed.year - self.started.year) * 12 + self.closed.month - self.started.month
        return months + (1 if self.closed.day >= self.started.day else 0)


def closure_report(session: Session, plan: Plan, now: datetime) -> ClosureReport:
    """The closure report of a closed plan (refused while it is open)."""
    if plan.closed_at is None:
        raise Conflict(NOT_CLOSED.format(plan=plan.key))
    closed = today_in(plan.timezone, plan.closed_at)
    total = queries.rag_counts(session, plan.id, closed).total
    view = queries.status(session, plan, closed, page_size=max(total, 1))
    everything = [a for rec in view.recommendations for a in rec.actions]
    first = session.scalar(select(func.min(ActionEvent.at)).where(ActionEvent.plan_id == plan.id))
    started = today_in(plan.timezone, min(plan.created_at, first) if first else plan.created_at)
    notes = dict(session.execute(select(Action.id, Action.bau_note).where(
        Action.plan_id == plan.id, Action.bau_note.is_not(None))).all())
    return ClosureReport(
        plan=view.plan, started=started, closed=closed, closed_by=plan.closed_by or "",
        generated_at=now,
        delivered=tuple(a for a in everything if a.status == ActionStatus.COMPLETE),
        moved=tuple(a for a in everything if a.status == ActionStatus.BAU),
        bau_notes={k: v for k, v in notes.items() if v},
        evidence=evidence_of(session, [a.id for a in everything]),
        slippage=slippage_of(session, view.plan, closed, total, everything),
        reviews=tuple(reviews_of(session, plan)),
        last_event_id=queries.plan_revision(session, plan.id),
    )


def _ref(a: ActionView) -> ActionRef:
    return ActionRef(a.ref, a.description, a.rag)


def _headline(r: ClosureReport) -> str:
    delivered = f"{len(r.delivered)} of {plural(r.total, 'action')} delivered"
    moved = f"; {len(r.moved)} moved to business as usual" if r.moved else ""
    return (f"Plan closed on {format_full(r.closed)} after {plural(r.months, 'month')} "
            f"({format_full(r.started)} to {format_full(r.closed)}): {delivered}{moved}.")


def _review_cell(review: ReviewItem, tz: str) -> str:
    if review.outcome is None:
        return f"due {format_date(review.due)}"
    when = review.answered_at.astimezone(ZoneInfo(tz)).date() if review.answered_at else review.due
    return f"{REVIEW_WORDS[review.outcome]} {format_date(when)}"


def closure_outline(r: ClosureReport) -> Outline:
    tz = r.plan.timezone
    period = Section(ClosurePart.PERIOD, HEADING_PERIOD, (
        Para((f"From {format_full(r.started)} to {format_full(r.closed)} ({plural(r.months, 'month')}). "
              "Closed by ", Person(r.closed_by), "."),),))
    delivered_rows = tuple(ActionRow(_ref(a), (owners(a.owners), format_date(a.original_due), completed_on(a, tz),
                                               str(len(r.evidence.get(a.id, [])))))
                           for a in r.delivered)
    delivered = Section(ClosurePart.DELIVERED, HEADING_DELIVERED, (
        ActionTable(("Owners", "Original date", "Completed", "Evidence"), delivered_rows),) if delivered_rows
        else (Para((NOTHING_DELIVERED,)),), count=len(delivered_rows))
    moved_rows = tuple(ActionRow(_ref(a), (owners(a.owners), a.bau_where or "not recorded", r.bau_notes.get(a.id, "")))
                       for a in r.moved)
    moved = Section(ClosurePart.MOVED, HEADING_MOVED, (
        ActionTable(("Owners", "Where it now lives", "Note"), moved_rows),) if moved_rows
        else (Para((NOTHING_MOVED,)),), count=len(moved_rows) or None)
    slip = slippage_section(r.slippage)
    slippage = Section(ClosurePart.SLIPPAGE, slip.heading, slip.body, slip.count)
    review_rows = tuple(ActionRow(ActionRef(v.ref, v.description, _rag_of(r, v.action_id)),
                                  (owners(v.owners), _review_cell(v, tz))) for v in r.reviews)
    reviews = Section(ClosurePart.REVIEWS, HEADING_REVIEWS, (
        ActionTable(("Owners", "Review"), review_rows),) if review_rows else (Para((NO_REVIEWS,)),),
        count=len(review_rows) or None)
    local = r.generated_at.astimezone(ZoneInfo(tz))
    source = f" ({r.plan.source})" if r.plan.source else ""
    footer = Section(ClosurePart.FOOTER, None, (Rule(), Para((
        f"Generated by planbot at {local:%H:%M} on {format_long(local.date())} ({tz}) from plan "
        f"{r.plan.key}{source}, audit trail to event {r.last_event_id}.",), Tone.NOTE)))
    return Outline(title=TITLE.format(title=r.plan.title), headline=(_headline(r),), progress=_headline(r),
                   sections=(period, delivered, moved, slippage, reviews, footer))


def _rag_of(r: ClosureReport, action_id: int) -> Rag:
    return next((a.rag for a in (*r.delivered, *r.moved) if a.id == action_id), Rag.GREEN)


def closure_dict(r: ClosureReport) -> dict[str, Any]:
    """The closure report as JSON-ready data."""
    def evidence(a: ActionView) -> list[dict[str, Any]]:
        return [{"url": e.url, "description": e.description, "added_by": e.added_by,
                 "added_at": e.added_at.isoformat()} for e in r.evidence.get(a.id, [])]
    return {
        "plan": {"key": r.plan.key, "title": r.plan.title, "source": r.plan.source, "timezone": r.plan.timezone},
        "title": TITLE.format(title=r.plan.title),
        "headline": _headline(r),
        "period": {"started": r.started.isoformat(), "closed": r.closed.isoformat(), "months": r.months},
        "closed_by": r.closed_by,
        "closed_by_name": actor_name(r.closed_by),
        "generated_at": r.generated_at.isoformat(),
        "delivered": [{**_action_dict(a), "evidence": evidence(a)} for a in r.delivered],
        "moved_to_business_as_usual": [{**_action_dict(a), "where": a.bau_where, "note": r.bau_notes.get(a.id),
                                        "evidence": evidence(a)} for a in r.moved],
        "slippage": {"actions": r.slippage.total, "on_baseline": r.slippage.on_baseline,
                     "days_slipped": r.slippage.total_days, "median_days_slipped": r.slippage.median_days,
                     "slipped": [{**_action_dict(s.action), "revisions": s.revisions, "reasons": list(s.reasons)}
                                 for s in r.slippage.slips]},
        "reviews": [{"ref": v.ref, "due": v.due.isoformat(), "owners": list(v.owners),
                     "outcome": v.outcome.value if v.outcome else None, "answered_by": v.answered_by,
                     "answered_at": v.answered_at.isoformat() if v.answered_at else None, "comment": v.comment}
                    for v in r.reviews],
        "audit_event": r.last_event_id,
    }


def render_closure(r: ClosureReport, form: str) -> str:
    """The closure report as `text`, `markdown` or `json`: one outline, one renderer each."""
    match form:
        case "markdown":
            return markdown_of(closure_outline(r))
        case "json":
            return json.dumps(closure_dict(r), indent=2, ensure_ascii=False) + "\n"
        case _:
            return text_of(closure_outline(r))
