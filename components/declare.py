"""Services declared as data: a task definition, image keys, and settings per stack (pure).

An application lists its services once, each a :class:`ServiceDeclaration`; every per-stack
difference is data in it (``defaults`` plus one :class:`StackSettings` per declared stack,
merged), never an if/else over stack names. :meth:`ServiceDeclaration.args` turns a
declaration, a stack and that stack's image tags into the
:class:`~components.service.TaggedServiceArgs` of one :class:`~components.service.TaggedService`;
a stack the declaration does not declare is an error naming the declared ones.

::

    web = ServiceDeclaration(
        name="web",
        task_definition="task-definitions/web.json",      # or a TaskDefinitionSpec, or a callable(stack) -> spec
        image_keys={"migrate": "webTag"},                 # the others default to <container>Tag
        defaults={"service": {"desired_count": 2}},
        stacks={
            "dev": {"task_definition": {"family": "web-dev", "cpu": "256", "memory": "512"}},
            "prod": {"task_definition": {"family": "web-prod"}, "service": {"desired_count": 3}},
        },
    )
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import EcsReleaseError, model_problems
from .images import container_tag_keys
from .spec import TaskDefinitionSpec

TaskDefinitionSource = Union[TaskDefinitionSpec, str, Path, dict, Callable[[str], TaskDefinitionSpec]]
"""A task definition as declared: a spec, a JSON/YAML file path, an AWS JSON mapping, or ``stack → spec``."""


class DeclarationError(EcsReleaseError):
    """An application's service declarations are invalid, or do not declare the stack being deployed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True)


class TaskDefinitionOverrides(_Strict):
    """What a stack changes in the declared task definition, without copying it."""

    family: str | None = None
    """The task-definition family. Default: the declared one."""

    cpu: str | None = None
    """Task CPU (``"256"``, ``"0.5 vCPU"``). Default: the declared one."""

    memory: str | None = None
    """Task memory (``"512"``, ``"1 GB"``). Default: the declared one."""

    environment: dict[str, dict[str, str]] = {}
    """Container name → environment variables to set (added, or replacing the declared value). Default: none."""

    secrets: dict[str, dict[str, str]] = {}
    """Container name → secrets to set, name → ``valueFrom`` (SSM parameter or Secrets Manager ARN). Default: none."""

    log_group: str | None = None
    """``awslogs-group`` of every awslogs container. Default: the declared one, else ``/ecs/<family>``,
    which the stack creates."""

    execution_role_arn: str | None = None
    """An existing execution role instead of the declared one or a created one. Default: the declared one."""

    task_role_arn: str | None = None
    """An existing task role instead of the declared one. Default: the declared one."""


class StackSettings(_Strict):
    """A service's settings in one stack; fields left out take the declaration's ``defaults``."""

    task_definition: TaskDefinitionOverrides = TaskDefinitionOverrides()
    """Changes to the declared task definition. Default: none."""

    service: dict[str, Any] = {}
    """:class:`~components.service_settings.ServiceSettings` fields, merged over the defaults'. Default: none."""

    task: dict[str, Any] = {}
    """:class:`~components.service_settings.TaskDefinitionSettings` fields, merged over the defaults'. Default: none."""

    release: dict[str, Any] = {}
    """:class:`~components.pinning.ReleasePolicy` fields, merged over the defaults'. Default: none."""

    @field_validator("service", "task", "release", mode="before")
    @classmethod
    def _fields_set(cls, value: Any) -> Any:
        """A settings model given here counts by the fields it sets, so it overrides only those."""
        if isinstance(value, BaseModel):
            return value.model_dump(exclude_unset=True)
        return value


class ServiceDeclaration(_Strict):
    """One service of an application, in every stack it is deployed to."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,62}$")
    """Logical name: the component's name and the prefix of its children's names (``web`` → ``web-service``). Required."""

    task_definition: Any
    """The task definition: a :class:`~components.spec.TaskDefinitionSpec`, the path of a JSON/YAML file
    (register input or describe output), an AWS JSON mapping, or a callable taking the stack name and
    returning a spec. Required."""

    image_keys: dict[str, str] = {}
    """Container name → the stack-config key that sets its image tag. Containers left out read
    ``<container>Tag`` in lowerCamelCase (``log_router`` → ``logRouterTag``). Two services may share
    a key (one image for both) or keep separate ones. Default: none, every container its derived key."""

    stacks: dict[str, StackSettings]
    """Stack name → the service's settings there. A stack not listed here cannot deploy the service. Required."""

    defaults: StackSettings = StackSettings()
    """Settings every stack starts from; a stack's own settings are merged over them (mappings key by
    key, lists and values replaced). Default: none."""

    @field_validator("stacks")
    @classmethod
    def _some_stacks(cls, stacks: dict[str, StackSettings]) -> dict[str, StackSettings]:
        if not stacks:
            raise ValueError("declare at least one stack, e.g. stacks={'dev': {}}")
        return stacks

    def spec(self, stack: str) -> TaskDefinitionSpec:
        """The declared task definition with ``stack``'s overrides applied."""
        from .taskdef_file import spec_from_value

        self._settings(stack)
        source = self.task_definition
        spec = source(stack) if callable(source) and not isinstance(source, (TaskDefinitionSpec, str, Path)) else spec_from_value(source, f'service "{self.name}": task_definition')
        overrides = _merged_overrides(self.defaults.task_definition, self.stacks[stack].task_definition)
        return apply_overrides(spec, overrides, f'service "{self.name}", stack "{stack}": ')

    def _settings(self, stack: str) -> StackSettings:
        if stack not in self.stacks:
            raise DeclarationError(
                f'service "{self.name}" declares no settings for stack "{stack}"; declared stacks: '
                f'{", ".join(self.stacks)}; add "{stack}" to its stacks, or deploy one of those'
            )
        return self.stacks[stack]

    def keys(self, spec: TaskDefinitionSpec) -> dict[str, str]:
        """Container name → stack-config key of its image tag."""
        keys = container_tag_keys(c.name for c in spec.container_definitions)
        unknown = sorted(set(self.image_keys) - set(keys))
        if unknown:
            raise DeclarationError(
                f'service "{self.name}": image_keys names {", ".join(unknown)}, not a container of its task definition; '
                f'use one of: {", ".join(sorted(keys))}'
            )
        return {**keys, **self.image_keys}

    def args(self, stack: str, tags: Mapping[str, str], spec: TaskDefinitionSpec | None = None) -> dict[str, Any]:
        """The :class:`~components.service.TaggedServiceArgs` of this service in ``stack``.

        ``tags`` maps stack-config keys to values (``{"webTag": "1.4.2"}``); every key of this
        service must be in it (see :func:`components.program.stack_image_tags`). ``spec``: this
        service's :meth:`spec` in ``stack`` when the caller built it already.
        """
        settings = self._settings(stack)
        spec = spec or self.spec(stack)
        keys = self.keys(spec)
        return {
            "task_definition": spec,
            "image_tags": {container: tags[key] for container, key in keys.items() if key in tags},
            "image_keys": keys,
            "service": _merge(self.defaults.service, settings.service),
            "task": _merge(self.defaults.task, settings.task),
            "release": _merge(self.defaults.release, settings.release),
        }


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: mappings merged key by key, everything else replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _merged_overrides(base: TaskDefinitionOverrides, override: TaskDefinitionOverrides) -> TaskDefinitionOverrides:
    return TaskDefinitionOverrides.model_validate(
        _merge(base.model_dump(exclude_unset=True), override.model_dump(exclude_unset=True))
    )


def apply_overrides(spec: TaskDefinitionSpec, overrides: TaskDefinitionOverrides, where: str = "") -> TaskDefinitionSpec:
    """``spec`` with ``overrides`` applied: one validated copy; a container name it does not have is an error."""
    document = spec.model_dump(by_alias=True, exclude_none=True)
    for field, key in (("family", "family"), ("cpu", "cpu"), ("memory", "memory"),
                       ("execution_role_arn", "executionRoleArn"), ("task_role_arn", "taskRoleArn")):
        value = getattr(overrides, field)
        if value is not None:
            document[key] = value
    containers = {c.get("name"): c for c in document.get("containerDefinitions", [])}
    problems = []
    for field, value_key in (("environment", "value"), ("secrets", "valueFrom")):
        for name, values in getattr(overrides, field).items():
            container = containers.get(name)
            if container is None:
                problems.append(
                    f'{where}task_definition.{field}: "{name}" is not a container of the task definition; '
                    f'use one of: {", ".join(sorted(n for n in containers if n))}'
                )
                continue
            entries = {entry["name"]: entry for entry in container.get(field, [])}
            for variable, value in values.items():
                entries[variable] = {"name": variable, value_key: value}
            container[field] = list(entries.values())
    if overrides.log_group is not None:
        for container in containers.values():
            log = container.get("logConfiguration") or {}
            if log.get("logDriver") == "awslogs":
                log.setdefault("options", {})["awslogs-group"] = overrides.log_group
    if problems:
        raise DeclarationError(problems)
    try:
        return TaskDefinitionSpec.model_validate(document)
    except ValidationError as error:
        raise DeclarationError(model_problems(error, where)) from None


def declaration_problems(declarations: list[Any]) -> list[str]:
    """Problems of the list itself: every item a :class:`ServiceDeclaration`, names unique."""
    problems, seen = [], set()
    for index, declaration in enumerate(declarations):
        if not isinstance(declaration, ServiceDeclaration):
            problems.append(f"services[{index}]: {type(declaration).__name__} is not a ServiceDeclaration; declare it with ServiceDeclaration(...)")
        elif declaration.name in seen:
            problems.append(f'services[{index}].name: "{declaration.name}" is declared twice; give each service its own name')
        else:
            seen.add(declaration.name)
    return problems
