"""argon2id hashing and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from shared.identity.settings import Argon2Settings, get_argon2_settings

MIN_LENGTH = 12
MAX_LENGTH = 128
# The most common passwords that still pass the length rule; a real deny list would be longer.
_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiop12",
        "letmein12345",
        "iloveyou1234",
        "administrator",
        "welcome12345",
    }
)


def policy_violations(password: str, email: str | None = None) -> list[str]:
    """What is wrong with `password` (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        problems.append("must contain at least one letter and one digit")
    if password.lower() in _COMMON:
        problems.append("is too common")
    if email and email.split("@", 1)[0].lower() in password.lower() and len(email) > 3:
        problems.append("must not contain the email's name")
    return problems


def hasher_for(settings: Argon2Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.time_cost,
        memory_cost=settings.memory_kib,
        parallelism=settings.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


@lru_cache(maxsize=1)
def default_hasher() -> PasswordHasher:
    return hasher_for(get_argon2_settings())


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("a dummy password nobody has 0")


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    return (hasher or default_hasher()).hash(password)


def verify_password(
    stored_hash: str | None, password: str, hasher: PasswordHasher | None = None
) -> bool:
    """True when `password` matches. With no stored hash (no such user) the same work is done
    against a dummy hash, so the answer takes as long either way."""
    hasher = hasher or default_hasher()
    try:
        return hasher.verify(stored_hash or _dummy_hash(hasher), password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False
