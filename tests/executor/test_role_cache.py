"""hostexec's assumed-role cache: LocalStack's services get the factory an earlier call with the
same arguments made (so the same credentials and the same cached botocore client) instead of an
AssumeRole and a new client for every Step Functions task and EventBridge target. Its effect on
time is measured by `make bench-turnaround`; here, what it does."""

from __future__ import annotations

import subprocess
import textwrap

from hostexec.rolecache import RoleCache, key_of
from hostexec_testlib import HOSTEXEC_SRC, REPO_ROOT

LOCALSTACK_PYTHON = REPO_ROOT / "localstack" / ".venv" / "bin" / "python"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_same_arguments_get_the_same_factory_until_it_expires() -> None:
    # Given a cache of 600 s
    clock = _Clock()
    cache = RoleCache(ttl_s=600, clock=clock)
    made: list[str] = []

    def make(name: str) -> object:
        made.append(name)
        return object()

    # When one role is asked for twice, and another once
    first = cache.get(("role-a",), lambda: make("a"))
    again = cache.get(("role-a",), lambda: make("a"))
    other = cache.get(("role-b",), lambda: make("b"))
    # Then the first factory served both asks of its role; the other role got its own
    assert again is first
    assert other is not first
    assert made == ["a", "b"]
    # and once 600 s have passed, a new one is made (and the expired ones are dropped)
    clock.now = 600.0
    renewed = cache.get(("role-a",), lambda: make("a"))
    assert renewed is not first
    assert made == ["a", "b", "a"]
    assert cache.made == 3


def test_the_key_tells_roles_principals_sessions_regions_and_configs_apart() -> None:
    factory, config = object(), object()
    base = {
        "role_arn": "arn:aws:iam::000000000000:role/a",
        "service_principal": "states",
        "region_name": "us-east-1",
        "config": config,
    }
    variants = [
        {**base, "role_arn": "arn:aws:iam::000000000000:role/b"},
        {**base, "service_principal": "events"},
        {**base, "session_name": "mapping-1"},
        {**base, "region_name": "eu-west-1"},
        {**base, "endpoint_url": "http://127.0.0.1:4566"},
        {**base, "config": object()},
    ]
    keys = {key_of(factory, base), *(key_of(factory, v) for v in variants)}
    assert len(keys) == 1 + len(variants)
    assert key_of(factory, dict(base)) == key_of(factory, base)
    assert key_of(object(), base) != key_of(factory, base)


def _in_localstack(probe: str) -> list[str]:
    """What ``probe`` prints, run under LocalStack's own interpreter with hostexec importable."""
    result = subprocess.run(
        [str(LOCALSTACK_PYTHON), "-c", probe, str(HOSTEXEC_SRC)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


_PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from localstack.aws.connect import ClientFactory, connect_to

    calls = []

    def counted(self, **kwargs):
        calls.append(kwargs["role_arn"])
        return ("factory", len(calls))

    ClientFactory.with_assumed_role = counted  # stands for the AssumeRole of a running LocalStack
    from hostexec import rolecache
    rolecache.install()
    rolecache.install()  # a second install wraps nothing twice
    role = "arn:aws:iam::000000000000:role/sfn"
    ask = lambda arn: connect_to.with_assumed_role(
        role_arn=arn, service_principal="states", region_name="us-east-1"
    )
    a, b, c = ask(role), ask(role), ask(role + "2")
    print(a == b, a != c, len(calls))
    """
)


def test_installed_in_localstack_it_wraps_with_assumed_role_once() -> None:
    # Given LocalStack's own interpreter and its ClientFactory
    printed = _in_localstack(_PROBE)
    # Then two calls for one role made one factory, another role its own
    assert printed == ["True", "True", "2"]


_CLIENT_PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from botocore.config import Config
    from localstack.aws.connect import InternalClientFactory

    from hostexec import rolecache
    rolecache.install()
    factory = InternalClientFactory()
    config = Config(retries={"total_max_attempts": 1})
    made = lambda **kw: factory.get_client(service_name="lambda", region_name="us-east-1", **kw)
    a, b = made(config=config), made(config=config)
    other = made(config=Config(retries={"total_max_attempts": 1}))
    creds = made(config=config, aws_access_key_id="AKIAOTHER", aws_secret_access_key="x")
    print(a is b, a is not other, a is not creds, type(a).__name__)
    """
)


def test_installed_in_localstack_an_internal_client_is_built_once_per_arguments() -> None:
    # Given LocalStack's internal client factory, which merges the caller's config into a new one
    # on every call (so its own cache of clients never hit)
    printed = _in_localstack(_CLIENT_PROBE)
    # Then the same arguments get the same client; another config or other credentials their own
    assert printed == ["True", "True", "True", "Lambda"]


_JSONPATH_PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from localstack.services.stepfunctions.asl.component.common.path import result_path
    from localstack.services.stepfunctions.asl.utils import json_path

    data = {"run": {"answerIds": ["a", "b"], "n": 3}, "list": [{"x": 1}, {"x": 2}]}
    paths = ["$.run.n", "$.run.answerIds", "$.list[*].x", "$.list[1].x", "$"]
    before = [json_path.extract_json(p, data) for p in paths]
    first = json_path.parse("$.run.n")

    from hostexec import jsonpathcache
    patched = jsonpathcache.install()
    jsonpathcache.install()  # a second install wraps nothing twice
    after = [json_path.extract_json(p, data) for p in paths]
    again = [json_path.extract_json(p, data) for p in paths]
    same = json_path.parse("$.run.n") is json_path.parse("$.run.n")
    # ResultPath's parse writes into the state's input: the cached expression, used twice
    target = {"keep": 1}
    for value in (1, 2):
        result_path.parse("$.out").update_or_create(target, value)
    print(len(patched), before == after == again, same, first is not json_path.parse("$.run.n"))
    print(json_path.parse.cache_info().hits > 0, target == {"keep": 1, "out": 2})
    print(json_path.parse.__wrapped__.__module__)
    """
)


def test_installed_in_localstack_step_functions_parses_each_jsonpath_once() -> None:
    # Given LocalStack's Step Functions, which built a new jsonpath_ng parser (and its ply
    # tables) for every path it evaluated
    printed = _in_localstack(_JSONPATH_PROBE)
    # Then both modules' parse is memoised: the same expression object for the same path, the
    # same values as before, and an expression reused for writing (ResultPath) still writes
    assert printed[:4] == ["2", "True", "True", "True"]
    assert printed[4:6] == ["True", "True"]
    assert printed[6] == "jsonpath_ng.ext.parser"


_SFN_EVENTS_PROBE = textwrap.dedent(
    """
    import sys, threading
    sys.path.insert(0, sys.argv[1])
    from localstack.services.stepfunctions.backend.execution import Execution

    sent, release = [], threading.Event()

    class Events:  # stands for LocalStack's events client: a slow PutEvents
        def put_events(self, Entries):
            release.wait(10)
            sent.append(Entries[0])

    execution = Execution.__new__(Execution)
    vars(execution).update(
        input_data={"a": 1}, output=None, output_details=None, exec_arn="arn:x",
        name="n", exec_status="RUNNING", start_date=None, stop_date=None,
        input_details=None, error=None, cause=None,
    )
    execution.state_machine = type("SM", (), {"arn": "arn:sm"})()
    execution._get_events_client = lambda: Events()

    from hostexec import sfnevents
    print(sfnevents.install(), sfnevents.install())
    pending = execution.publish_execution_status_change_event()
    # It returned while PutEvents still waits; the status changes meanwhile
    print(pending.done(), len(sent))
    execution.exec_status = "SUCCEEDED"
    release.set()
    pending.result(10)
    import json
    print(len(sent), json.loads(sent[0]["Detail"])["status"], sent[0]["Source"])
    """
)


def test_installed_in_localstack_status_events_leave_beside_the_execution() -> None:
    # Given LocalStack's Execution, which published its status change event with a synchronous
    # PutEvents before its worker started (and again when it ended)
    printed = _in_localstack(_SFN_EVENTS_PROBE)
    # Then publishing returns at once (patched once), and the event still goes out, with the
    # status it had when it was published, not the one it has by the time it is sent
    assert printed[:2] == ["True", "True"]
    assert printed[2:4] == ["False", "0"]
    assert printed[4:] == ["1", "RUNNING", "aws.states"]
