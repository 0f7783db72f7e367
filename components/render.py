"""Spec + image versions → the canonical RegisterTaskDefinition document.

The document is what we send to AWS and also, as far as possible, what AWS echoes back,
so a ``pulumi up`` with unchanged config finds nothing to change. Each rule, with its reason:

1. **No null or empty values.** ``null``, ``""``, ``[]`` and ``{}`` are dropped at every
   level. AWS omits them when it describes a task definition, and providers then see ``[]``
   vs absent as a change (pulumi-aws #1985, terraform-provider-aws #11526). A ``""`` that is
   a value is kept: an environment variable's ``value`` and every entry of a string map
   (``dockerLabels``, log and FireLens ``options``, ``driverOpts``, ``labels``), which AWS
   stores as given.
2. **Containers sorted by name; ``environment`` and ``secrets`` sorted by name.** ECS does
   not keep their order, so an unsorted list diffs on every refresh (terraform-provider-aws
   #39533). Volumes, placement constraints, ``requiresCompatibilities`` and tags are sorted
   too: the provider stores them as sets, and App Mesh proxy properties as a map.
3. **Task ``cpu`` and ``memory`` as integer strings** (``"1 vCPU"`` → ``"1024"``,
   ``"2 GB"`` → ``"2048"``): AWS accepts both forms but echoes only integers
   (pulumi-aws #4576).
4. **Explicit defaults AWS fills in:** ``essential: true`` on every container that does not
   say otherwise, ``protocol: "tcp"`` on every port mapping, and, in ``awsvpc`` and ``host``
   network modes, ``hostPort`` equal to ``containerPort``. AWS adds these on registration;
   leaving them out makes the next diff show them as changes.
5. **Only the image changes with a tag.** The tag or digest replaces the version part of
   the spec's image reference and nothing else, so two renders with different tags differ
   only in ``image``.
6. **Deterministic bytes:** :func:`to_json` sorts keys and fixes separators, so the same
   input always yields the same string (the ``containerDefinitions`` input of the resource).
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any, Mapping

from pydantic import BaseModel

from .consistency import spec_problems
from .errors import SpecError, TagError
from .images import ImageReference, version_problem
from .spec import TaskDefinitionSpec
from .task_size import cpu_units, memory_mib

Document = dict[str, Any]
_SORTED_BY_NAME = ("environment", "secrets")
_PORT_EQUALS_HOST_MODES = ("awsvpc", "host")


def _string_map_fields(model: type[BaseModel], seen: set[type] | None = None) -> frozenset[str]:
    """Aliases of every ``dict[str, str]`` field reachable from ``model``: the string maps."""
    seen = set() if seen is None else seen
    seen.add(model)
    found: set[str] = set()
    for name, info in model.model_fields.items():
        pending = [info.annotation]
        while pending:
            annotation = pending.pop()
            origin = typing.get_origin(annotation)
            if origin is dict:
                found.add(info.alias or name)
            elif origin in (list, typing.Union, types.UnionType, typing.Annotated):
                pending.extend(typing.get_args(annotation))
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
                found |= _string_map_fields(annotation, seen)
    return frozenset(found)


STRING_MAP_FIELDS = _string_map_fields(TaskDefinitionSpec)
"""Fields whose values are string maps; an entry's ``""`` is a value, kept (rule 1)."""


def _prune(value: Any, keep_empty_value: bool = False) -> Any:
    """Drop null and empty values (rule 1); returns ``None`` when ``value`` itself is empty."""
    if isinstance(value, dict):
        is_key_value_pair = set(value) <= {"name", "value"} and "name" in value
        pruned = {}
        for key, item in value.items():
            if is_key_value_pair and key == "value" and item == "":
                pruned[key] = item
                continue
            if key in STRING_MAP_FIELDS and isinstance(item, dict):
                if item:
                    pruned[key] = dict(item)
                continue
            item = _prune(item)
            if item is not None:
                pruned[key] = item
        return pruned or None
    if isinstance(value, list):
        items = [_prune(item, keep_empty_value=True) for item in value]
        items = [item for item in items if item is not None]
        return items or None
    if value == "" and not keep_empty_value:
        return None
    return value


def _canonical_container(container: Document, network_mode: str | None) -> Document:
    container.setdefault("essential", True)
    for field in _SORTED_BY_NAME:
        if field in container:
            container[field] = sorted(container[field], key=lambda entry: entry.get("name", ""))
    for mapping in container.get("portMappings", []):
        mapping.setdefault("protocol", "tcp")
        if network_mode in _PORT_EQUALS_HOST_MODES and "containerPort" in mapping:
            mapping.setdefault("hostPort", mapping["containerPort"])
    return container


def apply_versions(containers: list[Document], versions: Mapping[str, str]) -> None:
    """Replace the tag or digest of each named container's image (rule 5), validating each value."""
    by_name = {container.get("name"): container for container in containers}
    problems = []
    for name, version in versions.items():
        if name not in by_name:
            problems.append(
                f'image version for container "{name}": the task definition has no such container; '
                f'use one of: {", ".join(sorted(n for n in by_name if n))}'
            )
            continue
        problem = version_problem(version)
        if problem:
            problems.append(f'image version for container "{name}" {problem}')
            continue
        image = by_name[name].get("image") or ""
        reference = ImageReference.parse(image)
        if not reference.is_valid_repository:
            problems.append(
                f'containerDefinitions[{name}].image: "{image}" is not an image repository to tag; '
                "set the repository (for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app) in the spec"
            )
            continue
        by_name[name]["image"] = str(reference.with_version(version))
    if problems:
        raise TagError(problems)


def render_document(spec: TaskDefinitionSpec, versions: Mapping[str, str] | None = None) -> Document:
    """The canonical RegisterTaskDefinition document for ``spec`` with ``versions`` applied.

    ``versions`` maps container names to a tag or a ``sha256:`` digest; containers it does
    not name keep the image the spec gives them.
    """
    problems = spec_problems(spec)
    document: Document = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    try:
        apply_versions(document.get("containerDefinitions", []), versions or {})
    except TagError as error:  # reported with the spec's problems: every problem at once
        if not problems:
            raise
        problems += error.problems
    if problems:
        raise SpecError(problems)
    document = _prune(document) or {}
    network_mode = document.get("networkMode")

    for field, parse, unit in (("cpu", cpu_units, "CPU units"), ("memory", memory_mib, "MiB")):
        if field in document:
            amount = parse(document[field])
            if amount is None:
                raise SpecError(f'{field}: "{document[field]}" is not a number of {unit}')
            document[field] = str(amount)

    document["containerDefinitions"] = sorted(
        (_canonical_container(c, network_mode) for c in document.get("containerDefinitions", [])),
        key=lambda container: container.get("name", ""),
    )
    if "volumes" in document:
        document["volumes"] = sorted(document["volumes"], key=lambda volume: volume.get("name", ""))
    if "placementConstraints" in document:
        document["placementConstraints"] = sorted(document["placementConstraints"], key=to_json)
    if "properties" in document.get("proxyConfiguration", {}):
        document["proxyConfiguration"]["properties"] = sorted(
            document["proxyConfiguration"]["properties"], key=lambda entry: entry.get("name", "")
        )
    if "requiresCompatibilities" in document:
        document["requiresCompatibilities"] = sorted(set(document["requiresCompatibilities"]))
    if "tags" in document:
        document["tags"] = sorted(document["tags"], key=lambda tag: tag.get("key", ""))
    return document


def container_images(document: Document) -> dict[str, str]:
    """Container name → image of a rendered document."""
    return {c["name"]: c.get("image", "") for c in document.get("containerDefinitions", [])}


def to_json(value: Any, indent: int | None = None) -> str:
    """Deterministic JSON (rule 6): sorted keys; compact unless ``indent`` is given."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, sort_keys=True, separators=separators, indent=indent, ensure_ascii=False)
