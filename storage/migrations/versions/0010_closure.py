"""Closing the loop: evidence on actions, actions blocked by others, closure into business as
usual (a status of its own, where the action now lives, who closed the plan), the plan's
evidence and review settings, effectiveness reviews, and each summary as it was posted.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STATUS = 'ck_actions_status_known'
BLOCKED = 'ck_actions_blocked_has_reason'


def upgrade() -> None:
    # On SQLite batch mode rebuilds `actions` (storage/migrations/env.py turns foreign keys off).
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('blocked_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bau_where', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bau_note', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f(STATUS), type_='check')
        batch_op.create_check_constraint(op.f(STATUS), "status IN ('not_started', 'in_progress', 'complete', 'bau')")
        batch_op.create_check_constraint(op.f(BLOCKED), '(blocked_reason IS NULL) = (blocked_since IS NULL)')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('evidence_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('review_months', sa.Integer(), nullable=True, server_default='6'))
    with op.batch_alter_table('summary_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posted_markdown', sa.Text(), nullable=True))
    op.create_table(
        'evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=64), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_by', sa.String(length=64), nullable=True),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("url <> ''", name=op.f('ck_evidence_url_not_empty')),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_evidence_action_id_actions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    )
    op.create_index('ix_evidence_action', 'evidence', ['action_id'])
    op.create_table(
        'effectiveness_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('answered_by', sa.String(length=64), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('embedded', 'not_yet')",
                           name=op.f('ck_effectiveness_reviews_outcome_known')),
        sa.CheckConstraint('(outcome IS NULL) = (answered_at IS NULL)',
                           name=op.f('ck_effectiveness_reviews_answered_when')),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'],
                                name=op.f('fk_effectiveness_reviews_action_id_actions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_effectiveness_reviews')),
        sa.UniqueConstraint('action_id', 'due', name=op.f('uq_effectiveness_reviews_action_id')),
    )
    op.create_index('ix_effectiveness_reviews_due', 'effectiveness_reviews', ['due'])


def downgrade() -> None:
    op.drop_index('ix_effectiveness_reviews_due', table_name='effectiveness_reviews')
    op.drop_table('effectiveness_reviews')
    op.drop_index('ix_evidence_action', table_name='evidence')
    op.drop_table('evidence')
    with op.batch_alter_table('summary_posts', schema=None) as batch_op:
        batch_op.drop_column('posted_markdown')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('review_months')
        batch_op.drop_column('evidence_required')
        batch_op.drop_column('closed_by')
    # The old schema knows no business as usual: such an action goes back to in progress.
    op.execute("UPDATE actions SET status = 'in_progress' WHERE status = 'bau'")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(BLOCKED), type_='check')
        batch_op.drop_constraint(op.f(STATUS), type_='check')
        batch_op.create_check_constraint(op.f(STATUS), "status IN ('not_started', 'in_progress', 'complete')")
        batch_op.drop_column('bau_note')
        batch_op.drop_column('bau_where')
        batch_op.drop_column('blocked_since')
        batch_op.drop_column('blocked_reason')
