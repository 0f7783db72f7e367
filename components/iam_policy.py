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

No statement has a ``*`` resource. Secrets encrypted with a customer-managed KMS key also need
``kms:Decrypt`` on that key, which the spec does not name; grant it beside this policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .spec import TaskDefinitionSpec

EXECUTION_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
"""The AWS managed policy of ECS task execution roles: pull from ECR, write CloudWatch logs."""

_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class SecretReference:
    """Where a task definition references a secret, and the ``valueFrom`` it gives."""

    where: str
    value_from: str
    kind: str
    """``"secrets"`` or ``"repositoryCredentials"``: what a bare name means depends on it."""


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


def execution_secrets_policy(arns: dict[str, list[str]]) -> dict[str, Any] | None:
    """The execution role's inline policy reading exactly ``arns``; ``None`` when there is nothing to read."""
    statements = []
    if arns.get("ssm"):
        statements.append({"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": arns["ssm"]})
    if arns.get("secretsmanager"):
        statements.append(
            {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arns["secretsmanager"]}
        )
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def ecs_tasks_trust_policy() -> dict[str, Any]:
    """Trust policy letting ECS tasks assume a role (execution role or task role)."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
