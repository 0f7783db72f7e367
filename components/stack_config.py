"""Stack config: image versions are the only per-stack settings.

A stack's config (``stacks/Pulumi.<stack>.yaml``, or what ``pulumi up`` hands the program)
holds one key per image, ``<container>Tag``, and nothing else in the project's namespace.
Provider settings such as ``aws:region`` live in their own namespaces and are left alone.
:func:`read_versions` checks all of it at once and reports every problem in one error.

``Pulumi.yaml`` and stack files are read strictly (:mod:`components.input_files`) and their
shapes checked. A tag must be a YAML string as written: :func:`written_tag_problems` refuses a
tag written unquoted that YAML reads as something else (``1.10``, the number 1.1).
"""

from __future__ import annotations

import base64
import functools
import difflib
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from ruamel.yaml.nodes import MappingNode, ScalarNode

from .errors import StackConfigError
from .images import version_problem
from .input_files import read_text, yaml_data, yaml_node


def project_keys(config: Mapping[str, Any], project: str) -> dict[str, Any]:
    """The project's own keys of a full config map (``project:key`` → ``key``)."""
    prefix = f"{project}:"
    return {key[len(prefix):]: value for key, value in config.items() if key.startswith(prefix)}


def program_config() -> dict[str, Any]:
    """Every config value the running Pulumi program was given, keyed ``namespace:key``.

    ``pulumi up`` hands config to the program as the ``PULUMI_CONFIG`` environment
    variable; the SDK's mock runtime and automation API set it in-process.
    """
    from pulumi.runtime.config import CONFIG  # pulumi exposes no public way to list every key

    config = json.loads(os.environ.get("PULUMI_CONFIG", "{}"))
    config.update(CONFIG.get())
    return config


def _set_command(key: str, stack: str) -> str:
    return f"run: pulumi config set {key} <tag> --stack {stack}"


def read_versions(
    config: Mapping[str, Any], keys: Mapping[str, str], stack: str, written: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Container name → image version, from a stack's project config.

    ``config`` holds the project's keys without namespace; ``keys`` maps each container
    to its config key (several containers may share one). ``written``: key → problem of the key as the
    stack file writes it (:func:`written_tag_problems`), reported instead of the value's. Raises
    :class:`StackConfigError` naming every missing, empty, malformed or unknown key, each with the
    command that fixes it.
    """
    written = written or {}
    known = sorted(set(keys.values()))
    problems: list[str] = []
    for key in sorted(set(config) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        problems.append(
            f"{key} is not a config key of this program ({hint}only image tags are stack config: "
            f"{', '.join(known)}; task settings live in code); run: pulumi config rm {key} --stack {stack}"
        )
    values: dict[str, str] = {}
    for key in known:
        value = config.get(key)
        if key in written:
            problems.append(written[key])
        elif value is None:
            problems.append(f"{key} is not set for stack {stack}; {_set_command(key, stack)}")
        elif not isinstance(value, str):
            problems.append(
                f"{key} for stack {stack} is {json.dumps(value)}, not a string (YAML reads 1.10 as a number); "
                f'quote it, or {_set_command(key, stack)}'
            )
        elif problem := version_problem(value):
            problems.append(f"{key} for stack {stack} {problem}; {_set_command(key, stack)}")
        else:
            values[key] = value
    if problems:
        raise StackConfigError(problems)
    return {container: values[key] for container, key in keys.items()}


STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""Pulumi's stack names: at most 100 of A-Z a-z 0-9 - _ . (https://www.pulumi.com/learn/building-with-pulumi/understanding-stacks/;
the engine: "stack names are limited to 100 characters and may only contain alphanumeric, hyphens, underscores, or periods")."""
PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]+")
"""Pulumi's project names: "alphanumeric characters, hyphens, underscores, and periods"
(https://www.pulumi.com/docs/iac/concepts/projects/project-file/)."""


def check_stack_name(stack: str) -> None:
    """Refuse a stack name Pulumi would refuse (before it becomes part of a file name)."""
    if not STACK_NAME.fullmatch(stack):
        shown = json.dumps(stack[:60] + ("…" if len(stack) > 60 else ""), ensure_ascii=False)
        raise StackConfigError(
            f"stack name {shown} ({len(stack)} characters) is not a Pulumi stack name: at most 100 of "
            "A-Z a-z 0-9 - _ . (an org/project/ prefix is not part of it); give the stack's name, e.g. dev"
        )


def stack_file(project_dir: Path, stack: str) -> Path:
    """``stacks/Pulumi.<stack>.yaml`` of the project, or a :class:`StackConfigError` listing the stacks there are."""
    path = _stack_path(project_dir, stack)
    directory = path.parent
    if not path.is_file():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))
        raise StackConfigError(
            f'unknown stack "{stack}": no {_shown(path, project_dir)}; use one of: {", ".join(stacks) or "(none)"}, '
            f"or create it with: pulumi stack init {stack}"
        )
    return path


def _stack_path(project_dir: Path, stack: str) -> Path:
    check_stack_name(stack)
    return project_dir / stack_config_dir(project_dir) / f"Pulumi.{stack}.yaml"


def stack_config_dir(project_dir: Path) -> str:
    """``stackConfigDir`` of the project's ``Pulumi.yaml`` (read strictly), ``.`` when it names none."""
    return _project_file(project_dir).get("stackConfigDir", ".")


def _shown(path: Path, project_dir: Path) -> str:
    return str(path.relative_to(project_dir)) if path.is_relative_to(project_dir) else str(path)


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), "a date" if isinstance(value, date) else f"a {type(value).__name__}")


def _project_file(project_dir: Path) -> dict[str, Any]:
    """``Pulumi.yaml``, read strictly, its ``name`` and ``stackConfigDir`` checked."""
    path = project_dir / "Pulumi.yaml"
    if not path.exists() and not path.is_symlink():
        raise StackConfigError(f"{path}: no Pulumi.yaml here; run from the project directory or pass --project-dir DIR")
    name = str(path)
    _, _, data = _yaml_file(path, name, "give the project's Pulumi.yaml")
    if not isinstance(data, dict):
        raise StackConfigError(
            f"{name}: the file is {_kind(data)}, not a mapping with name: and runtime:; "
            "write the project file as https://www.pulumi.com/docs/iac/concepts/projects/project-file/ shows"
        )
    problems = []
    project = data.get("name")
    if project is None:
        problems.append(f"{name}: no name: key; add name: <project> (the project's name, the namespace of its config keys)")
    elif not isinstance(project, str) or not PROJECT_NAME.fullmatch(project):
        problems.append(
            f"{name}: name is {json.dumps(project, default=str)}, not a Pulumi project name "
            "(A-Z a-z 0-9 - _ . only); write name: <project>"
        )
    directory = data.get("stackConfigDir", ".")
    if not isinstance(directory, str) or not directory:
        problems.append(f"{name}: stackConfigDir is {_kind(directory)}, not a directory path; write stackConfigDir: stacks, or remove it")
    if problems:
        raise StackConfigError(problems)
    return data


def _yaml_file(path: Path, name: str, fix: str) -> tuple[str, Any, Any]:
    """(text, node, data) of a YAML file read strictly (:mod:`components.input_files`); parsed once while the
    file is unchanged (a run reads ``Pulumi.yaml`` and the stack file several times). Callers must not modify it."""
    try:
        info = os.stat(path)
        version = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        version = None
    return _parse_yaml_file(str(path), name, fix, version)


@functools.lru_cache(maxsize=16)
def _parse_yaml_file(path: str, name: str, fix: str, version: tuple[int, ...] | None) -> tuple[str, Any, Any]:
    text = read_text(Path(path), name, StackConfigError, fix)
    node = yaml_node(text, name, StackConfigError)
    return text, node, yaml_data(node, name, StackConfigError)


def project_name(project_dir: Path) -> str:
    """The ``name`` in the project's ``Pulumi.yaml``."""
    return _project_file(project_dir)["name"]


@dataclass(frozen=True)
class ConfigValue:
    """One value of a stack file's ``config:``, as YAML reads it and as it is written."""

    value: Any
    """What YAML reads: a string, number, boolean, date, mapping… (YAML 1.2, as Pulumi reads stack files)."""
    written: str | None
    """A scalar's text (a quoted one without its quotes, a tagged one without its tag); ``None`` for a mapping or list."""
    source: str | None
    """A scalar's source text, tag and quotes included (``!!binary aGVsbG8=``); ``None`` for a mapping or list."""
    not_a_string: str | None
    """``None`` when YAML reads the scalar as exactly the string ``written``; else what it reads instead
    (``"the number 1.1"``): a plain scalar that YAML 1.2 or 1.1 resolves to a number, date, timestamp,
    boolean or null, or a value tagged ``!!binary`` or the like."""


def stack_file_config(project_dir: Path, stack: str) -> tuple[str, dict[str, ConfigValue]]:
    """The stack file's name (relative to the project) and its ``config:`` entries, keys namespaced.

    The file is read strictly (:mod:`components.input_files`); a file or ``config:`` that is not a
    mapping, and a key that is not a string, are refused, all at once.
    """
    project_dir = Path(project_dir)
    project = project_name(project_dir)
    path = stack_file(project_dir, stack)
    name = _shown(path, project_dir)
    text, root, data = _yaml_file(path, name, "recreate the stack's settings with pulumi config set")
    if data is None:
        return name, {}
    if not isinstance(data, dict):
        raise StackConfigError(
            f"{name}: the file is {_kind(data)}, not a mapping with a config: key; "
            "write config: with one indented key: value line per setting, or use pulumi config set"
        )
    config = data.get("config")
    if config is None:
        return name, {}
    if not isinstance(config, dict):
        raise StackConfigError(
            f"{name}: config: is {_kind(config)}, not a mapping of keys to values; "
            "write one indented key: value line per setting under config:"
        )
    if problems := [
        f"{name}: config key {json.dumps(key, default=str)} is {_kind(key)}, not a string; "
        "write it as namespace:key (for example aws:region), or remove it"
        for key in config if not isinstance(key, str)
    ]:
        raise StackConfigError(problems)
    nodes = {key.value: value for key, value in _mapping_pairs(root, "config")}
    entries = {}
    for key, value in config.items():
        node = nodes.get(key)
        namespaced = key if ":" in key else f"{project}:{key}"
        if isinstance(node, ScalarNode):
            source = text[node.start_mark.index:node.end_mark.index]
            entries[namespaced] = ConfigValue(value, node.value, source, _not_a_string(node, value, source))
        else:
            entries[namespaced] = ConfigValue(value, None, None, None)
    return name, entries


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The ``config:`` map of a stack file, keys namespaced (``namespace:key``), values as YAML reads them."""
    return {key: entry.value for key, entry in stack_file_config(project_dir, stack)[1].items()}


def _mapping_pairs(node: Any, key: str) -> list[tuple[Any, Any]]:
    """The (key node, value node) pairs of the mapping under ``key`` of the mapping ``node``."""
    for key_node, value_node in getattr(node, "value", []):
        if isinstance(key_node, ScalarNode) and key_node.value == key and isinstance(value_node, MappingNode):
            return [(k, v) for k, v in value_node.value if isinstance(k, ScalarNode)]
    return []


_READS_AS = {
    "int": "the number {value}", "float": "the number {value}", "bool": "the boolean {value}", "null": "null (no value)",
    "timestamp": "the date {value}", "binary": "binary data",
}


def _not_a_string(node: ScalarNode, value: Any, source: str) -> str | None:
    """What YAML reads a scalar as when that is not exactly its written text as a string (see :class:`ConfigValue`)."""
    tag = str(node.tag).rsplit(":", 1)[-1]
    explicit = source.startswith("!")
    if tag == "str" and (node.style is not None or explicit):
        return None  # quoted, a block scalar, or tagged !!str: the text is the string
    if tag == "str":  # plain: YAML 1.2 (Pulumi, ruamel) reads a string; YAML 1.1 may not (on, yes, 010, 1:20)
        tag = str(yaml.resolver.Resolver().resolve(yaml.ScalarNode, node.value, (True, False))).rsplit(":", 1)[-1]
        if tag == "str":
            return None
        return _READS_AS.get(tag, f"a {tag}").format(value=node.value) + " (in YAML 1.1)"
    if isinstance(value, bool):
        value = str(value).lower()
    elif isinstance(value, datetime):
        return f"the timestamp {value.isoformat()}"
    elif isinstance(value, date):
        value = value.isoformat()
    return _READS_AS.get(tag, f"a value tagged !!{tag}").format(value=value)


def written_tag_problems(project_dir: Path, stack: str, keys: Iterable[str], received: Mapping[str, Any]) -> dict[str, str]:
    """Image-tag key → problem, for each of ``keys`` that the stack file writes as a scalar YAML does not
    read as exactly its text (``webTag: 1.10`` is the number 1.1, and ``pulumi up`` hands the program
    ``"1.1"``). ``received`` holds what the program was given (project keys, no namespace), to name it.
    Nothing when the project has no such stack file (config from elsewhere: nothing to compare with).
    """
    project_dir = Path(project_dir)
    if not _stack_path(project_dir, stack).is_file():
        return {}
    name, entries = stack_file_config(project_dir, stack)
    project = project_name(project_dir)
    problems = {}
    for key in keys:
        entry = entries.get(f"{project}:{key}")
        if entry is None or entry.not_a_string is None:
            continue
        if entry.written == "" or entry.not_a_string.startswith("null"):
            problems[key] = f"{key} for stack {stack} has no value in {name}; {_set_command(key, stack)}"
            continue
        got = received.get(key)
        told = f"; the program was given {json.dumps(got)}" if isinstance(got, str) and got != entry.written else ""
        tag = "<tag>" if entry.source.startswith("!") else entry.written
        problems[key] = (
            f"{key} for stack {stack} is written {entry.source} in {name}, which YAML reads as {entry.not_a_string}, "
            f'not a string{told}; quote it: {project}:{key}: "{tag}" (pulumi config set {key} {tag} --stack {stack} writes it so)'
        )
    return problems


def engine_value(value: Any) -> str:
    """A stack-file value as ``pulumi up`` hands it to the program: strings as they are, other scalars as text
    (``true``, ``1.1``), mappings and lists as JSON (``pulumi.Config.get_object`` parses them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (dict, list)):
        return json.dumps(_json_ready(value), ensure_ascii=False)
    return str(value)


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key if isinstance(key, str) else engine_value(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else engine_value(value)


@functools.cache
def _partitions() -> tuple[list[re.Pattern[str]], list[str]]:
    """Each AWS partition's Region-name pattern and its known Regions, from botocore's endpoint data
    (``partitions.json``, the data the AWS SDKs' endpoint rules use): a pattern, not a list, so a
    Region newer than the installed botocore still passes."""
    from botocore.loaders import create_loader

    partitions = create_loader().load_data("partitions")["partitions"]
    patterns = [re.compile(partition["regionRegex"], re.ASCII) for partition in partitions]
    known = sorted(region for partition in partitions for region in partition.get("regions", {}) if not region.startswith("aws-"))
    return patterns, known


def region_problem(region: Any, stack: str, from_set: bool = False) -> str | None:
    """Why ``region`` (the stack's ``aws:region``, or a ``--set`` of it) is not an AWS Region name such as
    ``eu-west-1``, or ``None``."""
    patterns, known = _partitions()
    if isinstance(region, str) and any(pattern.fullmatch(region) for pattern in patterns):
        return None
    close = difflib.get_close_matches(str(region).lower(), known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    where, fix = ("--set aws:region", "give --set aws:region=<region>") if from_set else (
        f"aws:region for stack {stack}", f"run: pulumi config set aws:region <region> --stack {stack}")
    return (
        f"{where} is {json.dumps(region, default=str)}, not an AWS Region name such as eu-west-1 "
        f"({hint}aws ec2 describe-regions lists them); {fix}"
    )


READ_BY_THE_LIBRARY = ("aws:region", "aws:profile", "aws:assumeRoles", "aws:assumeRole", "aws:endpoints")
"""Provider settings the library itself reads (the region, and what its own AWS calls use: :mod:`components.aws_clients`)."""


def override_problems(overrides: Mapping[str, str], config: Mapping[str, Any], project: str, stack: str) -> list[str]:
    """``--set`` keys the program would silently ignore: another namespace's key the stack file does not set.

    A key without a namespace, or in the project's, is an image tag (the program checks it); the provider
    settings the library reads (``READ_BY_THE_LIBRARY``) are always taken; any other namespaced key must be
    one the stack file already sets.
    """
    known = sorted(set(READ_BY_THE_LIBRARY) | {key for key in config if not key.startswith(f"{project}:")})
    example = next((key.partition(":")[2] for key in config if key.startswith(f"{project}:")), "<container>Tag")
    problems = []
    for key in overrides:
        namespace, _, name = key.rpartition(":")
        if not namespace or namespace == project or key in known:
            continue
        if difflib.get_close_matches(namespace, [project], n=1, cutoff=0.75):
            hint = f"did you mean {project}:{name}?"
        elif close := difflib.get_close_matches(key, known, n=1):
            hint = f"did you mean {close[0]}?"
        else:
            hint = ""
        problems.append(
            f"--set {key}: stack {stack} does not set it, so the program would ignore it{f' ({hint})' if hint else ''}; "
            f"--set takes an image tag key ({example} or {project}:{example}) or one of {', '.join(known)}"
        )
    return problems
