"""Spec + image versions + settings → what the stack registers for one service (pure).

:func:`plan_task_definition` turns a spec, its image versions and its
:class:`~components.service_settings.TaskDefinitionSettings` into the canonical document, rendered
once, and the roles and log group to create beside it. :func:`plan_service` adds the
:class:`~components.service_settings.ServiceSettings`. Each checks every rule first and raises one
:class:`~components.errors.EcsReleaseError` listing every problem; the components call them before
they register anything.
"""

from __future__ import annotations

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
    return problems


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
    return ServicePlan(
        task=task,
        settings=settings,
        service_name=service_name,
        cluster=cluster,
        awsvpc=awsvpc,
        default_vpc=default_vpc,
        # The default VPC's subnets are public; only Fargate tasks can get a public IP (rule public-ip-fargate).
        assign_public_ip=(default_vpc and settings.launch_type == "FARGATE") if public_ip is None else public_ip,
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
