"""Effectiveness reviews: some months after an action is complete its owners are asked whether
the improvement is embedded. *Yes* (with evidence or a comment) makes the action verified; *Not
yet* (with a reason and a next date) keeps it under review. The one change a closed plan takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan import services
from bot.plan.dates import format_full
from bot.plan.errors import Conflict, InvalidInput, InvalidInputs, NotFound
from bot.plan.evidence import clean_url
from bot.plan.identity import Actor
from bot.plan.queries import _owned_by, _owners_of  # the one owners query, shared
from bot.plan.rules import today_in
from storage.kinds import EventKind, ReviewOutcome
from storage.models import Action, EffectivenessReview, Evidence, Plan, Recommendation

NO_REVIEW: Final = "{ref} has no effectiveness review waiting."
YES_NEEDS: Final = "Say how you know it is embedded: a comment, or a link to evidence."
NOT_YET_NEEDS_REASON: Final = "Say why it is not embedded yet."
NEXT_DATE_PAST: Final = "The next review date must be after today ({today}); {given} is not."
NEXT_DATE_NEEDED: Final = "Give the date of the next review."


@dataclass(frozen=True)
class ReviewItem:
    id: int
    plan_key: str
    action_id: int
    ref: str
    description: str
    owners: tuple[str, ...]
    due: date
    outcome: ReviewOutcome | None
    answered_by: str | None
    answered_at: datetime | None
    comment: str | None

    @property
    def waiting(self) -> bool:
        return self.outcome is None


def reviews_of(session: Session, plan: Plan | None, *, waiting_only: bool = False, due_by: date | None = None,  # noqa: PLR0913 - filters, each optional
               limit: int | None = None, owner: Actor | None = None,
               action_id: int | None = None) -> list[ReviewItem]:
    """The plan's reviews (or, with `owner`, those of actions owned by that person's roles, in
    every plan): waiting ones soonest first, then answered ones, in plan order."""
    query = (select(EffectivenessReview, Action.ref, Action.description, Plan.key)
             .join(Action, Action.id == EffectivenessReview.action_id)
             .join(Recommendation, Recommendation.id == Action.recommendation_id)
             .join(Plan, Plan.id == Action.plan_id))
    if plan is not None:
        query = query.where(Action.plan_id == plan.id)
    if owner is not None:
        query = query.where(Action.id.in_(_owned_by(owner)))
    if action_id is not None:
        query = query.where(Action.id == action_id)
    if waiting_only:
        query = query.where(EffectivenessReview.outcome.is_(None))
    if due_by is not None:
        query = query.where(EffectivenessReview.due <= due_by)
    query = query.order_by(EffectivenessReview.outcome.is_not(None), EffectivenessReview.due,
                           Recommendation.number, Action.position, EffectivenessReview.id)
    rows = session.execute(query.limit(limit) if limit is not None else query).all()
    owners = _owners_of(session, [r.action_id for r, _, _, _ in rows])
    return [ReviewItem(r.id, key, r.action_id, ref, description, owners.get(r.action_id, ()), r.due, r.outcome,
                       r.answered_by, r.answered_at, r.comment) for r, ref, description, key in rows]


def verified(session: Session, action_ids: Sequence[int]) -> set[int]:
    """The actions whose improvement a review found embedded."""
    if not action_ids:
        return set()
    return set(session.scalars(select(EffectivenessReview.action_id).where(
        EffectivenessReview.action_id.in_(action_ids), EffectivenessReview.outcome == ReviewOutcome.EMBEDDED)))


def _waiting(session: Session, action: Action) -> EffectivenessReview:
    review = session.scalar(select(EffectivenessReview).where(EffectivenessReview.action_id == action.id,
                                                              EffectivenessReview.outcome.is_(None)))
    if review is None:
        raise NotFound(NO_REVIEW.format(ref=action.ref), field="ref")
    return review


def answer_yes(session: Session, action: Action, actor: Actor, now: datetime, *,  # noqa: PLR0913 - an answer and its two optional parts
               comment: str | None, evidence_url: str | None = None) -> EffectivenessReview:
    """The improvement is embedded: the action is verified."""
    services.check_can_change(session, action, actor, closed_ok=True)
    review = _waiting(session, action)
    text = services._clean_text(comment, what="a comment", field="comment", required=False)
    link = clean_url(evidence_url) if (evidence_url or "").strip() else None
    if text is None and link is None:
        raise InvalidInput(YES_NEEDS, field="comment")
    if link is not None:
        session.add(Evidence(action_id=action.id, url=link, description=text or "effectiveness review",
                             added_by=actor.user_id, added_at=now))
        services.record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
                        kind=EventKind.EVIDENCE_ADDED, new=link, reason=text)
    review.outcome, review.answered_by, review.answered_at, review.comment = (
        ReviewOutcome.EMBEDDED, actor.user_id, now, text or link)
    session.flush()
    services.record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
                    kind=EventKind.REVIEW_ANSWERED, old=review.due.isoformat(), new=ReviewOutcome.EMBEDDED.value,
                    reason=text or link)
    return review


def answer_not_yet(session: Session, action: Action, actor: Actor, now: datetime, *,  # noqa: PLR0913 - an answer and its two parts
                   reason: str | None, next_due: date | None) -> EffectivenessReview:
    """Not embedded yet: under review again on `next_due`."""
    services.check_can_change(session, action, actor, closed_ok=True)
    review = _waiting(session, action)
    plan = session.get(Plan, action.plan_id)
    assert plan is not None
    today = today_in(plan.timezone, now)
    problems: list[InvalidInput] = []
    try:
        text = services._clean_text(reason, what="why it is not embedded yet", field="reason", required=True)
    except InvalidInput as error:
        problems.append(error)
    if next_due is None:
        problems.append(InvalidInput(NEXT_DATE_NEEDED, field="date"))
    elif next_due <= today:
        problems.append(InvalidInput(NEXT_DATE_PAST.format(today=format_full(today), given=format_full(next_due)),
                                     field="date"))
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidInputs(problems)
    assert next_due is not None
    review.outcome, review.answered_by, review.answered_at, review.comment = (
        ReviewOutcome.NOT_YET, actor.user_id, now, text)
    session.flush()
    if session.scalar(select(EffectivenessReview.id).where(EffectivenessReview.action_id == action.id,
                                                           EffectivenessReview.due == next_due)) is not None:
        raise Conflict(f"{action.ref} already has a review on {format_full(next_due)}.")
    session.add(EffectivenessReview(action_id=action.id, due=next_due))
    session.flush()
    services.record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
                    kind=EventKind.REVIEW_ANSWERED, old=review.due.isoformat(), new=ReviewOutcome.NOT_YET.value,
                    reason=text)
    services.record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
                    kind=EventKind.REVIEW_SCHEDULED, new=next_due.isoformat(), reason=text)
    return review
