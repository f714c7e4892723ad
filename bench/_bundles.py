"""What each app of web/ costs a browser: the gzipped size of every JavaScript and CSS file a
first load of it fetches, read from Vite's manifest (web/dist/.vite/manifest.json).

index.html's entry chooses the app by path and imports it dynamically, so the candidate's bundle
is the entry's closure plus the candidate chunk's closure (its static imports and CSS); HR's the
same with HR's chunk. Used by bench/web.py.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
APPS = {"candidate": "src/candidate/app.tsx", "hr": "src/hr/app.tsx"}


def _closure(manifest: dict[str, Any], start: str) -> set[str]:
    """Files a chunk needs at once: itself, its CSS, its static imports' files (transitively)."""
    files: set[str] = set()
    todo = [start]
    seen: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        chunk = manifest[key]
        files.add(chunk["file"])
        files.update(chunk.get("css", []))
        todo.extend(chunk.get("imports", []))
    return files


def gzip_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024


def bundle_files(app: str, dist: Path = DIST) -> set[str]:
    manifest: dict[str, Any] = json.loads((dist / ".vite" / "manifest.json").read_text())
    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    return _closure(manifest, entry) | _closure(manifest, APPS[app]) | {"index.html"}


def bundle_gzip_kb(app: str, dist: Path = DIST) -> float:
    return sum(gzip_kb(dist / name) for name in bundle_files(app, dist))
