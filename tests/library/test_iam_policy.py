"""Secret references → the exact ARNs the execution role may read (pure)."""

from __future__ import annotations

import pytest

from components.iam_policy import SecretReference, execution_secrets_policy, secret_arn, secret_arns
from components.spec import TaskDefinitionSpec

REGION, ACCOUNT = "eu-west-1", "123456789012"


@pytest.mark.parametrize(
    "value_from, kind, arn",
    [
        pytest.param("/shop/prod/db", "secrets", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/prod/db", id="ssm-path-name"),
        pytest.param("db-password", "secrets", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/db-password", id="ssm-plain-name"),
        pytest.param(
            "arn:aws:ssm:us-west-2:210987654321:parameter/shared/key", "secrets", "arn:aws:ssm:us-west-2:210987654321:parameter/shared/key",
            id="ssm-arn-other-region-and-account",
        ),
        pytest.param(
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session-AbCdEf", "secrets",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session-AbCdEf", id="secret-arn",
        ),
        pytest.param(
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session-AbCdEf:signing-key::", "secrets",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session-AbCdEf", id="secret-json-key",
        ),
        pytest.param(
            "arn:aws:secretsmanager:us-east-1:210987654321:secret:db-Zz9Yy8:password:AWSPREVIOUS:", "secrets",
            "arn:aws:secretsmanager:us-east-1:210987654321:secret:db-Zz9Yy8", id="secret-json-key-and-stage",
        ),
        pytest.param(
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session", "secrets",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/session-??????", id="partial-secret-arn",
        ),
        pytest.param(
            "dockerhub/credentials", "repositoryCredentials",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dockerhub/credentials-??????", id="registry-secret-name",
        ),
        pytest.param(
            f"arn:aws-cn:secretsmanager:cn-north-1:{ACCOUNT}:secret:x-AbCdEf", "repositoryCredentials",
            f"arn:aws-cn:secretsmanager:cn-north-1:{ACCOUNT}:secret:x-AbCdEf", id="other-partition",
        ),
    ],
)
def test_each_reference_becomes_the_arn_to_grant(value_from, kind, arn):
    assert secret_arn(SecretReference("where", value_from, kind), REGION, ACCOUNT) == arn


def test_the_policy_names_exactly_the_referenced_secrets_and_no_wildcard_resource():
    spec = TaskDefinitionSpec.model_validate(
        {
            "family": "f",
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": "example.com/app:1",
                    "secrets": [
                        {"name": "DB", "valueFrom": "/shop/db"},
                        {"name": "KEY", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:api-AbCdEf:key::"},
                        {"name": "KEY2", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:api-AbCdEf:other::"},
                    ],
                    "repositoryCredentials": {"credentialsParameter": "registry"},
                    "logConfiguration": {
                        "logDriver": "splunk",
                        "secretOptions": [{"name": "splunk-token", "valueFrom": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/splunk"}],
                    },
                },
                {"name": "sidecar", "image": "example.com/sidecar:1", "secrets": [{"name": "DB", "valueFrom": "/shop/db"}]},
            ],
        }
    )
    arns = secret_arns(spec, REGION, ACCOUNT)
    assert arns == {
        "ssm": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/db", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/splunk"],
        "secretsmanager": [
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:api-AbCdEf",
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:registry-??????",
        ],
    }
    policy = execution_secrets_policy(arns)
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": arns["ssm"]},
            {"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arns["secretsmanager"]},
        ],
    }
    assert all("*" not in resource for statement in policy["Statement"] for resource in statement["Resource"])


def test_no_secrets_means_no_policy():
    assert execution_secrets_policy({"ssm": [], "secretsmanager": []}) is None
