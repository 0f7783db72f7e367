"""Generate :mod:`components.args`: ``TypedDict`` mirrors of the settings models, for the component package's schema.

The Pulumi SDK infers a component package's schema from the type annotations of each component's
``args`` (``pulumi.provider.experimental``). It reads ``TypedDict`` classes and the docstrings under
their fields from source, but not pydantic models (they become opaque objects) nor ``typing.Literal``
(inference fails). So each settings model that a component takes (:class:`ServiceSettings` with its
nested models, :class:`TaskDefinitionSettings`, :class:`ReleasePolicy`) gets a ``TypedDict`` of the
same name, fields and documentation, written by :func:`mirror_source` from the model itself:

- a field with a default is ``NotRequired``; one that accepts ``None`` is ``Optional``;
- one value or a list of such values (IAM's ``Action``) is the list;
- a ``Literal`` is its values' type (``str``) and its documentation gains ``One of: …``;
- ``Annotated`` constraints are dropped (the model still validates them);
- a nested model is its mirror.

The models stay the validators: the components accept a mirror (a plain dict) or a model. After a
change to a model, run ``python -m components.regenerate``; the tests fail until then.
"""

import inspect
import types
from collections import abc
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .errors import EcsReleaseError
from .aws_clients import AwsSettings
from .pinning import ReleasePolicy
from .service_settings import ServiceSettings, TaskDefinitionSettings

MIRRORED: tuple[type[BaseModel], ...] = (ServiceSettings, TaskDefinitionSettings, ReleasePolicy, AwsSettings)
"""The models the components take; the models nested in them are mirrored too."""
ARGS_FILE = Path(__file__).with_name("args.py")
REGENERATE = "python -m components.regenerate"
_HEADER = f'''"""``TypedDict`` mirrors of the settings models: the types of the component package's schema. GENERATED, do not edit.

Written by :mod:`components.mirrors` from {", ".join(f":class:`~{model.__module__}.{model.__name__}`" for model in MIRRORED)}
and the models nested in them; after changing one, run ``{REGENERATE}``. The pydantic models stay the
validators: the components accept a mirror (a plain dict) or a model.
"""

'''


class MirrorError(EcsReleaseError):
    """A settings model has a field the component package's schema cannot express."""


def _literal_values(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Literal:
        return list(get_args(annotation))
    if origin is Annotated:
        return _literal_values(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [value for arg in get_args(annotation) for value in _literal_values(arg)]
    return []


class _Renderer:
    """Type expressions of mirror fields; collects the nested models to mirror and the ``typing`` names used."""

    def __init__(self) -> None:
        self.models: list[type[BaseModel]] = []
        self.names: set[str] = {"TypedDict"}

    def model(self, model: type[BaseModel]) -> None:
        if model in self.models:
            return
        for name, field in model.model_fields.items():
            self.annotation(field.annotation, f"{model.__name__}.{name}")  # nested models first: defined before use
        self.models.append(model)

    def annotation(self, annotation: Any, where: str) -> str:
        origin, arguments = get_origin(annotation), get_args(annotation)
        if origin is Annotated:
            return self.annotation(arguments[0], where)
        if origin in (Union, types.UnionType):
            others = [arg for arg in arguments if arg is not type(None)]
            if len(others) == 2 and list[others[0]] in others:  # one value or a list of them (IAM's Action): the list
                others = [list[others[0]]]
            if len(others) != 1:
                raise MirrorError(
                    f"{where}: {annotation} is a union, which a Pulumi schema cannot type; use one type (or it and None, "
                    "or a value and a list of such values)"
                )
            if type(None) not in arguments:
                return self.annotation(others[0], where)
            self.names.add("Optional")
            return f"Optional[{self.annotation(others[0], where)}]"
        if origin is Literal:
            kinds = {type(value) for value in arguments}
            if len(kinds) != 1 or not kinds <= {str, int, float, bool}:
                raise MirrorError(f"{where}: {annotation} mixes value types; use literals of one type")
            return kinds.pop().__name__
        if origin in (list, abc.Sequence):
            return f"list[{self.annotation(arguments[0], where)}]"
        if origin in (dict, abc.Mapping) and arguments[0] is str:
            return f"dict[str, {self.annotation(arguments[1], where)}]"
        if annotation in (str, int, float, bool):
            return annotation.__name__
        if annotation is Any:
            self.names.add("Any")
            return "Any"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            self.model(annotation)
            return annotation.__name__
        raise MirrorError(f"{where}: {annotation} has no Pulumi schema type; use str, int, float, bool, a list, a dict with str keys, or a model")


def _docstring(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines() or [""]
    body = "\n".join([lines[0], *[f"{indent}{line}" if line else "" for line in lines[1:]]])
    return f'{indent}"""{body}"""'


def _field_doc(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    doc = (field.description or "").strip()
    if not doc:
        raise MirrorError(f"{model.__name__}.{name} has no docstring; document the field under it, with its default")
    values = _literal_values(field.annotation)
    if values:
        doc += f"\nOne of: {', '.join(str(value) for value in values)}."
    return doc


def mirror_source(models: tuple[type[BaseModel], ...] = MIRRORED) -> str:
    """The source of :mod:`components.args`: one ``TypedDict`` per model of ``models`` and per model nested in them."""
    renderer = _Renderer()
    for model in models:
        renderer.model(model)
    classes = []
    for model in renderer.models:
        lines = [f"class {model.__name__}(TypedDict):", _docstring(inspect.cleandoc(model.__doc__ or model.__name__), "    "), ""]
        for name, field in model.model_fields.items():
            annotation = renderer.annotation(field.annotation, f"{model.__name__}.{name}")
            if not field.is_required():
                renderer.names.add("NotRequired")
                annotation = f"NotRequired[{annotation}]"
            lines += [f"    {name}: {annotation}", _docstring(_field_doc(model, name), "    "), ""]
        classes.append("\n".join(lines).rstrip() + "\n")
    imports = f"from typing import {', '.join(sorted(renderer.names))}\n"
    return _HEADER + imports + "".join(f"\n\n{text}" for text in classes)


def write_mirrors(path: Path = ARGS_FILE) -> bool:
    """Write :func:`mirror_source` to ``path``; whether that changed the file."""
    source = mirror_source()
    if path.exists() and path.read_text() == source:
        return False
    path.write_text(source)
    return True
