"""Tamper evidence for the audit trail, and the two ways round its append-only triggers closed.

Each event gets its place in its plan's trail (`seq`) and a hash chained to the event before
it (bot/plan/audit.py); existing events are chained here in the order they were written.
SQLite: `INSERT OR REPLACE` deletes the row it replaces without firing delete triggers, so an
insert that would replace an existing event is refused. PostgreSQL: `TRUNCATE` fires no row
triggers, so a statement trigger refuses it.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from bot.plan.audit import GENESIS, EventFields, event_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REPLACE_MESSAGE = "action_events is append-only: an event cannot be replaced"
TRUNCATE_MESSAGE = "action_events is append-only: it cannot be truncated"

_events = sa.table(
    "action_events",
    sa.column("id", sa.Integer), sa.column("plan_id", sa.Integer), sa.column("action_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String), sa.column("kind", sa.String),
    sa.column("old_value", sa.Text), sa.column("new_value", sa.Text), sa.column("reason", sa.Text),
    sa.column("seq", sa.Integer), sa.column("hash", sa.String),
)


def _postgres() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _chain_existing_events() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_events).order_by(_events.c.plan_id, _events.c.id)).mappings().all()
    tails: dict[int, tuple[int, str]] = {}
    for row in rows:
        seq, previous = tails.get(row["plan_id"], (0, GENESIS))
        at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)
        fields = EventFields(plan_id=row["plan_id"], seq=seq + 1, action_id=row["action_id"], at=at,
                             actor=row["actor"], kind=row["kind"], old_value=row["old_value"],
                             new_value=row["new_value"], reason=row["reason"])
        digest = event_hash(previous, fields)
        connection.execute(sa.update(_events).where(_events.c.id == row["id"]).values(seq=seq + 1, hash=digest))
        tails[row["plan_id"]] = (seq + 1, digest)


def upgrade() -> None:
    # The chain is written into existing rows, which the append-only triggers refuse: lift them
    # for this one transaction.
    if _postgres():
        op.execute("ALTER TABLE action_events DISABLE TRIGGER action_events_append_only")
    else:
        op.execute("DROP TRIGGER action_events_no_update")
    with op.batch_alter_table("action_events") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("action_events") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_action_events_plan_id", ["plan_id", "seq"])

    if _postgres():
        op.execute("ALTER TABLE action_events ENABLE TRIGGER action_events_append_only")
        op.execute(
            f"""
            CREATE FUNCTION action_events_no_truncate() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{TRUNCATE_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER action_events_no_truncate BEFORE TRUNCATE ON action_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION action_events_no_truncate()"
        )
    else:
        # batch_alter_table rebuilt the table, which drops its triggers: put them all back.
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS action_events_no_{verb.lower()}")
            op.execute(
                f"CREATE TRIGGER action_events_no_{verb.lower()} BEFORE {verb} ON action_events "
                "BEGIN SELECT RAISE(ABORT, 'action_events is append-only'); END"
            )
        op.execute(
            "CREATE TRIGGER action_events_no_replace BEFORE INSERT ON action_events "
            "WHEN EXISTS (SELECT 1 FROM action_events WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{REPLACE_MESSAGE}'); END"
        )


def downgrade() -> None:
    if _postgres():
        op.execute("DROP TRIGGER action_events_no_truncate ON action_events")
        op.execute("DROP FUNCTION action_events_no_truncate()")
    else:
        op.execute("DROP TRIGGER action_events_no_replace")
    with op.batch_alter_table("action_events") as batch:
        batch.drop_constraint("uq_action_events_plan_id", type_="unique")
        batch.drop_column("hash")
        batch.drop_column("seq")
