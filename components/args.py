"""``TypedDict`` mirrors of the settings models: the types of the component package's schema. GENERATED, do not edit.

Written by :mod:`components.mirrors` from :class:`~components.service_settings.ServiceSettings`, :class:`~components.service_settings.TaskDefinitionSettings`, :class:`~components.pinning.ReleasePolicy`, :class:`~components.aws_clients.AwsSettings`
and the models nested in them; after changing one, run ``python -m components.regenerate``. The pydantic models stay the
validators: the components accept a mirror (a plain dict) or a model.
"""

from typing import NotRequired, Optional, TypedDict


class NetworkSettings(TypedDict):
    """Where awsvpc tasks run. Leave everything unset to use the account's default VPC."""

    subnets: NotRequired[Optional[list[str]]]
    """Subnet IDs of the tasks' network interfaces. Default: none, the default VPC's subnets."""

    security_groups: NotRequired[Optional[list[str]]]
    """Security group IDs of the tasks. Default: none, the VPC's default security group."""

    assign_public_ip: NotRequired[Optional[bool]]
    """Whether tasks get a public IP. Default: none, meaning true in the default VPC (its subnets
    are public and tasks need a route to pull images) and false when subnets are given."""


class AutoscalingSettings(TypedDict):
    """Target-tracking autoscaling of the service's task count; ``desired_count`` is then the autoscaler's."""

    min_tasks: int
    """Fewest tasks the autoscaler keeps running. Required."""

    max_tasks: int
    """Most tasks the autoscaler starts. Required."""

    metric: NotRequired[str]
    """Service-average utilisation the policy tracks. Default: cpu.
    One of: cpu, memory."""

    target_percent: NotRequired[float]
    """Utilisation the autoscaler holds the service at, in percent. Default: 70."""

    scale_in_cooldown_seconds: NotRequired[int]
    """Seconds after a scale-in before another scale-in. Default: 300."""

    scale_out_cooldown_seconds: NotRequired[int]
    """Seconds after a scale-out before another scale-out. Default: 60."""


class LoadBalancerSettings(TypedDict):
    """Attachment of one container port to an existing load-balancer target group."""

    target_group_arn: str
    """ARN of the existing target group (arn:aws:elasticloadbalancing:…:targetgroup/name/id). Required."""

    container_name: str
    """Container of the task definition that receives the traffic. Required."""

    container_port: int
    """Port of that container; one of its portMappings' containerPort. Required."""

    health_check_grace_period_seconds: NotRequired[int]
    """Seconds ECS ignores failing load-balancer health checks after a task starts. Default: 60."""

    alternate_target_group_arn: NotRequired[Optional[str]]
    """blue_green, canary and linear: the second existing target group, which ECS registers the new
    revision's tasks with while the other serves production (the two alternate, deployment after
    deployment). Required by those strategies behind a load balancer. Default: none."""

    production_listener_rule_arn: NotRequired[Optional[str]]
    """blue_green, canary and linear: the existing listener rule (Application Load Balancer) or
    listener (Network Load Balancer) whose forward weights ECS shifts from one target group to the
    other. Required by those strategies behind a load balancer. Default: none."""

    test_listener_rule_arn: NotRequired[Optional[str]]
    """blue_green, canary and linear: the existing listener rule (or listener) that sends test traffic
    to the new revision before production traffic moves. Required for a pause at
    POST_TEST_TRAFFIC_SHIFT. Default: none, no test traffic."""

    infrastructure_role_arn: NotRequired[Optional[str]]
    """blue_green, canary and linear: the role ECS assumes to register targets and modify the listener
    rules. Default: none, the stack creates one trusted by ecs.amazonaws.com with only the AWS managed
    AmazonECSInfrastructureRolePolicyForLoadBalancers."""


class PauseGate(TypedDict):
    """An approval gate: ECS pauses the deployment at ``stage`` until ``ecs-release continue`` (or ``rollback``)
    or the timeout (a PAUSE lifecycle hook,
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html)."""

    stage: str
    """The lifecycle stage at which the deployment pauses, e.g. POST_TEST_TRAFFIC_SHIFT (the new revision
    has all test traffic and no production traffic yet). Required.
    One of: RECONCILE_SERVICE, PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, POST_PRODUCTION_TRAFFIC_SHIFT."""

    timeout_minutes: NotRequired[int]
    """Minutes ECS waits for an action before taking ``timeout_action``. Default: 1440 (24 hours), ECS's."""

    timeout_action: NotRequired[str]
    """What ECS does when nobody acted within the timeout. Default: ROLLBACK, ECS's.
    One of: ROLLBACK, CONTINUE."""


class DeploymentSettings(TypedDict):
    """How ECS deploys a new revision: the strategy, its own settings, approval gates and rollback alarms.

    A setting of another strategy than ``strategy`` is refused (``components.service_plan.deployment_problems``)."""

    strategy: NotRequired[str]
    """rolling: ECS replaces tasks in batches bounded by minimum_healthy_percent and maximum_percent;
    blue_green: it starts the new revision beside the old one, shifts test, then all production traffic,
    and keeps the old one for the bake time; canary: it shifts canary_percent of production traffic,
    waits, then the rest; linear: it shifts production traffic in equal steps of step_percent. Default: rolling.
    One of: rolling, blue_green, canary, linear."""

    bake_time_minutes: NotRequired[Optional[int]]
    """blue_green, canary, linear: minutes both revisions keep running after all production traffic
    shifted, for an instant rollback. Default: none, 5 minutes for those strategies."""

    canary_percent: NotRequired[Optional[float]]
    """canary: share of production traffic the new revision gets first, a multiple of 0.1. Default: none, 5.0 (ECS's)."""

    canary_bake_time_minutes: NotRequired[Optional[int]]
    """canary: minutes at canary_percent before the rest of the traffic shifts. Default: none, 10 (ECS's)."""

    step_percent: NotRequired[Optional[float]]
    """linear: share of production traffic shifted at each step, a multiple of 0.1. Default: none, 10.0 (ECS's)."""

    step_bake_time_minutes: NotRequired[Optional[int]]
    """linear: minutes between steps. Default: none, 6 (ECS's)."""

    pauses: NotRequired[list[PauseGate]]
    """Approval gates, at most one per stage. Default: none."""

    rollback_alarms: NotRequired[list[str]]
    """Names of CloudWatch alarms that fail the deployment, and roll it back, when they go to ALARM.
    Default: none (the circuit breaker, always on, still rolls back tasks that fail to start)."""


class ServiceSettings(TypedDict):
    """The ECS service that runs the task definition's newest revision, and how its rollout is judged."""

    name: NotRequired[Optional[str]]
    """Service name. Default: none, the task definition's family."""

    cluster: NotRequired[Optional[str]]
    """The cluster: "create" to have the stack create one named after the service, or the name or
    ARN (arn:aws:ecs:<region>:<account>:cluster/<name>) of an existing cluster. Default: none, the
    cluster the component is given (its ``cluster`` argument, e.g. one the program creates and
    several services share), else "create"."""

    launch_type: NotRequired[str]
    """Launch type of the service's tasks. Default: FARGATE.
    One of: FARGATE, EC2."""

    desired_count: NotRequired[int]
    """Tasks to run; with autoscaling, only the count the service starts with. Default: 1."""

    minimum_healthy_percent: NotRequired[int]
    """Share of desired_count that must stay running during a deployment. Default: 100. With
    maximum_percent it must let ECS stop or start at least one task (rule deployment-progress)."""

    maximum_percent: NotRequired[int]
    """Upper limit on running tasks during a deployment, as a share of desired_count. Default: 200."""

    wait_for_steady_state: NotRequired[bool]
    """Whether the AWS provider's service update also waits for the service to be stable. Default: false: the
    rollout wait (``ServiceRollout``) follows the deployment to its end already, so ``pulumi up`` waits once,
    not twice; refused with pause gates, since a paused deployment never becomes stable."""

    rollout_timeout_seconds: NotRequired[float]
    """How long `pulumi up` waits for the new revision's rollout to complete before failing.
    Default: 1800 (30 minutes, longer than a circuit breaker needs to trip on a small service)."""

    rollout_poll_seconds: NotRequired[float]
    """Seconds between DescribeServices calls while waiting. Default: 15."""

    network: NotRequired[NetworkSettings]
    """Subnets, security groups and public IP of awsvpc tasks. Default: the default VPC."""

    autoscaling: NotRequired[Optional[AutoscalingSettings]]
    """Target-tracking autoscaling. Default: none, the service runs desired_count tasks."""

    load_balancer: NotRequired[Optional[LoadBalancerSettings]]
    """Existing target group to register the tasks with. Default: none."""

    deployment: NotRequired[DeploymentSettings]
    """How ECS deploys a new revision: the strategy (rolling, blue_green, canary, linear) and its settings,
    approval gates (``pauses``) and rollback alarms. Default: rolling, with the circuit breaker rolling back
    a deployment whose tasks fail to start."""

    wait_until: NotRequired[str]
    """Where ``pulumi up`` stops waiting: "completed", the deployment's end (at a pause gate it waits for
    ``ecs-release continue`` or the gate's timeout), or "paused", the first pause gate, printing the
    command that continues it. Default: completed.
    One of: completed, paused."""


class PolicyStatement(TypedDict):
    """One IAM policy statement, as in a policy document (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).

    Strict: ``Effect``, ``Action`` and ``Resource`` are required (no ``NotAction``/``NotResource``);
    an Allow statement names its actions (no bare ``"*"``) and the ARNs it acts on, ``"*"`` only
    for actions that have no resource types (:data:`ACTIONS_WITHOUT_RESOURCE_TYPES`)."""

    Sid: NotRequired[Optional[str]]
    """Statement id: letters and digits only. Default: none."""

    Effect: str
    """``Allow`` or ``Deny``. Required.
    One of: Allow, Deny."""

    Action: list[str]
    """``service:Action`` names (``s3:GetObject``; ``*`` and ``?`` within the name match several). Required."""

    Resource: list[str]
    """ARNs the actions act on. ``"*"`` only where every action has no resource type, or in a Deny. Required."""

    Condition: NotRequired[Optional[dict[str, dict[str, list[str]]]]]
    """Condition operator → condition key → value(s). Default: none."""


class TaskDefinitionSettings(TypedDict):
    """What the stack creates at task-definition level, beside the task definition itself."""

    log_retention_days: NotRequired[int]
    """Retention of the log group the stack creates for awslogs containers that name none
    (``/ecs/<family>``). Default: 30. One of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, …,
    3653) or 0 for never."""

    task_role_policy_arns: NotRequired[Optional[list[str]]]
    """Managed policies of a task role the stack creates when the spec names no taskRoleArn.
    Default: none, no task role is created."""

    task_role_statements: NotRequired[list[PolicyStatement]]
    """IAM statements (:class:`~components.iam_policy.PolicyStatement`) of an inline policy on the task
    role the stack creates (it creates one for them when the spec names no taskRoleArn). Default: none."""

    execution_role_statements: NotRequired[list[PolicyStatement]]
    """IAM statements added to the execution role the stack creates, beyond what the task needs to start
    (which it grants by itself). Default: none."""

    secrets_kms_key_arns: NotRequired[list[str]]
    """Key ARNs (arn:aws:kms:<region>:<account>:key/<id>) of the customer-managed KMS keys that encrypt the
    secrets and parameters the containers reference: the execution role the stack creates may kms:Decrypt
    with exactly these. Default: none (AWS managed keys need no grant)."""

    pull_through_cache_prefixes: NotRequired[list[str]]
    """Repository prefixes of the ECR pull through cache rules the images come through (``ecr-public``;
    ``ROOT`` for a rule on the whole registry): an image in a private ECR repository under one of them may
    be imported by the execution role the stack creates (ecr:BatchImportUpstreamImage, and
    ecr:CreateRepository for the first pull) on exactly its repository. Default: none."""


class ReleasePolicy(TypedDict):
    """How an environment releases images: a service's ``release`` argument, set per stack in code."""

    production: NotRequired[bool]
    """Whether this environment is production: mutable tags are refused. Default: false."""

    pin_digests: NotRequired[bool]
    """Whether each tag is resolved in ECR at preview/up and registered as ``repository@sha256:…``.
    Default: false (the tag is registered as it is)."""

    mutable_tag_patterns: NotRequired[list[str]]
    """Shell-style globs (``*``, ``?``, ``[…]``) of tags that can be pushed again, refused in production;
    matched case-insensitively against the whole tag. Default: ``["latest"]``."""

    keep_revisions: NotRequired[int]
    """How many ACTIVE revisions per family ``pulumi up`` keeps; older ones this stack registered are
    deregistered. Default: 10."""


class AssumeRole(TypedDict):
    """One role of ``aws:assumeRoles``, as the AWS provider's ``assume_roles`` entry (STS AssumeRole)."""

    role_arn: str
    """ARN of the role to assume. Required."""

    session_name: NotRequired[str]
    """The role session's name (STS RoleSessionName). Default: ecs-release."""

    external_id: NotRequired[Optional[str]]
    """External ID the role's trust policy requires. Default: none."""

    duration_seconds: NotRequired[Optional[int]]
    """Session duration (the provider's ``duration``, e.g. ``1h``, in seconds). Default: none, STS's one hour."""

    policy: NotRequired[Optional[str]]
    """Session policy (JSON) that further restricts the role. Default: none."""

    policy_arns: NotRequired[list[str]]
    """Managed session policies that further restrict the role. Default: none."""

    source_identity: NotRequired[Optional[str]]
    """Source identity of the session. Default: none."""


class AwsSettings(TypedDict):
    """The stack's AWS provider settings that decide where ecs-release's own AWS calls go."""

    region: NotRequired[Optional[str]]
    """``aws:region``. Default: none, boto3's (``AWS_REGION``, the profile's)."""

    profile: NotRequired[Optional[str]]
    """``aws:profile``. Default: none, boto3's standard credential chain."""

    assume_roles: NotRequired[list[AssumeRole]]
    """``aws:assumeRoles`` (or ``aws:assumeRole``), assumed in order. Default: none."""

    endpoints: NotRequired[dict[str, str]]
    """``aws:endpoints``: service (``ecs``, ``sts``, ``ecr``, ``events``) → URL. Default: none, AWS's."""
