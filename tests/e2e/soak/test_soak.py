"""Sustained load on the local stack: 20,000 API requests (API Gateway -> Lambda) and 100 media
pipelines (S3 -> EventBridge -> Step Functions -> Lambdas), with LocalStack's threads and memory
mappings flat and every request answered.

Before hostexec's thread reaper, LocalStack on Python 3.13 kept an 8 MiB stack (two mappings)
per Lambda invocation and several per Step Functions execution: this soak added about 40,000
mappings, two thirds of the kernel's limit. The figures and knobs are bench/_soak.py's.
"""

from __future__ import annotations

import json

import pytest

from bench import _soak

pytestmark = [pytest.mark.localstack, pytest.mark.soak]

# Flat means within a few per cent of the warm process: Python's heap and LocalStack's stores
# still grow a little (each execution and log stream is kept), stacks must not.
MAX_GROWTH_PCT = 5.0


@pytest.mark.timeout(1800)
def test_sustained_load_leaves_localstacks_threads_and_memory_maps_flat(
    outputs: dict[str, str],
) -> None:
    # Given the deployed stage, warmed up at the load's concurrency. In `make test` a bounded
    # run (LocalStack serves ~15 Lambda requests/s on one core: 20,000 would take 20+ minutes);
    # `make bench-resilience` runs the full 20,000 requests and 100 pipelines.
    sizes = _soak.Sizes(
        requests=_soak._env_int("SOAK_REQUESTS", 1500),
        pipelines=_soak._env_int("SOAK_PIPELINES", 10),
    )
    # When the API load and the media pipelines run side by side
    result = _soak.run(sizes)
    print(json.dumps(result.summary(), indent=2))
    # Then every request was sent and answered, none with a 5xx
    assert result.api.requests == sizes.requests
    assert result.api.failed == 0, (result.api.statuses, result.api.errors)
    # And every pipeline ended ready
    assert result.media.started == sizes.pipelines
    assert result.media.failed == []
    assert result.media.ready == sizes.pipelines
    # And LocalStack's threads, memory mappings and thread stacks are where they were
    assert result.threads_growth_pct <= MAX_GROWTH_PCT, result.summary()
    assert result.maps_growth_pct <= MAX_GROWTH_PCT, result.summary()
    assert result.after.stack_maps <= result.before.stack_maps * 1.05 + 2, result.summary()
    # And no finished thread kept its stack: the leak's signature is stacks far above threads
    assert result.after.stack_maps <= result.after.threads * 1.05 + 10, result.summary()
