"""The caller's avatar: a presigned upload (jpeg/png, <= 5 MB), then a confirm that checks it."""

from __future__ import annotations

from fastapi import Request

from shared.auth.settings import get_auth_settings
from shared.dal.aws import s3_client
from shared.http.app import create_app, lambda_handler_for
from shared.identity import avatars, profile
from shared.identity.models import AvatarConfirmRequest, AvatarUpload, AvatarUploadRequest, UserOut
from shared.identity.public import caller_transaction
from shared.settings import get_platform_settings

app = create_app("Avatar")
auth = get_auth_settings()
bucket = get_platform_settings().media_bucket or ""


@app.post("/v1/me/avatar", response_model=AvatarUpload, tags=["identity"])
def start_upload(body: AvatarUploadRequest, request: Request) -> AvatarUpload:
    with caller_transaction(request) as (_, caller):
        return avatars.presign_upload(
            s3_client(),
            bucket,
            caller.id,
            body.content_type,
            max_bytes=auth.avatar_max_bytes,
            expires_s=auth.avatar_url_ttl_s,
        )


@app.post("/v1/me/avatar/confirm", response_model=UserOut, tags=["identity"])
def confirm_upload(body: AvatarConfirmRequest, request: Request) -> UserOut:
    with caller_transaction(request) as (conn, caller):
        key = avatars.check_uploaded(
            s3_client(), bucket, caller.id, body.key, max_bytes=auth.avatar_max_bytes
        )
        return profile.set_avatar(conn, caller, key)


handler = lambda_handler_for(app)
