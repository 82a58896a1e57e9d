"""service listed index

Every results page and API page re-checks its services against the database (published and active
now, not only when the index last looked): an index holding just those columns answers that from a
few small pages instead of reading each service's row.

Revision ID: a7c3e9d41b20
Revises: 820207f5b3fa
Create Date: 2026-12-04 18:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9d41b20'
down_revision = '820207f5b3fa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index('ix_service_listed', ['id', 'is_published', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index('ix_service_listed')
