"""applications through the public form: a reference for the applicant's own page, one application per form

Revision ID: e5a1f0c3d2b4
Revises: d41c0a7e5b21
Create Date: 2026-12-02 07:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a1f0c3d2b4'
down_revision = 'd41c0a7e5b21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliberation_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('intake_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint('uq_deliberation_applications_reference_hash', ['reference_hash'])
        batch_op.create_unique_constraint('uq_deliberation_applications_intake_hash', ['intake_hash'])


def downgrade() -> None:
    with op.batch_alter_table('deliberation_applications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_deliberation_applications_intake_hash', type_='unique')
        batch_op.drop_constraint('uq_deliberation_applications_reference_hash', type_='unique')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('intake_hash')
        batch_op.drop_column('reference_hash')
