"""crm analytics: features, account months, churn signals, models

Revision ID: e4a1c3f00004
Revises: d3c8f2a00003
Create Date: 2026-11-22 15:45:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4a1c3f00004"
down_revision: str | None = "d3c8f2a00003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Derived analytics tables, and the columns the offer engine and event scan need."""
    op.create_table('model_artifacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('trained_at', sa.DateTime(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('model_artifacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_artifacts_name'), ['name'], unique=False)

    op.create_table('churn_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('signal', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('churn_signals', schema=None) as batch_op:
        batch_op.create_index('ix_churn_signals_customer_time', ['customer_id', 'created_at'], unique=False)

    op.create_table('customer_features',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.DateTime(), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('tenure_years', sa.Integer(), nullable=False),
    sa.Column('monthly_income', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('monthly_card_spend', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fees_90d', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('fee_count_90d', sa.Integer(), nullable=False),
    sa.Column('fees_12m', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('salary_months_6m', sa.Integer(), nullable=False),
    sa.Column('salary_months_prev_6m', sa.Integer(), nullable=False),
    sa.Column('avg_balance_3m', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('avg_balance_prev_3m', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('deposit_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('wealth_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('risky_wealth_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('loan_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('card_debt', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('holdings', sa.JSON(), nullable=False),
    sa.Column('products', sa.JSON(), nullable=False),
    sa.Column('max_days_past_due', sa.Integer(), nullable=False),
    sa.Column('digital_interactions_12m', sa.Integer(), nullable=False),
    sa.Column('assisted_interactions_12m', sa.Integer(), nullable=False),
    sa.Column('branch_visits_12m', sa.Integer(), nullable=False),
    sa.Column('complaints_180d', sa.Integer(), nullable=False),
    sa.Column('fee_complaints_180d', sa.Integer(), nullable=False),
    sa.Column('wish_to_close_90d', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('customer_id')
    )
    op.create_table('account_months',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('avg_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('end_balance', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('account_id', 'month')
    )
    with op.batch_alter_table('account_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_months_customer_id'), ['customer_id'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_limit', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('days_past_due', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('offer_presentations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('propensity', sa.Float(), nullable=True))

    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=24), nullable=False, server_default='account'))
        batch_op.add_column(sa.Column('base_rate', sa.Float(), nullable=False, server_default='0.05'))
        batch_op.add_column(sa.Column('contexts', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.alter_column('margin',
               existing_type=sa.FLOAT(),
               type_=sa.Numeric(precision=14, scale=2),
               existing_nullable=False)

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_category', sa.String(length=24), nullable=False, server_default='wealth'))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_opportunity_source', ['kind', 'transaction_id'])

    with op.batch_alter_table('segment_assignments', schema=None) as batch_op:
        batch_op.alter_column('risk_appetite',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=24),
               existing_nullable=False)

    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_after', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.create_index('ix_transactions_kind_time', ['kind', 'posted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_transactions_kind_time')
        batch_op.drop_column('balance_after')

    with op.batch_alter_table('segment_assignments', schema=None) as batch_op:
        batch_op.alter_column('risk_appetite',
               existing_type=sa.String(length=24),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_constraint('uq_opportunity_source', type_='unique')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('offer_category')

    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.alter_column('margin',
               existing_type=sa.Numeric(precision=14, scale=2),
               type_=sa.FLOAT(),
               existing_nullable=False)
        batch_op.drop_column('contexts')
        batch_op.drop_column('base_rate')
        batch_op.drop_column('category')

    with op.batch_alter_table('offer_presentations', schema=None) as batch_op:
        batch_op.drop_column('propensity')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('days_past_due')
        batch_op.drop_column('credit_limit')

    with op.batch_alter_table('account_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_months_customer_id'))

    op.drop_table('account_months')
    op.drop_table('customer_features')
    with op.batch_alter_table('churn_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_churn_signals_customer_time')

    op.drop_table('churn_signals')
    with op.batch_alter_table('model_artifacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_artifacts_name'))

    op.drop_table('model_artifacts')
