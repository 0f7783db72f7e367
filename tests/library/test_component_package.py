"""The component package: its schema, its generated files, and its construct path against the Python path."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import types
import typing
from pathlib import Path

import pulumi
import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.server import ProviderServicer
from pulumi.runtime.sync_await import _sync_await
from pydantic import BaseModel

from components.mirrors import MIRRORED, REGENERATE
from components.offline import ACCOUNT_ID, TASK_DEFINITION_TYPE, RecordingMocks
from components.provider import SCHEMA_FILE, EcsReleaseProvider
from components.service import TaggedService
from components.task_definition import TaggedTaskDefinition

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "yaml" / "Pulumi.yaml"
SERVICE_TOKEN, TASK_DEFINITION_TOKEN = "ecs-release:index:TaggedService", "ecs-release:index:TaggedTaskDefinition"
REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com"
CLUSTER_ARN = f"arn:aws:ecs:eu-west-1:{ACCOUNT_ID}:cluster/shop"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT_ID}:targetgroup/web/0123456789abcdef"
ANY = {"$ref": "pulumi.json#/Any"}
ASSETS = "arn:aws:s3:::shop-assets/*"
LOGS = f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:/ecs/shop-web:*"
KMS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def provider() -> EcsReleaseProvider:
    return EcsReleaseProvider()


@pytest.fixture(scope="module")
def schema(provider) -> dict:
    return json.loads(provider.schema)


@pytest.fixture
def mocks() -> RecordingMocks:
    """The mock runtime of a production stack, installed; ``mocks.resources`` records every registration."""
    recording = RecordingMocks(region="eu-west-1")
    pulumi.runtime.set_mocks(recording, project="shop", stack="prod", preview=False)
    return recording


def _diff(committed: str, current: str, name: str) -> str:
    lines = list(difflib.unified_diff(committed.splitlines(), current.splitlines(), f"{name} (committed)", f"{name} (from the code)", lineterm=""))
    return "\n".join(lines[:60] + (["…"] if len(lines) > 60 else []))


# --- the schema ----------------------------------------------------------------------------------------------


def test_committed_schema_is_what_the_provider_serves(provider):
    committed = SCHEMA_FILE.read_text()
    assert committed == provider.schema, (
        "provider/schema.json differs from the schema the provider infers from the components (their args, the "
        f"settings mirrors, their outputs or docstrings changed). Run `{REGENERATE}` and commit it.\n"
        + _diff(committed, provider.schema, "provider/schema.json")
    )


def _shape(prop: dict) -> dict:
    """A property's type, without its description and plainness."""
    shape = {key: value for key, value in prop.items() if key not in ("description", "plain")}
    for key in ("items", "additionalProperties"):
        if key in shape:
            shape[key] = _shape(shape[key])
    return shape


STRING, INTEGER, NUMBER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}


def _map(values: dict) -> dict:
    return {"type": "object", "additionalProperties": values}


def _ref(name: str) -> dict:
    return {"$ref": f"#/types/ecs-release:index:{name}"}


@pytest.mark.parametrize(
    ("token", "inputs", "required", "outputs"),
    [
        pytest.param(
            SERVICE_TOKEN,
            {
                "taskDefinition": _map(ANY), "imageTags": _map(STRING), "imageKeys": _map(STRING),
                "service": _ref("ServiceSettings"), "task": _ref("TaskDefinitionSettings"), "release": _ref("ReleasePolicy"),
                "cluster": STRING, "awsProfile": STRING, "aws": _ref("AwsSettings"),
            },
            ["imageTags", "taskDefinition"],
            {
                "family": STRING, "revision": INTEGER, "taskDefinitionArn": STRING, "images": _map(STRING),
                "imageTags": _map(STRING), "imageDigests": _map(STRING), "cluster": STRING, "serviceName": STRING,
                "serviceArn": STRING, "runningTaskDefinitionArn": STRING, "deregisteredRevisions": {"type": "array", "items": STRING},
                "rolloutState": STRING, "runningImageDigests": _map(STRING),
            },
            id="TaggedService",
        ),
        pytest.param(
            TASK_DEFINITION_TOKEN,
            {
                "spec": _map(ANY), "versions": _map(STRING), "task": _ref("TaskDefinitionSettings"),
                "executionRoleArn": STRING, "taskRoleArn": STRING,
            },
            ["spec", "versions"],
            {
                "family": STRING, "revision": INTEGER, "arn": STRING, "images": _map(STRING), "executionRoleArn": STRING,
                "taskRoleArn": STRING, "logGroupName": STRING,
            },
            id="TaggedTaskDefinition",
        ),
    ],
)
def test_component_inputs_and_outputs(schema, token, inputs, required, outputs):
    resource = schema["resources"][token]
    assert resource["isComponent"] is True
    assert {name: _shape(prop) for name, prop in resource["inputProperties"].items()} == inputs
    assert resource["requiredInputs"] == required
    assert {name: _shape(prop) for name, prop in resource["properties"].items()} == outputs


def test_only_inputs_that_take_another_resources_output_are_not_plain(schema):
    """The settings are validated when the component is built, so they must be plain values; role and cluster ARNs may be outputs."""
    not_plain = sorted(
        f"{token.rsplit(':', 1)[-1]}.{name}"
        for token, resource in schema["resources"].items()
        for name, prop in resource["inputProperties"].items()
        if not prop.get("plain")
    )
    assert not_plain == ["TaggedService.cluster", "TaggedTaskDefinition.executionRoleArn", "TaggedTaskDefinition.taskRoleArn"]


def _expected_type(annotation: typing.Any) -> dict:
    """The schema type a pydantic field's annotation calls for (independent of the mirrors)."""
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _expected_type(arguments[0])
    if origin in (typing.Union, types.UnionType):
        others = [arg for arg in arguments if arg is not type(None)]
        if len(others) == 2 and list[others[0]] in others:  # one value or a list of them: an array
            return {"type": "array", "items": _expected_type(others[0])}
        (one,) = others
        return _expected_type(one)
    if origin is typing.Literal:
        return {str: STRING, int: INTEGER}[type(arguments[0])]
    if origin is list:
        return {"type": "array", "items": _expected_type(arguments[0])}
    if origin is dict:
        return _map(_expected_type(arguments[1]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _ref(annotation.__name__)
    return {str: STRING, int: INTEGER, float: NUMBER, bool: BOOLEAN}[annotation]


def _models(roots=MIRRORED) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(model):
        if model not in found:
            found.append(model)
            for field in model.model_fields.values():
                for arg in [field.annotation, *typing.get_args(field.annotation)]:
                    if isinstance(arg, type) and issubclass(arg, BaseModel):
                        visit(arg)

    for root in roots:
        visit(root)
    return found


def test_schema_types_are_the_settings_models(schema):
    assert sorted(schema["types"]) == sorted(f"ecs-release:index:{model.__name__}" for model in _models())


@pytest.mark.parametrize("model", [pytest.param(model, id=model.__name__) for model in _models()])
def test_schema_type_has_its_models_fields_and_types(schema, model):
    declared = schema["types"][f"ecs-release:index:{model.__name__}"]
    assert declared["type"] == "object"
    assert {name: _shape(prop) for name, prop in declared["properties"].items()} == {
        camel_case(name): _expected_type(field.annotation) for name, field in model.model_fields.items()
    }
    assert declared.get("required", []) == sorted(camel_case(name) for name, field in model.model_fields.items() if field.is_required())
    for name, field in model.model_fields.items():  # the model's documentation, and the values of a Literal
        description = declared["properties"][camel_case(name)]["description"]
        assert description.startswith(re.split(r"[`:]", field.description)[0])  # up to the first markup
        if typing.get_origin(field.annotation) is typing.Literal:
            assert description.endswith(f"One of: {', '.join(typing.get_args(field.annotation))}.")


def _inputs(schema):
    for token, resource in schema["resources"].items():
        for name, prop in resource["inputProperties"].items():
            yield f"{token}.{name}", prop, name in resource["requiredInputs"]
    for token, declared in schema["types"].items():
        for name, prop in declared["properties"].items():
            yield f"{token}.{name}", prop, name in declared.get("required", [])


def test_every_input_says_its_default_or_that_it_is_required(schema):
    missing = [
        path for path, prop, required in _inputs(schema)
        if ("Required." not in prop.get("description", "")) != (not required) or (not required and "Default:" not in prop["description"])
    ]
    assert missing == []


def test_every_output_and_resource_is_described(schema):
    undescribed = [
        f"{token}.{name}"
        for token, resource in schema["resources"].items()
        for name, prop in [("", resource), *resource["properties"].items()]
        if not prop.get("description", "").strip()
    ]
    assert undescribed == []


def test_descriptions_read_as_markdown(schema):
    """No source indentation, reST roles or double-backquoted literals from the docstrings."""
    text = json.dumps(schema)
    assert re.findall(r"\\n {4}|:class:|:func:|``", text) == []  # (list items continue with two spaces)


def test_each_language_gets_a_fixed_package_name(schema):
    assert schema["name"] == "ecs-release"
    assert schema["language"]["python"]["packageName"] == "pulumi_ecs_release"  # not `components`, the library's own
    assert schema["language"]["nodejs"]["packageName"] == "@ecs-release/sdk"
    assert schema["language"]["go"]["importBasePath"] == "example.com/ecs-release/sdk/go/ecsrelease"


# --- construct: the provider path against the Python path ---------------------------------------------------------


def _wire(inputs: dict) -> dict:
    """``inputs`` as the provider receives them from the engine: a protobuf ``Struct`` (every number a float), deserialized."""
    struct = struct_pb2.Struct()
    struct.update(inputs)
    return _sync_await(ProviderServicer._construct_inputs(struct, {}))


def _record(build) -> tuple[list[tuple[str, str, dict]], dict]:
    """Every registration of ``build()`` under a fresh mock runtime, and the resolved outputs it returns."""
    mocks = RecordingMocks(region="eu-west-1")
    pulumi.runtime.set_mocks(mocks, project="shop", stack="prod", preview=False)
    outputs: dict = {}

    @pulumi.runtime.test
    def run():
        return pulumi.Output.all(**build()).apply(outputs.update)

    run()
    return sorted((r.type, r.name, r.inputs) for r in mocks.resources), outputs


def _document(**overrides) -> dict:
    """A Fargate task definition in the AWS JSON shape: both images in ECR, awslogs without a group, SSM secrets."""
    document = {
        "family": "shop-web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "512",
        "memory": "1024",
        "containerDefinitions": [
            {
                "name": "web",
                "image": f"{REGISTRY}/shop/web",
                "portMappings": [{"containerPort": 8080}],
                "environment": [{"name": "APP_ENV", "value": "prod"}],
                "secrets": [{"name": "DB", "valueFrom": f"arn:aws:ssm:eu-west-1:{ACCOUNT_ID}:parameter/db"}],
                "healthCheck": {"command": ["CMD", "/bin/health"], "interval": 30, "retries": 3},
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-stream-prefix": "web"}},
            },
            {"name": "migrate", "image": f"{REGISTRY}/shop/web", "essential": False, "command": ["bin/migrate"]},
        ],
    }
    document.update(overrides)
    return document


def _service_outputs(component) -> dict:
    names = ["family", "revision", "task_definition_arn", "images", "image_tags", "image_digests", "cluster", "service_name",
             "service_arn", "running_task_definition_arn", "deregistered_revisions", "rollout_state", "running_image_digests"]
    return {camel_case(name): getattr(component, name) for name in names}


CASES = [
    pytest.param(
        {
            "task_definition": _document(),
            "image_tags": {"web": "1.4.2", "migrate": "1.4.2"},
            "image_keys": {"migrate": "webTag"},
            "service": {
                "name": "shop-web-prod", "desired_count": 3, "minimum_healthy_percent": 50, "maximum_percent": 150,
                "wait_for_steady_state": False, "rollout_timeout_seconds": 900, "rollout_poll_seconds": 7.5,
                "network": {"subnets": ["subnet-0a1b"], "security_groups": ["sg-0c3d"], "assign_public_ip": False},
                "autoscaling": {"min_tasks": 3, "max_tasks": 12, "metric": "memory", "target_percent": 62.5,
                                "scale_in_cooldown_seconds": 120, "scale_out_cooldown_seconds": 30},
                "load_balancer": {"target_group_arn": TARGET_GROUP, "container_name": "web", "container_port": 8080,
                                  "health_check_grace_period_seconds": 90},
            },
            "task": {
                "log_retention_days": 14, "task_role_policy_arns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                "task_role_statements": [{"Sid": "Assets", "Effect": "Allow", "Action": "s3:PutObject", "Resource": ASSETS,
                                          "Condition": {"StringEquals": {"s3:x-amz-acl": ["private"]}}}],
                "execution_role_statements": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": [LOGS]}],
                "secrets_kms_key_arns": [KMS_KEY],
            },
            "release": {"production": True, "pin_digests": True, "mutable_tag_patterns": ["latest", "dev-*"], "keep_revisions": 5},
            "cluster": CLUSTER_ARN,
            "aws_profile": "deploy",
        },
        {
            "taskDefinition": _document(),
            "imageTags": {"web": "1.4.2", "migrate": "1.4.2"},
            "imageKeys": {"migrate": "webTag"},
            "service": {
                "name": "shop-web-prod", "desiredCount": 3, "minimumHealthyPercent": 50, "maximumPercent": 150,
                "waitForSteadyState": False, "rolloutTimeoutSeconds": 900, "rolloutPollSeconds": 7.5,
                "network": {"subnets": ["subnet-0a1b"], "securityGroups": ["sg-0c3d"], "assignPublicIp": False},
                "autoscaling": {"minTasks": 3, "maxTasks": 12, "metric": "memory", "targetPercent": 62.5,
                                "scaleInCooldownSeconds": 120, "scaleOutCooldownSeconds": 30},
                "loadBalancer": {"targetGroupArn": TARGET_GROUP, "containerName": "web", "containerPort": 8080,
                                 "healthCheckGracePeriodSeconds": 90},
            },
            "task": {
                "logRetentionDays": 14, "taskRolePolicyArns": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
                "taskRoleStatements": [{"Sid": "Assets", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": [ASSETS],
                                        "Condition": {"StringEquals": {"s3:x-amz-acl": ["private"]}}}],
                "executionRoleStatements": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": [LOGS]}],
                "secretsKmsKeyArns": [KMS_KEY],
            },
            "release": {"production": True, "pinDigests": True, "mutableTagPatterns": ["latest", "dev-*"], "keepRevisions": 5},
            "cluster": CLUSTER_ARN,
            "awsProfile": "deploy",
        },
        ["web", "web-execution-managed", "web-execution-role", "web-execution-secrets", "web-execution-statements", "web-logs",
         "web-retention", "web-rollout", "web-scaling", "web-scaling-policy", "web-service", "web-task-AmazonS3ReadOnlyAccess",
         "web-task-role", "web-task-statements", "web-taskdef"],
        id="every-setting",
    ),
    pytest.param(
        {"task_definition": _document(), "image_tags": {"web": "1.4.2", "migrate": "1.4.2"}},
        {"taskDefinition": _document(), "imageTags": {"web": "1.4.2", "migrate": "1.4.2"}},
        ["web", "web-cluster", "web-execution-managed", "web-execution-role", "web-execution-secrets", "web-logs",
         "web-retention", "web-rollout", "web-service", "web-taskdef"],
        id="defaults",
    ),
]


@pytest.mark.parametrize(("python_args", "wire_inputs", "children"), CASES)
def test_provider_construct_registers_what_the_python_path_does(provider, python_args, wire_inputs, children):
    python_path = _record(lambda: _service_outputs(TaggedService("web", python_args)))
    inputs = _wire(wire_inputs)
    provider_path = _record(lambda: provider.construct("web", SERVICE_TOKEN, inputs, None).state)

    assert sorted(name for _, name, _ in provider_path[0]) == children
    assert provider_path[0] == python_path[0]
    assert provider_path[1] == python_path[1]


def test_cluster_from_another_resource_reaches_the_service(provider):
    """``cluster`` is the one service input that may be another resource's output (engine: an ``Output``)."""
    wire = _wire({"taskDefinition": _document(), "imageTags": {"web": "1.4.2", "migrate": "1.4.2"}})

    def build():
        cluster = pulumi.Output.from_input(CLUSTER_ARN).apply(lambda arn: arn)
        return provider.construct("web", SERVICE_TOKEN, {**wire, "cluster": cluster}, None).state

    registered, outputs = _record(build)
    (service,) = [inputs for typ, _, inputs in registered if typ == "aws:ecs/service:Service"]
    assert service["cluster"] == CLUSTER_ARN
    assert outputs["cluster"] == CLUSTER_ARN
    assert "web-cluster" not in [name for _, name, _ in registered]


def test_task_definition_component_through_the_provider(provider):
    python_args = {"spec": _document(), "versions": {"web": "1.4.2", "migrate": "1.4.2"}, "task": {"log_retention_days": 7},
                   "task_role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/shop-web"}
    wire_inputs = {"spec": _document(), "versions": {"web": "1.4.2", "migrate": "1.4.2"}, "task": {"logRetentionDays": 7},
                   "taskRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/shop-web"}
    names = ["family", "revision", "arn", "images", "execution_role_arn", "task_role_arn", "log_group_name"]

    def python_build():
        component = TaggedTaskDefinition("web", python_args)
        return {camel_case(name): getattr(component, name) for name in names}

    python_path = _record(python_build)
    inputs = _wire(wire_inputs)
    provider_path = _record(lambda: provider.construct("web", TASK_DEFINITION_TOKEN, inputs, None).state)

    assert sorted(name for _, name, _ in provider_path[0]) == [
        "web", "web-execution-managed", "web-execution-role", "web-execution-secrets", "web-logs", "web-taskdef"
    ]
    assert provider_path == python_path
    assert provider_path[1]["logGroupName"] == "/ecs/shop-web"


# --- construct: bad input ----------------------------------------------------------------------------------------


def _construct(provider, inputs: dict, token: str = SERVICE_TOKEN):
    return provider.construct("web", token, inputs, None)


@pytest.mark.parametrize(
    ("wire_inputs", "error", "message"),
    [
        pytest.param(
            {"taskDefinition": _document(), "imageTags": {"web": "latest", "migrate": "1.4.2"},
             "service": {"desiredCount": -1}, "release": {"production": True}},
            InputPropertiesError,
            'TaggedService "web": ServiceSettings.desired_count: Input should be greater than or equal to 0 (got -1); fix the value; '
            'webTag "latest" is a mutable tag, refused for production stack prod; run: pulumi config set webTag <immutable tag> --stack prod',
            id="invalid-settings-and-tag",
        ),
        pytest.param(
            {"taskDefinition": _document(), "imageTags": {"web": "1.4.2", "migrate": "1.4.2"},
             "service": {"desiredCont": 2, "network": {"subnet": ["subnet-0a1b"]}}},
            InputPropertiesError,
            "TaggedService: service.desiredCont: unknown input; use one of: name, cluster, launchType, desiredCount, "
            "minimumHealthyPercent, maximumPercent, waitForSteadyState, rolloutTimeoutSeconds, rolloutPollSeconds, network, "
            "autoscaling, loadBalancer, deployment, waitUntil; service.network.subnet: unknown input; use one of: subnets, securityGroups, assignPublicIp",
            id="unknown-inputs",
        ),
        pytest.param(
            {"taskDefinition": _document(), "imageTags": {"web": "1.4.2", "migrate": "1.4.2"},
             "task": {"taskRoleStatements": [{"Efect": "Allow", "Action": ["s3:GetObject"], "Resource": [ASSETS]}]}},
            InputPropertiesError,
            "TaggedService: task.taskRoleStatements[0].Efect: unknown input; use one of: Sid, Effect, Action, Resource, Condition",
            id="unknown-key-in-a-list-item",
        ),
        pytest.param(
            {"taskDefinition": _document(), "imageTags": {"web": "1.4.2", "migrate": "1.4.2"}, "service": {"desiredCount": 1.5}},
            InputPropertiesError,
            'TaggedService "web": ServiceSettings.desired_count: Input should be a valid integer (got 1.5); fix the value',
            id="fractional-integer",
        ),
        pytest.param(
            {"taskDefinition": _document()},
            InputPropertyError,
            "Missing required input 'imageTags' on 'TaggedService'",
            id="missing-required",
        ),
    ],
)
def test_bad_input_is_refused_in_one_line_before_any_resource(mocks, provider, wire_inputs, error, message):
    with pytest.raises(error) as raised:
        _construct(provider, _wire(wire_inputs))
    text = raised.value.reason if isinstance(raised.value, InputPropertyError) else raised.value.message
    assert text == message
    assert mocks.resources == []


def test_a_setting_from_another_resources_output_is_refused_by_name(mocks, provider):
    inputs = {**_wire({"taskDefinition": _document()}), "imageTags": pulumi.Output.secret({"web": "1.4.2", "migrate": "1.4.2"})}
    with pytest.raises(InputPropertyError) as raised:
        _construct(provider, inputs)
    assert raised.value.property_path == "imageTags"
    assert raised.value.reason == (
        "TaggedService.imageTags must be known when the program runs (a literal or stack config), not another resource's "
        "output or a secret; pass a plain value"
    )
    assert mocks.resources == []


# --- the plugin process --------------------------------------------------------------------------------------------


def test_plugin_serves_the_committed_schema():
    """``python provider <engine address>``, as Pulumi's Python host runs the plugin: it prints its port and serves the schema."""
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    manifest = yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert (ROOT / "provider" / "requirements.txt").read_text().splitlines()[-1] == ".."  # the library, from the repository root
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "provider", "127.0.0.1:1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30).schema
            info = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert served == SCHEMA_FILE.read_text()
    assert info.version == json.loads(served)["version"]


# --- the YAML example ----------------------------------------------------------------------------------------------


_INTERPOLATION = re.compile(r"\$\{(\w+)\}")
_PYTHON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "array": (list,), "object": (dict,)}


def _value_problems(value, prop: dict, path: str, schema: dict, config: dict) -> list[str]:
    if isinstance(value, str) and (match := _INTERPOLATION.fullmatch(value)):
        declared = config.get(match[1], {}).get("type")
        if declared is None:
            return [f"{path}: {value} is not a config key of the program"]
        expected = "string" if prop.get("$ref") == ANY["$ref"] else prop.get("type")
        return [] if declared == expected else [f"{path}: {value} is a {declared}, the schema wants {expected}"]
    ref = prop.get("$ref")
    if ref == ANY["$ref"]:
        return []
    if ref:
        declared_type = schema["types"][ref.rsplit("/", 1)[-1]]
        return _object_problems(value, declared_type["properties"], declared_type.get("required", []), path, schema, config)
    kind = prop["type"]
    if not isinstance(value, _PYTHON_TYPES[kind]) or (isinstance(value, bool) and kind != "boolean"):
        return [f"{path}: {value!r} is not a {kind}"]
    if kind == "array":
        return [p for index, item in enumerate(value) for p in _value_problems(item, prop["items"], f"{path}[{index}]", schema, config)]
    if kind == "object" and "additionalProperties" in prop:
        return [p for key, item in value.items() for p in _value_problems(item, prop["additionalProperties"], f"{path}.{key}", schema, config)]
    return []


def _object_problems(value, properties: dict, required: list[str], path: str, schema: dict, config: dict) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not an object"]
    problems = [f"{path}.{name}: not in the schema" for name in value if name not in properties]
    problems += [f"{path}.{name}: required, missing" for name in required if name not in value]
    for name, item in value.items():
        if name in properties:
            problems += _value_problems(item, properties[name], f"{path}.{name}", schema, config)
    return problems


def resource_problems(program: dict, schema: dict) -> list[str]:
    """Every way the program's resources of this package disagree with the schema (type, properties, types, required ones)."""
    problems = []
    for name, declared in program.get("resources", {}).items():
        if not declared["type"].startswith(f"{schema['name']}:"):
            continue
        resource = schema["resources"].get(declared["type"])
        if resource is None:
            problems.append(f"{name}: type {declared['type']} is not in the schema")
            continue
        problems += _object_problems(
            declared.get("properties", {}), resource["inputProperties"], resource["requiredInputs"], name, schema, program.get("config", {})
        )
    return problems


def test_yaml_example_resource_matches_the_committed_schema():
    program = yaml.safe_load(EXAMPLE.read_text())
    schema = json.loads(SCHEMA_FILE.read_text())
    assert program["runtime"] == "yaml"
    assert program["packages"] == {"ecs-release": "../../provider"}
    assert (EXAMPLE.parent / program["packages"]["ecs-release"] / "PulumiPlugin.yaml").exists()
    assert [resource["type"] for resource in program["resources"].values()] == [SERVICE_TOKEN]
    assert program["resources"]["web"]["properties"]["imageTags"] == {"web": "${webTag}"}
    assert resource_problems(program, schema) == []
    outputs = {value.strip("${}").split(".", 1)[1] for value in program["outputs"].values()}
    assert outputs <= set(schema["resources"][SERVICE_TOKEN]["properties"])


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        pytest.param({"service": {"desiredCount": "two"}}, ["web.service.desiredCount: 'two' is not a integer"], id="wrong-type"),
        pytest.param({"service": {"desiredCnt": 2}}, ["web.service.desiredCnt: not in the schema"], id="unknown-property"),
        pytest.param({"service": {"autoscaling": {"minTasks": 1}}}, ["web.service.autoscaling.maxTasks: required, missing"], id="missing-required"),
        pytest.param({"imageTags": {"web": "${apiTag}"}}, ["web.imageTags.web: ${apiTag} is not a config key of the program"], id="undeclared-config"),
        pytest.param({"release": {"keepRevisions": True}}, ["web.release.keepRevisions: True is not a integer"], id="bool-for-integer"),
    ],
)
def test_yaml_validation_finds_each_problem(change, problems):
    program = yaml.safe_load(EXAMPLE.read_text())
    program["resources"]["web"]["properties"].update(change)
    assert resource_problems(program, json.loads(SCHEMA_FILE.read_text())) == problems


def test_yaml_example_deploys_its_tag_through_the_provider(provider):
    """The example's resource block, with ``webTag`` set, constructed as the engine would send it."""
    properties = yaml.safe_load(EXAMPLE.read_text())["resources"]["web"]["properties"]
    inputs = _wire(json.loads(json.dumps(properties).replace("${webTag}", "1.4.2")))
    registered, outputs = _record(lambda: provider.construct("web", SERVICE_TOKEN, inputs, None).state)

    (task_definition,) = [inputs for typ, _, inputs in registered if typ == TASK_DEFINITION_TYPE]
    (container,) = json.loads(task_definition["containerDefinitions"])
    assert container["image"] == f"{REGISTRY}/shop/web:1.4.2"
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    (target,) = [inputs for typ, _, inputs in registered if typ == "aws:appautoscaling/target:Target"]
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 6)
    assert outputs["imageTags"] == {"web": "1.4.2"}


def test_readme_yaml_snippet_matches_the_example():
    """The README's "From another language" YAML is the example's resource block."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## From another language") :]
    snippet = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    program = yaml.safe_load(snippet)
    example = yaml.safe_load(EXAMPLE.read_text())
    assert program["resources"] == example["resources"]
    assert program["config"] == example["config"]
