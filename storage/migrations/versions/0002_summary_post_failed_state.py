"""A summary claim whose attempt failed is released as state 'failed', due again at the next tick.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_summary_posts_state_known'


def upgrade() -> None:
    with op.batch_alter_table('summary_posts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), "state IN ('claimed', 'failed', 'posted')")


def downgrade() -> None:
    op.execute("UPDATE summary_posts SET state = 'claimed' WHERE state = 'failed'")
    with op.batch_alter_table('summary_posts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), "state IN ('claimed', 'posted')")
