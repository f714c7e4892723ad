"""Run every test suite against the local stack: `make test`.

Starts the local stack when it is not running (and stops what it started); when it is running,
the current code is deployed onto it first. Fails when pytest ran no test.
"""

from __future__ import annotations

import json
import subprocess
import sys

from scripts import localenv

SUITES = ["tests/unit", "tests/infrastructure", "tests/integration", "tests/executor", "tests/e2e"]
CTL = [sys.executable, str(localenv.ROOT / "localstack" / "ctl.py")]


def _localstack_running() -> bool:
    result = subprocess.run([*CTL, "status"], capture_output=True, text=True, check=False)
    try:
        return bool(json.loads(result.stdout).get("healthy"))
    except ValueError:
        return False


def main() -> int:
    started_here = not _localstack_running()
    try:
        subprocess.run([sys.executable, "-m", "scripts.stack", "up"], check=True)
        pytest = subprocess.run(
            [sys.executable, "-m", "pytest", *SUITES, *sys.argv[1:]],
            env=localenv.local_env(),
            check=False,
        )
    finally:
        if started_here:
            subprocess.run([*CTL, "stop"], check=False)
    if pytest.returncode == 5:
        print("pytest ran no test: that is a failure", file=sys.stderr)
        return 1
    return pytest.returncode


if __name__ == "__main__":
    sys.exit(main())
