"""share numbers

Every service gets a small permanent number, so a shared signposting list's link can be short
(`/l/<code>`); the list itself is still never stored. Existing services are numbered oldest first.

Revision ID: d6a35bc45fb1
Revises: c34a87a1648b
Create Date: 2026-12-03 07:20:31.243633

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6a35bc45fb1'
down_revision = 'c34a87a1648b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('share_number',
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_share_number_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_share_number')),
    sa.UniqueConstraint('service_id', name=op.f('uq_share_number_service_id')),
    sqlite_autoincrement=True
    )
    # Backfill: numbers come from the table's own sequence, in creation order.
    op.execute(
        "INSERT INTO share_number (service_id) SELECT id FROM service ORDER BY created_at, id"
    )


def downgrade():
    op.drop_table('share_number')
