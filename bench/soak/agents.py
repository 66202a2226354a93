"""A contact-centre agent during the soak: signs in to the console through the proxy, claims
every waiting handoff, answers the customer and hands the conversation back to the bot.

Runs in a thread beside the load; a failed call (a platform replica killed, the database
restarting) is retried on the next round, as a person would click again.
"""

from __future__ import annotations

import re
import threading
import time

import httpx

REPLY = "Hello, this is Anna from the bank. I can see your transfer; it will arrive today."


class SoakAgent:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.base, self.username, self.password = base, username, password
        self.claimed = self.answered = self.handed_back = self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._client: httpx.Client | None = None
        self._csrf = ""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _sign_in(self) -> None:
        client = httpx.Client(base_url=self.base, timeout=30, headers={"Origin": self.base})
        signed = client.post(
            "/console/login", data={"username": self.username, "password": self.password}
        )
        if signed.status_code not in (200, 303):
            raise RuntimeError(f"sign-in failed: HTTP {signed.status_code}")
        page = client.get("/console").text
        self._csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self._client = client

    def _post(self, path: str, body: dict) -> httpx.Response:
        assert self._client is not None
        return self._client.post(path, json=body, headers={"X-CSRF-Token": self._csrf})

    def _round(self) -> None:
        if self._client is None:
            self._sign_in()
        assert self._client is not None
        queue = self._client.get("/console/api/queue")
        if queue.status_code == 401:
            self._client = None
            return
        queue.raise_for_status()
        for item in queue.json()["mine"]:  # a hand-back that failed last round
            if self._post(f"/console/api/conversations/{item['conversation_id']}/hand-back",
                          {"notes": "answered during the soak"}).status_code == 200:  # fmt: skip
                self.handed_back += 1
        for item in queue.json()["waiting"]:
            claim = self._post(f"/console/api/handoffs/{item['id']}/claim", {})
            if claim.status_code != 200:
                continue
            self.claimed += 1
            conversation = claim.json()["conversation_id"]
            if self._post(f"/console/api/conversations/{conversation}/messages",
                          {"text": REPLY}).status_code == 202:  # fmt: skip
                self.answered += 1
            time.sleep(1)
            back = self._post(f"/console/api/conversations/{conversation}/hand-back",
                              {"notes": "answered during the soak"})  # fmt: skip
            if back.status_code == 200:
                self.handed_back += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._round()
            except (httpx.HTTPError, RuntimeError, AttributeError):
                self.errors += 1
                self._client = None
            self._stop.wait(1)
