"""The Kubernetes manifests (`deploy/kubernetes/`): every object valid for the Kubernetes API,
and a topology that would run: each process gets every variable its own settings loader
requires, every Secret key exists, ports and probes are the README's, the Ingress shows
only what customers and agents use, the once-per-cluster loops run once.
"""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from tests.deploy.kubernetes_render import (
    KUBERNETES,
    OVERLAYS,
    ROOT,
    container_environment,
    example_secret,
    named,
    objects,
    our_containers,
    pod_spec,
    render,
)
from tests.deploy.processes import FILLED_SECRET, PROCESSES, process_of, settings_verdict

# The oldest Kubernetes a bank is likely still to run with support, and the newest schemas.
VERSIONS = ("1.30.0", "1.37.0")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_for_the_kubernetes_api(overlay: str, version: str) -> None:
    for doc in render(overlay):
        kubernetes_validate.validate(doc, version, strict=True)


def test_the_example_secret_is_valid_and_lists_every_key() -> None:
    import yaml

    doc = yaml.safe_load((KUBERNETES / "secret.example.yaml").read_text())
    kubernetes_validate.validate(doc, VERSIONS[-1], strict=True)
    assert set(example_secret()) == set(FILLED_SECRET), "FILLED_SECRET follows the example"
    assert not any(example_secret().values()), "the example holds no value"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_is_committed_or_inlined(overlay: str) -> None:
    assert not objects(overlay, "Secret"), "Secrets are created from a vault, not committed"
    secret_names = set(example_secret())
    for config_map in objects(overlay, "ConfigMap"):
        assert not secret_names & set(config_map.get("data", {}))
    for _, container in our_containers(overlay):
        for variable in container.get("env", []):
            if variable["name"] in secret_names:
                assert "valueFrom" in variable, f"{variable['name']} inlined"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_key_a_manifest_reads_is_in_the_example_secret(overlay: str) -> None:
    listed = set(example_secret())
    for workload in objects(overlay, "Deployment") + objects(overlay, "Job"):
        for container in pod_spec(workload)["containers"]:
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    assert reference["name"] == "bank-secrets"
                    assert reference["key"] in listed, (workload["metadata"]["name"], reference)


def test_every_key_of_the_example_secret_is_read_somewhere() -> None:
    read = set()
    for overlay in OVERLAYS:
        for workload in objects(overlay, "Deployment") + objects(overlay, "Job"):
            for container in pod_spec(workload)["containers"]:
                for variable in container.get("env", []):
                    reference = variable.get("valueFrom", {}).get("secretKeyRef")
                    if reference:
                        read.add(reference["key"])
    assert read == set(example_secret())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_accepts_the_environment_its_manifest_gives_it(overlay: str) -> None:
    """The process's own settings loader (core.config) judges the rendered environment, in
    that process's runtime: a variable the manifests forgot stops start-up, here first."""
    for workload, container in our_containers(overlay):
        environment = container_environment(overlay, container, FILLED_SECRET)
        verdict = settings_verdict(process_of(container["command"]), environment)
        assert verdict == "ok", f"{overlay} {workload['metadata']['name']}: {verdict}"


def test_a_forgotten_variable_is_caught() -> None:
    """The check above can fail: without the action server's token the loader refuses."""
    container = next(
        c for _, c in our_containers("production") if process_of(c["command"]) == "actions.server"
    )
    environment = container_environment("production", container, FILLED_SECRET)
    del environment["ACTION_SERVER_TOKEN"]
    assert "ACTION_SERVER_TOKEN: must be set" in settings_verdict("actions.server", environment)


def readme_processes() -> list[tuple[str, int, str]]:
    """(command, port, health path) from the README's process table."""
    rows = re.findall(
        r"^\| [^|]+ \| `([^`]+)` \| `GET :(\d+)(/[^`, ]*)`", (ROOT / "README.md").read_text(), re.M
    )
    assert len(rows) == 3, "the README's process table has the three processes"
    return [(command, int(port), path) for command, port, path in rows]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ports_and_probes_are_the_readme_process_table(overlay: str) -> None:
    for command, port, path in readme_processes():
        process = next(p for p in PROCESSES if p in command)
        matches = [
            (w, c)
            for w, c in our_containers(overlay)
            if process_of(c["command"]) == process
            if w["kind"] == "Deployment"
        ]
        assert matches, f"no Deployment runs {command}"
        for workload, container in matches:
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            assert port in ports.values(), (workload["metadata"]["name"], ports)
            for probe in ("readinessProbe", "livenessProbe"):
                http = container[probe]["httpGet"]
                assert http["path"] == path, (workload["metadata"]["name"], probe)
                assert ports.get(http["port"], http["port"]) == port
        name = matches[0][0]["metadata"]["name"]
        if name != "platform-scheduler":
            service = named(overlay, "Service", name)
            assert [p["port"] for p in service["spec"]["ports"]] == [port]


# The paths customers and agents use: the channels and what the pages' scripts call.
RASA_CHANNELS = {"/webhooks/app/webhook", "/webhooks/telegram/webhook"}
# fetch("/chat/history"…, fetch(`${config.rasaUrl}/webhooks/…`, new WebSocket(`${s}://${h}/chat/ws`
CALLED_PATH = r"(?:fetch\(|WebSocket\()[`\"'](?:\$\{[^}]+\}(?:://\$\{[^}]+\})?)?(/[a-z0-9/_.-]+)"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_exposes_only_the_channels_the_chat_page_and_the_console(
    overlay: str,
) -> None:
    (ingress,) = objects(overlay, "Ingress")
    exposed: dict[str, tuple[str, str]] = {}
    for rule in ingress["spec"]["rules"]:
        for item in rule["http"]["paths"]:
            exposed[item["path"]] = (item["backend"]["service"]["name"], item["pathType"])
    to_rasa = {path for path, (service, _) in exposed.items() if service == "rasa"}
    assert to_rasa == RASA_CHANNELS
    assert all(exposed[path][1] == "Exact" for path in to_rasa), "no prefix of Rasa's API"
    assert {service for service, _ in exposed.values()} == {"rasa", "platform"}
    assert exposed["/"] == ("platform", "Exact")
    assert not any(path.startswith("/api") for path in exposed), "the customer API is internal"
    # Every address the chat page and the console call is routed (the demo's token issuer,
    # /api/v1/demo, is off outside DEMO_MODE).
    prefixes = [p for p, (_, kind) in exposed.items() if kind == "Prefix"]
    called = set()
    for script in [*ROOT.glob("webchat/web/**/*.js"), *ROOT.glob("agent_console/web/**/*.js")]:
        called.update(re.findall(CALLED_PATH, script.read_text()))
    assert {"/chat/history", "/chat/ws", "/console/ws", "/webhooks/app/webhook"} <= called
    for path in called - {p for p in called if p.startswith("/api/v1/demo")}:
        assert path in exposed or any(path.startswith(p + "/") for p in prefixes), (
            f"a page calls {path}, which the Ingress does not route"
        )


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize(
    "loop",
    [
        "HANDOFF_CHECK_SECONDS",
        "RETENTION_CHECK_SECONDS",
        "SLA_CHECK_SECONDS",
        "OUTREACH_SCAN_SECONDS",
        "PROACTIVE_SEND_SECONDS",
    ],
)
def test_the_once_per_cluster_loops_run_on_exactly_one_replica(overlay: str, loop: str) -> None:
    running = []
    for workload, container in our_containers(overlay):
        if (
            workload["kind"] != "Deployment"
            or process_of(container["command"]) != "server.app:create_app"
        ):
            continue
        environment = container_environment(overlay, container, FILLED_SECRET)
        assert loop in environment, f"{workload['metadata']['name']} leaves {loop} to chance"
        if float(environment[loop]) > 0:
            running.append(workload)
    assert len(running) == 1
    (workload,) = running
    assert workload["spec"]["replicas"] == 1
    assert workload["spec"]["strategy"]["type"] == "Recreate", "never two during a deploy"
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"] for h in objects(overlay, "HorizontalPodAutoscaler")
    }
    assert workload["metadata"]["name"] not in autoscaled


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_serving_processes_run_replicated_with_budgets_and_limits(overlay: str) -> None:
    budgets = {
        b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]: b
        for b in objects(overlay, "PodDisruptionBudget")
    }
    autoscaled = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in objects(overlay, "HorizontalPodAutoscaler")
    }
    for name in ("rasa", "actions", "platform"):
        deployment = named(overlay, "Deployment", name)
        assert deployment["spec"]["replicas"] >= 2
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert 1 <= budgets[name]["spec"]["minAvailable"] < deployment["spec"]["replicas"]
    for name in ("rasa", "actions"):
        assert autoscaled[name]["spec"]["minReplicas"] >= 2
    for workload, container in our_containers(overlay):
        who = workload["metadata"]["name"]
        assert container["resources"]["requests"]["memory"], who
        assert container["resources"]["limits"]["memory"], who
        assert pod_spec(workload)["securityContext"]["runAsNonRoot"] is True, who
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, who
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, who
        assert pod_spec(workload)["automountServiceAccountToken"] is False, who


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_rasa_server_may_call_the_action_server(overlay: str) -> None:
    policy = named(overlay, "NetworkPolicy", "actions")
    callers = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
        if "podSelector" in peer
    ]
    assert callers == ["rasa"]


def test_the_production_overlay_runs_no_database_of_its_own() -> None:
    names = {d["metadata"]["name"] for d in objects("production", "Deployment")}
    assert names == {"rasa", "actions", "platform", "platform-scheduler"}
    images = {c["image"] for _, c in our_containers("production")}
    assert all(":" in image and not image.endswith(":latest") for image in images)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_every_process_on_its_own_port(overlay: str) -> None:
    """Annotations for Prometheus's Kubernetes discovery; /metrics itself is tested on the
    running processes (tests/system/test_metrics.py)."""
    for workload, container in our_containers(overlay):
        if workload["kind"] != "Deployment":
            continue
        annotations = workload["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        ports = [p["containerPort"] for p in container["ports"]]
        assert int(annotations["prometheus.io/port"]) in ports
