"""Closing a plan: each open action completed or moved to business as usual (with where it now
lives), then the plan read-only until an admin reopens it. The caller owns the transaction: a
refusal leaves nothing written, and `--dry-run` rolls a whole closure back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan import services
from bot.plan.dates import format_full
from bot.plan.errors import Conflict, InvalidInput, InvalidInputs
from bot.plan.identity import Actor
from bot.plan.rules import ActionStatus, today_in
from storage.kinds import EventKind
from storage.models import Action, Plan, Recommendation

UNDECIDED: Final = ("Plan `{plan}` cannot close while {count} open {noun} undecided: {refs}. "
                    "Mark each complete or move it to business as usual, with where it now lives.")
NOT_OPEN: Final = "{ref} is {status} already; only open actions are decided at closing."
UNKNOWN_REF: Final = 'Plan `{plan}` has no action "{ref}".'
TWICE: Final = "{ref} is decided twice; decide each action once."
BAU_NEEDS_WHERE: Final = ("Say where {ref} now lives (a service plan, a team, a programme) "
                          "to move it to business as usual.")
ALREADY_CLOSED: Final = "Plan `{plan}` was already closed on {day}."
NOT_CLOSED: Final = "Plan `{plan}` is open, so there is nothing to reopen."
UNDECIDED_SHOWN: Final = 20  # refs named in the refusal; the count says the rest


@dataclass(frozen=True)
class Decision:
    """What becomes of one open action at closing: complete, or business as usual `where`."""

    ref: str
    bau: bool
    where: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Closed:
    plan_key: str
    completed: tuple[str, ...]
    moved: tuple[str, ...]
    reviews: int  # effectiveness reviews scheduled by the closing


def open_actions(session: Session, plan: Plan, *, offset: int = 0, limit: int | None = None) -> list[Action]:
    """The plan's open actions in plan order (a page of them with `limit`)."""
    query = (select(Action).join(Recommendation, Recommendation.id == Action.recommendation_id)
             .where(Action.plan_id == plan.id,
                    Action.status.not_in((ActionStatus.COMPLETE, ActionStatus.BAU)))
             .order_by(Recommendation.number, Action.position, Action.id).offset(offset))
    return list(session.scalars(query.limit(limit) if limit is not None else query))


def move_to_bau(session: Session, action: Action, actor: Actor, now: datetime, where: str | None,  # noqa: PLR0917 - every service takes session, subject, actor and now, then the change
                note: str | None = None) -> Action:
    """The action lives on outside the plan: neither complete nor overdue from now on."""
    services.check_can_change(session, action, actor)
    place = services._clean_text(where, what=f"where {action.ref} now lives", field="where", required=True)
    if not place:
        raise InvalidInput(BAU_NEEDS_WHERE.format(ref=action.ref), field="where")
    clean_note = services._clean_text(note, what="a note", field="note", required=False)
    if not action.status.is_open:
        raise Conflict(NOT_OPEN.format(ref=action.ref, status=action.status.label.lower()))
    previous = action.status
    if not services._bump(session, action, {"status": ActionStatus.BAU, "bau_where": place, "bau_note": clean_note},
                          expected={"status": previous, "version": action.version}):
        session.refresh(action)
        raise Conflict(f"{action.ref} changed while you were looking at it. Please try again.")
    services.record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
                    kind=EventKind.MOVED_TO_BAU, old=previous.value, new=place, reason=clean_note)
    return action


def check_decisions(session: Session, plan: Plan, decisions: Sequence[Decision], *, whole: bool) -> list[Action]:
    """The open actions the decisions are about, after checking every one (all problems at once).
    With `whole`, every open action of the plan must be decided."""
    open_now = open_actions(session, plan)
    by_ref = {a.ref.casefold(): a for a in open_now}
    problems: list[InvalidInput] = []
    seen: set[str] = set()
    decided: list[Action] = []
    for decision in decisions:
        key = decision.ref.strip().casefold()
        if key in seen:
            problems.append(InvalidInput(TWICE.format(ref=decision.ref), field=f"decision:{decision.ref}"))
            continue
        seen.add(key)
        action = by_ref.get(key)
        if action is None:
            known = session.scalar(select(Action).where(Action.plan_id == plan.id, Action.ref == decision.ref.strip()))
            problems.append(InvalidInput(
                NOT_OPEN.format(ref=known.ref, status=known.status.label.lower()) if known is not None
                else UNKNOWN_REF.format(plan=plan.key, ref=decision.ref), field=f"decision:{decision.ref}"))
            continue
        if decision.bau and not (decision.where or "").strip():
            problems.append(InvalidInput(BAU_NEEDS_WHERE.format(ref=action.ref), field=f"where:{action.ref}"))
        decided.append(action)
    if whole:
        undecided = [a.ref for a in open_now if a.ref.casefold() not in seen]
        if undecided:
            problems.append(Undecided(plan, undecided))
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidInputs(problems)
    return decided


class Undecided(InvalidInput):
    """Closing refused: these open actions have no decision."""

    def __init__(self, plan: Plan, refs: list[str]) -> None:
        shown = ", ".join(refs[:UNDECIDED_SHOWN]) + (f" and {len(refs) - UNDECIDED_SHOWN} more"
                                                     if len(refs) > UNDECIDED_SHOWN else "")
        super().__init__(UNDECIDED.format(plan=plan.key, count=len(refs), noun="action is" if len(refs) == 1
                                          else "actions are", refs=shown), field="decisions", plan_key=plan.key)
        self.refs = tuple(refs)


def decide(session: Session, plan: Plan, actor: Actor, now: datetime, decisions: Sequence[Decision]) -> None:
    """Apply some closing decisions (one page of the closing modal), without closing yet."""
    services.check_admin(session, plan, actor)
    actions = check_decisions(session, plan, decisions, whole=False)
    for decision, action in zip(decisions, actions, strict=True):
        if decision.bau:
            move_to_bau(session, action, actor, now, decision.where, decision.note)
        else:
            services.complete(session, action, actor, now, note=decision.note)


def close_plan(session: Session, plan: Plan, actor: Actor, now: datetime,
               decisions: Sequence[Decision] = ()) -> Closed:
    """Close the plan: every open action decided (refused, listing them, while any is not), its
    summaries and reminders stop, every completed action has its effectiveness review, and the
    plan is read-only from now on."""
    services.check_admin(session, plan, actor, closed_ok=True)
    if plan.closed_at is not None:
        raise Conflict(ALREADY_CLOSED.format(plan=plan.key, day=format_full(today_in(plan.timezone, plan.closed_at))))
    actions = check_decisions(session, plan, decisions, whole=True)
    completed, moved = [], []
    for decision, action in zip(decisions, actions, strict=True):
        if decision.bau:
            move_to_bau(session, action, actor, now, decision.where, decision.note)
            moved.append(action.ref)
        else:
            services.complete(session, action, actor, now, note=decision.note)
            completed.append(action.ref)
    reviews = 0
    done = session.scalars(select(Action).where(Action.plan_id == plan.id, Action.status == ActionStatus.COMPLETE)
                           .order_by(Action.position, Action.id))
    for action in done:
        reviews += services.schedule_review(session, action, actor, now) is not None
    plan.closed_at, plan.closed_by = now, actor.user_id
    session.flush()
    services.record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_CLOSED,
                    new=f"{len(completed)} completed, {len(moved)} moved to business as usual at closing")
    return Closed(plan.key, tuple(completed), tuple(moved), reviews)


def reopen_plan(session: Session, plan: Plan, actor: Actor, now: datetime, reason: str | None = None) -> None:
    services.check_admin(session, plan, actor, closed_ok=True)
    if plan.closed_at is None:
        raise Conflict(NOT_CLOSED.format(plan=plan.key))
    clean = services._clean_text(reason, what="a reason", field="reason", required=False)
    before = plan.closed_at
    plan.closed_at, plan.closed_by = None, None
    session.flush()
    services.record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_REOPENED,
                    old=before.isoformat(), reason=clean)
