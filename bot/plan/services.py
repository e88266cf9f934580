"""Changes to a plan. Each checks who may make it, writes its audit event in the caller's
transaction, and never commits: the caller owns the transaction.

Concurrent changes to one action are serialised by a conditional UPDATE on the action's
`version`: of two people completing the same action at once, one wins and the other is told
it is already complete.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.plan import audit
from bot.plan.dates import format_date, format_full
from bot.plan.errors import Conflict, InvalidInput, InvalidInputs, NotAllowed, NotFound, Part, PlanClosed, Users
from bot.plan.identity import Actor
from bot.plan.queries import is_admin, member_filter, plan_admins, role_holders
from bot.plan.rules import ActionStatus, current_due, today_in
from bot.plan.storable import storable
from storage.db import rows_matched
from storage.kinds import EventKind
from storage.models import (
    Action,
    ActionEvent,
    ActionOwner,
    EffectivenessReview,
    Evidence,
    Plan,
    PlanAdmin,
    Role,
    RoleAlias,
    RoleMember,
)
from storage.scope import ALL_WORKSPACES, workspace_of

__all__ = ["Actor"]  # re-exported: callers have always found the actor here

MAX_NOTE_LENGTH = 2000
WORKSPACE_LENGTH = 32


def record(
    session: Session,
    *,
    plan_id: int,
    actor: Actor,
    now: datetime,
    kind: EventKind,
    action_id: int | None = None,
    old: str | None = None,
    new: str | None = None,
    reason: str | None = None,
) -> None:
    audit.append(
        session,
        ActionEvent(
            plan_id=plan_id,
            action_id=action_id,
            at=now,
            actor=actor.user_id,
            kind=kind,
            old_value=old,
            new_value=new,
            reason=reason,
        ),
    )


def role_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_role(session: Session, name: str) -> Role | None:
    """The role of that name, or the one a role of that name was renamed or merged into."""
    key = role_key(name)
    role = session.scalar(select(Role).where(Role.name_key == key))
    if role is None:
        aliased = select(RoleAlias.role_id).where(RoleAlias.name_key == key)
        role = session.scalar(select(Role).where(Role.id.in_(aliased)))
    return role


def get_or_create_role(session: Session, name: str) -> Role:
    clean = storable(" ".join(name.split()), what="The role name", field="role")
    if not clean:
        raise InvalidInput("A role needs a name.", field="role")
    role = find_role(session, clean)
    if role is None:
        role = Role(name=clean, name_key=role_key(clean), workspace=workspace_of(session) or "")
        session.add(role)
        session.flush()
    return role


def can_change(session: Session, action: Action, actor: Actor) -> bool:
    if actor.is_cli or is_admin(session, action.plan_id, actor.user_id):
        return True
    return (
        session.scalar(
            select(RoleMember.id)
            .join(ActionOwner, ActionOwner.role_id == RoleMember.role_id)
            .where(ActionOwner.action_id == action.id, member_filter(actor))
            .limit(1)
        )
        is not None
    )


PLAN_CLOSED = "Plan `{plan}` was closed on {day}; an admin can reopen it."


def check_open(session: Session, plan_id: int) -> None:
    """A closed plan is read-only: every change is refused, saying so."""
    plan = session.get(Plan, plan_id)
    assert plan is not None
    if plan.closed_at is not None:
        raise PlanClosed(PLAN_CLOSED.format(plan=plan.key, day=format_full(today_in(plan.timezone, plan.closed_at))),
                         plan_key=plan.key)


def check_can_change(session: Session, action: Action, actor: Actor, *, closed_ok: bool = False) -> None:
    """Owners (through their roles) and the plan's admins may change an action, while its plan is
    open; `closed_ok` for what a closed plan still takes (its effectiveness reviews)."""
    if not closed_ok:
        check_open(session, action.plan_id)
    if can_change(session, action, actor):
        return
    holders = role_holders(session, action.id, actor)
    admins = tuple(plan_admins(session, action.plan_id))
    parts: list[Part] = [f"Only the owners of {action.ref} and the plan's admins can change it: "]
    for number, (role, users) in enumerate(holders.items()):
        parts += ["; " if number else "", f"{role} ("]
        parts += [Users(users), ")"] if users else ["nobody mapped yet)"]
    if not holders:
        parts.append("its owners")
    if admins:
        parts += ["; admins: ", Users(admins)]
    parts.append(".")
    raise NotAllowed(*parts, field="ref", holders=holders, admins=admins)


def check_admin(session: Session, plan: Plan, actor: Actor, *, closed_ok: bool = False) -> None:
    """Only the plan's admins (and the command line) may; and, unless `closed_ok`, only while it is open."""
    if not closed_ok:
        check_open(session, plan.id)
    if actor.is_cli or is_admin(session, plan.id, actor.user_id):
        return
    admins = tuple(plan_admins(session, plan.id))
    who: Part = Users(admins) if admins else "none yet; set one with `planbot import --admin`"
    raise NotAllowed(f"Only admins of plan `{plan.key}` can do that. Its admins: ", who, ".", admins=admins)


def _clean_text(text: str | None, *, what: str, field: str, required: bool) -> str | None:
    clean = storable((text or "").strip(), what=f"The {field}", field=field)
    if not clean:
        if required:
            raise InvalidInput(f"Please give {what}.", field=field)
        return None
    if len(clean) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"That {what.removeprefix('a ').removeprefix('an ')} is {len(clean)} characters; "
            f"keep it under {MAX_NOTE_LENGTH}.",
            field=field,
        )
    return clean


def _bump(session: Session, action: Action, values: dict[str, object], *, expected: dict[str, object]) -> bool:
    """Apply `values` to the action only if it still matches `expected`; True if it did."""
    conditions = [Action.id == action.id] + [getattr(Action, k) == v for k, v in expected.items()]
    result = session.execute(
        update(Action)
        .where(*conditions)
        .values(**values, version=Action.version + 1)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        return False
    if "version" not in expected:
        session.refresh(action)
        return True
    # The row matched the version read, so it now holds exactly these values: set them on the
    # loaded action as the database has them, instead of reading the row back.
    version = expected["version"]
    assert isinstance(version, int)
    for name, value in {**values, "version": version + 1}.items():
        set_committed_value(action, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
    return True


EVIDENCE_NEEDED = (
    "Plan `{plan}` needs evidence before an action is complete, and {ref} has none yet: "
    "add a link to what shows it was done (a document, a Slack message) first."
)


def evidence_count(session: Session, action_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Evidence)
                          .where(Evidence.action_id == action_id, Evidence.removed_at.is_(None))) or 0


def check_evidence(session: Session, action: Action) -> None:
    """When the plan asks for evidence, an action without any cannot be completed (EvidenceNeeded)."""
    plan = session.get(Plan, action.plan_id)
    assert plan is not None
    if plan.evidence_required and evidence_count(session, action.id) == 0:
        raise EvidenceNeeded(EVIDENCE_NEEDED.format(plan=plan.key, ref=action.ref), field="evidence",
                             plan_key=plan.key)


class EvidenceNeeded(InvalidInput):
    """Completing needs evidence first (Slack opens the evidence modal instead)."""


def schedule_review(session: Session, action: Action, actor: Actor, now: datetime, *,
                    audited: bool = True) -> EffectivenessReview | None:
    """The effectiveness review of a completed action, due the plan's interval after its completion
    (none when reviews are off, or when one is already waiting). A completion's own review follows
    from its completion event by the plan's rule (`audited=False`); one scheduled otherwise (at
    closing, for an action completed before reviews were on) has an event of its own."""
    plan = session.get(Plan, action.plan_id)
    assert plan is not None
    if plan.review_months is None or action.status != ActionStatus.COMPLETE:
        return None
    done = today_in(plan.timezone, action.completed_at or now)
    due = done + relativedelta(months=plan.review_months)
    if session.scalar(select(EffectivenessReview.id).where(
            EffectivenessReview.action_id == action.id,
            or_(EffectivenessReview.outcome.is_(None), EffectivenessReview.due == due)).limit(1)) is not None:
        return None
    review = EffectivenessReview(action_id=action.id, due=due)
    session.add(review)
    session.flush()
    if audited:
        record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
               kind=EventKind.REVIEW_SCHEDULED, new=due.isoformat())
    return review


def complete(
    session: Session, action: Action, actor: Actor, now: datetime, note: str | None = None
) -> Action:
    check_can_change(session, action, actor)
    note = _clean_text(note, what="a note", field="note", required=False)
    previous = action.status
    if previous.is_open:
        check_evidence(session, action)
    if previous == ActionStatus.COMPLETE or not _bump(
        session,
        action,
        {"status": ActionStatus.COMPLETE, "completed_at": now},
        expected={"status": previous, "version": action.version},
    ):
        session.refresh(action)
        if action.status == ActionStatus.COMPLETE:
            raise Conflict(f"{action.ref} is already complete.")
        raise Conflict(f"{action.ref} changed while you were looking at it. Please try again.")
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.COMPLETED, old=previous, new=ActionStatus.COMPLETE.value, reason=note)
    schedule_review(session, action, actor, now, audited=False)
    return action


def reopen(
    session: Session, action: Action, actor: Actor, now: datetime, reason: str | None = None
) -> Action:
    """Back to in progress: a complete action, or one moved to business as usual."""
    check_can_change(session, action, actor)
    reason = _clean_text(reason, what="a reason", field="reason", required=False)
    previous = action.status
    if previous.is_open or not _bump(
        session,
        action,
        {"status": ActionStatus.IN_PROGRESS, "completed_at": None, "bau_where": None, "bau_note": None},
        expected={"status": previous, "version": action.version},
    ):
        session.refresh(action)
        raise Conflict(f"{action.ref} is not complete, so there is nothing to reopen.")
    # A review still waiting is for a completion that no longer stands.
    session.execute(delete(EffectivenessReview).where(EffectivenessReview.action_id == action.id,
                                                      EffectivenessReview.outcome.is_(None)))
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.REOPENED, old=previous.value, new=ActionStatus.IN_PROGRESS.value,
           reason=reason)
    return action


def revise_due(  # noqa: PLR0917 - every service takes session, subject, actor and now, then the change
    session: Session,
    action: Action,
    actor: Actor,
    now: datetime,
    new_due: date,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> Action:
    check_can_change(session, action, actor)
    plan = session.get(Plan, action.plan_id)
    assert plan is not None
    today = today_in(plan.timezone, now)
    due = current_due(action.original_due, action.revised_due)
    problems: list[InvalidInput] = []
    if new_due < today:
        problems.append(InvalidInput(f"{format_date(new_due)} is in the past; pick today or later.", field="date"))
    elif new_due == due:
        problems.append(InvalidInput(f"{action.ref} is already due on {format_date(due)}.", field="date"))
    try:
        clean_reason = _clean_text(reason, what="a reason for the new date", field="reason", required=True)
    except InvalidInput as error:
        problems.append(error)
    if problems:
        raise problems[0] if len(problems) == 1 else InvalidInputs(problems)
    if not action.status.is_open:
        raise Conflict(f"{action.ref} is {action.status.label.lower()}; reopen it before revising its date.")
    expected: dict[str, object] = {"version": expected_version or action.version}
    if not _bump(session, action, {"revised_due": new_due, "revision_reason": clean_reason}, expected=expected):
        session.refresh(action)
        raise Conflict(f"{action.ref} changed while you were editing it. Please look again and retry.")
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.REVISED, old=due.isoformat(), new=new_due.isoformat(), reason=clean_reason)
    return action


def add_note(session: Session, action: Action, actor: Actor, now: datetime, text: str | None) -> Action:
    check_can_change(session, action, actor)
    clean = _clean_text(text, what="the update's text", field="note", required=True)
    _bump(session, action, {}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.NOTE, reason=clean)
    return action


def set_status(session: Session, action: Action, actor: Actor, now: datetime, status: ActionStatus) -> Action:
    """Move between not started and in progress (completion has its own rules)."""
    if status == ActionStatus.COMPLETE:
        return complete(session, action, actor, now)
    if not action.status.is_open:
        return reopen(session, action, actor, now)
    check_can_change(session, action, actor)
    if action.status == status:
        return action
    previous = action.status
    _bump(session, action, {"status": status}, expected={})
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now,
           kind=EventKind.STATUS, old=previous, new=status.value)
    return action


def map_role(  # noqa: PLR0917 - every service takes session, subject, actor and now, then the change
    session: Session, plan: Plan, actor: Actor, now: datetime, role_name: str, user_id: str, *, org_id: str
) -> Role:
    """Say that a Slack user holds a role, within `org_id`: the organisation *that user* belongs to
    (see `bot.plan.identity`), which in a Slack Connect channel is not the admin's."""
    check_admin(session, plan, actor)
    role = get_or_create_role(session, role_name)
    exists = session.scalar(
        select(RoleMember.id).where(
            RoleMember.role_id == role.id, RoleMember.user_id == user_id, RoleMember.org_id == org_id
        )
    )
    if exists is not None:
        raise Conflict(Users((user_id,)), f" already holds the role {role.name}.")
    session.add(RoleMember(role_id=role.id, org_id=org_id, user_id=user_id))
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.ROLE_MAPPED, old=None,
           new=f"{role.name} -> {user_id}")
    return role


def unmap_role(  # noqa: PLR0917 - every service takes session, subject, actor and now, then the change
    session: Session, plan: Plan, actor: Actor, now: datetime, role_name: str, user_id: str
) -> None:
    check_admin(session, plan, actor)
    role = session.scalar(select(Role).where(Role.name_key == role_key(role_name)))
    if role is None:
        raise NotFound(f'There is no role "{role_name}".', field="role")
    # A user id names one person across Slack, so every mapping of theirs to the role goes.
    removed = session.execute(
        delete(RoleMember).where(RoleMember.role_id == role.id, RoleMember.user_id == user_id)
    )
    if rows_matched(removed) == 0:
        raise NotFound(Users((user_id,)), f" does not hold the role {role.name}.")
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.ROLE_UNMAPPED,
           old=f"{role.name} -> {user_id}", new=None)


def add_admin(session: Session, plan: Plan, actor: Actor, now: datetime, user_id: str) -> None:
    check_admin(session, plan, actor)
    if is_admin(session, plan.id, user_id):
        raise Conflict(Users((user_id,)), f" is already an admin of `{plan.key}`.")
    session.add(PlanAdmin(plan_id=plan.id, user_id=user_id))
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.ADMIN_ADDED, new=user_id)


def remove_admin(session: Session, plan: Plan, actor: Actor, now: datetime, user_id: str) -> None:
    check_admin(session, plan, actor)
    admins = plan_admins(session, plan.id)
    if user_id not in admins:
        raise NotFound(Users((user_id,)), f" is not an admin of `{plan.key}`.")
    if len(admins) == 1:
        raise Conflict(Users((user_id,)), f" is the last admin of `{plan.key}`; add another first.")
    session.execute(delete(PlanAdmin).where(PlanAdmin.plan_id == plan.id, PlanAdmin.user_id == user_id))
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.ADMIN_REMOVED, old=user_id)


PLAN_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def create_plan(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    key: str,
    title: str,
    source: str = "",
    channel_id: str | None = None,
    timezone: str = "Europe/London",
) -> Plan:
    key = key.strip().lower()
    if not PLAN_KEY.match(key):
        raise InvalidInput(
            f'"{key}" cannot be a plan key: use up to 32 lower-case letters, digits, - or _.', field="plan"
        )
    # Keys are unique across workspaces (the command line names a plan by its key alone).
    taken = select(func.count()).select_from(Plan).where(Plan.key == key).execution_options(**{ALL_WORKSPACES: True})
    if session.scalar(taken):
        raise Conflict(f"There is already a plan `{key}`.")
    # A plan is made in the workspace the session is scoped to ('' for a single-token install).
    plan = Plan(key=key, workspace=workspace_of(session) or "", title=title.strip() or key, source=source,
                channel_id=channel_id,
                timezone=timezone, schedule="monthly", schedule_since=now, created_at=now)
    session.add(plan)
    session.flush()
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_CREATED, new=key)
    return plan


def move_plan(session: Session, plan: Plan, actor: Actor, now: datetime, workspace: str) -> str:
    """Give the plan to another workspace (or Grid organisation): its people see it from then on,
    the others' no longer do. The workspace it had is returned and kept in the audit trail."""
    workspace = workspace.strip()
    if len(workspace) > WORKSPACE_LENGTH or (workspace and not workspace.isalnum()):
        raise InvalidInput(f'"{workspace}" is not a Slack workspace or organisation id, like T0123456789.',
                           field="workspace")
    before = plan.workspace
    if before != workspace:
        plan.workspace = workspace
        record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_WORKSPACE, old=before,
               new=workspace)
    return before


def set_owners(session: Session, action: Action, actor: Actor, now: datetime, roles: list[str]) -> bool:
    """Replace the action's owner roles; True if they changed (a role's old name is the role)."""
    before = [o.role.name for o in action.owners]
    if [role_key(r) for r in roles] == [role_key(b) for b in before]:
        return False
    found = [find_role(session, r) for r in roles]
    if all(found) and [r.id for r in found if r] == [o.role_id for o in action.owners]:
        return False
    wanted = [get_or_create_role(session, r) for r in roles]
    session.execute(delete(ActionOwner).where(ActionOwner.action_id == action.id))
    session.expire(action, ["owners"])
    for position, role in enumerate(wanted):
        session.add(ActionOwner(action_id=action.id, role_id=role.id, position=position))
    session.flush()
    record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=EventKind.OWNERS,
           old=" / ".join(before) or None, new=" / ".join(r.name for r in wanted))
    return True


ROLE_UNKNOWN = 'There is no role "{name}".'
ROLE_EXISTS = 'There is already a role "{name}"; to make the two one, merge them.'
ROLE_SAME = '"{name}" and "{other}" are already one role.'
ROLE_UNCHANGED = 'The role is already called "{name}".'
ROLE_MERGED_REASON = "roles merged: {source} into {target}"


def _role(session: Session, name: str) -> Role:
    role = find_role(session, name)
    if role is None:
        raise NotFound(ROLE_UNKNOWN.format(name=" ".join(name.split())), field="role")
    return role


def _plans_using(session: Session, role_ids: list[int], fallback: Plan | None) -> list[Plan]:
    plans = list(session.scalars(
        select(Plan).where(Plan.id.in_(
            select(Action.plan_id).join(ActionOwner, ActionOwner.action_id == Action.id)
            .where(ActionOwner.role_id.in_(role_ids))
        )).order_by(Plan.key)
    ))
    return plans or ([fallback] if fallback is not None else [])


def _keep_alias(session: Session, role: Role, name: str, key: str) -> None:
    if session.scalar(select(RoleAlias.id).where(RoleAlias.name_key == key)) is None:
        session.add(RoleAlias(role_id=role.id, name=name, name_key=key, workspace=role.workspace))


def rename_role(session: Session, actor: Actor, now: datetime, old: str, new: str, *,
                plan: Plan | None = None) -> Role:
    """Give a role a new name, everywhere it is used; the mappings to people stay, and the old
    name keeps finding it (an import that still says it). Only admins of every plan whose
    actions it owns may rename it."""
    role = _role(session, old)
    clean = " ".join(new.split())
    if not clean:
        raise InvalidInput("A role needs a name.", field="role")
    other = find_role(session, clean)
    if other is not None and other.id != role.id:
        raise Conflict(ROLE_EXISTS.format(name=other.name))
    if role.name == clean:
        raise Conflict(ROLE_UNCHANGED.format(name=clean))
    plans = _plans_using(session, [role.id], plan)
    for each in plans:
        check_admin(session, each, actor)
    before = role.name
    session.execute(delete(RoleAlias).where(RoleAlias.name_key == role_key(clean)))
    if role.name_key != role_key(clean):
        _keep_alias(session, role, role.name, role.name_key)
    role.name, role.name_key = clean, role_key(clean)
    session.flush()
    for each in plans:
        record(session, plan_id=each.id, actor=actor, now=now, kind=EventKind.ROLE_RENAMED, old=before, new=clean)
    return role


def merge_roles(session: Session, actor: Actor, now: datetime, source_name: str, target_name: str, *,
                plan: Plan | None = None) -> Role:
    """Make `source` part of `target`: its actions and the people mapped to it move over, its
    name keeps finding `target`, and each action whose owners change has that in its history."""
    source, target = _role(session, source_name), _role(session, target_name)
    if source.id == target.id:
        raise Conflict(ROLE_SAME.format(name=source_name.strip(), other=target.name))
    plans = _plans_using(session, [source.id, target.id], plan)
    for each in plans:
        check_admin(session, each, actor)
    owned = list(session.scalars(
        select(Action).join(ActionOwner, ActionOwner.action_id == Action.id).where(ActionOwner.role_id == source.id)
    ))
    before = {a.id: " / ".join(o.role.name for o in a.owners) for a in owned}
    has_target = select(ActionOwner.action_id).where(ActionOwner.role_id == target.id)
    session.execute(update(ActionOwner)
                    .where(ActionOwner.role_id == source.id, ActionOwner.action_id.not_in(has_target))
                    .values(role_id=target.id).execution_options(synchronize_session=False))
    session.execute(delete(ActionOwner).where(ActionOwner.role_id == source.id))
    holds_target = select(RoleMember.user_id + "|" + RoleMember.org_id).where(RoleMember.role_id == target.id)
    session.execute(update(RoleMember).where(RoleMember.role_id == source.id,
                                             (RoleMember.user_id + "|" + RoleMember.org_id).not_in(holds_target))
                    .values(role_id=target.id).execution_options(synchronize_session=False))
    session.execute(delete(RoleMember).where(RoleMember.role_id == source.id))
    session.execute(update(RoleAlias).where(RoleAlias.role_id == source.id).values(role_id=target.id)
                    .execution_options(synchronize_session=False))
    name, key = source.name, source.name_key
    session.expire_all()
    session.execute(delete(Role).where(Role.id == source.id))
    session.add(RoleAlias(role_id=target.id, name=name, name_key=key, workspace=target.workspace))
    session.expire_all()
    reason = ROLE_MERGED_REASON.format(source=name, target=target.name)
    for action in owned:
        after = " / ".join(o.role.name for o in action.owners)
        _bump(session, action, {}, expected={})
        record(session, plan_id=action.plan_id, action_id=action.id, actor=actor, now=now, kind=EventKind.OWNERS,
               old=before[action.id], new=after, reason=reason)
    for each in plans:
        record(session, plan_id=each.id, actor=actor, now=now, kind=EventKind.ROLE_MERGED, old=name, new=target.name)
    session.flush()
    return target
