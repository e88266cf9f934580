"""Many workspaces: each plan's workspace, and the tables of slack_sdk's SQLAlchemy
installation and OAuth state stores (created here, never by the stores at run time).

`plans.workspace` is the Slack workspace, or Enterprise Grid organisation, whose people see the
plan: '' for the plans of a single-token install, which is every plan made before this revision.
Roles (and the old names that find them) become each workspace's own: a role's name is unique
within its workspace, so that renaming one workspace's "Head of Protection" leaves another's be.
The stores' tables are as slack_sdk 3.48 builds them (`SQLAlchemyInstallationStore`,
`SQLAlchemyOAuthStateStore`), except that token columns are TEXT: planbot keeps tokens
encrypted (bot/slack/installs.py), and an encrypted token is longer than slack_sdk's 200.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plans') as batch:
        batch.add_column(sa.Column('workspace', sa.String(length=32), nullable=False, server_default=''))
    op.create_index('ix_plans_workspace', 'plans', ['workspace'], unique=False)
    # On SQLite batch mode rebuilds these tables (storage/migrations/env.py turns foreign keys off).
    for name in ('roles', 'role_aliases'):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column('workspace', sa.String(length=32), nullable=False, server_default=''))
            batch.drop_constraint(op.f(f'uq_{name}_name_key'), type_='unique')
            batch.create_unique_constraint(op.f(f'uq_{name}_workspace'), ['workspace', 'name_key'])
    op.create_table(
        'slack_installations',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('client_id', sa.String(length=32), nullable=False),
        sa.Column('app_id', sa.String(length=32), nullable=False),
        sa.Column('enterprise_id', sa.String(length=32)),
        sa.Column('enterprise_name', sa.String(length=200)),
        sa.Column('enterprise_url', sa.String(length=200)),
        sa.Column('team_id', sa.String(length=32)),
        sa.Column('team_name', sa.String(length=200)),
        sa.Column('bot_token', sa.Text()),
        sa.Column('bot_id', sa.String(length=32)),
        sa.Column('bot_user_id', sa.String(length=32)),
        sa.Column('bot_scopes', sa.String(length=1000)),
        sa.Column('bot_refresh_token', sa.Text()),
        sa.Column('bot_token_expires_at', sa.DateTime()),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('user_token', sa.Text()),
        sa.Column('user_scopes', sa.String(length=1000)),
        sa.Column('user_refresh_token', sa.Text()),
        sa.Column('user_token_expires_at', sa.DateTime()),
        sa.Column('incoming_webhook_url', sa.Text()),
        sa.Column('incoming_webhook_channel', sa.String(length=200)),
        sa.Column('incoming_webhook_channel_id', sa.String(length=200)),
        sa.Column('incoming_webhook_configuration_url', sa.String(length=200)),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('token_type', sa.String(length=32)),
        sa.Column('installed_at', sa.DateTime(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index('slack_installations_idx', 'slack_installations',
                    ['client_id', 'enterprise_id', 'team_id', 'user_id', 'installed_at'])
    op.create_table(
        'slack_bots',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('client_id', sa.String(length=32), nullable=False),
        sa.Column('app_id', sa.String(length=32), nullable=False),
        sa.Column('enterprise_id', sa.String(length=32)),
        sa.Column('enterprise_name', sa.String(length=200)),
        sa.Column('team_id', sa.String(length=32)),
        sa.Column('team_name', sa.String(length=200)),
        sa.Column('bot_token', sa.Text()),
        sa.Column('bot_id', sa.String(length=32)),
        sa.Column('bot_user_id', sa.String(length=32)),
        sa.Column('bot_scopes', sa.String(length=1000)),
        sa.Column('bot_refresh_token', sa.Text()),
        sa.Column('bot_token_expires_at', sa.DateTime()),
        sa.Column('is_enterprise_install', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('installed_at', sa.DateTime(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index('slack_bots_idx', 'slack_bots', ['client_id', 'enterprise_id', 'team_id', 'installed_at'])
    op.create_table(
        'slack_oauth_states',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('state', sa.String(length=200), nullable=False),
        sa.Column('expire_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('slack_oauth_states')
    op.drop_index('slack_bots_idx', table_name='slack_bots')
    op.drop_table('slack_bots')
    op.drop_index('slack_installations_idx', table_name='slack_installations')
    op.drop_table('slack_installations')
    for name in ('roles', 'role_aliases'):
        with op.batch_alter_table(name) as batch:
            batch.drop_constraint(op.f(f'uq_{name}_workspace'), type_='unique')
            batch.create_unique_constraint(op.f(f'uq_{name}_name_key'), ['name_key'])
            batch.drop_column('workspace')
    op.drop_index('ix_plans_workspace', table_name='plans')
    with op.batch_alter_table('plans') as batch:
        batch.drop_column('workspace')
