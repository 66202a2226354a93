"""No secret and no personal data reaches a log line, and one log line is one record."""

from __future__ import annotations

import io
import logging

import jwt
import pytest

from core import logs

SECRET = "s3cret-service-token-0123456789"


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CRM_SERVICE_TOKEN", SECRET)
    logs._secret_values.cache_clear()
    stream = io.StringIO()
    logger = logging.getLogger("test.logs")
    logger.handlers[:] = [logs.build_handler("test", "text", stream)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream
    logs._secret_values.cache_clear()


@pytest.mark.parametrize(
    ("message", "must_not_contain"),
    [
        (f"calling the API with {SECRET}", SECRET),
        ("GET http://rasa:5005/conversations/x/tracker?token=abcdef123456&x=1", "abcdef123456"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnop"),
        (f"token {jwt.encode({'user': 'x'}, 'k' * 32)}", "eyJ"),
        ("POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/send",
         "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
        ("connecting to postgresql://bank:hunter22@db:5432/bank", "hunter22"),
        ("customer typed 4111 1111 1111 1111", "4111 1111 1111 1111"),
    ],
)
def test_secrets_and_card_numbers_never_reach_the_line(captured, message, must_not_contain) -> None:
    logger, stream = captured
    logger.info("%s", message)
    line = stream.getvalue()
    assert must_not_contain not in line
    assert "[REDACTED]" in line or "[CARD ****1111]" in line


def test_a_newline_in_a_message_cannot_forge_a_log_line(captured) -> None:
    logger, stream = captured
    logger.info("hello\n2026-12-01 10:00:00 ERROR admin logged in")
    assert stream.getvalue().count("\n") == 1


def test_http_clients_request_lines_are_held_back(captured) -> None:
    for name in ("httpx", "urllib3", "aiohttp.access", "telegram"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


def test_private_files_are_for_their_owner_only(tmp_path) -> None:
    loose = tmp_path / "rasa.log"
    loose.write_text("old")
    loose.chmod(0o644)
    with logs.private_file(loose) as handle:
        handle.write(b" new")
    assert oct(loose.stat().st_mode & 0o777) == "0o600"
    assert loose.read_text() == "old new"
