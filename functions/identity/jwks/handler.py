"""GET /.well-known/jwks.json: the public keys our tokens are signed with (current and previous)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.auth.http import key_store
from shared.http.app import PUBLIC, create_app, lambda_handler_for

app = create_app("JWKS")


@app.get(
    "/.well-known/jwks.json", tags=["identity"], summary="JSON Web Key Set", openapi_extra=PUBLIC
)
def jwks() -> JSONResponse:
    return JSONResponse(key_store().ring().jwks(), headers={"Cache-Control": "public, max-age=300"})


handler = lambda_handler_for(app)
