"""Move dead letters back to the queue they came from, once their cause is fixed.

python -m scripts.redrive AuditQueueUrl            a stack output name (local stack) ...
python -m scripts.redrive http://.../queue-url     ... or a queue URL
python -m scripts.redrive AuditQueueUrl --aws      against AWS (default credentials), not LocalStack

The dead-letter queue is found through the source queue's RedrivePolicy. SQS's own message move
task is used when the endpoint supports it; otherwise messages are received from the DLQ, sent to
the source queue and only then deleted, in a loop with a deadline. Prints what was moved.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from scripts import localenv

DEFAULT_DEADLINE_S = 120.0
_UNSUPPORTED = {"UnsupportedOperation", "InvalidAction", "NotImplemented", "InternalFailure"}


@dataclass(frozen=True, slots=True)
class Queues:
    source_url: str
    source_arn: str
    dlq_url: str
    dlq_arn: str


def resolve(sqs: Any, queue: str) -> Queues:
    if not queue.startswith(("http://", "https://")):
        queue = localenv.stack_outputs()[queue]
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn", "RedrivePolicy"]
    )["Attributes"]
    if "RedrivePolicy" not in attributes:
        raise SystemExit(f"{queue} has no dead-letter queue (no RedrivePolicy)")
    dlq_arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    _, _, _, _, account, dlq_name = dlq_arn.split(":")
    dlq_url = sqs.get_queue_url(QueueName=dlq_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return Queues(queue, attributes["QueueArn"], dlq_url, dlq_arn)


def depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def move_with_task(sqs: Any, queues: Queues, deadline: float) -> int | None:
    """SQS's message move task; None when the endpoint does not offer it."""
    try:
        handle = sqs.start_message_move_task(
            SourceArn=queues.dlq_arn, DestinationArn=queues.source_arn
        )["TaskHandle"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _UNSUPPORTED:
            return None
        raise
    while time.monotonic() < deadline:
        tasks = sqs.list_message_move_tasks(SourceArn=queues.dlq_arn, MaxResults=10)["Results"]
        task = next((t for t in tasks if t.get("TaskHandle") == handle), tasks[0] if tasks else {})
        status = task.get("Status")
        if status == "COMPLETED":
            return int(task.get("ApproximateNumberOfMessagesMoved", 0))
        if status in {"FAILED", "CANCELLED"}:
            raise SystemExit(f"message move task {status}: {task.get('FailureReason', '')}")
        time.sleep(0.5)  # poll interval within the deadline
    sqs.cancel_message_move_task(TaskHandle=handle)
    raise SystemExit("message move task did not complete before the deadline")


def move_by_copy(sqs: Any, queues: Queues, deadline: float) -> int:
    """Receive, send to the source queue, then delete: a crash in between duplicates a message
    (consumers dedupe) but never loses one."""
    moved = 0
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=queues.dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return moved
        entries = []
        for index, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=queues.source_url, Entries=entries)
        done = [messages[int(ok["Id"])] for ok in sent.get("Successful", [])]
        if done:
            sqs.delete_message_batch(
                QueueUrl=queues.dlq_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        moved += len(done)
        if sent.get("Failed"):
            raise SystemExit(f"could not send {len(sent['Failed'])} messages: {sent['Failed']}")
    raise SystemExit(f"deadline reached after moving {moved} messages")


def redrive(sqs: Any, queue: str, deadline_s: float = DEFAULT_DEADLINE_S) -> tuple[str, int]:
    """Move every message of ``queue``'s DLQ back to it; (method used, messages moved)."""
    queues = resolve(sqs, queue)
    deadline = time.monotonic() + deadline_s
    moved = move_with_task(sqs, queues, deadline)
    if moved is not None:
        return "message-move-task", moved
    return "receive-send-delete", move_by_copy(sqs, queues, deadline)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("queue", help="source queue: a stack output name or a queue URL")
    parser.add_argument("--aws", action="store_true", help="use AWS, not the local stack")
    parser.add_argument("--deadline-s", type=float, default=DEFAULT_DEADLINE_S)
    args = parser.parse_args()
    sqs = boto3.client("sqs") if args.aws else localenv.client("sqs")
    queues = resolve(sqs, args.queue)
    before = depth(sqs, queues.dlq_url)
    print(f"dead-letter queue {queues.dlq_url}: {before} messages")
    method, moved = redrive(sqs, args.queue, args.deadline_s)
    print(f"moved {moved} messages back to {queues.source_url} ({method})")
    print(f"dead-letter queue now holds {depth(sqs, queues.dlq_url)} messages")
    if before and not moved:
        sys.exit("nothing was moved")


if __name__ == "__main__":
    main()
