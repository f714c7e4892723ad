"""A candidate account's invitations against real PostgreSQL: an unverified email is refused
(403 email-not-verified), never answered with another address's invitations; its data (export,
erasure) is refused with the same problem type."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from shared.dal.db import conninfo_for
from shared.dal.migrator import migrate
from shared.identity import dal as identity_dal
from shared.identity.caller import EmailNotVerifiedError, load_caller
from shared.interviews.candidate_account import my_invitations
from shared.privacy.rights import account_invitations
from shared.settings import DatabaseSettings


def test_an_unverified_email_is_refused_with_its_reason(
    database_settings: DatabaseSettings,
) -> None:
    conninfo = conninfo_for(database_settings)
    migrate(conninfo)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Given a candidate account whose email is not verified
        email = f"unverified-{uuid.uuid4().hex[:8]}@example.com"
        user = identity_dal.insert_user(conn, email, "x", "candidate", verified=False)
        caller = load_caller(conn, str(user.id), "t")

        # When it lists its invitations / Then 403 with the email-not-verified type
        with pytest.raises(EmailNotVerifiedError) as refused:
            my_invitations(conn, caller, limit=20, cursor=None)
        assert refused.value.status == 403
        assert refused.value.type_slug == "email-not-verified"
        # and its data rights (export, erasure by account) are refused the same way
        with pytest.raises(EmailNotVerifiedError) as data_refused:
            account_invitations(conn, caller)
        assert data_refused.value.type_slug == "email-not-verified"

        # When the email is verified / Then the list answers (empty: nothing was sent to it)
        identity_dal.mark_email_verified(conn, user.id)
        page: Any = my_invitations(
            conn, load_caller(conn, str(user.id), "t"), limit=20, cursor=None
        )
        assert (page.items, page.next_cursor) == ([], None)
        assert account_invitations(conn, load_caller(conn, str(user.id), "t")) == []
