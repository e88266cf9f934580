"""Slack deliveries that changed something, kept while a replay of them could still be accepted.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'slack_deliveries',
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_slack_deliveries')),
    )
    op.create_index(op.f('ix_slack_deliveries_seen_at'), 'slack_deliveries', ['seen_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_slack_deliveries_seen_at'), table_name='slack_deliveries')
    op.drop_table('slack_deliveries')
