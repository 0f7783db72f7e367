"""Tests of components.spec against botocore's ECS model: coverage, enums, strictness, docs."""

import copy
import functools
import types
from typing import Annotated, Literal, Union, get_args, get_origin

import botocore.session
import pytest
from pydantic import BaseModel, ValidationError

from components.spec import (
    AwsModel,
    ContainerDefinition,
    EphemeralStorage,
    PortMapping,
    Tag,
    TaskDefinitionSpec,
)

SCALAR_TYPES = {"string": str, "integer": int, "boolean": bool}


def shape_tree(shape, memo=None):
    """Turn a botocore shape into plain dicts, so tests can also feed hand-edited trees."""
    memo = {} if memo is None else memo
    kind = shape.type_name
    if kind == "structure":
        if shape.name in memo:
            return memo[shape.name]
        node = memo[shape.name] = {"kind": kind, "name": shape.name, "members": {}}
        node["required"] = set(shape.required_members)
        for name, member in shape.members.items():
            node["members"][name] = shape_tree(member, memo)
        return node
    if kind == "list":
        return {"kind": kind, "member": shape_tree(shape.member, memo)}
    if kind == "map":
        return {"kind": kind, "value": shape_tree(shape.value, memo)}
    enum = list(getattr(shape, "enum", None) or ()) or None
    return {"kind": kind, "name": shape.name, "enum": enum}


@functools.cache
def _botocore_tree():
    ecs = botocore.session.get_session().get_service_model("ecs")
    return shape_tree(ecs.operation_model("RegisterTaskDefinition").input_shape)


@pytest.fixture
def tree():
    return copy.deepcopy(_botocore_tree())


def _strip(annotation):
    """Remove ``Annotated`` and ``| None`` wrappers."""
    if get_origin(annotation) is Annotated:
        return _strip(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _strip(args[0]) if len(args) == 1 else annotation
    return annotation


def _leaf(node, annotation):
    """Follow list/map nesting in both the botocore node and the annotation; None on mismatch."""
    annotation = _strip(annotation)
    while node["kind"] in ("list", "map"):
        origin, args = get_origin(annotation), get_args(annotation)
        if node["kind"] == "list" and origin in (list, tuple):
            node, annotation = node["member"], _strip(args[0])
        elif node["kind"] == "map" and origin is dict and args[0] is str:
            node, annotation = node["value"], _strip(args[1])
        else:
            return node, None
    return node, annotation


def _is_model(annotation):
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _fields_by_alias(model):
    return {(field.alias or name): field for name, field in model.model_fields.items()}


def matched_members(tree, model):
    """Yield (label, botocore node, field or None, leaf node, leaf annotation) for every member."""
    stack, seen = [(tree, model)], set()
    while stack:
        node, current = stack.pop()
        if (node["name"], current) in seen:
            continue
        seen.add((node["name"], current))
        fields = _fields_by_alias(current)
        for member, member_node in node["members"].items():
            label = f"{node['name']}.{member}"
            field = fields.get(member)
            if field is None:
                yield label, node, None, None, None
                continue
            leaf, annotation = _leaf(member_node, field.annotation)
            yield label, node, field, leaf, annotation
            if leaf["kind"] == "structure" and _is_model(annotation):
                stack.append((leaf, annotation))


def model_problems(tree, model):
    """Everything in which the models and the botocore tree disagree, except enum values."""
    problems = []
    for label, parent, field, leaf, annotation in matched_members(tree, model):
        member = label.split(".", 1)[1]
        if field is None:
            problems.append(f"{label}: missing from the models")
            continue
        if (member in parent["required"]) != field.is_required():
            problems.append(f"{label}: botocore required={member in parent['required']}")
        if annotation is None:
            problems.append(f"{label}: list/map nesting differs from the annotation")
        elif leaf["kind"] == "structure":
            if not _is_model(annotation):
                problems.append(f"{label}: {annotation} is not a model")
            elif annotation.__name__ != leaf["name"]:
                problems.append(f"{label}: model {annotation.__name__} is not named {leaf['name']}")
        elif leaf["enum"]:
            if get_origin(annotation) is not Literal:
                problems.append(f"{label}: {annotation} is not a Literal")
        elif annotation is not SCALAR_TYPES[leaf["kind"]]:
            problems.append(f"{label}: {annotation} is not {SCALAR_TYPES[leaf['kind']].__name__}")
    for node, current in _structures(tree, model):
        for alias in _fields_by_alias(current).keys() - node["members"].keys():
            problems.append(
                f"{current.__name__}.{alias}: not a member of botocore's {node['name']}"
            )
    return problems


def _structures(tree, model):
    pairs = {(tree["name"], model): (tree, model)}
    for _, _, field, leaf, annotation in matched_members(tree, model):
        if field is not None and leaf["kind"] == "structure" and _is_model(annotation):
            pairs[(leaf["name"], annotation)] = (leaf, annotation)
    return list(pairs.values())


def enum_pairs(tree, model):
    """(label, botocore values, Literal values) for every enum member the models have."""
    return [
        (label, leaf["enum"], list(get_args(annotation)))
        for label, _, field, leaf, annotation in matched_members(tree, model)
        if field is not None and leaf.get("enum") and annotation is not None
    ]


def _unwrap(node):
    while node["kind"] in ("list", "map"):
        node = node["member"] if node["kind"] == "list" else node["value"]
    return node


def _structure_nodes(tree):
    """Every distinct structure of the botocore tree, by name."""
    found, stack = {}, [tree]
    while stack:
        node = _unwrap(stack.pop())
        if node["kind"] == "structure" and node["name"] not in found:
            found[node["name"]] = node
            stack.extend(node["members"].values())
    return found


def _subtree(tree, *path):
    node = tree
    for step in path:
        node = _unwrap(node["members"][step])
    return node


def test_models_cover_every_botocore_member(tree):
    problems = model_problems(tree, TaskDefinitionSpec)
    assert problems == [], "\n".join(problems)
    reached = {node["name"] for node, _ in _structures(tree, TaskDefinitionSpec)}
    assert reached == _structure_nodes(tree).keys()


class _TagWithoutValue(AwsModel):
    """A Tag missing its value."""

    key: str | None = None
    """The key."""


class _TagWithExtra(AwsModel):
    """A Tag with a field botocore lacks."""

    key: str | None = None
    """The key."""

    value: str | None = None
    """The value."""

    propagate: bool | None = None
    """Not an ECS member."""


class _TagWithIntValue(AwsModel):
    """A Tag whose value has the wrong type."""

    key: str | None = None
    """The key."""

    value: int | None = None
    """The value."""


def _with_extra_container_member(tree):
    container = _subtree(tree, "containerDefinitions")
    container["members"]["imageTag"] = {"kind": "string", "name": "String", "enum": None}
    return tree, TaskDefinitionSpec


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(
            _with_extra_container_member,
            ["ContainerDefinition.imageTag: missing from the models"],
            id="botocore-member-missing",
        ),
        pytest.param(
            lambda tree: (_subtree(tree, "tags"), _TagWithoutValue),
            ["Tag.value: missing from the models"],
            id="model-lacks-member",
        ),
        pytest.param(
            lambda tree: (_subtree(tree, "tags"), _TagWithExtra),
            ["_TagWithExtra.propagate: not a member of botocore's Tag"],
            id="model-has-extra-field",
        ),
        pytest.param(
            lambda tree: (_subtree(tree, "tags"), _TagWithIntValue),
            ["Tag.value: <class 'int'> is not str"],
            id="model-has-wrong-type",
        ),
    ],
)
def test_coverage_walker_reports_differences(tree, make, expected):
    assert model_problems(*make(tree)) == expected


def test_enum_literals_match_botocore(tree):
    pairs = enum_pairs(tree, TaskDefinitionSpec)
    enum_members = [
        name
        for node in _structure_nodes(tree).values()
        for name, member in node["members"].items()
        if _unwrap(member).get("enum")
    ]
    assert len(pairs) == len(enum_members) >= 20
    mismatches = [f"{label}: botocore {b}, model {m}" for label, b, m in pairs if b != m]
    assert mismatches == [], "\n".join(mismatches)


def test_enum_check_detects_a_new_botocore_value(tree):
    _subtree(tree, "runtimePlatform")["members"]["cpuArchitecture"]["enum"].append("RISCV64")
    pairs = enum_pairs(tree, TaskDefinitionSpec)
    assert [label for label, b, m in pairs if b != m] == ["RuntimePlatform.cpuArchitecture"]


def _minimal(**changes):
    spec = {"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx:1.27"}]}
    spec.update(changes)
    return spec


def _container(**changes):
    return _minimal(containerDefinitions=[{"name": "app", "image": "nginx:1.27", **changes}])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            _container(imageTag="1.27"),
            [(("containerDefinitions", 0, "imageTag"), "extra_forbidden")],
            id="unknown-container-key",
        ),
        pytest.param(
            _container(cpu="256"),
            [(("containerDefinitions", 0, "cpu"), "int_type")],
            id="container-cpu-string",
        ),
        pytest.param(
            _container(memory=True),
            [(("containerDefinitions", 0, "memory"), "int_type")],
            id="container-memory-bool",
        ),
        pytest.param(
            _container(essential="true"),
            [(("containerDefinitions", 0, "essential"), "bool_type")],
            id="container-essential-string",
        ),
        pytest.param(
            _container(environment=[{"name": "DB", "valueFrom": "arn:aws:ssm:::parameter/db"}]),
            [(("containerDefinitions", 0, "environment", 0, "valueFrom"), "extra_forbidden")],
            id="environment-value-from",
        ),
        pytest.param(
            _minimal(tags={"env": "prod"}),
            [(("tags",), "list_type")],
            id="tags-as-map",
        ),
        pytest.param(
            _minimal(tags=[{"key": "", "value": "prod"}]),
            [(("tags", 0, "key"), "string_too_short")],
            id="tag-key-empty",
        ),
        pytest.param(
            _minimal(tags=[{"key": f"k{i}", "value": "v"} for i in range(51)]),
            [(("tags",), "too_long")],
            id="too-many-tags",
        ),
        pytest.param(
            {"containerDefinitions": [{"name": "app", "image": "nginx:1.27"}]},
            [(("family",), "missing")],
            id="missing-family",
        ),
        pytest.param(
            {"family": "web"},
            [(("containerDefinitions",), "missing")],
            id="missing-container-definitions",
        ),
        pytest.param(
            _minimal(networkMode="default"),
            [(("networkMode",), "literal_error")],
            id="bad-network-mode",
        ),
        pytest.param(
            _minimal(cpu=256),
            [(("cpu",), "string_type")],
            id="task-cpu-int",
        ),
        pytest.param(
            _minimal(ephemeralStorage={"sizeInGib": 30}),
            [
                (("ephemeralStorage", "sizeInGiB"), "missing"),
                (("ephemeralStorage", "sizeInGib"), "extra_forbidden"),
            ],
            id="size-in-gib-misspelt",
        ),
    ],
)
def test_validation_errors(data, expected):
    with pytest.raises(ValidationError) as exc:
        TaskDefinitionSpec.model_validate(data)
    assert [(e["loc"], e["type"]) for e in exc.value.errors()] == expected


def _reachable_models(model):
    found, stack = {}, [model]
    while stack:
        current = stack.pop()
        if current.__name__ in found:
            continue
        found[current.__name__] = current
        for field in current.model_fields.values():
            stack.extend(_models_in(field.annotation))
    return found


def _models_in(annotation):
    if _is_model(annotation):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def test_every_model_and_field_is_documented():
    models = _reachable_models(TaskDefinitionSpec)
    assert len(models) == len(_structures(_botocore_tree(), TaskDefinitionSpec))
    undocumented = [
        name for name, model in models.items() if not (model.__dict__.get("__doc__") or "").strip()
    ]
    undocumented += [
        f"{name}.{field_name}"
        for name, model in models.items()
        for field_name, field in model.model_fields.items()
        if not (field.description or "").strip()
    ]
    assert undocumented == []


FARGATE_TASK = {
    "family": "shop-api",
    "taskRoleArn": "arn:aws:iam::123456789012:role/shop-api-task",
    "executionRoleArn": "arn:aws:iam::123456789012:role/shop-api-execution",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "1024",
    "memory": "2048",
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "ephemeralStorage": {"sizeInGiB": 30},
    "containerDefinitions": [
        {
            "name": "api",
            "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:1.4.2",
            "essential": True,
            "cpu": 768,
            "memoryReservation": 1536,
            "portMappings": [
                {"containerPort": 8080, "protocol": "tcp", "name": "http", "appProtocol": "http"}
            ],
            "environment": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "PORT", "value": "8080"},
            ],
            "secrets": [
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
                },
                {
                    "name": "API_KEY",
                    "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/api-key",
                },
            ],
            "healthCheck": {
                "command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": 60,
            },
            "linuxParameters": {
                "initProcessEnabled": True,
                "capabilities": {"add": ["SYS_PTRACE"], "drop": ["ALL"]},
            },
            "mountPoints": [
                {"sourceVolume": "uploads", "containerPath": "/srv/uploads", "readOnly": False}
            ],
            "dependsOn": [{"containerName": "log-router", "condition": "START"}],
            "logConfiguration": {
                "logDriver": "awsfirelens",
                "options": {"Name": "cloudwatch_logs"},
            },
            "dockerLabels": {"team": "shop"},
            "stopTimeout": 60,
        },
        {
            "name": "log-router",
            "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            "essential": False,
            "memoryReservation": 64,
            "firelensConfiguration": {
                "type": "fluentbit",
                "options": {"enable-ecs-log-metadata": "true"},
            },
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/shop-api",
                    "awslogs-region": "eu-west-1",
                    "awslogs-stream-prefix": "fb",
                },
            },
        },
    ],
    "volumes": [
        {
            "name": "uploads",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-0123456789abcdef0",
                "transitEncryption": "ENABLED",
                "authorizationConfig": {
                    "accessPointId": "fsap-0123456789abcdef0",
                    "iam": "ENABLED",
                },
            },
        }
    ],
    "tags": [{"key": "team", "value": "shop"}, {"key": "env", "value": "prod"}],
}


def test_round_trip_of_aws_shape():
    spec = TaskDefinitionSpec.model_validate(FARGATE_TASK)
    assert spec.model_dump(mode="json", exclude_none=True) == FARGATE_TASK
    assert spec.container_definitions[0].health_check.start_period == 60
    assert spec.ephemeral_storage.size_in_gib == 30
    assert TaskDefinitionSpec.model_validate_json(spec.model_dump_json(exclude_none=True)) == spec


def test_snake_case_construction():
    spec = TaskDefinitionSpec(
        family="web",
        network_mode="awsvpc",
        container_definitions=[
            ContainerDefinition(
                name="app",
                image="nginx:1.27",
                memory_reservation=128,
                port_mappings=[PortMapping(container_port=80)],
            )
        ],
        ephemeral_storage=EphemeralStorage(size_in_gib=25),
        tags=[Tag(key="env", value="dev")],
    )
    expected = {
        "family": "web",
        "networkMode": "awsvpc",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27",
                "memoryReservation": 128,
                "portMappings": [{"containerPort": 80}],
            }
        ],
        "ephemeralStorage": {"sizeInGiB": 25},
        "tags": [{"key": "env", "value": "dev"}],
    }
    assert spec.model_dump(mode="json", exclude_none=True) == expected
    by_name = {"family": "web", "container_definitions": [{"name": "app"}]}
    assert TaskDefinitionSpec.model_validate(by_name).container_definitions[0].name == "app"
    with pytest.raises(ValidationError):
        spec.family = "other"
