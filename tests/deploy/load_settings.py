"""Load one process's settings class from a given environment and print what it refuses.

Run with the runtime's own Python (`python -m tests.deploy.load_settings module:Class`, the
environment as JSON on stdin): the Rasa-side classes import that runtime's libraries.
Prints "ok" or the loader's message naming every variable at fault.
"""

from __future__ import annotations

import importlib
import json
import sys

from core import config


def main() -> int:
    module_name, _, class_name = sys.argv[1].partition(":")
    settings_class = getattr(importlib.import_module(module_name), class_name)
    try:
        config.load(settings_class, environ=json.load(sys.stdin))
    except config.ConfigError as exc:
        print(exc)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
