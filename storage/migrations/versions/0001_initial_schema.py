"""Initial schema, with the audit trail made append-only by the database itself.

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('schedule', sa.String(length=500), nullable=False),
    sa.Column('schedule_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("key <> ''", name=op.f('ck_plans_key_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('key', name=op.f('uq_plans_key'))
    )
    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('name_key', name=op.f('uq_roles_name_key'))
    )
    op.create_table('plan_admins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_admins_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_admins')),
    sa.UniqueConstraint('plan_id', 'user_id', name=op.f('uq_plan_admins_plan_id'))
    )
    op.create_table('recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_recommendations_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_recommendations_plan_id'))
    )
    op.create_table('role_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_role_members_role_id_roles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_members')),
    sa.UniqueConstraint('role_id', 'team_id', 'user_id', name=op.f('uq_role_members_role_id'))
    )
    with op.batch_alter_table('role_members', schema=None) as batch_op:
        batch_op.create_index('ix_role_members_user', ['user_id'], unique=False)

    op.create_table('summary_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=128), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('claimed', 'posted')", name=op.f('ck_summary_posts_state_known')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_summary_posts_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_posts')),
    sa.UniqueConstraint('plan_id', 'period', name=op.f('uq_summary_posts_plan_id'))
    )
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('original_due', sa.Date(), nullable=False),
    sa.Column('revised_due', sa.Date(), nullable=True),
    sa.Column('revision_reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'complete') = (completed_at IS NOT NULL)", name=op.f('ck_actions_completed_at_matches')),
    sa.CheckConstraint("description <> ''", name=op.f('ck_actions_description_not_empty')),
    sa.CheckConstraint("revised_due IS NULL OR (revision_reason IS NOT NULL AND revision_reason <> '')", name=op.f('ck_actions_revision_has_reason')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'complete')", name=op.f('ck_actions_status_known')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_actions_plan_id_plans')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_actions_recommendation_id_recommendations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions')),
    sa.UniqueConstraint('plan_id', 'ref', name=op.f('uq_actions_plan_id'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index('ix_actions_plan_status', ['plan_id', 'status'], unique=False)

    op.create_table('action_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_events_action_id_actions')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_action_events_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_events'))
    )
    with op.batch_alter_table('action_events', schema=None) as batch_op:
        batch_op.create_index('ix_action_events_action', ['action_id', 'id'], unique=False)
        batch_op.create_index('ix_action_events_plan_at', ['plan_id', 'at'], unique=False)

    op.create_table('action_owners',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_owners_action_id_actions')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_action_owners_role_id_roles')),
    sa.PrimaryKeyConstraint('action_id', 'role_id', name=op.f('pk_action_owners'))
    )
    with op.batch_alter_table('action_owners', schema=None) as batch_op:
        batch_op.create_index('ix_action_owners_role', ['role_id'], unique=False)


    _make_audit_trail_append_only()


APPEND_ONLY_MESSAGE = "action_events is append-only"


def _make_audit_trail_append_only() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION action_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER action_events_append_only BEFORE UPDATE OR DELETE ON action_events "
            "FOR EACH ROW EXECUTE FUNCTION action_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER action_events_no_{verb.lower()} BEFORE {verb} ON action_events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER action_events_append_only ON action_events")
        op.execute("DROP FUNCTION action_events_append_only()")
    with op.batch_alter_table('action_owners', schema=None) as batch_op:
        batch_op.drop_index('ix_action_owners_role')

    op.drop_table('action_owners')
    with op.batch_alter_table('action_events', schema=None) as batch_op:
        batch_op.drop_index('ix_action_events_plan_at')
        batch_op.drop_index('ix_action_events_action')

    op.drop_table('action_events')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_plan_status')

    op.drop_table('actions')
    op.drop_table('summary_posts')
    with op.batch_alter_table('role_members', schema=None) as batch_op:
        batch_op.drop_index('ix_role_members_user')

    op.drop_table('role_members')
    op.drop_table('recommendations')
    op.drop_table('plan_admins')
    op.drop_table('roles')
    op.drop_table('plans')
