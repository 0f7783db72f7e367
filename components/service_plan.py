"""Task definition + service settings → what the stack creates around the service (pure).

:func:`plan_service` checks every rule that spans the settings and the spec, collects all
problems into one :class:`ServiceSettingsError`, and only then returns a :class:`ServicePlan`.
The program calls it before it registers any resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from .errors import EcsReleaseError
from .render import render_document
from .service_settings import CREATE, LOG_RETENTION_DAYS, ServiceSettings, ServiceSettingsError
from .spec import TaskDefinitionSpec

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_CLUSTER_ARN = re.compile(r"^arn:[\w-]+:ecs:[a-z0-9-]+:\d{12}:cluster/(?P<name>[A-Za-z0-9_-]{1,255})$")


def default_log_group(family: str) -> str:
    """The log group of awslogs containers that name none: ``/ecs/<family>``."""
    return f"/ecs/{family}"


@dataclass(frozen=True)
class ClusterRef:
    """The cluster the service runs in: one the stack creates, or an existing one."""

    create: bool
    name: str | None
    """The cluster's name when known in code (created, or existing by name)."""
    arn: str | None = None
    """The existing cluster's ARN when given as one."""


@dataclass(frozen=True)
class ServicePlan:
    """Everything the service's components need, validated."""

    spec: TaskDefinitionSpec
    """The spec with the default log group filled into awslogs containers that name none."""
    settings: ServiceSettings
    service_name: str
    cluster: ClusterRef
    log_group: str | None
    """Name of the log group the stack creates; ``None`` when every container names its own."""
    execution_role_name: str | None
    """Name of the execution role the stack creates; ``None`` when the spec names an executionRoleArn."""
    task_role_name: str | None
    """Name of the task role the stack creates; ``None`` when the spec names one or no policies are set."""
    awsvpc: bool
    default_vpc: bool
    """Whether the tasks run in the account's default VPC (awsvpc with no subnets given)."""
    assign_public_ip: bool


def parse_cluster(value: str, service_name: str) -> ClusterRef | str:
    """The cluster reference of ``settings.cluster``, or a problem message."""
    if value == CREATE:
        return ClusterRef(create=True, name=service_name)
    if match := _CLUSTER_ARN.match(value):
        return ClusterRef(create=False, name=match["name"], arn=value)
    if _NAME.match(value):
        return ClusterRef(create=False, name=value)
    return (
        f'ServiceSettings.cluster: "{value}" is neither "create" nor a cluster name or cluster ARN; use "create", '
        f'a name of letters, digits, "-" and "_", or arn:aws:ecs:<region>:<account>:cluster/<name>'
    )


def _with_log_defaults(spec: TaskDefinitionSpec, region: str | None) -> tuple[TaskDefinitionSpec, str | None]:
    """Fill ``awslogs-group`` (and ``awslogs-region`` when ``region`` is given) where a container omits it."""
    document = spec.model_dump(by_alias=True, exclude_none=True)
    group = default_log_group(spec.family)
    used = False
    for container in document["containerDefinitions"]:
        log = container.get("logConfiguration")
        if not log or log.get("logDriver") != "awslogs":
            continue
        options = log.setdefault("options", {})
        if "awslogs-group" not in options:
            options["awslogs-group"] = group
            used = True
        if region and "awslogs-region" not in options:
            options["awslogs-region"] = region
    return TaskDefinitionSpec.model_validate(document), group if used else None


def _role_name(family: str, suffix: str) -> str:
    return f"{family[: 64 - len(suffix) - 1]}-{suffix}"


def settings_problems(spec: TaskDefinitionSpec, settings: ServiceSettings) -> list[str]:
    """Every problem of ``settings`` against ``spec``; empty when they fit."""
    problems: list[str] = []
    service_name = settings.name or spec.family
    if not _NAME.match(service_name):
        problems.append(f'ServiceSettings.name: "{service_name}" is not a service name; use up to 255 letters, digits, "-" and "_"')
    cluster = parse_cluster(settings.cluster, service_name)
    if isinstance(cluster, str):
        problems.append(cluster)

    compatibilities = spec.requires_compatibilities or []
    if compatibilities and settings.launch_type not in compatibilities:
        problems.append(
            f"ServiceSettings.launch_type: {settings.launch_type} is not among the task definition's "
            f"requiresCompatibilities ({', '.join(compatibilities)}); use one of them or add {settings.launch_type} to the spec"
        )
    network = settings.network
    network_set = [field for field in ("subnets", "security_groups", "assign_public_ip") if getattr(network, field) is not None]
    if spec.network_mode != "awsvpc" and network_set:
        problems.append(
            f"ServiceSettings.network: {', '.join(network_set)} set but the task definition's "
            f"networkMode is {spec.network_mode or 'bridge'}; network settings apply to awsvpc only, remove them"
        )
    if network.subnets is not None and not network.subnets:
        problems.append("ServiceSettings.network.subnets: empty list; give subnet IDs, or leave it unset for the default VPC")

    scaling = settings.autoscaling
    if scaling and scaling.min_tasks > scaling.max_tasks:
        problems.append(
            f"AutoscalingSettings: min_tasks {scaling.min_tasks} is above max_tasks {scaling.max_tasks}; "
            "lower min_tasks or raise max_tasks"
        )
    elif scaling and not scaling.min_tasks <= settings.desired_count <= scaling.max_tasks:
        problems.append(
            f"ServiceSettings.desired_count: {settings.desired_count} is outside the autoscaling range "
            f"{scaling.min_tasks}..{scaling.max_tasks}; set desired_count (the count the service starts with) within it"
        )

    balancer = settings.load_balancer
    if balancer:
        containers = {c.name: c for c in spec.container_definitions if c.name}
        container = containers.get(balancer.container_name)
        if container is None:
            problems.append(
                f'LoadBalancerSettings.container_name: "{balancer.container_name}" is not a container of task definition '
                f"{spec.family}; use one of: {', '.join(sorted(containers))}"
            )
        else:
            ports = sorted({m.container_port for m in container.port_mappings or [] if m.container_port is not None})
            if balancer.container_port not in ports:
                problems.append(
                    f'LoadBalancerSettings.container_port: {balancer.container_port} is not a containerPort of container '
                    f'"{balancer.container_name}"; use one of: {", ".join(map(str, ports)) or "(none: add a portMapping)"}'
                )

    if settings.log_retention_days not in (0, *LOG_RETENTION_DAYS):
        problems.append(
            f"ServiceSettings.log_retention_days: {settings.log_retention_days} is not a CloudWatch retention period; "
            f"use 0 (never expire) or one of: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    return problems


def plan_service(
    spec: TaskDefinitionSpec,
    settings: ServiceSettings,
    versions: Mapping[str, str] | None = None,
    region: str | None = None,
) -> ServicePlan:
    """Validate ``settings`` against ``spec`` (and, with ``versions``, the rendered task definition),
    raising every problem at once, and return the plan.
    """
    problems = settings_problems(spec, settings)
    planned, log_group = _with_log_defaults(spec, region)
    if versions is not None:
        try:
            render_document(planned, versions)
        except EcsReleaseError as error:
            problems = error.problems + problems
    if problems:
        raise ServiceSettingsError(problems)

    service_name = settings.name or spec.family
    cluster = parse_cluster(settings.cluster, service_name)
    assert isinstance(cluster, ClusterRef)
    awsvpc = spec.network_mode == "awsvpc"
    default_vpc = awsvpc and settings.network.subnets is None
    public_ip = settings.network.assign_public_ip
    return ServicePlan(
        spec=planned,
        settings=settings,
        service_name=service_name,
        cluster=cluster,
        log_group=log_group,
        execution_role_name=None if spec.execution_role_arn else _role_name(spec.family, "execution"),
        task_role_name=None if spec.task_role_arn or not settings.task_role_policy_arns else _role_name(spec.family, "task"),
        awsvpc=awsvpc,
        default_vpc=default_vpc,
        assign_public_ip=default_vpc if public_ip is None else public_ip,
    )
