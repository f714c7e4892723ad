"""`make demo`: after `make up`, call the platform over HTTP through API Gateway and show it.

First the walking skeleton (GET /v1/health through API Gateway -> Lambda), then the main job
(scripts/main_job.py): sign-up, template, invitation, a candidate's recorded answers, the media
pipeline, the AI analysis (offline engine, or Groq when GROQ_API_KEY is set) and HR's decision.
"""

from __future__ import annotations

import json
import os
import sys
import time

import httpx

from scripts import localenv


def main() -> int:
    outputs = localenv.stack_outputs()
    api_url = outputs["ApiUrl"]
    print(f"API: {api_url}\nWeb app: {outputs['WebUrl']}")
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
    if health.status_code != 200:
        return 1
    return run_demo_scenario(api_url)


def run_demo_scenario(api_url: str) -> int:
    """The main job (issue 6): sign-up to an explained score and a decision, printed."""
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from scripts.main_job import MainJobError, run_main_job  # noqa: PLC0415

    engine = "Groq (GROQ_API_KEY is set)" if os.environ.get("GROQ_API_KEY") else "offline"
    print(f"\nThe main job, through the API (analysis engine: {engine}):")
    with (
        httpx.Client(base_url=api_url, timeout=60.0) as client,
        tempfile.TemporaryDirectory() as tmp,
    ):
        try:
            job = run_main_job(client, Path(tmp), log=lambda line: print(f"  - {line}"))
        except MainJobError as exc:
            print(f"  ! {exc}")
            return 1
    result = job.analysis
    print(f"\nAnalysis: {result['status']}; engine {result['engine']} ({result['engine_label']})")
    print(f"Overall {result['overall']} -> {result['recommendation']} ({result['reason']})")
    print(f"\n{result['summary']}\n")
    for answer in result["answers"]:
        print(f"Q{answer['position']} [{answer['kind']}] score {answer['score']}")
        if answer["unscorable"]:
            print(f"    not scored: {answer['unscorable_reason']}")
        for name, criterion in (answer["criteria"] or {}).items():
            quote = criterion["quotes"][0] if criterion["quotes"] else None
            where = (
                f" @ {quote['start']}-{quote['end']} s"
                if quote and quote["start"] is not None
                else ""
            )
            evidence = f' "{quote["text"]}"{where}' if quote else ""
            print(f"    {name:<12} {criterion['score']:>3}  {criterion['justification']}{evidence}")
    if job.decision is not None:
        print(f"\nHR decided: {job.decision['decision']} (the AI result is kept beside it)")
    web_url = localenv.stack_outputs()["WebUrl"]
    print(f"\nIn a browser: {web_url} (HR signs up there; candidates open their link)")
    return 0 if result["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
