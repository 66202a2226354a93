"""The single customer record and the analytical CRM (platform runtime).

Customers with their channel identities, accounts, cards and transactions; complaints and
churn signals; segments, the deposit event and churn risk (`analytics`); next-best offers
and the closed loop (`offers`, `closed_loop`); the service functions every caller uses
(`service`) and the customer API over them (`api`, served under `/api/v1`). The bottom
layer of the platform: it imports `core` and nothing else of the project.
"""
