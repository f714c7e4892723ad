"""The candidate flow's injected dependencies, and the process's default wiring."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from shared.dal.db import transaction
from shared.dal.sql import Conn
from shared.interviews.settings import CandidateSettings, get_candidate_settings

if TYPE_CHECKING:
    from shared.interviews.storage import MediaStorage

Transact = Callable[[], AbstractContextManager[Conn]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Deps:
    """What the use cases need, injected: the transaction factory, settings, storage (made on
    first use: only the upload and answer functions talk to S3), clock."""

    transact: Transact
    settings: CandidateSettings
    storage: Callable[[], MediaStorage] | None = None
    now: Callable[[], datetime] = field(default=_utcnow)

    def media(self) -> MediaStorage:
        if self.storage is None:
            raise RuntimeError("this use case needs the media storage")
        return self.storage()


def default_deps() -> Deps:
    """The process's deps: the pool's transactions, settings from the environment, the bucket."""
    from shared.interviews.storage import default_storage  # noqa: PLC0415 - boto3 on demand

    return Deps(transact=transaction, settings=get_candidate_settings(), storage=default_storage)
