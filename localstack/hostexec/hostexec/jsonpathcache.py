"""Step Functions' JSONPath expressions parsed once, not at every evaluation (installed by the
launcher, ``python -m hostexec.s3guard``).

LocalStack's Step Functions interpreter evaluates every ``InputPath``, ``Parameters`` field
ending in ``.$``, ``ResultSelector``, ``ResultPath`` and Choice variable by calling
``jsonpath_ng``'s ``parse(path)`` (``asl/utils/json_path.py`` and
``asl/component/common/path/result_path.py``). That ``parse`` builds a new parser each time, and
the new parser has ``ply`` generate its LALR tables again: milliseconds of pure-Python work,
holding the GIL of the one process that also serves every API call of the stack. Sampled with
py-spy during `make bench-turnaround`'s completions, that table generation was about a third of
the busy samples of LocalStack's process; a StartExecution or PutEvents from a function took
150-300 ms against 20-60 ms from a quiet client.

A parsed expression is a tree of immutable nodes (``find`` and ``update_or_create`` change the
data they are given, never the expression), so here each module's ``parse`` is memoised by the
path's text. A state machine has a fixed set of paths, so the cache stays small; it is bounded
all the same. ``HOSTEXEC_JSONPATH_CACHE=0`` turns it off.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
from collections.abc import Callable
from typing import Any

LOG = logging.getLogger(__name__)
MAX_PATHS = 4096
# The modules of LocalStack's Step Functions that call ``parse(path)`` by their global name.
MODULES = (
    "localstack.services.stepfunctions.asl.utils.json_path",
    "localstack.services.stepfunctions.asl.component.common.path.result_path",
)


def cached(parse: Callable[..., Any]) -> Callable[..., Any]:
    """``parse`` memoised by its arguments (the path, and ``debug`` where given)."""
    if getattr(parse, "__hostexec_cached__", False):
        return parse
    wrapper = functools.lru_cache(maxsize=MAX_PATHS)(parse)
    setattr(wrapper, "__hostexec_cached__", True)  # noqa: B010 - a marker on a function
    return wrapper


def install() -> list[str]:
    """Memoise ``parse`` in each of ``MODULES``; the modules patched."""
    if os.environ.get("HOSTEXEC_JSONPATH_CACHE", "1") == "0":
        LOG.warning("hostexec: JSONPath cache disabled (HOSTEXEC_JSONPATH_CACHE=0)")
        return []
    patched: list[str] = []
    for name in MODULES:
        module = importlib.import_module(name)
        parse = getattr(module, "parse", None)
        if parse is None:  # a LocalStack whose module no longer parses by that name
            LOG.warning("hostexec: %s has no parse(); its JSONPath is not cached", name)
            continue
        module.parse = cached(parse)  # type: ignore[attr-defined]
        patched.append(name)
    return patched
