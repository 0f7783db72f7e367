"""``TypedDict`` mirrors of the settings models: the types of the component package's schema. GENERATED, do not edit.

Written by :mod:`components.mirrors` from :class:`~components.service_settings.ServiceSettings`, :class:`~components.service_settings.TaskDefinitionSettings`, :class:`~components.pinning.ReleasePolicy`
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
    """Whether the service update waits for the service to be stable. Default: true."""

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
