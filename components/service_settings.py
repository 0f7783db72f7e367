"""Settings of a task definition's roles and log group, and of the ECS service that runs it.

Strict pydantic models, set in code: :class:`TaskDefinitionSettings` (what the stack creates at
task-definition level: the task role's policies, the log group's retention) and
:class:`ServiceSettings` (the service, its network, load balancer, autoscaling and rollout wait).
The models check types and ranges; :func:`components.service_plan.plan_service` checks the
rules that span fields or need the task definition (a load balancer's container and port,
autoscaling bounds, the cluster reference, network settings against the network mode).
Build settings inside :func:`settings_errors` so a wrong type becomes one ``error:`` line.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Literal

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import EcsReleaseError, model_problems
from .iam_policy import PolicyStatement, pull_through_prefix_pattern

CREATE = "create"
"""The ``cluster`` value that makes the stack create the cluster."""

KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
"""A KMS key ARN: the only way an IAM policy names a key (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html)."""

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
"""The retention periods CloudWatch Logs accepts (PutRetentionPolicy); 0 means never expire."""


class ServiceSettingsError(EcsReleaseError):
    """The service settings are invalid or do not fit the task definition."""


class Settings(BaseModel):
    """Base of the service settings: strict, frozen, every field documented with its default."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True, strict=True
    )


class NetworkSettings(Settings):
    """Where awsvpc tasks run. Leave everything unset to use the account's default VPC."""

    subnets: list[str] | None = None
    """Subnet IDs of the tasks' network interfaces. Default: none, the default VPC's subnets."""

    security_groups: list[str] | None = None
    """Security group IDs of the tasks. Default: none, the VPC's default security group."""

    assign_public_ip: bool | None = None
    """Whether tasks get a public IP. Default: none, meaning true in the default VPC (its subnets
    are public and tasks need a route to pull images) and false when subnets are given.
    """


class AutoscalingSettings(Settings):
    """Target-tracking autoscaling of the service's task count; ``desired_count`` is then the autoscaler's."""

    min_tasks: int = Field(ge=0)
    """Fewest tasks the autoscaler keeps running. Required."""

    max_tasks: int = Field(ge=1)
    """Most tasks the autoscaler starts. Required."""

    metric: Literal["cpu", "memory"] = "cpu"
    """Service-average utilisation the policy tracks. Default: cpu."""

    target_percent: float = Field(default=70.0, gt=0, le=100)
    """Utilisation the autoscaler holds the service at, in percent. Default: 70."""

    scale_in_cooldown_seconds: int = Field(default=300, ge=0)
    """Seconds after a scale-in before another scale-in. Default: 300."""

    scale_out_cooldown_seconds: int = Field(default=60, ge=0)
    """Seconds after a scale-out before another scale-out. Default: 60."""


_TARGET_GROUP = r"^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:targetgroup/[\w-]+/[0-9a-f]+$"
_LISTENER_RULE = (
    r"^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:"
    r"(listener-rule/app/[\w-]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+|listener/net/[\w-]+/[0-9a-f]+/[0-9a-f]+)$"
)


class LoadBalancerSettings(Settings):
    """Attachment of one container port to an existing load-balancer target group."""

    target_group_arn: str = Field(pattern=_TARGET_GROUP)
    """ARN of the existing target group (arn:aws:elasticloadbalancing:…:targetgroup/name/id). Required."""

    container_name: str
    """Container of the task definition that receives the traffic. Required."""

    container_port: int = Field(ge=1, le=65535)
    """Port of that container; one of its portMappings' containerPort. Required."""

    health_check_grace_period_seconds: int = Field(default=60, ge=0)
    """Seconds ECS ignores failing load-balancer health checks after a task starts. Default: 60."""

    alternate_target_group_arn: str | None = Field(default=None, pattern=_TARGET_GROUP)
    """blue_green, canary and linear: the second existing target group, which ECS registers the new
    revision's tasks with while the other serves production (the two alternate, deployment after
    deployment). Required by those strategies behind a load balancer. Default: none."""

    production_listener_rule_arn: str | None = Field(default=None, pattern=_LISTENER_RULE)
    """blue_green, canary and linear: the existing listener rule (Application Load Balancer) or
    listener (Network Load Balancer) whose forward weights ECS shifts from one target group to the
    other. Required by those strategies behind a load balancer. Default: none."""

    test_listener_rule_arn: str | None = Field(default=None, pattern=_LISTENER_RULE)
    """blue_green, canary and linear: the existing listener rule (or listener) that sends test traffic
    to the new revision before production traffic moves. Required for a pause at
    POST_TEST_TRAFFIC_SHIFT. Default: none, no test traffic."""

    infrastructure_role_arn: str | None = Field(default=None, pattern=r"^arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]+$")
    """blue_green, canary and linear: the role ECS assumes to register targets and modify the listener
    rules. Default: none, the stack creates one trusted by ecs.amazonaws.com with only the AWS managed
    AmazonECSInfrastructureRolePolicyForLoadBalancers."""


LifecycleStage = Literal[
    "RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT",
]
"""The lifecycle stages of a service deployment that take hooks (ECS's DeploymentLifecycleHook.lifecycleStages)."""


class PauseGate(Settings):
    """An approval gate: ECS pauses the deployment at ``stage`` until ``ecs-release continue`` (or ``rollback``)
    or the timeout (a PAUSE lifecycle hook,
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html)."""

    stage: LifecycleStage
    """The lifecycle stage at which the deployment pauses, e.g. POST_TEST_TRAFFIC_SHIFT (the new revision
    has all test traffic and no production traffic yet). Required."""

    timeout_minutes: int = Field(default=1440, ge=1, le=20160)
    """Minutes ECS waits for an action before taking ``timeout_action``. Default: 1440 (24 hours), ECS's."""

    timeout_action: Literal["ROLLBACK", "CONTINUE"] = "ROLLBACK"
    """What ECS does when nobody acted within the timeout. Default: ROLLBACK, ECS's."""


class DeploymentSettings(Settings):
    """How ECS deploys a new revision: the strategy, its own settings, approval gates and rollback alarms.

    A setting of another strategy than ``strategy`` is refused (``components.service_plan.deployment_problems``).
    """

    strategy: Literal["rolling", "blue_green", "canary", "linear"] = "rolling"
    """rolling: ECS replaces tasks in batches bounded by minimum_healthy_percent and maximum_percent;
    blue_green: it starts the new revision beside the old one, shifts test, then all production traffic,
    and keeps the old one for the bake time; canary: it shifts canary_percent of production traffic,
    waits, then the rest; linear: it shifts production traffic in equal steps of step_percent. Default: rolling."""

    bake_time_minutes: int | None = Field(default=None, ge=0, le=1440)
    """blue_green, canary, linear: minutes both revisions keep running after all production traffic
    shifted, for an instant rollback. Default: none, 5 minutes for those strategies."""

    canary_percent: float | None = Field(default=None, ge=0.1, le=100.0)
    """canary: share of production traffic the new revision gets first, a multiple of 0.1. Default: none, 5.0 (ECS's)."""

    canary_bake_time_minutes: int | None = Field(default=None, ge=0, le=1440)
    """canary: minutes at canary_percent before the rest of the traffic shifts. Default: none, 10 (ECS's)."""

    step_percent: float | None = Field(default=None, ge=3.0, le=100.0)
    """linear: share of production traffic shifted at each step, a multiple of 0.1. Default: none, 10.0 (ECS's)."""

    step_bake_time_minutes: int | None = Field(default=None, ge=0, le=1440)
    """linear: minutes between steps. Default: none, 6 (ECS's)."""

    pauses: list[PauseGate] = []
    """Approval gates, at most one per stage. Default: none."""

    rollback_alarms: list[str] = []
    """Names of CloudWatch alarms that fail the deployment, and roll it back, when they go to ALARM.
    Default: none (the circuit breaker, always on, still rolls back tasks that fail to start)."""

    @property
    def bake(self) -> int:
        """``bake_time_minutes`` or its default (0 for rolling, which has no bake time)."""
        return 0 if self.strategy == "rolling" else (5 if self.bake_time_minutes is None else self.bake_time_minutes)

    @property
    def canary(self) -> tuple[float, int]:
        """``(canary_percent, canary_bake_time_minutes)`` with ECS's defaults."""
        return (5.0 if self.canary_percent is None else self.canary_percent, 10 if self.canary_bake_time_minutes is None else self.canary_bake_time_minutes)

    @property
    def linear(self) -> tuple[float, int]:
        """``(step_percent, step_bake_time_minutes)`` with ECS's defaults."""
        return (10.0 if self.step_percent is None else self.step_percent, 6 if self.step_bake_time_minutes is None else self.step_bake_time_minutes)


class TaskDefinitionSettings(Settings):
    """What the stack creates at task-definition level, beside the task definition itself."""

    log_retention_days: int = 30
    """Retention of the log group the stack creates for awslogs containers that name none
    (``/ecs/<family>``). Default: 30. One of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, …,
    3653) or 0 for never.
    """

    task_role_policy_arns: list[str] | None = None
    """Managed policies of a task role the stack creates when the spec names no taskRoleArn.
    Default: none, no task role is created.
    """

    task_role_statements: list[PolicyStatement] = []
    """IAM statements (:class:`~components.iam_policy.PolicyStatement`) of an inline policy on the task
    role the stack creates (it creates one for them when the spec names no taskRoleArn). Default: none.
    """

    execution_role_statements: list[PolicyStatement] = []
    """IAM statements added to the execution role the stack creates, beyond what the task needs to start
    (which it grants by itself). Default: none.
    """

    secrets_kms_key_arns: list[str] = []
    """Key ARNs (arn:aws:kms:<region>:<account>:key/<id>) of the customer-managed KMS keys that encrypt the
    secrets and parameters the containers reference: the execution role the stack creates may kms:Decrypt
    with exactly these. Default: none (AWS managed keys need no grant).
    """

    pull_through_cache_prefixes: list[str] = []
    """Repository prefixes of the ECR pull through cache rules the images come through (``ecr-public``;
    ``ROOT`` for a rule on the whole registry): an image in a private ECR repository under one of them may
    be imported by the execution role the stack creates (ecr:BatchImportUpstreamImage, and
    ecr:CreateRepository for the first pull) on exactly its repository. Default: none.
    """

    @field_validator("secrets_kms_key_arns")
    @classmethod
    def _key_arns(cls, arns: list[str]) -> list[str]:
        if bad := [arn for arn in arns if not KMS_KEY_ARN.match(arn)]:
            raise ValueError(
                f"{', '.join(bad)}: not a KMS key ARN; write arn:aws:kms:<region>:<account>:key/<key id> "
                "(an IAM policy cannot name a key by alias or id)"
            )
        return arns

    @field_validator("pull_through_cache_prefixes")
    @classmethod
    def _prefixes(cls, prefixes: list[str]) -> list[str]:
        if bad := [prefix for prefix in prefixes if not (2 <= len(prefix) <= 30 and pull_through_prefix_pattern().match(prefix))]:
            raise ValueError(
                f"{', '.join(bad)}: not a pull through cache repository prefix; ECR's are 2 to 30 lowercase letters, "
                'digits, ".", "_", "-" and "/" (for example ecr-public), or ROOT'
            )
        return prefixes


class ServiceSettings(Settings):
    """The ECS service that runs the task definition's newest revision, and how its rollout is judged."""

    name: str | None = None
    """Service name. Default: none, the task definition's family."""

    cluster: str | None = None
    """The cluster: "create" to have the stack create one named after the service, or the name or
    ARN (arn:aws:ecs:<region>:<account>:cluster/<name>) of an existing cluster. Default: none, the
    cluster the component is given (its ``cluster`` argument, e.g. one the program creates and
    several services share), else "create".
    """

    launch_type: Literal["FARGATE", "EC2"] = "FARGATE"
    """Launch type of the service's tasks. Default: FARGATE."""

    desired_count: int = Field(default=1, ge=0)
    """Tasks to run; with autoscaling, only the count the service starts with. Default: 1."""

    minimum_healthy_percent: int = Field(default=100, ge=0)
    """Share of desired_count that must stay running during a deployment. Default: 100. With
    maximum_percent it must let ECS stop or start at least one task (rule deployment-progress)."""

    maximum_percent: int = Field(default=200, ge=0)
    """Upper limit on running tasks during a deployment, as a share of desired_count. Default: 200."""

    wait_for_steady_state: bool = False
    """Whether the AWS provider's service update also waits for the service to be stable. Default: false: the
    rollout wait (``ServiceRollout``) follows the deployment to its end already, so ``pulumi up`` waits once,
    not twice; refused with pause gates, since a paused deployment never becomes stable."""

    rollout_timeout_seconds: float = Field(default=1800.0, gt=0)
    """How long `pulumi up` waits for the new revision's rollout to complete before failing.
    Default: 1800 (30 minutes, longer than a circuit breaker needs to trip on a small service).
    """

    rollout_poll_seconds: float = Field(default=15.0, gt=0)
    """Seconds between DescribeServices calls while waiting. Default: 15."""

    network: NetworkSettings = NetworkSettings()
    """Subnets, security groups and public IP of awsvpc tasks. Default: the default VPC."""

    autoscaling: AutoscalingSettings | None = None
    """Target-tracking autoscaling. Default: none, the service runs desired_count tasks."""

    load_balancer: LoadBalancerSettings | None = None
    """Existing target group to register the tasks with. Default: none."""

    deployment: DeploymentSettings = DeploymentSettings()
    """How ECS deploys a new revision: the strategy (rolling, blue_green, canary, linear) and its settings,
    approval gates (``pauses``) and rollback alarms. Default: rolling, with the circuit breaker rolling back
    a deployment whose tasks fail to start."""

    wait_until: Literal["completed", "paused"] = "completed"
    """Where ``pulumi up`` stops waiting: "completed", the deployment's end (at a pause gate it waits for
    ``ecs-release continue`` or the gate's timeout), or "paused", the first pause gate, printing the
    command that continues it. Default: completed."""



@contextlib.contextmanager
def settings_errors() -> Iterator[None]:
    """Turn a pydantic ``ValidationError`` raised inside the block into a :class:`ServiceSettingsError`."""
    try:
        yield
    except ValidationError as error:
        raise ServiceSettingsError(model_problems(error)) from None
