"""The ECS API's rules for a service (CreateService/UpdateService) against what ``ServiceSettings`` set, as a table.

Like the task-definition table (:mod:`components.rules`): each :class:`ServiceRule` has an id,
the page (and section) where AWS writes the rule, and a check yielding one message per problem,
naming the setting as the caller spelled it, the bad value and the fix. A value is refused only
where the documentation says AWS refuses it, or (``deployment-progress``) says the deployment
cannot proceed. :func:`service_rule_problems` runs the whole table; the service plan collects its
problems with the task definition's, before anything exists.

Rules (id: what; source). ``API_*`` pages are in the ECS API reference, the others in the ECS
developer guide (see :mod:`components.rules` for both base URLs).

- ``service-name``: up to 255 letters, digits, ``-`` and ``_``; API_CreateService
- ``cluster-name``: an existing cluster's name (the same characters) or cluster ARN; API_CreateCluster
- ``launch-type``: the launch type is one the task definition was validated for
  (``requiresCompatibilities``); task_definition_parameters
- ``network-mode``: network settings only for awsvpc task definitions; API_CreateService
- ``subnets``: at least 1 and at most 16 subnets; API_AwsVpcConfiguration
- ``security-groups``: at most 5 security groups; API_AwsVpcConfiguration
- ``public-ip-fargate``: a public IP only on Fargate (task ENIs on EC2 get none); task-networking-awsvpc
- ``deployment-progress``: minimum healthy and maximum percent let the scheduler stop or start at
  least one task at every task count the service can have; deployment-type-ecs
- ``load-balancer-container``: the load balancer's container is a container of the task definition;
  API_LoadBalancer
- ``load-balancer-port``: its port is a ``containerPort`` of that container; API_LoadBalancer
- ``health-check-grace-period``: 0 to 2,147,483,647 seconds, and only with a load balancer (the
  setting is a field of ``load_balancer``, so the model enforces the second half);
  service_definition_parameters
- ``service-name-unique`` (across the services of a program, :func:`duplicate_service_problems`):
  service names are unique within a cluster; API_CreateService

The deployment-percent specifics of the blue/green (``CODE_DEPLOY``) and ``EXTERNAL`` controllers
do not apply: the service always uses the rolling update (``ECS``) controller. The API reference
gives no numeric range for ``minimumHealthyPercent`` or ``maximumPercent``, so none is imposed
beyond ``deployment-progress``. That subnets and security groups share one VPC is AWS's to check:
their IDs alone do not say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .rules import API, GUIDE

if TYPE_CHECKING:
    from .service_settings import ServiceSettings
    from .spec import TaskDefinitionSpec

NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
"""A service or cluster name: up to 255 letters, digits, hyphens and underscores."""
CLUSTER_ARN = re.compile(r"^arn:[\w-]+:ecs:[a-z0-9-]+:\d{12}:cluster/(?P<name>[A-Za-z0-9_-]{1,255})$")
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_GRACE_PERIOD_SECONDS = 2_147_483_647


@dataclass(frozen=True)
class Service:
    """What the service rules look at: the task definition and the service's settings."""

    spec: "TaskDefinitionSpec"
    settings: "ServiceSettings"

    @property
    def name(self) -> str:
        return self.settings.name or self.spec.family


ServiceCheck = Callable[[Service], Iterator[str]]


@dataclass(frozen=True)
class ServiceRule:
    """One rule AWS applies at CreateService/UpdateService."""

    id: str
    source: str
    """URL (with section anchor where there is one) of the page that states the rule."""
    check: ServiceCheck


def _service_name(service: Service) -> Iterator[str]:
    if not NAME.match(service.name):
        where = "ServiceSettings.name" if service.settings.name is not None else "ServiceSettings.name (the family, by default)"
        yield f'{where}: "{service.name}" is not a service name; use up to 255 letters, digits, "-" and "_"'


def _cluster_name(service: Service) -> Iterator[str]:
    from .service_settings import CREATE

    value = service.settings.cluster
    if value is None or value == CREATE or CLUSTER_ARN.match(value) or NAME.match(value):
        return
    yield (
        f'ServiceSettings.cluster: "{value}" is neither "create" nor a cluster name or cluster ARN; use "create", '
        f'a name of letters, digits, "-" and "_", or arn:aws:ecs:<region>:<account>:cluster/<name>'
    )


def _launch_type(service: Service) -> Iterator[str]:
    compatibilities = service.spec.requires_compatibilities or []
    launch_type = service.settings.launch_type
    if compatibilities and launch_type not in compatibilities:
        yield (
            f"ServiceSettings.launch_type: {launch_type} is not among the task definition's "
            f"requiresCompatibilities ({', '.join(compatibilities)}); use one of them or add {launch_type} to the spec"
        )


def _network_mode(service: Service) -> Iterator[str]:
    network = service.settings.network
    network_set = [field for field in ("subnets", "security_groups", "assign_public_ip") if getattr(network, field) is not None]
    if service.spec.network_mode != "awsvpc" and network_set:
        yield (
            f"ServiceSettings.network: {', '.join(network_set)} set but the task definition's "
            f"networkMode is {service.spec.network_mode or 'bridge'}; network settings apply to awsvpc only, remove them"
        )


def _subnets(service: Service) -> Iterator[str]:
    subnets = service.settings.network.subnets
    if subnets is not None and not subnets:
        yield "ServiceSettings.network.subnets: empty list; give subnet IDs, or leave it unset for the default VPC"
    elif subnets is not None and len(subnets) > MAX_SUBNETS:
        yield (
            f"ServiceSettings.network.subnets: {len(subnets)} subnets; AWS accepts at most {MAX_SUBNETS} per service: "
            "keep one or two per Availability Zone"
        )


def _security_groups(service: Service) -> Iterator[str]:
    groups = service.settings.network.security_groups
    if groups is not None and len(groups) > MAX_SECURITY_GROUPS:
        yield (
            f"ServiceSettings.network.security_groups: {len(groups)} security groups; AWS accepts at most "
            f"{MAX_SECURITY_GROUPS} per service: merge their rules into fewer groups"
        )


def _public_ip_fargate(service: Service) -> Iterator[str]:
    settings = service.settings
    if settings.network.assign_public_ip and settings.launch_type != "FARGATE":
        yield (
            f"ServiceSettings.network.assign_public_ip: true with launch_type {settings.launch_type}; task network "
            "interfaces on EC2 instances get no public IP: set it to false (reach the internet through a NAT gateway) "
            "or use FARGATE"
        )


def _task_counts(settings: "ServiceSettings") -> list[int]:
    """Every task count the service can deploy at: its desired count, and with autoscaling each count in range."""
    counts = {settings.desired_count}
    scaling = settings.autoscaling
    if scaling and scaling.min_tasks <= scaling.max_tasks:
        counts.update(range(scaling.min_tasks, scaling.max_tasks + 1))
    return sorted(count for count in counts if count > 0)  # with no task there is nothing to replace


def _deployment_progress(service: Service) -> Iterator[str]:
    settings = service.settings
    minimum, maximum = settings.minimum_healthy_percent, settings.maximum_percent
    for count in _task_counts(settings):
        # The scheduler keeps ceil(count * minimum%) running and runs at most floor(count * maximum%).
        keep = math.ceil(count * minimum / 100)
        allow = math.floor(count * maximum / 100)
        if keep >= count and allow <= count:
            yield (
                f"ServiceSettings.minimum_healthy_percent/maximum_percent: {minimum}/{maximum} at {count} task"
                f"{'s' if count > 1 else ''} keeps {keep} running and allows {allow}, so ECS can neither stop nor start "
                "a task and every deployment is stuck; lower minimum_healthy_percent or raise maximum_percent"
            )
            return


def _balanced_container(service: Service):
    balancer = service.settings.load_balancer
    if balancer is None:
        return None, None
    containers = {c.name: c for c in service.spec.container_definitions if c.name}
    return balancer, containers


def _load_balancer_container(service: Service) -> Iterator[str]:
    balancer, containers = _balanced_container(service)
    if balancer is not None and balancer.container_name not in containers:
        yield (
            f'LoadBalancerSettings.container_name: "{balancer.container_name}" is not a container of task definition '
            f"{service.spec.family}; use one of: {', '.join(sorted(containers))}"
        )


def _load_balancer_port(service: Service) -> Iterator[str]:
    balancer, containers = _balanced_container(service)
    container = containers.get(balancer.container_name) if balancer is not None else None
    if container is None:
        return
    ports = sorted({m.container_port for m in container.port_mappings or [] if m.container_port is not None})
    if balancer.container_port not in ports:
        yield (
            f"LoadBalancerSettings.container_port: {balancer.container_port} is not a containerPort of container "
            f'"{balancer.container_name}"; use one of: {", ".join(map(str, ports)) or "(none: add a portMapping)"}'
        )


def _health_check_grace_period(service: Service) -> Iterator[str]:
    balancer = service.settings.load_balancer
    if balancer is not None and balancer.health_check_grace_period_seconds > MAX_GRACE_PERIOD_SECONDS:
        yield (
            f"LoadBalancerSettings.health_check_grace_period_seconds: {balancer.health_check_grace_period_seconds} is "
            f"above the maximum of {MAX_GRACE_PERIOD_SECONDS}; AWS accepts 0 to {MAX_GRACE_PERIOD_SECONDS} s: set a value "
            "in that range"
        )


SERVICE_RULES: tuple[ServiceRule, ...] = (
    ServiceRule("service-name", API + "API_CreateService.html#ECS-CreateService-request-serviceName", _service_name),
    ServiceRule("cluster-name", API + "API_CreateCluster.html#ECS-CreateCluster-request-clusterName", _cluster_name),
    ServiceRule("launch-type", GUIDE + "task_definition_parameters.html#requires_compatibilities", _launch_type),
    ServiceRule("network-mode", API + "API_CreateService.html#ECS-CreateService-request-networkConfiguration", _network_mode),
    ServiceRule("subnets", API + "API_AwsVpcConfiguration.html", _subnets),
    ServiceRule("security-groups", API + "API_AwsVpcConfiguration.html", _security_groups),
    ServiceRule("public-ip-fargate", GUIDE + "task-networking-awsvpc.html", _public_ip_fargate),
    ServiceRule("deployment-progress", GUIDE + "deployment-type-ecs.html", _deployment_progress),
    ServiceRule("load-balancer-container", API + "API_LoadBalancer.html", _load_balancer_container),
    ServiceRule("load-balancer-port", API + "API_LoadBalancer.html", _load_balancer_port),
    ServiceRule("health-check-grace-period", GUIDE + "service_definition_parameters.html", _health_check_grace_period),
)
"""Every rule of one service's settings, in the order its problems are reported."""

SERVICE_NAME_UNIQUE = API + "API_CreateService.html#ECS-CreateService-request-serviceName"
"""Source of ``service-name-unique``: service names are unique within a cluster, a rule across a
program's services (:func:`duplicate_service_problems`)."""


def service_rule_problems(spec: "TaskDefinitionSpec", settings: "ServiceSettings") -> list[str]:
    """Every problem the table finds in ``settings`` for ``spec``; empty when AWS would accept them."""
    service = Service(spec, settings)
    return [problem for rule in SERVICE_RULES for problem in rule.check(service)]


def duplicate_service_problems(services: Sequence[tuple[str, str, str]]) -> list[str]:
    """``(declared name, cluster as said in a message, service name)`` of each service of a program → one problem per service whose
    name another service already has in the same cluster (rule ``service-name-unique``)."""
    seen: dict[tuple[str, str], str] = {}
    problems = []
    for declared, cluster, name in services:
        if (cluster, name) in seen:
            problems.append(
                f'service "{declared}": ServiceSettings.name: "{name}" is also the name of service "{seen[cluster, name]}" '
                f"in {cluster}; service names are unique within a cluster: give one of them another name"
            )
        else:
            seen[cluster, name] = declared
    return problems
