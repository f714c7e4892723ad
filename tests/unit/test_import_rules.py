"""The layering, checked on every import statement (lazy and type-only ones included):

- the kernel (shared's plumbing) imports no bounded context;
- a context imports the kernel, itself, and of another context only its ``public`` module;
- a function under ``functions/<context>/`` follows its context's rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERNEL = frozenset(
    {
        "appkey",
        "auth",
        "dal",
        "errors",
        "events",
        "groq",
        "http",
        "models",
        "observability",
        "settings",
    }
)
CONTEXTS = frozenset(
    {
        "analysis",
        "billing",
        "identity",
        "interviews",
        "media",
        "notifications",
        "platform",
        "privacy",
        "reports",
    }
)
PUBLIC = "public"


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute module name an import in ``path`` names (``from a import b`` gives both
    ``a`` and ``a.b``, since ``b`` may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def owner(module: str) -> str | None:
    """'kernel', a context's name, or None for anything outside our ``shared`` package."""
    parts = module.split(".")
    if parts[0] != "shared" or len(parts) == 1:
        return None
    if parts[1] in KERNEL:
        return "kernel"
    if parts[1] in CONTEXTS:
        return parts[1]
    return f"unclassified:{parts[1]}"


def violation(importer: str, module: str) -> str | None:
    """Why ``importer`` (kernel or a context) may not import ``module``, or None."""
    target = owner(module)
    if target is None or target in ("kernel", importer):
        return None
    if target.startswith("unclassified:"):
        return f"{module} is in neither the kernel nor a context (add it to KERNEL or CONTEXTS)"
    if importer == "kernel":
        return f"the kernel imports the {target} context ({module})"
    parts = module.split(".")
    if len(parts) == 2 or parts[2] == PUBLIC:
        return None  # `from shared.media import public` names shared.media first: allowed
    return f"{importer} imports {target}'s internals ({module}); use shared.{target}.{PUBLIC}"


def sources() -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / "shared").rglob("*.py")):
        top = path.relative_to(ROOT / "shared").parts[0].removesuffix(".py")
        yield ("kernel" if top in KERNEL or top == "__init__" else top), path
    for path in sorted((ROOT / "functions").rglob("*.py")):
        parts = path.relative_to(ROOT / "functions").parts
        if len(parts) > 1:
            yield parts[0], path


def violations_of(importer: str, path: Path) -> list[str]:
    found = []
    for lineno, module in imported_modules(path):
        why = violation(importer, module)
        if why:
            found.append(f"{path.relative_to(ROOT)}:{lineno}: {why}")
    # `from shared.media import reads` is shared.media.reads: judged above; duplicates removed.
    return sorted(set(found))


def test_every_module_belongs_to_the_kernel_or_a_context() -> None:
    tops = {p.name.removesuffix(".py") for p in (ROOT / "shared").iterdir()}
    tops -= {"__init__", "__pycache__"}
    assert tops <= KERNEL | CONTEXTS, tops - (KERNEL | CONTEXTS)
    assert {p.name for p in (ROOT / "functions").iterdir() if p.is_dir()} - {"__pycache__"} <= (
        CONTEXTS
    )


def test_no_forbidden_import_arrow() -> None:
    found = [v for importer, path in sources() for v in violations_of(importer, path)]
    assert found == []


@pytest.mark.parametrize(
    ("importer", "module", "allowed"),
    [
        ("kernel", "shared.dal.sql", True),
        ("kernel", "shared.identity.public", False),
        ("kernel", "shared.identity.dal", False),
        ("interviews", "shared.identity.public", True),
        ("interviews", "shared.identity", True),
        ("interviews", "shared.identity.dal", False),
        ("interviews", "shared.interviews.dal", True),
        ("media", "shared.analysis.models", False),
        ("analysis", "boto3", True),
        ("analysis", "shared.newthing.x", False),
    ],
)
def test_the_rule_itself(importer: str, module: str, allowed: bool) -> None:
    assert (violation(importer, module) is None) is allowed
