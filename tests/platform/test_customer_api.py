"""The customer API refuses callers without the service token and explains bad requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm.models import Account, Customer, Product
from tests.platform.conftest import SERVICE_AUTH


def _customer_with_account(db) -> Customer:
    db.add(Product(code="CUR", name="Current account", category="current"))
    customer = Customer(
        customer_no="C000001",
        full_name="Li Wei",
        phone="13800138000",
        id_number="11010519491231002X",
        birth_date=dt.date(1980, 5, 1),
        city="Beijing",
        joined_on=dt.date(2015, 3, 1),
    )
    db.add(customer)
    db.flush()
    db.add(
        Account(
            customer_id=customer.id,
            product_code="CUR",
            kind="current",
            number="6222020000001234",
            balance=Decimal("1520.55"),
            opened_on=dt.date(2015, 3, 1),
        )
    )
    db.commit()
    return customer


def test_accounts_need_the_service_token(client, db) -> None:
    customer = _customer_with_account(db)
    response = client.get(f"/api/v1/customers/{customer.id}/accounts")
    assert response.status_code == 401
    assert "service token" in response.json()["detail"]
    wrong = client.get(
        f"/api/v1/customers/{customer.id}/accounts", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401


def test_accounts_show_balance_and_only_the_last_four_digits(client, db) -> None:
    customer = _customer_with_account(db)
    response = client.get(f"/api/v1/customers/{customer.id}/accounts", headers=SERVICE_AUTH)
    assert response.status_code == 200
    (account,) = response.json()
    assert account["number_last4"] == "1234"
    assert Decimal(account["balance"]) == Decimal("1520.55")
    assert "6222020000001234" not in response.text


def test_unknown_customer_is_a_clear_404(client) -> None:
    response = client.get("/api/v1/customers/999999", headers=SERVICE_AUTH)
    assert response.status_code == 404
    assert response.json()["detail"] == "No customer with id 999999."


def test_malformed_customer_id_is_422_not_500(client) -> None:
    response = client.get("/api/v1/customers/not-a-number/accounts", headers=SERVICE_AUTH)
    assert response.status_code == 422


def test_health_reports_the_database(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
