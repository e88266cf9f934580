"""Bring a plan read from a spreadsheet into the database, and write one back out.

Importing again updates actions matched by ref and records each change as an audit event;
nothing is duplicated and nothing unchanged is touched. Export writes the same headings the
importer reads, so an export re-imports as no change at all.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.plan import services
from bot.plan.dates import format_date
from bot.plan.phrases import plural
from bot.plan.queries import get_plan, is_admin, latest_notes
from bot.plan.rules import ActionStatus, Rag, current_due, days_past_baseline, rag, slipped, today_in
from bot.plan.services import Actor, record
from bot.plan.spreadsheet import HEADINGS, RowProblem, SheetAction, SheetPlan, protect_cell
from storage.kinds import EventKind
from storage.models import Action, ActionOwner, Plan, PlanAdmin, Recommendation, Role, RoleAlias

EXPORT_HEADINGS = (*HEADINGS, "RAG")
IMPORT_REASON = "imported from a spreadsheet"
# A completion date read from a file is a day; it is kept as midday in the plan's timezone, so
# that it stays the same day wherever it is read.
COMPLETED_AT_TIME = time(12, 0)

WARN_RAG_DATE_NOT_PASSED = (
    '{column} says "{word}", but its date ({due}) has not passed: planbot derives RAG from dates and shows it Amber.'
)
WARN_RAG_SLIPPED = (
    '{column} says "{word}", but its revised date ({due}) has not passed: planbot derives RAG from dates and shows '
    "it Amber, and reports it as an exception: {days} past its original date ({original})."
)
WARN_RAG_DATE_PASSED = (
    '{column} says "{word}", but its date ({due}) has passed: planbot derives RAG from dates and shows it Red.'
)
WARN_RAG_COMPLETE = '{column} says "{word}", but the action is complete: planbot shows it Green.'
WARN_RAG_NOT_COMPLETE = '{column} says "{word}", but the action is not complete: planbot shows it {shown}.'
WARN_SIMILAR_ROLES = "The owner roles {names} look like one role; to make them one after the import: {merge}."


@dataclass
class ImportReport:
    plan_key: str
    created_plan: bool = False
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)
    # Imported anyway; each says by row what planbot read differently from the file, and why.
    warnings: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        """The report: warnings by row first, then what changed, ending with the counts."""
        lines = []
        if self.warnings:
            lines.append(f"{plural(len(self.warnings), 'warning')} (imported anyway):")
            lines += [f"  {warning}" for warning in self.warnings]
        if self.updated:
            lines.append("Updated: " + ", ".join(self.updated))
        if self.not_in_file:
            lines.append(
                "In the plan but not in the file (left as they are): " + ", ".join(self.not_in_file)
            )
        verb = "Created" if self.created_plan else "Updated"
        lines.append(f"{verb} plan {self.plan_key}: {plural(len(self.added), 'action')} added, "
                     f"{len(self.updated):,} updated, {self.unchanged:,} unchanged.")
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
    if plan is not None:
        services.check_open(session, plan.id)  # a closed plan is read-only, to an import too
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

    today = today_in(plan.timezone, now)
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
    roles = _Roles(session, plan.workspace)
    added: list[tuple[Action, SheetAction]] = []
    seen: set[str] = set()
    for position, row in enumerate(sheet.actions):
        seen.add(row.ref.casefold())
        action = existing.get(row.ref.casefold())
        recommendation = recommendations[row.recommendation]
        if action is None:
            added.append((_new_action(session, plan, recommendation, row, position=position, roles=roles), row))
            report.added.append(row.ref)
        elif _update_action(session, action, recommendation, row, position=position, latest_note=notes.get(action.id),
                            actor=actor, now=now, roles=roles):
            report.updated.append(row.ref)
        else:
            report.unchanged += 1
        if (warning := _rag_warning(row, today)) is not None:
            report.warnings.append(RowProblem(row.row, warning))
    session.flush()  # one batch of INSERTs for every new action and its owners
    for action, row in added:
        _record_added(session, action, row, actor, now)
    report.not_in_file = sorted((a.ref for k, a in existing.items() if k not in seen), key=_ref_order)
    session.flush()
    _place_actions(session, plan)
    report.warnings = sorted([*sheet.warnings, *report.warnings, *_similar_roles(sheet, roles)],
                             key=lambda warning: warning.row)
    return report


def _place_actions(session: Session, plan: Plan) -> None:
    """Number the plan's actions 0, 1, 2, … in the order pages show them (recommendation,
    position, id), so that a page is a range of `sort_key` (queries.status). The importer is
    the only writer of numbers and positions, so this is the one place the order can change."""
    rows = session.execute(
        select(Action.id, Action.sort_key)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .where(Action.plan_id == plan.id)
        .order_by(Recommendation.number, Action.position, Action.id)
    ).all()
    moved = [{"id": row.id, "sort_key": place} for place, row in enumerate(rows) if row.sort_key != place]
    if moved:
        session.execute(update(Action), moved)


def completion_instant(day: date, timezone: str) -> datetime:
    """The instant kept for a completion date read from a file: midday that day in the plan's timezone."""
    return datetime.combine(day, COMPLETED_AT_TIME, tzinfo=ZoneInfo(timezone))


def _rag_warning(row: SheetAction, today: date) -> str | None:
    """What to say when the colour a row claims is not the one its dates give."""
    typed = row.typed_rag
    due = current_due(row.original_due, row.revised_due)
    shown = rag(row.status, due, today)
    if typed is None or typed.rag == shown:
        return None
    values = {"column": typed.column, "word": typed.word, "due": format_date(due)}
    if shown == Rag.GREEN:
        return WARN_RAG_COMPLETE.format(**values)
    if typed.rag == Rag.GREEN:
        return WARN_RAG_NOT_COMPLETE.format(**values, shown=shown.label)
    if shown == Rag.RED:
        return WARN_RAG_DATE_PASSED.format(**values)
    past = days_past_baseline(row.status, row.original_due, today)
    if slipped(row.original_due, row.revised_due) and past:
        return WARN_RAG_SLIPPED.format(**values, days=plural(past, "day"), original=format_date(row.original_due))
    return WARN_RAG_DATE_NOT_PASSED.format(**values)


_NOT_A_WORD = re.compile(r"[^\w]+")
_FILLER = frozenset({"and", "the"})


def similar_role_key(name: str) -> tuple[str, ...]:
    """Role names that differ only in case, punctuation, word order or "and" share this key:
    "Head of Protection and Prevention" ~ "Head of Prevention & Protection", "Corporate comms." ~ "Corporate Comms"."""
    words = _NOT_A_WORD.sub(" ", name.casefold().replace("&", " and ")).split()
    return tuple(sorted(word for word in words if word not in _FILLER))


def _similar_roles(sheet: SheetPlan, roles: _Roles) -> list[RowProblem]:
    """Near-duplicate owner roles in the file (or between the file and roles already known), each
    group with the merges that would make them one: into the name the file uses most."""
    rows: dict[str, list[int]] = defaultdict(list)  # role name -> rows of the file naming it
    for action in sheet.actions:
        for name in action.owners:
            rows[roles.get(name).name].append(action.row)
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name in sorted({role.name for role in roles.all()}):
        groups[similar_role_key(name)].append(name)
    warnings = []
    for names in groups.values():
        used = [name for name in names if name in rows]
        if len(names) < 2 or not used:  # noqa: PLR2004 - two names or more make a near-duplicate
            continue
        # Into the name the file uses most; on a tie, one without a stray full stop, then the first.
        names.sort(key=lambda name: (-len(rows.get(name, ())), not name[-1].isalnum(), min(rows.get(name, [10**9]))))
        into = names[0]
        merges = "; ".join(f'planbot role merge "{name}" "{into}"' for name in names[1:])
        shown = [f'"{name}" ({_rows(rows.get(name, []))})' for name in names]
        warning = WARN_SIMILAR_ROLES.format(names=", ".join(shown[:-1]) + " and " + shown[-1], merge=merges)
        warnings.append(RowProblem(min(r for name in used for r in rows[name]), warning))
    return warnings


def _rows(rows: list[int]) -> str:
    if not rows:
        return "already in planbot"
    numbers = sorted(set(rows))
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(str(n) for n in numbers)


class _Roles:
    """Every role, loaded once, so that a large import does not look each one up per row; a name
    a role had before it was renamed or merged finds the role it became."""

    def __init__(self, session: Session, workspace: str) -> None:
        self.session, self.workspace = session, workspace  # the plan's: roles are each workspace's own
        self.by_key = {r.name_key: r for r in session.scalars(select(Role).where(Role.workspace == workspace))}
        for alias_key, role_id in session.execute(select(RoleAlias.name_key, RoleAlias.role_id)
                                                  .where(RoleAlias.workspace == workspace)):
            role = next((r for r in self.by_key.values() if r.id == role_id), None)
            if role is not None:
                self.by_key.setdefault(alias_key, role)

    def get(self, name: str) -> Role:
        key = services.role_key(name)
        role = self.by_key.get(key)
        if role is None:
            role = Role(name=" ".join(name.split()), name_key=key, workspace=self.workspace)
            self.session.add(role)
            self.by_key[key] = role
        return role

    def all(self) -> list[Role]:
        return list({id(role): role for role in self.by_key.values()}.values())


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
) -> Action:
    completed_at = None
    if row.status == ActionStatus.COMPLETE and row.completed_on is not None:
        completed_at = completion_instant(row.completed_on, plan.timezone)
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
        completed_at=completed_at,
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
    roles: _Roles,
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
    timezone = action.plan.timezone
    completed_at = completion_instant(row.completed_on, timezone) if row.completed_on else None
    if action.status != row.status:
        if row.status == ActionStatus.COMPLETE:
            kind = EventKind.COMPLETED
        elif action.status == ActionStatus.COMPLETE:
            kind = EventKind.REOPENED
        else:
            kind = EventKind.STATUS
        audit(kind, action.status, row.status)
        action.status = row.status
        # Completed as the file says, or on a day not recorded: never the day of the import.
        action.completed_at = completed_at if row.status == ActionStatus.COMPLETE else None
        changed = True
    elif (row.status == ActionStatus.COMPLETE and row.has_completed_column
          and _day(action.completed_at, timezone) != row.completed_on):
        audit(EventKind.COMPLETED_AT, _day(action.completed_at, timezone), row.completed_on)
        action.completed_at = completed_at
        changed = True
    if services.set_owners(session, action, actor, now, [roles.get(name).name for name in row.owners]):
        changed = True
    if row.notes and row.notes not in (latest_note, row.revision_reason):
        audit(EventKind.NOTE, None, None, row.notes)
        changed = True
    if changed:
        action.version += 1
    return changed


def _day(at: datetime | None, timezone: str) -> date | None:
    return at.astimezone(ZoneInfo(timezone)).date() if at is not None else None


# One exported row: text, and dates kept as dates, so that each format writes them its own way.
ExportCell = str | date


def export_rows(session: Session, plan: Plan, today: date) -> list[list[ExportCell]]:
    """The plan's actions under EXPORT_HEADINGS, in plan order, RAG as of `today`."""
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
    rows: list[list[ExportCell]] = []
    for a in actions:
        rec = a.recommendation
        rows.append([
            f"{rec.number}) {rec.text}" if rec.text else str(rec.number),
            a.ref,
            a.description,
            " / ".join(o.role.name for o in a.owners),
            a.original_due,
            a.revised_due or "",
            a.revision_reason or "",
            a.status.label,
            notes.get(a.id, ""),
            _day(a.completed_at, plan.timezone) or "",
            Rag(rag(a.status, current_due(a.original_due, a.revised_due), today)).label,
        ])
    return rows


def export_plan(session: Session, key: str, today: date) -> str:
    """The plan as CSV with the importer's headings, plus RAG; re-importing it changes nothing."""
    plan = get_plan(session, key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADINGS)
    for row in export_rows(session, plan, today):
        writer.writerow(protect_cell(format_date(cell) if isinstance(cell, date) else cell) for cell in row)
    return out.getvalue()
