"""Step Functions, as the analysis sweep asks it: the status of one execution."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from shared.analysis.sweep import Execution, ExecutionUnknown
from shared.dal.aws import sfn_client


def describe_execution(arn: str) -> Execution:
    try:
        answer = sfn_client().describe_execution(executionArn=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return Execution(status="MISSING")
        raise ExecutionUnknown(str(exc)[:500]) from exc
    except BotoCoreError as exc:
        raise ExecutionUnknown(str(exc)[:500]) from exc
    return Execution(
        status=str(answer["status"]), error=answer.get("error"), cause=answer.get("cause")
    )
