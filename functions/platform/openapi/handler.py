"""GET /v1/openapi.json: the whole API's OpenAPI document (generated, shipped with the code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.responses import JSONResponse

from shared.http.app import PUBLIC, create_app, lambda_handler_for

# The document sits at the root of the repository and of the function's code asset alike.
DOCUMENT_PATH = Path(__file__).resolve().parents[3] / "openapi.json"
_document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))

app = create_app("OpenAPI document")


@app.get(
    "/v1/openapi.json",
    tags=["platform"],
    summary="The whole API's OpenAPI document",
    openapi_extra=PUBLIC,
)
def get_openapi() -> JSONResponse:
    return JSONResponse(_document, headers={"Cache-Control": "public, max-age=300"})


handler = lambda_handler_for(app)
