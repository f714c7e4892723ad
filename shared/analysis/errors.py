"""Why a Groq call failed, as exception classes whose NAMES the state machine's Retry and Catch
list (a Lambda's error name is its exception's class name): never decided by message text."""

from __future__ import annotations


class AnalysisStepError(Exception):
    """Base of the errors a workflow step raises on purpose."""


class GroqRateLimited(AnalysisStepError):
    """429 within a rate window: retry after ``retry_after_s`` (jittered)."""

    def __init__(self, message: str, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BudgetExhausted(GroqRateLimited):
    """Our shared budget for the model has no room left this minute: the call was not sent;
    wait ``retry_after_s`` (the next minute). Step Functions sees it as GroqRateLimited."""


class GroqDailyQuotaExceeded(AnalysisStepError):
    """429 because the day's quota is used up: retrying today is pointless, fail fast."""


class GroqServerError(AnalysisStepError):
    """5xx from Groq: retry with backoff."""


class GroqTimeout(AnalysisStepError):
    """No answer within the client's timeout (or the connection dropped): retry with backoff."""


class GroqRequestRejected(AnalysisStepError):
    """4xx other than 429 (bad key, model unknown, request too large): not retried."""


class MalformedCompletion(AnalysisStepError):
    """The completion is not the JSON we asked for (the engine re-asks once before this)."""


class AnalysisNotRunning(AnalysisStepError):
    """The step belongs to an attempt that is no longer the running one (a stale execution)."""


# Names the ASL's Retry/Catch list; a test checks they match these classes.
RETRYABLE = ("GroqRateLimited", "GroqServerError", "GroqTimeout")
FATAL = ("GroqDailyQuotaExceeded", "GroqRequestRejected")


class DependencyUnavailable(AnalysisStepError):
    """The database or an AWS API did not answer in time (a cold, busy or restarting
    dependency): retry with backoff."""


RETRYABLE_DEPENDENCY = ("DependencyUnavailable",)
