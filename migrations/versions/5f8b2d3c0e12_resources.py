"""harm-reduction resources

Materials rather than services (cards, packs, booklets, websites), with the listed services that
hand them out and the care pathway stages they belong to. Their revisions are `content_revision`
rows of kind "resource" (migration 4e7a1c2b9d01).

Revision ID: 5f8b2d3c0e12
Revises: 4e7a1c2b9d01
Create Date: 2026-12-03 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f8b2d3c0e12'
down_revision = '4e7a1c2b9d01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resource',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('how_to_get', sa.Text(), nullable=False),
    sa.Column('order_url', sa.String(length=300), nullable=False),
    sa.Column('producer_id', sa.String(length=36), nullable=True),
    sa.Column('producer_name', sa.String(length=200), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('source_date', sa.String(length=10), nullable=False),
    sa.Column('source_notes', sa.Text(), nullable=False),
    sa.Column('confidence', sa.String(length=10), nullable=False),
    sa.Column('last_checked', sa.Date(), nullable=True),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("confidence IN ('high', 'medium', 'low')", name=op.f('ck_resource_confidence_known')),
    sa.CheckConstraint("format IN ('card', 'pack', 'booklet', 'online', 'other')", name=op.f('ck_resource_format_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_resource_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['producer_id'], ['organisation.id'], name=op.f('fk_resource_producer_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index('ix_resource_status_name', ['status', 'name'], unique=False)

    op.create_table('resource_pathway_stage',
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('stage_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_pathway_stage_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['pathway_stage.id'], name=op.f('fk_resource_pathway_stage_stage_id_pathway_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'stage_id', name=op.f('pk_resource_pathway_stage'))
    )
    with op.batch_alter_table('resource_pathway_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_pathway_stage_stage_id'), ['stage_id'], unique=False)

    op.create_table('resource_service',
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_service_resource_id_resource'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_resource_service_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'service_id', name=op.f('pk_resource_service'))
    )
    with op.batch_alter_table('resource_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_service_service_id'), ['service_id'], unique=False)


def downgrade():
    with op.batch_alter_table('resource_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_service_service_id'))
    op.drop_table('resource_service')
    with op.batch_alter_table('resource_pathway_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_pathway_stage_stage_id'))
    op.drop_table('resource_pathway_stage')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_status_name')
        batch_op.drop_index(batch_op.f('ix_resource_producer_id'))
        batch_op.drop_index(batch_op.f('ix_resource_organisation_id'))
    op.drop_table('resource')
