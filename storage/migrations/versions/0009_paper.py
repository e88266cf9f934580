"""The board paper: each plan's paper settings, and the names Slack gives people (a cache of
users.info with the time it was asked).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'paper_settings',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('meeting', sa.String(length=200), nullable=False),
        sa.Column('meeting_date', sa.Date(), nullable=True),
        sa.Column('agenda_item', sa.String(length=50), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('presented_by', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('for_publication', sa.Boolean(), nullable=False),
        sa.Column('sections', sa.Text(), nullable=False),
        sa.Column('attach', sa.String(length=8), nullable=False),
        sa.CheckConstraint("attach IN ('pdf', 'docx', 'off')", name=op.f('ck_paper_settings_attach_known')),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_paper_settings_plan_id_plans')),
        sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_paper_settings')),
    )
    op.create_table(
        'people',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('real_name', sa.String(length=200), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_people')),
    )


def downgrade() -> None:
    op.drop_table('people')
    op.drop_table('paper_settings')
