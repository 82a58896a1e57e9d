"""network: member agencies, events, how to join, and revisions of network content

Organisations get the date they joined the network; events and the network settings get tables;
`content_revision` keeps every change to network content (events, harm-reduction resources).

Revision ID: 4e7a1c2b9d01
Revises: d6a35bc45fb1
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4e7a1c2b9d01'
down_revision = 'd6a35bc45fb1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_content_revision_author_id_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_content_revision_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_content_revision_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_revision')),
    sa.UniqueConstraint('kind', 'item_id', 'number', name='content_kind_item_number')
    )
    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.create_index('ix_content_revision_kind_item', ['kind', 'item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_revision_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_content_revision_status_created', ['status', 'created_at'], unique=False)

    op.create_table('network_event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('is_online', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('registration_url', sa.String(length=500), nullable=False),
    sa.Column('source_note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_network_event_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_event'))
    )
    with op.batch_alter_table('network_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_event_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_network_event_status_starts', ['status', 'starts_at'], unique=False)

    op.create_table('network_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('join_email', sa.String(length=254), nullable=False),
    sa.Column('join_details', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_network_settings_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_settings'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_member_since', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('network_member_since')

    op.drop_table('network_settings')
    with op.batch_alter_table('network_event', schema=None) as batch_op:
        batch_op.drop_index('ix_network_event_status_starts')
        batch_op.drop_index(batch_op.f('ix_network_event_organisation_id'))

    op.drop_table('network_event')
    with op.batch_alter_table('content_revision', schema=None) as batch_op:
        batch_op.drop_index('ix_content_revision_status_created')
        batch_op.drop_index(batch_op.f('ix_content_revision_organisation_id'))
        batch_op.drop_index('ix_content_revision_kind_item')

    op.drop_table('content_revision')
