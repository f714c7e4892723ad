"""Build the Lambda code asset and the dependencies layer locally, without Docker.

Usage: python layers/build.py [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# An isolated local stage (PLATFORM_LOCAL_STAGE) builds apart, so two deploys never race.
_STAGE = os.environ.get("PLATFORM_LOCAL_STAGE", "local")
BUILD = ROOT / (".build" if _STAGE == "local" else f".build.{_STAGE}")
CODE_DIR = BUILD / "code"
DEPS_DIR = BUILD / "layers" / "deps"
# The media pipeline's layers: ffmpeg (the static binary imageio-ffmpeg ships, as /opt/bin/ffmpeg)
# and the offline speech engine (pocketsphinx with its en-us model, as /opt/python).
FFMPEG_DIR = BUILD / "layers" / "ffmpeg"
ASR_DIR = BUILD / "layers" / "asr"
MEDIA_GROUP = "media"
CODE_SOURCES = ("functions", "shared")
CODE_SUFFIXES = {".py", ".sql", ".json", ".txt", ".html"}
PYTHON_VERSION = "3.12"
# AWS Lambda python3.12 runs on Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels and older fit.
PLATFORM = "x86_64-manylinux_2_28"


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        sys.exit("uv is not on PATH: run `make setup` first")
    return uv


def locked_requirements() -> str:
    """The runtime requirements pinned by uv.lock (no dev, no CDK), as requirements.txt text."""
    result = subprocess.run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-default-groups",
            "--no-hashes",
            "--no-emit-project",
            "--format",
            "requirements-txt",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def build_deps_layer(force: bool = False) -> bool:
    """Install the locked runtime dependencies as the layer's python/ directory."""
    requirements = locked_requirements()
    digest = hashlib.sha256(f"{PLATFORM}|{PYTHON_VERSION}|{requirements}".encode()).hexdigest()
    # The stamp lives beside the layer, not inside it, so it never ships in /opt.
    stamp = BUILD / "layers" / "deps.stamp"
    if not force and stamp.exists() and stamp.read_text() == digest:
        return False
    shutil.rmtree(DEPS_DIR, ignore_errors=True)
    DEPS_DIR.mkdir(parents=True)
    req_file = BUILD / "deps-requirements.txt"
    req_file.write_text(requirements)
    subprocess.run(
        [
            _uv(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(DEPS_DIR / "python"),
            "--python-platform",
            PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "-r",
            str(req_file),
        ],
        cwd=ROOT,
        check=True,
    )
    _compile(DEPS_DIR / "python")
    stamp.write_text(digest)
    return True


def media_requirements() -> str:
    """The media group's pins from uv.lock (imageio-ffmpeg, pocketsphinx)."""
    result = subprocess.run(
        [
            _uv(),
            "export",
            "--frozen",
            "--only-group",
            MEDIA_GROUP,
            "--no-hashes",
            "--no-emit-project",
            "--format",
            "requirements-txt",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def build_media_layers(force: bool = False) -> bool:
    """ffmpeg layer (bin/ffmpeg) and speech layer (python/pocketsphinx) from the locked wheels."""
    requirements = media_requirements()
    digest = hashlib.sha256(f"{PLATFORM}|{PYTHON_VERSION}|{requirements}".encode()).hexdigest()
    stamp = BUILD / "layers" / "media.stamp"
    if not force and stamp.exists() and stamp.read_text() == digest:
        return False
    staging = BUILD / "layers" / "media-staging"
    for directory in (FFMPEG_DIR, ASR_DIR, staging):
        shutil.rmtree(directory, ignore_errors=True)
    staging.mkdir(parents=True)
    req_file = BUILD / "media-requirements.txt"
    req_file.write_text(
        "".join(line + "\n" for line in requirements.splitlines() if line.startswith("imageio-"))
    )
    subprocess.run(
        [
            _uv(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(staging),
            "--python-platform",
            PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "-r",
            str(req_file),
        ],
        cwd=ROOT,
        check=True,
    )
    binaries = sorted((staging / "imageio_ffmpeg" / "binaries").glob("ffmpeg-linux*"))
    if not binaries:
        sys.exit("imageio-ffmpeg shipped no linux ffmpeg binary")
    (FFMPEG_DIR / "bin").mkdir(parents=True)
    ffmpeg = FFMPEG_DIR / "bin" / "ffmpeg"
    shutil.move(binaries[0], ffmpeg)
    ffmpeg.chmod(0o755)
    # pocketsphinx publishes no manylinux wheel, only an sdist: `uv sync` built it for this
    # machine's CPython 3.12 (glibc of the build host). Ship that build; for AWS, build the
    # project venv on Amazon Linux 2023 (or a manylinux_2_28 image) first.
    (ASR_DIR / "python").mkdir(parents=True)
    site = ROOT / ".venv" / "lib" / f"python{PYTHON_VERSION}" / "site-packages"
    for entry in site.glob("pocketsphinx*"):
        target = ASR_DIR / "python" / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, target)
    if not (ASR_DIR / "python" / "pocketsphinx").is_dir():
        sys.exit("pocketsphinx is not installed in .venv: run `make setup` first")
    shutil.rmtree(staging)
    _compile(ASR_DIR / "python")
    stamp.write_text(digest)
    return True


def _sources(prefix: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / prefix).rglob("*"))
        if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts
    ]


DOCUMENT_CONTEXT = "platform"
# The fonts the candidate's PDF embeds (about 5.5 MB): only in the function that renders it.
FONT_FILES = (
    "shared/reports/fonts/DejaVuSans.ttf",
    "shared/reports/fonts/DejaVuSans-Bold.ttf",
    "shared/reports/fonts/DroidSansFallbackFull.ttf",
)
FONT_ASSETS = frozenset({"reports.consumer"})


def use_cases() -> list[str]:
    """Every function's code asset: functions/<context>/<use case>/, as "<context>.<use case>"."""
    return sorted(
        f"{handler.parent.parent.name}.{handler.parent.name}"
        for handler in (ROOT / "functions").glob("*/*/handler.py")
    )


def asset_key(module: str) -> str:
    """functions.<context>.<use case>.handler[.handler] -> "<context>.<use case>"."""
    parts = module.split(".")
    return f"{parts[1]}.{parts[2]}"


def code_dir(key: str) -> Path:
    return CODE_DIR / key


def code_stamp(key: str) -> Path:
    """The asset's content hash (CDK uses it instead of hashing the directory at every synth)."""
    return BUILD / "code-stamps" / key


def build_code_asset() -> None:
    """One code asset per function: its handler package and the shared package (and, for the
    platform's fallback and OpenAPI functions, the OpenAPI document they read).

    A handler's change touches its function's asset only, so a deploy updates that function and
    nothing else; a change in shared/ updates every function. Only source files are copied, so
    an asset's hash changes only when its code does. shared/ is compiled once and copied.
    """
    common = CODE_DIR / "_common"
    shutil.rmtree(CODE_DIR, ignore_errors=True)
    shutil.rmtree(BUILD / "code-stamps", ignore_errors=True)
    (BUILD / "code-stamps").mkdir(parents=True)
    shared = [*_sources("shared"), ROOT / "functions" / "__init__.py"]
    shared += [p / "__init__.py" for p in sorted((ROOT / "functions").iterdir()) if p.is_dir()]
    shared = [p for p in shared if p.is_file()]
    shared_digest = hashlib.sha256()
    for path in shared:
        relative = path.relative_to(ROOT)
        shared_digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
        target = common / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    _compile(common)
    own_dirs: list[Path] = []
    for key in use_cases():
        context, use_case = key.split(".")
        digest = shared_digest.copy()
        target_root = code_dir(key)
        # Hard links: 58 copies of shared/ cost no disk and no time; each asset zips its own view.
        shutil.copytree(common, target_root, copy_function=os.link)
        files = _sources(f"functions/{context}/{use_case}")
        if key.startswith(f"{DOCUMENT_CONTEXT}."):
            files.append(ROOT / "openapi.json")
        if key in FONT_ASSETS:
            files += [ROOT / name for name in FONT_FILES]
        for path in files:
            relative = path.relative_to(ROOT)
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
            target = target_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        own_dirs.append(target_root / "functions" / context / use_case)
        code_stamp(key).write_text(digest.hexdigest())
    _compile(*own_dirs)
    shutil.rmtree(common)


def _compile(*directories: Path) -> None:
    """Ship bytecode: /opt and /var/task are read-only in Lambda, so a cold start would otherwise
    compile every imported module. Unchecked hashes: extraction resets file times."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            *(str(d) for d in directories),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="rebuild the layer even if unchanged")
    args = parser.parse_args()
    rebuilt = build_deps_layer(force=args.force)
    media = build_media_layers(force=args.force)
    build_code_asset()
    print(
        f"layer deps: {'rebuilt' if rebuilt else 'up to date'}; "
        f"media layers: {'rebuilt' if media else 'up to date'}; "
        f"code assets: {len(use_cases())} in {CODE_DIR}"
    )


if __name__ == "__main__":
    main()
