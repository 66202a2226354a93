"""A deterministic synthetic bank: customers, holdings, two years of transactions, contacts,
complaints and a history of offers with their outcomes.

Run `python -m crm.synthetic --customers 500 [--seed 42]`; see `crm.synthetic.__main__`.
"""
