"""Two checks LocalStack's S3 leaves out, put back, so local tests of our upload policy prove
what they say (issue 13, finding 14). Run LocalStack through it:

    python -m hostexec.s3guard        (what ``localstack/ctl.py start`` does)

installs them (and ``hostexec.rolecache``, ``hostexec.jsonpathcache``,
``hostexec.sfnevents``) and then runs ``localstack.runtime.main``. With
``S3_SKIP_SIGNATURE_VALIDATION=0`` (set by ctl.py) LocalStack itself verifies presigned URLs
(signature and expiry) and a POST policy's expiry and conditions; it does not verify a POST
policy's signature (its code says
"TODO: validate the signature") and it serves requests that carry no credentials at all. Here:

* a browser POST must carry a policy, and the policy's signature (SigV4 or SigV2) must be the
  one its access key's secret gives: a re-written policy or a forged signature is 403;
* a request with no credentials (no ``Authorization`` header, no presigned query, not a POST
  form) is 403 AccessDenied, as on a bucket whose public access is blocked (ours all are).

Still not enforced locally: header-signed requests' signatures (any credentials pass), bucket
policies, public access blocks and ACLs as such, IAM. LocalStack's community edition is archived,
so these stay our patch, kept as small as possible and tested in tests/integration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import runpy
from typing import Any

_PRESIGNED_QUERY = frozenset({"X-Amz-Signature", "X-Amz-Credential", "Signature", "AWSAccessKeyId"})


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def expected_post_signature(form: dict[str, str], secret: str) -> str | None:
    """The signature a POST policy must carry, from the secret of its access key (None when the
    form names no signature scheme)."""
    policy = form.get("policy", "")
    if "x-amz-signature" in form:
        # x-amz-credential: <key id>/<yyyymmdd>/<region>/<service>/aws4_request
        parts = form.get("x-amz-credential", "").split("/")
        if len(parts) != 5:
            return ""
        _, date, region, service, terminal = parts
        key = _hmac(f"AWS4{secret}".encode(), date)
        for step in (region, service, terminal):
            key = _hmac(key, step)
        return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
    if "signature" in form:
        digest = hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()
    return None


def _require_signed_post(request_form: Any) -> None:
    from localstack.services.s3 import presigned_url

    form = {k.lower(): v for k, v in request_form.items()}
    if not form.get("policy"):
        # AWS takes an unsigned POST only on a publicly writable bucket; ours never are.
        raise presigned_url.AccessDenied("Access Denied (a POST needs a signed policy)")
    region = "us-east-1"
    parts = form.get("x-amz-credential", "").split("/")
    if len(parts) == 5:
        region = parts[2]
    credentials = presigned_url.get_credentials_from_parameters(request_form, region)
    expected = expected_post_signature(form, credentials.secret_access_key)
    given = form.get("x-amz-signature") or form.get("signature") or ""
    if not expected or not hmac.compare_digest(expected, given):
        raise presigned_url.SignatureDoesNotMatch(
            "The request signature we calculated does not match the signature you provided."
        )


def _anonymous(request: Any) -> bool:
    if request.method == "OPTIONS":  # CORS preflights carry no credentials anywhere
        return False
    if request.headers.get("Authorization"):
        return False
    if _PRESIGNED_QUERY & set(request.args):
        return False
    content_type = request.headers.get("Content-Type", "")
    # A browser's POST form carries its credentials in the form: checked by the policy check.
    return not (request.method == "POST" and content_type.startswith("multipart/form-data"))


def install() -> None:
    from localstack.services.s3 import presigned_url, provider

    validate_post_policy = presigned_url.validate_post_policy

    def validate_signed_post_policy(request_form: Any, additional_policy_metadata: dict) -> None:  # type: ignore[type-arg]
        _require_signed_post(request_form)
        validate_post_policy(request_form, additional_policy_metadata)

    # provider.py imported the function by name: replace it where it is called.
    provider.validate_post_policy = validate_signed_post_policy

    handler = presigned_url.S3PreSignedURLRequestHandler
    check_presigned = handler.__call__

    def refuse_anonymous(self: Any, chain: Any, context: Any, response: Any) -> None:
        service = getattr(context, "service", None)
        if service is not None and service.service_name == "s3" and _anonymous(context.request):
            context.operation = self._get_op_from_request(context.request)
            raise presigned_url.AccessDenied("Access Denied (anonymous requests are refused)")
        check_presigned(self, chain, context, response)

    handler.__call__ = refuse_anonymous


def main() -> None:
    from hostexec import jsonpathcache, rolecache, sfnevents

    install()
    # Not S3 checks: the launcher's other patches (see their docstrings).
    rolecache.install()
    jsonpathcache.install()
    sfnevents.install()
    runpy.run_module("localstack.runtime.main", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
