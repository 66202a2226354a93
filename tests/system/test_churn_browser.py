"""The churn view in headless Chromium against the running product: a marketer sees the churn
figures the API computes from the bank's data drawn as charts, the customers whose risk rose
this month (phones masked), and turns two of them into a proactive-care campaign."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.system.console_support import SLOW, stored


def test_a_marketer_turns_rising_churn_risk_into_a_care_campaign(product, pages) -> None:
    base = product["PUBLIC_URL"]
    page = pages.new()
    page.goto(f"{base}/console/login")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill(product["DEMO_AGENT_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Churn").click()
    expect(page.locator("body[data-loaded=yes]")).to_be_attached(timeout=SLOW)

    figures = page.request.get(f"{base}/console/api/churn").json()
    assert figures["customers"] > 0 and len(figures["rising"]) >= 2
    for level in ("high", "medium", "low"):
        expect(page.locator(f"#m-{level}")).to_have_text(str(figures["levels"][level]))
    expect(page.locator("#m-rising")).to_have_text(str(figures["rising_total"]))
    for row in figures["by_segment"]:
        bar = page.locator(f'#chart-segment rect[data-key="{row["key"]}"][data-level=high]')
        if row["high"]:
            expect(bar).to_have_attribute("data-value", str(row["high"]))
    for row in figures["by_region"]:
        label = page.locator(f'#chart-region text.value[data-key="{row["key"]}"]')
        expect(label).to_have_text(re.compile(rf" of {row['total']}$"))
    top = figures["factors"][0]
    expect(page.locator("#factor-table tbody tr").first).to_have_attribute("data-code", top["code"])

    rows = page.locator("#rising-table tbody tr[data-customer]")
    expect(rows).to_have_count(len(figures["rising"]))
    first, second = figures["rising"][:2]
    expect(rows.first).to_contain_text(first["full_name"])
    [(phone,)] = stored(product, "SELECT phone FROM customers WHERE id = ?", first["customer_id"])
    assert phone not in rows.first.inner_text() and phone[-4:] in first["phone"]

    create = page.get_by_role("button", name="Create proactive-care campaign")
    expect(create).to_be_disabled()
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(1).get_by_role("checkbox").check()
    create.click()
    expect(page).to_have_url(re.compile(r"/console/campaigns#\d+$"), timeout=SLOW)
    campaign_id = int(page.url.rsplit("#", 1)[1])
    [(spec, status)] = stored(
        product, "SELECT spec, status FROM campaigns WHERE id = ?", campaign_id
    )
    spec = json.loads(spec) if isinstance(spec, str) else spec
    assert status == "draft"
    assert spec["customer_ids"] == sorted([first["customer_id"], second["customer_id"]])
