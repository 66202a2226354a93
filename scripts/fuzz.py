"""`make fuzz`: every documented HTTP endpoint of the platform, fuzzed from its own OpenAPI
document (schemathesis), against a throwaway copy of the whole product.

Two passes: with valid credentials (the service token for `/api/v1`, a signed-in
supervisor's cookie and CSRF token for the console) and with none. Both must end with zero
5xx answers and zero answers that break the documented schemas. `make test` runs it with a
few examples per endpoint; `make fuzz` with more.

Run: .venvs/platform/bin/python -m scripts.fuzz [--max-examples 50]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import httpx

from scripts.stack import PLATFORM_PY, ROOT
from tests.support.product import running_product

CHECKS = "not_a_server_error,response_schema_conformance"


def supervisor_headers(env: dict[str, str]) -> list[str]:
    """A signed-in supervisor, as a browser would send it (cookie, CSRF token, origin)."""
    base = env["PUBLIC_URL"]
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        signed_in = client.post(
            "/console/login",
            data={"username": "supervisor", "password": env["DEMO_AGENT_PASSWORD"]},
        )
        if signed_in.status_code != 303:
            raise SystemExit(f"fuzz: could not sign in as supervisor ({signed_in.status_code})")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        page = client.get("/console").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return [f"Cookie: {cookie}", f"X-CSRF-Token: {csrf}", f"Origin: {base}"]


def fuzz(env: dict[str, str], headers: list[str], examples: int, label: str) -> int:
    command = [
        str(PLATFORM_PY.parent / "schemathesis"), "run", f"{env['PUBLIC_URL']}/openapi.json",
        "--checks", CHECKS, "--max-examples", str(examples), "--seed", "7",
        "--generation-deterministic", "--no-color",
    ]  # fmt: skip
    for header in headers:
        command += ["--header", header]
    print(f"\n=== fuzz {label}: {examples} examples per operation", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50)
    args = parser.parse_args()
    with running_product(API_DOCS="true", LOG_LEVEL="WARNING") as env:
        trusted = [f"Authorization: Bearer {env['CRM_SERVICE_TOKEN']}", *supervisor_headers(env)]
        results = [
            fuzz(env, trusted, args.max_examples, "with valid credentials"),
            fuzz(env, [], args.max_examples, "without credentials"),
        ]
    failed = [r for r in results if r != 0]
    print("fuzz: every endpoint held" if not failed else "fuzz: FAILED (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
