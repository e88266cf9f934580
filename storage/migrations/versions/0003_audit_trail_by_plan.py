"""Index the audit trail by plan and id, so a plan's latest event (its revision) is one lookup.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_action_events_plan_id_id", "action_events", ["plan_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_action_events_plan_id_id", table_name="action_events")
