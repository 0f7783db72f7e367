"""components/args.py: the TypedDict mirrors of the settings models, written by components/mirrors.py."""

from __future__ import annotations

import difflib
import typing
from typing import Literal, Optional, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field

from components import args
from components.mirrors import ARGS_FILE, MIRRORED, REGENERATE, MirrorError, mirror_source


def test_args_mirror_the_settings_models():
    """A field added to a settings model fails here until the mirrors (and the schema) are regenerated."""
    committed, current = ARGS_FILE.read_text(), mirror_source()
    diff = "\n".join(list(difflib.unified_diff(committed.splitlines(), current.splitlines(), "committed", "from the models", lineterm=""))[:60])
    assert committed == current, (
        f"components/args.py no longer mirrors the settings models ({', '.join(m.__name__ for m in MIRRORED)} and their "
        f"nested models): a field was added, removed, retyped or re-documented. Run `{REGENERATE}` and commit "
        f"components/args.py and provider/schema.json.\n{diff}"
    )


@pytest.mark.parametrize("model", [pytest.param(model, id=model.__name__) for model in MIRRORED])
def test_a_mirror_has_its_models_fields_and_required_ones(model):
    mirror = getattr(args, model.__name__)
    assert typing.is_typeddict(mirror)
    assert list(mirror.__annotations__) == list(model.model_fields)
    assert mirror.__required_keys__ == {name for name, field in model.model_fields.items() if field.is_required()}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Inner(_Strict):
    """An inner model."""

    size: int = Field(ge=1)
    """How big. Required."""


class Outer(_Strict):
    """An outer model."""

    mode: Literal["fast", "safe"] = "safe"
    """How to go. Default: safe."""

    inner: Optional[Inner] = None
    """The inner part. Default: none."""

    names: list[str] = ["a"]
    """Some names. Default: a."""

    ratio: float = 0.5
    """A share. Default: 0.5."""

    actions: Union[str, list[str]] = "s3:GetObject"
    """One action or several. Default: s3:GetObject."""


def test_mirror_source_of_a_model_with_every_kind_of_field():
    source = mirror_source((Outer,))
    assert source.split("from typing import", 1)[1] == (
        ''' NotRequired, Optional, TypedDict


class Inner(TypedDict):
    """An inner model."""

    size: int
    """How big. Required."""


class Outer(TypedDict):
    """An outer model."""

    mode: NotRequired[str]
    """How to go. Default: safe.
    One of: fast, safe."""

    inner: NotRequired[Optional[Inner]]
    """The inner part. Default: none."""

    names: NotRequired[list[str]]
    """Some names. Default: a."""

    ratio: NotRequired[float]
    """A share. Default: 0.5."""

    actions: NotRequired[list[str]]
    """One action or several. Default: s3:GetObject."""
'''
    )
    namespace: dict = {}
    # Valid Python that defines both; compiled without this file's `from __future__ import annotations`, as args.py is.
    exec(compile(source, "args.py", "exec", dont_inherit=True), namespace)
    assert namespace["Outer"].__required_keys__ == frozenset()
    assert namespace["Inner"].__required_keys__ == {"size"}


class Undocumented(_Strict):
    """A model."""

    size: int = 1


class EitherOr(_Strict):
    """A model."""

    part: Inner | Outer
    """One of two. Required."""


class Mixed(_Strict):
    """A model."""

    value: Literal["a", 1] = "a"
    """Mixed. Default: a."""


class Keyed(_Strict):
    """A model."""

    by_number: dict[int, str] = {}
    """Keyed by number. Default: empty."""


@pytest.mark.parametrize(
    ("model", "message"),
    [
        pytest.param(Undocumented, "Undocumented.size has no docstring; document the field under it, with its default", id="undocumented"),
        pytest.param(
            EitherOr,
            f"EitherOr.part: {Inner | Outer} is a union, which a Pulumi schema cannot type; use one type (or it and None, "
            "or a value and a list of such values)",
            id="union-of-models",
        ),
        pytest.param(Mixed, f"Mixed.value: {Literal['a', 1]} mixes value types; use literals of one type", id="mixed-literal"),
        pytest.param(
            Keyed,
            f"Keyed.by_number: {dict[int, str]} has no Pulumi schema type; use str, int, float, bool, a list, a dict with str keys, or a model",
            id="non-string-keys",
        ),
    ],
)
def test_a_field_the_schema_cannot_express_is_refused_by_name(model, message):
    with pytest.raises(MirrorError) as raised:
        mirror_source((model,))
    assert raised.value.problems == [message]
