"""Evidence on actions, actions blocked by others, and a plan's closing-the-loop settings.

Each change checks who may make it (owners through their roles, and admins) and that the plan
is open, writes its audit event in the caller's transaction, and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pydantic import HttpUrl, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.errors import Conflict, InvalidInput, NotFound
from bot.plan.identity import Actor
from bot.plan.services import _bump, _clean_text, check_admin, check_can_change, record
from bot.plan.storable import storable
from storage.kinds import EventKind
from storage.models import Action, Evidence, Plan

MAX_URL_LENGTH: Final = 2000
MAX_DESCRIPTION_LENGTH: Final = 300
MAX_REVIEW_MONTHS: Final = 60

BAD_URL: Final = '"{text}" is not a link I can keep: give a full web address starting with https:// (or http://).'
NO_URL: Final = "Give the evidence's link (a document, a Slack message or file permalink), starting with https://."
URL_TOO_LONG: Final = "That link is {length} characters; keep it under {most}."
DESCRIPTION_TOO_LONG: Final = "That description is {length} characters; keep it under {most}."
EVIDENCE_UNKNOWN: Final = "{ref} has no evidence item {number}; `show` lists its items by number."
ALREADY_BLOCKED: Final = "{ref} is already blocked on others ({reason}); unblock it first to give a new reason."
NOT_BLOCKED: Final = "{ref} is not blocked, so there is nothing to unblock."
BLOCK_DONE: Final = "{ref} is {status}, so it cannot wait on anyone."
REVIEW_MONTHS_BAD: Final = 'Give the review interval as a number of months from 1 to {most}, or "off".'

_URL = TypeAdapter(HttpUrl)


def clean_url(text: str | None) -> str:
    """A link as typed, checked to be a full http(s) web address (Slack permalinks are)."""
    raw = storable((text or "").strip().strip("<>"), what="The link", field="url")
    if not raw:
        raise InvalidInput(NO_URL, field="url")
    if len(raw) > MAX_URL_LENGTH:
        raise InvalidInput(URL_TOO_LONG.format(length=len(raw), most=MAX_URL_LENGTH), field="url")
    try:
        parsed = _URL.validate_python(raw)
    except ValidationError:
        raise InvalidInput(BAD_URL.format(text=raw[:80]), field="url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host or "." not in parsed.host:
        raise InvalidInput(BAD_URL.format(text=raw[:80]), field="url")
    return raw


@dataclass(frozen=True)
class EvidenceItem:
    number: int  # 1, 2, … in the order added (removed items keep their number)
    id: int
    action_id: int
    url: str
    description: str
    added_by: str
    added_at: datetime
    removed_by: str | None = None
    removed_at: datetime | None = None


def evidence_of(session: Session, action_ids: list[int], *, removed: bool = False) -> dict[int, list[EvidenceItem]]:
    """Each action's evidence items, oldest first (and, with `removed`, the removed ones too)."""
    if not action_ids:
        return {}
    rows = session.scalars(select(Evidence).where(Evidence.action_id.in_(action_ids))
                           .order_by(Evidence.action_id, Evidence.id))
    found: dict[int, list[EvidenceItem]] = {}
    numbers: dict[int, int] = {}
    for row in rows:
        numbers[row.action_id] = numbers.get(row.action_id, 0) + 1
        if row.removed_at is not None and not removed:
            continue
        found.setdefault(row.action_id, []).append(EvidenceItem(
            numbers[row.action_id], row.id, row.action_id, row.url, row.description, row.added_by, row.added_at,
            row.removed_by, row.removed_at))
    return found


def add_evidence(session: Session, action: Action, actor: Actor, now: datetime, url: str | None,  # noqa: PLR0917 - every service takes session, subject, actor and now, then the change
                 description: str | None = None) -> EvidenceItem:
    check_can_change(session, action, actor)
    link = clean_url(url)
    about = storable(" ".join((description or "").split()), what="The description", field="description")
    if len(about) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(DESCRIPTION_TOO_LONG.format(length=len(about), most=MAX_DESCRIPTION_LENGTH),
                           field="description")
    row = Evidence(action_id=action.id, url=link, description=about, added_by=actor.user_id, added_at=now)
    session.add(row)
    session.flush()
    _bump(session, action, {}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.EVIDENCE_ADDED, new=link, reason=about or None)
    (item,) = [i for i in evidence_of(session, [action.id])[action.id] if i.id == row.id]
    return item


def remove_evidence(session: Session, action: Action, actor: Actor, now: datetime, number: int) -> EvidenceItem:
    """Take item `number` off the action: it stays in the record, marked removed, and audited."""
    check_can_change(session, action, actor)
    items = {i.number: i for i in evidence_of(session, [action.id]).get(action.id, [])}
    item = items.get(number)
    if item is None:
        raise NotFound(EVIDENCE_UNKNOWN.format(ref=action.ref, number=number), field="number")
    row = session.get(Evidence, item.id)
    assert row is not None
    row.removed_at, row.removed_by = now, actor.user_id
    session.flush()
    _bump(session, action, {}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.EVIDENCE_REMOVED, old=item.url, reason=item.description or None)
    return item


def block(session: Session, action: Action, actor: Actor, now: datetime, reason: str | None) -> Action:
    """The action waits on someone outside the organisation; it keeps its RAG."""
    check_can_change(session, action, actor)
    clean = _clean_text(reason, what="what it is waiting for", field="reason", required=True)
    if not action.status.is_open:
        raise Conflict(BLOCK_DONE.format(ref=action.ref, status=action.status.label.lower()))
    if action.blocked_since is not None:
        raise Conflict(ALREADY_BLOCKED.format(ref=action.ref, reason=action.blocked_reason))
    _bump(session, action, {"blocked_reason": clean, "blocked_since": now}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=EventKind.BLOCKED,
           new=clean, reason=clean)
    return action


def unblock(session: Session, action: Action, actor: Actor, now: datetime, note: str | None = None) -> Action:
    check_can_change(session, action, actor)
    clean = _clean_text(note, what="a note", field="note", required=False)
    if action.blocked_since is None:
        raise Conflict(NOT_BLOCKED.format(ref=action.ref))
    before = action.blocked_reason
    _bump(session, action, {"blocked_reason": None, "blocked_since": None}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=EventKind.UNBLOCKED,
           old=before, reason=clean)
    return action


def parse_review_months(text: str) -> int | None:
    """`6`, `12 months`, `off`: the review interval in months, None for off."""
    words = text.strip().lower().split()
    if words in (["off"], ["none"], ["no"]):
        return None
    if words and words[-1] in ("month", "months"):
        words = words[:-1]
    if len(words) == 1 and words[0].isdigit() and 1 <= int(words[0]) <= MAX_REVIEW_MONTHS:
        return int(words[0])
    raise InvalidInput(REVIEW_MONTHS_BAD.format(most=MAX_REVIEW_MONTHS), field="months")


def set_closing_settings(session: Session, plan: Plan, actor: Actor, now: datetime, *,  # noqa: PLR0913 - each setting is optional
                         evidence_required: bool | None = None,
                         review_months: int | None | str = "unchanged") -> bool:
    """Admins: whether completing needs evidence, and the review interval (None: off). True if changed."""
    check_admin(session, plan, actor)
    changes: list[str] = []
    if evidence_required is not None and evidence_required != plan.evidence_required:
        plan.evidence_required = evidence_required
        changes.append(f"evidence required: {'on' if evidence_required else 'off'}")
    if review_months not in ("unchanged", plan.review_months):
        assert review_months is None or isinstance(review_months, int)
        plan.review_months = review_months
        changes.append(f"reviews: {'off' if review_months is None else f'{review_months} months'}")
    if not changes:
        return False
    session.flush()
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_SETTINGS, new="; ".join(changes))
    return True
