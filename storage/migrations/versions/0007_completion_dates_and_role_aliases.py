"""A complete action's completion date may be unknown, and a role keeps the names it had.

An action imported as complete without a completion date was given the import day; from now
on its `completed_at` is left empty ("date not recorded"), so the CHECK only requires that an
open action has none. `role_aliases` keeps the old name of a renamed or merged role, so that
the next import of the same spreadsheet finds the role under it.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_actions_completed_at_matches'


def upgrade() -> None:
    # On SQLite batch mode rebuilds `actions` (storage/migrations/env.py turns foreign keys off).
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), "status = 'complete' OR completed_at IS NULL")
    op.create_table(
        'role_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_role_aliases_role_id_roles')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_aliases')),
        sa.UniqueConstraint('name_key', name=op.f('uq_role_aliases_name_key')),
    )


def downgrade() -> None:
    op.drop_table('role_aliases')
    # The old schema needs a date on every complete action: give an unknown one the day its plan
    # was set up, as imports used to.
    op.execute("UPDATE actions SET completed_at = (SELECT created_at FROM plans WHERE plans.id = actions.plan_id) "
               "WHERE status = 'complete' AND completed_at IS NULL")
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), "(status = 'complete') = (completed_at IS NOT NULL)")
