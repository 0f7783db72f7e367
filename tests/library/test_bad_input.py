"""Bad input never crashes: each class ends as one ``error:`` line naming the input, the value and the fix,
exit status 2, and nothing written.

Every case runs the ``ecs-release`` CLI in-process (``components.cli.main``) on a copy of the fixture project
(tests/library/project), changed by the case; the line is compared whole.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.cli import main
from components.errors import EcsReleaseError
from components.offline import run_program
from tests.gitrepo import LIBRARY_PROJECT, copy_project

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join([f'*{chr(97 + level)}'] * 10)}]\n" for level in range(9)
)
"""The billion laughs: 10⁹ values once its aliases are expanded, in 460 bytes."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path
    return copy_project(tmp_path / "project")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(capsys, *argv: str) -> str:
    """The one ``error:`` line of a command that must refuse its input with exit status 2 and print nothing else."""
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, ""), err
    assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    return err[len("error: "):-1]


# --- task-definition files --------------------------------------------------------------------------------

TASK_DEFINITION_FILES = [
    pytest.param("td.json", b'{"family": "a", "family": "b", "containerDefinitions": []}',
                 '{path}: gives key "family" twice in one object ("a" and "b"); keep one, JSON parsers disagree on which wins', id="duplicate-json-key"),
    pytest.param("td.yaml", b"family: a\ncontainerDefinitions: []\nfamily: b\n",
                 '{path}: gives key "family" twice ("a" and "b") (line 3, column 1); keep one, YAML does not allow both', id="duplicate-yaml-key"),
    pytest.param("td.yaml", BOMB.encode(),
                 "{path}: more than 100000 values once its aliases are expanded (line 5, column 36); write the values out instead of nesting aliases", id="alias-bomb"),
    pytest.param("td.json", b'{"family": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "{path}: nested more than 64 levels deep; fix the file", id="deep-json"),
    pytest.param("td.json", b'{"family": ' + b"[" * 64 + b"]" * 64 + b"}", "{path}: nested more than 64 levels deep; fix the file", id="json-one-level-too-deep"),
    pytest.param("td.yaml", b"family:\n" + b"".join(b"  " * level + b"- \n" for level in range(70)),
                 "{path}: nested more than 64 levels deep (line 65, column 127); fix the file", id="deep-yaml"),
    pytest.param("td.json", b'{"family": "caf\xe9"}', "{path}: not UTF-8 text (byte 0xe9 on line 1); save the file as UTF-8", id="not-utf-8"),
    pytest.param("td.yaml", b"family: a\n---\nfamily: b\n", "{path}: not valid JSON or YAML (line 2, column 1: expected a single document in the stream, "
                 "but found another document); give a task-definition file in JSON or YAML", id="two-documents"),
]


@pytest.mark.parametrize("name, content, message", TASK_DEFINITION_FILES)
def test_a_bad_task_definition_file_is_one_line(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(capsys, "render", "--file", str(path)) == message.format(path=path)


def test_aliases_within_the_bound_are_read(capsys, tmp_path):
    path = tmp_path / "td.yaml"
    path.write_text(
        "family: app\nmemory: '512'\ncontainerDefinitions:\n"
        "  - {name: web, image: registry.example.com/web, environment: &env [{name: MODE, value: live}]}\n"
        "  - {name: jobs, image: registry.example.com/jobs, essential: false, environment: *env}\n"
    )
    code, out, err = run_cli(capsys, "render", "--file", str(path))
    assert (code, err) == (0, "")
    assert [c["environment"] for c in json.loads(out)["containerDefinitions"]] == [[{"name": "MODE", "value": "live"}]] * 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_a_fifo_is_refused_without_waiting_for_a_writer(capsys, tmp_path):
    fifo = tmp_path / "td.json"
    os.mkfifo(fifo)
    assert refused(capsys, "render", "--file", str(fifo)) == f"{fifo}: is a FIFO (named pipe), not a regular file; give the path of a task-definition file"


@pytest.mark.parametrize(
    "path, kind",
    [pytest.param(os.devnull, "a character device", id="device"), pytest.param(str(LIBRARY_PROJECT), "a directory", id="directory")],
)
def test_a_device_or_a_directory_is_refused(capsys, path, kind):
    if not Path(path).exists():
        pytest.fail(f"{path} does not exist here")
    assert refused(capsys, "render", "--file", path) == f"{path}: is {kind}, not a regular file; give the path of a task-definition file"


# --- a bug of ours is not bad input -----------------------------------------------------------------------

def test_an_unexpected_failure_is_one_internal_error_line_with_exit_status_3(capsys, monkeypatch):
    def broken(path: str, tags: dict) -> dict:
        raise KeyError("containerDefinitions")

    monkeypatch.setattr("components.cli.render_file", broken)
    code, out, err = run_cli(capsys, "render", "--file", "td.json")
    assert (code, out) == (3, "")
    assert err == (
        f"error: internal error at {Path(__file__).name}:{broken.__code__.co_firstlineno + 1}: KeyError: 'containerDefinitions'; "
        "this is a bug in ecs-release, please report it\n"
    )


# --- event loops: nothing left for the garbage collector to close at exit ---------------------------------

def open_event_loops() -> set[int]:
    gc.collect()
    return {id(o) for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()}


@pytest.mark.parametrize("overrides", [pytest.param({}, id="renders"), pytest.param({"apiTag": "latest"}, id="refused")])
def test_a_run_leaves_no_event_loop_open(project, overrides):
    """The SDK's mock monitor gives each executor thread an event loop nobody closed; collected at exit, such a loop
    printed "Exception ignored in: <function BaseEventLoop.__del__>" after the error line of ``diff --against-stack``."""
    before = open_event_loops()
    try:
        run_program(project, "prod", overrides)
    except EcsReleaseError:
        assert overrides
    assert open_event_loops() - before == set()


def test_diff_against_a_stack_prints_its_error_line_and_nothing_after(tmp_path):
    """The reported case, end to end: two programs in one process, the second refused; ResourceWarnings shown."""
    project = copy_project(tmp_path / "project")
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's components
    result = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-m", "components", "diff", "--stack", "prod", "--against-stack", "staging",
         "--set", "apiTag=latest"],
        cwd=project, capture_output=True, text=True, timeout=120, env=environment,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        'error: service "api": apiTag "latest" is a mutable tag, refused for production stack prod; '
        "run: pulumi config set apiTag <immutable tag> --stack prod\n"
    )
