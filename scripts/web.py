"""The local web app (issue 15): build web/ and put it in the stage's web bucket, which
LocalStack serves as a website at the stack output WebUrl (cdk constructs/web.py).

    python -m scripts.web publish     (scripts/stack.py runs it after every deploy)
    python -m scripts.web build       (npm run build: typed client, tsc, vite)

In AWS the same files go through CDK's BucketDeployment with the same cache headers: hashed
assets for a year, index.html and config.json revalidated on every load.
"""

from __future__ import annotations

import json
import mimetypes
import subprocess
import sys
from pathlib import Path

from scripts import localenv

WEB = localenv.ROOT / "web"
DIST = WEB / "dist"
ASSETS_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
}


def build() -> None:
    subprocess.run(["npm", "--prefix", str(WEB), "run", "build", "--silent"], check=True)


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0]
    return TYPES.get(path.suffix) or guessed or "application/octet-stream"


def files(dist: Path = DIST) -> list[tuple[str, Path]]:
    """(key, file) of every file the site serves (Vite's manifest stays out)."""
    return sorted(
        (p.relative_to(dist).as_posix(), p)
        for p in dist.rglob("*")
        if p.is_file() and ".vite" not in p.relative_to(dist).parts
    )


def publish() -> str:
    """Build, then put the files and config.json; the WebUrl."""
    build()
    outputs = localenv.stack_outputs()
    bucket = outputs["WebBucketName"]
    s3 = localenv.client("s3")
    # Assets first, the page that names them last: a load in between never finds a missing file.
    ordered = sorted(files(), key=lambda item: item[0] == "index.html")
    for key, path in ordered:
        cache = ASSETS_CACHE if key.startswith("assets/") else PAGE_CACHE
        s3.put_object(
            Bucket=bucket, Key=key, Body=path.read_bytes(),
            ContentType=content_type(path), CacheControl=cache,
        )  # fmt: skip
    config = json.dumps({"apiUrl": outputs["ApiUrl"]}).encode()
    s3.put_object(
        Bucket=bucket, Key="config.json", Body=config,
        ContentType="application/json", CacheControl=PAGE_CACHE,
    )  # fmt: skip
    url = outputs["WebUrl"]
    print(f"web app: {len(ordered)} files in s3://{bucket}; {url}")
    return url


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "publish"
    if command == "build":
        build()
    elif command == "publish":
        publish()
    else:
        raise SystemExit("usage: python -m scripts.web [publish|build]")


if __name__ == "__main__":
    main()
