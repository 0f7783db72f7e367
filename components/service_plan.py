"""Spec + image versions + settings → what the stack registers for one service (pure).

:func:`plan_task_definition` turns a spec, its image versions and its
:class:`~components.service_settings.TaskDefinitionSettings` into the canonical document, rendered
once, and the roles and log group to create beside it. :func:`plan_service` adds the
:class:`~components.service_settings.ServiceSettings`. Each checks every rule first and raises one
:class:`~components.errors.EcsReleaseError` listing every problem; the components call them before
they register anything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .errors import EcsReleaseError, TagError
from .iam_policy import reference_problems
from .images import ImageReference
from .render import Document, container_images, render_document
from .rules import execution_role_problems
from .service_rules import CLUSTER_ARN, NAME, service_rule_problems
from .service_settings import CREATE, LOG_RETENTION_DAYS, ServiceSettings, ServiceSettingsError, TaskDefinitionSettings
from .spec import TaskDefinitionSpec


def default_log_group(family: str) -> str:
    """The log group of awslogs containers that name none: ``/ecs/<family>``."""
    return f"/ecs/{family}"


@dataclass(frozen=True)
class TaskDefinitionPlan:
    """One task definition, validated and rendered, and what the stack creates beside it."""

    spec: TaskDefinitionSpec
    """The spec as registered: the default log group filled into awslogs containers that name none."""
    document: Document
    """The canonical RegisterTaskDefinition document (:func:`components.render.render_document`)."""
    settings: TaskDefinitionSettings
    log_group: str | None
    """Name of the log group the stack creates; ``None`` when every awslogs container names its own."""
    execution_role_name: str | None
    """Name of the execution role the stack creates; ``None`` when the caller or the spec names one."""
    task_role_name: str | None
    """Name of the task role the stack creates; ``None`` when the caller or the spec names one, or no policies are set."""
    execution_role: str = "created"
    """Where the execution role comes from: ``"created"`` by the stack, the ``"spec"``'s executionRoleArn, the
    caller's ``"argument"``, or ``"none"`` (the caller's argument is empty)."""

    @property
    def images(self) -> dict[str, str]:
        """Container name → the image reference it runs."""
        return container_images(self.document)


@dataclass(frozen=True)
class ClusterRef:
    """The cluster the service runs in: one the stack creates, an existing one, or the one the caller passes."""

    create: bool
    name: str | None
    """The cluster's name when known in code (created, or existing by name)."""
    arn: str | None = None
    """The existing cluster's ARN when given as one."""
    given: bool = False
    """Whether the caller passes the cluster (the component's ``cluster`` argument)."""


@dataclass(frozen=True)
class ServicePlan:
    """Everything a service's components need, validated."""

    task: TaskDefinitionPlan
    settings: ServiceSettings
    service_name: str
    cluster: ClusterRef
    awsvpc: bool
    default_vpc: bool
    """Whether the tasks run in the account's default VPC (awsvpc with no subnets given)."""
    assign_public_ip: bool
    infrastructure_role_name: str | None = None
    """Name of the ECS infrastructure role for load balancers the stack creates (traffic-shifting strategies
    behind a load balancer that give no ``infrastructure_role_arn``); ``None`` otherwise."""

    @property
    def spec(self) -> TaskDefinitionSpec:
        return self.task.spec


def parse_cluster(value: str | None, service_name: str, given: bool = False) -> ClusterRef | None:
    """The cluster reference of ``settings.cluster`` (``given``: the caller passes a cluster); ``None`` when it is
    not one (:func:`settings_problems` says why)."""
    if value is None:
        return ClusterRef(create=False, name=None, given=True) if given else ClusterRef(create=True, name=service_name)
    if given:
        return None
    if value == CREATE:
        return ClusterRef(create=True, name=service_name)
    if match := CLUSTER_ARN.match(value):
        return ClusterRef(create=False, name=match["name"], arn=value)
    if NAME.match(value):
        return ClusterRef(create=False, name=value)
    return None


def _with_log_defaults(spec: TaskDefinitionSpec, group: str, region: str | None) -> tuple[TaskDefinitionSpec, bool]:
    """Fill ``awslogs-group`` (and ``awslogs-region`` when ``region`` is given) where an awslogs container omits it."""
    containers, used = [], False
    for container in spec.container_definitions:
        log = container.log_configuration
        if log is None or log.log_driver != "awslogs":
            containers.append(container)
            continue
        options = dict(log.options or {})
        if "awslogs-group" not in options:
            options["awslogs-group"] = group
            used = True
        if region and "awslogs-region" not in options:
            options["awslogs-region"] = region
        if options == (log.options or {}):
            containers.append(container)
        else:
            containers.append(container.model_copy(update={"log_configuration": log.model_copy(update={"options": options})}))
    return spec.model_copy(update={"container_definitions": containers}), used


def _role_name(family: str, suffix: str) -> str:
    return f"{family[: 64 - len(suffix) - 1]}-{suffix}"


def task_settings_problems(settings: TaskDefinitionSettings) -> list[str]:
    """Every problem of ``settings`` on its own; empty when they are valid."""
    if settings.log_retention_days not in (0, *LOG_RETENTION_DAYS):
        return [
            f"TaskDefinitionSettings.log_retention_days: {settings.log_retention_days} is not a CloudWatch retention period; "
            f"use 0 (never expire) or one of: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        ]
    return []


def unversioned_problems(document: Document) -> list[str]:
    """One problem per container whose image has neither a tag nor a digest after the versions were applied."""
    return [
        f'container "{container}" has no image tag or digest (image "{image}"); give it one in the image tags'
        for container, image in container_images(document).items()
        if ImageReference.parse(image).version is None
    ]


def execution_role_source(spec: TaskDefinitionSpec, execution_role_arn: Any = None) -> str:
    """Where the execution role comes from (:attr:`TaskDefinitionPlan.execution_role`): the caller's
    ``execution_role_arn`` (a string or an Output; ``""`` for none), else the spec's, else the stack creates one."""
    if execution_role_arn is not None:
        return "none" if execution_role_arn == "" else "argument"
    return "spec" if spec.execution_role_arn else "created"


_ROLE_NAMED = {
    "spec": "the spec names executionRoleArn",
    "argument": "the execution_role_arn argument names one",
    "none": "the execution_role_arn argument is empty",
}


def role_problems(spec: TaskDefinitionSpec, settings: TaskDefinitionSettings, execution_role: str, task_role_given: bool = False) -> list[str]:
    """Every problem of the roles: what needs an execution role when none will exist (rule of the task
    execution role page), what the role the stack creates cannot grant exactly, and role settings for a role
    the stack does not create."""
    if execution_role == "created":
        problems = reference_problems(spec)
    else:
        problems = execution_role_problems(spec, role_supplied=execution_role != "none")
        for field in ("execution_role_statements", "secrets_kms_key_arns", "pull_through_cache_prefixes"):
            if getattr(settings, field):
                problems.append(
                    f"TaskDefinitionSettings.{field}: set, but the stack creates no execution role ({_ROLE_NAMED[execution_role]}); "
                    "grant this on that role and remove the setting, or let the stack create the role"
                )
    if settings.task_role_statements and (task_role_given or spec.task_role_arn):
        problems.append(
            "TaskDefinitionSettings.task_role_statements: set, but the stack creates no task role (the "
            f"{'spec names taskRoleArn' if spec.task_role_arn else 'task_role_arn argument names one'}); grant them on that "
            "role and remove the setting, or let the stack create the role"
        )
    return problems


def plan_task_definition(
    spec: TaskDefinitionSpec,
    versions: Mapping[str, str],
    settings: TaskDefinitionSettings | None = None,
    region: str | None = None,
    problems: Iterable[str] = (),
    execution_role_arn: Any = None,
    task_role_arn: Any = None,
) -> TaskDefinitionPlan:
    """Validate and render ``spec`` with ``versions`` (container → tag or digest), once.

    Awslogs containers that name no group log to ``/ecs/<family>``, which the plan creates. The
    execution role is the caller's ``execution_role_arn`` (``""``: none), else the spec's, else one the
    stack creates; the task role likewise with ``task_role_arn``. Raises
    :class:`~components.errors.EcsReleaseError` listing ``problems`` (found earlier by the caller) and
    every problem of the spec, the versions, the roles and ``settings``.
    """
    settings = settings or TaskDefinitionSettings()
    execution_role = execution_role_source(spec, execution_role_arn)
    task_role_given = task_role_arn is not None
    problems = [*problems, *task_settings_problems(settings), *role_problems(spec, settings, execution_role, task_role_given)]
    planned, used = _with_log_defaults(spec, default_log_group(spec.family), region)
    document: Document = {}
    kind: type[EcsReleaseError] = ServiceSettingsError
    try:
        document = render_document(planned, versions)
    except EcsReleaseError as error:  # SpecError or TagError: keep the kind when it is the only one
        kind = type(error) if not problems else kind
        problems = error.problems + problems
    else:
        if unversioned := unversioned_problems(document):
            kind = TagError if not problems else kind
            problems = unversioned + problems
    if problems:
        raise kind(problems)
    return TaskDefinitionPlan(
        spec=planned,
        document=document,
        settings=settings,
        log_group=default_log_group(spec.family) if used else None,
        execution_role_name=_role_name(spec.family, "execution") if execution_role == "created" else None,
        task_role_name=(
            None
            if spec.task_role_arn or task_role_given or not (settings.task_role_policy_arns or settings.task_role_statements)
            else _role_name(spec.family, "task")
        ),
        execution_role=execution_role,
    )


def settings_problems(spec: TaskDefinitionSpec, settings: ServiceSettings, cluster_given: bool = False) -> list[str]:
    """Every problem of ``settings`` against ``spec``: the ECS API's service rules
    (:mod:`components.service_rules`), then this library's own; empty when they fit."""
    problems = service_rule_problems(spec, settings)
    if cluster_given and settings.cluster is not None:
        problems.append(
            f'ServiceSettings.cluster: "{settings.cluster}" is set and a cluster is passed to the component too; '
            "leave cluster unset to use the one passed, or pass none"
        )
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
    return problems + deployment_problems(settings)


# --- Deployment strategies ------------------------------------------------------------------------------------

TRAFFIC_SHIFTING = ("blue_green", "canary", "linear")
"""The strategies in which ECS shifts traffic between two target groups through listener rules."""
_ADVANCED = ("alternate_target_group_arn", "production_listener_rule_arn", "test_listener_rule_arn", "infrastructure_role_arn")
_NO_PAUSE = ("TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT")
_TRAFFIC_STAGES = ("POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT")
_STRATEGY_FIELDS = {
    "bake_time_minutes": TRAFFIC_SHIFTING,
    "canary_percent": ("canary",),
    "canary_bake_time_minutes": ("canary",),
    "step_percent": ("linear",),
    "step_bake_time_minutes": ("linear",),
}


def _and(words: Iterable[str]) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _tenths(value: float) -> bool:
    return abs(value * 10 - round(value * 10)) < 1e-9


def deployment_problems(settings: ServiceSettings) -> list[str]:
    """Every problem of ``settings.deployment`` and ``wait_until`` against the rest of the settings.

    What ECS refuses, from its documentation: PAUSE hooks at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html); canary and
    linear deployments without Elastic Load Balancing or Service Connect (these settings have no Service
    Connect; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment-implementation.html,
    .../linear-deployment-implementation.html); percentages that are not multiples of 0.1
    (API_CanaryConfiguration, API_LinearConfiguration); traffic shifting behind a load balancer without an
    alternate target group and a production listener rule
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html). And what
    would never do what it says: a setting of another strategy, a pause at POST_TEST_TRAFFIC_SHIFT with no test listener rule to test on, a
    pause at a traffic-shift stage of a rolling deployment (which shifts no traffic between target groups),
    two pauses at one stage, ``wait_until="paused"`` without a pause, and the provider's wait for a steady
    state, which a paused deployment never reaches.
    """
    problems: list[str] = []
    deployment, balancer = settings.deployment, settings.load_balancer
    strategy = deployment.strategy
    where = f"ServiceSettings.deployment ({strategy})"
    advanced = [name for name in _ADVANCED if balancer and getattr(balancer, name) is not None]
    if strategy not in TRAFFIC_SHIFTING and advanced:
        problems.append(
            f"LoadBalancerSettings: {', '.join(advanced)} set but the deployment strategy is {strategy}; they are used by "
            f"blue_green, canary and linear deployments only: remove them, or set ServiceSettings.deployment.strategy to one of those"
        )
    if strategy in ("canary", "linear") and balancer is None:
        problems.append(
            f"{where}: ECS shifts {strategy} traffic through a load balancer (or Service Connect, which these settings do not "
            "configure) and this service has no load_balancer; add ServiceSettings.load_balancer with its alternate target group "
            "and listener rules, or use strategy rolling or blue_green"
        )
    if strategy in TRAFFIC_SHIFTING and balancer is not None:
        missing = [name for name in ("alternate_target_group_arn", "production_listener_rule_arn") if getattr(balancer, name) is None]
        if missing:
            problems.append(
                f"LoadBalancerSettings: {' and '.join(missing)} missing; a {strategy} deployment behind a load balancer needs the second "
                "target group and the production listener rule whose weights ECS shifts (create both beforehand)"
            )
        if balancer.alternate_target_group_arn == balancer.target_group_arn:
            problems.append("LoadBalancerSettings.alternate_target_group_arn: the same as target_group_arn; give a second target group")
        if balancer.test_listener_rule_arn is not None and balancer.test_listener_rule_arn == balancer.production_listener_rule_arn:
            problems.append("LoadBalancerSettings.test_listener_rule_arn: the same as production_listener_rule_arn; give the rule of the test listener")
    for field in sorted(deployment.model_fields_set & set(_STRATEGY_FIELDS)):
        if strategy not in _STRATEGY_FIELDS[field] and getattr(deployment, field) is not None:
            problems.append(
                f"ServiceSettings.deployment.{field}: set, but it is a setting of {_and(_STRATEGY_FIELDS[field])} deployments and "
                f"the strategy is {strategy}; remove it, or set the strategy it belongs to"
            )
    for field in ("canary_percent", "step_percent"):
        value = getattr(deployment, field)
        if value is not None and not _tenths(value):
            problems.append(f"{where}.{field}: {value:g} is not a multiple of 0.1, which ECS requires; round it to one decimal")
    stages = [gate.stage for gate in deployment.pauses]
    for stage in sorted({stage for stage in stages if stage in _NO_PAUSE}):
        problems.append(
            f"{where}.pauses: ECS refuses a pause at {stage} (those stages also run during a rollback); pause at "
            f"{'POST_TEST_TRAFFIC_SHIFT' if stage == 'TEST_TRAFFIC_SHIFT' else 'PRE_PRODUCTION_TRAFFIC_SHIFT or POST_PRODUCTION_TRAFFIC_SHIFT'} instead"
        )
    for stage in sorted({stage for stage in stages if stages.count(stage) > 1}):
        problems.append(f"{where}.pauses: {stage} is given {stages.count(stage)} times; keep one pause per stage")
    if strategy == "rolling":
        for stage in sorted({stage for stage in stages if stage in _TRAFFIC_STAGES}):
            problems.append(
                f"{where}.pauses: a rolling deployment shifts no traffic between target groups, so a pause at {stage} would never "
                "happen; pause at RECONCILE_SERVICE, PRE_SCALE_UP or POST_SCALE_UP, or use strategy blue_green, canary or linear"
            )
    elif "POST_TEST_TRAFFIC_SHIFT" in stages and (balancer is None or balancer.test_listener_rule_arn is None):
        problems.append(
            f"{where}.pauses: a pause at POST_TEST_TRAFFIC_SHIFT is for testing the new revision on the test listener, and "
            "LoadBalancerSettings.test_listener_rule_arn is not set; give the test listener rule, or pause at another stage"
        )
    if settings.wait_until == "paused" and not stages:
        problems.append('ServiceSettings.wait_until: "paused" but the deployment has no pause gate; add one to deployment.pauses, or wait until "completed"')
    if settings.wait_for_steady_state and stages:
        problems.append(
            "ServiceSettings.wait_for_steady_state: true with pause gates: a paused deployment never becomes steady, so the AWS "
            "provider's wait would fail the update; leave it false (the rollout wait follows the deployment)"
        )
    return problems


def bake_seconds(settings: ServiceSettings) -> float:
    """The time the strategy itself spends waiting (bake times), which the rollout wait adds to its timeout."""
    deployment = settings.deployment
    minutes = deployment.bake
    if deployment.strategy == "canary":
        minutes += deployment.canary[1]
    elif deployment.strategy == "linear":
        step, step_bake = deployment.linear
        minutes += (math.ceil(100 / step - 1e-9) - 1) * step_bake  # no bake after the last step (API_LinearConfiguration)
    return float(minutes * 60)


def deployment_configuration(settings: ServiceSettings) -> dict[str, Any]:
    """The service's ``deployment_configuration`` input (pulumi-aws ``aws.ecs.Service``; its minute counts are strings)."""
    deployment = settings.deployment
    configuration: dict[str, Any] = {"strategy": deployment.strategy.upper()}
    if deployment.strategy in TRAFFIC_SHIFTING:
        configuration["bake_time_in_minutes"] = str(deployment.bake)
    if deployment.strategy == "canary":
        percent, bake = deployment.canary
        configuration["canary_configuration"] = {"canary_percent": percent, "canary_bake_time_in_minutes": str(bake)}
    if deployment.strategy == "linear":
        percent, bake = deployment.linear
        configuration["linear_configuration"] = {"step_percent": percent, "step_bake_time_in_minutes": str(bake)}
    if deployment.pauses:
        configuration["lifecycle_hooks"] = [
            {
                "target_type": "PAUSE",
                "lifecycle_stages": [gate.stage],
                "timeout_configuration": {"action": gate.timeout_action, "timeout_in_minutes": str(gate.timeout_minutes)},
            }
            for gate in deployment.pauses
        ]
    return configuration


def deployment_inputs(settings: ServiceSettings) -> dict[str, Any]:
    """What, besides the task definition, starts a new service deployment when it changes: the launch type, the
    network, the load balancer (its health-check grace aside) and the deployment settings, as plain data."""
    balancer = settings.load_balancer.model_dump(exclude={"health_check_grace_period_seconds"}) if settings.load_balancer else None
    return {
        "launch_type": settings.launch_type,
        "network": settings.network.model_dump(),
        "load_balancer": balancer,
        "deployment": settings.deployment.model_dump(),
    }


def plan_service(task: TaskDefinitionPlan, settings: ServiceSettings, cluster_given: bool = False) -> ServicePlan:
    """Validate ``settings`` against the planned task definition, raising every problem at once, and return the plan.

    ``cluster_given``: the caller passes the cluster (then ``settings.cluster`` must be unset).
    """
    problems = settings_problems(task.spec, settings, cluster_given)
    if problems:
        raise ServiceSettingsError(problems)
    service_name = settings.name or task.spec.family
    cluster = parse_cluster(settings.cluster, service_name, cluster_given)
    assert cluster is not None  # settings_problems refused it otherwise
    awsvpc = task.spec.network_mode == "awsvpc"
    default_vpc = awsvpc and settings.network.subnets is None
    public_ip = settings.network.assign_public_ip
    balancer = settings.load_balancer
    infrastructure = settings.deployment.strategy in TRAFFIC_SHIFTING and balancer is not None and balancer.infrastructure_role_arn is None
    return ServicePlan(
        task=task,
        settings=settings,
        service_name=service_name,
        cluster=cluster,
        awsvpc=awsvpc,
        default_vpc=default_vpc,
        # The default VPC's subnets are public; only Fargate tasks can get a public IP (rule public-ip-fargate).
        assign_public_ip=(default_vpc and settings.launch_type == "FARGATE") if public_ip is None else public_ip,
        infrastructure_role_name=_role_name(service_name, "ecs-infrastructure") if infrastructure else None,
    )


def coerce(model: Any, value: Any, where: str, problems: list[str]) -> Any:
    """``value`` (a ``model`` instance, a mapping, or ``None`` for the defaults) as a ``model``; problems appended."""
    from pydantic import ValidationError

    from .errors import model_problems

    if isinstance(value, model):
        return value
    try:
        return model.model_validate(dict(value or {}))
    except ValidationError as error:
        problems += model_problems(error, where)
    except (TypeError, ValueError):
        problems.append(f"{where}{model.__name__}: expected a mapping of its fields, got {type(value).__name__}; pass a dict")
    return None
