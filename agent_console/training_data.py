"""Add a reviewed example to the assistant's training data, only if Rasa says it is valid.

The example goes to `nlu_data/review.yml` (Rasa's YAML format), deduplicated against every
NLU file. A new intent is also declared in `assistant/domain/review.yml`. Before anything
is written, the whole project with the change is copied aside and `rasa data validate
--fail-on-warnings` runs on the copy (the same check `make test` runs); its report is
returned either way, and a change it objects to is never written. The only warning let
through is the one a brand-new intent always gets (no story or rule uses it yet): that is
the designer's next step, and `make test` keeps reminding them until it is done.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REVIEW_NLU = Path("nlu_data") / "review.yml"
REVIEW_DOMAIN = Path("assistant") / "domain" / "review.yml"
PROJECT_PARTS = ("config.yml", "assistant/domain", "assistant/data", "nlu_data")
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
VALIDATE_TIMEOUT = 300
_WARNING = re.compile(r"UserWarning: (.+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_VALIDATION_STARTS = "rasa.validator"  # Rasa's logger; what it warns about from here on counts


class InvalidExample(Exception):
    """Refused before writing; `report` says why (Rasa's own words when it was Rasa)."""

    def __init__(self, message: str, report: list[str] | None = None) -> None:
        super().__init__(message)
        self.report = report or []


@dataclass
class Outcome:
    written: bool  # False: the example was already in the training data for this intent
    new_intent: bool = False
    report: list[str] = field(default_factory=list)  # what the validation said


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def plain_example(text: str) -> str:
    """The customer's words as a plain example. Rasa reads `[words](entity)` and
    `[words]{"entity": ...}` in an example as annotations (an entity, even a synonym), so a
    customer who typed that syntax could plant one through the review page: square brackets
    become round ones, which Rasa reads as text."""
    return " ".join(text.translate(str.maketrans("[]", "()")).split())


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def nlu_examples(project: Path) -> Iterator[tuple[str, str]]:
    """(intent, example text) for every intent example in the NLU files."""
    for path in _yaml_files(project / "nlu_data"):
        for item in _load(path).get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield str(item["intent"]), line[2:].strip()


def domain_intents(project: Path) -> list[str]:
    """Every intent the domain declares (the choices offered to a designer)."""
    names: set[str] = set()
    for path in _yaml_files(project / "assistant" / "domain"):
        for entry in _load(path).get("intents") or []:
            names.add(next(iter(entry)) if isinstance(entry, dict) else str(entry))
    return sorted(names)


def _review_examples(project: Path) -> dict[str, list[str]]:
    path = project / REVIEW_NLU
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for item in _load(path).get("nlu") or []:
        lines = str(item.get("examples") or "").splitlines()
        found[str(item["intent"])] = [ln.strip()[2:] for ln in lines if ln.strip()[:2] == "- "]
    return found


def render_review_nlu(examples: dict[str, list[str]]) -> str:
    lines = [
        'version: "3.1"',
        "# Examples added through the console's conversation review (agent_console/review).",
        "nlu:",
    ]
    for intent in sorted(examples):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {text}" for text in examples[intent]]
    return "\n".join(lines) + "\n"


def render_review_domain(intents: list[str]) -> str:
    lines = [
        'version: "3.1"',
        "# Intents created in the console's conversation review; each still needs a rule or",
        "# story (rasa data validate warns until it has one).",
        "intents:",
    ]
    return "\n".join(lines + [f"  - {name}" for name in sorted(intents)]) + "\n"


@contextmanager
def _project_lock(project: Path) -> Iterator[None]:
    """One change at a time per project, across processes (two designers, two workers)."""
    key = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"bank-training-data-{key}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def validate(project: Path, rasa_bin: Path) -> tuple[int, list[str], str]:
    """Run `rasa data validate` on a project folder: exit code, the validator's warnings
    (not the ones Rasa prints while loading), output tail."""
    command = [
        str(rasa_bin), "data", "validate", "--fail-on-warnings", "--config", "config.yml",
        "--domain", "assistant/domain", "--data", "nlu_data", "assistant/data",
    ]  # fmt: skip
    env = os.environ | {"RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "INFO"}
    try:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True,
            timeout=VALIDATE_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        message = f"Rasa's validation could not run ({exc}); nothing was written."
        raise InvalidExample(message) from None
    output = _ANSI.sub("", done.stdout + done.stderr)
    start = output.find(_VALIDATION_STARTS)
    checked = output[start:] if start >= 0 else output
    warnings = list(dict.fromkeys(m.group(1).strip() for m in _WARNING.finditer(checked)))
    tail = "\n".join(output.strip().splitlines()[-15:])
    return done.returncode, warnings, tail


def copy_project(source: Path, target: Path) -> None:
    """Copy what `rasa data validate` and `rasa train` read (config, domain, data)."""
    for part in PROJECT_PARTS:
        (target / part).parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
        else:
            shutil.copy2(source / part, target / part)


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)


def add_example(project: Path, rasa_bin: Path, text: str, intent: str) -> Outcome:
    """Append `text` as an example of `intent` if Rasa validates the result."""
    text = plain_example(text)
    if not INTENT_NAME.match(intent):
        raise InvalidExample(
            "An intent name is 2-63 lower-case letters, digits or underscores, "
            "starting with a letter."
        )
    if not text:
        raise InvalidExample("The example is empty.")
    with _project_lock(project):
        wanted = normalise(text)
        for known_intent, example in nlu_examples(project):
            if known_intent == intent and normalise(example) == wanted:
                return Outcome(written=False, report=["Already in the training data."])
        intents = domain_intents(project)
        new_intent = intent not in intents
        review = _review_examples(project)
        review.setdefault(intent, []).append(text)
        nlu_content = render_review_nlu(review)
        domain_content = None
        if new_intent:
            declared = domain_intents_in(project / REVIEW_DOMAIN)
            domain_content = render_review_domain([*declared, intent])
        with tempfile.TemporaryDirectory(prefix="bank-review-") as scratch:
            copy = Path(scratch)
            copy_project(project, copy)
            _write(copy / REVIEW_NLU, nlu_content)
            if domain_content is not None:
                _write(copy / REVIEW_DOMAIN, domain_content)
            code, warnings, tail = validate(copy, rasa_bin)
        expected = f"The intent '{intent}' is not used in any story or rule."
        objections = [w for w in warnings if not (new_intent and w == expected)]
        if code != 0 and (objections or not warnings):
            raise InvalidExample(
                "Rasa's validation refused the change; nothing was written.",
                objections or [tail],
            )
        _write(project / REVIEW_NLU, nlu_content)
        if domain_content is not None:
            _write(project / REVIEW_DOMAIN, domain_content)
        return Outcome(written=True, new_intent=new_intent, report=warnings)


def domain_intents_in(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [str(name) for name in _load(path).get("intents") or []]
