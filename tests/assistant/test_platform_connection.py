"""The actions' pooled connections to the platform: a connection the platform dropped while it
sat idle in the pool must not cost the customer their handoff, nor file anything twice.

The server here answers the first request on each connection, keeps it open, and resets it
when a second request arrives on it: what uvicorn's idle timeout does to a client that reuses
the connection at that moment (CI lost a handoff to exactly this).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from connectors import platform_api
from core import config

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
    b'Connection: keep-alive\r\n\r\n{"id": 42}\n'
)


@dataclass
class DroppingServer:
    """Counts connections and the requests that reached it (answered or not)."""

    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                 if line.lower().startswith(b"content-length:")),
                0,
            )  # fmt: skip
            await reader.readexactly(length)
            self.requests.append(head.split(b"\r\n")[0])
            if served:
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()  # a reset, as an idle-timeout close that crossed
                return
            writer.write(ANSWER)
            await writer.drain()
            served += 1


def run_against_server(
    monkeypatch: pytest.MonkeyPatch, scenario: Callable[[], Awaitable[None]]
) -> DroppingServer:
    server_state = DroppingServer()

    async def main() -> None:
        server = await asyncio.start_server(server_state.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        monkeypatch.setenv("CRM_API_URL", f"http://127.0.0.1:{port}/api/v1")
        monkeypatch.setenv("CRM_SERVICE_TOKEN", "connection-test-service-token-0123456789")
        config.reset()
        try:
            await scenario()
        finally:
            await platform_api.close()
            server.close()
            config.reset()

    asyncio.run(main())
    return server_state


def test_a_handoff_survives_a_connection_the_platform_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers: list[dict] = []

    async def scenario() -> None:
        answers.append(await platform_api.get("customers/3/accounts"))
        answers.append(await platform_api.post("handoffs", {"x": 1}, idempotent=True))

    server = run_against_server(monkeypatch, scenario)
    assert answers == [{"id": 42}, {"id": 42}]
    assert server.connections == 2  # the retry went out on a fresh connection
    assert [r.split(b" ")[0] for r in server.requests] == [b"GET", b"POST", b"POST"]


def test_a_complaint_is_not_filed_twice_when_the_connection_drops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        await platform_api.get("customers/3/accounts")
        with pytest.raises(platform_api.PlatformUnavailable):
            await platform_api.post("customers/3/complaints", {"category": "fees"})

    server = run_against_server(monkeypatch, scenario)
    assert [r.split(b" ")[0] for r in server.requests] == [b"GET", b"POST"]


def test_an_idle_connection_is_not_reused_after_the_keepalive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        await platform_api.get("customers/3/accounts")
        await asyncio.sleep(platform_api.KEEPALIVE_SECONDS + 0.5)
        await platform_api.post("customers/3/complaints", {"category": "fees"})

    server = run_against_server(monkeypatch, scenario)
    assert server.connections == 2
    assert [r.split(b" ")[0] for r in server.requests] == [b"GET", b"POST"]
