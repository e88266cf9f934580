"""App Home: each user's own actions grouped by RAG, with the same buttons as messages, and an
overview of the open plans. Published when the user opens the tab and after they change
something; a click on Home answers there too, since a Home view has no response_url.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.dates import format_long
from bot.plan.errors import AmbiguousPlan, NotFound
from bot.plan.identity import Actor
from bot.plan.queries import ActionList, ActionView, RagCounts
from bot.plan.reminders import is_muted
from bot.plan.reviews import ReviewItem, reviews_of
from bot.plan.rules import DEFAULT_TIMEZONE, Rag
from bot.slack import blocks, errors, texts
from bot.slack.context import Deps
from bot.slack.ids import ActionId, ViewSpec
from bot.slack.request import caller_of
from storage import alarms

log = logging.getLogger("planbot.slack")

HOME = ViewSpec(kind="home")
MAX_VIEW_BLOCKS = 100
OPEN_SHOWN = 40  # two blocks an action
RECENT_SHOWN = 5
RECENT_DAYS = 30
# A refresh after a change waits this long for the user's next changes, drawn with it.
HOME_SETTLE_SECONDS = 0.5
PLANS_SHOWN = 10
# Blocks kept back for the plans overview, the "… and N more" line, the reminders control and the footer.
RESERVED_BLOCKS = PLANS_SHOWN + 9
REVIEWS_SHOWN = 5  # effectiveness reviews due: two blocks each, above the user's actions


@dataclass(frozen=True)
class PlanLine:
    key: str
    title: str
    counts: RagCounts


@dataclass(frozen=True)
class HomeData:
    today: date
    roles: tuple[str, ...]
    admins: tuple[str, ...]  # who can map a role, when the user holds none
    open_actions: ActionList
    recent: ActionList
    plans: tuple[PlanLine, ...]
    plan_count: int
    muted: bool = False  # the user's reminders
    reviews: tuple[ReviewItem, ...] = ()  # effectiveness reviews due, of actions the user's roles own


def home_data(session: Session, deps: Deps, actor: Actor) -> HomeData:
    today = deps.today(DEFAULT_TIMEZONE)
    roles = tuple(queries.user_roles(session, actor))
    open_plans = [p for p in queries.list_plans(session) if not p.closed]
    plans = tuple(
        PlanLine(p.key, p.title, queries.rag_counts(session, p.id, deps.today(p.timezone)))
        for p in open_plans[:PLANS_SHOWN]
    )
    if roles:
        listed = queries.actions_for_user(session, actor, today, page_size=OPEN_SHOWN)
        since = deps.clock() - timedelta(days=RECENT_DAYS)
        recent = queries.completed_for_user(session, actor, today, since, page_size=RECENT_SHOWN)
        admins: tuple[str, ...] = ()
    else:
        listed = recent = queries.ActionList(None, today, (), queries.Page(0, OPEN_SHOWN, 0))
        admins = tuple(_admins(session))
    due = tuple(reviews_of(session, None, waiting_only=True, due_by=today, limit=REVIEWS_SHOWN, owner=actor)
                if roles else ())
    return HomeData(today, roles, admins, listed, recent, plans, len(open_plans), is_muted(session, actor.user_id),
                    due)


def _admins(session: Session) -> list[str]:
    try:
        plan = queries.resolve_plan(session, None)
    except (AmbiguousPlan, NotFound):
        return []
    return queries.plan_admins(session, plan.id)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _action(action: ActionView) -> list[Block]:
    return [_section(blocks.action_line(action, with_plan=True)), blocks.action_buttons(action, HOME)]


def _add_mine(shown: list[Block], data: HomeData) -> None:
    """The user's roles and their actions, red first, as many as the view has room for."""
    if not data.roles:
        named = (" (" + ", ".join(blocks.mention(a) for a in data.admins) + ")") if data.admins else ""
        shown.append(_section(texts.MINE_NO_ROLES.format(admins=named)))
        return
    shown.append(_context(texts.MINE_ROLES.format(roles=blocks.fit(", ".join(data.roles), 1000))))
    room = MAX_VIEW_BLOCKS - RESERVED_BLOCKS
    groups = (
        (Rag.RED, texts.HOME_RED, [a for a in data.open_actions.items if a.rag == Rag.RED]),
        (Rag.AMBER, texts.HOME_AMBER, [a for a in data.open_actions.items if a.rag == Rag.AMBER]),
        (Rag.GREEN, texts.HOME_GREEN.format(days=RECENT_DAYS), list(data.recent.items)),
    )
    if not data.open_actions.items:
        shown.append(_section(texts.MINE_NONE))
    left_out = data.open_actions.page.total - len(data.open_actions.items)
    for colour, title, actions in groups:
        if not actions:
            continue
        if len(shown) + 3 > room:
            left_out += len(actions)
            continue
        shown.append(_section(f"{blocks.RAG_EMOJI[colour]} *{title}*"))
        for number, action in enumerate(actions):
            if len(shown) + 2 > room:
                left_out += len(actions) - number
                break
            shown += _action(action)
    if left_out > 0:
        shown.append(_context(texts.HOME_MORE.format(count=f"{left_out:,}")))


def home_view(data: HomeData, notice: str | None = None) -> dict[str, Any]:
    """The Home tab as a View dict, within its 100 blocks."""
    shown: list[Block] = [HeaderBlock(text=PlainTextObject(text=texts.MINE_TITLE))]
    if notice:
        shown.append(_section(blocks.shorten(notice, blocks.MAX_SECTION_TEXT)))
    if data.reviews:  # first: the one question a closed plan still asks
        shown.append(_section(f"*{texts.HOME_REVIEWS}*"))
        shown += blocks.review_blocks(data.reviews, HOME, 2 * REVIEWS_SHOWN + 1)
    _add_mine(shown, data)
    shown += [DividerBlock(), HeaderBlock(text=PlainTextObject(text=texts.HOME_PLANS))]
    if not data.plans:
        shown.append(_section(texts.HOME_NO_PLANS))
    for plan in data.plans:
        shown.append(_section(texts.HOME_PLAN_LINE.format(
            key=blocks.fit(plan.key, 40), title=blocks.fit(blocks.one_line(plan.title), 200),
            red_emoji=blocks.RAG_EMOJI[Rag.RED], amber_emoji=blocks.RAG_EMOJI[Rag.AMBER],
            green_emoji=blocks.RAG_EMOJI[Rag.GREEN], red=f"{plan.counts.red:,}", amber=f"{plan.counts.amber:,}",
            green=f"{plan.counts.green:,}", percent=plan.counts.percent_complete,
        ) + (f"\n{apart}" if (apart := blocks.apart_line(plan.counts)) else "")))
    if data.plan_count > len(data.plans):
        shown.append(_context(texts.HOME_MORE_PLANS.format(count=data.plan_count - len(data.plans))))
    shown += reminders_control(data.muted)
    shown.append(_context(texts.HOME_UPDATED.format(date=format_long(data.today))))
    return View(type="home", callback_id="planbot.home", blocks=shown).to_dict()


def reminders_control(muted: bool) -> list[Block]:
    """Whether the user's reminders are on, and the button that mutes or unmutes them."""
    button = (blocks.button(texts.UNMUTE_REMINDERS, ActionId.UNMUTE_REMINDERS, "{}") if muted
              else blocks.button(texts.MUTE_REMINDERS, ActionId.MUTE_REMINDERS, "{}"))
    return [DividerBlock(), _section(texts.HOME_REMINDERS_MUTED if muted else texts.HOME_REMINDERS_ON),
            ActionsBlock(block_id="reminders", elements=[button])]


def publish(client: WebClient, deps: Deps, actor: Actor, *, notice: str | None = None) -> None:
    with deps.sessions_for(actor).read() as session:
        data = home_data(session, deps, actor)
    client.views_publish(user_id=actor.user_id, view=home_view(data, notice))


class HomeRefresher:
    """Publishes users' App Home again after their changes, off the listener threads.

    One worker does it, and a user's refreshes coalesce: a refresh waits `HOME_SETTLE_SECONDS`
    for the rest of a burst, so a burst of clicks by one person costs one publish every so
    often, not one each (drawing Home for someone who holds thousands of actions costs tens of
    milliseconds, which every redraw waited behind), and never holds up the next click's ack.
    """

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._pending: set[Actor] = set()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planbot-home")

    def request(self, client: WebClient, actor: Actor) -> None:
        with self._lock:
            if actor in self._pending:
                return
            self._pending.add(actor)
        alarms.after(HOME_SETTLE_SECONDS, lambda: self._queue(client, actor))

    def _queue(self, client: WebClient, actor: Actor) -> None:
        self._worker.submit(self._refresh, client, actor)

    def _refresh(self, client: WebClient, actor: Actor) -> None:
        with self._lock:
            # Taken off before publishing, so a change made meanwhile asks for another refresh.
            self._pending.discard(actor)
        try:
            publish(client, self.deps, actor)
        except Exception:
            log.exception("could not refresh App Home for %s", actor.user_id)


class HomeNotice(Respond):
    """`respond` for a click on App Home, which has no response_url: the reply is shown at the
    top of the user's Home, drawn again as things stand."""

    def __init__(self, client: WebClient, deps: Deps, actor: Actor) -> None:
        super().__init__(response_url=None)
        self.client, self.deps, self.actor = client, deps, actor

    def __call__(self, text: str | dict[str, Any] = "", *args: Any, **kwargs: Any) -> Any:
        publish(self.client, self.deps, self.actor, notice=str(text))


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        with errors.replies_on_error(None, None):
            publish(client, deps, caller_of(context).actor)
