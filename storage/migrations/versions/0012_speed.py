"""Pages by index: each action's place in its plan (`sort_key`, 0, 1, 2, … in recommendation
and position order) so a page of a plan is one indexed range, and an index that counts a plan's
actions by status and current due date without reading the table.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_RANKED = (
    "SELECT a.id AS id, ROW_NUMBER() OVER (PARTITION BY a.plan_id ORDER BY r.number, a.position, a.id) - 1 AS rank "
    "FROM actions a JOIN recommendations r ON r.id = a.recommendation_id"
)


def upgrade() -> None:
    with op.batch_alter_table('actions') as batch:
        batch.add_column(sa.Column('sort_key', sa.Integer(), nullable=False, server_default='0'))
    op.execute(f"UPDATE actions SET sort_key = (SELECT ranked.rank FROM ({_RANKED}) AS ranked "
               "WHERE ranked.id = actions.id)")
    op.create_index('ix_actions_plan_sort_key', 'actions', ['plan_id', 'sort_key'])
    op.create_index('ix_actions_plan_status_due', 'actions',
                    ['plan_id', 'status', sa.text('coalesce(revised_due, original_due)')])


def downgrade() -> None:
    op.drop_index('ix_actions_plan_status_due', table_name='actions')
    op.drop_index('ix_actions_plan_sort_key', table_name='actions')
    with op.batch_alter_table('actions') as batch:
        batch.drop_column('sort_key')
