"""Truthful rollout: ``pulumi up`` follows the ECS service deployment it started, and fails saying why.

pulumi-aws reports success once the service update is accepted (and, with
``wait_for_steady_state``, once the service is stable), even when ECS's deployment circuit
breaker has rolled it back to the previous revision (pulumi-aws #4487, pulumi-awsx #1848,
terraform-provider-aws #19519, #20858). :class:`ServiceRollout` is a Pulumi dynamic resource that
runs after the service update and follows the *service deployment* that update started, for every
strategy (rolling, blue/green, canary, linear), through the ECS service-deployment API
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html):

1. **Find it** (:func:`find_deployment`): ListServiceDeployments of the service created after the
   deployment the previous ``pulumi up`` followed (ECS's own timestamps, so no local clock is
   trusted); with a new task-definition revision, the newest whose target service revision
   (DescribeServiceRevisions) runs it; without one (the network, load balancer or deployment
   settings changed), the newest. The API is eventually consistent: a deployment not listed yet is
   looked for again during :data:`STALE_GRACE_SECONDS`. A change that starts no deployment ends
   with one DescribeServices read (:func:`rollout_status`).
2. **Follow it** (:func:`wait_for_deployment`): DescribeServiceDeployments every poll; each change of
   status, lifecycle stage, traffic weights or task counts is printed (``pulumi.log.info``, shown under
   the resource by the Pulumi CLI). ``SUCCESSFUL`` ends the wait; ``ROLLBACK_*``, ``STOP_REQUESTED``
   and ``STOPPED`` fail it with the rollback reason, the circuit breaker's and alarms' states and the
   stopped tasks' reasons (ListTasks + DescribeTasks). At a ``PAUSE`` lifecycle hook awaiting action
   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html),
   ``wait_until="paused"`` ends the wait successfully with the command that continues it;
   ``"completed"`` keeps waiting for ``ecs-release continue``/``rollback`` or the hook's own timeout
   (time spent paused does not count against the timeout, and the wait outlasts the hook's expiry).
3. **Record what runs**: the target revision's task definition and the digests ECS resolved for its
   containers (DescribeServiceRevisions ``containerImages[].imageDigest``).

Throttling and transient errors are retried by botocore (standard mode) and, past its attempts, by the
wait itself with backoff until the timeout; other errors (access denied) fail at once, naming the
call. The timeout is ``timeout_seconds`` plus the strategy's own bake times (``bake_seconds``).

:class:`RolloutProvider` waits again only when something that starts a deployment changed (the
task definition, the service's network, load balancers or deployment settings, the cluster or the
service) or when the last wait ended at a pause, which the next ``pulumi up`` follows to its end.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from .aws_clients import aws_client
from .errors import EcsReleaseError

State = Literal["IN_PROGRESS", "COMPLETED", "FAILED"]
WATCHED_INPUTS = ("cluster", "service", "task_definition_arn", "deployment")
"""The inputs whose change makes the next ``pulumi up`` wait again (``deployment``: the service's
network, load balancers, launch type and deployment configuration, as the service reports them)."""
FAILED_STATUSES = ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED", "STOP_REQUESTED", "STOPPED")
"""Service-deployment statuses that end the wait with a failure (DescribeServiceDeployments)."""
STALE_GRACE_SECONDS = 60.0
"""How long after the wait starts a deployment that is not listed, or not found, yet is looked for again:
ECS's API is eventually consistent, so the first reads right after UpdateService may be stale
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/eventual-consistency.html)."""
MAX_BACKOFF_SECONDS = 120.0
_EVENT_WORDS = ("unable", "fail", "circuit breaker", "rolling back", "unhealthy", "error")
_MAX_REASONS = 6
_STAGE_HINTS = {
    "POST_TEST_TRAFFIC_SHIFT": "test on the test listener, then",
    "PRE_PRODUCTION_TRAFFIC_SHIFT": "production traffic shifts next; when ready",
    "POST_PRODUCTION_TRAFFIC_SHIFT": "production traffic is on the new revision; watch it, then",
    "POST_SCALE_UP": "the new tasks run without traffic; check them, then",
}


class RolloutError(EcsReleaseError):
    """The service did not move to the new revision: rolled back, stopped, or timed out."""


def revision(arn: str | None) -> str:
    """``family:revision`` of a task-definition ARN (the ARN itself when it has no such part)."""
    if not arn:
        return "(none)"
    return arn.rsplit("task-definition/", 1)[-1]


def utc_text(value: datetime.datetime | None) -> str:
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "(unknown)"


def _percent(value: float | None) -> str:
    return f"{value:g}%"


# --- The service deployment, read from one DescribeServiceDeployments item (pure) ----------------------------------


@dataclass(frozen=True)
class RevisionCounts:
    """One service revision of a deployment: its task counts and requested traffic weights."""

    arn: str
    requested: int = 0
    running: int = 0
    pending: int = 0
    production_weight: float | None = None
    test_weight: float | None = None


@dataclass(frozen=True)
class Hook:
    """A lifecycle hook of the deployment (``lifecycleHookDetails``)."""

    hook_id: str
    target_type: str
    status: str
    expires_at: datetime.datetime | None
    timeout_action: str | None


@dataclass(frozen=True)
class Deployment:
    """What one DescribeServiceDeployments item says."""

    arn: str
    status: str
    stage: str | None
    strategy: str
    created_at: datetime.datetime | None
    target: RevisionCounts | None
    sources: tuple[RevisionCounts, ...] = ()
    status_reason: str | None = None
    rollback_reason: str | None = None
    rollback_revision: str | None = None
    circuit_breaker: str | None = None
    """``TRIGGERED (3 failed tasks, threshold 3)``, or ``None`` when disabled or not reported."""
    alarms_triggered: tuple[str, ...] = ()
    alarms_status: str | None = None
    hooks: tuple[Hook, ...] = ()

    @property
    def awaiting(self) -> Hook | None:
        """The PAUSE hook awaiting ``ContinueServiceDeployment``, if any."""
        return next((h for h in self.hooks if h.target_type == "PAUSE" and h.status == "AWAITING_ACTION"), None)

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


def _counts(item: Mapping[str, Any] | None) -> RevisionCounts | None:
    if not item or not item.get("arn"):
        return None
    return RevisionCounts(
        arn=item["arn"], requested=item.get("requestedTaskCount", 0), running=item.get("runningTaskCount", 0),
        pending=item.get("pendingTaskCount", 0), production_weight=item.get("requestedProductionTrafficWeight"),
        test_weight=item.get("requestedTestTrafficWeight"),
    )


def read_deployment(item: Mapping[str, Any]) -> Deployment:
    """A :class:`Deployment` from one ``serviceDeployments`` item of DescribeServiceDeployments."""
    breaker = item.get("deploymentCircuitBreaker") or {}
    breaker_text = None
    if breaker.get("status") and breaker["status"] != "DISABLED":
        breaker_text = f"{breaker['status']} ({breaker.get('failureCount', 0)} failed tasks, threshold {breaker.get('threshold', '?')})"
    alarms = item.get("alarms") or {}
    rollback = item.get("rollback") or {}
    return Deployment(
        arn=item["serviceDeploymentArn"],
        status=item.get("status", "PENDING"),
        stage=item.get("lifecycleStage"),
        strategy=(item.get("deploymentConfiguration") or {}).get("strategy", "ROLLING"),
        created_at=item.get("createdAt"),
        target=_counts(item.get("targetServiceRevision")),
        sources=tuple(c for c in map(_counts, item.get("sourceServiceRevisions") or []) if c),
        status_reason=item.get("statusReason"),
        rollback_reason=rollback.get("reason"),
        rollback_revision=rollback.get("serviceRevisionArn"),
        circuit_breaker=breaker_text,
        alarms_triggered=tuple(alarms.get("triggeredAlarmNames") or []),
        alarms_status=alarms.get("status") if alarms.get("status") != "DISABLED" else None,
        hooks=tuple(
            Hook(h.get("hookId", ""), h.get("targetType", ""), h.get("status", ""), h.get("expiresAt"), h.get("timeoutAction"))
            for h in item.get("lifecycleHookDetails") or []
        ),
    )


def progress(deployment: Deployment, names: Mapping[str, str]) -> str:
    """One line: status, stage, and each revision's tasks and requested traffic (``names``: service revision → ``family:revision``)."""
    parts = [f"{deployment.strategy.lower().replace('_', '/')} deployment {deployment.status}"]
    if deployment.stage:
        parts[0] += f", stage {deployment.stage}"
    for label, counts in [("new", deployment.target), *(("old", s) for s in deployment.sources)]:
        if counts is None:
            continue
        text = f"{label} {names.get(counts.arn, 'revision')}: {counts.running}/{counts.requested} tasks running"
        if counts.pending:
            text += f", {counts.pending} pending"
        if counts.production_weight is not None:
            text += f", {_percent(counts.production_weight)} of production traffic"
        if counts.test_weight is not None:
            text += f", {_percent(counts.test_weight)} of test traffic"
        parts.append(text)
    if hook := deployment.awaiting:
        parts.append(f"paused at {deployment.stage} until {utc_text(hook.expires_at)} (then {hook.timeout_action or 'ROLLBACK'})")
    return "; ".join(parts)


# --- Messages -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What one wait is about: the service, and the names a user types to act on it."""

    cluster: str
    service: str
    task_definition_arn: str
    stack: str = "<stack>"
    label: str = "<service>"
    """The program's name of the service (``TaggedService`` name), as ``ecs-release continue --service`` takes it."""

    @property
    def where(self) -> str:
        return f"service {self.service} in cluster {self.cluster.rsplit('/', 1)[-1]}"

    def command(self, verb: str) -> str:
        return f"ecs-release {verb} --stack {self.stack} --service {self.label}"


def paused_message(target: Target, deployment: Deployment, running: str) -> str:
    """What ``pulumi up`` says when it ends at a pause (``wait_until="paused"``); ``running``: the new ``family:revision``."""
    hook = deployment.awaiting
    hint = _STAGE_HINTS.get(deployment.stage or "", "then")
    return (
        f"{target.where}: the {deployment.strategy.lower().replace('_', '/')} deployment of {running} is "
        f"paused at {deployment.stage}; {hint}: {target.command('continue')}; to roll back instead: {target.command('rollback')}; "
        f"without either, ECS will {hook.timeout_action if hook and hook.timeout_action else 'ROLLBACK'} at {utc_text(hook.expires_at if hook else None)}"
    )


def deployment_failure(target: Target, deployment: Deployment, names: Mapping[str, str], stopped: list[str]) -> str:
    """The one-paragraph error ``pulumi up`` shows when ECS rolls the deployment back or stops it."""
    kind = deployment.strategy.lower().replace("_", "/")
    new = names.get(deployment.target.arn, revision(target.task_definition_arn)) if deployment.target else revision(target.task_definition_arn)
    back = names.get(deployment.rollback_revision or "", "the previous service revision")
    if deployment.status in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"):
        what = f"failed and ECS is rolling the service back to {back}"
    elif deployment.status == "ROLLBACK_SUCCESSFUL":
        what = f"failed and ECS rolled the service back to {back}"
    elif deployment.status == "ROLLBACK_FAILED":
        what = f"failed and ECS could not roll the service back to {back}"
    else:
        what = "was stopped"
    stage = f", stage {deployment.stage}" if deployment.stage else ""
    reasons = [r for r in (deployment.status_reason, deployment.rollback_reason) if r]
    if deployment.circuit_breaker:
        reasons.append(f"circuit breaker {deployment.circuit_breaker}")
    if deployment.alarms_triggered:
        reasons.append(f"alarms triggered: {', '.join(deployment.alarms_triggered)}")
    for hook in deployment.hooks:
        if hook.status == "TIMED_OUT":
            reasons.append(f"the {hook.target_type} hook timed out (timeout action {hook.timeout_action or 'ROLLBACK'})")
        elif hook.status == "FAILED":
            reasons.append(f"the {hook.target_type} hook failed")
    reasons += stopped
    text = f"{target.where}: the {kind} deployment of {new} {what} ({deployment.status}{stage})"
    text += f". Reasons: {'; '.join(dict.fromkeys(reasons)) if reasons else 'ECS gave none'}."
    return (
        f"{text} Inspect: aws ecs describe-service-deployments --service-deployment-arns {deployment.arn}. "
        "Recover: fix forward with a new tag, or set the previous tag, then pulumi up."
    )


def timeout_message(target: Target, deployment: Deployment | None, names: Mapping[str, str], timeout: float, bake: float, stopped: list[str]) -> str:
    """The error of a deployment that did not finish in time."""
    allowed = f"{timeout:g} s" + (f" (+ {bake:g} s of the strategy's bake times)" if bake else "")
    if deployment is None:
        what = f"no service deployment of {revision(target.task_definition_arn)} was found within {allowed}"
    else:
        what = f"the {deployment.strategy.lower().replace('_', '/')} deployment of {revision(target.task_definition_arn)} did not finish within {allowed}; {progress(deployment, names)}"
    reasons = ([deployment.status_reason] if deployment and deployment.status_reason else []) + stopped
    return (
        f"{target.where}: {what}. Reasons: {'; '.join(reasons) if reasons else 'ECS gave none'}. "
        + (f"Inspect: aws ecs describe-service-deployments --service-deployment-arns {deployment.arn}. " if deployment else "")
        + "Recover: fix forward with a new tag, or set the previous tag, then pulumi up; if the tasks are only slow to become "
        "healthy, raise the service's rollout_timeout_seconds (ServiceSettings)."
    )


# --- The service as DescribeServices shows it (pure): the check when no service deployment started -------------


@dataclass(frozen=True)
class RolloutStatus:
    """What one DescribeServices response says about the rollout of ``expected`` task definition."""

    state: State
    expected: str
    running: str | None
    """Task-definition ARN of the PRIMARY deployment."""
    rollout_state: str | None = None
    """The rollout state of the deployment that runs ``expected`` (``None`` when there is none)."""
    reasons: list[str] = field(default_factory=list)
    tasks: str = ""
    """Running/desired task counts per deployment, for messages."""

    @property
    def rolled_back(self) -> bool:
        return self.state == "FAILED" and self.running is not None and self.running != self.expected


def _tasks_summary(deployments: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{revision(d.get('taskDefinition'))} {d.get('status', '?')} {d.get('runningCount', 0)}/{d.get('desiredCount', 0)} running"
        for d in deployments
    )


def rollout_status(response: dict[str, Any], expected: str) -> RolloutStatus:
    """The rollout state of ``expected`` (a task-definition ARN) in a DescribeServices ``response``."""
    services = response.get("services") or []
    if not services:
        failures = "; ".join(f"{f.get('arn')}: {f.get('reason')}" for f in response.get("failures") or [])
        return RolloutStatus("FAILED", expected, None, reasons=[f"service not found ({failures or 'no such service'})"])
    service = services[0]
    deployments = service.get("deployments") or []
    tasks = _tasks_summary(deployments)
    if service.get("status") != "ACTIVE":
        return RolloutStatus("FAILED", expected, None, reasons=[f"service status is {service.get('status')}"], tasks=tasks)
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    if primary is None:
        return RolloutStatus("FAILED", expected, None, reasons=["the service has no PRIMARY deployment"], tasks=tasks)
    running = primary.get("taskDefinition")
    ours = primary if running == expected else next((d for d in deployments if d.get("taskDefinition") == expected), None)
    state_of_ours = ours.get("rolloutState") if ours else None
    reasons = []
    if ours and state_of_ours != "COMPLETED" and ours.get("rolloutStateReason"):
        reasons.append(ours["rolloutStateReason"])
    if running != expected and primary.get("rolloutStateReason") and primary.get("rolloutState") != "COMPLETED":
        reasons.append(primary["rolloutStateReason"])
    for event in sorted(service.get("events") or [], key=lambda e: str(e.get("createdAt", "")), reverse=True):
        message = event.get("message", "")
        if any(word in message.lower() for word in _EVENT_WORDS) and message not in reasons and len(reasons) < _MAX_REASONS:
            reasons.append(message)

    if running != expected:
        return RolloutStatus("FAILED", expected, running, state_of_ours, reasons, tasks)
    if state_of_ours == "COMPLETED":
        return RolloutStatus("COMPLETED", expected, running, state_of_ours, [], tasks)
    if state_of_ours == "FAILED":
        return RolloutStatus("FAILED", expected, running, state_of_ours, reasons, tasks)
    if state_of_ours is None and len(deployments) == 1 and primary.get("runningCount") == primary.get("desiredCount"):
        return RolloutStatus("COMPLETED", expected, running, state_of_ours, [], tasks)  # no rollout state: steady
    return RolloutStatus("IN_PROGRESS", expected, running, state_of_ours, reasons, tasks)


def failure_message(cluster: str, service: str, status: RolloutStatus, stopped: list[str]) -> str:
    """The error when no service deployment was found and DescribeServices shows the service not running ``expected``."""
    failed = revision(status.expected)
    if status.rolled_back:
        what = f"revision {failed} failed and ECS rolled the service back: the PRIMARY deployment runs {revision(status.running)}"
    elif status.running is None:
        what = f"revision {failed} cannot be checked: {'; '.join(status.reasons)}"
    else:
        what = f"revision {failed} is not rolled out (rollout {status.rollout_state or 'not started'}); the PRIMARY deployment runs {revision(status.running)}"
    reasons = [r for r in status.reasons + stopped if r]
    text = f"service {service} in cluster {cluster.rsplit('/', 1)[-1]}: {what}"
    if status.tasks:
        text += f" [{status.tasks}]"
    text += f". Reasons: {'; '.join(reasons) if reasons else 'ECS gave none'}."
    return (
        f"{text} Inspect: aws ecs describe-services --cluster {cluster} --services {service}. "
        "Recover: fix forward with a new tag, or set the previous tag, then pulumi up."
    )


def stopped_task_reasons(client: Any, cluster: str, service: str, expected: str) -> list[str]:
    """Why the service's stopped tasks of ``expected`` stopped, most frequent first (ListTasks + DescribeTasks)."""
    try:
        arns = client.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED", maxResults=100).get("taskArns") or []
        tasks = client.describe_tasks(cluster=cluster, tasks=arns).get("tasks") or [] if arns else []
    except Exception as error:  # reasons are a courtesy: never hide the rollout failure behind them
        return [f"stopped tasks could not be listed ({error})"]
    reasons: Counter[str] = Counter()
    for task in tasks:
        if task.get("taskDefinitionArn") != expected:
            continue
        details = []
        for container in task.get("containers") or []:
            if container.get("reason"):
                details.append(f"container {container.get('name')}: {container['reason']}")
            elif container.get("exitCode") not in (None, 0):
                details.append(f"container {container.get('name')}: exit code {container['exitCode']}")
        reason = task.get("stoppedReason") or "stopped"
        reasons[f"{reason} ({'; '.join(details)})" if details else reason] += 1
    return [f"{count} stopped task{'s' if count > 1 else ''}: {reason}" for reason, count in reasons.most_common(_MAX_REASONS)]


# --- Calls to ECS ---------------------------------------------------------------------------------------------


def retryable(error: BaseException) -> bool:
    """Whether ``error`` is throttling or transient (5xx, connection), by botocore's standard retry checks."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.retries.standard import OrRetryChecker, RetryContext, ThrottledRetryableChecker, TransientRetryableChecker

    if not isinstance(error, (ClientError, BotoCoreError)):
        return False
    response = getattr(error, "response", None)
    status = (response or {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    context = RetryContext(attempt_number=1, parsed_response=response, caught_exception=None if response else error)
    return status in (500, 502, 503, 504) or OrRetryChecker([ThrottledRetryableChecker(), TransientRetryableChecker()]).is_retryable(context)


class Revisions:
    """Service revisions by ARN (DescribeServiceRevisions, at most 20 per call), each described once."""

    def __init__(self, ecs: Any):
        self.ecs = ecs
        self.known: dict[str, dict[str, Any]] = {}

    def describe(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        missing = [arn for arn in dict.fromkeys(arns) if arn and arn not in self.known]
        for start in range(0, len(missing), 20):
            for item in self.ecs.describe_service_revisions(serviceRevisionArns=missing[start : start + 20]).get("serviceRevisions") or []:
                self.known[item["serviceRevisionArn"]] = item
        return {arn: self.known[arn] for arn in arns if arn in self.known}

    def names(self, deployment: Deployment) -> dict[str, str]:
        """Service revision ARN → ``family:revision`` of its task definition, for every revision of ``deployment``."""
        arns = [c.arn for c in [deployment.target, *deployment.sources] if c] + ([deployment.rollback_revision] if deployment.rollback_revision else [])
        return {arn: revision(item.get("taskDefinition")) for arn, item in self.describe(arns).items()}


@dataclass(frozen=True)
class Previous:
    """The deployment the previous ``pulumi up`` followed (from the rollout's last outputs)."""

    arn: str | None
    created_at: datetime.datetime | None
    task_definition_arn: str | None


def find_deployment(ecs: Any, target: Target, previous: Previous | None, revisions: Revisions) -> str | None:
    """The ARN of the service deployment that moves the service to ``target`` since ``previous``, or ``None`` when
    none is listed (yet): with a new task definition, the newest whose target revision runs it; else the newest."""
    request: dict[str, Any] = {"cluster": target.cluster, "service": target.service, "maxResults": 100}
    if previous and previous.created_at:
        request["createdAt"] = {"after": previous.created_at}
    listed: list[dict[str, Any]] = []
    for _ in range(10):  # at most 1000 deployments: the service's history is not needed beyond that
        page = ecs.list_service_deployments(**request)
        listed += page.get("serviceDeployments") or []
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    candidates = sorted(
        (d for d in listed if d.get("serviceDeploymentArn") != (previous.arn if previous else None)),
        key=lambda d: d.get("createdAt") or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc),
        reverse=True,
    )
    if previous and previous.arn and previous.task_definition_arn == target.task_definition_arn:
        return candidates[0]["serviceDeploymentArn"] if candidates else None
    described = revisions.describe([d["targetServiceRevisionArn"] for d in candidates if d.get("targetServiceRevisionArn")])
    for candidate in candidates:
        if described.get(candidate.get("targetServiceRevisionArn", ""), {}).get("taskDefinition") == target.task_definition_arn:
            return candidate["serviceDeploymentArn"]
    return None


@dataclass(frozen=True)
class WaitResult:
    """Where the wait ended: the deployment COMPLETED (SUCCESSFUL), or PAUSED at a hook (``wait_until="paused"``)."""

    state: Literal["COMPLETED", "PAUSED"]
    deployment_arn: str | None
    created_at: datetime.datetime | None
    task_definition_arn: str
    image_digests: dict[str, str]
    message: str

    def outputs(self) -> dict[str, Any]:
        return {
            "rollout_state": self.state,
            "running_task_definition_arn": self.task_definition_arn,
            "service_deployment_arn": self.deployment_arn,
            "deployment_created_at": self.created_at.isoformat() if self.created_at else None,
            "image_digests": self.image_digests,
            "message": self.message,
        }


def container_digests(revision_item: Mapping[str, Any]) -> dict[str, str]:
    return {c["containerName"]: c["imageDigest"] for c in revision_item.get("containerImages") or [] if c.get("containerName") and c.get("imageDigest")}


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def wait_for_deployment(
    ecs: Any,
    target: Target,
    timeout: float,
    poll: float,
    previous: Previous | None = None,
    follow: str | None = None,
    wait_until: Literal["completed", "paused"] = "completed",
    bake: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime.datetime] = _utcnow,
    report: Callable[[str], None] = pulumi.log.info,
) -> WaitResult:
    """Find the service deployment of ``target`` (or ``follow`` that one) and follow it to its end; see the module docstring.

    Raises :class:`RolloutError` when ECS rolls it back or stops it, or after ``timeout + bake`` seconds
    (time paused at a hook not counted).
    """
    start = clock()
    deadline, grace_end = start + timeout + bake, start + STALE_GRACE_SECONDS
    revisions = Revisions(ecs)
    arn, seen, failures, last_line = follow, None, 0, None
    paused_since: float | None = None
    last_error: BaseException | None = None

    def pause_for(seconds: float) -> None:
        sleep(max(0.0, seconds))

    while True:
        try:
            if arn is None:
                arn = find_deployment(ecs, target, previous, revisions)
                failures = 0
                if arn is None:
                    if clock() < grace_end:
                        pause_for(min(poll, grace_end - clock()))
                        continue
                    return _without_deployment(ecs, target, revisions)
            found = ecs.describe_service_deployments(serviceDeploymentArns=[arn]).get("serviceDeployments") or []
            if not found:
                if clock() < grace_end:  # listed but not described yet: a stale read
                    pause_for(min(poll, grace_end - clock()))
                    continue
                raise RolloutError(f"{target.where}: service deployment {arn} is not found; check it with aws ecs list-service-deployments --cluster {target.cluster} --service {target.service}")
            seen = read_deployment(found[0])
            names = revisions.names(seen)
            failures = 0
        except RolloutError:
            raise
        except Exception as error:
            if not retryable(error):
                raise RolloutError(
                    f"{target.where}: cannot follow the deployment of {revision(target.task_definition_arn)}: {_first_line(error)}; the wait needs "
                    "ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions, ecs:DescribeServices, ecs:ListTasks and ecs:DescribeTasks"
                ) from None
            failures, last_error = failures + 1, error
            delay = min(poll * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)
            if clock() + delay > deadline and paused_since is None:
                raise RolloutError(
                    f"{target.where}: the wait for {revision(target.task_definition_arn)} ran out of time while AWS kept refusing "
                    f"({failures} tries in a row): {_first_line(last_error)}; run pulumi up again, or raise the service's rollout_timeout_seconds (ServiceSettings)"
                ) from None
            pause_for(delay)
            continue

        line = progress(seen, names)
        if line != last_line:
            report(f"{target.service}: {line}")
            last_line = line
        if seen.status == "SUCCESSFUL":
            return _completed(seen, target, revisions, "COMPLETED", f"{target.where}: {line}")
        if seen.failed:
            stopped = stopped_task_reasons(ecs, target.cluster, target.service, target.task_definition_arn)
            raise RolloutError(deployment_failure(target, seen, names, stopped))
        hook = seen.awaiting
        if hook is not None and (wait_until == "paused" or hook.expires_at is not None):
            running = names.get(seen.target.arn, revision(target.task_definition_arn)) if seen.target else revision(target.task_definition_arn)
            if wait_until == "paused":
                message = paused_message(target, seen, running)
                report(message)
                return _completed(seen, target, revisions, "PAUSED", message)
            if paused_since is None:
                paused_since = clock()
                report(
                    f"{target.service}: paused at {seen.stage}; waiting for {target.command('continue')} (or rollback), "
                    f"or the pause's timeout at {utc_text(hook.expires_at)} (then {hook.timeout_action or 'ROLLBACK'})"
                )
            if (hook.expires_at - now()).total_seconds() < -STALE_GRACE_SECONDS - poll:
                raise RolloutError(
                    f"{target.where}: the pause at {seen.stage} expired at {utc_text(hook.expires_at)} but ECS has not applied its timeout "
                    f"action ({hook.timeout_action}); act on it: {target.command('continue')} or {target.command('rollback')}"
                )
            pause_for(poll)
            continue
        if paused_since is not None:  # time paused at a gate does not count against the timeout
            deadline += clock() - paused_since
            paused_since = None
        if clock() >= deadline:
            stopped = stopped_task_reasons(ecs, target.cluster, target.service, target.task_definition_arn)
            raise RolloutError(timeout_message(target, seen, names, timeout, bake, stopped))
        pause_for(min(poll, deadline - clock()))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _completed(deployment: Deployment, target: Target, revisions: Revisions, state: Literal["COMPLETED", "PAUSED"], message: str) -> WaitResult:
    item = revisions.describe([deployment.target.arn])[deployment.target.arn] if deployment.target else {}
    return WaitResult(
        state=state,
        deployment_arn=deployment.arn,
        created_at=deployment.created_at,
        task_definition_arn=item.get("taskDefinition") or target.task_definition_arn,
        image_digests=container_digests(item),
        message=message,
    )


def _without_deployment(ecs: Any, target: Target, revisions: Revisions) -> WaitResult:
    """No service deployment was started (a change ECS applies in place): the service must run the target, COMPLETED."""
    status = rollout_status(ecs.describe_services(cluster=target.cluster, services=[target.service]), target.task_definition_arn)
    if status.state != "COMPLETED":
        stopped = stopped_task_reasons(ecs, target.cluster, target.service, target.task_definition_arn)
        raise RolloutError(failure_message(target.cluster, target.service, status, stopped))
    return WaitResult(
        state="COMPLETED", deployment_arn=None, created_at=None, task_definition_arn=target.task_definition_arn, image_digests={},
        message=f"{target.where}: no new service deployment; the service runs {revision(target.task_definition_arn)}, rollout COMPLETED",
    )


# --- The dynamic resource --------------------------------------------------------------------------------------


def _previous(olds: Mapping[str, Any]) -> Previous | None:
    created = olds.get("deployment_created_at")
    return Previous(
        arn=olds.get("service_deployment_arn"),
        created_at=datetime.datetime.fromisoformat(created) if created else None,
        task_definition_arn=olds.get("task_definition_arn"),
    )


class RolloutProvider(ResourceProvider):
    """Dynamic provider of :class:`ServiceRollout`: create and update wait; delete does nothing."""

    serialize_as_secret_always = False

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in WATCHED_INPUTS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed) or olds.get("rollout_state") == "PAUSED")

    def _wait(self, props: dict[str, Any], olds: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        ecs = aws_client("ecs", props.get("aws") or {"profile": props.get("profile")}, region=props.get("region"))
        target = Target(props["cluster"], props["service"], props["task_definition_arn"], props.get("stack") or "<stack>", props.get("label") or "<service>")
        follow = None
        if olds and olds.get("rollout_state") == "PAUSED" and all(olds.get(k) == props.get(k) for k in WATCHED_INPUTS):
            follow = olds.get("service_deployment_arn")  # the last up ended at a pause: follow that deployment on
        result = wait_for_deployment(
            ecs, target, float(props["timeout_seconds"]), float(props["poll_seconds"]),
            previous=_previous(olds) if olds else None, follow=follow, wait_until=props.get("wait_until") or "completed",
            bake=float(props.get("bake_seconds") or 0),
        )
        return {**props, **result.outputs()}

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._wait(props)
        return CreateResult(f"{props['cluster']}/{props['service']}", outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._wait(news, olds))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete: the rollout is a record, not a cloud object."""


class ServiceRollout(pulumi.dynamic.Resource, name="ServiceRollout"):
    """Follows, on create and whenever something that starts a deployment changes, the service deployment to its end.

    Type token ``pulumi-python:dynamic:ServiceRollout``.
    """

    running_task_definition_arn: pulumi.Output[str]
    """The task-definition ARN of the deployment's target revision once it completed (or paused)."""
    rollout_state: pulumi.Output[str]
    """``COMPLETED``, or ``PAUSED`` when the wait ended at a pause hook (``wait_until="paused"``)."""
    service_deployment_arn: pulumi.Output[Optional[str]]
    """The service deployment followed (``None`` when the change started none)."""
    image_digests: pulumi.Output[dict[str, str]]
    """Container name → the image digest the target revision runs (DescribeServiceRevisions)."""
    message: pulumi.Output[str]
    """How the wait ended, in one line (the pause's message, with the command that continues it)."""

    def __init__(
        self,
        name: str,
        cluster: pulumi.Input[str],
        service: pulumi.Input[str],
        task_definition_arn: pulumi.Input[str],
        timeout_seconds: float,
        poll_seconds: float,
        region: pulumi.Input[str] | None = None,
        aws: Optional[Mapping[str, Any]] = None,
        deployment: pulumi.Input[Any] = None,
        bake_seconds: float = 0.0,
        wait_until: str = "completed",
        stack: Optional[str] = None,
        label: Optional[str] = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "cluster": cluster,
            "service": service,
            "task_definition_arn": task_definition_arn,
            "deployment": deployment,
            "timeout_seconds": timeout_seconds,
            "poll_seconds": poll_seconds,
            "bake_seconds": bake_seconds,
            "wait_until": wait_until,
            "stack": stack,
            "label": label,
            "region": region,
            "aws": dict(aws or {}),
            "running_task_definition_arn": None,
            "rollout_state": None,
            "service_deployment_arn": None,
            "deployment_created_at": None,
            "image_digests": None,
            "message": None,
        }
        super().__init__(RolloutProvider(), name, props, opts)
