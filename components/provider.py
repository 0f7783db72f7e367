"""The component package: :class:`TaggedService` and :class:`TaggedTaskDefinition` for every Pulumi language.

A Pulumi program in TypeScript, Go, C#, Java or YAML adds this repository's ``provider/`` directory
with ``pulumi package add`` (its ``PulumiPlugin.yaml`` says ``runtime: python``); Pulumi runs
``provider/__main__.py``, which calls :func:`serve`, asks the provider for its schema and generates
an SDK from it (https://www.pulumi.com/docs/iac/guides/building-extending/packages/source-based-plugin/).

The schema is the one the SDK's ``ComponentProvider`` infers from the components' annotated ``args``
(``TypedDict`` s, the settings as their mirrors in :mod:`components.args`) and outputs, with two
additions: descriptions read as Markdown (the SDK keeps docstrings' source indentation and reST
roles), and each language's package name fixed (``language``), so a program's import line does not
depend on where the package was added from (``pulumi package add`` sets a Git host's owner as the
namespace otherwise). ``provider/schema.json`` is a copy that a test keeps equal to it; regenerate
both with ``python -m components.regenerate``.

:class:`EcsReleaseProvider` adds to the SDK's construct path what the engine's wire format needs:
numbers arrive as floats (protobuf ``Struct``), so whole numbers of integer properties, and every
whole number of the task-definition document (RegisterTaskDefinition has no fractional field), are
made ``int`` again before the strict models see them; an input the schema lacks, at any depth, is
refused (the SDK would drop it; the models forbid unknown fields); a setting that arrives as another
resource's output (unknown at preview, or secret) is refused by name, as the settings must be known
to be validated; and an :class:`~components.errors.EcsReleaseError` becomes an ``InputPropertiesError``
with its one-line message, never a traceback.
"""

import inspect
import json
import re
import sys
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any, Optional

from pulumi import Output
from pulumi.errors import InputPropertiesError, InputPropertyError
from pulumi.provider import main as serve_provider
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError

from .errors import EcsReleaseError
from .service import TaggedService
from .task_definition import TaggedTaskDefinition

PACKAGE = "ecs-release"
"""The package name: the first part of every type token (``ecs-release:index:TaggedService``)."""
COMPONENTS = (TaggedService, TaggedTaskDefinition)
LANGUAGE = {
    "python": {"packageName": "pulumi_ecs_release"},
    "nodejs": {"packageName": "@ecs-release/sdk"},
    "go": {"importBasePath": "example.com/ecs-release/sdk/go/ecsrelease"},
}
"""Each generated SDK's package (Python import name, npm name, Go import path), merged into the schema's ``language``."""
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "provider" / "schema.json"
"""The committed copy of the schema, in a checkout of this repository."""
_ANY = "pulumi.json#/Any"
_ROLE = re.compile(r":[\w:]+:`(~?)([^`]*)`")


def _markdown(text: str) -> str:
    """A docstring as a schema description: dedented, reST roles and ````literals```` as Markdown code."""
    text = _ROLE.sub(lambda match: f"`{match[2].rsplit('.', 1)[-1] if match[1] else match[2]}`", inspect.cleandoc(text))
    return text.replace("``", "`")


def _tidy(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _markdown(value) if key == "description" and isinstance(value, str) else _tidy(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_tidy(value) for value in node]
    return node


def _whole_numbers(value: Any) -> Any:
    """``value`` with every float that is a whole number an ``int``, at any depth."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _numbers(value: Any, prop: PropertyDefinition) -> Any:
    """``value`` of property ``prop`` with its integers as ``int`` (the wire carries every number as a float)."""
    if prop.ref == _ANY:
        return _whole_numbers(value)
    if prop.type == PropertyType.INTEGER and isinstance(value, float) and value.is_integer():
        return int(value)
    if prop.items is not None and isinstance(value, list):
        return [_numbers(item, prop.items) for item in value]
    if prop.additional_properties is not None and isinstance(value, dict):
        return {key: _numbers(item, prop.additional_properties) for key, item in value.items()}
    return value


def _has_output(value: Any) -> bool:
    if isinstance(value, Output):
        return True
    if isinstance(value, dict):
        return any(_has_output(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_output(item) for item in value)
    return False


class EcsReleaseProvider(ComponentProvider):
    """The SDK's ``ComponentProvider`` for :data:`COMPONENTS`, with the schema and construct additions above."""

    def __init__(self, version: Optional[str] = None) -> None:
        super().__init__(list(COMPONENTS), PACKAGE, None, version or installed_version("ecs-release"))
        schema = _tidy(json.loads(self.schema or "{}"))
        for language, settings in LANGUAGE.items():
            schema.setdefault("language", {}).setdefault(language, {}).update(settings)
        self.schema = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"

    def map_input_properties(
        self, inputs: Any, properties: dict[str, PropertyDefinition], mapping: dict[str, str], component_name: str, property_path: str
    ) -> Any:
        def where(name: str) -> str:
            return f"{property_path}.{name}" if property_path else name

        unknown = [] if property_path else self._unknown_inputs(inputs, properties, "")
        if unknown:  # the SDK would drop them silently; the models forbid unknown fields
            reasons = [(path, f"unknown input; use one of: {known}") for path, known in unknown]
            raise InputPropertiesError(
                f"{component_name}: " + "; ".join(f"{path}: {reason}" for path, reason in reasons),
                [{"property_path": path, "reason": reason} for path, reason in reasons],
            )
        for schema_name, prop in properties.items():
            value = inputs.get(schema_name) if isinstance(inputs, dict) else None
            if prop.plain and _has_output(value):
                raise InputPropertyError(
                    where(schema_name),
                    f"{component_name}.{where(schema_name)} must be known when the program runs (a literal or stack config), "
                    "not another resource's output or a secret; pass a plain value",
                )
        mapped = super().map_input_properties(inputs, properties, mapping, component_name, property_path)
        for schema_name, prop in properties.items():
            name = mapping[schema_name]
            if name in mapped and prop.ref in (None, _ANY):
                mapped[name] = _numbers(mapped[name], prop)
        return mapped

    def _unknown_inputs(self, inputs: Any, properties: dict[str, PropertyDefinition], path: str) -> list[tuple[str, str]]:
        """``(path, known names)`` of every key of ``inputs``, at any depth, that its type does not have."""
        if not isinstance(inputs, dict):
            return []
        known = ", ".join(properties)
        found = [(f"{path}{name}", known) for name in inputs if name not in properties]
        for name, prop in properties.items():
            value, item = inputs.get(name), prop.items or prop.additional_properties
            if prop.ref and (definition := self.get_type_definition(prop)) is not None and not definition.enum:
                found += self._unknown_inputs(value, definition.properties, f"{path}{name}.")
            elif item is not None and item.ref and (definition := self.get_type_definition(item)) is not None and not definition.enum:
                elements = enumerate(value) if isinstance(value, list) else value.items() if isinstance(value, dict) else []
                for key, element in elements:
                    found += self._unknown_inputs(element, definition.properties, f"{path}{name}[{key}].")
        return found

    def construct(self, name: str, resource_type: str, inputs: Any, options: Any = None) -> Any:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if isinstance(error.inner, EcsReleaseError):
                raise InputPropertiesError(f'{resource_type.rsplit(":", 1)[-1]} "{name}": {error.inner}') from None
            raise


def package_schema() -> dict[str, Any]:
    """The package's schema, as the provider serves it."""
    return json.loads(EcsReleaseProvider().schema or "{}")


def write_schema(path: Path = SCHEMA_FILE) -> bool:
    """Write the schema the provider serves to ``path``; whether that changed the file."""
    text = EcsReleaseProvider().schema or ""
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    return True


def serve(args: Optional[list[str]] = None) -> None:
    """Run the provider as the Pulumi engine starts a plugin: ``<engine address> [flags]``; prints its port."""
    serve_provider(EcsReleaseProvider(), sys.argv[1:] if args is None else args)
