"""Create an admin (or make an existing account one): admins exist only through this command.

python -m scripts.create_admin --email ops@example.com   (password from ADMIN_PASSWORD or a prompt)

The database comes from the usual DB_* settings (DB_NAME, DB_SECRET_ARN in AWS).
"""

from __future__ import annotations

import argparse
import getpass
import os
import uuid

import psycopg

from shared.dal.db import conninfo_for
from shared.identity import accounts, dal
from shared.identity.passwords import policy_violations
from shared.settings import get_database_settings


def create_admin(conn: psycopg.Connection[object], email: str, password: str) -> uuid.UUID:
    """Idempotent: an existing account with this email becomes an active admin (its password
    is left as it is); otherwise a new admin account is registered."""
    normalised = email.strip().lower()
    problems = policy_violations(password, normalised)
    if problems:
        raise SystemExit("password " + "; ".join(problems))
    with conn.transaction():
        existing = dal.find_user_by_email(conn, normalised)
        if existing is None:
            created = accounts.register(
                conn, normalised, password, correlation_id="create-admin", role="admin"
            )
            return created.id
        dal.set_role(conn, existing.id, "admin")
        dal.set_status(conn, existing.id, "active")
        return existing.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--email", required=True)
    args = parser.parse_args()
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Admin password: ")
    with psycopg.connect(conninfo_for(get_database_settings())) as conn:
        user_id = create_admin(conn, args.email, password)
    print(f"admin {args.email.strip().lower()} is {user_id}")


if __name__ == "__main__":
    main()
