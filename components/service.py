"""The ``TaggedService`` component: one ECS service end to end, whose only moving part is each image's tag.

::

    web = TaggedService("web", {
        "task_definition": spec,                 # a TaskDefinitionSpec, the AWS JSON document, or a file path
        "image_tags": {"web": "1.4.2"},          # container → tag or sha256: digest (from stack config)
        "service": {"desired_count": 2},         # ServiceSettings fields
        "task": {"log_retention_days": 7},       # TaskDefinitionSettings fields
        "release": {"production": True},         # ReleasePolicy fields
    })

It validates everything (:func:`check_tagged_service`) and raises one
:class:`~components.errors.EcsReleaseError` listing every problem before its first child exists.
A tag change changes only the task definition and, through its ARN, the service's
``task_definition`` input, the rollout's expected ARN and the retention's current revision:
roles, policies, the log group and autoscaling depend on the spec and settings alone.
"""

import json
from dataclasses import dataclass
from typing import Any, Mapping, NotRequired, Optional, TypedDict

import pulumi
import pulumi_aws as aws

from .args import AwsSettings as AwsSettingsDict
from .args import ReleasePolicy as ReleasePolicyDict
from .args import ServiceSettings as ServiceSettingsDict
from .args import TaskDefinitionSettings as TaskDefinitionSettingsDict
from .aws_clients import AwsConfigError, coerce_settings
from .errors import EcsReleaseError, SpecFileError
from .iam_policy import ECS_INFRASTRUCTURE_LB_POLICY, ecs_infrastructure_trust_policy
from .images import container_tag_keys
from .pinning import PreparedRelease, ReleasePolicy, mutable_tag_problems, prepare_release, resolve_with_pulumi
from .retention import RevisionRetention
from .rollout import ServiceRollout
from .service_plan import (
    ServicePlan,
    bake_seconds,
    coerce,
    deployment_configuration,
    deployment_inputs,
    plan_service,
    plan_task_definition,
    settings_problems,
)
from .service_settings import ServiceSettings, TaskDefinitionSettings
from .spec import TaskDefinitionSpec
from .task_definition import ChildOptions, provider_region, register_task_definition
from .taskdef_file import spec_from_value

TYPE_TOKEN = "ecs-release:index:TaggedService"
_METRICS = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}
# Before TaggedService, a program wired three top-level components of the same name; their children keep
# their names under TaggedService, and these aliases keep their URNs (no replacement on the first update).
_PREVIOUS_PARENTS = {
    "roles": "ecs-release:index:TaskRoles",
    "task_definition": "ecs-release:index:TaggedTaskDefinition",
    "service": "ecs-release:index:EcsService",
}


class TaggedServiceArgs(TypedDict):
    """Inputs of :class:`TaggedService`.

    The settings are typed by their ``TypedDict`` mirrors (:mod:`components.args`), which the component
    package's schema is inferred from; in Python each also takes its pydantic model
    (:class:`~components.service_settings.ServiceSettings`, …), and ``task_definition`` also a
    :class:`~components.spec.TaskDefinitionSpec` or the path of a JSON/YAML file.
    """

    task_definition: Mapping[str, Any]
    """The static task definition, everything but the image versions: the AWS JSON document (camelCase,
    as `aws ecs register-task-definition` takes it; describe-task-definition output works too). Required."""
    image_tags: Mapping[str, str]
    """Container name → image tag (``1.4.2``) or ``sha256:`` digest, usually from stack config.
    Every container needs one unless its spec image has one. Required."""
    image_keys: NotRequired[Mapping[str, str]]
    """Container name → the stack-config key that sets its tag, named in messages. Default: the
    container's name in lowerCamelCase plus ``Tag`` (``web`` → ``webTag``)."""
    service: NotRequired[ServiceSettingsDict]
    """The service's settings. Default: one Fargate task in the default VPC, rolling deployment with
    circuit breaker and rollback."""
    task: NotRequired[TaskDefinitionSettingsDict]
    """The roles' policies and statements and the log retention. Default: no task role, logs kept 30 days."""
    release: NotRequired[ReleasePolicyDict]
    """Mutable-tag refusal, digest pinning and revisions kept. Default: not production, no pinning,
    10 revisions kept."""
    cluster: NotRequired[pulumi.Input[str]]
    """ARN of the cluster to run in, e.g. the ARN of an ``aws.ecs.Cluster`` several services share; then
    ``service.cluster`` stays unset. Default: ``service.cluster``."""
    aws: NotRequired[AwsSettingsDict]
    """The stack's AWS provider settings (``aws:profile``, ``aws:assumeRoles``, ``aws:endpoints``), as an
    :class:`~components.aws_clients.AwsSettings` or its fields, for the code that calls AWS itself, the rollout
    wait and revision retention, so that they reach the account the provider deploys to. ``prepare_services``
    reads them from the stack's config. Default: none, boto3's standard credential chain in the provider's region."""
    aws_profile: NotRequired[Optional[str]]
    """The stack's ``aws:profile`` alone (older programs); ``aws`` supersedes it. Default: none."""


@dataclass(frozen=True)
class TaggedServicePlan:
    """Everything :class:`TaggedService` registers, validated; the release as registered."""

    service: ServicePlan
    release: PreparedRelease
    policy: ReleasePolicy


def check_tagged_service(args: TaggedServiceArgs, resolve=resolve_with_pulumi) -> TaggedServicePlan:
    """Validate ``args`` and plan the service, raising one :class:`EcsReleaseError` with every problem.

    Nothing is registered. With ``release.pin_digests``, tags are resolved to digests (``resolve``,
    an ECR look-up) only after everything else is valid.
    """
    problems: list[str] = []
    settings = coerce(ServiceSettings, args.get("service"), "", problems)
    try:
        coerce_settings(args.get("aws"))
    except AwsConfigError as error:
        problems += error.problems
    task_settings = coerce(TaskDefinitionSettings, args.get("task"), "", problems)
    policy = coerce(ReleasePolicy, args.get("release"), "", problems)
    try:
        spec = spec_from_value(args.get("task_definition"), "task_definition")
    except SpecFileError as error:
        raise EcsReleaseError(error.problems + problems) from None
    tags = dict(args.get("image_tags") or {})
    cluster_given = args.get("cluster") is not None
    keys = container_tag_keys((c.name for c in spec.container_definitions), args.get("image_keys"))
    project, stack = pulumi.get_project(), pulumi.get_stack()
    if policy is not None:
        problems += mutable_tag_problems(tags, keys, policy, stack)
    if settings is not None:
        problems += settings_problems(spec, settings, cluster_given)
    # Every rule of the spec, the tags and the settings, before any AWS call (pinning looks images up).
    unchecked = ReleasePolicy(production=False, pin_digests=False)  # its checks are in problems already
    release = prepare_release(spec, tags, keys, unchecked, project, stack)
    # awslogs containers that name no region log to the stack's (the AWS provider's aws:region).
    region = pulumi.Config("aws").get("region")
    task = plan_task_definition(release.spec, release.versions, task_settings, region, problems=problems)
    if policy.pin_digests:
        release = prepare_release(spec, tags, keys, policy, project, stack, resolve)
        task = plan_task_definition(release.spec, release.versions, task_settings, region)
    return TaggedServicePlan(plan_service(task, settings, cluster_given), release, policy)


def _previous_identity(owner: pulumi.Resource, name: str, outer: Optional[pulumi.Resource]) -> ChildOptions:
    """Child options with ``parent=owner`` and an alias naming the child's URN under the program before TaggedService.

    A top-level component's old children get their old URN as a plain string (the SDK resolves an
    ``Alias`` with a parent through several Outputs per child; benchmarks/bench.py); under another parent,
    an ``Alias`` of that parent's child. The retention was a top-level resource of its own.
    """
    stack, project = pulumi.get_stack(), pulumi.get_project()

    def options(kind: str, cls: type, child: str, **extra: Any) -> pulumi.ResourceOptions:
        token = getattr(cls, "pulumi_type", None) or f"pulumi-python:dynamic:{cls.__name__}"
        if kind == "retention":
            alias: Any = f"urn:pulumi:{stack}::{project}::{token}::{child}"
        elif outer is None:
            alias = f"urn:pulumi:{stack}::{project}::{_PREVIOUS_PARENTS[kind]}${token}::{child}"
        else:
            alias = pulumi.Alias(parent=pulumi.resource.create_urn(name, _PREVIOUS_PARENTS[kind], parent=outer))
        return pulumi.ResourceOptions(parent=owner, aliases=[alias], **extra)

    return options


def _cluster_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class TaggedService(pulumi.ComponentResource):
    """An ECS service whose only moving part is each container's image tag, end to end.

    Type token ``ecs-release:index:TaggedService``. Children, each only when the settings call for it:

    - the task definition's (:func:`components.task_definition.register_task_definition`):
      ``{name}-execution-role``, ``{name}-execution-managed``, ``{name}-execution-secrets``,
      ``{name}-execution-files``, ``{name}-execution-images``, ``{name}-execution-logs``,
      ``{name}-execution-statements``, ``{name}-task-role``, ``{name}-task-<policy>``,
      ``{name}-task-statements``, ``{name}-logs``, ``{name}-taskdef``;
    - ``{name}-cluster`` when the service creates its cluster;
    - ``{name}-service``, the ``aws.ecs.Service`` (task definition by full revision ARN, circuit
      breaker with rollback, the deployment strategy and its pause gates, ``desired_count`` ignored
      when autoscaling);
    - ``{name}-ecs-infrastructure`` and ``{name}-ecs-infrastructure-lb``: for blue/green, canary and
      linear deployments behind a load balancer that name no ``infrastructure_role_arn``, the role ECS
      assumes to shift traffic, with only ``AmazonECSInfrastructureRolePolicyForLoadBalancers``. The
      listener rules are the user's: ECS rewrites their weights on every deployment, so the stack
      never owns them;
    - ``{name}-scaling`` and ``{name}-scaling-policy``, target-tracking autoscaling;
    - ``{name}-rollout`` (:class:`~components.rollout.ServiceRollout`): ``pulumi up`` follows the
      service deployment and fails unless it is SUCCESSFUL (or paused at a gate, with
      ``wait_until="paused"``);
    - ``{name}-retention`` (:class:`~components.retention.RevisionRetention`): after the rollout,
      keeps the newest ``release.keep_revisions`` ACTIVE revisions of the family.

    Raises :class:`~components.errors.EcsReleaseError` listing every problem of ``args`` before
    anything is registered. Children of a program that wired ``TaskRoles``, ``TaggedTaskDefinition``
    and ``EcsService`` of the same name keep their URNs through aliases.
    """

    family: pulumi.Output[str]
    """The task-definition family."""
    revision: pulumi.Output[int]
    """The task-definition revision this deployment registered."""
    task_definition_arn: pulumi.Output[str]
    """The full ARN of that revision (``…:task-definition/family:revision``)."""
    images: pulumi.Output[dict[str, str]]
    """Container name → the image reference it runs."""
    image_tags: pulumi.Output[dict[str, str]]
    """Container name → the tag the caller gave (containers given by digest are absent)."""
    image_digests: pulumi.Output[dict[str, str]]
    """Container name → the digest registered (empty without pinning, unless given by digest)."""
    cluster: pulumi.Output[str]
    """ARN of the cluster."""
    service_name: pulumi.Output[str]
    """Name of the ECS service."""
    service_arn: pulumi.Output[str]
    """ARN of the ECS service."""
    running_task_definition_arn: pulumi.Output[str]
    """Task-definition ARN the service's PRIMARY deployment runs, known once its rollout completed."""
    deregistered_revisions: pulumi.Output[list[str]]
    """Task-definition ARNs that revision retention deregistered in this update."""
    rollout_state: pulumi.Output[str]
    """``COMPLETED``, or ``PAUSED`` when ``pulumi up`` ended at a pause gate (``wait_until="paused"``)."""
    running_image_digests: pulumi.Output[dict[str, str]]
    """Container name → the image digest ECS resolved for the deployment's revision (DescribeServiceRevisions)."""

    def __init__(self, name: str, args: TaggedServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        checked = check_tagged_service(args)
        plan, settings = checked.service, checked.service.settings
        super().__init__(TYPE_TOKEN, name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        options = _previous_identity(self, name, opts.parent if opts is not None else None)

        task = register_task_definition(self, name, plan.task, options=options)
        task_definition = task.task_definition

        self.ecs_cluster = None
        if plan.cluster.given:
            cluster_arn = pulumi.Output.from_input(args["cluster"])
        elif plan.cluster.create:
            self.ecs_cluster = aws.ecs.Cluster(f"{name}-cluster", name=plan.cluster.name, opts=options("service", aws.ecs.Cluster, f"{name}-cluster"))
            cluster_arn = self.ecs_cluster.arn
        elif plan.cluster.arn:
            cluster_arn = pulumi.Output.from_input(plan.cluster.arn)
        else:  # look the name up: fails the preview when the cluster does not exist
            cluster_arn = aws.ecs.get_cluster_output(cluster_name=plan.cluster.name, opts=invoke).arn

        network = None
        if plan.awsvpc:
            subnets: Any = settings.network.subnets
            if plan.default_vpc:
                vpc = aws.ec2.get_vpc_output(default=True, opts=invoke)
                subnets = aws.ec2.get_subnets_output(
                    filters=[{"name": "vpc-id", "values": [vpc.id]}, {"name": "default-for-az", "values": ["true"]}], opts=invoke
                ).ids
            network = {"subnets": subnets, "security_groups": settings.network.security_groups, "assign_public_ip": plan.assign_public_ip}

        balancer = settings.load_balancer
        load_balancers = None
        if balancer:
            load_balancers = [
                {"target_group_arn": balancer.target_group_arn, "container_name": balancer.container_name, "container_port": balancer.container_port}
            ]
            if balancer.alternate_target_group_arn:  # blue/green, canary, linear: ECS shifts the production rule's weights itself
                role_arn: Any = balancer.infrastructure_role_arn
                if plan.infrastructure_role_name:
                    role = aws.iam.Role(
                        f"{name}-ecs-infrastructure",
                        name=plan.infrastructure_role_name,
                        assume_role_policy=json.dumps(ecs_infrastructure_trust_policy(), sort_keys=True),
                        opts=options("service", aws.iam.Role, f"{name}-ecs-infrastructure"),
                    )
                    attachment = aws.iam.RolePolicyAttachment(
                        f"{name}-ecs-infrastructure-lb",
                        role=role.name,
                        policy_arn=ECS_INFRASTRUCTURE_LB_POLICY,
                        opts=options("service", aws.iam.RolePolicyAttachment, f"{name}-ecs-infrastructure-lb"),
                    )
                    role_arn = pulumi.Output.all(role.arn, attachment.id).apply(lambda values: values[0])  # usable once it may act
                advanced = {
                    "alternate_target_group_arn": balancer.alternate_target_group_arn,
                    "production_listener_rule": balancer.production_listener_rule_arn,
                    "role_arn": role_arn,
                }
                if balancer.test_listener_rule_arn:
                    advanced["test_listener_rule"] = balancer.test_listener_rule_arn
                load_balancers[0]["advanced_configuration"] = advanced
        alarms = settings.deployment.rollback_alarms

        scaling = settings.autoscaling
        service = aws.ecs.Service(
            f"{name}-service",
            name=plan.service_name,
            cluster=cluster_arn,
            task_definition=task_definition.arn,
            launch_type=settings.launch_type,
            desired_count=settings.desired_count,
            deployment_minimum_healthy_percent=settings.minimum_healthy_percent,
            deployment_maximum_percent=settings.maximum_percent,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_configuration=deployment_configuration(settings),
            alarms={"alarm_names": list(alarms), "enable": True, "rollback": True} if alarms else None,
            wait_for_steady_state=settings.wait_for_steady_state,
            network_configuration=network,
            load_balancers=load_balancers,
            health_check_grace_period_seconds=balancer.health_check_grace_period_seconds if balancer else None,
            propagate_tags="SERVICE",
            opts=options("service", aws.ecs.Service, f"{name}-service", ignore_changes=["desiredCount"] if scaling else None),
        )

        if scaling:
            resource_id = pulumi.Output.concat("service/", cluster_arn.apply(_cluster_name), "/", service.name)
            target = aws.appautoscaling.Target(
                f"{name}-scaling",
                service_namespace="ecs",
                scalable_dimension="ecs:service:DesiredCount",
                resource_id=resource_id,
                min_capacity=scaling.min_tasks,
                max_capacity=scaling.max_tasks,
                opts=options("service", aws.appautoscaling.Target, f"{name}-scaling"),
            )
            aws.appautoscaling.Policy(
                f"{name}-scaling-policy",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "target_value": scaling.target_percent,
                    "predefined_metric_specification": {"predefined_metric_type": _METRICS[scaling.metric]},
                    "scale_in_cooldown": scaling.scale_in_cooldown_seconds,
                    "scale_out_cooldown": scaling.scale_out_cooldown_seconds,
                },
                opts=options("service", aws.appautoscaling.Policy, f"{name}-scaling-policy"),
            )

        region = provider_region(self)
        aws_props = coerce_settings(args.get("aws") or ({"profile": args["aws_profile"]} if args.get("aws_profile") else None)).props()
        rollout = ServiceRollout(
            f"{name}-rollout",
            cluster=cluster_arn,
            service=plan.service_name,  # known in code: no Output to wire
            task_definition_arn=service.task_definition,
            deployment=deployment_inputs(settings),  # what starts a service deployment besides the task definition
            timeout_seconds=settings.rollout_timeout_seconds,
            poll_seconds=settings.rollout_poll_seconds,
            bake_seconds=bake_seconds(settings),
            wait_until=settings.wait_until,
            region=region,
            aws=aws_props,
            stack=pulumi.get_stack(),
            label=name,
            opts=options("service", ServiceRollout, f"{name}-rollout"),  # after the service: its inputs are the service's outputs
        )
        retention = RevisionRetention(
            f"{name}-retention",
            family=task_definition.family,
            current=task_definition.arn,
            keep=checked.policy.keep_revisions,
            owner=f"{pulumi.get_project()}/{pulumi.get_stack()}",
            region=region,
            protect=[rollout.running_task_definition_arn],
            aws=aws_props,  # runs after the rollout succeeded; never prunes what runs
            cluster=cluster_arn,
            service=plan.service_name,  # known in code: no Output to wire
            opts=options("retention", RevisionRetention, f"{name}-retention"),  # after the rollout: protect is its output
        )

        self.task_definition = task_definition
        self.service = service
        self.rollout = rollout
        self.document = plan.task.document
        self.family = task_definition.family
        self.revision = task_definition.revision
        self.task_definition_arn = task_definition.arn
        self.images = task.images
        release = checked.release
        self.image_tags = pulumi.Output.from_input(None).apply(lambda _: dict(release.image_tags))
        self.image_digests = pulumi.Output.from_input(None).apply(lambda _: dict(release.image_digests))
        self.cluster = cluster_arn
        self.service_name = service.name
        self.service_arn = service.arn
        self.running_task_definition_arn = rollout.running_task_definition_arn
        self.deregistered_revisions = retention.deregistered
        self.rollout_state = rollout.rollout_state
        self.running_image_digests = rollout.image_digests
        self.register_outputs(
            {
                "family": self.family,
                "revision": self.revision,
                "task_definition_arn": self.task_definition_arn,
                "images": self.images,
                "image_tags": self.image_tags,
                "image_digests": self.image_digests,
                "cluster": self.cluster,
                "service_name": self.service_name,
                "service_arn": self.service_arn,
                "running_task_definition_arn": self.running_task_definition_arn,
                "deregistered_revisions": self.deregistered_revisions,
                "rollout_state": self.rollout_state,
                "running_image_digests": self.running_image_digests,
            }
        )
