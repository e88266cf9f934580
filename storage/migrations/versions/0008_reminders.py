"""Reminders: each plan's reminder settings, the people reminded (timezone, DM channel, mute),
one claimed delivery per recipient and day, and the milestones each recipient has had.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_settings',
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('hour', sa.Integer(), nullable=False),
        sa.Column('soon_days', sa.Integer(), nullable=False),
        sa.Column('near_days', sa.Integer(), nullable=False),
        sa.Column('escalate_days', sa.Integer(), nullable=False),
        sa.Column('channel_days', sa.Integer(), nullable=False),
        sa.Column('channel_enabled', sa.Boolean(), nullable=False),
        sa.CheckConstraint('hour >= 8 AND hour <= 17', name=op.f('ck_reminder_settings_hour_in_the_day')),
        sa.CheckConstraint('near_days >= 1 AND soon_days > near_days',
                           name=op.f('ck_reminder_settings_windows_ordered')),
        sa.CheckConstraint('escalate_days >= 1 AND channel_days >= 1',
                           name=op.f('ck_reminder_settings_thresholds_positive')),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_reminder_settings_plan_id_plans')),
        sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_reminder_settings')),
    )
    op.create_table(
        'reminder_people',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=True),
        sa.Column('timezone_checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('dm_channel_id', sa.String(length=32), nullable=True),
        sa.Column('muted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reminder_people')),
    )
    op.create_table(
        'reminder_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('claimed_by', sa.String(length=128), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('channel_id', sa.String(length=32), nullable=True),
        sa.Column('message_ts', sa.String(length=32), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('items', sa.Text(), nullable=False),
        sa.CheckConstraint("state IN ('claimed', 'failed', 'sent')", name=op.f('ck_reminder_deliveries_state_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_deliveries')),
        sa.UniqueConstraint('recipient', 'day', name=op.f('uq_reminder_deliveries_recipient')),
    )
    op.create_table(
        'reminder_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('milestone', sa.String(length=48), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_reminder_marks_action_id_actions')),
        sa.ForeignKeyConstraint(['delivery_id'], ['reminder_deliveries.id'],
                                name=op.f('fk_reminder_marks_delivery_id_reminder_deliveries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_marks')),
        sa.UniqueConstraint('action_id', 'recipient', 'due', 'milestone', name=op.f('uq_reminder_marks_action_id')),
    )
    op.create_index('ix_reminder_marks_recipient', 'reminder_marks', ['recipient'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reminder_marks_recipient', table_name='reminder_marks')
    op.drop_table('reminder_marks')
    op.drop_table('reminder_deliveries')
    op.drop_table('reminder_people')
    op.drop_table('reminder_settings')
