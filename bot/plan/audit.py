"""Tamper evidence for the audit trail: each event is chained to the one before it in its plan.

Every event carries its place in its plan's trail (`seq`, 1, 2, 3…) and `hash`: SHA-256 over
the previous event's hash and this event's own fields. Changing, removing or reordering any
stored event breaks the chain from that event on, and `verify` names the first one that no
longer matches. (The database also refuses UPDATE, DELETE, REPLACE and TRUNCATE on the table;
the chain is what shows it if someone with the file or the owner's role got round that.)

Writers append through `next_links`, which on PostgreSQL takes a per-plan transaction lock
first, so two transactions never give two events the same place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.models import Action, ActionEvent

GENESIS: Final = "0" * 64
_TAILS_KEY: Final = "planbot_audit_tails"
_LOCK_CLASS: Final = 7_220_411  # the first key of the PostgreSQL advisory lock on a plan's trail


@dataclass(frozen=True)
class EventFields:
    """What an event's hash covers: everything stored about it except its id."""

    plan_id: int
    seq: int
    action_id: int | None
    at: datetime
    actor: str
    kind: str
    old_value: str | None
    new_value: str | None
    reason: str | None


def event_hash(previous: str, fields: EventFields) -> str:
    at = fields.at.astimezone(UTC).isoformat(timespec="microseconds")
    body = json.dumps(
        [previous, fields.plan_id, fields.seq, fields.action_id, at, fields.actor, fields.kind,
         fields.old_value, fields.new_value, fields.reason],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _stored_tail(session: Session, plan_id: int) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:class, :plan)"), {"class": _LOCK_CLASS, "plan": plan_id})
    row = session.execute(
        select(ActionEvent.seq, ActionEvent.hash)
        .where(ActionEvent.plan_id == plan_id)
        .order_by(ActionEvent.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def _fields(event: ActionEvent) -> EventFields:
    return EventFields(plan_id=event.plan_id, seq=event.seq, action_id=event.action_id, at=event.at,
                       actor=event.actor, kind=event.kind, old_value=event.old_value,
                       new_value=event.new_value, reason=event.reason)


def append(session: Session, event: ActionEvent) -> None:
    """Give a new event its place and hash in its plan's trail, and add it to the session.

    The tail is read once per transaction (Sessions hands out one session per transaction) and
    then kept in the session, so an import that writes thousands of events reads it once.
    """
    tails: dict[int, tuple[int, str]] = session.info.setdefault(_TAILS_KEY, {})
    seq, previous = tails[event.plan_id] if event.plan_id in tails else _stored_tail(session, event.plan_id)
    event.seq = seq + 1
    event.hash = event_hash(previous, _fields(event))
    tails[event.plan_id] = (event.seq, event.hash)
    session.add(event)


@dataclass(frozen=True)
class Break:
    """The first event that no longer matches the chain."""

    event_id: int | None
    seq: int
    at: datetime | None
    kind: str | None
    problem: str


@dataclass(frozen=True)
class Verification:
    events: int
    first_break: Break | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _events(session: Session, plan_id: int) -> Iterator[ActionEvent]:
    yield from session.scalars(
        select(ActionEvent).where(ActionEvent.plan_id == plan_id).order_by(ActionEvent.seq, ActionEvent.id)
    )


def trail(session: Session, plan_id: int) -> list[tuple[ActionEvent, str | None]]:
    """The plan's events in trail order, each with its action's ref (None for the plan's own)."""
    rows = session.execute(
        select(ActionEvent, Action.ref)
        .outerjoin(Action, Action.id == ActionEvent.action_id)
        .where(ActionEvent.plan_id == plan_id)
        .order_by(ActionEvent.seq, ActionEvent.id)
    )
    return [(event, ref) for event, ref in rows]


def verify(session: Session, plan_id: int) -> Verification:
    """Walk the plan's trail from its first event and report the first that does not follow."""
    previous, expected, count = GENESIS, 1, 0
    for event in _events(session, plan_id):
        count += 1
        if event.seq != expected:
            problem = (f"event {event.id} is number {event.seq} in the trail where number {expected} "
                       "should be: events were removed or reordered")
            return Verification(count, Break(event.id, expected, event.at, event.kind, problem))
        if event_hash(previous, _fields(event)) != event.hash:
            problem = f"event {event.id} does not match its hash: it was changed after it was written"
            return Verification(count, Break(event.id, event.seq, event.at, event.kind, problem))
        previous, expected = event.hash, expected + 1
    return Verification(count, None)


def event_count(session: Session, plan_id: int) -> int:
    return session.scalar(select(func.count()).where(ActionEvent.plan_id == plan_id)) or 0
