"""GET /.well-known/jwks.json: the public keys our tokens are signed with (current and previous)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.auth.http import create_identity_app, key_store
from shared.http.app import PUBLIC, lambda_handler_for

app = create_identity_app("JWKS")


@app.get(
    "/.well-known/jwks.json", tags=["identity"], summary="JSON Web Key Set", openapi_extra=PUBLIC
)
def jwks() -> JSONResponse:
    return JSONResponse(key_store().ring().jwks(), headers={"Cache-Control": "public, max-age=300"})


handler = lambda_handler_for(app)
