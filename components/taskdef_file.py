"""Load an existing task-definition file (JSON or YAML) as a spec.

Accepted shapes: the RegisterTaskDefinition input (what ``aws ecs register-task-definition
--cli-input-json`` takes), and ``aws ecs describe-task-definition`` output, either wrapped
(``{"taskDefinition": {...}, "tags": [...]}``) or not. Describe-only, read-only fields are
dropped and explicit ``null`` values count as absent; everything else must be a field AWS
accepts, with the type AWS expects, or the file is refused with the field's path.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import botocore.session
from pydantic import ValidationError

from .errors import SpecFileError
from .input_files import load_json, read_text, yaml_data, yaml_node
from .spec import ContainerDefinition, TaskDefinitionSpec


@functools.cache
def read_only_fields() -> frozenset[str]:
    """Fields that describe-task-definition returns but RegisterTaskDefinition does not take.

    Derived from botocore's ECS model (``TaskDefinition`` members that ``RegisterTaskDefinitionRequest``
    lacks: ``taskDefinitionArn``, ``revision``, ``status``, ``deleteRequestedAt``, …), so a field AWS
    adds to describe output is dropped without a release of ours.
    """
    model = botocore.session.get_session().get_service_model("ecs")
    described = set(model.shape_for("TaskDefinition").members)
    registered = set(model.operation_model("RegisterTaskDefinition").input_shape.members)
    return frozenset(described - registered)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value if item is not None]
    return value


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('containerDefinitions', 0, 'linuxParameters', 'privileged')`` → ``containerDefinitions[0].linuxParameters.privileged``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


_CONTAINER_FIELDS = {info.alias or name for name, info in ContainerDefinition.model_fields.items()}


def _unknown_field_fix(loc: tuple[int | str, ...]) -> str:
    """The fix for a field AWS does not take where it stands: usually a field put one level too deep."""
    field, parent = loc[-1], [p for p in loc[:-1] if isinstance(p, str)][-1:]
    if parent == ["environment"] and field == "valueFrom":
        return "environment entries take name and value only; move the entry to secrets"
    if parent == ["volumes"] and field == "readOnly":
        return "readOnly belongs on a container's mountPoints entry for this volume; move it there"
    if "containerDefinitions" in loc[:-2] and field in _CONTAINER_FIELDS:
        return f"{field} is a container field; move it up into the container definition"
    return "remove or rename it"


def validation_problems(error: ValidationError) -> list[str]:
    """One message per pydantic error: the field path, what is wrong, the value, and the fix."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
        path = field_path(loc)
        value = json.dumps(item.get("input"), default=str, ensure_ascii=False)
        if len(value) > 60:
            value = value[:57] + "..."
        if item["type"] == "extra_forbidden":
            problems.append(f"{path}: unknown field (value {value}); AWS rejects it: {_unknown_field_fix(loc)}")
        elif loc == ("tags",) and isinstance(item.get("input"), dict):
            first = next(iter(item["input"].items()), ("Name", "value"))
            problems.append(
                f'tags: written as a map {value}; AWS takes a list of {{"key", "value"}} objects: '
                f'write [{{"key": "{first[0]}", "value": "{first[1]}"}}, …]'
            )
        elif item["type"] == "missing":
            problems.append(f"{path}: required field is missing; add it")
        else:
            problems.append(f"{path}: {item['msg'].rstrip('.')}, got {value}; fix the value")
    return problems


def parse_text(text: str, source: str) -> dict[str, Any]:
    """Parse JSON or YAML text into a mapping; ``source`` names it in errors.

    Read strictly (:mod:`components.input_files`): a key given twice, an alias bomb or absurd nesting is refused.
    """
    try:
        data = load_json(text, source, SpecFileError)
    except ValueError:
        node = yaml_node(text, source, SpecFileError, "JSON or YAML", "give a task-definition file in JSON or YAML")
        data = yaml_data(node, source, SpecFileError)
    if not isinstance(data, dict):
        raise SpecFileError(
            f"{source}: expected a task-definition object (JSON or YAML mapping), got {type(data).__name__}; "
            "give a RegisterTaskDefinition input or describe-task-definition output"
        )
    return data


def document_from_data(data: dict[str, Any]) -> dict[str, Any]:
    """Unwrap describe output, drop read-only fields and nulls: the RegisterTaskDefinition input."""
    if isinstance(data.get("taskDefinition"), dict):
        wrapper_tags = data.get("tags")
        data = dict(data["taskDefinition"])
        if wrapper_tags and not data.get("tags"):
            data["tags"] = wrapper_tags
    return _without_nulls({key: value for key, value in data.items() if key not in read_only_fields()})


def spec_from_data(data: dict[str, Any], source: str) -> TaskDefinitionSpec:
    """Validate a parsed file as a :class:`TaskDefinitionSpec`, naming every bad field."""
    try:
        return TaskDefinitionSpec.model_validate(document_from_data(data))
    except ValidationError as error:
        first, *rest = validation_problems(error)
        raise SpecFileError([f"{source}: {first}", *rest]) from None


def load_spec(path: str | Path) -> TaskDefinitionSpec:
    """Read, parse and validate a task-definition file."""
    text = read_text(Path(path), str(path), SpecFileError, "give the path of a task-definition file")
    return spec_from_data(parse_text(text, str(path)), str(path))


def spec_from_value(value: Any, source: str = "task_definition") -> TaskDefinitionSpec:
    """A spec from what a caller passes: a :class:`TaskDefinitionSpec`, a mapping in the AWS JSON shape
    (register input or describe output, camelCase), or the path of a JSON/YAML file. ``source``
    names it in errors (:class:`~components.errors.SpecFileError`)."""
    if isinstance(value, TaskDefinitionSpec):
        return value
    if isinstance(value, (str, Path)):
        return load_spec(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return spec_from_data(dict(value), source)
    raise SpecFileError(
        f"{source}: expected a TaskDefinitionSpec, a task-definition mapping or a file path, got {type(value).__name__}; "
        "pass one of those"
    )
