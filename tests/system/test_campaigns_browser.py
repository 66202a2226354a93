"""Campaigns in headless Chromium against the running product: a marketer signs in, lands on
the campaigns page, creates a campaign, previews its audience, launches it and reads its
results (with the uplift's interval and the CSV), then opens it again by its address."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.system.console_support import SLOW, stored


def test_a_marketer_creates_previews_launches_and_reads_a_campaign(product, pages) -> None:
    page = pages.new()
    page.goto(f"{product['PUBLIC_URL']}/console")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill(product["DEMO_AGENT_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/console/campaigns"), timeout=SLOW)
    expect(page.locator("body[data-loaded=yes]")).to_be_attached(timeout=SLOW)

    page.get_by_label("Name").fill("Autumn savings")
    page.get_by_label("Offer").select_option("SAV_BONUS")
    page.get_by_label("Control group %").fill("20")
    page.get_by_role("button", name="Create campaign").click()
    expect(page).to_have_url(re.compile(r"/console/campaigns#\d+$"), timeout=SLOW)
    campaign_id = int(page.url.rsplit("#", 1)[1])
    view = page.locator("#campaign-view")
    expect(view.get_by_role("heading", name="Autumn savings")).to_be_visible()
    expect(page.locator("#campaign-status")).to_have_text("draft")

    view.get_by_role("button", name="Preview").click()
    expect(page.locator("body[data-preview=yes]")).to_be_attached(timeout=SLOW)
    eligible = int(page.locator("#p-eligible").inner_text())
    target = int(page.locator("#p-target").inner_text())
    control = int(page.locator("#p-control").inner_text())
    assert eligible > 0 and target + control == eligible
    assert control == round(0.2 * eligible)
    expect(page.locator("#exclusions tbody tr").first).to_be_visible()

    view.get_by_role("button", name="Launch").click()
    expect(page.locator("#campaign-notice")).to_contain_text(
        f"Launched: {target} customers targeted, {control} held back", timeout=SLOW
    )
    expect(page.locator("#campaign-status")).to_have_text("launched")
    expect(view.get_by_role("button", name="Launch")).to_be_disabled()
    expect(page.locator("body[data-results=yes]")).to_be_attached(timeout=SLOW)
    expect(page.locator("#r-uplift")).to_have_text(re.compile(r"^[+-]?\d+\.\d pts$"))
    expect(page.locator("#r-uplift-ci")).to_contain_text(" to ")
    expect(page.locator("#chart-conversion svg rect")).to_have_count(2)

    # The control group got no outreach item; every target member got exactly one.
    members = stored(
        product,
        "SELECT grp, COUNT(*), COUNT(outreach_item_id) FROM campaign_members "
        "WHERE campaign_id = ? GROUP BY grp ORDER BY grp",
        campaign_id,
    )
    assert [tuple(r) for r in members] == [("control", control, 0), ("target", target, target)]

    csv_link = page.get_by_role("link", name="Download results (CSV)")
    response = page.request.get(f"{product['PUBLIC_URL']}{csv_link.get_attribute('href')}")
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert response.text().startswith("group,segment,channel,members")

    page.goto(f"{product['PUBLIC_URL']}/console/campaigns#{campaign_id}")
    expect(page.locator("#campaign-list")).to_contain_text("Autumn savings", timeout=SLOW)
    expect(page.locator("#campaign-status")).to_have_text("launched", timeout=SLOW)
    expect(page.locator("body[data-results=yes]")).to_be_attached(timeout=SLOW)
