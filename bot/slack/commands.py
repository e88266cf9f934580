"""The `/plan` slash command: parsing what was typed, one handler a subcommand, and the buttons
that belong to its replies (turn the page, share in the channel, show one action).

Replies go in the ack body, visible only to the caller: every query is paged, so the whole
answer is ready well within Slack's 3 seconds. Changes go through `bot.plan.services` in one
transaction; the actor is the user of the signed payload.
"""

from __future__ import annotations

import difflib
import logging
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import PlainTextObject
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan import closure, evidence, people, queries, services
from bot.plan.dates import DateError, format_long, parse_date
from bot.plan.errors import InvalidInput, PlanError, Users
from bot.plan.paper.settings import paper_settings
from bot.plan.people import Name, name_from_profile
from bot.plan.storable import storable
from bot.scheduler import PostFailed, Refused
from bot.slack import blocks, closing, deadline, deliveries, errors, messages, reminders, summary_commands, texts
from bot.slack.blocks import Message
from bot.slack.context import Deps
from bot.slack.ids import COMMAND, MAX_DUE_DAYS, MAX_INTEGER, ActionId, ViewKind, ViewSpec
from bot.slack.paper_settings import paper_settings_modal
from bot.slack.poster import Posters, SlackPoster, share_metadata
from bot.slack.request import Caller, caller_of, control_of
from storage.models import Action, Plan, Role

log = logging.getLogger("planbot.slack")

SUBCOMMANDS = (
    "help", "status", "overdue", "due", "mine", "show", "done", "extend", "note", "summary", "schedule",
    "owner", "admin", "slippage", "role", "reminders", "settings", "evidence", "block", "unblock", "close",
    "reopen", "reviews", "closing",
)  # fmt: skip
ALIASES = {"?": "help", "complete": "done", "update": "note", "revise": "extend", "list": "status"}
MODAL_TITLE_CHARS = 24
SHARE_BACKOFF = 1.0  # seconds before the first retry of a share; doubled each time

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_MARKUP = re.compile(r"<([@#!])?([^|>]*)(?:\|([^>]*))?>")
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Parsed:
    """What was typed: a known subcommand and the text after it (or help, and why)."""

    name: str
    rest: str = ""
    problem: str | None = None
    trigger_id: str | None = None  # the command's, for a subcommand that opens a modal

    @property
    def words(self) -> list[str]:
        return self.rest.split()


def parse(text: str) -> Parsed:
    """Split `/plan` text into a subcommand (case-insensitive, near-misses caught) and the rest."""
    head, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if not head:
        return Parsed("help")
    word = storable(head, what="The command", field="command").lower()
    word = ALIASES.get(word, word)
    if word in SUBCOMMANDS:
        return Parsed(word, rest)
    shown = blocks.escape(blocks.shorten(plain(head), 40).replace("`", "'"))
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.6)
    if close:
        return Parsed("help", problem=texts.DID_YOU_MEAN.format(word=shown, suggestion=close[0]))
    return Parsed("help", problem=texts.UNKNOWN_COMMAND.format(word=shown))


def plain(text: str) -> str:
    """Free text as typed: Slack's escaped markup turned back into what the user saw."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return "@" + (label or target)
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return "@" + (label or target.split("^")[0])
        return label or target

    text = _SLACK_MARKUP.sub(readable, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def plan_key(word: str) -> str:
    return storable(word, what="The plan key", field="plan")


def action_ref(word: str) -> str:
    return storable(word, what="The action reference", field="ref")


def parse_mention(token: str) -> str:
    """The user id of an escaped mention, `<@U123|name>` or `<@U123>`."""
    match = _MENTION.fullmatch(storable(token.strip(), what="The person", field="user"))
    if match is None:
        raise InvalidInput(texts.NOT_A_MENTION.format(text=blocks.shorten(plain(token), 60)), field="user")
    return match[1]


def quoted_words(text: str) -> list[str]:
    """Words, keeping "quoted phrases" together (curly quotes count as straight ones)."""
    try:
        return shlex.split(text.translate(_SMART_QUOTES))
    except ValueError as error:
        raise InvalidInput(texts.UNCLOSED_QUOTE, field="role") from error


def first_word(rest: str) -> tuple[str, str]:
    word, _, after = rest.strip().partition(" ")
    return word, after.strip()


def parse_date_words(words: list[str]) -> tuple[date, int]:
    """A date at the start of `words` (one word, or three like `30 Sep 2026`) and how many it took."""
    found: list[DateError] = []
    for size in (3, 1):
        if len(words) < size:
            continue
        try:
            return parse_date(" ".join(words[:size])), size
        except DateError as error:
            found.append(error)
    specific = [e for e in found if e.reason is not None]
    raise InvalidInput(str((specific or found)[-1]), field="date")


def parse_due(words: list[str]) -> tuple[str | None, int]:
    """`due [PLAN] [DAYS]` in either order."""
    plan: str | None = None
    days: int | None = None
    for word in words:
        if re.fullmatch(r"-?\d+", word) and days is None:
            days = int(word)
            if not 1 <= days <= MAX_DUE_DAYS:
                raise InvalidInput(texts.DUE_DAYS.format(most=MAX_DUE_DAYS), field="days")
        elif plan is None and not re.fullmatch(r"-?\d+", word):
            plan = plan_key(word)
        else:
            raise InvalidInput(texts.TOO_MANY_ARGS.format(command="due", takes="a plan and a number of days",
                                                          extra=blocks.shorten(plain(word), 40)))
    return plan, days or messages.DEFAULT_DUE_DAYS


@dataclass(frozen=True)
class OwnerMapping:
    """`/plan owner …` as typed: map (or, with `remove`, unmap) `user_id` to `role`."""

    remove: bool
    role: str
    user_id: str
    plan: str | None


def parse_owner(rest: str) -> OwnerMapping:
    """`owner [add|remove] "ROLE" @user [PLAN]` (quotes optional when the role is followed by @user)."""
    words = quoted_words(rest)
    remove = bool(words) and words[0].lower() in ("remove", "rm", "unmap")
    if words and words[0].lower() in ("add", "remove", "rm", "unmap"):
        words = words[1:]
    at = next((i for i, w in enumerate(words) if w.startswith("<@")), None)
    if at is None:
        if words and "@" in " ".join(words):
            parse_mention(next(w for w in words if "@" in w))
        raise InvalidInput(texts.OWNER_USAGE)
    role = storable(" ".join(words[:at]).strip(), what="The role name", field="role")
    after = words[at + 1 :]
    if not role or len(after) > 1:
        raise InvalidInput(texts.OWNER_USAGE)
    return OwnerMapping(remove, role, parse_mention(words[at]), plan_key(after[0]) if after else None)


def parse_admin(rest: str) -> tuple[str, str, str | None]:
    """`admin add|remove @user [PLAN]`"""
    words = rest.split()
    if len(words) not in (2, 3) or words[0].lower() not in ("add", "remove"):
        raise InvalidInput(texts.ADMIN_USAGE)
    verb, who, *plan = words
    return verb.lower(), parse_mention(who), plan_key(plan[0]) if plan else None


def no_more(command: str, words: list[str], allowed: int, takes: str) -> None:
    if len(words) > allowed:
        raise InvalidInput(texts.TOO_MANY_ARGS.format(command=command, takes=takes,
                                                      extra=blocks.shorten(plain(" ".join(words[allowed:])), 60)))


Handler = Callable[[Deps, Caller, Parsed, WebClient], Message]


def run(deps: Deps, caller: Caller, text: str, client: WebClient, trigger_id: str | None = None) -> Message:
    parsed = replace(parse(text), trigger_id=trigger_id)
    return HANDLERS[parsed.name](deps, caller, parsed, client)


def draw(deps: Deps, caller: Caller, spec: ViewSpec) -> Message:
    with deps.sessions_for(caller.actor).read() as session:
        return messages.draw(session, deps, spec, viewer=caller.actor, channel_id=caller.channel_id)


def on_help(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    return blocks.help_message(parsed.problem)


def only_plan_key(parsed: Parsed) -> str | None:
    """`[PLAN]`: the plan key typed, if any."""
    no_more(parsed.name, parsed.words, 1, "a plan key at most")
    return plan_key(parsed.words[0]) if parsed.words else None


# The plan-wide lists `/plan status`, `/plan overdue` and `/plan slippage`, by subcommand.
PLAN_LISTS: dict[str, ViewKind] = {"status": "status", "overdue": "overdue", "slippage": "slippage"}


def on_status(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    return draw(deps, caller, ViewSpec(kind=PLAN_LISTS[parsed.name], plan=only_plan_key(parsed)))


def on_due(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    plan, days = parse_due(parsed.words)
    return draw(deps, caller, ViewSpec(kind="due", plan=plan, days=days))


def on_mine(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    return draw(deps, caller, ViewSpec(kind="mine", plan=only_plan_key(parsed)))


def plan_and_ref(session: Session, parsed: Parsed) -> tuple[str | None, str, str]:
    """`[PLAN] REF rest…`: the plan key if the first word names a plan and a ref follows."""
    word, after = first_word(parsed.rest)
    if not word:
        raise InvalidInput(texts.NEEDS_REF.format(command=parsed.name), field="ref")
    if after and word.lower() in {p.key.lower() for p in queries.list_plans(session)}:
        ref, rest = first_word(after)
        return word, action_ref(ref), rest
    return None, action_ref(word), after


def on_show(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    with deps.sessions_for(caller.actor).read() as session:
        plan, ref, rest = plan_and_ref(session, parsed)
        no_more("show", rest.split(), 0, "one action's reference")
        return messages.draw(session, deps, ViewSpec(kind="show", plan=plan, ref=ref), viewer=caller.actor,
                             channel_id=caller.channel_id)


# Makes one change to the action from the words typed after its reference; returns the notice.
TypedChange = Callable[[Session, Action, str], str]


def changed(session: Session, caller: Caller, message: Message) -> Message:
    """The reply to a change, kept with the delivery's claim so that a replay gets it too."""
    deliveries.answered(session, caller.delivery, message.ephemeral())
    return message


def change_action(deps: Deps, caller: Caller, parsed: Parsed, make: TypedChange) -> Message:
    """Find the action, make the change in one transaction, and show the result with its buttons."""
    with deps.sessions_for(caller.actor).begin() as session:
        deliveries.claim(session, caller.delivery, deps.clock())
        plan_key, ref, rest = plan_and_ref(session, parsed)
        action = queries.find_action(session, ref, plan_key, caller.channel_id)
        notice = make(session, action, rest)
        plan = session.get(Plan, action.plan_id)
        assert plan is not None
        (shown,) = queries.action_views(session, [action.id], deps.today(plan.timezone))
        return changed(session, caller, blocks.change_message(
            notice, shown, ViewSpec(kind="show", plan=shown.plan_key, ref=shown.ref)))


def on_done(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    def done(session: Session, action: Action, rest: str) -> str:
        services.complete(session, action, caller.actor, deps.clock(), note=plain(rest) or None)
        return texts.DONE.format(ref=blocks.escape(action.ref))

    return change_action(deps, caller, parsed, done)


def on_extend(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    if not parsed.rest:
        raise InvalidInput(texts.EXTEND_USAGE, field="ref")

    def extend(session: Session, action: Action, rest: str) -> str:
        words = rest.split()
        if not words:
            raise InvalidInput(texts.EXTEND_NEEDS_DATE.format(ref=action.ref), field="date")
        try:
            new_due, used = parse_date_words(words)
        except InvalidInput:
            storable(" ".join(words[:3]), what="The date", field="date")  # say so, if that is what is wrong
            raise
        reason = plain(" ".join(rest.split()[used:]))
        if not reason:
            raise InvalidInput(texts.EXTEND_NEEDS_REASON.format(ref=action.ref,
                                                                date=" ".join(words[:used])), field="reason")
        services.revise_due(session, action, caller.actor, deps.clock(), new_due, reason)
        return texts.EXTENDED.format(ref=blocks.escape(action.ref), date=format_long(new_due))

    return change_action(deps, caller, parsed, extend)


def on_note(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    def note(session: Session, action: Action, rest: str) -> str:
        text = plain(rest)
        if not text:
            raise InvalidInput(texts.NOTE_NEEDS_TEXT.format(ref=action.ref), field="note")
        services.add_note(session, action, caller.actor, deps.clock(), text)
        return texts.NOTED.format(ref=blocks.escape(action.ref))

    return change_action(deps, caller, parsed, note)


def unknown_user(user_id: str, code: str) -> PlanError:
    """Slack could not say who a mentioned person is (their id stays data, written as a mention)."""
    before, _, after = texts.MAPPED_USER_UNKNOWN.partition("{user}")
    return PlanError(before, Users((user_id,)), after.format(error=code), field="user")


def org_of(client: WebClient, user_id: str) -> tuple[str, Name | None]:
    """The organisation a mentioned person belongs to (their Grid enterprise, else their own team),
    as Slack says: in a Slack Connect channel it is not the admin's; and their names."""
    try:
        user = client.users_info(user=user_id)["user"] or {}
    except SlackApiError as error:
        code = str(error.response.get("error") or "error")
        log.warning("users.info failed for a mapped user (%s)", code)
        raise unknown_user(user_id, code) from error
    org = (user.get("enterprise_user") or {}).get("enterprise_id") or user.get("enterprise_id") or user.get("team_id")
    if not org:
        raise unknown_user(user_id, "no_team")
    return str(org), name_from_profile(user)


def on_owner(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    wanted = parse_owner(parsed.rest)
    org_id, person = None, None
    if not wanted.remove:
        with deps.sessions_for(caller.actor).read() as session:  # refuse a non-admin before asking Slack anything
            services.check_admin(session, queries.resolve_plan(session, wanted.plan, caller.channel_id), caller.actor)
        org_id, person = org_of(client, wanted.user_id)
    with deps.sessions_for(caller.actor).begin() as session:
        deliveries.claim(session, caller.delivery, deps.clock())
        plan = queries.resolve_plan(session, wanted.plan, caller.channel_id)
        if wanted.remove:
            services.unmap_role(session, plan, caller.actor, deps.clock(), wanted.role, wanted.user_id)
            name = session.scalar(select(Role.name).where(Role.name_key == services.role_key(wanted.role)))
            shown = blocks.fit(name or wanted.role, 200)
            return changed(session, caller, blocks.notice(texts.ROLE_UNMAPPED.format(user=wanted.user_id, role=shown)))
        assert org_id is not None
        people.remember(session, wanted.user_id, person, deps.clock())  # the name papers and summaries show
        role = services.map_role(session, plan, caller.actor, deps.clock(), wanted.role, wanted.user_id,
                                 org_id=org_id)
        return changed(session, caller, blocks.notice(
            texts.ROLE_MAPPED.format(user=wanted.user_id, role=blocks.fit(role.name, 200))))


@dataclass(frozen=True)
class RoleChange:
    """`/plan role rename|merge …` as typed."""

    verb: str  # rename or merge
    first: str
    second: str
    plan: str | None


def parse_role(rest: str) -> RoleChange:
    """`role rename "OLD" "NEW" [PLAN]` or `role merge "FROM" "INTO" [PLAN]`."""
    words = quoted_words(plain(rest))
    if len(words) not in (3, 4) or words[0].lower() not in ("rename", "merge"):
        raise InvalidInput(texts.ROLE_USAGE, field="role")
    plan = words[3] if len(words) == 4 else None  # noqa: PLR2004 - the verb, two names and a plan
    return RoleChange(words[0].lower(), words[1], words[2], plan)


def on_role(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    wanted = parse_role(parsed.rest)
    with deps.sessions_for(caller.actor).begin() as session:
        plan = queries.resolve_plan(session, wanted.plan, caller.channel_id)
        if wanted.verb == "rename":
            old = " ".join(wanted.first.split())
            role = services.rename_role(session, caller.actor, deps.clock(), wanted.first, wanted.second, plan=plan)
            return blocks.notice(texts.ROLE_RENAMED.format(old=blocks.fit(blocks.escape(old), 200),
                                                           new=blocks.fit(blocks.escape(role.name), 200)))
        source = " ".join(wanted.first.split())
        role = services.merge_roles(session, caller.actor, deps.clock(), wanted.first, wanted.second, plan=plan)
        return blocks.notice(texts.ROLE_MERGED.format(source=blocks.fit(blocks.escape(source), 200),
                                                      target=blocks.fit(blocks.escape(role.name), 200)))


def on_admin(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    verb, user_id, plan_key = parse_admin(parsed.rest)
    with deps.sessions_for(caller.actor).begin() as session:
        deliveries.claim(session, caller.delivery, deps.clock())
        plan = queries.resolve_plan(session, plan_key, caller.channel_id)
        if verb == "add":
            services.add_admin(session, plan, caller.actor, deps.clock(), user_id)
            return changed(session, caller, blocks.notice(
                texts.ADMIN_ADDED.format(user=user_id, plan=blocks.escape(plan.key))))
        services.remove_admin(session, plan, caller.actor, deps.clock(), user_id)
        return changed(session, caller, blocks.notice(
            texts.ADMIN_REMOVED.format(user=user_id, plan=blocks.escape(plan.key))))


def on_evidence(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    """`/plan evidence REF URL [description]`, or `/plan evidence remove REF N`."""
    if not parsed.rest:
        raise InvalidInput(texts.EVIDENCE_USAGE, field="ref")
    verb, after = first_word(parsed.rest)
    if verb.lower() in ("remove", "rm", "delete"):
        def remove(session: Session, action: Action, rest: str) -> str:
            words = rest.split()
            if len(words) != 1 or not words[0].isdigit() or int(words[0]) > MAX_INTEGER:
                raise InvalidInput(texts.EVIDENCE_NUMBER.format(ref=action.ref), field="number")
            item = evidence.remove_evidence(session, action, caller.actor, deps.clock(), int(words[0]))
            return texts.EVIDENCE_REMOVED.format(ref=blocks.escape(action.ref), number=item.number)

        return change_action(deps, caller, Parsed("evidence", after), remove)

    def add(session: Session, action: Action, rest: str) -> str:
        url, description = first_word(rest)
        if not url:
            raise InvalidInput(texts.EVIDENCE_USAGE, field="url")
        item = evidence.add_evidence(session, action, caller.actor, deps.clock(), _link(url), plain(description))
        return texts.EVIDENCE_ADDED.format(ref=blocks.escape(action.ref), number=item.number,
                                           url=blocks.link_url(item.url),
                                           label=blocks.fit(item.description or item.url, 150))

    return change_action(deps, caller, parsed, add)


def _link(word: str) -> str:
    """A URL as Slack sends it in a command: `<https://…>` or `<https://…|label>`, or as typed."""
    if word.startswith("<") and word.endswith(">"):
        return word[1:-1].split("|", 1)[0]
    return plain(word)


def on_block(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    if not parsed.rest:
        raise InvalidInput(texts.BLOCK_USAGE, field="ref")

    def blocked(session: Session, action: Action, rest: str) -> str:
        reason = plain(rest)
        if not reason:
            raise InvalidInput(texts.BLOCK_USAGE, field="reason")
        evidence.block(session, action, caller.actor, deps.clock(), reason)
        return texts.BLOCKED.format(ref=blocks.escape(action.ref), reason=blocks.fit(blocks.one_line(reason), 300))

    return change_action(deps, caller, parsed, blocked)


def on_unblock(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    def unblocked(session: Session, action: Action, rest: str) -> str:
        evidence.unblock(session, action, caller.actor, deps.clock(), plain(rest) or None)
        return texts.UNBLOCKED.format(ref=blocks.escape(action.ref))

    return change_action(deps, caller, parsed, unblocked)


def on_close(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    """`/plan close [PLAN]`: the closing modal, a page of open actions at a time (admins)."""
    key = only_plan_key(parsed)
    with deps.sessions_for(caller.actor).read() as session:
        plan = queries.resolve_plan(session, key, caller.channel_id)
        services.check_admin(session, plan, caller.actor)
        view = closing.closing_view(session, deps, plan, caller.channel_id)
    if not caller.trigger_id:
        raise InvalidInput(texts.CLICK_AGAIN)
    client.views_open(trigger_id=caller.trigger_id, view=view)
    return blocks.notice(texts.CLOSE_MODAL_OPENED.format(plan=blocks.escape(plan.key)))


def on_reopen(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    key = only_plan_key(parsed)
    with deps.sessions_for(caller.actor).begin() as session:
        deliveries.claim(session, caller.delivery, deps.clock())
        plan = queries.resolve_plan(session, key, caller.channel_id, closed_too=True)
        closure.reopen_plan(session, plan, caller.actor, deps.clock())
        return changed(session, caller, blocks.notice(texts.REOPENED_PLAN.format(plan=blocks.escape(plan.key))))


def on_reviews(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    key = only_plan_key(parsed)
    with deps.sessions_for(caller.actor).read() as session:
        plan = queries.resolve_plan(session, key, caller.channel_id, closed_too=True)
    return draw(deps, caller, ViewSpec(kind="reviews", plan=plan.key))


def on_closing(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    """`/plan closing [PLAN] [evidence on|off] [reviews MONTHS|off]` (admins change them)."""
    words = [w.lower() for w in parsed.words]
    key = plan_key(words.pop(0)) if words and words[0] not in ("evidence", "reviews") else None
    required: bool | None = None
    months: int | None | str = "unchanged"
    while words:
        name, value, words = words[0], (words[1] if len(words) > 1 else ""), words[2:]
        if name == "evidence" and value in ("on", "off"):
            required = value == "on"
        elif name == "reviews" and value:
            months = evidence.parse_review_months(value)
        else:
            raise InvalidInput(texts.CLOSING_SETTINGS_USAGE)
    with deps.sessions_for(caller.actor).begin() as session:
        deliveries.claim(session, caller.delivery, deps.clock())
        plan = queries.resolve_plan(session, key, caller.channel_id)
        if required is not None or months != "unchanged":
            evidence.set_closing_settings(session, plan, caller.actor, deps.clock(), evidence_required=required,
                                          review_months=months)
        said = texts.CLOSING_SETTINGS.format(
            plan=blocks.escape(plan.key),
            evidence=texts.CLOSING_REQUIRED if plan.evidence_required else texts.CLOSING_NOT_REQUIRED,
            reviews=texts.CLOSING_REVIEWS_EVERY.format(months=plan.review_months) if plan.review_months
            else texts.CLOSING_REVIEWS_OFF)
        return changed(session, caller, blocks.notice(said))


def on_reminders(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    return reminders.reminders_command(deps, caller, parsed.words)


def on_settings(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
    """`/plan settings [PLAN]`: admins get the board paper settings in a modal."""
    key = only_plan_key(parsed)
    with deps.sessions_for(caller.actor).read() as session:  # one quick read: the trigger id lives 3 s
        plan = queries.resolve_plan(session, key, caller.channel_id)
        services.check_admin(session, plan, caller.actor)
        view = paper_settings_modal(plan.key, paper_settings(session, plan))
    if not parsed.trigger_id:
        raise PlanError(texts.PAPER_SETTINGS_AGAIN)
    try:
        client.views_open(trigger_id=parsed.trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed for /plan settings (%s)", error.response.get("error"))
        raise PlanError(texts.PAPER_SETTINGS_AGAIN) from error
    return blocks.notice(texts.PAPER_SETTINGS_OPENED.format(plan=blocks.escape(plan.key)))


def delegate(function_name: str) -> Handler:
    """`/plan summary …` and `/plan schedule …` belong to bot.slack.summary_commands."""

    def handler(deps: Deps, caller: Caller, parsed: Parsed, client: WebClient) -> Message:
        function = getattr(summary_commands, function_name, None)
        if function is None:
            return blocks.notice(texts.NOT_AVAILABLE.format(command=parsed.name))
        storable(parsed.rest, what=f"The text after `/plan {parsed.name}`", field=parsed.name)
        result: Message = function(deps, actor=caller.actor, channel_id=caller.channel_id, args=parsed.words,
                                   delivery=caller.delivery)
        return result

    return handler


HANDLERS: dict[str, Handler] = {
    "help": on_help,
    "status": on_status,
    "overdue": on_status,
    "due": on_due,
    "mine": on_mine,
    "show": on_show,
    "done": on_done,
    "extend": on_extend,
    "note": on_note,
    "summary": delegate("summary_command"),
    "schedule": delegate("schedule_command"),
    "owner": on_owner,
    "admin": on_admin,
    "slippage": on_status,
    "role": on_role,
    "reminders": on_reminders,
    "evidence": on_evidence,
    "block": on_block,
    "unblock": on_unblock,
    "close": on_close,
    "reopen": on_reopen,
    "reviews": on_reviews,
    "closing": on_closing,
    "settings": on_settings,
}


def in_channel(body: dict[str, Any]) -> bool:
    """Whether the clicked message is a normal channel message (so it is already shared)."""
    container = body.get("container") or {}
    return container.get("type") == "message" and not container.get("is_ephemeral", False)


def register(app: App, deps: Deps) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext,
                   client: WebClient) -> None:
        if not deadline.start(ack):
            return  # answered for already: nothing was changed
        with errors.replies_on_error(ack, respond):
            message = run(deps, caller_of(context), body.get("text") or "", client, body.get("trigger_id"))
            ack(**message.ephemeral())

    @app.action(ActionId.PAGE.value)
    @app.action(ActionId.PREVIOUS_PAGE.value)
    @app.action(ActionId.NEXT_PAGE.value)
    def on_page(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        with errors.replies_on_error(None, respond):
            caller = caller_of(context)
            shared = in_channel(body)
            with deps.sessions_for(caller.actor).read() as session:
                message = messages.draw(session, deps, control_of(context, ViewSpec), viewer=caller.actor,
                                        channel_id=caller.channel_id)
            if shared:
                # Turning the page of a message everyone sees would turn it for everyone.
                respond(response_type="ephemeral", replace_original=False, **message.to_dict())
                return
            respond(replace_original=True, **message.to_dict())

    # Shares go through a poster of their own, not the app's client: that one retries a 5xx
    # blindly, and a 5xx may come after Slack kept the message. A person is waiting: retry soon.
    posters = Posters(SlackPoster, deps.settings, backoff=SHARE_BACKOFF)

    @app.action(ActionId.SHARE.value)
    def on_share(ack: Ack, respond: Respond, context: BoltContext) -> None:
        ack()
        with errors.replies_on_error(None, respond):
            caller = caller_of(context)
            with deps.sessions_for(caller.actor).begin() as session:  # a replayed click shares nothing more
                deliveries.claim(session, caller.delivery, deps.clock())
            with deps.sessions_for(caller.actor).read() as session:
                message = messages.draw(session, deps, control_of(context, ViewSpec), viewer=caller.actor,
                                        channel_id=caller.channel_id, shareable=False)
            try:
                posters.of(context.bot_token).post(caller.channel_id or "", message,
                                                   share_metadata(deliveries.marker(caller.delivery)))
            except Refused as refused:
                log.warning("could not share a message in %s (%s)", caller.channel_id, refused.error)
                said = texts.SHARE_FAILED.format(channel=caller.channel_id, error=refused.error)
            except PostFailed as failed:
                log.warning("could not share a message in %s (%s)", caller.channel_id, failed)
                said = texts.SHARE_UNAVAILABLE.format(channel=caller.channel_id, problem=failed)
            else:
                said = texts.SHARED.format(channel=caller.channel_id)
            respond(text=said, response_type="ephemeral", replace_original=False)

    @app.action(ActionId.SHOW.value)
    def on_show_clicked(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient,
                        context: BoltContext) -> None:
        ack()
        with errors.replies_on_error(None, respond):
            caller = caller_of(context)
            spec = control_of(context, ViewSpec)
            from_message = bool(body.get("response_url"))
            with deps.sessions_for(caller.actor).read() as session:
                message = messages.draw(session, deps, spec, viewer=caller.actor, channel_id=caller.channel_id,
                                        shareable=from_message)
            if from_message:
                respond(response_type="ephemeral", replace_original=False, **message.to_dict())
                return
            # From App Home (no response_url): show the action in a modal instead.
            title = blocks.shorten(f"Action {spec.ref or ''}".strip(), MODAL_TITLE_CHARS)
            view = View(type="modal", title=PlainTextObject(text=title), close=PlainTextObject(text="Close"),
                        blocks=message.blocks)
            client.views_open(trigger_id=body["trigger_id"], view=view)
