"""The `planbot` command line: one of the three callers of the core (with Slack and the scheduler).

Each command opens its own transaction; errors meant for the user are printed without a
traceback and end with a non-zero exit.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.clock import Clock, trial_clock
from bot.config import Settings
from bot.paper import formats as paper_formats
from bot.plan import audit, queries, services
from bot.plan import reminders as reminder_rules
from bot.plan.closure import Decision, close_plan, reopen_plan
from bot.plan.closure_report import closure_report, render_closure
from bot.plan.dates import format_long
from bot.plan.errors import Hint, PlanError
from bot.plan.evidence import parse_review_months, set_closing_settings
from bot.plan.paper import settings as paper_settings
from bot.plan.phrases import plural
from bot.plan.publishing import ScheduleInfo, format_slot, plan_schedule, schedule_info, set_schedule
from bot.plan.rules import DEFAULT_TIMEZONE, today_in
from bot.plan.schedule import parse_schedule
from bot.plan.services import Actor
from bot.plan.slippage import plan_slippage
from bot.plan.summary import (
    Period,
    build_summary,
    current_period,
    parse_month,
    period_for_month,
    period_from_key,
)
from bot.plan.summary_json import summary_dict
from bot.plan.summary_text import render_markdown, render_text
from bot.redact import redact_tokens
from bot.reminding import Courier, Reminders, RunReport, run_reminders
from bot.scheduler import Outcome, Poster, Scheduler, default_worker, publish
from bot.ticking import Ticking
from storage.db import Sessions, grant_app_role, make_engine, open_database, upgrade
from storage.faults import ReadOnlyDatabase, describe
from storage.models import Plan

Handler = Callable[[argparse.Namespace, Settings], int]


class UsageError(Exception):
    pass


def _clock(settings: Settings) -> Clock:
    """The real clock, or one that starts at PLANBOT_CLOCK_START and runs on (trials and tests):
    every command takes "now" from it, and "today" in the plan's timezone."""
    return trial_clock(settings.planbot_clock_start)


def _cli_actor() -> Actor:
    try:
        return Actor.cli(getpass.getuser())
    except Exception:
        return Actor.cli()


def _sessions(settings: Settings) -> Sessions:
    return open_database(settings.database_url)


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(make_engine(settings.database_url))
    print("Database is up to date.")
    return 0


def cmd_db_grant(args: argparse.Namespace, settings: Settings) -> int:
    try:
        grant_app_role(make_engine(settings.database_url), args.role)
    except ValueError as error:
        raise UsageError(f"planbot db grant: {error}.") from error
    print(f"{args.role} may now run planbot, and can read and append to the audit trail but not rewrite it.")
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    sessions = _sessions(settings)
    with sessions.read() as session:
        plan = queries.get_plan(session, args.plan)
        result = audit.verify(session, plan.id)
        timezone_name = plan.timezone
    if result.first_break is None:
        print(f"The audit trail of {args.plan} is intact: {result.events} events, each chained to the one before.")
        return 0
    found = result.first_break
    when = f" ({_when(found.at, timezone_name)}, {found.kind})" if found.at else ""
    print(f"The audit trail of {args.plan} is broken at number {found.seq}{when}: {found.problem}. "
          f"Events before it are intact.", file=sys.stderr)
    return 1


def _workspace_of_plan(sessions: Sessions, key: str) -> str:
    """The workspace of the plan with this key ('' if there is none yet: a single-token install's)."""
    with sessions.read() as session:
        try:
            return queries.get_plan(session, key).workspace
        except PlanError:
            return ""


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plan.importer import import_plan  # noqa: PLC0415 - the command line's own: serve starts without it
    from bot.plan.spreadsheet import SheetRefused, read_plan_csv  # noqa: PLC0415
    from bot.plan.workbook import is_workbook, read_plan_xlsx  # noqa: PLC0415 - only import and export load openpyxl

    path = Path(args.path)
    try:
        data = path.read_bytes()
        workbook = is_workbook(path.name, data)
        if args.sheet and not workbook:
            raise UsageError(f"--sheet goes with an Excel workbook (.xlsx); {path} is read as CSV.")
        text = "" if workbook else data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"Cannot read {path}: {error}") from error
    try:
        sheet = read_plan_xlsx(data, name=str(path), sheet=args.sheet) if workbook else read_plan_csv(text)
    except SheetRefused as refused:
        print(f"{path} was not imported; nothing was written. Fix these and try again:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  row {problem.row}: {problem.message}", file=sys.stderr)
        return 1
    sessions = _sessions(settings)
    if args.workspace:
        sessions = sessions.scoped(args.workspace)  # a new plan is made there; a plan of another is not touched
    else:
        sessions = sessions.scoped(_workspace_of_plan(sessions, args.plan))
    with sessions.begin() as session:
        report = import_plan(
            session, sheet, key=args.plan, actor=_cli_actor(), now=_clock(settings)(), title=args.title,
            channel_id=args.channel, admins=tuple(args.admin or ()), source=args.source or "",
        )
    print(report.summary())
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plan.importer import export_plan  # noqa: PLC0415 - the command line's own: serve starts without it
    from bot.plan.workbook import export_workbook  # noqa: PLC0415 - only import and export load openpyxl

    output = Path(args.output) if args.output else None
    named_xlsx = output is not None and output.suffix.lower() == ".xlsx"
    workbook = args.format == "xlsx" or (args.format is None and named_xlsx)
    if workbook and output is None and sys.stdout.isatty():
        raise UsageError("An Excel workbook is not for the terminal: give --output FILE.xlsx (or redirect it).")
    with _sessions(settings).read() as session:
        plan = queries.get_plan(session, args.plan)
        today = today_in(plan.timezone, _clock(settings)())
        content = export_workbook(session, plan.key, today) if workbook else export_plan(session, plan.key, today)
    if output is not None:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
        print(f"Wrote {output}.")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import render_status  # noqa: PLC0415 - the command line's own: serve starts without it

    now = _clock(settings)()
    with _sessions(settings).read() as session:
        plan = queries.resolve_plan(session, args.plan)
        today = today_in(plan.timezone, now)
        total = queries.rag_counts(session, plan.id, today).total
        view = queries.status(session, plan, today, page_size=max(total, 1))
        slippage = plan_slippage(session, plan, today)
    sys.stdout.write(render_status(view, tty=sys.stdout.isatty(), slippage=slippage))
    return 0


def cmd_slippage(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal import render_slippage  # noqa: PLC0415 - the command line's own: serve starts without it

    now = _clock(settings)()
    with _sessions(settings).read() as session:
        plan = queries.resolve_plan(session, args.plan)
        slippage = plan_slippage(session, plan, today_in(plan.timezone, now))
    sys.stdout.write(render_slippage(slippage))
    return 0


def cmd_role(args: argparse.Namespace, settings: Settings) -> int:
    now = _clock(settings)()
    with _sessions(settings).scoped(args.workspace or "").begin() as session:  # each workspace names its own roles
        if args.role_command == "rename":
            role = services.rename_role(session, _cli_actor(), now, args.old, args.new)
            print(f'Renamed the role "{" ".join(args.old.split())}" to "{role.name}"; the people who held it still do, '
                  "and the old name still finds it.")
        else:
            role = services.merge_roles(session, _cli_actor(), now, args.source, args.target)
            print(f'Merged the role "{" ".join(args.source.split())}" into "{role.name}": its actions and the people '
                  "who held it are now under that role, and the old name still finds it.")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plan.importer import import_plan  # noqa: PLC0415 - the command line's own: serve starts without it
    from bot.plan.sample import SAMPLE_KEY, SAMPLE_SOURCE, SAMPLE_TITLE, sample_csv  # noqa: PLC0415
    from bot.plan.spreadsheet import read_plan_csv  # noqa: PLC0415
    from bot.terminal import render_status  # noqa: PLC0415

    now = _clock(settings)()
    sheet = read_plan_csv(sample_csv(today_in(DEFAULT_TIMEZONE, now)))
    sessions = _sessions(settings)
    with sessions.begin() as session:
        report = import_plan(
            session, sheet, key=SAMPLE_KEY, actor=Actor.cli("demo"), now=now, title=SAMPLE_TITLE,
            source=SAMPLE_SOURCE, admins=tuple(args.admin or ()),
        )
    print(report.summary())
    print(f"Database: {settings.database_url}\n")
    with sessions.read() as session:
        plan = queries.get_plan(session, SAMPLE_KEY)
        today = today_in(plan.timezone, now)
        view = queries.status(session, plan, today, page_size=1000)
        slippage = plan_slippage(session, plan, today)
    sys.stdout.write(render_status(view, tty=sys.stdout.isatty(), slippage=slippage))
    print("\nNext: `planbot export ppr`, or connect it to Slack (see the README).")
    return 0


def _poster(settings: Settings) -> Poster:
    from bot.slack.poster import SlackSummaryPoster  # noqa: PLC0415 - only the commands that post load Slack's SDK

    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        raise UsageError("Set SLACK_BOT_TOKEN first: posting a summary needs the bot's token.")
    return SlackSummaryPoster.from_settings(settings)


def _when(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return f"{format_long(local.date())} at {local:%H:%M} ({tz})"


def _outcome_line(outcome: Outcome, tz: str) -> str:
    what = f"the {outcome.period.label} summary of {outcome.plan_key}"
    match outcome.kind:
        case "posted":
            return f"Posted {what} to {outcome.channel_id} (message {outcome.message_ts})."
        case "recovered":
            return (f"Found {what} already in {outcome.channel_id} (message {outcome.message_ts}) from an "
                    "earlier attempt, and recorded it as posted; nothing was posted twice.")
        case "already_posted":
            when = _when(outcome.posted_at, tz) if outcome.posted_at else "an unknown time"
            return (f"{what[0].upper()}{what[1:]} was already posted to {outcome.channel_id} on {when} "
                    f"(message {outcome.message_ts}); use --force to post it again.")
        case "busy":
            assert outcome.busy is not None
            return (f"Another planbot ({outcome.busy.claimed_by}) is posting {what} right now; "
                    f"its claim runs out at {_when(outcome.busy.lease_ends, tz)}. Try again later.")
        case "lost":
            return (f"Posted {what} to {outcome.channel_id} (message {outcome.message_ts}), but another planbot "
                    "took the period over meanwhile: look in the channel for a second copy.")
        case _:
            return f"Could not post {what}: {outcome.error}. Nothing was recorded as posted; try again."


def _period(plan: Plan, month: str | None, now: datetime) -> Period:
    """The period `--month` names (default: the current one) in the plan's schedule."""
    schedule = plan_schedule(plan)
    if month:
        return period_for_month(schedule, *parse_month(month, today_in(plan.timezone, now)))
    return current_period(schedule, plan.timezone, now)


def cmd_summary(args: argparse.Namespace, settings: Settings) -> int:
    if args.force and not args.post:
        raise UsageError("--force only goes with --post.")
    clock = _clock(settings)
    now = clock()
    sessions = _sessions(settings)
    with sessions.read() as session:
        plan = queries.resolve_plan(session, args.plan)
        period = _period(plan, args.month, now)
        summary = build_summary(session, plan, period, now) if not args.post else None
    if summary is not None:
        if args.format == "json":
            print(json.dumps(summary_dict(summary), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(render_markdown(summary) if args.format == "markdown" else render_text(summary))
        return 0
    outcome = publish(sessions, _poster(settings), plan_key=plan.key, period=period, clock=clock,
                      worker=default_worker(), actor=_cli_actor(), force=args.force)
    print(_outcome_line(outcome, plan.timezone), file=sys.stdout if outcome.ok else sys.stderr)
    if outcome.attach_error:
        print(f"Its board paper was not shared in the thread: {outcome.attach_error} (the bot needs the "
              "files:write scope).", file=sys.stderr)
    return 0 if outcome.ok else 1


CLOSURE_FORMATS = ("text", "markdown", "json")


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """The board paper, written to a file; with `--closure`, a closed plan's closure report."""
    if args.closure:
        return closure_report_command(args, settings)
    if args.format in CLOSURE_FORMATS:
        raise UsageError(f"planbot report: --format {args.format} is for the closure report (--closure); "
                         "the board paper is docx, pdf or html.")
    now = _clock(settings)()
    fmt = paper_formats.Format(args.format or "pdf")
    with _sessions(settings).read() as session:
        plan = queries.resolve_plan(session, args.plan)
        summary = build_summary(session, plan, _period(plan, args.month, now), now)
        made = paper_formats.make_paper(session, plan, summary)
    path = Path(args.output or f"{paper_formats.file_stem(summary)}.{fmt}")
    path.write_bytes(paper_formats.write(made.paper, fmt))
    print(f"Wrote {path}: {made.paper.title} ({fmt.name}).")
    return 0


def closure_report_command(args: argparse.Namespace, settings: Settings) -> int:
    """`planbot report KEY --closure [--format text|markdown|json] [--output FILE]`."""
    form = args.format or "text"
    if form not in CLOSURE_FORMATS:
        raise UsageError("planbot report --closure: the closure report is text, markdown or json.")
    with _sessions(settings).read() as session:
        plan = queries.resolve_plan(session, args.plan, closed_too=True)
        text = render_closure(closure_report(session, plan, _clock(settings)()), form)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    """Show or change a plan's board paper settings."""
    now = _clock(settings)()
    changes = {name: value for name in paper_settings.FIELDS if (value := getattr(args, name)) is not None}
    with _sessions(settings).begin() as session:
        plan = queries.get_plan(session, args.plan)
        lines = []
        if changes:
            changed = paper_settings.set_paper_settings(session, plan, _cli_actor(), now, changes)
            lines.append(f"Changed: {', '.join(_option(n) for n in changed)}." if changed else "Nothing to change.")
        current = paper_settings.paper_settings(session, plan)
    lines.append(f"Plan {plan.key}: board paper settings (a section with no text is left out of the paper).")
    for field in paper_settings.FIELDS.values():
        shown = current.shown(field.name)
        lines.append(f"  {field.label} ({_option(field.name)}): {shown if shown else '(not set)'}")
    print("\n".join(lines))
    return 0


def _add_paper_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="write a plan's board paper (the summary as a document, with a chart), "
                                      "or with --closure print a closed plan's closure report")
    p.add_argument("plan", nargs="?", help="the plan's key (optional when there is only one plan)")
    p.add_argument("--month", help="the month it reports on, e.g. 2027-03 (default: the current period)")
    p.add_argument("--format", choices=[*(f.value for f in paper_formats.Format), *CLOSURE_FORMATS],
                   help="the board paper: docx, pdf (default) or html; the closure report: text (default), "
                        "markdown or json")
    p.add_argument("--output", "-o", metavar="FILE", help="where to write it (default: KEY-PERIOD-board-paper.FORMAT)")
    p.add_argument("--closure", action="store_true", help="the closure report of a closed plan")
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser("plan", help="show or change a plan's board paper settings (cover fields, sections)")
    p.add_argument("plan")
    for field in paper_settings.FIELDS.values():
        p.add_argument(_option(field.name), dest=field.name, metavar="TEXT",
                       help=f'{field.label} (at most {field.limit:,} characters; "" clears it)')
    p.set_defaults(handler=cmd_plan)


def _schedule_lines(info: ScheduleInfo, changed: bool | None) -> list[str]:
    tz = info.timezone
    lines = [] if changed is None else ["Changed." if changed else "Nothing to change."]
    if info.schedule.kind == "off":
        lines.append(f"Plan {info.plan_key}: summaries are off.")
    else:
        channel = info.channel_id or "no channel yet (set one with --channel C0123456789)"
        lines.append(f"Plan {info.plan_key}: {info.schedule.describe()} ({tz}), posted to {channel}.")
        if info.due_now is not None:
            lines.append(f"Due now: the {info.due_now.label} summary (planbot serve posts it at its next check).")
        if info.next_run is not None:
            lines.append(f"Next run: {format_slot(info.next_run, tz)} ({info.next_run.label}).")
    if info.last_post is not None:
        try:
            label = period_from_key(info.last_post.period).label
        except PlanError:
            label = info.last_post.period
        lines.append(f"Last posted: the {label} summary, on {_when(info.last_post.posted_at, tz)}.")
    return lines


def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    now = _clock(settings)()
    schedule = parse_schedule(" ".join(args.schedule)) if args.schedule else None
    with _sessions(settings).begin() as session:
        plan = queries.get_plan(session, args.plan)
        changed = None
        if schedule is not None or args.channel is not None:
            changed = set_schedule(session, plan, _cli_actor(), now, schedule=schedule, channel_id=args.channel)
        info = schedule_info(session, plan, now)
    print("\n".join(_schedule_lines(info, changed)))
    return 0


def _courier(settings: Settings) -> Courier:
    from bot.slack.reminders import SlackCourier  # noqa: PLC0415 - only the commands that remind load Slack's SDK

    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value():
        raise UsageError("Set SLACK_BOT_TOKEN first: sending reminders needs the bot's token.")
    return SlackCourier.from_settings(settings)


def _items_line(outcome_items: tuple[reminder_rules.Item, ...], reminder: reminder_rules.Reminder | None) -> str:
    refs = []
    for item in outcome_items:
        view = reminder.actions.get(item.action_id) if reminder else None
        ref = f"{view.plan_key} {view.ref}" if view else f"action {item.action_id}"
        refs.append(f"{ref} ({item.label.lower()})")
    return "; ".join(refs)


SKIP_WORDS = {
    reminder_rules.Skip.MUTED: "muted",
    reminder_rules.Skip.NOT_WORKING_DAY: "not a working day there",
    reminder_rules.Skip.TOO_EARLY: "not before {start} their time",
    reminder_rules.Skip.TOO_LATE: "not after 18:00 their time",
    reminder_rules.Skip.ALREADY_SENT: "already sent today",
}


def remind_lines(report: RunReport) -> list[str]:
    """Who got what (or would have), who did not and why, in the terminal's words."""
    lines = []
    for outcome in report.outcomes:
        what = _items_line(outcome.items, outcome.reminder)
        count = plural(len(outcome.items), "item")
        more = f" (and {outcome.left_out} more, next time)" if outcome.left_out else ""
        match outcome.kind:
            case "sent":
                lines.append(f"Sent {outcome.recipient} {count}{more}: {what}.")
            case "would_send":
                lines.append(f"Would send {outcome.recipient} {count}{more}: {what}.")
            case "recovered":
                lines.append(f"Found the message to {outcome.recipient} already in Slack from an earlier attempt, "
                             f"and recorded it: {what}.")
            case "already_sent":
                lines.append(f"{outcome.recipient}: already sent today.")
            case "busy":
                lines.append(f"{outcome.recipient}: another planbot is sending it right now.")
            case _:
                lines.append(f"Could not remind {outcome.recipient}: {outcome.error}. Nothing was recorded as "
                             "sent; the next run tries again.")
    for skipped in report.skipped:
        if skipped.why == reminder_rules.Skip.ALREADY_SENT:
            continue
        why = SKIP_WORDS[skipped.why].format(start=f"{skipped.starts:%H:%M}")
        local = f"{skipped.local:%a} {format_long(skipped.local.date())} {skipped.local:%H:%M} {skipped.local.tzname()}"
        lines.append(f"{skipped.recipient}: {why} (now {local}).")
    already = [s for s in report.skipped if s.why == reminder_rules.Skip.ALREADY_SENT]
    if already:
        days = sorted({s.day for s in already})
        lines.append(f"Already sent today ({', '.join(format_long(d) for d in days)}), not sent again: "
                     f"{', '.join(s.recipient for s in already)}.")
    if not report.of("sent", "recovered", "would_send"):
        lines.append("Nothing sent." if not report.dry_run else "Nothing would be sent.")
    if report.unknown_timezones:
        lines.append(f"Timezones not known yet, so the plan's was assumed: {', '.join(report.unknown_timezones)} "
                     "(a real run asks Slack).")
    return lines


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    sessions = _sessions(settings)
    if args.plan:
        with sessions.read() as session:
            queries.get_plan(session, args.plan)
    courier = None if args.dry_run else _courier(settings)
    report = run_reminders(sessions, courier, clock=trial_clock(settings.planbot_clock_start),
                           worker=default_worker(), plan_key=args.plan, by_hand=True, dry_run=args.dry_run,
                           pace=settings.planbot_reminder_pace)
    print("\n".join(remind_lines(report)))
    return 0 if report.ok else 1


def cmd_reminders(args: argparse.Namespace, settings: Settings) -> int:
    now = trial_clock(settings.planbot_clock_start)()
    with _sessions(settings).begin() as session:
        plan = queries.get_plan(session, args.plan)
        lines = []
        if args.setting:
            change = reminder_rules.parse_setting(args.setting)
            changed = reminder_rules.change_setting(session, plan, _cli_actor(), now, change)
            lines.append("Changed." if changed else "Nothing to change.")
        config = reminder_rules.reminder_config(session, plan)
    lines.append(f"Plan {plan.key}: reminders {reminder_rules.describe(config)}.")
    print("\n".join(lines))
    return 0


def _runners(args: argparse.Namespace, settings: Settings, sessions: Sessions,
             clock: Clock) -> tuple[Ticking | None, Ticking | None]:
    """The summary scheduler and the reminders `planbot serve` runs: with one bot token, or for
    each installed workspace with its own (`bot.slack.installs.EachWorkspace`)."""
    from bot.slack.poster import SlackSummaryPoster  # noqa: PLC0415
    from bot.slack.reminders import SlackCourier  # noqa: PLC0415

    def scheduler(scoped: Sessions, token: str | None) -> Scheduler:
        return Scheduler(scoped, SlackSummaryPoster.from_settings(settings, token=token), clock=clock,
                         interval=settings.planbot_scheduler_interval)

    def reminders(scoped: Sessions, token: str | None) -> Reminders:
        return Reminders(scoped, SlackCourier.from_settings(settings, token=token), clock=clock,
                         interval=settings.planbot_reminder_interval, pace=settings.planbot_reminder_pace)

    if not settings.many_workspaces:
        return (None if args.no_scheduler else scheduler(sessions, None),
                None if args.no_reminders else reminders(sessions, None))
    from bot.slack.installs import EachWorkspace, make_store  # noqa: PLC0415

    store = make_store(settings, sessions.engine)
    return (None if args.no_scheduler else EachWorkspace("scheduler", store, sessions, scheduler, clock=clock,
                                                         interval=settings.planbot_scheduler_interval),
            None if args.no_reminders else EachWorkspace("reminders", store, sessions, reminders, clock=clock,
                                                         interval=settings.planbot_reminder_interval))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    # Only `planbot serve` loads Bolt and the server: the other commands start without them.
    from bot.slack.app import create_app  # noqa: PLC0415
    from bot.slack.server import (  # noqa: PLC0415
        CannotConnect,
        make_http_server,
        serve_socket_mode,
        serve_until_interrupted,
    )

    if args.socket and settings.many_workspaces:
        raise UsageError("Socket Mode serves one workspace; serve many workspaces over HTTP (see the README, "
                         "\"Connect to Slack\").")
    missing = settings.missing_for_socket() if args.socket else settings.missing_for_http()
    if missing:
        raise UsageError(f"Set {' and '.join(missing)} first (see the README, \"Connect to Slack\").")
    sessions = _sessions(settings)
    try:
        sessions.check_writable()
    except (DBAPIError, ReadOnlyDatabase) as error:
        fault = describe(error, settings.database_url)
        if fault is None:
            raise
        print(f"planbot serve cannot start: {fault.message}\n({fault.detail})", file=sys.stderr)
        return 2
    clock = _clock(settings)
    try:
        app = create_app(settings, sessions, clock=clock)
    except ValueError as error:  # PLANBOT_ENCRYPTION_KEY that is no key
        raise UsageError(f"planbot serve cannot start: {error}.") from error
    scheduler, reminders = _runners(args, settings, sessions, clock)
    for runner in (scheduler, reminders):
        if runner is not None:
            runner.start()
    try:
        if args.socket:
            assert settings.slack_app_token is not None
            logging.getLogger("planbot").info("planbot serving over Socket Mode")
            try:
                serve_socket_mode(app, settings.slack_app_token.get_secret_value())
            except CannotConnect as error:
                print(f"planbot serve --socket cannot start: {error}", file=sys.stderr)
                return 2
            return 0
        server = make_http_server(app, sessions, host=args.host, port=args.port, threads=args.threads)
        logging.getLogger("planbot").info("planbot serving on http://%s:%s/slack/events", args.host,
                                          server.effective_port)
        serve_until_interrupted(server)
        return 0
    finally:
        if scheduler is not None:
            scheduler.stop()
        if reminders is not None:
            reminders.stop()


def _add_slippage_and_role(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("slippage", help="baseline against current dates: what slipped, by how much, why")
    p.add_argument("plan", nargs="?")
    p.set_defaults(handler=cmd_slippage)

    p = sub.add_parser("role", help="rename an owner role, or merge two that are one")
    role = p.add_subparsers(dest="role_command", required=True, metavar="ACTION")
    p = role.add_parser("rename", help='give a role a new name: planbot role rename "OLD" "NEW"')
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--workspace", metavar="ID", help="serving many workspaces: whose role (each names its own)")
    p.set_defaults(handler=cmd_role)
    p = role.add_parser("merge", help='make two roles one: planbot role merge "FROM" "INTO"')
    p.add_argument("source", metavar="FROM")
    p.add_argument("target", metavar="INTO")
    p.add_argument("--workspace", metavar="ID", help="serving many workspaces: whose roles (each names its own)")
    p.set_defaults(handler=cmd_role)


def _add_audit(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="check the audit trail")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    p = audit_sub.add_parser("verify", help="check that no event of a plan's audit trail was changed or removed")
    p.add_argument("plan")
    p.set_defaults(handler=cmd_audit_verify)


def cmd_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.server import LOOPBACK, Sandbox  # noqa: PLC0415 - only the sandbox loads Slack's SDK

    if args.plan != "demo" and not Path(args.plan).is_file():
        raise UsageError(f"--plan takes demo or a CSV file; there is no file {args.plan}.")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # the page's polls queue briefly; that is fine
    try:
        sandbox = Sandbox.start(database_url=args.database, host=args.host, port=args.port, plan=args.plan,
                                clock=trial_clock(settings.planbot_clock_start))
    except OSError as error:
        print(f"planbot sandbox cannot listen on {args.host}:{args.port}: {error.strerror or error}. "
              "Try another --port.", file=sys.stderr)
        return 2
    if sandbox.loaded:
        print(sandbox.loaded)
    print(f"Database: {args.database}")
    print("The local Slack answers planbot on " + sandbox.slack.url + "; the real Slack is never called.")
    if args.host != LOOPBACK:
        print(f"Listening on {args.host}: anyone who can reach this machine can use the sandbox.")
    print(f"\nplanbot sandbox: open {sandbox.url} in a browser (Ctrl-C stops it).", flush=True)
    sandbox.serve()
    return 0


def cmd_installs_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import installs  # noqa: PLC0415 - only these commands load Slack's SDK

    store = installs.make_store(_oauth_settings(settings), _sessions(settings).engine)
    rows = installs.installed(store)
    if not rows:
        print("No workspace has installed planbot.")
    for workspace, name, at in rows:
        print(f"{workspace}  {name}  installed {at} UTC")
    return 0


def cmd_installs_new_key(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import installs  # noqa: PLC0415 - only these commands load Slack's SDK

    print(installs.new_key())
    return 0


def cmd_installs_rekey(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import installs  # noqa: PLC0415 - only these commands load Slack's SDK

    try:
        keys = installs.encryption_keys(settings.planbot_encryption_key.get_secret_value()
                                        if settings.planbot_encryption_key else None)
        changed = installs.rekey(_sessions(settings).engine, keys)
    except installs.EncryptionKeyError as error:
        raise UsageError(f"planbot installs rekey: {error}.") from error
    print(f"Re-encrypted {plural(changed, 'token')} with the first key of PLANBOT_ENCRYPTION_KEY; "
          "the other keys can now be removed from it.")
    return 0


def cmd_move(args: argparse.Namespace, settings: Settings) -> int:
    with _sessions(settings).begin() as session:
        plan = queries.get_plan(session, args.plan)
        before = services.move_plan(session, plan, _cli_actor(), _clock(settings)(), args.workspace)
    print(f"Plan {plan.key} is now seen from workspace {args.workspace or '(the single-token install)'}"
          f" (it was {before or '(the single-token install)'}).")
    return 0


def _oauth_settings(settings: Settings) -> Settings:
    if not settings.slack_client_id:
        raise UsageError("Set SLACK_CLIENT_ID first: installations are kept per app.")
    missing = [m for m in settings.missing_for_many_workspaces() if m == "PLANBOT_ENCRYPTION_KEY"]
    if missing:
        raise UsageError("Set PLANBOT_ENCRYPTION_KEY first: the tokens are kept encrypted with it.")
    return settings


def _add_installs(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("installs", help="serving many workspaces: the installations, and their tokens' key")
    installs = p.add_subparsers(dest="installs_command", required=True, metavar="ACTION")
    installs.add_parser("list", help="the workspaces that installed planbot (never their tokens)").set_defaults(
        handler=cmd_installs_list)
    installs.add_parser("new-key", help="print a new key for PLANBOT_ENCRYPTION_KEY").set_defaults(
        handler=cmd_installs_new_key)
    installs.add_parser("rekey", help="re-encrypt every token with the first key of PLANBOT_ENCRYPTION_KEY"
                        ).set_defaults(handler=cmd_installs_rekey)
    p = sub.add_parser("move", help="serving many workspaces: give a plan to a workspace (audited)")
    p.add_argument("plan")
    p.add_argument("--workspace", required=True, metavar="ID",
                   help="the workspace (T…) or Grid organisation (E…); '' for the single-token install")
    p.set_defaults(handler=cmd_move)


def add_serving_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`planbot serve` (for Slack) and `planbot sandbox` (for a browser)."""
    p = sub.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode with --socket)")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--threads", type=int, default=8, help="worker threads answering requests")
    p.add_argument("--socket", action="store_true", help="use Socket Mode (needs SLACK_APP_TOKEN)")
    p.add_argument("--no-scheduler", action="store_true",
                   help="do not post scheduled summaries from this process")
    p.add_argument("--no-reminders", action="store_true", help="do not send reminders from this process")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("sandbox", help="try planbot without Slack: the real app in a browser page that plays Slack")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: this machine only)")
    p.add_argument("--plan", default="demo", help="loaded into an empty database: demo (default) or a CSV file")
    p.add_argument("--database", default="sqlite:///planbot-sandbox.db",
                   help="the sandbox's own database (DATABASE_URL is not used, so a real plan is never touched)")
    p.set_defaults(handler=cmd_sandbox)

def _add_reminder_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("remind", help="send today's reminders now (once per person and day), or --dry-run")
    p.add_argument("plan", nargs="?", help="only this plan's reminders")
    p.add_argument("--dry-run", action="store_true", help="say who would get what, and send nothing")
    p.set_defaults(handler=cmd_remind)

    p = sub.add_parser("reminders", help="show or change a plan's reminder settings")
    p.add_argument("plan")
    p.add_argument("setting", nargs="*",
                   help="on, off, hour 9, soon 14, near 3, escalate 10, channel 20, channel on|off")
    p.set_defaults(handler=cmd_reminders)


def _decisions(args: argparse.Namespace) -> list[Decision]:
    """`--complete REF` and `--bau REF "WHERE"` (each `--note` goes with the --bau before it)."""
    notes = list(args.note or [])
    baus = list(args.bau or [])
    if len(notes) > len(baus):
        raise UsageError("planbot close: each --note goes with a --bau; there are more notes than --bau.")
    decisions = [Decision(ref, bau=True, where=where, note=notes[n] if n < len(notes) else None)
                 for n, (ref, where) in enumerate(baus)]
    return decisions + [Decision(ref, bau=False) for ref in args.complete or []]


def cmd_close(args: argparse.Namespace, settings: Settings) -> int:
    sessions = _sessions(settings)
    with sessions.begin() as session:
        plan = queries.get_plan(session, args.plan)
        closed = close_plan(session, plan, _cli_actor(), _clock(settings)(), _decisions(args))
        if args.dry_run:
            session.rollback()
    done = "Would close" if args.dry_run else "Closed"
    print(f"{done} plan {closed.plan_key}: {plural(len(closed.completed), 'action')} completed and "
          f"{len(closed.moved)} moved to business as usual at closing; "
          f"{plural(closed.reviews, 'effectiveness review')} scheduled."
          + (" Nothing was written." if args.dry_run else ""))
    return 0


def cmd_reopen(args: argparse.Namespace, settings: Settings) -> int:
    with _sessions(settings).begin() as session:
        reopen_plan(session, queries.get_plan(session, args.plan), _cli_actor(), _clock(settings)(), args.reason)
    print(f"Reopened plan {args.plan}: it takes changes again, and its summaries and reminders start again.")
    return 0


def cmd_closing(args: argparse.Namespace, settings: Settings) -> int:
    """`planbot closing KEY [evidence on|off] [reviews N|off]`: show or set them."""
    words = [w.lower() for w in args.settings]
    evidence: bool | None = None
    months: int | None | str = "unchanged"
    while words:
        name, value, words = words[0], (words[1] if len(words) > 1 else ""), words[2:]
        if name == "evidence" and value in ("on", "off"):
            evidence = value == "on"
        elif name == "reviews" and value:
            months = parse_review_months(value)
        else:
            raise UsageError('planbot closing: say "evidence on|off" or "reviews MONTHS|off".')
    with _sessions(settings).begin() as session:
        plan = queries.get_plan(session, args.plan)
        if evidence is not None or months != "unchanged":
            set_closing_settings(session, plan, _cli_actor(), _clock(settings)(), evidence_required=evidence,
                                 review_months=months)
        required = "required" if plan.evidence_required else "not required"
        reviews = f"{plan.review_months} months after completion" if plan.review_months else "off"
    print(f"Plan {args.plan}: evidence {required} before an action is complete; effectiveness reviews {reviews}.")
    return 0


def cmd_pack(args: argparse.Namespace, settings: Settings) -> int:
    from bot.plan.pack import inspector_pack  # noqa: PLC0415 - only the pack loads Jinja2
    with _sessions(settings).read() as session:
        plan = queries.get_plan(session, args.plan)
        data = inspector_pack(session, plan, _clock(settings)())
    Path(args.output).write_bytes(data.zip_bytes())
    print(f"Wrote {args.output}: {plural(len(data.actions), 'action')}, {plural(len(data.events), 'audit event')}, "
          f"{len(data.summaries)} posted summaries.")
    return 0


def _add_closing_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("close", help="close a plan: each open action completed or moved to business as usual")
    p.add_argument("plan")
    p.add_argument("--bau", nargs=2, action="append", metavar=("REF", "WHERE"),
                   help="move REF to business as usual, where it now lives (a service plan, a team)")
    p.add_argument("--note", action="append", help="a note for the --bau before it")
    p.add_argument("--complete", action="append", metavar="REF", help="mark REF complete at closing")
    p.add_argument("--dry-run", action="store_true", help="check and say what would happen; write nothing")
    p.set_defaults(handler=cmd_close)
    p = sub.add_parser("reopen", help="reopen a closed plan (audited)")
    p.add_argument("plan")
    p.add_argument("--reason")
    p.set_defaults(handler=cmd_reopen)
    p = sub.add_parser("closing", help="show or set whether completing needs evidence, and when reviews fall due")
    p.add_argument("plan")
    p.add_argument("settings", nargs="*", help='"evidence on|off", "reviews 6|off"')
    p.set_defaults(handler=cmd_closing)
    p = sub.add_parser("pack", help="the inspector's pack: one zip file to read offline")
    p.add_argument("plan")
    p.add_argument("--output", "-o", required=True, metavar="FILE.zip")
    p.set_defaults(handler=cmd_pack)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planbot", description="Keep an improvement action plan in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_serving_parsers(sub)
    _add_reminder_commands(sub)
    _add_paper_commands(sub)

    p = sub.add_parser("summary", help="print a plan's summary, or post it to its channel once per period")
    p.add_argument("plan", nargs="?", help="the plan's key (optional when there is only one plan)")
    p.add_argument("--month", help="the month it reports on, e.g. 2027-03 (default: the current period)")
    p.add_argument("--post", action="store_true", help="post it to the plan's channel, unless already posted")
    p.add_argument("--force", action="store_true", help="with --post: post it again even if already posted")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.set_defaults(handler=cmd_summary)

    p = sub.add_parser("schedule", help="show or set when and where a plan's summaries are posted")
    p.add_argument("plan")
    p.add_argument("schedule", nargs="*", help='monthly (default), quarterly, off, or "RRULE:FREQ=...;..."')
    p.add_argument("--channel", help="the Slack channel id summaries go to, e.g. C0123456789")
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser("import", help="import a plan from a spreadsheet: CSV or an Excel workbook (.xlsx)")
    p.add_argument("path")
    p.add_argument("--sheet", help="an Excel workbook's sheet to read (the first sheet by default)")
    p.add_argument("--plan", required=True, help="the plan's key, e.g. ppr")
    p.add_argument("--title")
    p.add_argument("--source", help="where the plan came from (an inspection, a review)")
    p.add_argument("--channel", help="Slack channel id for the plan's summaries")
    p.add_argument("--admin", action="append", metavar="USER_ID", help="a Slack user id to make a plan admin")
    p.add_argument("--workspace", metavar="ID",
                   help="serving many workspaces: the workspace (T…) or Grid organisation (E…) whose plan it is")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export a plan as CSV or an Excel workbook")
    p.add_argument("plan")
    p.add_argument("--output", "-o")
    p.add_argument("--format", choices=("csv", "xlsx"), help="csv by default, or xlsx when --output ends in .xlsx")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("status", help="print where a plan stands")
    p.add_argument("plan", nargs="?")
    p.set_defaults(handler=cmd_status)

    _add_slippage_and_role(sub)

    p = sub.add_parser("demo", help="load the sample plan (the real one, dates moved) and show its status")
    p.add_argument("--admin", action="append", metavar="USER_ID", help="make this Slack user an admin of the sample")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("db", help="database maintenance")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("upgrade", help="bring the schema up to date").set_defaults(handler=cmd_db_upgrade)
    p = db.add_parser("grant", help="PostgreSQL: let ROLE run planbot without being able to rewrite the audit trail")
    p.add_argument("role")
    p.set_defaults(handler=cmd_db_grant)

    _add_audit(sub)
    _add_installs(sub)
    _add_closing_commands(sub)
    return parser


HINTS = {
    Hint.SEE_STATUS: "Try `planbot status {plan}`.",
    Hint.SET_SUMMARY_CHANNEL: "Set one with `planbot schedule {plan} --channel C0123456789`.",
}


def say(error: PlanError | UsageError) -> str:
    """An error in the terminal's words: people by their Slack ids, hints as `planbot` commands."""
    if not isinstance(error, PlanError):
        return str(error)
    said = error.message
    if error.hint is not None:
        said += " " + HINTS[error.hint].format(plan=error.plan_key or "").replace(" `.", "`.")
    return said


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        redact_tokens(handler)  # slack_sdk logs Web API answers at DEBUG, an install's new token among them
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # the PDF's font subsetting, line by line
    try:
        return int(args.handler(args, settings))
    except (PlanError, UsageError) as error:
        print(say(error), file=sys.stderr)
        return 1
    except (DBAPIError, PoolTimeout, ReadOnlyDatabase) as error:
        fault = describe(error, settings.database_url)
        if fault is None:
            raise
        print(f"{fault.message}\n({fault.detail})", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The output was piped into something that stopped reading (`planbot export | head`).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
