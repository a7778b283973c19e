"""order history, carrier and tracking number

A table is created and two columns are added, never a table rebuild (no batch mode): on
SQLite with foreign keys on, rebuilding shop_order would cascade to its lines. Orders
placed before this revision have a history starting here.

Revision ID: 1d50a0c1d83f
Revises: 5a9f839d962d
Create Date: 2026-12-02 07:09:21.734034

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1d50a0c1d83f'
down_revision = '5a9f839d962d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status_before', sa.String(length=16), nullable=True),
    sa.Column('status_after', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_order_event_order_id_shop_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_event'))
    )
    op.create_index(op.f('ix_order_event_order_id'), 'order_event', ['order_id'], unique=False)
    op.add_column('shop_order', sa.Column('carrier', sa.String(length=20), nullable=True))
    op.add_column('shop_order', sa.Column('tracking_number', sa.String(length=40), nullable=True))


def downgrade():
    # SQLite (3.35+) drops a column in place; batch mode would rebuild the table.
    op.drop_column('shop_order', 'tracking_number')
    op.drop_column('shop_order', 'carrier')
    op.drop_index(op.f('ix_order_event_order_id'), table_name='order_event')
    op.drop_table('order_event')
