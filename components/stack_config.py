"""Stack config: image versions are the only per-stack settings.

A stack's config (``stacks/Pulumi.<stack>.yaml``, or what ``pulumi up`` hands the program)
holds one key per image, ``<container>Tag``, and nothing else in the project's namespace.
Provider settings such as ``aws:region`` live in their own namespaces and are left alone.
:func:`read_versions` checks all of it at once and reports every problem in one error.

``Pulumi.yaml`` and stack files are read strictly (:mod:`components.input_files`) and their
shapes checked.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Mapping

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


def read_versions(config: Mapping[str, Any], keys: Mapping[str, str], stack: str) -> dict[str, str]:
    """Container name → image version, from a stack's project config.

    ``config`` holds the project's keys without namespace; ``keys`` maps each container
    to its config key (several containers may share one). Raises :class:`StackConfigError`
    naming every missing, empty, malformed or unknown key, each with the command that fixes it.
    """
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
        if value is None:
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
    return project_dir / _project_file(project_dir).get("stackConfigDir", ".") / f"Pulumi.{stack}.yaml"


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


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The ``config:`` map of a stack file, keys namespaced (``namespace:key``), values as YAML reads them.

    The file is read strictly (:mod:`components.input_files`); a file or ``config:`` that is not a
    mapping, and a key that is not a string, are refused, all at once.
    """
    project_dir = Path(project_dir)
    project = project_name(project_dir)
    path = stack_file(project_dir, stack)
    name = _shown(path, project_dir)
    _, _, data = _yaml_file(path, name, "recreate the stack's settings with pulumi config set")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackConfigError(
            f"{name}: the file is {_kind(data)}, not a mapping with a config: key; "
            "write config: with one indented key: value line per setting, or use pulumi config set"
        )
    config = data.get("config")
    if config is None:
        return {}
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
    return {key if ":" in key else f"{project}:{key}": value for key, value in config.items()}
