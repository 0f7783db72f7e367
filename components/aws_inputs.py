"""RegisterTaskDefinition document ↔ ``aws.ecs.TaskDefinition`` inputs.

pulumi-aws names a few things differently from the ECS API (``host.sourcePath`` is
``hostPath``, ``configuredAtLaunch`` is ``configureAtLaunch``, ``sizeInGiB`` is
``sizeInGib``; tags and proxy properties are maps, not lists). :func:`resource_args` maps
a canonical document onto the resource's keyword arguments; :func:`document_from_inputs`
maps the inputs a program registered back to the API document, which is how
``render --stack`` shows exactly what ``pulumi up`` sends.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import SpecError
from .render import Document

_SCALARS = {
    "family": "family",
    "cpu": "cpu",
    "memory": "memory",
    "networkMode": "network_mode",
    "pidMode": "pid_mode",
    "ipcMode": "ipc_mode",
    "taskRoleArn": "task_role_arn",
    "executionRoleArn": "execution_role_arn",
    "requiresCompatibilities": "requires_compatibilities",
    "enableFaultInjection": "enable_fault_injection",
}
"""Top-level fields that pulumi-aws takes unchanged."""

_STRUCTURED = ("containerDefinitions", "volumes", "placementConstraints", "proxyConfiguration", "runtimePlatform", "ephemeralStorage", "tags")
"""Top-level fields that :func:`resource_args` maps to a differently shaped input."""
_VOLUME_CONFIGURATIONS = ("dockerVolumeConfiguration", "efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration")
_VOLUME_FIELDS = ("name", "host", "configuredAtLaunch", *_VOLUME_CONFIGURATIONS)


def _unsupported_fields(document: Document) -> list[str]:
    """Fields the ECS API takes but pulumi-aws's TaskDefinition cannot express (e.g. ``inferenceAccelerators``)."""
    fields = [field for field in document if field not in _SCALARS and field not in _STRUCTURED]
    fields += [
        f"volumes[{volume.get('name', index)}].{field}"
        for index, volume in enumerate(document.get("volumes", []))
        for field in volume
        if field not in _VOLUME_FIELDS
    ]
    return [f"{field}: pulumi-aws's aws.ecs.TaskDefinition has no input for it; remove it from the spec" for field in fields]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _snake_keys(value: dict[str, Any], maps: tuple[str, ...] = ()) -> dict[str, Any]:
    """Structure keys to snake_case; the values of ``maps`` fields are user maps and stay as they are."""
    return {
        _snake(key): item if key in maps or not isinstance(item, dict) else _snake_keys(item, maps)
        for key, item in value.items()
    }


def _volume_args(volume: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {"name": volume["name"]}
    if "host" in volume and "sourcePath" in volume["host"]:
        args["host_path"] = volume["host"]["sourcePath"]
    if "configuredAtLaunch" in volume:
        args["configure_at_launch"] = volume["configuredAtLaunch"]
    for key in _VOLUME_CONFIGURATIONS:
        if key in volume:
            args[_snake(key)] = _snake_keys(volume[key], maps=("driverOpts", "labels"))
    return args


def resource_args(document: Document) -> dict[str, Any]:
    """Keyword arguments for ``aws.ecs.TaskDefinition`` that register ``document``."""
    problems = _unsupported_fields(document)
    if problems:
        raise SpecError(problems)
    args: dict[str, Any] = {
        "container_definitions": json.dumps(document["containerDefinitions"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
    }
    args.update({arg: document[field] for field, arg in _SCALARS.items() if field in document})
    if "volumes" in document:
        args["volumes"] = [_volume_args(volume) for volume in document["volumes"]]
    if "placementConstraints" in document:
        args["placement_constraints"] = [dict(constraint) for constraint in document["placementConstraints"]]
    if "proxyConfiguration" in document:
        proxy = document["proxyConfiguration"]
        args["proxy_configuration"] = {
            "container_name": proxy["containerName"],
            "type": proxy.get("type"),
            "properties": {p["name"]: p["value"] for p in proxy.get("properties", [])} or None,
        }
    if "runtimePlatform" in document:
        args["runtime_platform"] = _snake_keys(document["runtimePlatform"])
    if "ephemeralStorage" in document:
        args["ephemeral_storage"] = {"size_in_gib": document["ephemeralStorage"]["sizeInGiB"]}
    if "tags" in document:
        args["tags"] = {tag["key"]: tag["value"] for tag in document["tags"]}
    return {key: value for key, value in args.items() if value is not None}


def _volume_document(volume: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {"name": volume["name"]}
    if "hostPath" in volume:
        document["host"] = {"sourcePath": volume["hostPath"]}
    if "configureAtLaunch" in volume:
        document["configuredAtLaunch"] = volume["configureAtLaunch"]
    for key in _VOLUME_CONFIGURATIONS:
        if key in volume:
            document[key] = volume[key]
    return document


def _integers(value: Any) -> Any:
    """The mock runtime hands numbers back as floats; the API document wants integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integers(item) for item in value]
    return value


def document_from_inputs(inputs: dict[str, Any]) -> Document:
    """The RegisterTaskDefinition document that a registered ``aws.ecs.TaskDefinition`` sends."""
    inputs = _integers(inputs)
    document: Document = {"family": inputs["family"], "containerDefinitions": json.loads(inputs["containerDefinitions"])}
    for field in _SCALARS:
        if field in inputs and field != "family":
            document[field] = inputs[field]
    if "volumes" in inputs:
        document["volumes"] = [_volume_document(volume) for volume in inputs["volumes"]]
    if "placementConstraints" in inputs:
        document["placementConstraints"] = inputs["placementConstraints"]
    if "proxyConfiguration" in inputs:
        proxy = inputs["proxyConfiguration"]
        document["proxyConfiguration"] = {
            key: value
            for key, value in {
                "type": proxy.get("type"),
                "containerName": proxy["containerName"],
                "properties": [{"name": k, "value": v} for k, v in sorted(proxy.get("properties", {}).items())] or None,
            }.items()
            if value is not None
        }
    if "runtimePlatform" in inputs:
        document["runtimePlatform"] = inputs["runtimePlatform"]
    if "ephemeralStorage" in inputs:
        document["ephemeralStorage"] = {"sizeInGiB": inputs["ephemeralStorage"]["sizeInGib"]}
    if "tags" in inputs:
        document["tags"] = [{"key": key, "value": value} for key, value in sorted(inputs["tags"].items())]
    return document
