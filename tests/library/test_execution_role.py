"""Roles that can start the task, and nothing more: the pure documents, the settings, and the recorded RolePolicy inputs.

Every policy document is checked with moto's IAM policy validator (the checks IAM applies to
PutRolePolicy: version, statement elements, actions prefixed by a service, resources as ARNs).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pulumi
import pytest
from moto.iam.policy_validation import IAMPolicyDocumentValidator

from components.cli import main
from components.errors import EcsReleaseError
from components.iam_policy import (
    ACTIONS_WITHOUT_RESOURCE_TYPES,
    PolicyStatement,
    create_log_groups_policy,
    created_log_groups,
    environment_files_policy,
    execution_secrets_policy,
    pull_through_policy,
    pull_through_repositories,
    reference_problems,
)
from components.service import TaggedService
from components.service_plan import plan_task_definition
from components.service_settings import ServiceSettingsError, TaskDefinitionSettings, settings_errors
from components.spec import TaskDefinitionSpec
from components.task_definition import TaggedTaskDefinition
from tests.gitrepo import LIBRARY_PROJECT

ACCOUNT, REGION = "123456789012", "eu-west-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
XRAY = f"{REGISTRY}/ecr-public/xray/aws-xray-daemon"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENV_FILE = f"arn:aws:s3:::shop-config-{ACCOUNT}/web.env"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SHARED_EDGE = Path(__file__).resolve().parents[3] / "shared" / "taskdefs" / "valid-edge"


def valid_iam(document: dict) -> dict:
    """``document``, after moto's IAM validator accepted it as a policy document."""
    IAMPolicyDocumentValidator(json.dumps(document)).validate()
    return document


def spec_of(*containers: dict, **task) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate({
        "family": "shop-web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "1024",
        "containerDefinitions": list(containers), **task,
    })


def web(**fields) -> dict:
    return {"name": "web", "image": f"{REGISTRY}/shop/web", **fields}


def xray(**fields) -> dict:
    return {"name": "xray", "image": XRAY, "essential": False, **fields}


# --- pure documents ----------------------------------------------------------------------------------


def test_environment_files_grant_exactly_the_objects_and_their_buckets():
    spec = spec_of(
        web(environmentFiles=[{"value": ENV_FILE, "type": "s3"}, {"value": "arn:aws:s3:::shared-config/common/base.env", "type": "s3"}]),
        xray(environmentFiles=[{"value": ENV_FILE, "type": "s3"}]),
    )
    assert valid_iam(environment_files_policy(spec)) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": ["arn:aws:s3:::shared-config/common/base.env", ENV_FILE]},
            {"Sid": "LocateEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetBucketLocation"],
             "Resource": ["arn:aws:s3:::shared-config", f"arn:aws:s3:::shop-config-{ACCOUNT}"]},
        ],
    }
    assert environment_files_policy(spec_of(web())) is None


@pytest.mark.parametrize(
    "container, problems",
    [
        pytest.param(web(secrets=[{"name": "DB", "valueFrom": "/shop/*"}]), [
            'containerDefinitions[web].secrets[0].valueFrom: "/shop/*" has a wildcard; the execution role would read every '
            "parameter or secret it matches: name exactly one (its name or full ARN) per secret",
        ], id="parameter-path-wildcard"),
        pytest.param(web(secrets=[{"name": "DB", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-??????"}]), [
            f'containerDefinitions[web].secrets[0].valueFrom: "arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-??????" has a '
            "wildcard; the execution role would read every parameter or secret it matches: name exactly one (its name or full ARN) per secret",
        ], id="secret-arn-question-marks"),
        pytest.param(web(logConfiguration={"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": "/splunk/*"}]}), [
            'containerDefinitions[web].logConfiguration.secretOptions[0].valueFrom: "/splunk/*" has a wildcard; the execution role '
            "would read every parameter or secret it matches: name exactly one (its name or full ARN) per secret",
        ], id="secret-options"),
        pytest.param(web(repositoryCredentials={"credentialsParameter": "registry/*"}), [
            'containerDefinitions[web].repositoryCredentials.credentialsParameter: "registry/*" has a wildcard; the execution role '
            "would read every parameter or secret it matches: name exactly one (its name or full ARN) per secret",
        ], id="registry-credentials"),
        pytest.param(web(environmentFiles=[{"value": "arn:aws:s3:::config/*.env", "type": "s3"}]), [
            'containerDefinitions[web].environmentFiles[0].value: "arn:aws:s3:::config/*.env" has a wildcard; the execution role '
            "would read every object it matches: name exactly one S3 object per environment file",
        ], id="environment-file-wildcard"),
        pytest.param(web(environmentFiles=[{"value": "s3://config/web.env", "type": "s3"}]), [
            'containerDefinitions[web].environmentFiles[0].value: "s3://config/web.env" is not the ARN of an S3 object; write '
            "arn:aws:s3:::<bucket>/<key>.env",
        ], id="environment-file-not-an-arn"),
        pytest.param(web(secrets=[{"name": "DB", "valueFrom": "/shop/db"}], environmentFiles=[{"value": ENV_FILE, "type": "s3"}]), [],
                     id="exact-references"),
    ],
)
def test_what_the_created_role_cannot_grant_exactly_is_refused(container, problems):
    assert reference_problems(spec_of(container)) == problems


def test_images_behind_a_pull_through_cache_are_found_by_the_rules_prefixes():
    spec = spec_of(
        web(), xray(), {"name": "hub", "image": f"{REGISTRY}/docker-hub/library/nginx@sha256:{'a' * 64}", "essential": False},
        {"name": "public", "image": "public.ecr.aws/xray/aws-xray-daemon:3.3.12", "essential": False},
    )
    found = lambda prefixes: [repository.name for repository in pull_through_repositories(spec, prefixes)]  # noqa: E731
    assert found(["ecr-public"]) == ["ecr-public/xray/aws-xray-daemon"]
    assert found(["ecr-public/", "docker-hub"]) == ["docker-hub/library/nginx", "ecr-public/xray/aws-xray-daemon"]
    assert found(["ecr"]) == []  # a prefix is a whole path segment: ECR adds the trailing "/"
    assert found(["ROOT"]) == ["docker-hub/library/nginx", "ecr-public/xray/aws-xray-daemon", "shop/web"]
    assert found([]) == []
    assert valid_iam(pull_through_policy(pull_through_repositories(spec, ["ecr-public"]))) == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PullThroughCache", "Effect": "Allow", "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                       "Resource": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/ecr-public/xray/aws-xray-daemon"]}],
    }


def test_awslogs_create_group_grants_creating_exactly_those_groups():
    def logs(group: str, create: str | None, region: str | None = None) -> dict:
        options = {"awslogs-group": group, "awslogs-stream-prefix": "x"}
        if create is not None:
            options["awslogs-create-group"] = create
        if region:
            options["awslogs-region"] = region
        return {"logDriver": "awslogs", "options": options}

    spec = spec_of(
        web(logConfiguration=logs("/ecs/web", "true")),
        xray(logConfiguration=logs("/ecs/xray", "True", "us-east-1")),  # Docker reads it with Go's ParseBool
        {"name": "a", "image": "busybox", "essential": False, "logConfiguration": logs("/ecs/a", "false")},
        {"name": "b", "image": "busybox", "essential": False, "logConfiguration": logs("/ecs/b", None)},
    )
    groups = created_log_groups(spec, REGION)
    assert groups == [(REGION, "/ecs/web"), ("us-east-1", "/ecs/xray")]
    assert valid_iam(create_log_groups_policy(groups, ACCOUNT)) == {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "CreateLogGroups", "Effect": "Allow", "Action": ["logs:CreateLogGroup"], "Resource": [
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web:*",
            f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/xray", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/xray:*",
        ]}],
    }
    assert create_log_groups_policy([], ACCOUNT) is None


def test_kms_keys_decrypt_beside_the_secrets_and_only_with_secrets():
    arns = {"ssm": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/db"], "secretsmanager": []}
    policy = valid_iam(execution_secrets_policy(arns, [KEY, KEY]))
    assert policy["Statement"][-1] == {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY]}
    assert execution_secrets_policy({"ssm": [], "secretsmanager": []}, [KEY]) is None


# --- the settings --------------------------------------------------------------------------------------


def statement(**fields) -> dict:
    return {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::shop-uploads/*"], **fields}


@pytest.mark.parametrize(
    "fields, problems",
    [
        pytest.param(statement(), [], id="scoped"),
        pytest.param(statement(Action="s3:GetObject", Resource="arn:aws:s3:::shop-uploads/*", Sid="Uploads1"), [], id="strings-and-sid"),
        pytest.param(statement(Action=["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"], Resource="*"), [], id="star-for-actions-without-resource-types"),
        pytest.param(statement(Effect="Deny", Action=["s3:DeleteObject"], Resource="*"), [], id="star-in-a-deny"),
        pytest.param(statement(Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}}), [], id="condition"),
        pytest.param(statement(Resource="*"), [
            'TaskDefinitionSettings.task_role_statements.0.Resource: Value error, "*" lets s3:GetObject act on every resource; name '
            'the ARNs they act on ("*" is only for actions without resource types, such as cloudwatch:PutMetricData, '
            "ecr:GetAuthorizationToken, ssmmessages:CreateControlChannel, or in a Deny) (got '*'); fix the value",
        ], id="star-for-a-scoped-action"),
        pytest.param(statement(Action=["ssmmessages:OpenDataChannel", "s3:GetObject"], Resource=["*"]), [
            'TaskDefinitionSettings.task_role_statements.0.Resource: Value error, "*" lets s3:GetObject act on every resource; name '
            'the ARNs they act on ("*" is only for actions without resource types, such as cloudwatch:PutMetricData, '
            "ecr:GetAuthorizationToken, ssmmessages:CreateControlChannel, or in a Deny) (got ['*']); fix the value",
        ], id="star-mixed-actions"),
        pytest.param(statement(Action="*"), [
            "TaskDefinitionSettings.task_role_statements.0.Action: Value error, \"*\" allows every action of every service; name the "
            "actions the role needs (got '*'); fix the value",
        ], id="every-action"),
        pytest.param(statement(Action=["GetObject"]), [
            "TaskDefinitionSettings.task_role_statements.0.Action: Value error, GetObject: an action is service:Action, for example "
            "s3:GetObject (got ['GetObject']); fix the value",
        ], id="action-without-service"),
        pytest.param(statement(Resource=["shop-uploads"]), [
            "TaskDefinitionSettings.task_role_statements.0.Resource: Value error, shop-uploads: a resource is an ARN "
            "(arn:<partition>:<service>:<region>:<account>:<resource>) (got ['shop-uploads']); fix the value",
        ], id="resource-not-an-arn"),
        pytest.param(statement(Resource=[]), [
            "TaskDefinitionSettings.task_role_statements.0.Resource: Value error, name at least one resource ARN (got []); fix the value",
        ], id="no-resource"),
        pytest.param(statement(Sid="read uploads"), [
            "TaskDefinitionSettings.task_role_statements.0.Sid: Value error, a statement id has letters and digits only "
            "(got 'read uploads'); fix the value",
        ], id="sid"),
        pytest.param(statement(Effect="allow"), [
            "TaskDefinitionSettings.task_role_statements.0.Effect: Input should be 'Allow' or 'Deny' (got 'allow'); fix the value",
        ], id="effect"),
        pytest.param(statement(NotResource=["arn:aws:s3:::x"]), [
            "TaskDefinitionSettings.task_role_statements.0.NotResource: Extra inputs are not permitted (got ['arn:aws:s3:::x']); "
            "remove it or fix its spelling",
        ], id="not-resource"),
        pytest.param(statement(Condition={"String Equals": {"aws:ResourceAccount": ACCOUNT}}), [
            "TaskDefinitionSettings.task_role_statements.0.Condition: Value error, String Equals: a condition operator is a name "
            f"such as StringEquals or ArnLike (got {{'String Equals': {{'aws:ResourceAccount': '{ACCOUNT}'}}}}); fix the value",
        ], id="condition-operator"),
    ],
)
def test_extra_statements_are_validated_like_the_rest(fields, problems):
    try:
        with settings_errors():
            settings = TaskDefinitionSettings(task_role_statements=[fields])
    except ServiceSettingsError as error:
        assert error.problems == problems
    else:
        assert problems == []
        assert valid_iam({"Version": "2012-10-17", "Statement": [s.document() for s in settings.task_role_statements]})


def test_a_star_is_allowed_only_for_the_listed_actions_each_citing_its_page():
    for action, source in ACTIONS_WITHOUT_RESOURCE_TYPES.items():
        assert source.startswith("https://docs.aws.amazon.com/service-authorization/latest/reference/list_"), action
        assert PolicyStatement(Effect="Allow", Action=action, Resource="*").document()["Resource"] == ["*"]


@pytest.mark.parametrize(
    "fields, problem",
    [
        pytest.param({"secrets_kms_key_arns": [f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/shop"]},
                     f"TaskDefinitionSettings.secrets_kms_key_arns: Value error, arn:aws:kms:{REGION}:{ACCOUNT}:alias/shop: not a KMS key "
                     "ARN; write arn:aws:kms:<region>:<account>:key/<key id> (an IAM policy cannot name a key by alias or id)", id="alias-arn"),
        pytest.param({"secrets_kms_key_arns": ["1234abcd-12ab-34cd-56ef-1234567890ab"]},
                     "TaskDefinitionSettings.secrets_kms_key_arns: Value error, 1234abcd-12ab-34cd-56ef-1234567890ab: not a KMS key ARN",
                     id="key-id"),
        pytest.param({"pull_through_cache_prefixes": ["ECR-Public"]},
                     "TaskDefinitionSettings.pull_through_cache_prefixes: Value error, ECR-Public: not a pull through cache repository "
                     "prefix", id="prefix-case"),
        pytest.param({"pull_through_cache_prefixes": ["e"]},
                     "TaskDefinitionSettings.pull_through_cache_prefixes: Value error, e: not a pull through cache repository prefix",
                     id="prefix-too-short"),
    ],
)
def test_role_settings_are_checked(fields, problem):
    with pytest.raises(ServiceSettingsError) as raised:
        with settings_errors():
            TaskDefinitionSettings(**fields)
    (message,) = raised.value.problems
    assert message.startswith(problem), message
    TaskDefinitionSettings(secrets_kms_key_arns=[KEY, f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/mrk-1234abcd"],
                           pull_through_cache_prefixes=["ecr-public", "ROOT", "quay/team"])


# --- where the execution role comes from ----------------------------------------------------------------


FARGATE_ECR = spec_of(web(logConfiguration={"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": REGION,
                                                                                  "awslogs-stream-prefix": "web"}}))


def test_the_plan_says_where_the_execution_role_comes_from():
    assert plan_task_definition(FARGATE_ECR, {"web": "1.0"}).execution_role == "created"
    with_arn = FARGATE_ECR.model_copy(update={"execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/exec"})
    assert plan_task_definition(with_arn, {"web": "1.0"}).execution_role == "spec"
    given = plan_task_definition(FARGATE_ECR, {"web": "1.0"}, execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/other")
    assert (given.execution_role, given.execution_role_name) == ("argument", None)


def test_a_task_that_needs_an_execution_role_is_refused_where_nothing_supplies_one():
    with pytest.raises(EcsReleaseError) as raised:
        plan_task_definition(FARGATE_ECR, {"web": "1.0"}, execution_role_arn="")
    assert raised.value.problems == [
        "containerDefinitions[web].image: needs a task execution role (it pulls the image from Amazon ECR on Fargate), and none "
        "will exist: executionRoleArn is not set and the stack supplies no execution role; set executionRoleArn or let the stack "
        "create the role",
        "containerDefinitions[web].logConfiguration.logDriver: needs a task execution role (it sends awslogs logs to CloudWatch on "
        "Fargate), and none will exist: executionRoleArn is not set and the stack supplies no execution role; set executionRoleArn "
        "or let the stack create the role",
    ]
    public = spec_of({"name": "web", "image": "public.ecr.aws/nginx/nginx"})
    assert plan_task_definition(public, {"web": "1.27"}, execution_role_arn="").execution_role == "none"


def test_settings_for_a_role_the_stack_does_not_create_are_refused():
    settings = TaskDefinitionSettings(secrets_kms_key_arns=[KEY], task_role_statements=[statement()])
    spec = FARGATE_ECR.model_copy(update={"execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/exec", "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/app"})
    with pytest.raises(EcsReleaseError) as raised:
        plan_task_definition(spec, {"web": "1.0"}, settings)
    assert raised.value.problems == [
        "TaskDefinitionSettings.secrets_kms_key_arns: set, but the stack creates no execution role (the spec names "
        "executionRoleArn); grant this on that role and remove the setting, or let the stack create the role",
        "TaskDefinitionSettings.task_role_statements: set, but the stack creates no task role (the spec names taskRoleArn); "
        "grant them on that role and remove the setting, or let the stack create the role",
    ]


# --- under the mock runtime -----------------------------------------------------------------------------


@pytest.fixture
def stack_region():
    pulumi.runtime.set_all_config({"aws:region": REGION})
    yield REGION
    pulumi.runtime.set_all_config({})


def policies(mocks) -> dict[str, dict]:
    """Child name → (role, policy document) of every recorded RolePolicy, each document checked as IAM JSON."""
    return {r.name: (r.inputs["role"], valid_iam(json.loads(r.inputs["policy"]))) for r in mocks.resources if r.type == ROLE_POLICY}


def test_the_created_roles_hold_exactly_what_the_task_needs_to_start(mocks, stack_region):
    logs = {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": "x", "awslogs-create-group": "true"}}
    document = {
        "family": "shop-web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "512", "memory": "1024",
        "containerDefinitions": [
            web(environmentFiles=[{"value": ENV_FILE, "type": "s3"}], secrets=[{"name": "DB", "valueFrom": "/shop/dev/db"}],
                logConfiguration=logs),
            xray(logConfiguration=logs),
        ],
    }
    task = TaskDefinitionSettings(
        secrets_kms_key_arns=[KEY],
        pull_through_cache_prefixes=["ecr-public"],
        execution_role_statements=[{"Effect": "Allow", "Action": ["ecr:BatchGetImage"],
                                    "Resource": [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop/base"]}],
        task_role_statements=[{"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:OpenControlChannel"],
                               "Resource": "*"}],
    )

    @pulumi.runtime.test
    def run():
        service = TaggedService("web", {"task_definition": document, "image_tags": {"web": "1.4.2", "xray": "3.3.12"}, "task": task})
        return service.service_arn

    run()
    execution, app = "shop-web-execution", "shop-web-task"
    assert policies(mocks) == {
        "web-execution-secrets": (execution, {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/dev/db"]},
            {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [KEY]},
        ]}),
        "web-execution-files": (execution, {"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [ENV_FILE]},
            {"Sid": "LocateEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": [f"arn:aws:s3:::shop-config-{ACCOUNT}"]},
        ]}),
        "web-execution-images": (execution, {"Version": "2012-10-17", "Statement": [
            {"Sid": "PullThroughCache", "Effect": "Allow", "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
             "Resource": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/ecr-public/xray/aws-xray-daemon"]},
        ]}),
        "web-execution-logs": (execution, {"Version": "2012-10-17", "Statement": [
            {"Sid": "CreateLogGroups", "Effect": "Allow", "Action": ["logs:CreateLogGroup"],
             "Resource": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/shop-web", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/shop-web:*"]},
        ]}),
        "web-execution-statements": (execution, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ecr:BatchGetImage"], "Resource": [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shop/base"]},
        ]}),
        "web-task-statements": (app, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:OpenControlChannel"], "Resource": ["*"]},
        ]}),
    }
    task_definition = next(r.inputs for r in mocks.resources if r.type == "aws:ecs/taskDefinition:TaskDefinition")
    assert (task_definition["executionRoleArn"], task_definition["taskRoleArn"]) == (
        f"arn:aws:iam::{ACCOUNT}:role/{execution}", f"arn:aws:iam::{ACCOUNT}:role/{app}")


def test_a_task_that_needs_only_the_managed_policy_gets_no_inline_policy(mocks):
    @pulumi.runtime.test
    def run():
        return TaggedTaskDefinition("web", {"spec": FARGATE_ECR, "versions": {"web": "1.0"}}).arn

    run()
    assert policies(mocks) == {}
    assert [r.name for r in mocks.resources if r.type.startswith("aws:iam/")] == ["web-execution-role", "web-execution-managed"]


def test_nothing_is_registered_when_no_execution_role_will_exist(mocks):
    with pytest.raises(EcsReleaseError, match=r"containerDefinitions\[web\]\.image: needs a task execution role"):
        TaggedTaskDefinition("web", {"spec": FARGATE_ECR, "versions": {"web": "1.0"}, "execution_role_arn": ""})
    assert mocks.resources == []


@pytest.mark.skipif(not SHARED_EDGE.is_dir(), reason=f"shared valid-edge task definitions not found at {SHARED_EDGE} (CI has ../shared)")
def test_the_shared_environment_files_case_can_start_with_the_role_the_stack_creates(mocks, stack_region):
    """valid-edge/v02: the role the stack creates reads exactly its S3 object, or the task never starts."""
    path = SHARED_EDGE / "v02-environment-files-in-s3.json"

    @pulumi.runtime.test
    def run():
        return TaggedService("web", {"task_definition": str(path), "image_tags": {"web": "1.4.2"}}).service_arn

    run()
    (value,) = [f["value"] for c in json.loads(path.read_text())["containerDefinitions"] for f in c["environmentFiles"]]
    bucket = "arn:aws:s3:::" + value.removeprefix("arn:aws:s3:::").split("/", 1)[0]
    found = policies(mocks)
    assert found["web-execution-files"][1]["Statement"] == [
        {"Sid": "ReadEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [value]},
        {"Sid": "LocateEnvironmentFiles", "Effect": "Allow", "Action": ["s3:GetBucketLocation"], "Resource": [bucket]},
    ]
    assert sorted(found) == ["web-execution-files", "web-execution-secrets"]


def test_a_wildcard_secret_is_one_error_line_from_the_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", sys.path[:])  # run_program leaves the project on sys.path: keep this copy's services off it
    project = tmp_path / "project"
    shutil.copytree(LIBRARY_PROJECT, project)
    services = project / "services.py"
    source = services.read_text()
    declared = 'ContainerDefinition(name="api", image=image, port_mappings=[PortMapping(container_port=8000)])'
    assert declared in source
    services.write_text(source.replace(declared, declared[:-1] + ', secrets=[Secret(name="DB", value_from="/fixture/*")])').replace(
        "from components.spec import ContainerDefinition, PortMapping", "from components.spec import ContainerDefinition, PortMapping, Secret"))
    code = main(["render", "--stack", "dev", "--project-dir", str(project)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (
        'error: service "api": containerDefinitions[api].secrets[0].valueFrom: "/fixture/*" has a wildcard; the execution role '
        "would read every parameter or secret it matches: name exactly one (its name or full ARN) per secret\n"
    )


def test_every_statement_field_is_documented_with_its_default():
    assert PolicyStatement.model_config["extra"] == "forbid" and PolicyStatement.model_config["frozen"]
    for name, field in PolicyStatement.model_fields.items():
        assert field.description and (("Default:" in field.description) != field.is_required() or "Required." in field.description), name
