"""Each workspace sees its own plans: a session scoped to a workspace filters every ORM query.

A Slack request's session carries the workspace (or Enterprise Grid organisation) that
installed planbot and answered it (`Sessions.scoped`). Every SELECT, UPDATE and DELETE the
session runs through the ORM then sees only that workspace's plans and what hangs off them
(recommendations, actions, admins, the audit trail, summary posts, reminder and paper settings,
evidence and effectiveness reviews), with
SQLAlchemy's global criteria (`with_loader_criteria`), so a query written tomorrow is scoped
too: an id from another workspace, in a forged button value or typed, is simply not found.

Roles are each workspace's own too (`roles.workspace`), made in the session's workspace; who
holds one is kept by the holder's organisation (`role_members.org_id`). Reminder people and
deliveries are per Slack user, whose ids are unique across organisations.
"""

from __future__ import annotations

import functools

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria
from sqlalchemy.sql.base import ExecutableOption

from storage.models import (
    Action,
    ActionEvent,
    EffectivenessReview,
    Evidence,
    PaperSettings,
    Plan,
    PlanAdmin,
    Recommendation,
    ReminderSettings,
    Role,
    RoleAlias,
    SummaryPost,
)

WORKSPACE = "planbot_workspace"  # the key in Session.info
# An execution option for the one question asked across workspaces: whether a plan key is taken
# (keys are unique in the whole database, so the command line can name any plan by its key).
ALL_WORKSPACES = "planbot_all_workspaces"
PLAN_TABLES = (Action, ActionEvent, PaperSettings, PlanAdmin, Recommendation, ReminderSettings, SummaryPost)
# What hangs off an action rather than a plan: scoped through the action's plan.
ACTION_TABLES = (EffectivenessReview, Evidence)


def _scope_statement(state: ORMExecuteState) -> None:
    workspace = state.session.info.get(WORKSPACE)
    if workspace is None or not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_WORKSPACES):
        return
    state.statement = state.statement.options(*_criteria(workspace))


@functools.lru_cache(maxsize=1024)
def _criteria(workspace: str) -> tuple[ExecutableOption, ...]:
    """A workspace's criteria, made once and shared by its statements: made afresh for each
    statement, with their cache keys computed again, they were a tenth of a click's CPU."""
    plans_here = select(Plan.id).where(Plan.workspace == workspace).scalar_subquery()
    actions_here = (select(Action.id).join(Plan, Action.plan_id == Plan.id)
                    .where(Plan.workspace == workspace).scalar_subquery())
    return (
        with_loader_criteria(Plan, Plan.workspace == workspace, include_aliases=True),
        with_loader_criteria(Role, Role.workspace == workspace, include_aliases=True),
        with_loader_criteria(RoleAlias, RoleAlias.workspace == workspace, include_aliases=True),
        *(with_loader_criteria(table, table.plan_id.in_(plans_here), include_aliases=True)
          for table in PLAN_TABLES),
        *(with_loader_criteria(table, table.action_id.in_(actions_here), include_aliases=True)
          for table in ACTION_TABLES),
    )


def enforce_scopes(factory: sessionmaker[Session]) -> None:
    """Make sessions from `factory` honour the workspace in their `info`, if they carry one."""
    event.listen(factory, "do_orm_execute", _scope_statement)


def workspace_of(session: Session) -> str | None:
    """The workspace this session is scoped to; None for an unscoped one (the command line, the
    scheduler's listing of every workspace)."""
    value = session.info.get(WORKSPACE)
    return value if isinstance(value, str) else None
