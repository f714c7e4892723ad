"""Benchmark of the deployment: `make bench-deploy` -> bench/results/deploy.json.

Runs in a fresh clone of the committed HEAD, as an isolated local platform (its own LocalStack
port, stage and database), so the developer's own stack is left alone. Measures:
  make_up_clean_s          `make up` in the clean clone (install, start, migrate, bootstrap,
                           deploy every stack)
  synth_s                  `cdklocal synth` of every stack
  stacks                   how many stacks the app has
  resources_max_per_stack  the largest stack's resource count
  redeploy_code_s          `make deploy` after a one-line handler change, until the API serves
                           the new code
  redeploy_infra_s         `make deploy` after a new route in one context (identity: a handler
                           route, its line in the context's route table, `make openapi`), until
                           the new route answers through API Gateway
Targets (issue 11): no stack over 200 resources; redeploy_code_s <= 20; redeploy_infra_s <= 60.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench._common import write_result

ROOT = Path(__file__).resolve().parents[1]
STAGE = "bench"
PORT = "4599"
ANSWER_DEADLINE_S = 120.0


def _env(clone: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LOCALSTACK_PORT": PORT,
        "LOCALSTACK_STATE_DIR": str(clone / "localstack" / ".state"),
        "PLATFORM_LOCAL_STAGE": STAGE,
        "DB_NAME": f"interview_{STAGE}",
    }


def _timed(command: list[str], clone: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=clone, env=_env(clone), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _outputs(clone: Path) -> dict[str, str]:
    data = json.loads((clone / f"cdk-outputs.{STAGE}.json").read_text())
    merged: dict[str, str] = {}
    for values in data.values():
        merged.update(values)
    return merged


def _wait_for(url: str, check: str) -> float:
    """Poll ``url`` until it answers 200 with ``check`` in its body; returns when it did."""
    deadline = time.monotonic() + ANSWER_DEADLINE_S
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < deadline:
            response = client.get(url)
            if response.status_code == 200 and check in response.text:
                return time.perf_counter()
            time.sleep(0.2)  # poll interval within the deadline
    raise SystemExit(f"{url} did not answer with {check!r} in {ANSWER_DEADLINE_S} s")


def _edit(path: Path, anchor: str, insert: str) -> None:
    text = path.read_text(encoding="utf-8")
    if anchor not in text:
        raise SystemExit(f"{path}: anchor {anchor!r} not found (the benchmark needs updating)")
    path.write_text(text.replace(anchor, anchor + insert, 1), encoding="utf-8")


def _synth(clone: Path) -> tuple[float, int, int]:
    out = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    try:
        seconds = _timed(
            [
                str(clone / "node_modules" / ".bin" / "cdklocal"),
                "synth",
                "--all",
                "--quiet",
                "-c",
                f"stage={STAGE}",
                "--output",
                str(out),
            ],
            clone,
        )
        counts = [
            len(json.loads(t.read_text()).get("Resources", {})) for t in out.glob("*.template.json")
        ]
        return seconds, len(counts), max(counts)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    clone = Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        make_up = _timed(["make", "up"], clone)
        synth_s, stacks, largest = _synth(clone)
        api = _outputs(clone)["ApiUrl"]

        # A one-line handler change: health reports another version.
        marker = f"bench-{int(time.time())}"
        _edit(
            clone / "functions" / "platform" / "health" / "handler.py",
            "from __future__ import annotations\n",
            f'import os\n\nos.environ["PLATFORM_VERSION"] = "{marker}"\n',
        )
        started = time.perf_counter()
        subprocess.run(["make", "deploy"], cwd=clone, env=_env(clone), check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        redeploy_code = _wait_for(f"{api}v1/health", marker) - started

        # A new route in the identity context: the handler, the route table, the document.
        jwks = clone / "functions" / "identity" / "jwks" / "handler.py"
        jwks.write_text(
            jwks.read_text().replace("handler = lambda_handler_for(app)\n", "")
            + '\n\n@app.get("/v1/auth/probe", tags=["identity"], openapi_extra=PUBLIC)\n'
            f'def probe() -> dict[str, str]:\n    return {{"probe": "{marker}"}}\n\n\n'
            "handler = lambda_handler_for(app)\n"
        )
        _edit(
            clone / "cdk" / "interview_platform" / "constructs" / "identity.py",
            '        routes.add("/.well-known/jwks.json", "GET", self.jwks)\n',
            '        routes.add("auth/probe", "GET", self.jwks)\n',
        )
        subprocess.run(["make", "openapi"], cwd=clone, env=_env(clone), check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        started = time.perf_counter()
        subprocess.run(["make", "deploy"], cwd=clone, env=_env(clone), check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        redeploy_infra = _wait_for(f"{api}v1/auth/probe", marker) - started
    finally:
        subprocess.run(["make", "down"], cwd=clone, env=_env(clone), check=False,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(clone, ignore_errors=True)
    write_result(
        "deploy",
        {
            "stacks": stacks,
            "resources_max_per_stack": largest,
            "synth_s": synth_s,
            "redeploy_code_s": redeploy_code,
            "redeploy_infra_s": redeploy_infra,
            "make_up_clean_s": make_up,
        },
    )


if __name__ == "__main__":
    main()
