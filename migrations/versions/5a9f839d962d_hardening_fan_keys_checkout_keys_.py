"""hardening: fan keys, checkout keys, session versions, link reissues, payment problems

Columns are only added (never a table rebuild: on SQLite with foreign keys on, rebuilding
shop_order would cascade to its lines). Existing orders get their fan key computed here
with the same folding as `storefront.orders.fans.fan_key`.

Revision ID: 5a9f839d962d
Revises: 5735896bb3b6
Create Date: 2026-12-02 06:21:44.448036

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a9f839d962d'
down_revision = '5735896bb3b6'
branch_labels = None
depends_on = None


def _fold(email):
    local, _, domain = ''.join(email.split()).lower().rpartition('@')
    return f"{local.split('+', 1)[0] or local}@{domain}" if local else domain


def upgrade():
    op.create_table('payment_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('payment_id', sa.String(length=255), nullable=True),
    sa.Column('refund_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['shop_order.id'], name=op.f('fk_payment_problem_order_id_shop_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_problem'))
    )
    op.create_index(op.f('ix_payment_problem_order_id'), 'payment_problem', ['order_id'], unique=False)
    op.add_column('download_grant', sa.Column('reissues', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('shop_order', sa.Column('fan_key', sa.String(length=254), server_default=sa.text("''"), nullable=False))
    op.add_column('shop_order', sa.Column('checkout_key', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_shop_order_fan_key'), 'shop_order', ['fan_key'], unique=False)
    op.create_index(op.f('ix_shop_order_checkout_key'), 'shop_order', ['checkout_key'], unique=True)
    op.add_column('user_account', sa.Column('session_version', sa.Integer(), server_default=sa.text('1'), nullable=False))

    orders = sa.table('shop_order', sa.column('id', sa.Integer), sa.column('email', sa.String), sa.column('fan_key', sa.String))
    bind = op.get_bind()
    for order_id, email in bind.execute(sa.select(orders.c.id, orders.c.email)).all():
        bind.execute(orders.update().where(orders.c.id == order_id).values(fan_key=_fold(email)))


def downgrade():
    # SQLite (3.35+) drops a column in place; batch mode would rebuild the tables.
    op.drop_column('user_account', 'session_version')
    op.drop_index(op.f('ix_shop_order_checkout_key'), table_name='shop_order')
    op.drop_index(op.f('ix_shop_order_fan_key'), table_name='shop_order')
    op.drop_column('shop_order', 'checkout_key')
    op.drop_column('shop_order', 'fan_key')
    op.drop_column('download_grant', 'reissues')
    op.drop_index(op.f('ix_payment_problem_order_id'), table_name='payment_problem')
    op.drop_table('payment_problem')
