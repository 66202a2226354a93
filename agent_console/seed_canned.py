"""Seed the canned-response library: `python -m agent_console.seed_canned`.

The replies are in `canned_seed.yml` (words in a data file, in both languages, never in
Python). A shortcut already in the library is left alone, so a supervisor's edits survive
every later `make seed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from agent_console import canned
from agent_console.canned_models import CannedResponse
from crm.clock import utcnow
from crm.db import session_scope

SEED_FILE = Path(__file__).with_name("canned_seed.yml")


def seed_entries(path: Path = SEED_FILE) -> list[dict[str, Any]]:
    """The seed file's replies, each checked as a supervisor's would be."""
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or []
    for e in entries:
        found = canned.problems(e["shortcut"], e["title"], e["text_en"], e["text_zh"], e["intents"])
        if found:
            raise ValueError(f"{path.name} {e['shortcut']}: {' '.join(found)}")
    return entries


def seed() -> list[str]:
    """Add the seed replies the library lacks; the shortcuts added."""
    added = []
    with session_scope() as session:
        have = set(session.scalars(select(CannedResponse.shortcut)))
        for e in seed_entries():
            if e["shortcut"] in have:
                continue
            session.add(
                CannedResponse(
                    shortcut=e["shortcut"], title=e["title"], text_en=e["text_en"],
                    text_zh=e["text_zh"], intents=list(e["intents"]), active=True,
                    updated_by=None, updated_at=utcnow(),
                )
            )  # fmt: skip
            added.append(e["shortcut"])
    return added


def main() -> None:
    added = seed()
    print(f"canned responses: {'added ' + ', '.join(added) if added else 'unchanged'}")


if __name__ == "__main__":
    main()
