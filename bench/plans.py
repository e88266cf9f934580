"""The benchmark's plans: big sample plans (bot/plan/big_sample.py) loaded through the real importer.

Ten actions a recommendation, as a real plan's are; every role the sample uses is held by the
benchmark's user, so that user may complete any action.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.plan.big_sample import ROLES, big_sample_csv
from bot.plan.errors import Conflict
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
USER = "UBENCH"        # holds every owner role, so may complete any action
ADMIN = "UBENCHADMIN"  # the plans' admin
TEAM = "T1"
ACTIONS_PER_RECOMMENDATION = 10
CLI = Actor.cli("bench")


def plan_key(size: int) -> str:
    return f"p{size}"


def load(sessions: Sessions, size: int, *, channel: str | None = None) -> str:
    """Import the plan of `size` actions with ADMIN as admin and USER holding every role."""
    key = plan_key(size)
    rows = read_plan_csv(big_sample_csv(size, today=NOW.date(), per_recommendation=ACTIONS_PER_RECOMMENDATION))
    with sessions.begin() as session:
        import_plan(session, rows, key=key, actor=CLI, now=NOW,
                    title=f"Benchmark plan of {size} actions", channel_id=channel, admins=(ADMIN,))
    hold_every_role(sessions, key)
    return key


def settle(sessions: Sessions) -> None:
    """Gather the planner's statistics, as the database would soon after a big import by itself
    (PostgreSQL's autovacuum within a minute or so; on SQLite, the `ANALYZE` an operator runs).
    Measured straight after the import, PostgreSQL still guesses that a plan has 73 rows and
    reads the table for counts an index answers alone: 11 ms instead of 1.6 for 10,000 actions."""
    engine = sessions.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


def hold_every_role(sessions: Sessions, key: str, *, at: datetime = NOW) -> None:
    """Map USER to every role the sample uses, by the plan's admin, so USER may complete any action."""
    with sessions.begin() as session:
        plan = get_plan(session, key)
        for role in ROLES:
            try:
                map_role(session, plan, Actor(ADMIN, TEAM), at, role, USER, org_id=TEAM)
            except Conflict:
                pass  # roles are workspace-wide: an earlier plan mapped them already
