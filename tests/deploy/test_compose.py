"""The single-host compose stack (`deploy/compose/`) and the proxy's routes
(`deploy/nginx/locations.conf`): each process accepts the environment compose gives it, the
proxy exposes what the Kubernetes Ingress exposes, and no secret is written in the file."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.deploy.kubernetes_render import ROOT, objects
from tests.deploy.processes import FILLED_SECRET, process_of, settings_verdict

COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"
LOCATIONS = ROOT / "deploy" / "nginx" / "locations.conf"
ENV_EXAMPLE = ROOT / "deploy" / "compose" / "bank.env.example"


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message}."""

    def one(match: re.Match) -> str:
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        if name in variables and variables[name] != "":
            return variables[name]
        if kind == ":?":
            raise AssertionError(f"compose would stop: {rest}")
        return rest or ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def compose_services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def filled_env_file() -> dict[str, str]:
    keys = [line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines()
            if line and not line.startswith("#")]  # fmt: skip
    return {key: FILLED_SECRET.get(key, "") for key in keys} | {
        "PUBLIC_URL": "https://chat.bank.example"
    }


@pytest.mark.parametrize(
    "name", [n for n, s in compose_services().items() if "bank-assistant/" in s["image"]]
)
def test_each_process_accepts_the_environment_compose_gives_it(name: str) -> None:
    service = compose_services()[name]
    variables = filled_env_file()
    environment = {k: interpolate(str(v), variables) for k, v in service["environment"].items()}
    verdict = settings_verdict(process_of(service["command"]), environment)
    assert verdict == "ok", f"{name}: {verdict}"


def test_a_missing_secret_stops_compose_with_its_name() -> None:
    variables = filled_env_file() | {"RASA_API_TOKEN": ""}
    rasa = compose_services()["rasa"]
    with pytest.raises(AssertionError, match="set RASA_API_TOKEN"):
        {k: interpolate(str(v), variables) for k, v in rasa["environment"].items()}


def test_no_secret_value_is_written_in_the_compose_file() -> None:
    for name, service in compose_services().items():
        for key, value in (service.get("environment") or {}).items():
            if key in FILLED_SECRET and key not in ("DATABASE_URL", "REDIS_URL"):
                assert str(value).startswith("${"), f"{name}: {key} is inlined"
        url = (service.get("environment") or {}).get("DATABASE_URL", "")
        assert not url or "${POSTGRES_PASSWORD" in url


def test_replicas_and_exactly_one_scheduler() -> None:
    services = compose_services()
    for name in ("rasa", "actions", "platform"):
        assert services[name]["deploy"]["replicas"] >= 2
    running_loops = [
        name
        for name, s in services.items()
        if s.get("environment", {}).get("HANDOFF_CHECK_SECONDS", "0") != "0"
    ]
    assert running_loops == ["scheduler"]
    assert "deploy" not in services["scheduler"]


def test_the_proxy_exposes_what_the_ingress_exposes() -> None:
    text = LOCATIONS.read_text()
    exact = dict(re.findall(r"location = (\S+) \{\s*proxy_pass http://(\w+);", text))
    prefixed = re.findall(
        r"location ~ \^/\(([\w|]+)\)\(/\|\$\) \{\s*proxy_pass http://(\w+);", text
    )
    routed = {path: upstream for path, upstream in exact.items()}
    for alternatives, upstream in prefixed:
        routed |= {f"/{p}": upstream for p in alternatives.split("|")}
    assert "location / {\n    return 404;" in text, "anything else is refused"
    for overlay in ("production",):
        (ingress,) = objects(overlay, "Ingress")
        paths = {
            item["path"]: item["backend"]["service"]["name"]
            for rule in ingress["spec"]["rules"]
            for item in rule["http"]["paths"]
        }
        assert routed == paths
