"""A throw-away git repository holding a copy of a Pulumi project, for the git-based release commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
LIBRARY_PROJECT = Path(__file__).resolve().parent / "library" / "project"
"""The library tests' own small two-service project (its app module is ``services.py``)."""
EXAMPLE_FILES = ("Pulumi.yaml", "__main__.py", "app.py", "stacks", "task-definitions")
"""The example app's project files in the repository root."""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}
_IGNORE = shutil.ignore_patterns("__pycache__", "*.tmp", ".*")


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=True)
    return result.stdout


def copy_project(directory: Path, source: Path = LIBRARY_PROJECT, files: tuple[str, ...] | None = None) -> Path:
    """Copy ``files`` of the project in ``source`` (default: all of it) into ``directory``; returns ``directory``.

    No ``components`` is copied: the project uses the installed library, as an adopter's does.
    """
    directory.mkdir(parents=True, exist_ok=True)
    names = files if files is not None else sorted(p.name for p in source.iterdir() if not _IGNORE(str(source), [p.name]))
    for name in names:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, directory / name, ignore=_IGNORE)
        else:
            shutil.copy2(path, directory / name)
    return directory


def make_repo(directory: Path, source: Path = LIBRARY_PROJECT, files: tuple[str, ...] | None = None) -> Path:
    """Copy a project into ``directory`` (:func:`copy_project`), ``git init`` and commit it; returns ``directory``."""
    copy_project(directory, source, files)
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", ".")
    git(directory, "commit", "-q", "-m", "initial")
    return directory


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))


def cli(repo: Path, *argv: str) -> subprocess.CompletedProcess:
    """``python -m components …`` in ``repo`` (the default ``--project-dir``), in its own process, with the installed library."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "components", *argv], cwd=repo, capture_output=True, text=True, timeout=120, env=environment)
