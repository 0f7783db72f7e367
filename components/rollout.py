"""Truthful rollout: ``pulumi up`` waits until the service runs the new revision, or fails saying why.

pulumi-aws reports success once the service update is accepted (and, with
``wait_for_steady_state``, once the service is stable), even when ECS's deployment circuit
breaker has rolled it back to the previous revision (pulumi-aws #4487, pulumi-awsx #1848,
terraform-provider-aws #19519, #20858). :class:`ServiceRollout` is a Pulumi dynamic resource
that runs after the service update and polls DescribeServices until the PRIMARY deployment
runs the expected task-definition ARN with rollout state COMPLETED.

- :func:`rollout_status` (pure) reads one DescribeServices response;
- :func:`wait_for_rollout` polls with an ECS client, and on failure or timeout raises
  :class:`RolloutError` naming the service, the failed revision, the revision now running and
  the reasons ECS gives (the deployment's ``rolloutStateReason``, failure events, and the
  ``stoppedReason`` of the revision's stopped tasks);
- :class:`RolloutProvider` reports a change only when the expected ARN, the cluster or the
  service changes, so an unchanged ``pulumi up`` does not wait again.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from .aws_clients import aws_client
from .errors import EcsReleaseError

State = Literal["IN_PROGRESS", "COMPLETED", "FAILED"]
WATCHED_INPUTS = ("cluster", "service", "task_definition_arn")
"""The inputs whose change makes the next ``pulumi up`` wait again."""
_EVENT_WORDS = ("unable", "fail", "circuit breaker", "rolling back", "unhealthy", "error")
_MAX_REASONS = 6


class RolloutError(EcsReleaseError):
    """The service did not move to the new revision: rolled back, rollout failed, or timed out."""


def revision(arn: str | None) -> str:
    """``family:revision`` of a task-definition ARN (the ARN itself when it has no such part)."""
    if not arn:
        return "(none)"
    return arn.rsplit("task-definition/", 1)[-1]


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


def failure_message(cluster: str, service: str, status: RolloutStatus, stopped: list[str], timeout: float | None = None) -> str:
    """The one-paragraph error ``pulumi up`` shows when a rollout fails or times out."""
    failed = revision(status.expected)
    if timeout is not None:
        what = (
            f"revision {failed} did not finish rolling out within {timeout:g} s "
            f"(rollout {status.rollout_state or 'not started'}); the PRIMARY deployment runs {revision(status.running)}"
        )
    elif status.rolled_back:
        what = f"revision {failed} failed and ECS rolled the service back: the PRIMARY deployment runs {revision(status.running)}"
    elif status.running is None:
        what = f"revision {failed} cannot be checked: {'; '.join(status.reasons)}"
    else:
        what = f"revision {failed} failed (rollout {status.rollout_state}); the PRIMARY deployment still runs {revision(status.running)}"
    reasons = [r for r in status.reasons + stopped if r]
    text = f"service {service} in cluster {cluster.rsplit('/', 1)[-1]}: {what}"
    if status.tasks:
        text += f" [{status.tasks}]"
    text += f". Reasons: {'; '.join(reasons) if reasons else 'ECS gave none'}."
    recover = "fix forward with a new tag, or set the previous tag, then pulumi up"
    if timeout is not None:
        recover += "; if the tasks are only slow to become healthy, raise the service's rollout_timeout_seconds (ServiceSettings)"
    return f"{text} Inspect: aws ecs describe-services --cluster {cluster} --services {service}. Recover: {recover}."


def wait_for_rollout(
    client: Any,
    cluster: str,
    service: str,
    expected: str,
    timeout: float,
    poll: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> RolloutStatus:
    """Poll until ``expected`` is the COMPLETED PRIMARY deployment; raise :class:`RolloutError` otherwise."""
    deadline = clock() + timeout
    while True:
        status = rollout_status(client.describe_services(cluster=cluster, services=[service]), expected)
        if status.state == "COMPLETED":
            return status
        if status.state == "FAILED":
            raise RolloutError(failure_message(cluster, service, status, stopped_task_reasons(client, cluster, service, expected)))
        remaining = deadline - clock()
        if remaining <= 0:
            stopped = stopped_task_reasons(client, cluster, service, expected)
            raise RolloutError(failure_message(cluster, service, status, stopped, timeout=timeout))
        sleep(min(poll, remaining))


class RolloutProvider(ResourceProvider):
    """Dynamic provider of :class:`ServiceRollout`: create and update wait; delete does nothing."""

    serialize_as_secret_always = False

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in WATCHED_INPUTS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed))

    def _wait(self, props: dict[str, Any]) -> dict[str, Any]:
        client = aws_client("ecs", props.get("region"), props.get("profile"))
        status = wait_for_rollout(
            client,
            props["cluster"],
            props["service"],
            props["task_definition_arn"],
            float(props["timeout_seconds"]),
            float(props["poll_seconds"]),
        )
        return {**props, "running_task_definition_arn": status.running, "rollout_state": status.rollout_state or "COMPLETED"}

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = self._wait(props)
        return CreateResult(f"{props['cluster']}/{props['service']}", outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._wait(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete: the rollout is a record, not a cloud object."""


class ServiceRollout(pulumi.dynamic.Resource, name="ServiceRollout"):
    """Waits, on create and whenever the expected revision changes, until the service runs it.

    Type token ``pulumi-python:dynamic:ServiceRollout``.
    """

    running_task_definition_arn: pulumi.Output[str]
    """The task-definition ARN of the service's PRIMARY deployment once the rollout completed."""
    rollout_state: pulumi.Output[str]
    """``COMPLETED`` once the wait succeeded."""

    def __init__(
        self,
        name: str,
        cluster: pulumi.Input[str],
        service: pulumi.Input[str],
        task_definition_arn: pulumi.Input[str],
        timeout_seconds: float,
        poll_seconds: float,
        region: pulumi.Input[str] | None = None,
        profile: Optional[str] = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "cluster": cluster,
            "service": service,
            "task_definition_arn": task_definition_arn,
            "timeout_seconds": timeout_seconds,
            "poll_seconds": poll_seconds,
            "region": region,
            "profile": profile,
            "running_task_definition_arn": None,
            "rollout_state": None,
        }
        super().__init__(RolloutProvider(), name, props, opts)
