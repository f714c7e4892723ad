"""External identities: another configured OIDC issuer's (iss, sub) linked to one of our users.

A token of another issuer never names our user by its `sub`; it counts only through a link,
and a link is made explicitly: the user, signed in with our own token, presents a token of the
other issuer (verified like any bearer token: signature by that issuer's JWKS, audience, times).
A link is never moved to another user (409), and linking again is a no-op.
"""

from __future__ import annotations

from shared.auth.errors import AuthenticationError
from shared.auth.tokens import TokenVerifier
from shared.dal.sql import Conn
from shared.errors import ConflictError, PermissionDeniedError, UnprocessableError
from shared.identity import dal
from shared.identity.caller import Caller
from shared.identity.models import ExternalIdentityOut


def link_identity(
    conn: Conn, caller: Caller, token: str, *, verifier: TokenVerifier, our_issuer: str
) -> ExternalIdentityOut:
    if caller.token_issuer != our_issuer:
        # Linking needs our own session: a linked identity cannot link further ones.
        raise PermissionDeniedError("Sign in with this platform's token to link an identity.")
    try:
        claims = verifier.verify(token)
    except AuthenticationError as exc:
        # The caller is authenticated; the token they present is what is wrong.
        raise UnprocessableError("The token is not valid for any configured issuer.") from exc
    if claims.issuer == our_issuer:
        raise UnprocessableError("The token is this platform's own, not another issuer's.")
    linked = dal.link_external_identity(conn, claims.issuer, claims.subject, caller.id)
    if linked != caller.id:
        raise ConflictError("This external identity is linked to another account.")
    (row,) = [
        r
        for r in dal.list_external_identities(conn, caller.id)
        if r["issuer"] == claims.issuer and r["subject"] == claims.subject
    ]
    return ExternalIdentityOut.model_validate(row)


def list_identities(conn: Conn, caller: Caller) -> list[ExternalIdentityOut]:
    rows = dal.list_external_identities(conn, caller.id)
    return [ExternalIdentityOut.model_validate(r) for r in rows]
