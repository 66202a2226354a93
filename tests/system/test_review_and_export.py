"""Designers and QA on the running product: a message the assistant did not understand
reaches the review page and, once assigned, the training data; a real conversation exported
from the console replays green as an end-to-end test and as a Rasa test story."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import yaml
from playwright.sync_api import expect

from scripts.stack import ROOT
from tests.e2e.runner import Product, load, run
from tests.system.conftest import app_token, send
from tests.system.console_support import SLOW, Pages, stored

VALIDATION = 240_000  # ms: `rasa data validate` runs before anything is written


def designer_client(product: dict[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=product["PUBLIC_URL"], timeout=60)
    signed_in = client.post(
        "/console/login",
        data={"username": "designer", "password": product["DEMO_AGENT_PASSWORD"]},
    )
    assert signed_in.status_code == 303
    return client


def test_designer_adds_a_misunderstood_message_to_the_training_data(
    product, pages: Pages, customer
):
    said = send(
        product, app_token(product, customer),
        {"message": "zxqv blorp 13812345678 wibble", "message_id": "review-1"},
    )  # fmt: skip
    assert said.status_code == 200
    masked = "zxqv blorp [PHONE ****5678] wibble"

    page = pages.new()
    page.goto(f"{product['PUBLIC_URL']}/console")
    page.get_by_label("Username").fill("designer")
    page.get_by_label("Password").fill(product["DEMO_AGENT_PASSWORD"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Conversation review")).to_be_visible(timeout=SLOW)
    row = page.locator(".review-row", has_text=masked)
    expect(row).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("13812345678")).to_have_count(0)
    row.get_by_label(f"Intent for: {masked}").fill("out_of_scope")
    row.get_by_role("button", name="Add to training data").click()
    expect(page.locator("#review-notice")).to_have_text(
        "Added to nlu_data/review.yml as out_of_scope.", timeout=VALIDATION
    )

    written = Path(product["TRAINING_DATA_DIR"]) / "nlu_data" / "review.yml"
    document = yaml.safe_load(written.read_text())
    # The mask's brackets would read as entity markup in Rasa's format: parentheses instead.
    example = masked.replace("[", "(").replace("]", ")")
    assert {"intent": "out_of_scope", "examples": f"- {example}\n"} in document["nlu"]
    assert not (ROOT / "nlu_data" / "review.yml").exists(), "the checkout is left alone"


def test_a_real_conversation_exported_by_qa_replays_green(
    product, tmp_path: Path, customer
) -> None:
    for number, text in enumerate(["hello", "what is my balance right now", "thanks"], 1):
        body = {"message": text, "message_id": f"x-{number}"}
        reply = send(product, app_token(product, customer), body)
        assert reply.status_code == 200 and reply.json()["messages"]

    designer = designer_client(product)
    listed = designer.get("/console/api/export/conversations").json()
    assert f"customer-{customer}" in [c["id"] for c in listed]
    e2e = designer.get(f"/console/api/conversations/customer-{customer}/export/e2e")
    story = designer.get(f"/console/api/conversations/customer-{customer}/export/story")
    assert e2e.status_code == 200 and story.status_code == 200
    assert "attachment" in e2e.headers["content-disposition"]
    assert len(stored(product, "SELECT id FROM audit_log WHERE action = 'export_conversation' "
                      "AND customer_id = ?", customer)) == 2  # fmt: skip
    assert designer.get("/console/api/conversations/nobody-9/export/e2e").status_code == 404

    (tmp_path / "exported.yml").write_text(e2e.text)
    [conversation] = load([tmp_path / "exported.yml"])
    assert [s.user for s in conversation.steps] == [
        "hello",
        "what is my balance right now",
        "thanks",
    ]
    assert conversation.steps[0].bot == ["utter_greet"]
    assert run(conversation, Product(product), customer).failures == []  # as the same customer

    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "exported.yml").write_text(story.text)
    checked = subprocess.run(
        [str(ROOT / ".venvs" / "rasa" / "bin" / "rasa"), "test", "core",
         "--model", str(ROOT / "models" / "bank.tar.gz"), "--stories", str(stories),
         "--fail-on-prediction-errors", "--out", str(tmp_path / "results")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "action: utter_greet" in story.text and "intent: check_balance" in story.text


def test_agents_cannot_export_and_texts_are_masked_in_exports(product, customer) -> None:
    send(
        product, app_token(product, customer),
        {"message": "my phone is 13812345678", "message_id": "mask-1"},
    )  # fmt: skip
    designer = designer_client(product)
    story = designer.get(f"/console/api/conversations/customer-{customer}/export/story").text
    e2e = designer.get(f"/console/api/conversations/customer-{customer}/export/e2e").text
    for exported in (story, e2e):
        assert "13812345678" not in exported and "[PHONE ****5678]" in exported

    agent = httpx.Client(base_url=product["PUBLIC_URL"], timeout=60)
    agent.post(
        "/console/login", data={"username": "agent", "password": product["DEMO_AGENT_PASSWORD"]}
    )
    assert (
        agent.get(f"/console/api/conversations/customer-{customer}/export/story").status_code == 403
    )
