"""`make demo`: after `make up`, call the platform over HTTP through API Gateway and show it.

For now the main job is the walking skeleton: GET /v1/health through API Gateway -> Lambda.
"""

from __future__ import annotations

import json
import sys
import time

import httpx

from scripts import localenv


def main() -> int:
    api_url = localenv.stack_outputs()["ApiUrl"]
    print(f"API: {api_url}")
    with httpx.Client(base_url=api_url, timeout=60.0) as client:
        started = time.perf_counter()
        health = client.get("v1/health")
        elapsed_ms = (time.perf_counter() - started) * 1000
        print(f"\nGET /v1/health -> {health.status_code} in {elapsed_ms:.0f} ms")
        print(json.dumps(health.json(), indent=2))
        missing = client.get("v1/does-not-exist")
        kind = missing.headers["content-type"]
        print(f"\nGET /v1/does-not-exist -> {missing.status_code} {kind}")
        print(json.dumps(missing.json(), indent=2))
    return 0 if health.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
