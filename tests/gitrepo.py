"""A throw-away git repository holding a copy of the project, for the git-based release commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("Pulumi.yaml", "__main__.py", "app.py", "components", "stacks")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=True)
    return result.stdout


def make_repo(directory: Path) -> Path:
    """Copy the project files into ``directory``, ``git init`` and commit them; returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=shutil.ignore_patterns("__pycache__", "*.tmp", ".*"))
        else:
            shutil.copy2(source, directory / name)
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", ".")
    git(directory, "commit", "-q", "-m", "initial")
    return directory


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))


def cli(repo: Path, *argv: str) -> subprocess.CompletedProcess:
    """``python -m components …`` of the copied project, in its own process."""
    return subprocess.run([sys.executable, "-m", "components", *argv], cwd=repo, capture_output=True, text=True, timeout=120)
