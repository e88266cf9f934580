"""Read-only questions about a plan, answered as plain data for the renderers.

Every query runs a fixed number of SQL statements whatever the plan's size: lists are paged
in SQL and the owners of a page's actions come in one statement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, literal, select
from sqlalchemy.orm import Session

from bot.plan.errors import AmbiguousPlan, Hint, NotFound
from bot.plan.identity import Actor
from bot.plan.rules import ActionStatus, Rag, current_due, days_late, days_past_baseline, days_slipped, rag, slipped
from storage.kinds import EventKind
from storage.models import (
    Action,
    ActionEvent,
    ActionOwner,
    Plan,
    PlanAdmin,
    Recommendation,
    Role,
    RoleMember,
)

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class PlanView:
    id: int
    key: str
    title: str
    source: str
    channel_id: str | None
    timezone: str
    schedule: str
    closed: bool
    closed_at: datetime | None = None
    closed_by: str | None = None
    evidence_required: bool = False
    review_months: int | None = None


@dataclass(frozen=True)
class ActionView:
    id: int
    plan_key: str
    ref: str
    recommendation: int
    description: str
    owners: tuple[str, ...]
    original_due: date
    revised_due: date | None
    revision_reason: str | None
    status: ActionStatus
    completed_at: datetime | None
    version: int
    rag: Rag
    days_late: int
    days_past_baseline: int = 0  # open and past its original date, whatever the revised one says
    blocked_reason: str | None = None  # waiting on someone outside the organisation, since when
    blocked_since: datetime | None = None
    bau_where: str | None = None  # moved to business as usual: where it now lives

    @property
    def due(self) -> date:
        return current_due(self.original_due, self.revised_due)

    @property
    def is_open(self) -> bool:
        """Still to be done: neither complete nor moved to business as usual."""
        return self.status.is_open

    @property
    def blocked(self) -> bool:
        return self.is_open and self.blocked_since is not None

    @property
    def slipped(self) -> bool:
        """Its current due date is later than its baseline (original) date."""
        return slipped(self.original_due, self.revised_due)

    @property
    def days_slipped(self) -> int:
        return days_slipped(self.original_due, self.revised_due)

    @property
    def is_exception(self) -> bool:
        """Open, and overdue or slipped past its baseline: the board hears about it."""
        return self.is_open and (self.days_late > 0 or self.slipped)


@dataclass(frozen=True)
class RagCounts:
    """The count of each colour; actions moved to business as usual (`bau`) are counted apart,
    as neither complete nor overdue, but in the total. `blocked`: open actions (of any colour)
    waiting on someone outside the organisation."""

    red: int = 0
    amber: int = 0
    green: int = 0
    bau: int = 0
    blocked: int = 0

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green + self.bau

    @property
    def percent_complete(self) -> int:
        return round(100 * self.green / self.total) if self.total else 0

    def of(self, colour: Rag) -> int:
        return {Rag.RED: self.red, Rag.AMBER: self.amber, Rag.GREEN: self.green, Rag.BAU: self.bau}[colour]

    def to_dict(self) -> dict[str, int]:
        return {"red": self.red, "amber": self.amber, "green": self.green, "bau": self.bau,
                "blocked": self.blocked, "total": self.total, "percent_complete": self.percent_complete}

    def to_json(self) -> str:
        """The figures a posted summary keeps, so that the next one can say how they moved."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RagCounts | None:
        try:
            data = json.loads(text or "")
            return cls(red=int(data["red"]), amber=int(data["amber"]), green=int(data["green"]),
                       bau=int(data.get("bau", 0)), blocked=int(data.get("blocked", 0)))
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True)
class RecommendationView:
    number: int
    text: str
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class Page:
    """Which slice of a longer list this is: items offset..offset+len(items) of total."""

    offset: int
    size: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + self.size < self.total

    @property
    def number(self) -> int:
        return self.offset // self.size + 1 if self.size else 1

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size)) if self.size else 1


@dataclass(frozen=True)
class StatusView:
    plan: PlanView
    today: date
    counts: RagCounts
    recommendation_count: int
    recommendations: tuple[RecommendationView, ...]
    page: Page


@dataclass(frozen=True)
class OverdueItem:
    action: ActionView
    latest_reason: str | None


@dataclass(frozen=True)
class ActionList:
    plan: PlanView | None
    today: date
    items: tuple[ActionView, ...]
    page: Page
    reasons: dict[int, str] = field(default_factory=dict)  # action id -> latest reason


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    kind: EventKind
    old_value: str | None
    new_value: str | None
    reason: str | None


@dataclass(frozen=True)
class ActionDetail:
    plan: PlanView
    action: ActionView
    recommendation_text: str
    history: tuple[EventView, ...]
    owner_users: dict[str, tuple[str, ...]]  # role -> Slack user ids holding it
    today: date | None = None
    revisions: int = 0  # how many times its due date was revised


def plan_view(plan: Plan) -> PlanView:
    return PlanView(
        id=plan.id,
        key=plan.key,
        title=plan.title,
        source=plan.source,
        channel_id=plan.channel_id,
        timezone=plan.timezone,
        schedule=plan.schedule,
        closed=plan.closed_at is not None,
        closed_at=plan.closed_at,
        closed_by=plan.closed_by,
        evidence_required=plan.evidence_required,
        review_months=plan.review_months,
    )


def list_plans(session: Session) -> list[PlanView]:
    return [plan_view(p) for p in session.scalars(select(Plan).order_by(Plan.key))]


def get_plan(session: Session, key: str) -> Plan:
    plan = session.scalar(select(Plan).where(func.lower(Plan.key) == key.strip().lower()))
    if plan is None:
        known = ", ".join(p.key for p in session.scalars(select(Plan).order_by(Plan.key)))
        hint = f" Plans here: {known}." if known else " There are no plans yet."
        raise NotFound(f'There is no plan "{key}".{hint}', field="plan")
    return plan


def resolve_plan(session: Session, key: str | None, channel_id: str | None = None, *,
                 closed_too: bool = False) -> Plan:
    """The plan named; else the open plan linked to this channel; else the only open plan (with
    `closed_too`, closed plans count as well: reopening one, its reviews)."""
    if key:
        return get_plan(session, key)
    query = select(Plan).order_by(Plan.key)
    open_plans = list(session.scalars(query if closed_too else query.where(Plan.closed_at.is_(None))))
    if channel_id:
        linked = [p for p in open_plans if p.channel_id == channel_id]
        if len(linked) == 1:
            return linked[0]
        if len(linked) > 1:
            open_plans = linked
    if len(open_plans) == 1:
        return open_plans[0]
    if not open_plans:
        raise NotFound("There are no open plans yet. Import one with `planbot import`.")
    keys = ", ".join(f"`{p.key}`" for p in open_plans)
    raise AmbiguousPlan(f"Which plan? Name one of: {keys}.", field="plan")


def is_admin(session: Session, plan_id: int, user_id: str) -> bool:
    return (
        session.scalar(
            select(PlanAdmin.id).where(PlanAdmin.plan_id == plan_id, PlanAdmin.user_id == user_id)
        )
        is not None
    )


def plan_admins(session: Session, plan_id: int) -> list[str]:
    return list(
        session.scalars(
            select(PlanAdmin.user_id).where(PlanAdmin.plan_id == plan_id).order_by(PlanAdmin.id)
        )
    )


def _due_column() -> ColumnElement[date]:
    return func.coalesce(Action.revised_due, Action.original_due)


def _rag_column(today: date) -> ColumnElement[str]:
    return case(
        (Action.status == ActionStatus.COMPLETE, literal(Rag.GREEN.value)),
        (Action.status == ActionStatus.BAU, literal(Rag.BAU.value)),
        (_due_column() < today, literal(Rag.RED.value)),
        else_=literal(Rag.AMBER.value),
    )


def plan_revision(session: Session, plan_id: int) -> int:
    """The plan's latest audit event id: it changes with every change to the plan or its actions.

    The newest by `ix_action_events_plan_id_id`, read backwards for one row: PostgreSQL answered
    `max(id)` under the workspace's criteria by reading every event of the plan (4 ms at 12,500)."""
    newest = session.scalar(select(ActionEvent.id).where(ActionEvent.plan_id == plan_id)
                            .order_by(ActionEvent.id.desc()).limit(1))
    return newest or 0


OPEN_STATUSES = tuple(status for status in ActionStatus if status.is_open)


def rag_counts(session: Session, plan_id: int, today: date) -> RagCounts:
    """A plan's actions by colour, in one statement of three index reads: by status (complete is
    green, business as usual apart) on `ix_actions_plan_status_due` alone, the open ones due
    before today (red; the other open ones amber) on the same index, and the open blocked ones
    on `ix_actions_plan_blocked`. None reads the table: at 10,000 actions a grouped scan took
    14 ms, most of a redrawn page."""
    overdue = (select(func.count()).select_from(Action)
               .where(Action.plan_id == plan_id, Action.status.in_(OPEN_STATUSES), _due_column() < today)
               .scalar_subquery())
    blocked = (select(func.count()).select_from(Action)
               .where(Action.plan_id == plan_id, Action.blocked_since.is_not(None), Action.status.in_(OPEN_STATUSES))
               .scalar_subquery())
    rows = session.execute(
        select(Action.status, func.count(), overdue, blocked).where(Action.plan_id == plan_id).group_by(Action.status)
    ).all()
    by_status = {ActionStatus(status): int(n) for status, n, _, _ in rows}
    red = int(rows[0][2]) if rows else 0
    open_ = sum(by_status.get(status, 0) for status in OPEN_STATUSES)
    return RagCounts(red=red, amber=open_ - red, green=by_status.get(ActionStatus.COMPLETE, 0),
                     bau=by_status.get(ActionStatus.BAU, 0), blocked=int(rows[0][3]) if rows else 0)


def _is_open() -> ColumnElement[bool]:
    """Neither complete nor moved to business as usual."""
    return Action.status.not_in((ActionStatus.COMPLETE, ActionStatus.BAU))


# What _actions_select reads of each action, by name (_views).
ActionColumns = tuple[int, str, str, int, str, date, date | None, str | None, ActionStatus, datetime | None, int,
                      str | None, datetime | None, str | None]
_ACTION_COLUMNS = (
    Action.id,
    Plan.key.label("plan_key"),
    Action.ref,
    Recommendation.number.label("recommendation"),
    Action.description,
    Action.original_due,
    Action.revised_due,
    Action.revision_reason,
    Action.status,
    Action.completed_at,
    Action.version,
    Action.blocked_reason,
    Action.blocked_since,
    Action.bau_where,
)


def _actions_select() -> Select[*ActionColumns]:
    return (
        select(*_ACTION_COLUMNS)
        .join(Recommendation, Recommendation.id == Action.recommendation_id)
        .join(Plan, Plan.id == Action.plan_id)
    )


def _owners_of(session: Session, action_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not action_ids:
        return {}
    owners: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ActionOwner.action_id, Role.name)
        .join(Role, Role.id == ActionOwner.role_id)
        .where(ActionOwner.action_id.in_(action_ids))
        .order_by(ActionOwner.action_id, ActionOwner.position)
    )
    for action_id, name in rows:
        owners[action_id].append(name)
    return {k: tuple(v) for k, v in owners.items()}


def _views(session: Session, rows: Sequence[Row[*ActionColumns]], today: date) -> list[ActionView]:
    owners = _owners_of(session, [r.id for r in rows])
    views = []
    for r in rows:
        due = current_due(r.original_due, r.revised_due)
        views.append(
            ActionView(
                id=r.id,
                plan_key=r.plan_key,
                ref=r.ref,
                recommendation=r.recommendation,
                description=r.description,
                owners=owners.get(r.id, ()),
                original_due=r.original_due,
                revised_due=r.revised_due,
                revision_reason=r.revision_reason,
                status=r.status,
                completed_at=r.completed_at,
                version=r.version,
                rag=rag(r.status, due, today),
                days_late=days_late(r.status, due, today),
                days_past_baseline=days_past_baseline(r.status, r.original_due, today),
                blocked_reason=r.blocked_reason,
                blocked_since=r.blocked_since,
                bau_where=r.bau_where,
            )
        )
    return views


def action_views(session: Session, action_ids: Sequence[int], today: date) -> list[ActionView]:
    rows = session.execute(_actions_select().where(Action.id.in_(action_ids))).all()
    order = {a: i for i, a in enumerate(action_ids)}
    return sorted(_views(session, rows, today), key=lambda v: order[v.id])


def get_action(session: Session, plan: Plan, ref: str) -> Action:
    action = session.scalar(
        select(Action).where(Action.plan_id == plan.id, func.lower(Action.ref) == ref.strip().lower())
    )
    if action is None:
        raise NotFound(f'Plan `{plan.key}` has no action "{ref}".', field="ref", hint=Hint.SEE_STATUS,
                       plan_key=plan.key)
    return action


def find_action(session: Session, ref: str, plan_key: str | None, channel_id: str | None) -> Action:
    """An action by ref: in the named or resolved plan, else the only plan that has that ref."""
    if plan_key:
        return get_action(session, get_plan(session, plan_key), ref)
    try:
        plan = resolve_plan(session, None, channel_id)
    except (AmbiguousPlan, NotFound):  # several open plans, or none (a closed plan's action says it is closed)
        matches = list(
            session.scalars(select(Action).where(func.lower(Action.ref) == ref.strip().lower()))
        )
        if len(matches) == 1:
            return matches[0]
        raise
    return get_action(session, plan, ref)


def status(
    session: Session, plan: Plan, today: date, *, offset: int = 0, page_size: int = DEFAULT_PAGE_SIZE
) -> StatusView:
    """RAG counts for the whole plan and one page of its actions, grouped by recommendation."""
    counts = rag_counts(session, plan.id, today)
    rows = session.execute(  # one range of the plan's places (ix_actions_plan_sort_key)
        _actions_select()
        .where(Action.plan_id == plan.id, Action.sort_key >= offset, Action.sort_key < offset + page_size)
        .order_by(Action.sort_key)
    ).all()
    views = _views(session, rows, today)
    numbers = sorted({v.recommendation for v in views})
    texts = dict(
        session.execute(
            select(Recommendation.number, Recommendation.text).where(
                Recommendation.plan_id == plan.id, Recommendation.number.in_(numbers)
            )
        ).all()
    )
    recommendation_count = session.scalar(
        select(func.count()).select_from(Recommendation).where(Recommendation.plan_id == plan.id)
    )
    grouped = [
        RecommendationView(n, texts.get(n, ""), tuple(v for v in views if v.recommendation == n))
        for n in numbers
    ]
    return StatusView(
        plan=plan_view(plan),
        today=today,
        counts=counts,
        recommendation_count=recommendation_count or 0,
        recommendations=tuple(grouped),
        page=Page(offset, page_size, counts.total),
    )


def _paged_list(
    session: Session,
    plan: Plan | None,
    query: Select[*ActionColumns],
    today: date,
    *,
    offset: int,
    page_size: int,
    with_reasons: bool = False,
) -> ActionList:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.offset(offset).limit(page_size)).all()
    views = _views(session, rows, today)
    reasons = latest_reasons(session, [v.id for v in views]) if with_reasons else {}
    return ActionList(
        plan=plan_view(plan) if plan else None,
        today=today,
        items=tuple(views),
        page=Page(offset, page_size, total),
        reasons=reasons,
    )


def overdue(
    session: Session, plan: Plan, today: date, *, offset: int = 0, page_size: int = DEFAULT_PAGE_SIZE
) -> ActionList:
    """Open actions whose current due date has passed, most late first, with the latest reason."""
    query = (
        _actions_select()
        .where(
            Action.plan_id == plan.id,
            _is_open(),
            _due_column() < today,
        )
        .order_by(_due_column(), Recommendation.number, Action.position)
    )
    return _paged_list(session, plan, query, today, offset=offset, page_size=page_size, with_reasons=True)


def slipped_actions(session: Session, plan: Plan, today: date) -> list[ActionView]:
    """Every action whose current due date is later than its original one, in plan order."""
    rows = session.execute(
        _actions_select()
        .where(Action.plan_id == plan.id, Action.revised_due.is_not(None), Action.revised_due > Action.original_due)
        .order_by(Recommendation.number, Action.position, Action.id)
    ).all()
    return _views(session, rows, today)


def due_within(
    session: Session,
    plan: Plan,
    today: date,
    days: int,
    *,
    offset: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ActionList:
    """Open actions due from today up to `days` days ahead, soonest first."""
    query = (
        _actions_select()
        .where(
            Action.plan_id == plan.id,
            _is_open(),
            _due_column() >= today,
            _due_column() <= today + timedelta(days=days),
        )
        .order_by(_due_column(), Recommendation.number, Action.position)
    )
    return _paged_list(session, plan, query, today, offset=offset, page_size=page_size)


def member_filter(who: Actor) -> ColumnElement[bool]:
    """The role mappings that are this person's: their user id, within their organisation."""
    return and_(RoleMember.user_id == who.user_id, RoleMember.org_id.in_(who.org_keys))


def _owned_by(who: Actor) -> Select[int]:
    return (
        select(ActionOwner.action_id)
        .join(RoleMember, RoleMember.role_id == ActionOwner.role_id)
        .where(member_filter(who))
    )


def actions_for_user(
    session: Session,
    who: Actor,
    today: date,
    *,
    plan: Plan | None = None,
    include_complete: bool = False,
    offset: int = 0,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ActionList:
    """The actions owned by any role the user holds, across open plans unless one is given."""
    query = _actions_select().where(Action.id.in_(_owned_by(who)), Plan.closed_at.is_(None))
    if plan is not None:
        query = query.where(Action.plan_id == plan.id)
    if not include_complete:
        query = query.where(_is_open())
    query = query.order_by(_due_column(), Plan.key, Recommendation.number, Action.position)
    return _paged_list(session, plan, query, today, offset=offset, page_size=page_size)


def completed_for_user(
    session: Session, who: Actor, today: date, since: datetime, *,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ActionList:
    """The user's actions (through their roles) in open plans completed since `since`, latest first."""
    query = (
        _actions_select()
        .where(
            Action.id.in_(_owned_by(who)),
            Plan.closed_at.is_(None),
            Action.status == ActionStatus.COMPLETE,
            Action.completed_at >= since,
        )
        .order_by(Action.completed_at.desc(), Action.id.desc())
    )
    return _paged_list(session, None, query, today, offset=0, page_size=page_size)


def user_roles(session: Session, who: Actor) -> list[str]:
    return list(
        session.scalars(
            select(Role.name)
            .join(RoleMember, RoleMember.role_id == Role.id)
            .where(member_filter(who))
            .order_by(Role.name)
            .distinct()
        )
    )


def role_holders(session: Session, action_id: int, viewer: Actor) -> dict[str, tuple[str, ...]]:
    """For each owner role of the action, the Slack users who hold it, as mapped in the viewer's
    organisation (or in any)."""
    rows = session.execute(
        select(Role.name, RoleMember.user_id)
        .select_from(ActionOwner)
        .join(Role, Role.id == ActionOwner.role_id)
        .outerjoin(
            RoleMember,
            and_(RoleMember.role_id == Role.id, RoleMember.org_id.in_(viewer.org_keys)),
        )
        .where(ActionOwner.action_id == action_id)
        .order_by(ActionOwner.position, RoleMember.id)
    ).all()
    holders: dict[str, list[str]] = {}
    for name, user in rows:
        holders.setdefault(name, [])
        if user and user not in holders[name]:
            holders[name].append(user)
    return {k: tuple(v) for k, v in holders.items()}


def latest_reasons(
    session: Session, action_ids: Sequence[int], kinds: tuple[EventKind, ...] = (EventKind.REVISED, EventKind.NOTE)
) -> dict[int, str]:
    """The latest reason given on each action: a revision's reason or an update, by default."""
    if not action_ids:
        return {}
    latest = (
        select(func.max(ActionEvent.id))
        .where(
            ActionEvent.action_id.in_(action_ids),
            ActionEvent.kind.in_(kinds),
            ActionEvent.reason.is_not(None),
        )
        .group_by(ActionEvent.action_id)
    )
    rows = session.execute(
        select(ActionEvent.action_id, ActionEvent.reason).where(ActionEvent.id.in_(latest))
    ).all()
    return {a: r for a, r in rows if a is not None and r}


def revision_counts(session: Session, action_ids: Sequence[int]) -> dict[int, int]:
    """How many times each action's due date was revised (from the audit trail)."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(ActionEvent.action_id, func.count())
        .where(ActionEvent.action_id.in_(action_ids), ActionEvent.kind == EventKind.REVISED)
        .group_by(ActionEvent.action_id)
    ).all()
    return {a: int(n) for a, n in rows if a is not None}


def revision_reasons(session: Session, action_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Every reason given for each action's revised dates, oldest first, without repeats."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(ActionEvent.action_id, ActionEvent.reason)
        .where(ActionEvent.action_id.in_(action_ids), ActionEvent.kind == EventKind.REVISED,
               ActionEvent.reason.is_not(None))
        .order_by(ActionEvent.action_id, ActionEvent.id)
    ).all()
    reasons: dict[int, list[str]] = defaultdict(list)
    for action_id, reason in rows:
        if action_id is not None and reason and reason not in reasons[action_id]:
            reasons[action_id].append(reason)
    return {k: tuple(v) for k, v in reasons.items()}


def latest_notes(session: Session, action_ids: Sequence[int]) -> dict[int, str]:
    """The text of each action's latest update."""
    return latest_reasons(session, action_ids, kinds=(EventKind.NOTE,))


def history(session: Session, action_id: int, limit: int = 50) -> list[EventView]:
    """The action's audit events, newest first."""
    rows = session.scalars(
        select(ActionEvent).where(ActionEvent.action_id == action_id).order_by(ActionEvent.id.desc()).limit(limit)
    )
    return [EventView(e.at, e.actor, e.kind, e.old_value, e.new_value, e.reason) for e in rows]


def action_detail(session: Session, action: Action, today: date, viewer: Actor) -> ActionDetail:
    plan = session.get(Plan, action.plan_id)
    assert plan is not None
    (view,) = action_views(session, [action.id], today)
    recommendation = session.get(Recommendation, action.recommendation_id)
    return ActionDetail(
        plan=plan_view(plan),
        action=view,
        recommendation_text=recommendation.text if recommendation else "",
        history=tuple(history(session, action.id)),
        owner_users=role_holders(session, action.id, viewer),
        today=today,
        revisions=revision_counts(session, [action.id]).get(action.id, 0),
    )
