"""Bring a plan read from a spreadsheet into the database, and write one back out.

Importing again updates actions matched by ref and records each change as an audit event;
nothing is duplicated and nothing unchanged is touched. Export writes the same headings the
importer reads, so an export re-imports as no change at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.plan import services
from bot.plan.dates import format_date
from bot.plan.queries import get_plan, is_admin, latest_notes
from bot.plan.rules import ActionStatus, Rag, current_due, rag
from bot.plan.services import Actor, record
from bot.plan.spreadsheet import HEADINGS, SheetAction, SheetPlan, protect_cell
from storage.kinds import EventKind
from storage.models import Action, ActionOwner, Plan, PlanAdmin, Recommendation, Role

EXPORT_HEADINGS = (*HEADINGS, "RAG")
IMPORT_REASON = "imported from a spreadsheet"


@dataclass
class ImportReport:
    plan_key: str
    created_plan: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "Created" if self.created_plan else "Updated"
        lines = [
            f"{verb} plan {self.plan_key}: {len(self.added)} actions added, "
            f"{len(self.updated)} updated, {self.unchanged} unchanged."
        ]
        if self.updated:
            lines.append("Updated: " + ", ".join(self.updated))
        if self.not_in_file:
            lines.append(
                "In the plan but not in the file (left as they are): " + ", ".join(self.not_in_file)
            )
        return "\n".join(lines)


def import_plan(
    session: Session,
    sheet: SheetPlan,
    *,
    key: str,
    actor: Actor,
    now: datetime,
    title: str | None = None,
    channel_id: str | None = None,
    admins: tuple[str, ...] = (),
    source: str = "",
) -> ImportReport:
    plan = session.scalar(select(Plan).where(func.lower(Plan.key) == key.strip().lower()))
    report = ImportReport(plan_key=key.strip().lower())
    if plan is None:
        plan = services.create_plan(
            session, actor, now, key=key, title=title or key, source=source, channel_id=channel_id
        )
        report.created_plan = True
    else:
        _update_plan_settings(session, plan, actor, now, title=title, channel_id=channel_id)
    for user_id in admins:
        if not is_admin(session, plan.id, user_id):
            session.add(PlanAdmin(plan_id=plan.id, user_id=user_id))
            record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.ADMIN_ADDED, new=user_id)

    recommendations = _import_recommendations(session, plan, sheet, actor, now)
    existing = {
        a.ref.casefold(): a
        for a in session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .options(selectinload(Action.owners).selectinload(ActionOwner.role))
        )
    }
    notes = latest_notes(session, [a.id for a in existing.values()])
    roles = _Roles(session)
    added: list[tuple[Action, SheetAction]] = []
    seen: set[str] = set()
    for position, row in enumerate(sheet.actions):
        seen.add(row.ref.casefold())
        action = existing.get(row.ref.casefold())
        recommendation = recommendations[row.recommendation]
        if action is None:
            new = _new_action(session, plan, recommendation, row, position=position, roles=roles, now=now)
            added.append((new, row))
            report.added.append(row.ref)
        elif _update_action(session, action, recommendation, row, position=position,
                            latest_note=notes.get(action.id), actor=actor, now=now):
            report.updated.append(row.ref)
        else:
            report.unchanged += 1
    session.flush()  # one batch of INSERTs for every new action and its owners
    for action, row in added:
        _record_added(session, action, row, actor, now)
    report.not_in_file = sorted((a.ref for k, a in existing.items() if k not in seen), key=_ref_order)
    session.flush()
    return report


class _Roles:
    """Every role, loaded once, so that a large import does not look each one up per row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_key = {r.name_key: r for r in session.scalars(select(Role))}

    def get(self, name: str) -> Role:
        key = services.role_key(name)
        role = self.by_key.get(key)
        if role is None:
            role = Role(name=" ".join(name.split()), name_key=key)
            self.session.add(role)
            self.by_key[key] = role
        return role


def _ref_order(ref: str) -> tuple[object, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ref.split("."))


def _update_plan_settings(
    session: Session, plan: Plan, actor: Actor, now: datetime, *, title: str | None, channel_id: str | None
) -> None:
    if title and title.strip() != plan.title:
        record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_TITLE, old=plan.title,
               new=title.strip())
        plan.title = title.strip()
    if channel_id and channel_id != plan.channel_id:
        record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_CHANNEL, old=plan.channel_id,
               new=channel_id)
        plan.channel_id = channel_id


def _import_recommendations(
    session: Session, plan: Plan, sheet: SheetPlan, actor: Actor, now: datetime
) -> dict[int, Recommendation]:
    found = {r.number: r for r in session.scalars(select(Recommendation).where(Recommendation.plan_id == plan.id))}
    for number, text in sheet.recommendations.items():
        recommendation = found.get(number)
        if recommendation is None:
            recommendation = Recommendation(plan_id=plan.id, number=number, text=text)
            session.add(recommendation)
            found[number] = recommendation
        elif text and text != recommendation.text:
            record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.RECOMMENDATION,
                   old=f"{number}) {recommendation.text}", new=f"{number}) {text}", reason=IMPORT_REASON)
            recommendation.text = text
    session.flush()
    return found


def _new_action(
    session: Session,
    plan: Plan,
    recommendation: Recommendation,
    row: SheetAction,
    *,
    position: int,
    roles: _Roles,
    now: datetime,
) -> Action:
    action = Action(
        plan_id=plan.id,
        recommendation=recommendation,
        ref=row.ref,
        position=position,
        description=row.description,
        original_due=row.original_due,
        revised_due=row.revised_due,
        revision_reason=row.revision_reason if row.revised_due else None,
        status=row.status,
        completed_at=now if row.status == ActionStatus.COMPLETE else None,
        owners=[ActionOwner(role=roles.get(name), position=index) for index, name in enumerate(row.owners)],
    )
    session.add(action)
    return action


def _record_added(session: Session, action: Action, row: SheetAction, actor: Actor, now: datetime) -> None:
    def audit(kind: EventKind, **values: str | None) -> None:
        record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=kind, **values)

    audit(EventKind.IMPORTED, new=f"{row.ref}: {row.status.value}, due {row.original_due.isoformat()}",
          reason=IMPORT_REASON)
    if row.revised_due:
        audit(EventKind.REVISED, old=row.original_due.isoformat(), new=row.revised_due.isoformat(),
              reason=row.revision_reason)
    if row.notes and row.notes != row.revision_reason:
        audit(EventKind.NOTE, reason=row.notes)


def _update_action(
    session: Session,
    action: Action,
    recommendation: Recommendation,
    row: SheetAction,
    *,
    position: int,
    latest_note: str | None,
    actor: Actor,
    now: datetime,
) -> bool:
    """Bring one action in line with its row; True if anything changed (each change audited)."""

    def audit(kind: EventKind, old: object, new: object, reason: str | None = IMPORT_REASON) -> None:
        record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=kind,
               old=None if old is None else str(old), new=None if new is None else str(new), reason=reason)

    changed = False
    action.position = position
    if action.recommendation_id != recommendation.id:
        audit(EventKind.RECOMMENDATION, action.recommendation.number, recommendation.number)
        action.recommendation_id = recommendation.id
        changed = True
    if action.description != row.description:
        audit(EventKind.DESCRIPTION, action.description, row.description)
        action.description = row.description
        changed = True
    if action.original_due != row.original_due:
        audit(EventKind.ORIGINAL_DUE, action.original_due.isoformat(), row.original_due.isoformat())
        action.original_due = row.original_due
        changed = True
    reason = row.revision_reason if row.revised_due else None
    if (action.revised_due, action.revision_reason) != (row.revised_due, reason):
        old = current_due(action.original_due, action.revised_due)
        audit(EventKind.REVISED, old.isoformat(), current_due(row.original_due, row.revised_due).isoformat(),
              reason or "revised date removed by import")
        action.revised_due, action.revision_reason = row.revised_due, reason
        changed = True
    if action.status != row.status:
        if row.status == ActionStatus.COMPLETE:
            kind = EventKind.COMPLETED
        elif action.status == ActionStatus.COMPLETE:
            kind = EventKind.REOPENED
        else:
            kind = EventKind.STATUS
        audit(kind, action.status, row.status)
        action.status = row.status
        action.completed_at = now if row.status == ActionStatus.COMPLETE else None
        changed = True
    if services.set_owners(session, action, actor, now, list(row.owners)):
        changed = True
    if row.notes and row.notes not in (latest_note, row.revision_reason):
        audit(EventKind.NOTE, None, None, row.notes)
        changed = True
    if changed:
        action.version += 1
    return changed


def export_plan(session: Session, key: str, today: date) -> str:
    """The plan as CSV with the importer's headings, plus RAG; re-importing it changes nothing."""
    plan = get_plan(session, key)
    actions = list(
        session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id)
            .join(Recommendation, Recommendation.id == Action.recommendation_id)
            .order_by(Recommendation.number, Action.position, Action.id)
            .options(selectinload(Action.owners).selectinload(ActionOwner.role), selectinload(Action.recommendation))
        )
    )
    notes = latest_notes(session, [a.id for a in actions])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADINGS)
    for a in actions:
        rec = a.recommendation
        writer.writerow(
            protect_cell(cell) for cell in [
                f"{rec.number}) {rec.text}" if rec.text else str(rec.number),
                a.ref,
                a.description,
                " / ".join(o.role.name for o in a.owners),
                format_date(a.original_due),
                format_date(a.revised_due) if a.revised_due else "",
                a.revision_reason or "",
                a.status.label,
                notes.get(a.id, ""),
                Rag(rag(a.status, current_due(a.original_due, a.revised_due), today)).label,
            ]
        )
    return out.getvalue()
