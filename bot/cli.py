"""The `planbot` command line: one of the three callers of the core (with Slack and the scheduler).

Each command opens its own transaction; errors meant for the user are printed without a
traceback and end with a non-zero exit.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

from bot.config import Settings
from bot.plan import queries
from bot.plan.errors import PlanError
from bot.plan.importer import export_plan, import_plan
from bot.plan.rules import DEFAULT_TIMEZONE, today_in
from bot.plan.sample import SAMPLE_KEY, SAMPLE_SOURCE, SAMPLE_TITLE, sample_csv
from bot.plan.services import Actor
from bot.plan.spreadsheet import SheetRefused, read_plan_csv
from bot.terminal import render_status
from storage.db import Sessions, make_engine, open_database, upgrade

Handler = Callable[[argparse.Namespace, Settings], int]


class UsageError(Exception):
    pass


def _now() -> datetime:
    return datetime.now(timezone.utc)


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


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"Cannot read {path}: {error}") from error
    try:
        sheet = read_plan_csv(text)
    except SheetRefused as refused:
        print(f"{path} was not imported; nothing was written. Fix these and try again:", file=sys.stderr)
        for problem in refused.problems:
            print(f"  row {problem.row}: {problem.message}", file=sys.stderr)
        return 1
    with _sessions(settings).begin() as session:
        report = import_plan(
            session, sheet, key=args.plan, actor=_cli_actor(), now=_now(), title=args.title,
            channel_id=args.channel, admins=tuple(args.admin or ()), source=args.source or "",
        )
    print(report.summary())
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    with _sessions(settings).read() as session:
        plan = queries.get_plan(session, args.plan)
        text = export_plan(session, plan.key, today_in(plan.timezone, _now()))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    with _sessions(settings).read() as session:
        plan = queries.resolve_plan(session, args.plan)
        total = queries.rag_counts(session, plan.id, today_in(plan.timezone, _now())).total
        view = queries.status(session, plan, today_in(plan.timezone, _now()), page_size=max(total, 1))
    sys.stdout.write(render_status(view, tty=sys.stdout.isatty()))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    now = _now()
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
        view = queries.status(session, plan, today_in(plan.timezone, now), page_size=1000)
    sys.stdout.write(render_status(view, tty=sys.stdout.isatty()))
    print("\nNext: `planbot export ppr`, or connect it to Slack (see the README).")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack.app import create_app
    from bot.slack.server import make_http_server, serve_socket_mode

    missing = settings.missing_for_socket() if args.socket else settings.missing_for_http()
    if missing:
        raise UsageError(f"Set {' and '.join(missing)} first (see the README, \"Connect to Slack\").")
    sessions = _sessions(settings)
    app = create_app(settings, sessions)
    if args.socket:
        assert settings.slack_app_token is not None
        logging.getLogger("planbot").info("planbot serving over Socket Mode")
        serve_socket_mode(app, settings.slack_app_token.get_secret_value())
        return 0
    server = make_http_server(app, sessions, host=args.host, port=args.port, threads=args.threads)
    logging.getLogger("planbot").info("planbot serving on http://%s:%s/slack/events", args.host, server.effective_port)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planbot", description="Keep an improvement action plan in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode with --socket)")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--threads", type=int, default=8, help="worker threads answering requests")
    p.add_argument("--socket", action="store_true", help="use Socket Mode (needs SLACK_APP_TOKEN)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("import", help="import a plan from a CSV spreadsheet")
    p.add_argument("path")
    p.add_argument("--plan", required=True, help="the plan's key, e.g. ppr")
    p.add_argument("--title")
    p.add_argument("--source", help="where the plan came from (an inspection, a review)")
    p.add_argument("--channel", help="Slack channel id for the plan's summaries")
    p.add_argument("--admin", action="append", metavar="USER_ID", help="a Slack user id to make a plan admin")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export a plan as CSV")
    p.add_argument("plan")
    p.add_argument("--output", "-o")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("status", help="print where a plan stands")
    p.add_argument("plan", nargs="?")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("demo", help="load a sample plan and show its status")
    p.add_argument("--admin", action="append", metavar="USER_ID", help="make this Slack user an admin of the sample")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("db", help="database maintenance")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("upgrade", help="bring the schema up to date").set_defaults(handler=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args.handler(args, settings))
    except (PlanError, UsageError) as error:
        print(str(error), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The output was piped into something that stopped reading (`planbot export | head`).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
