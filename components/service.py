"""The components around a task definition: its roles and log group, and the service that runs it.

The program wires them beside :class:`~components.task_definition.TaggedTaskDefinition`::

    plan = plan_service(spec, settings, versions, region)      # pure: every problem, before any resource
    roles = TaskRoles("web", {"plan": plan})
    web = TaggedTaskDefinition("web", {"spec": plan.spec, "versions": versions,
                                       "execution_role_arn": roles.execution_role_arn,
                                       "task_role_arn": roles.task_role_arn})
    service = EcsService("web", {"plan": plan, "task_definition": web})

A tag change changes only the task definition and, through its ARN, the service's
``task_definition`` input and the rollout's expected ARN: roles, policies, the log group and
autoscaling depend on the spec and settings alone.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .iam_policy import EXECUTION_MANAGED_POLICY, ecs_tasks_trust_policy, execution_secrets_policy, secret_arns, secret_references
from .rollout import ServiceRollout
from .service_plan import ServicePlan
from .task_definition import TaggedTaskDefinition

ROLES_TYPE = "ecs-release:index:TaskRoles"
SERVICE_TYPE = "ecs-release:index:EcsService"
_METRICS = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}


class TaskRolesArgs(TypedDict):
    """Inputs of :class:`TaskRoles`."""

    plan: ServicePlan
    """The validated plan (:func:`components.service_plan.plan_service`)."""


class TaskRoles(pulumi.ComponentResource):
    """The task execution role, the optional task role and the log group of a task definition.

    Children, each only when the plan calls for it: ``{name}-execution-role`` with the AWS managed
    ``AmazonECSTaskExecutionRolePolicy`` (``{name}-execution-managed``) and an inline policy
    (``{name}-execution-secrets``) reading exactly the secrets the containers reference;
    ``{name}-task-role`` with the settings' managed policies (``{name}-task-<policy name>``);
    ``{name}-logs``, the CloudWatch log group of awslogs containers that name none.
    A role ARN the spec gives is used as is and no role is created for it.
    """

    # For type checkers and readers only, as in TaggedTaskDefinition: the SDK would evaluate them on every registration.
    if TYPE_CHECKING:
        execution_role_arn: pulumi.Output[str]
        """The execution role's ARN: the spec's, or the created role's."""
        task_role_arn: pulumi.Output[str | None]
        """The task role's ARN: the spec's, the created role's, or ``None``."""
        log_group_name: pulumi.Output[str | None]
        """Name of the created log group, or ``None``."""

    def __init__(self, name: str, args: TaskRolesArgs, opts: pulumi.ResourceOptions | None = None):
        plan = args["plan"]
        super().__init__(ROLES_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust = json.dumps(ecs_tasks_trust_policy(), sort_keys=True)

        self.execution_role = self.task_role = self.log_group = None
        if plan.execution_role_name:
            self.execution_role = aws.iam.Role(f"{name}-execution-role", name=plan.execution_role_name, assume_role_policy=trust, opts=child)
            aws.iam.RolePolicyAttachment(
                f"{name}-execution-managed", role=self.execution_role.name, policy_arn=EXECUTION_MANAGED_POLICY, opts=child
            )
            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
            arns = pulumi.Output.all(region, account, partition).apply(lambda ctx: secret_arns(plan.spec, *ctx))
            if secret_references(plan.spec):
                aws.iam.RolePolicy(
                    f"{name}-execution-secrets",
                    role=self.execution_role.name,
                    policy=arns.apply(lambda a: json.dumps(execution_secrets_policy(a), sort_keys=True)),
                    opts=child,
                )
            self.execution_role_arn = self.execution_role.arn
        else:
            self.execution_role_arn = pulumi.Output.from_input(plan.spec.execution_role_arn)

        if plan.task_role_name:
            self.task_role = aws.iam.Role(f"{name}-task-role", name=plan.task_role_name, assume_role_policy=trust, opts=child)
            for policy_arn in plan.settings.task_role_policy_arns or []:  # named by policy: reordering replaces nothing
                policy_name = policy_arn.rsplit("/", 1)[-1]
                aws.iam.RolePolicyAttachment(f"{name}-task-{policy_name}", role=self.task_role.name, policy_arn=policy_arn, opts=child)
            self.task_role_arn = self.task_role.arn
        else:
            self.task_role_arn = pulumi.Output.from_input(plan.spec.task_role_arn)

        if plan.log_group:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-logs", name=plan.log_group, retention_in_days=plan.settings.log_retention_days, opts=child
            )
            self.log_group_name = self.log_group.name
        else:
            self.log_group_name = pulumi.Output.from_input(None)
        self.register_outputs(
            {"execution_role_arn": self.execution_role_arn, "task_role_arn": self.task_role_arn, "log_group_name": self.log_group_name}
        )


class EcsServiceArgs(TypedDict):
    """Inputs of :class:`EcsService`."""

    plan: ServicePlan
    """The validated plan (:func:`components.service_plan.plan_service`)."""
    task_definition: TaggedTaskDefinition
    """The task definition whose newest revision the service runs."""
    aws_profile: NotRequired[str | None]
    """The AWS CLI profile the rollout wait uses (the stack's ``aws:profile``). Default: the standard credential chain."""


def _cluster_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


class EcsService(pulumi.ComponentResource):
    """An ECS service running the task definition's newest revision, and the wait for its rollout.

    Children: ``{name}-cluster`` when the plan creates the cluster; ``{name}-service``, the
    ``aws.ecs.Service`` (task definition by full revision ARN, circuit breaker with rollback,
    ``wait_for_steady_state`` per settings, ``desired_count`` ignored when autoscaling);
    ``{name}-scaling`` and ``{name}-scaling-policy`` for target-tracking autoscaling;
    ``{name}-rollout``, the :class:`~components.rollout.ServiceRollout` that makes ``pulumi up``
    fail unless the service's PRIMARY deployment runs the new revision with rollout COMPLETED.
    """

    # For type checkers and readers only, as in TaggedTaskDefinition: the SDK would evaluate them on every registration.
    if TYPE_CHECKING:
        cluster: pulumi.Output[str]
        """ARN of the cluster."""
        service_name: pulumi.Output[str]
        """Name of the service."""
        service_arn: pulumi.Output[str]
        """ARN of the service."""
        running_task_definition_arn: pulumi.Output[str]
        """Task-definition ARN the service's PRIMARY deployment runs, known once its rollout completed."""
        images: pulumi.Output[dict[str, str]]
        """Container name → image of that revision."""

    def __init__(self, name: str, args: EcsServiceArgs, opts: pulumi.ResourceOptions | None = None):
        plan, task_definition = args["plan"], args["task_definition"]
        settings = plan.settings
        super().__init__(SERVICE_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        self.ecs_cluster = None
        if plan.cluster.create:
            self.ecs_cluster = aws.ecs.Cluster(f"{name}-cluster", name=plan.cluster.name, opts=child)
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
            network = {
                "subnets": subnets,
                "security_groups": settings.network.security_groups,
                "assign_public_ip": plan.assign_public_ip,
            }

        load_balancers = None
        if settings.load_balancer:
            balancer = settings.load_balancer
            load_balancers = [
                {
                    "target_group_arn": balancer.target_group_arn,
                    "container_name": balancer.container_name,
                    "container_port": balancer.container_port,
                }
            ]

        scaling = settings.autoscaling
        self.service = aws.ecs.Service(
            f"{name}-service",
            name=plan.service_name,
            cluster=cluster_arn,
            task_definition=task_definition.arn,
            launch_type=settings.launch_type,
            desired_count=settings.desired_count,
            deployment_minimum_healthy_percent=settings.minimum_healthy_percent,
            deployment_maximum_percent=settings.maximum_percent,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            wait_for_steady_state=settings.wait_for_steady_state,
            network_configuration=network,
            load_balancers=load_balancers,
            health_check_grace_period_seconds=settings.load_balancer.health_check_grace_period_seconds if settings.load_balancer else None,
            propagate_tags="SERVICE",
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCount"] if scaling else None),
        )

        if scaling:
            resource_id = pulumi.Output.concat("service/", cluster_arn.apply(_cluster_name), "/", self.service.name)
            target = aws.appautoscaling.Target(
                f"{name}-scaling",
                service_namespace="ecs",
                scalable_dimension="ecs:service:DesiredCount",
                resource_id=resource_id,
                min_capacity=scaling.min_tasks,
                max_capacity=scaling.max_tasks,
                opts=child,
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
                opts=child,
            )

        self.rollout = ServiceRollout(
            f"{name}-rollout",
            cluster=cluster_arn,
            service=self.service.name,
            task_definition_arn=self.service.task_definition,
            timeout_seconds=settings.rollout_timeout_seconds,
            poll_seconds=settings.rollout_poll_seconds,
            region=aws.get_region_output(opts=invoke).region,
            profile=args.get("aws_profile"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.service]),
        )

        self.cluster = cluster_arn
        self.service_name = self.service.name
        self.service_arn = self.service.arn
        self.running_task_definition_arn = self.rollout.running_task_definition_arn
        self.images = task_definition.images
        self.register_outputs(
            {
                "cluster": self.cluster,
                "service_name": self.service_name,
                "service_arn": self.service_arn,
                "running_task_definition_arn": self.running_task_definition_arn,
                "images": self.images,
            }
        )
