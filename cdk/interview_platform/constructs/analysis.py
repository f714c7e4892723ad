"""AI analysis: the trigger consumer, the analysis state machine and its step functions, and
HR's routes.

- Trigger: a ``Consumer`` (rule -> SQS + DLQ -> Lambda) on invitation.completed, media.processed
  and media.failed; it starts an invitation's analysis once by publishing analysis.started (and
  starts the execution itself after its commit, the rule being the guarantee).
- Workflow: a rule on analysis.started starts ``statemachines/analysis.asl.json`` (load -> Map
  over answers with ``MaxConcurrency`` from the ``analysisMaxConcurrency`` context (default 5)
  -> summary -> score, store and publish; Catch -> mark failed).
- Answers as they arrive: a rule on analysis.answer_ready (the trigger publishes it once an
  answer is final, before the interview completes) starts
  ``statemachines/answer_analysis.asl.json``, which assesses that answer once.
- Sweep: every 5 minutes, running attempts whose execution ended (or never started) are marked
  failed with a reason (analysis.failed).
- Groq: the functions that may call it read the secret ``interview-platform/{stage}/groq``.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from interview_platform import asl
from interview_platform.constants import STATEMACHINES_DIR, secret_name
from interview_platform.constructs.events import Consumer, consumer_timeouts_s, depth_alarm
from interview_platform.constructs.functions import FunctionSpec, PlatformFunctions
from interview_platform.constructs.routes import Routes
from interview_platform.nag import acknowledge, acknowledge_invocations
from interview_platform.refs import Foundation, allow_publish, allow_secret

OUTPUT_STATE_MACHINE_ARN = "AnalysisStateMachineArn"
OUTPUT_TRIGGER_QUEUE_URL = "AnalysisTriggerQueueUrl"
OUTPUT_TRIGGER_DLQ_URL = "AnalysisTriggerDlqUrl"
OUTPUT_LOAD_FUNCTION = "AnalysisLoadFunctionName"
OUTPUT_SWEEP_FUNCTION = "AnalysisSweepFunctionName"
SWEEP_EVERY = Duration.minutes(5)

DEFINITION_FILE = STATEMACHINES_DIR / "analysis.asl.json"
TRIGGER_EVENT_TYPES = (
    "invitation.completed",
    "response.submitted",
    "media.transcribed",
    "media.processed",
    "media.failed",
)
ANSWER_DEFINITION_FILE = STATEMACHINES_DIR / "answer_analysis.asl.json"
OUTPUT_ANSWER_STATE_MACHINE_ARN = "AnswerAnalysisStateMachineArn"
DEFAULT_MAX_CONCURRENCY = 5
_MODULE = "functions.analysis.{}.handler.handler"
# A hung Groq call gives up after this; a step makes at most 4 calls (two re-asks).
_GROQ_TIMEOUT_S = 20
_STEP_TIMEOUT_S = 120
_LOCAL_TRIGGER_TIMEOUTS_S = (20, 30)  # (function timeout, queue visibility timeout)

# (construct name, module, placeholder in the ASL, calls Groq)
_STEPS = (
    ("AnalysisLoad", "load", "LoadFunctionArn", True),
    ("AnalysisAnswer", "answer", "AnswerFunctionArn", True),
    ("AnalysisSummarize", "summarize", "SummarizeFunctionArn", True),
    ("AnalysisStore", "store", "StoreFunctionArn", False),
    ("AnalysisMarkFailed", "mark_failed", "MarkFailedFunctionArn", False),
)


def rate_limits_env(given: object) -> str | None:
    """``analysisRateLimits`` (JSON or a mapping: model -> {"rpm", "tpm"}, the Groq
    organisation's limits) as the functions' ANALYSIS_RATE_LIMITS, checked at synth."""
    if not given:
        return None
    value = json.loads(given) if isinstance(given, str) else given
    if not isinstance(value, dict):
        raise ValueError("analysisRateLimits: a JSON object of model -> {rpm, tpm}")
    for name, limit in value.items():
        if not (isinstance(limit, dict) and set(limit) == {"rpm", "tpm"}):
            raise ValueError(f"analysisRateLimits[{name}]: give rpm and tpm")
        if not all(isinstance(v, int) and v >= 1 for v in limit.values()):
            raise ValueError(f"analysisRateLimits[{name}]: rpm and tpm are positive integers")
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Analysis(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        foundation: Foundation,
        functions: PlatformFunctions,
        routes: Routes,
    ) -> None:
        super().__init__(scope, id)
        stage, local = foundation.stage, foundation.local
        self._local, self._bus = local, foundation.bus
        self.groq_secret_name = secret_name(stage, "groq")
        self.state_machine_name = f"interview-platform-{stage}-analysis"
        max_concurrency = int(
            self.node.try_get_context("analysisMaxConcurrency") or DEFAULT_MAX_CONCURRENCY
        )
        if not 1 <= max_concurrency <= 40:
            raise ValueError("analysisMaxConcurrency must be 1-40")
        # One connection per function instance is all a step needs (no connection is held
        # during a model call); many warm instances must not exhaust PostgreSQL's clients.
        db_env = {"DB_POOL_MAX_SIZE": "1"}
        groq_env = {
            **db_env,
            "GROQ_SECRET_NAME": self.groq_secret_name,
            "GROQ_TIMEOUT_S": str(_GROQ_TIMEOUT_S),
            # Locally tests switch the secret between the fake and no key: every call reads it
            # (one local request), so a switch counts at once, with nothing to wait for.
            "GROQ_CACHE_S": "0" if local else "60",
            "ANALYSIS_MAX_CONCURRENCY": str(max_concurrency),
        }
        model = self.node.try_get_context("analysisModel")
        if model:
            groq_env["ANALYSIS_MODEL"] = str(model)
        limits = rate_limits_env(self.node.try_get_context("analysisRateLimits"))
        if limits:
            groq_env["ANALYSIS_RATE_LIMITS"] = limits

        # ---- the workflow's steps and the state machine ----
        self.steps: dict[str, lambda_.Function] = {}
        substitutions: dict[str, str] = {}
        for name, module, placeholder, calls_groq in _STEPS:
            fn = functions.add(
                FunctionSpec(
                    name,
                    _MODULE.format(module),
                    timeout_s=_STEP_TIMEOUT_S if calls_groq else 30,
                    environment=groq_env if calls_groq else db_env,
                )
            )
            if calls_groq:
                allow_secret(fn, foundation.groq_arn())
            self.steps[name] = fn
            substitutions[placeholder] = fn.function_arn
        # Store and MarkFailed publish analysis.completed / analysis.failed (outbox + relay).
        allow_publish(foundation, self.steps["AnalysisStore"])
        # Load stores at once when every answer was assessed as it arrived (analysis.completed).
        allow_publish(foundation, self.steps["AnalysisLoad"])
        allow_publish(foundation, self.steps["AnalysisMarkFailed"])
        self.load = self.steps["AnalysisLoad"]

        log_group = logs.LogGroup(
            self,
            "StateMachineLogs",
            retention=logs.RetentionDays.ONE_WEEK if local else logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = self._workflow(
            "StateMachine",
            self.state_machine_name,
            DEFINITION_FILE,
            substitutions,
            Duration.hours(1),
            log_group,
            list(self.steps.values()),
        )

        self._start_on_event(foundation)
        self._answer_workflow(foundation, functions, groq_env, log_group)
        self.sweep = self._sweep(foundation, functions, db_env)

        self._trigger(foundation, functions, db_env)

        # ---- HR's routes ----
        self.routes: dict[str, lambda_.Function] = {}
        for name, module, method, path, publishes in (
            ("AnalysisRead", "read", "GET", "invitations/{invitation_id}/analysis", False),
            ("AnalysisRetry", "retry", "POST", "invitations/{invitation_id}/analysis/retry", True),
        ):
            # Verifying callers' tokens: the key ring's name, read access, nothing more.
            fn = functions.add_token_verifier(
                FunctionSpec(name, _MODULE.format(module), timeout_s=15, environment=db_env)
            )
            if publishes:
                allow_publish(foundation, fn)
            routes.add(path, method, fn)
            self.routes[name] = fn
        self._outputs()

    def _trigger(
        self, foundation: Foundation, functions: PlatformFunctions, db_env: dict[str, str]
    ) -> None:
        """The trigger consumer: invitation.completed and the media events -> one start."""
        local = self._local
        consumer_timeout_s, visibility_timeout_s = consumer_timeouts_s(local)
        if local:
            # The kernel's 5 s local timeout is shorter than a cold start on a busy 2-core
            # machine (measured 4.5 s of init under the fault storm): every receive then timed
            # out and restarted the instance, and the starts ended in the DLQ.
            consumer_timeout_s, visibility_timeout_s = _LOCAL_TRIGGER_TIMEOUTS_S
        self.trigger = functions.add(
            FunctionSpec(
                "AnalysisTrigger",
                _MODULE.format("trigger"),
                timeout_s=consumer_timeout_s,
                environment=db_env,
            )
        )
        allow_publish(foundation, self.trigger)
        # It starts the workflows it commits a start of itself, beside the rules (one hop of
        # EventBridge less on the path HR waits on: shared/analysis/starts.py).
        self.trigger.add_environment(
            "ANALYSIS_STATE_MACHINE_ARN", self.state_machine.state_machine_arn
        )
        self.trigger.add_environment(
            "ANALYSIS_ANSWER_STATE_MACHINE_ARN", self.answer_state_machine.state_machine_arn
        )
        self.state_machine.grant_start_execution(self.trigger)
        self.answer_state_machine.grant_start_execution(self.trigger)
        self.trigger_consumer = Consumer(
            self,
            "Trigger",
            bus=foundation.bus,
            function=self.trigger,
            pattern=events.EventPattern(detail_type=list(TRIGGER_EVENT_TYPES)),
            visibility_timeout=Duration.seconds(visibility_timeout_s),
            local=local,
        )

    def _start_on_event(self, foundation: Foundation) -> None:
        """analysis.started (from the trigger or HR's retry) -> one execution; undeliverable
        starts are kept in a DLQ and alarmed on. The input is the EventBridge event (detail = our
        envelope). No InputPath: LocalStack names the execution after the event id, which an
        InputPath drops. A duplicate start's execution finds the attempt claimed by the first
        one (Load) and skips."""
        self.start_dlq = sqs.Queue(
            self,
            "StartDlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=not foundation.local,
            removal_policy=RemovalPolicy.DESTROY if foundation.local else RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.start_dlq,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the analysis.started rule's target",
        )
        depth_alarm(
            self,
            "StartDlqAlarm",
            self.start_dlq,
            "Analysis starts EventBridge could not deliver to the state machine",
        )
        self.start_rule = self._start_rule(
            "StartExecutionRule", "analysis.started", self.state_machine, ("analysisId", "attempt")
        )

    def _answer_workflow(
        self,
        foundation: Foundation,
        functions: PlatformFunctions,
        groq_env: dict[str, str],
        log_group: logs.LogGroup,
    ) -> None:
        """analysis.answer_ready (an answer is final before the interview completes) -> one
        execution of ``statemachines/answer_analysis.asl.json``, which assesses it once."""
        self.assess = functions.add(
            FunctionSpec(
                "AnalysisAssess",
                _MODULE.format("assess"),
                timeout_s=_STEP_TIMEOUT_S,
                environment=groq_env,
            )
        )
        allow_secret(self.assess, foundation.groq_arn())
        self.answer_state_machine = self._workflow(
            "AnswerStateMachine",
            f"interview-platform-{foundation.stage}-answer-analysis",
            ANSWER_DEFINITION_FILE,
            {"AssessFunctionArn": self.assess.function_arn},
            Duration.minutes(30),
            log_group,
            [self.assess],
        )
        # Undelivered: the interview's workflow assesses the answer at completion.
        self._start_rule(
            "AnswerReadyRule", "analysis.answer_ready", self.answer_state_machine, ("answerId",)
        )

    def _workflow(  # noqa: PLR0917 - one state machine's parts
        self,
        id: str,
        name: str,
        definition: Path,
        substitutions: dict[str, str],
        timeout: Duration,
        log_group: logs.LogGroup,
        steps: list[lambda_.Function],
    ) -> sfn.StateMachine:
        """A workflow deployed as rendered, invoking only its steps. Every state transition is
        logged in AWS (without execution data: answers are personal); errors only locally."""
        local = self._local
        machine = sfn.StateMachine(
            self,
            id,
            state_machine_name=name,
            definition_body=sfn.DefinitionBody.from_string(asl.render(definition)),
            definition_substitutions=substitutions,
            timeout=timeout,
            tracing_enabled=not local,
            logs=sfn.LogOptions(
                destination=log_group,
                level=sfn.LogLevel.ERROR if local else sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        for fn in steps:
            fn.grant_invoke(machine)
        acknowledge_invocations(machine, list(steps))
        return machine

    def _start_rule(
        self, id: str, detail_type: str, machine: sfn.StateMachine, fields: tuple[str, ...]
    ) -> events.Rule:
        """``detail_type`` -> one execution of ``machine``, whose input is ``fields`` of the
        event's payload (our envelope's, in the event's detail): no Pass state to unwrap it, one
        state transition less before the first step. What EventBridge cannot deliver is kept in
        the start DLQ (and alarmed on), never lost."""
        return events.Rule(
            self,
            id,
            event_bus=self._bus,
            event_pattern=events.EventPattern(detail_type=[detail_type]),
            targets=[
                targets.SfnStateMachine(
                    machine,
                    input=events.RuleTargetInput.from_object(
                        {
                            # LocalStack names the execution after the input's "id" (and fails
                            # without one): our envelope's event id, which the trigger's direct
                            # start names its execution after too (shared/analysis/starts.py),
                            # so locally the two starts are one execution.
                            "id": events.EventField.from_path("$.detail.eventId"),
                            **{
                                f: events.EventField.from_path(f"$.detail.payload.{f}")
                                for f in fields
                            },
                        }
                    ),
                    retry_attempts=185,
                    max_event_age=Duration.hours(24),
                    dead_letter_queue=self.start_dlq,
                )
            ],
        )

    def _sweep(
        self, foundation: Foundation, functions: PlatformFunctions, db_env: dict[str, str]
    ) -> lambda_.Function:
        """Fails attempts whose execution ended (or never started) without a result."""
        sweep = functions.add(
            FunctionSpec("AnalysisSweep", _MODULE.format("sweep"), timeout_s=60, environment=db_env)
        )
        allow_publish(foundation, sweep)  # analysis.failed
        sweep.add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"],
                resources=[
                    f"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:"
                    f"{self.state_machine_name}:*"
                ],
            )
        )
        events.Rule(
            self,
            "SweepSchedule",
            description="Fail analyses whose workflow ended or never started without a result",
            schedule=events.Schedule.rate(SWEEP_EVERY),
            targets=[targets.LambdaFunction(sweep, retry_attempts=0)],
        )
        return sweep

    def _outputs(self) -> None:
        """Stack outputs with stable names (in the stack's scope, so their ids stay as given)."""
        stack = Stack.of(self)
        for name, value in (
            (OUTPUT_STATE_MACHINE_ARN, self.state_machine.state_machine_arn),
            (OUTPUT_ANSWER_STATE_MACHINE_ARN, self.answer_state_machine.state_machine_arn),
            (OUTPUT_TRIGGER_QUEUE_URL, self.trigger_consumer.queue.queue_url),
            (OUTPUT_TRIGGER_DLQ_URL, self.trigger_consumer.dlq.queue_url),
            (OUTPUT_LOAD_FUNCTION, self.load.function_name),
            (OUTPUT_SWEEP_FUNCTION, self.sweep.function_name),
        ):
            CfnOutput(stack, name, value=value)
