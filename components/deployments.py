"""``status``, ``continue`` and ``rollback``: a stack's ECS service deployments, and its approval gates.

``ecs-release status --stack prod [--service web]`` prints, for each ECS service the stack's program
registers (``aws:ecs/service:Service`` resources, found as ``promote`` finds them), its newest service
deployment: strategy, status, lifecycle stage, each revision's task counts and traffic weights, the
digests its revision runs, and the pause gate awaiting action with when it expires and what ECS does then.

``ecs-release continue --stack prod --service web`` (or ``rollback``) acts on that gate:
ContinueServiceDeployment with the paused hook's id and ``CONTINUE`` (or ``ROLLBACK``), after asking
unless ``--yes`` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html).
Nothing paused is one ``error:`` line. AWS is reached as the stack's AWS provider reaches it
(:mod:`components.aws_clients`, from the stack file's ``aws:`` settings).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from .errors import EcsReleaseError
from .rollout import Deployment, Revisions, Target, container_digests, utc_text, read_deployment

ClientFactory = Callable[[str, str], Any]
"""(service, region) → a boto3 client."""
ACTIVE = ["PENDING", "IN_PROGRESS"]


class DeploymentCommandError(EcsReleaseError):
    """A ``status``, ``continue`` or ``rollback`` command cannot run: unknown service, nothing paused, no API."""


@dataclass(frozen=True)
class StackService:
    """An ECS service of the stack: the program's name for it (``web``) and where it runs."""

    label: str
    name: str
    cluster: str


def stack_services(project_dir: Path, stack: str) -> tuple[list[StackService], ClientFactory, str]:
    """The stack's ECS services (its program run under the mock runtime), a client factory with the stack's AWS
    settings, and its region."""
    from .aws_clients import AwsSettings, aws_client
    from .offline import run_program
    from .promote import _source_mocks, source_services
    from .stack_config import stack_config

    config = stack_config(Path(project_dir), stack)
    settings = AwsSettings.from_config(config, f"stack {stack}: ")
    region = str(config.get("aws:region") or settings.region or "us-east-1")
    mocks = _source_mocks(region)
    resources = run_program(Path(project_dir).resolve(), stack, None, mocks)
    services = [
        StackService(found.resource.removesuffix("-service"), found.name, found.cluster)
        for found in source_services(resources, mocks.made_up_clusters, stack)
    ]
    return services, (lambda service, region: aws_client(service, settings, region=region)), region


def choose(services: Sequence[StackService], wanted: str | None, stack: str) -> list[StackService]:
    """The service ``wanted`` names (its program name, ``web``, or its ECS name), or every service."""
    if wanted is None:
        return list(services)
    chosen = [service for service in services if wanted in (service.label, service.name)]
    if not chosen:
        raise DeploymentCommandError(
            f"--service {wanted}: stack {stack} has no such service; use one of: {', '.join(service.label for service in services)}"
        )
    return chosen


def newest_deployment(ecs: Any, service: StackService, statuses: Sequence[str] | None = None) -> Deployment | None:
    """The service's newest service deployment (of ``statuses``, when given), described."""
    request: dict[str, Any] = {"cluster": service.cluster, "service": service.name, "maxResults": 20}
    if statuses:
        request["status"] = list(statuses)
    listed = ecs.list_service_deployments(**request).get("serviceDeployments") or []
    if not listed:
        return None
    newest = max(listed, key=lambda d: d.get("createdAt") or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc))
    found = ecs.describe_service_deployments(serviceDeploymentArns=[newest["serviceDeploymentArn"]]).get("serviceDeployments") or []
    return read_deployment(found[0]) if found else None


def describe(service: StackService, deployment: Deployment | None, revisions: Revisions, stack: str) -> list[str]:
    """The lines ``status`` prints for one service."""
    head = f"{service.label} ({service.name} in cluster {service.cluster.rsplit('/', 1)[-1]})"
    if deployment is None:
        return [f"{head}: no service deployment"]
    stage = f", stage {deployment.stage}" if deployment.stage else ""
    lines = [f"{head}: {deployment.strategy.lower().replace('_', '/')} deployment {deployment.status}{stage}, started {utc_text(deployment.created_at)}"]
    names = revisions.names(deployment)
    described = revisions.describe([c.arn for c in [deployment.target, *deployment.sources] if c])
    for label, counts in [("new", deployment.target), *(("old", s) for s in deployment.sources)]:
        if counts is None:
            continue
        text = f"  {label} {names.get(counts.arn, counts.arn)}: {counts.running}/{counts.requested} tasks running"
        if counts.production_weight is not None:
            text += f", {counts.production_weight:g}% of production traffic"
        if counts.test_weight is not None:
            text += f", {counts.test_weight:g}% of test traffic"
        digests = container_digests(described.get(counts.arn, {}))
        if digests:
            text += "; images: " + ", ".join(f"{container} {digest}" for container, digest in sorted(digests.items()))
        lines.append(text)
    reasons = [r for r in (deployment.status_reason, deployment.rollback_reason) if r]
    if reasons:
        lines.append(f"  reason: {'; '.join(reasons)}")
    if hook := deployment.awaiting:
        target = Target(service.cluster, service.name, "", stack, service.label)
        lines.append(
            f"  paused at {deployment.stage}, awaiting action until {utc_text(hook.expires_at)} (then ECS will {hook.timeout_action or 'ROLLBACK'}): "
            f"{target.command('continue')} or {target.command('rollback')}"
        )
    return lines


def status_command(project_dir: Path, stack: str, wanted: str | None = None, client: ClientFactory | None = None) -> tuple[str, int]:
    """What ``ecs-release status`` prints, and its exit status (0)."""
    services, factory, region = stack_services(project_dir, stack)
    chosen = choose(services, wanted, stack)
    ecs = (client or factory)("ecs", region)
    revisions = Revisions(ecs)
    lines: list[str] = []
    for service in chosen:
        lines += describe(service, _call(lambda: newest_deployment(ecs, service), service), revisions, stack)
    return "\n".join(lines), 0


def _call(function: Callable[[], Any], service: StackService) -> Any:
    try:
        return function()
    except EcsReleaseError:
        raise
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DeploymentCommandError(
            f"service {service.name} (cluster {service.cluster}): {reason}; check your AWS credentials and the stack's aws: settings"
        ) from None


def act_command(
    project_dir: Path,
    stack: str,
    wanted: str,
    action: Literal["CONTINUE", "ROLLBACK"],
    yes: bool = False,
    confirm: Callable[[str], str] | None = None,
    client: ClientFactory | None = None,
) -> tuple[str, int]:
    """``continue`` (CONTINUE) or ``rollback`` (ROLLBACK) the deployment of ``wanted`` paused at a gate."""
    command, verb = ("continue", "continue") if action == "CONTINUE" else ("rollback", "roll back")
    services, factory, region = stack_services(project_dir, stack)
    (service,) = choose(services, wanted, stack)
    ecs = (client or factory)("ecs", region)
    if not hasattr(ecs, "continue_service_deployment"):
        import botocore

        raise DeploymentCommandError(
            f"botocore {botocore.__version__} has no ContinueServiceDeployment (ECS pause hooks); upgrade it: pip install --upgrade boto3 botocore"
        )
    deployment = _call(lambda: newest_deployment(ecs, service, ACTIVE), service)
    hook = deployment.awaiting if deployment else None
    if deployment is None or hook is None:
        where = f"its newest deployment is {deployment.status} at {deployment.stage or 'no stage'}" if deployment else "it has no deployment in progress"
        raise DeploymentCommandError(
            f"service {service.label} ({service.name}) of stack {stack} is not paused at a gate: {where}; nothing to {verb}; "
            f"see: ecs-release status --stack {stack} --service {service.label}"
        )
    names = Revisions(ecs).names(deployment)
    new = names.get(deployment.target.arn, "the new revision") if deployment.target else "the new revision"
    what = (
        f"the {deployment.strategy.lower().replace('_', '/')} deployment of {new} to service {service.name}, paused at {deployment.stage}"
    )
    question = f"{'Continue' if action == 'CONTINUE' else 'Roll back'} {what}? [y/N] "
    if not yes:
        if confirm is None:
            raise DeploymentCommandError(f"{command} needs a confirmation and there is no terminal to ask on; add --yes to {verb} {what}")
        if confirm(question).strip().lower() not in ("y", "yes"):
            return f"not done: {what} stays paused", 1
    _call(lambda: ecs.continue_service_deployment(serviceDeploymentArn=deployment.arn, hookId=hook.hook_id, action=action), service)
    done = "continued" if action == "CONTINUE" else "rolling back"
    return f"{done}: {what}; follow it with: ecs-release status --stack {stack} --service {service.label}", 0
