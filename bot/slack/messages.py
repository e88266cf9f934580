"""Draw any message by its ViewSpec: the one place that turns "which message" into a Message
(Block Kit messages, that is; App Home and modals are Slack views, drawn in home.py and modals.py).

Commands draw their replies here, and buttons redraw the message they were clicked on (after
a change, a page turn or a share) with the same call, so a message always looks the same
however it was reached. Each kind runs a fixed number of SQL statements whatever the plan size.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.errors import AmbiguousPlan, NotFound
from bot.plan.evidence import evidence_of
from bot.plan.identity import Actor
from bot.plan.reviews import reviews_of
from bot.plan.rules import DEFAULT_TIMEZONE
from bot.plan.slippage import plan_slippage
from bot.slack import blocks, reminders
from bot.slack.blocks import Message
from bot.slack.context import Deps
from bot.slack.ids import ViewSpec
from bot.slack.summary_commands import render_preview
from storage.models import Plan

DEFAULT_DUE_DAYS = 30


def draw(session: Session, deps: Deps, spec: ViewSpec, *, viewer: Actor, channel_id: str | None,
         shareable: bool = True) -> Message:
    """The message `spec` names, drawn for this user as of now.

    `shareable` adds the "Share in channel" button (leave it off for a message already shared).
    """
    if spec.kind == "summary":
        return render_preview(session, deps, spec, viewer=viewer)
    if spec.kind == "reminder":
        return reminders.draw_reminder(session, deps, spec, viewer=viewer)
    if spec.kind == "home":
        raise ValueError("App Home is a view, not a message: draw it with bot.slack.home")
    if spec.kind == "mine":
        return _mine(session, deps, spec, viewer=viewer, channel_id=channel_id, shareable=shareable)
    if spec.kind in ("show", "reviews"):
        return _one(session, deps, spec, viewer=viewer, channel_id=channel_id, shareable=shareable)

    plan = queries.resolve_plan(session, spec.plan, channel_id)
    today = deps.today(plan.timezone)
    spec = spec.model_copy(update={"plan": plan.key, "ref": None})
    # Plan-wide lists look the same to everyone: draw each once per change to the plan and day.
    key = (plan.id, queries.plan_revision(session, plan.id), today, spec.model_dump_json(), shareable)
    cached = deps.rendered.get(key)
    if isinstance(cached, Message):
        return cached
    message = _plan_list(session, plan, today, spec, shareable)
    deps.rendered.put(key, message)
    return message


def _one(session: Session, deps: Deps, spec: ViewSpec, *, viewer: Actor, channel_id: str | None,
         shareable: bool) -> Message:
    """One action in full, or a plan's effectiveness reviews (a closed plan's too)."""
    if spec.kind == "show":
        action = queries.find_action(session, spec.ref or "", spec.plan, channel_id)
        plan = session.get(Plan, action.plan_id)
        assert plan is not None
        detail = queries.action_detail(session, action, deps.today(plan.timezone), viewer)
        spec = spec.model_copy(update={"plan": plan.key, "ref": action.ref, "offset": 0})
        evidence = evidence_of(session, [action.id]).get(action.id, [])
        reviews = reviews_of(session, plan, action_id=action.id)
        return blocks.show_message(detail, spec, shareable=shareable, evidence=evidence, reviews=reviews)
    if spec.kind == "reviews":
        plan = queries.resolve_plan(session, spec.plan, channel_id, closed_too=True)
        spec = spec.model_copy(update={"plan": plan.key, "ref": None})
        return blocks.reviews_message(queries.plan_view(plan), deps.today(plan.timezone), reviews_of(session, plan),
                                      spec, shareable=shareable)
    raise ValueError(f"no message is drawn for a {spec.kind!r} view")


def _plan_list(session: Session, plan: Plan, today: date, spec: ViewSpec, shareable: bool) -> Message:
    if spec.kind == "status":
        spec, data = _paged(spec, lambda offset: queries.status(
            session, plan, today, offset=offset, page_size=blocks.STATUS_PAGE_SIZE))
        return blocks.status_message(data, spec, shareable=shareable)
    if spec.kind == "overdue":
        spec, listed = _paged(spec, lambda offset: queries.overdue(
            session, plan, today, offset=offset, page_size=blocks.LIST_PAGE_SIZE))
        return blocks.overdue_message(listed, spec, shareable=shareable)
    if spec.kind == "due":
        days = spec.days or DEFAULT_DUE_DAYS
        spec, listed = _paged(spec.model_copy(update={"days": days}), lambda offset: queries.due_within(
            session, plan, today, days, offset=offset, page_size=blocks.LIST_PAGE_SIZE))
        return blocks.due_message(listed, days, spec, shareable=shareable)
    if spec.kind == "slippage":
        slippage = plan_slippage(session, plan, today)
        if spec.offset and spec.offset >= len(slippage.slips):
            spec = spec.model_copy(update={"offset": _last_page(queries.Page(0, blocks.LIST_PAGE_SIZE,
                                                                             len(slippage.slips)))})
        return blocks.slippage_message(slippage, spec, shareable=shareable)
    raise ValueError(f"no message is drawn for a {spec.kind!r} view")


Paged = TypeVar("Paged", queries.StatusView, queries.ActionList)


def _paged(spec: ViewSpec, fetch: Callable[[int], Paged]) -> tuple[ViewSpec, Paged]:
    """The page `spec` asks for or, when actions have left the list since (say, completed) and
    that page is now past the end, the list's last page."""
    data = fetch(spec.offset)
    if spec.offset > 0 and data.page.offset >= data.page.total:
        spec = spec.model_copy(update={"offset": _last_page(data.page)})
        data = fetch(spec.offset)
    return spec, data


def _last_page(page: queries.Page) -> int:
    """After actions leave a list (say, completed), the offset of its last page that has any."""
    return max(0, (page.total - 1) // page.size * page.size) if page.size else 0


def _mine(session: Session, deps: Deps, spec: ViewSpec, *, viewer: Actor, channel_id: str | None,
          shareable: bool) -> Message:
    roles = queries.user_roles(session, viewer)
    plan = queries.get_plan(session, spec.plan) if spec.plan else None
    today = deps.today(plan.timezone if plan else DEFAULT_TIMEZONE)
    if not roles:
        return blocks.mine_message(_nothing(today), roles, spec, admins=_admins_here(session, channel_id),
                                   shareable=shareable)
    spec, listed = _paged(spec, lambda offset: queries.actions_for_user(
        session, viewer, today, plan=plan, offset=offset, page_size=blocks.LIST_PAGE_SIZE))
    return blocks.mine_message(listed, roles, spec, shareable=shareable)


def _nothing(today: date) -> queries.ActionList:
    return queries.ActionList(plan=None, today=today, items=(), page=queries.Page(0, blocks.LIST_PAGE_SIZE, 0))


def _admins_here(session: Session, channel_id: str | None) -> list[str]:
    """The admins of the plan this channel (or workspace) points to, to name who can map a role."""
    try:
        plan = queries.resolve_plan(session, None, channel_id)
    except (AmbiguousPlan, NotFound):
        return []
    return queries.plan_admins(session, plan.id)
