"""The ``TaggedTaskDefinition`` component: a static spec plus image versions → one ECS task definition.

It owns what belongs to the task definition (as pulumi-awsx's ``FargateTaskDefinition`` and CDK's
``TaskDefinition`` do): the execution role, the task role and the log group. The service component
(:class:`components.service.TaggedService`) registers the same children through
:func:`register_task_definition`, so a program that wants only a task definition gets exactly the
children a service would have around it.
"""

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NotRequired, Optional, TypedDict

import pulumi
import pulumi_aws as aws

from .args import TaskDefinitionSettings as TaskDefinitionSettingsDict
from .aws_inputs import resource_args
from .iam_policy import (
    EXECUTION_MANAGED_POLICY,
    create_log_groups_policy,
    created_log_groups,
    ecs_tasks_trust_policy,
    environment_files_policy,
    execution_secrets_policy,
    pull_through_policy,
    pull_through_repositories,
    secret_arns,
    secret_references,
    statements_policy,
)
from .run_cache import for_this_run
from .service_plan import TaskDefinitionPlan, coerce, plan_task_definition
from .service_settings import TaskDefinitionSettings
from .taskdef_file import spec_from_value

TYPE_TOKEN = "ecs-release:index:TaggedTaskDefinition"


class TaggedTaskDefinitionArgs(TypedDict):
    """Inputs of :class:`TaggedTaskDefinition`.

    ``task`` is typed by its ``TypedDict`` mirror (:mod:`components.args`), which the component package's
    schema is inferred from; in Python it also takes a :class:`~components.service_settings.TaskDefinitionSettings`,
    and ``spec`` also a :class:`~components.spec.TaskDefinitionSpec`.
    """

    spec: Mapping[str, Any]
    """The static task definition, everything but the image versions: the AWS JSON document (camelCase,
    as `aws ecs register-task-definition` takes it). Its ``family`` names the task definition. Required."""
    versions: Mapping[str, str]
    """Container name → image tag or ``sha256:`` digest. Every container needs one unless its spec
    image has one. Required."""
    task: NotRequired[TaskDefinitionSettingsDict]
    """The roles' policies and statements and the log retention. Default: no task role, logs kept 30 days."""
    execution_role_arn: NotRequired[pulumi.Input[Optional[str]]]
    """Execution role ARN to register instead of the spec's or a created one; ``""`` registers none (refused
    when the task needs one). Default: the spec's, else a role the component creates."""
    task_role_arn: NotRequired[pulumi.Input[Optional[str]]]
    """Task role ARN to register instead of the spec's or a created one. Default: the spec's, else a
    role created for ``task.task_role_policy_arns``, else none."""


@dataclass
class TaskDefinitionResources:
    """What :func:`register_task_definition` registered, and its outputs."""

    task_definition: aws.ecs.TaskDefinition
    execution_role: Optional[aws.iam.Role]
    task_role: Optional[aws.iam.Role]
    log_group: Optional[aws.cloudwatch.LogGroup]
    execution_role_arn: pulumi.Output
    task_role_arn: pulumi.Output
    log_group_name: pulumi.Output
    images: pulumi.Output


ChildOptions = Callable[..., pulumi.ResourceOptions]
"""``(kind, resource class, child name, **options)`` → the child's resource options: ``parent`` and any
aliases of its previous identity. ``kind`` groups children that moved together (``"roles"``,
``"task_definition"``, ``"service"``)."""


def parented(owner: pulumi.Resource) -> ChildOptions:
    """Child options with ``parent=owner`` and nothing else."""

    def options(kind: str, cls: type, name: str, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=owner, **extra)

    return options


def _provider_context(owner: pulumi.Resource) -> tuple[pulumi.Output, pulumi.Output]:
    """``(Output of (region, account id, partition), Output of region)`` of the AWS provider ``owner`` uses,
    looked up once per program run and provider (three invokes a program, not three per service)."""
    contexts = for_this_run("aws provider context")
    provider = owner.get_provider("aws::")
    key = id(provider) if provider is not None else None
    if key not in contexts:
        invoke = pulumi.InvokeOutputOptions(provider=provider) if provider is not None else None
        region = aws.get_region_output(opts=invoke).region
        context = pulumi.Output.all(region, aws.get_caller_identity_output(opts=invoke).account_id, aws.get_partition_output(opts=invoke).partition)
        contexts[key] = (context, region)
    return contexts[key]


def account_context(owner: pulumi.Resource) -> pulumi.Output:
    """``(region, account id, partition)`` of the AWS provider ``owner`` uses, looked up once per program run."""
    return _provider_context(owner)[0]


def provider_region(owner: pulumi.Resource) -> pulumi.Output:
    """The region of the AWS provider ``owner`` uses, looked up once per program run and provider."""
    return _provider_context(owner)[1]


def register_task_definition(
    owner: pulumi.Resource,
    name: str,
    plan: TaskDefinitionPlan,
    execution_role_arn: Optional[pulumi.Input[Optional[str]]] = None,
    task_role_arn: Optional[pulumi.Input[Optional[str]]] = None,
    options: Optional[ChildOptions] = None,
) -> TaskDefinitionResources:
    """Register, as children of ``owner``, the task definition of ``plan`` and its roles and log group.

    Children, each only when the plan calls for it: ``{name}-execution-role`` with the AWS managed
    ``AmazonECSTaskExecutionRolePolicy`` (``{name}-execution-managed``) and inline policies granting
    exactly what the task needs to start (:mod:`components.iam_policy`): ``{name}-execution-secrets``
    (the secrets the containers reference, and ``kms:Decrypt`` with their keys),
    ``{name}-execution-files`` (S3 environment files), ``{name}-execution-images`` (images through an
    ECR pull through cache), ``{name}-execution-logs`` (log groups awslogs creates) and
    ``{name}-execution-statements`` (the settings' own statements); ``{name}-task-role`` with the
    settings' managed policies (``{name}-task-<policy name>``) and statements (``{name}-task-statements``);
    ``{name}-logs``, the log group of awslogs containers that name none; and ``{name}-taskdef``,
    the ``aws.ecs.TaskDefinition`` (explicit family, ``skip_destroy=True``: a new revision leaves the
    previous one ACTIVE as a rollback target). A role ARN given here or in the spec is used as is.
    ``options`` gives each child's resource options (default: :func:`parented`).
    """
    options = options or parented(owner)
    trust = json.dumps(ecs_tasks_trust_policy(), sort_keys=True)
    spec, settings = plan.spec, plan.settings

    def inline_policy(child: str, role: aws.iam.Role, policy: Any) -> None:
        """``policy``, a document or an Output of one, as the inline policy ``child`` of ``role``."""
        if isinstance(policy, pulumi.Output):
            document = policy.apply(lambda value: json.dumps(value, sort_keys=True))
        else:
            document = json.dumps(policy, sort_keys=True)
        aws.iam.RolePolicy(child, role=role.name, policy=document, opts=options("roles", aws.iam.RolePolicy, child))

    execution_role = task_role = log_group = None
    if execution_role_arn is None and plan.execution_role_name:
        child = f"{name}-execution-role"
        execution_role = aws.iam.Role(child, name=plan.execution_role_name, assume_role_policy=trust, opts=options("roles", aws.iam.Role, child))
        child = f"{name}-execution-managed"
        aws.iam.RolePolicyAttachment(
            child, role=execution_role.name, policy_arn=EXECUTION_MANAGED_POLICY, opts=options("roles", aws.iam.RolePolicyAttachment, child)
        )
        context = account_context(owner)
        if secret_references(spec):
            keys = settings.secrets_kms_key_arns
            inline_policy(f"{name}-execution-secrets", execution_role, context.apply(lambda ctx: execution_secrets_policy(secret_arns(spec, *ctx), keys)))
        if files := environment_files_policy(spec):
            inline_policy(f"{name}-execution-files", execution_role, files)
        if repositories := pull_through_repositories(spec, settings.pull_through_cache_prefixes):
            inline_policy(f"{name}-execution-images", execution_role, context.apply(lambda ctx: pull_through_policy(repositories, ctx[2])))
        if created_log_groups(spec, ""):
            inline_policy(
                f"{name}-execution-logs", execution_role, context.apply(lambda ctx: create_log_groups_policy(created_log_groups(spec, ctx[0]), ctx[1], ctx[2]))
            )
        if statements := statements_policy(settings.execution_role_statements):
            inline_policy(f"{name}-execution-statements", execution_role, statements)
        execution_role_arn = execution_role.arn
    if task_role_arn is None and plan.task_role_name:
        child = f"{name}-task-role"
        task_role = aws.iam.Role(child, name=plan.task_role_name, assume_role_policy=trust, opts=options("roles", aws.iam.Role, child))
        for policy_arn in settings.task_role_policy_arns or []:  # named by policy: reordering replaces nothing
            child = f"{name}-task-{policy_arn.rsplit('/', 1)[-1]}"
            aws.iam.RolePolicyAttachment(
                child, role=task_role.name, policy_arn=policy_arn, opts=options("roles", aws.iam.RolePolicyAttachment, child)
            )
        if statements := statements_policy(settings.task_role_statements):
            inline_policy(f"{name}-task-statements", task_role, statements)
        task_role_arn = task_role.arn
    if plan.log_group:
        child = f"{name}-logs"
        log_group = aws.cloudwatch.LogGroup(
            child, name=plan.log_group, retention_in_days=plan.settings.log_retention_days, opts=options("roles", aws.cloudwatch.LogGroup, child)
        )

    arguments = resource_args(plan.document)
    if execution_role_arn is not None:
        arguments["execution_role_arn"] = execution_role_arn
    if task_role_arn is not None:
        arguments["task_role_arn"] = task_role_arn
    child = f"{name}-taskdef"
    task_definition = aws.ecs.TaskDefinition(
        child, skip_destroy=True, **arguments, opts=options("task_definition", aws.ecs.TaskDefinition, child)
    )
    images = plan.images
    return TaskDefinitionResources(
        task_definition=task_definition,
        execution_role=execution_role,
        task_role=task_role,
        log_group=log_group,
        execution_role_arn=task_definition.execution_role_arn,
        task_role_arn=task_definition.task_role_arn,
        log_group_name=log_group.name if log_group else pulumi.Output.from_input(None),
        # One known Output holding the map: Output.from_input(images) would build an Output and a task for every key and value.
        images=pulumi.Output.from_input(None).apply(lambda _: images),
    )


class TaggedTaskDefinition(pulumi.ComponentResource):
    """An ECS task definition whose only moving part is the image version of each container, with its roles and log group.

    Type token ``ecs-release:index:TaggedTaskDefinition``. Validates the spec, the versions and the
    settings before registering anything, raising one :class:`~components.errors.EcsReleaseError`
    that lists every problem; then registers the children of :func:`register_task_definition`.
    """

    family: pulumi.Output[str]
    """The task-definition family."""
    revision: pulumi.Output[int]
    """The revision this deployment registered."""
    arn: pulumi.Output[str]
    """The full ARN of that revision (``…:task-definition/family:revision``)."""
    images: pulumi.Output[dict[str, str]]
    """Container name → the image reference it runs."""
    execution_role_arn: pulumi.Output[Optional[str]]
    """The execution role's ARN: given, the spec's, or the created role's."""
    task_role_arn: pulumi.Output[Optional[str]]
    """The task role's ARN: given, the spec's, the created role's, or none."""
    log_group_name: pulumi.Output[Optional[str]]
    """Name of the log group the component created, or none."""

    def __init__(self, name: str, args: TaggedTaskDefinitionArgs, opts: Optional[pulumi.ResourceOptions] = None):
        problems: list[str] = []
        settings = coerce(TaskDefinitionSettings, args.get("task"), "", problems)
        spec = spec_from_value(args["spec"], "spec")  # raises SpecFileError naming every bad field
        plan = plan_task_definition(
            spec, args.get("versions") or {}, settings, problems=problems,
            execution_role_arn=args.get("execution_role_arn"), task_role_arn=args.get("task_role_arn"),
        )
        super().__init__(TYPE_TOKEN, name, None, opts)

        children = register_task_definition(self, name, plan, args.get("execution_role_arn"), args.get("task_role_arn"))
        self.document = plan.document
        self.task_definition = children.task_definition
        self.family = children.task_definition.family
        self.revision = children.task_definition.revision
        self.arn = children.task_definition.arn
        self.images = children.images
        self.execution_role_arn = children.execution_role_arn
        self.task_role_arn = children.task_role_arn
        self.log_group_name = children.log_group_name
        self.register_outputs(
            {
                "family": self.family,
                "revision": self.revision,
                "arn": self.arn,
                "images": self.images,
                "execution_role_arn": self.execution_role_arn,
                "task_role_arn": self.task_role_arn,
                "log_group_name": self.log_group_name,
            }
        )
