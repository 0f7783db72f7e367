"""Stack config: image versions are the only per-stack settings.

A stack's config (``stacks/Pulumi.<stack>.yaml``, or what ``pulumi up`` hands the program)
holds one key per image, ``<container>Tag``, and nothing else in the project's namespace.
Provider settings such as ``aws:region`` live in their own namespaces and are left alone.
:func:`read_versions` checks all of it at once and reports every problem in one error.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import StackConfigError
from .images import version_problem


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


def stack_file(project_dir: Path, stack: str) -> Path:
    """``stacks/Pulumi.<stack>.yaml`` of the project, or a :class:`StackConfigError` listing the stacks there are."""
    directory = project_dir / (_project_file(project_dir).get("stackConfigDir") or ".")
    path = directory / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))
        raise StackConfigError(
            f'unknown stack "{stack}": no {path.relative_to(project_dir)}; use one of: {", ".join(stacks) or "(none)"}, '
            f"or create it with: pulumi stack init {stack}"
        )
    return path


def _project_file(project_dir: Path) -> dict[str, Any]:
    path = project_dir / "Pulumi.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        raise StackConfigError(f"{path}: no Pulumi.yaml here; run from the project directory or pass --project-dir DIR") from None


def project_name(project_dir: Path) -> str:
    """The ``name`` in the project's ``Pulumi.yaml``."""
    return _project_file(project_dir)["name"]


def stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """The ``config:`` map of a stack file, keys as written (``namespace:key``)."""
    path = stack_file(project_dir, stack)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        raise StackConfigError(f"{path}: not valid YAML; fix the file or recreate it with pulumi config set") from None
    config = data.get("config") or {}
    project = project_name(project_dir)
    return {key if ":" in key else f"{project}:{key}": value for key, value in config.items()}
