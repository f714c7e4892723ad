"""Benchmark of cold starts: `make bench-coldstart` -> bench/results/coldstart.json. The invokes
run against the deployed stack of the current stage (LOCALSTACK_PORT, PLATFORM_LOCAL_STAGE,
DB_NAME; the default stack otherwise), through API Gateway.

Measures:
  import_<function>_ms     import of each function's handler module (python -X importtime,
                           median of 5 fresh processes, the built code asset and deps layer with
                           their shipped .pyc), for every Lambda function of the synthesized app:
                           every `AWS::Lambda::Function` in every template of the cloud assembly
                           (all stacks, nested ones included) whose handler is under `functions.`
                           (CDK's own custom-resource functions are not ours). Named from the
                           handler module, so the name does not depend on which stack holds it:
                           functions.identity.login.handler -> import_identity_login_ms
  import_max_ms            the slowest of them (issue 12's target: <= 300)
  import_p50_ms            their median
  cold_invoke_health_ms    GET /v1/health, the first request after the health function was
                           given a fresh environment (a configuration change: LocalStack, like
                           Lambda, then starts a new one)
  cold_invoke_get_invitation_ms
                           GET /v1/invitations/{id} (HR), the same way, for the GetInvitation
                           function; HR user, template and invitation are created first
The functions' configuration is restored afterwards.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench._common import handler_import_ms, write_result
from layers import build as layer_build
from scripts import localenv
from scripts.main_job import expect, invite, sign_up_hr

IMPORT_RUNS = 5
OUR_CODE = "functions."
HEALTH_HANDLER = "functions.platform.health.handler.handler"
GET_INVITATION_HANDLER = "functions.interviews.get_invitation.handler.handler"
CDK = str(localenv.ROOT / "node_modules" / ".bin" / "cdk")
# Changing it forces a new execution environment; the value makes each change a real one.
COLD_MARKER = "BENCH_COLDSTART"


def _synth(outdir: Path) -> None:
    """The app as `make deploy` synthesizes it (same context), into ``outdir``."""
    context = list(localenv.CDK_CONTEXT)
    if "--output" in context:  # ours goes elsewhere, not over the deployed assembly
        at = context.index("--output")
        del context[at : at + 2]
    subprocess.run(
        [CDK, "synth", "--quiet", *context, "--output", str(outdir)],
        cwd=localenv.ROOT,
        env=localenv.local_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def handler_modules(assembly: Path) -> list[str]:
    """Every handler module of ours in the cloud assembly, each once."""
    modules: set[str] = set()
    for path in assembly.rglob("*.template.json"):
        template = json.loads(path.read_text(encoding="utf-8"))
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") != "AWS::Lambda::Function":
                continue
            handler = resource.get("Properties", {}).get("Handler")
            if isinstance(handler, str) and handler.startswith(OUR_CODE):
                modules.add(handler.rsplit(".", 1)[0])
    return sorted(modules)


def metric_name(module: str) -> str:
    """functions.identity.login.handler (or functions.identity.login) -> import_identity_login_ms"""
    parts = module.split(".")[1:]
    if len(parts) > 1 and parts[-1] == "handler":
        parts = parts[:-1]
    return f"import_{'_'.join(parts)}_ms"


def _import_metrics() -> dict[str, float]:
    layer_build.build_deps_layer()
    layer_build.build_code_asset()
    with tempfile.TemporaryDirectory(prefix="coldstart-synth-") as outdir:
        _synth(Path(outdir))
        modules = handler_modules(Path(outdir))
    if not modules:
        raise SystemExit("no Lambda function of ours in the synthesized templates")
    imports = {metric_name(m): handler_import_ms(m, IMPORT_RUNS) for m in modules}
    if len(imports) != len(modules):
        raise SystemExit(f"two handler modules share a metric name: {modules}")
    return {
        "import_max_ms": max(imports.values()),
        "import_p50_ms": statistics.median(imports.values()),
        **dict(sorted(imports.items())),
    }


def _function_names(lambda_client: Any, handler: str) -> list[str]:
    names = [
        fn["FunctionName"]
        for page in lambda_client.get_paginator("list_functions").paginate()
        for fn in page["Functions"]
        if fn.get("Handler") == handler
    ]
    if not names:
        raise SystemExit(f"no deployed function has the handler {handler}")
    return names


@contextmanager
def _fresh_environments(lambda_client: Any, handler: str) -> Iterator[None]:
    """The functions with ``handler`` get a new environment (variables otherwise unchanged);
    their configuration is put back on the way out."""
    saved: dict[str, dict[str, str]] = {}
    try:
        for name in _function_names(lambda_client, handler):
            config = lambda_client.get_function_configuration(FunctionName=name)
            variables = dict(config.get("Environment", {}).get("Variables", {}))
            saved[name] = variables
            _update_environment(lambda_client, name, {**variables, COLD_MARKER: uuid.uuid4().hex})
        yield
    finally:
        for name, variables in saved.items():
            _update_environment(lambda_client, name, variables)


def _update_environment(lambda_client: Any, name: str, variables: dict[str, str]) -> None:
    lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": variables}
    )
    lambda_client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )


def _first_get_ms(api: httpx.Client, path: str, headers: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    response = api.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    expect(response, 200)
    return elapsed


def _cold_invoke_metrics() -> dict[str, float]:
    outputs = localenv.stack_outputs()
    lambda_client = localenv.client("lambda")
    metrics: dict[str, float] = {}
    with httpx.Client(base_url=outputs["ApiUrl"], timeout=120.0) as api:
        with _fresh_environments(lambda_client, HEALTH_HANDLER):
            metrics["cold_invoke_health_ms"] = _first_get_ms(api, "v1/health")

        hr, _company = sign_up_hr(api)
        template = expect(api.post("v1/templates", json={"title": "Cold start"}, headers=hr), 201)
        question = {"type": "text", "text": "Tell us about a hard bug you fixed."}
        path = f"v1/templates/{template['id']}"
        expect(api.post(f"{path}/questions", json=question, headers=hr), 201)
        expect(api.post(f"{path}/publish", headers=hr), 200)
        invitation = invite(api, hr, str(template["id"]), "Cold Start")
        with _fresh_environments(lambda_client, GET_INVITATION_HANDLER):
            metrics["cold_invoke_get_invitation_ms"] = _first_get_ms(
                api, f"v1/invitations/{invitation['id']}", hr
            )
    return metrics


def main() -> None:
    metrics = _import_metrics()
    metrics.update(_cold_invoke_metrics())
    write_result("coldstart", metrics)


if __name__ == "__main__":
    main()
