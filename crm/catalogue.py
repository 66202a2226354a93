"""The bank's product and offer catalogue, and how to load it (idempotently).

Offer rules are data, read by `crm.offers.eligibility`:
  contexts          where the offer may be shown: chat, agent, retention, event
  segments          only these segments (absent: any)
  risk_appetites    only these risk appetites (absent: any)
  min_age/max_age   customer age bounds
  require_holdings  account kinds the customer must hold
  exclude_holdings  account kinds the customer must not hold
  exclude_products  product codes the customer must not hold
  credit            true: new credit, never for a customer likely to default
  min_monthly_income, min_balance, min_fees_12m, min_tenure_years   thresholds
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crm.models import Offer, Product

# code, name, account kind, risk level (1 safest .. 5 riskiest); names in the customers'
# other languages are in PRODUCT_NAMES (the English name is the record's own).
PRODUCTS: list[tuple[str, str, str, int]] = [
    ("CUR", "Everyday current account", "current", 1),
    ("SAV", "Online savings account", "savings", 1),
    ("TD12", "12-month time deposit", "time_deposit", 1),
    ("CC_STD", "Classic rewards credit card", "credit_card", 2),
    ("CC_PLAT", "Platinum credit card", "credit_card", 2),
    ("LOAN_PERS", "Personal loan", "loan", 2),
    ("MORTGAGE", "Home mortgage", "mortgage", 2),
    ("WM_MMF", "Money-market fund", "wealth", 1),
    ("WM_BAL", "Balanced fund", "wealth", 3),
    ("WM_EQ", "Equity growth fund", "wealth", 5),
    ("INS_LIFE", "Term life insurance", "insurance", 1),
    ("INS_HEALTH", "Critical illness cover", "insurance", 1),
    ("FEE_FREE", "Fee-free account package", "service", 1),
]

PRODUCT_NAMES: dict[str, dict[str, str]] = {
    "CUR": {"zh": "日常活期账户"},
    "SAV": {"zh": "网上储蓄账户"},
    "TD12": {"zh": "12个月定期存款"},
    "CC_STD": {"zh": "经典积分信用卡"},
    "CC_PLAT": {"zh": "白金信用卡"},
    "LOAN_PERS": {"zh": "个人消费贷款"},
    "MORTGAGE": {"zh": "个人住房贷款"},
    "WM_MMF": {"zh": "货币市场基金"},
    "WM_BAL": {"zh": "平衡型基金"},
    "WM_EQ": {"zh": "股票成长型基金"},
    "INS_LIFE": {"zh": "定期寿险"},
    "INS_HEALTH": {"zh": "重大疾病保险"},
    "FEE_FREE": {"zh": "免费账户套餐"},
}
PRODUCT_KIND = {code: kind for code, _, kind, _ in PRODUCTS}
PRODUCT_RISK = {code: risk for code, _, _, risk in PRODUCTS}

CROSS = ["chat", "agent"]
OFFERS: list[dict[str, Any]] = [
    dict(
        code="CC_REWARDS",
        product_code="CC_STD",
        title="Classic rewards credit card",
        names={"zh": "经典积分信用卡"},
        purpose="cross_sell",
        category="credit_card",
        margin="600",
        base_rate=0.06,
        contexts=CROSS,
        rules={
            "min_age": 18,
            "max_age": 70,
            "credit": True,
            "exclude_holdings": ["credit_card"],
            "min_monthly_income": 3000,
        },
    ),
    dict(
        code="CC_PLATINUM",
        product_code="CC_PLAT",
        title="Platinum credit card with lounge access",
        names={"zh": "白金信用卡（含机场贵宾厅权益）"},
        purpose="cross_sell",
        category="credit_card",
        margin="1500",
        base_rate=0.04,
        contexts=CROSS,
        rules={
            "min_age": 21,
            "credit": True,
            "exclude_products": ["CC_PLAT"],
            "segments": ["high_loyalty_high_potential", "high_potential_low_contribution"],
            "min_monthly_income": 15000,
        },
    ),
    dict(
        code="CL_INCREASE",
        product_code="CC_STD",
        title="Credit limit increase",
        names={"zh": "信用卡提额"},
        purpose="cross_sell",
        category="credit_card",
        margin="300",
        base_rate=0.10,
        contexts=CROSS,
        rules={"credit": True, "require_holdings": ["credit_card"], "min_monthly_income": 5000},
    ),
    dict(
        code="LOAN_PERSONAL",
        product_code="LOAN_PERS",
        title="Personal loan at a preferential rate",
        names={"zh": "优惠利率个人消费贷款"},
        purpose="cross_sell",
        category="loan",
        margin="1200",
        base_rate=0.03,
        contexts=CROSS,
        rules={
            "min_age": 22,
            "max_age": 60,
            "credit": True,
            "exclude_holdings": ["loan"],
            "min_monthly_income": 6000,
        },
    ),
    dict(
        code="TD_12M",
        product_code="TD12",
        title="12-month time deposit",
        names={"zh": "12个月定期存款"},
        purpose="cross_sell",
        category="deposit",
        margin="300",
        base_rate=0.07,
        contexts=[*CROSS, "event", "retention"],
        rules={"risk_appetites": ["conservative_saver", "balanced"], "min_balance": 20000},
    ),
    dict(
        code="SAV_BONUS",
        product_code="SAV",
        title="Bonus-rate online savings",
        names={"zh": "加息网上储蓄"},
        purpose="cross_sell",
        category="deposit",
        margin="150",
        base_rate=0.09,
        contexts=CROSS,
        rules={"exclude_holdings": ["savings"], "min_balance": 2000},
    ),
    dict(
        code="WM_MMF",
        product_code="WM_MMF",
        title="Money-market fund, redeem any working day",
        names={"zh": "货币市场基金，任一工作日可赎回"},
        purpose="event",
        category="wealth",
        margin="400",
        base_rate=0.06,
        contexts=[*CROSS, "event"],
        rules={"min_age": 18, "min_balance": 10000, "exclude_products": ["WM_MMF"]},
    ),
    dict(
        code="WM_BALANCED",
        product_code="WM_BAL",
        title="Balanced fund portfolio",
        names={"zh": "平衡型基金组合"},
        purpose="cross_sell",
        category="wealth",
        margin="900",
        base_rate=0.04,
        contexts=[*CROSS, "event"],
        rules={
            "min_age": 18,
            "max_age": 75,
            "min_balance": 20000,
            "risk_appetites": ["balanced", "aggressive"],
        },
    ),
    dict(
        code="WM_EQUITY",
        product_code="WM_EQ",
        title="Equity growth fund",
        names={"zh": "股票成长型基金"},
        purpose="cross_sell",
        category="wealth",
        margin="1400",
        base_rate=0.03,
        contexts=[*CROSS, "event"],
        rules={
            "min_age": 18,
            "max_age": 65,
            "min_balance": 20000,
            "risk_appetites": ["aggressive"],
        },
    ),
    dict(
        code="INS_LIFE",
        product_code="INS_LIFE",
        title="Term life cover",
        names={"zh": "定期寿险保障"},
        purpose="cross_sell",
        category="insurance",
        margin="700",
        base_rate=0.03,
        contexts=CROSS,
        rules={
            "min_age": 25,
            "max_age": 55,
            "exclude_products": ["INS_LIFE"],
            "min_monthly_income": 4000,
        },
    ),
    dict(
        code="INS_HEALTH",
        product_code="INS_HEALTH",
        title="Critical illness cover",
        names={"zh": "重大疾病保险"},
        purpose="cross_sell",
        category="insurance",
        margin="500",
        base_rate=0.03,
        contexts=CROSS,
        rules={"min_age": 30, "max_age": 60, "exclude_products": ["INS_HEALTH"]},
    ),
    dict(
        code="RET_FEE_WAIVER",
        product_code="FEE_FREE",
        title="12 months without account fees",
        names={"zh": "12个月免账户管理费"},
        purpose="retention",
        category="account",
        margin="350",
        base_rate=0.25,
        contexts=["retention", "agent"],
        rules={"min_fees_12m": 1},
    ),
    dict(
        code="RET_LOYALTY_RATE",
        product_code="SAV",
        title="Loyalty bonus rate on savings",
        names={"zh": "储蓄忠诚客户加息"},
        purpose="retention",
        category="deposit",
        margin="250",
        base_rate=0.20,
        contexts=["retention", "agent"],
        rules={"min_tenure_years": 2},
    ),
]

OFFER_CODES = [o["code"] for o in OFFERS]


def seed_catalogue(session: Session) -> None:
    """Insert or update every product and offer (safe to run on every start)."""
    for code, name, kind, risk in PRODUCTS:
        names = PRODUCT_NAMES.get(code, {})
        product = Product(code=code, name=name, names=names, category=kind, risk_level=risk)
        session.merge(product)
    session.flush()
    for spec in OFFERS:
        session.merge(Offer(**{**spec, "margin": Decimal(spec["margin"]), "active": True}))
    session.flush()
