"""Least-privilege IAM documents for a task definition's roles (pure).

The execution role reads exactly the SSM parameters and Secrets Manager secrets that the
containers' ``secrets``, ``logConfiguration.secretOptions`` and
``repositoryCredentials.credentialsParameter`` reference, each by its full ARN:

- a bare SSM parameter name (``/shop/prod/db`` or ``db``) becomes
  ``arn:<partition>:ssm:<region>:<account>:parameter/shop/prod/db`` in the stack's region
  and account (ECS resolves names there, see
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html);
- a Secrets Manager ARN that selects a JSON key, stage or version
  (``…:secret:name-AbCdEf:key:stage:version``) becomes the secret's ARN ``…:secret:name-AbCdEf``;
  a partial ARN without the six-character suffix gets ``-??????``, the pattern AWS documents for
  it (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html);
- a bare name in ``repositoryCredentials`` is a Secrets Manager secret name.

Beyond the secrets, the execution role the stack creates gets what the task needs to start and
nothing more, each in its own inline policy (:func:`execution_policies`):

- S3 environment files: ``s3:GetObject`` on exactly those objects and ``s3:GetBucketLocation`` on
  their buckets (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/use-environment-file.html,
  and the task execution role page's S3 section);
- images behind an ECR pull through cache (a private ECR repository under one of the cache rules'
  repository prefixes, ``TaskDefinitionSettings.pull_through_cache_prefixes``): ``ecr:BatchImportUpstreamImage``
  and ``ecr:CreateRepository`` (the cached repository's first pull creates it) on exactly those repositories
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html);
- secrets under customer-managed KMS keys (``TaskDefinitionSettings.secrets_kms_key_arns``, key ARNs:
  an IAM policy cannot name a key by alias, https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html):
  ``kms:Decrypt`` on exactly those keys, beside the secrets it decrypts;
- ``awslogs-create-group`` true: ``logs:CreateLogGroup`` on exactly the groups named
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html), in both ARN forms
  CloudWatch Logs documents (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html);
- the caller's own statements (:class:`PolicyStatement`), on either role.

No generated statement has a ``*`` resource, and a reference with a wildcard is refused: it would
grant every parameter, secret or object it matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Iterable, Literal, Union

from pydantic import BaseModel, ConfigDict, field_validator

from .spec import TaskDefinitionSpec

EXECUTION_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
"""The AWS managed policy of ECS task execution roles: pull from ECR, write CloudWatch logs."""

ECS_INFRASTRUCTURE_LB_POLICY = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
"""The AWS managed policy of the ECS infrastructure role for load balancers: register targets, modify the listener
rules of blue/green, canary and linear deployments
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html)."""

_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


POLICY_VERSION = "2012-10-17"
_WILDCARDS = ("*", "?")


@dataclass(frozen=True)
class SecretReference:
    """Where a task definition references a secret, and the ``valueFrom`` it gives."""

    where: str
    value_from: str
    kind: str
    """``"secrets"`` or ``"repositoryCredentials"``: what a bare name means depends on it."""

    @property
    def path(self) -> str:
        """The field that holds the reference, as the user spelled it."""
        return f"{self.where}.{'credentialsParameter' if self.kind == 'repositoryCredentials' else 'valueFrom'}"


def secret_references(spec: TaskDefinitionSpec) -> list[SecretReference]:
    """Every secret the task definition's containers reference, in container order."""
    references = []
    for index, container in enumerate(spec.container_definitions):
        where = f"containerDefinitions[{container.name or index}]"
        for i, secret in enumerate(container.secrets or []):
            references.append(SecretReference(f"{where}.secrets[{i}]", secret.value_from, "secrets"))
        log = container.log_configuration
        for i, secret in enumerate((log.secret_options or []) if log else []):
            references.append(SecretReference(f"{where}.logConfiguration.secretOptions[{i}]", secret.value_from, "secrets"))
        if container.repository_credentials:
            references.append(
                SecretReference(
                    f"{where}.repositoryCredentials", container.repository_credentials.credentials_parameter, "repositoryCredentials"
                )
            )
    return references


def secret_arn(reference: SecretReference, region: str, account: str, partition: str = "aws") -> str:
    """The ARN an IAM statement must name to let ECS read ``reference``."""
    value = reference.value_from
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[2] == "secretsmanager":
            resource = parts[5].split(":")  # secret:name-AbCdEf[:json-key[:stage[:version]]]
            name = resource[1] if len(resource) > 1 else ""
            if not _SECRET_SUFFIX.search(name):
                name += "-??????"
            return ":".join(parts[:5] + [f"secret:{name}"])
        return value
    if reference.kind == "repositoryCredentials":
        return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{value}-??????"
    return f"arn:{partition}:ssm:{region}:{account}:parameter/{value.lstrip('/')}"


def secret_arns(spec: TaskDefinitionSpec, region: str, account: str, partition: str = "aws") -> dict[str, list[str]]:
    """``{"ssm": [...], "secretsmanager": [...]}``: the sorted, distinct ARNs the execution role reads."""
    arns: dict[str, set[str]] = {"ssm": set(), "secretsmanager": set()}
    for reference in secret_references(spec):
        arn = secret_arn(reference, region, account, partition)
        service = arn.split(":")[2]
        arns.setdefault(service, set()).add(arn)
    return {service: sorted(values) for service, values in arns.items()}


def execution_secrets_policy(arns: dict[str, list[str]], kms_keys: Iterable[str] = ()) -> dict[str, Any] | None:
    """The execution role's inline policy reading exactly ``arns`` and decrypting with exactly ``kms_keys``;
    ``None`` when there is nothing to read."""
    statements = []
    if arns.get("ssm"):
        statements.append({"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": arns["ssm"]})
    if arns.get("secretsmanager"):
        statements.append(
            {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arns["secretsmanager"]}
        )
    if statements and (keys := sorted(set(kms_keys))):
        statements.append({"Sid": "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": keys})
    return {"Version": POLICY_VERSION, "Statement": statements} if statements else None


def ecs_tasks_trust_policy() -> dict[str, Any]:
    """Trust policy letting ECS tasks assume a role (execution role or task role)."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }


# --- What the task needs to start, beyond its secrets --------------------------------------------

S3_OBJECT_ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):s3:::(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(?P<key>.+)$")
"""An S3 object's ARN, ``arn:aws:s3:::<bucket>/<key>`` (bucket names: 3 to 63 lowercase letters, digits, dots, hyphens)."""


def environment_files(spec: TaskDefinitionSpec) -> list[tuple[str, str]]:
    """``(field path, value)`` of every environment file the containers name, in container order."""
    files = []
    for index, container in enumerate(spec.container_definitions):
        where = f"containerDefinitions[{container.name or index}]"
        files += [(f"{where}.environmentFiles[{i}].value", file.value) for i, file in enumerate(container.environment_files or [])]
    return files


def reference_problems(spec: TaskDefinitionSpec) -> list[str]:
    """What the execution role the stack creates cannot grant exactly: a reference with a wildcard
    (``*`` or ``?`` in IAM matches every name it fits) and an environment file that is not an S3 object ARN."""
    problems = []
    for reference in secret_references(spec):
        if any(wildcard in reference.value_from for wildcard in _WILDCARDS):
            problems.append(
                f'{reference.path}: "{reference.value_from}" has a wildcard; the execution role would read every '
                "parameter or secret it matches: name exactly one (its name or full ARN) per secret"
            )
    for path, value in environment_files(spec):
        if any(wildcard in value for wildcard in _WILDCARDS):
            problems.append(
                f'{path}: "{value}" has a wildcard; the execution role would read every object it matches: '
                "name exactly one S3 object per environment file"
            )
        elif not S3_OBJECT_ARN.match(value):
            problems.append(f'{path}: "{value}" is not the ARN of an S3 object; write arn:aws:s3:::<bucket>/<key>.env')
    return problems


def environment_files_policy(spec: TaskDefinitionSpec) -> dict[str, Any] | None:
    """``s3:GetObject`` on exactly the environment files and ``s3:GetBucketLocation`` on their buckets; ``None`` without any."""
    objects = sorted({value for _, value in environment_files(spec) if S3_OBJECT_ARN.match(value)})
    if not objects:
        return None
    buckets = sorted({f"arn:{match['partition']}:s3:::{match['bucket']}" for match in map(S3_OBJECT_ARN.match, objects)})
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Sid": "ReadEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": objects},
            {"Sid": "LocateEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": buckets},
        ],
    }


PULL_THROUGH_ROOT = "ROOT"
"""The prefix of a pull through cache rule that applies to every repository no other rule covers."""


def pull_through_repositories(spec: TaskDefinitionSpec, prefixes: Iterable[str]) -> list[Any]:
    """The private ECR repositories of the containers' images that sit under one of ``prefixes`` (ECR adds
    the trailing ``/``; ``ROOT`` covers every repository), sorted and distinct."""
    from .images import ImageReference
    from .pinning import parse_ecr

    prefixes = [prefix.rstrip("/") for prefix in prefixes]
    found = set()
    for container in spec.container_definitions:
        repository = parse_ecr(ImageReference.parse(container.image or "").repository)
        if repository and any(prefix == PULL_THROUGH_ROOT or repository.name.startswith(prefix + "/") for prefix in prefixes):
            found.add(repository)
    return sorted(found, key=lambda repository: (repository.registry_id, repository.region, repository.name))


def pull_through_policy(repositories: Iterable[Any], partition: str = "aws") -> dict[str, Any] | None:
    """``ecr:BatchImportUpstreamImage`` and ``ecr:CreateRepository`` on exactly ``repositories``; ``None`` without any."""
    arns = sorted(f"arn:{partition}:ecr:{r.region}:{r.registry_id}:repository/{r.name}" for r in repositories)
    if not arns:
        return None
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Sid": "PullThroughCache", "Effect": "Allow", "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], "Resource": arns}
        ],
    }


_TRUE = ("1", "t", "T", "TRUE", "true", "True")
"""The values Docker's awslogs driver reads as true: it parses awslogs-create-group with Go's strconv.ParseBool."""


def created_log_groups(spec: TaskDefinitionSpec, region: str) -> list[tuple[str, str]]:
    """``(region, log group)`` of every awslogs container with ``awslogs-create-group`` true, sorted and distinct;
    a container that names no region logs to ``region`` (the stack's)."""
    groups = set()
    for container in spec.container_definitions:
        log = container.log_configuration
        options = (log.options or {}) if log and log.log_driver == "awslogs" else {}
        if options.get("awslogs-create-group") in _TRUE and options.get("awslogs-group"):
            groups.add((options.get("awslogs-region") or region, options["awslogs-group"]))
    return sorted(groups)


def create_log_groups_policy(groups: Iterable[tuple[str, str]], account: str, partition: str = "aws") -> dict[str, Any] | None:
    """``logs:CreateLogGroup`` on exactly ``groups``, each in both ARN forms CloudWatch Logs uses; ``None`` without any."""
    arns = []
    for region, group in groups:
        arn = f"arn:{partition}:logs:{region}:{account}:log-group:{group}"
        arns += [arn, f"{arn}:*"]
    if not arns:
        return None
    return {"Version": POLICY_VERSION, "Statement": [{"Sid": "CreateLogGroups", "Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": arns}]}


# --- The caller's own statements -------------------------------------------------------------------

_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/"
ACTIONS_WITHOUT_RESOURCE_TYPES: dict[str, str] = {
    **{f"ssmmessages:{verb}": _SAR + "list_amazonsessionmanagermessagegatewayservice.html"
       for verb in ("CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel")},
    **{f"xray:{verb}": _SAR + "list_awsx-ray.html"
       for verb in ("PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets", "GetSamplingStatisticSummaries")},
    "cloudwatch:PutMetricData": _SAR + "list_amazoncloudwatch.html",
    "ecr:GetAuthorizationToken": _SAR + "list_amazonelasticcontainerregistry.html",
}
"""Actions a task's roles commonly need whose Service Authorization Reference entry lists no resource
type, so a statement can only grant them on ``"*"`` (ECS Exec's ``ssmmessages``, the X-Ray daemon's
writes, custom metrics, ECR authorization), with the page that says so. A ``"*"`` resource is refused
in an Allow statement with any other action."""

_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")
_ARN = re.compile(r"^arn:[a-z*?-]+:[a-z0-9*?-]+:[a-z0-9*?-]*:[a-z0-9*?]*:.+$")
_CONDITION_OPERATOR = re.compile(r"^(ForAnyValue:|ForAllValues:)?[A-Za-z]+(IfExists)?$")


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class PolicyStatement(BaseModel):
    """One IAM policy statement, as in a policy document (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).

    Strict: ``Effect``, ``Action`` and ``Resource`` are required (no ``NotAction``/``NotResource``);
    an Allow statement names its actions (no bare ``"*"``) and the ARNs it acts on, ``"*"`` only
    for actions that have no resource types (:data:`ACTIONS_WITHOUT_RESOURCE_TYPES`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True, use_attribute_docstrings=True)

    Sid: str | None = None
    """Statement id: letters and digits only. Default: none."""

    Effect: Literal["Allow", "Deny"]
    """``Allow`` or ``Deny``. Required."""

    Action: Union[str, list[str]]
    """``service:Action`` names (``s3:GetObject``; ``*`` and ``?`` within the name match several). Required."""

    Resource: Union[str, list[str]]
    """ARNs the actions act on. ``"*"`` only where every action has no resource type, or in a Deny. Required."""

    Condition: dict[str, dict[str, Union[str, list[str]]]] | None = None
    """Condition operator → condition key → value(s). Default: none."""

    @field_validator("Sid")
    @classmethod
    def _sid(cls, sid: str | None) -> str | None:
        if sid is not None and not re.fullmatch(r"[A-Za-z0-9]+", sid):
            raise ValueError("a statement id has letters and digits only")
        return sid

    @field_validator("Action")
    @classmethod
    def _actions(cls, actions: Any, info: Any) -> list[str]:
        actions = _listed(actions)
        if not actions:
            raise ValueError("name at least one action")
        if bad := [action for action in actions if action != "*" and not _ACTION.match(action)]:
            raise ValueError(f"{', '.join(bad)}: an action is service:Action, for example s3:GetObject")
        if "*" in actions and info.data.get("Effect") == "Allow":
            raise ValueError('"*" allows every action of every service; name the actions the role needs')
        return actions

    @field_validator("Resource")
    @classmethod
    def _resources(cls, resources: Any, info: Any) -> list[str]:
        resources = _listed(resources)
        if not resources:
            raise ValueError("name at least one resource ARN")
        if bad := [resource for resource in resources if resource != "*" and not _ARN.match(resource)]:
            raise ValueError(f"{', '.join(bad)}: a resource is an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)")
        actions = info.data.get("Action") or []
        if "*" in resources and info.data.get("Effect") == "Allow":
            scoped = [action for action in actions if action not in ACTIONS_WITHOUT_RESOURCE_TYPES]
            if scoped or not actions:
                raise ValueError(
                    f'"*" lets {", ".join(scoped) or "the actions"} act on every resource; name the ARNs they act on '
                    "(\"*\" is only for actions without resource types, such as "
                    f'{", ".join(sorted(ACTIONS_WITHOUT_RESOURCE_TYPES)[:3])}, or in a Deny)'
                )
        return resources

    @field_validator("Condition")
    @classmethod
    def _condition(cls, condition: dict | None) -> dict | None:
        for operator in condition or {}:
            if not _CONDITION_OPERATOR.match(operator):
                raise ValueError(f"{operator}: a condition operator is a name such as StringEquals or ArnLike")
        return condition

    def document(self) -> dict[str, Any]:
        """The statement as IAM JSON."""
        return self.model_dump(exclude_none=True)


def statements_policy(statements: Iterable[PolicyStatement]) -> dict[str, Any] | None:
    """A policy document of ``statements``; ``None`` without any."""
    documents = [statement.document() for statement in statements]
    return {"Version": POLICY_VERSION, "Statement": documents} if documents else None


@cache
def pull_through_prefix_pattern() -> re.Pattern[str]:
    """ECR's own pattern of a pull through cache rule's repository prefix (botocore's ECR model)."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("ecr").shape_for("PullThroughCacheRuleRepositoryPrefix")
    return re.compile(shape.metadata["pattern"])


def ecs_infrastructure_trust_policy() -> dict:
    """The trust policy of the ECS infrastructure role for load balancers: ECS, and nobody else, assumes it
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAccessToECSForInfrastructureManagement", "Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
