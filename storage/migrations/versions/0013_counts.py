"""Counts without the table: a partial index of each plan's blocked actions, so that the RAG
counts of a plan (`queries.rag_counts`) are read from indexes alone.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_actions_plan_blocked', 'actions', ['plan_id', 'status'],
                    sqlite_where=sa.text('blocked_since IS NOT NULL'),
                    postgresql_where=sa.text('blocked_since IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_actions_plan_blocked', table_name='actions')
