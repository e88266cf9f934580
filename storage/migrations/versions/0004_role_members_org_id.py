"""Role mappings record the mapped person's organisation (Grid enterprise, else their own team).

The column `role_members.team_id` becomes `org_id`, keeping every row: a mapping made before
held the admin's workspace id, and it keeps matching the person acting from that workspace
(`bot.plan.identity.Actor.org_keys`); mappings made from now on hold the mapped person's
organisation and match from any workspace of it.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

UNIQUE = 'uq_role_members_role_id'


def upgrade() -> None:
    with op.batch_alter_table('role_members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(UNIQUE), type_='unique')
        batch_op.alter_column('team_id', new_column_name='org_id')
        batch_op.create_unique_constraint(op.f(UNIQUE), ['role_id', 'org_id', 'user_id'])


def downgrade() -> None:
    with op.batch_alter_table('role_members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(UNIQUE), type_='unique')
        batch_op.alter_column('org_id', new_column_name='team_id')
        batch_op.create_unique_constraint(op.f(UNIQUE), ['role_id', 'team_id', 'user_id'])
