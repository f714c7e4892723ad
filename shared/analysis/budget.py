"""Groq's request and token budgets, shared by every interview (issue 16).

Concurrent interviews call the same model on the same account: each call first takes one request
and its estimated tokens from the model's rolling 60 s window in PostgreSQL (one row per model
and second, takers of a model serialised), counted as Groq counts them. When the window is full
the call is not sent; ``BudgetExhausted`` (a ``GroqRateLimited``) tells the step to wait until
the window's oldest call leaves it, which the workflows do in a
Wait state. So a burst queues instead of thrashing on Groq's 429s, and every analysis still ends
(each wait is bounded, and so are the workflows).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from shared.analysis import dal
from shared.analysis.errors import BudgetExhausted
from shared.analysis.settings import ModelLimits
from shared.dal.sql import Conn


class SharedBudget:
    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Conn]],
        model: str,
        limits: ModelLimits,
    ) -> None:
        self._transaction = transaction
        self._model = model
        self._limits = limits

    def take(self, tokens: int) -> None:
        """One request and ``tokens`` from the rolling window, or BudgetExhausted with the
        wait."""
        with self._transaction() as conn:
            wait = dal.take_budget(conn, self._model, tokens, self._limits.rpm, self._limits.tpm)
        if wait is not None:
            raise BudgetExhausted(f"the shared budget of {self._model} is used up for now", wait)


def budget_for(
    transaction: Callable[[], AbstractContextManager[Conn]],
    model: str,
    limits: dict[str, ModelLimits],
) -> Callable[[int], None] | None:
    """The model's shared budget (its ``take``), or None when no limits are set for it."""
    found = limits.get(model)
    return SharedBudget(transaction, model, found).take if found is not None else None
