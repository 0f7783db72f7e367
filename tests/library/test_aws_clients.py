"""Clients with the stack's AWS provider settings: config parsing, refusals, and role chains against moto's STS."""

from __future__ import annotations

import pytest

from components.aws_clients import AwsConfigError, AwsSettings, aws_client
from tests.conftest import moto_client

REGION = "eu-west-1"
DEPLOYER = "arn:aws:iam::111111111111:role/deployer"
RELEASER = "arn:aws:iam::222222222222:role/releaser"


@pytest.mark.parametrize(
    "config, expected",
    [
        pytest.param({"aws:region": REGION}, {"region": REGION}, id="region-only"),
        pytest.param(
            {"aws:region": REGION, "aws:profile": "prod", "aws:assumeRoles": [{"roleArn": DEPLOYER, "sessionName": "ci", "externalId": "ext-1", "duration": "1h30m"}]},
            {"region": REGION, "profile": "prod",
             "assume_roles": [{"role_arn": DEPLOYER, "session_name": "ci", "external_id": "ext-1", "duration_seconds": 5400}]},
            id="yaml-list",
        ),
        pytest.param(
            {"aws:assumeRoles": f'[{{"roleArn": "{DEPLOYER}"}}, {{"roleArn": "{RELEASER}", "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}}]'},
            {"assume_roles": [{"role_arn": DEPLOYER}, {"role_arn": RELEASER, "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}]},
            id="json-text-as-pulumi-up-hands-it",
        ),
        pytest.param({"aws:assumeRole": {"roleArn": DEPLOYER, "externalId": "ext-1"}}, {"assume_roles": [{"role_arn": DEPLOYER, "external_id": "ext-1"}]}, id="singular"),
        pytest.param(
            {"aws:endpoints": [{"ecs": "http://127.0.0.1:4566"}, {"sts": "http://127.0.0.1:4566", "s3": ""}]},
            {"endpoints": {"ecs": "http://127.0.0.1:4566", "sts": "http://127.0.0.1:4566"}},
            id="endpoints",
        ),
        pytest.param({"aws:region": REGION, "aws:defaultTags": {"tags": {"team": "shop"}}, "shop:webTag": "1.0"}, {"region": REGION}, id="others-ignored"),
    ],
)
def test_settings_are_read_as_the_provider_reads_its_config(config, expected):
    assert AwsSettings.from_config(config).props() == expected


@pytest.mark.parametrize(
    "config, problems",
    [
        pytest.param(
            {"aws:accessKey": "AKIA", "aws:secretKey": {"secure": "v1:abc"}, "aws:assumeRoleWithWebIdentity": {"roleArn": DEPLOYER}},
            [
                "stack prod: aws:accessKey: ecs-release's own AWS calls (rollout wait, retention, promote, status) cannot use it; give these "
                "credentials through the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SHARED_CREDENTIALS_FILE, "
                "AWS_CONFIG_FILE) or a profile (aws:profile), which both read",
                "stack prod: aws:secretKey: ecs-release's own AWS calls (rollout wait, retention, promote, status) cannot use it; give these "
                "credentials through the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_SHARED_CREDENTIALS_FILE, "
                "AWS_CONFIG_FILE) or a profile (aws:profile), which both read",
                "stack prod: aws:assumeRoleWithWebIdentity: ecs-release's own AWS calls (rollout wait, retention, promote, status) cannot use it; "
                "give these credentials through the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, "
                "AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE) or a profile (aws:profile), which both read",
            ],
            id="other-credentials",
        ),
        pytest.param(
            {"aws:profile": {"secure": "v1:abc"}},
            ["stack prod: aws:profile is a secret (secure:), which ecs-release cannot decrypt outside Pulumi; make it plain config"],
            id="secret",
        ),
        pytest.param(
            {"aws:assumeRoles": [{"roleArn": DEPLOYER, "tags": {"team": "shop"}}]},
            ["stack prod: aws:assumeRoles: tags cannot be applied by ecs-release's own AWS calls; use only duration, externalId, policy, "
             "policyArns, roleArn, sessionName, sourceIdentity"],
            id="role-option-not-applied",
        ),
        pytest.param(
            {"aws:assumeRoles": [{"roleArn": DEPLOYER, "duration": "an hour"}]},
            ['stack prod: aws:assumeRoles: duration "an hour" is not a duration like 1h, 15m or 3600s; fix the stack config'],
            id="bad-duration",
        ),
        pytest.param(
            {"aws:assumeRoles": [{"roleArn": "deployer", "sessionName": "x"}]},
            [
                "stack prod: AwsSettings.assume_roles.0.role_arn: String should match pattern '^arn:[\\w-]+:iam::\\d{12}:role/[\\w+=,.@/-]+$' "
                "(got 'deployer'); fix the value",
                "stack prod: AwsSettings.assume_roles.0.session_name: String should have at least 2 characters (got 'x'); fix the value",
            ],
            id="bad-role",
        ),
    ],
)
def test_settings_the_clients_cannot_apply_are_refused_naming_the_key(config, problems):
    with pytest.raises(AwsConfigError) as raised:
        AwsSettings.from_config(config, "stack prod: ")
    assert raised.value.problems == problems


def test_clients_retry_throttling_with_botocores_standard_mode():
    client = aws_client("ecs", {"region": REGION})
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.region_name == REGION
    assert aws_client("ecs", {"region": REGION}, region="us-east-2").meta.region_name == "us-east-2"


@pytest.fixture
def moto_credentials(moto_endpoint, monkeypatch):
    """Base credentials of moto's default account 123456789012; no profile file, no endpoint from the environment."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
                       "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_STS"):
        monkeypatch.delenv(key, raising=False)
    return moto_endpoint


def test_the_assumed_roles_account_is_where_the_calls_go(moto_credentials):
    """moto's STS hands out credentials of the role's account; resources follow them, as in AWS."""
    endpoints = [{"ecs": moto_credentials, "sts": moto_credentials}]
    one = AwsSettings.from_config({"aws:region": REGION, "aws:endpoints": endpoints, "aws:assumeRoles": [{"roleArn": DEPLOYER, "externalId": "ext-1"}]})
    chained = AwsSettings.from_config({"aws:region": REGION, "aws:endpoints": endpoints, "aws:assumeRoles": [{"roleArn": DEPLOYER}, {"roleArn": RELEASER}]})

    assert aws_client("sts", one).get_caller_identity()["Account"] == "111111111111"
    assert aws_client("sts", chained).get_caller_identity()["Arn"] == "arn:aws:sts::222222222222:assumed-role/releaser/ecs-release"
    created = aws_client("ecs", one).create_cluster(clusterName="assumed-role-cluster")["cluster"]["clusterArn"]
    assert created == f"arn:aws:ecs:{REGION}:111111111111:cluster/assumed-role-cluster"

    assert created in aws_client("ecs", one).list_clusters()["clusterArns"]
    assert created not in aws_client("ecs", chained).list_clusters()["clusterArns"]
    assert created not in moto_client(moto_credentials, "ecs", REGION).list_clusters()["clusterArns"]  # the base account's
