"""Bad input never crashes: each class ends as one ``error:`` line naming the input, the value and the fix,
exit status 2, and nothing written.

The cases run the ``ecs-release`` CLI in-process (``components.cli.main``), mostly on a copy of the fixture project
(tests/library/project) changed by the case, and compare the line whole; the program's own check under
``pulumi up`` runs under the mock runtime with the config as the engine hands it over.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pulumi
import pytest

from components.cli import main
from components.errors import EcsReleaseError
from components.offline import run_in_own_event_loop, run_program
from components.stack_config import engine_value
from tests.gitrepo import LIBRARY_PROJECT, copy_project, make_repo, replace_in

DEV = "stacks/Pulumi.dev.yaml"
GOOD_DEV = 'config:\n  aws:region: eu-west-1\n  fixture-shop:apiTag: "2.0.1"\n  fixture-shop:jobsTag: "1.0.0"\n'
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


def tag_file(value: str) -> bytes:
    return f"config:\n  aws:region: eu-west-1\n  fixture-shop:apiTag: {value}\n  fixture-shop:jobsTag: \"1.0.0\"\n".encode()


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


# --- Pulumi.yaml ------------------------------------------------------------------------------------------

PROJECT_FILES = [
    pytest.param(b"- name\n", "{path}: the file is a list, not a mapping with name: and runtime:; write the project file as "
                 "https://www.pulumi.com/docs/iac/concepts/projects/project-file/ shows", id="top-level-list"),
    pytest.param(b"fixture-shop\n", "{path}: the file is a string, not a mapping with name: and runtime:; write the project file as "
                 "https://www.pulumi.com/docs/iac/concepts/projects/project-file/ shows", id="top-level-scalar"),
    pytest.param(b"name: [fixture-shop\n", "{path}: not valid YAML (line 2, column 1: while parsing a flow sequence, expected ',' or ']', "
                 "but got '<stream end>'); fix the file", id="malformed"),
    pytest.param(b"runtime: python\nstackConfigDir: stacks\n",
                 "{path}: no name: key; add name: <project> (the project's name, the namespace of its config keys)", id="missing-name"),
    pytest.param(b"name: fixture shop\nstackConfigDir: stacks\n",
                 '{path}: name is "fixture shop", not a Pulumi project name (A-Z a-z 0-9 - _ . only); write name: <project>', id="bad-name"),
    pytest.param(b"name: fixture-shop\nname: other\n", '{path}: gives key "name" twice ("fixture-shop" and "other") (line 2, column 1); '
                 "keep one, YAML does not allow both", id="duplicate-key"),
    pytest.param(b"name: fixture-shop\nstackConfigDir: [stacks]\n",
                 "{path}: stackConfigDir is a list, not a directory path; write stackConfigDir: stacks, or remove it", id="stack-config-dir-list"),
    pytest.param(b"name: fixture-shop\ndescription: caf\xe9\n", "{path}: not UTF-8 text (byte 0xe9 on line 2); save the file as UTF-8", id="not-utf-8"),
]


@pytest.mark.parametrize("content, message", PROJECT_FILES)
def test_a_bad_project_file_is_one_line(capsys, project, content, message):
    (project / "Pulumi.yaml").write_bytes(content)
    assert refused(capsys, "render", "--stack", "dev", "--project-dir", str(project)) == message.format(path=project / "Pulumi.yaml")


# --- stack files ------------------------------------------------------------------------------------------

STACK_FILES = [
    pytest.param(b"- aws:region\n", f"{DEV}: the file is a list, not a mapping with a config: key; write config: with one indented key: value line per setting, or use pulumi config set", id="top-level-list"),
    pytest.param(b"just words\n", f"{DEV}: the file is a string, not a mapping with a config: key; write config: with one indented key: value line per setting, or use pulumi config set", id="top-level-scalar"),
    pytest.param(b"config:\n  - fixture-shop:apiTag\n", f"{DEV}: config: is a list, not a mapping of keys to values; write one indented key: value line per setting under config:", id="config-as-list"),
    pytest.param(b"config:\n  1: a\n  2: b\n",
                 f"{DEV}: config key 1 is a number, not a string; write it as namespace:key (for example aws:region), or remove it; "
                 f"{DEV}: config key 2 is a number, not a string; write it as namespace:key (for example aws:region), or remove it", id="integer-keys"),
    pytest.param(GOOD_DEV.replace('  fixture-shop:jobsTag', '  fixture-shop:apiTag: "2.0.2"\n  fixture-shop:jobsTag').encode(),
                 f'{DEV}: gives key "fixture-shop:apiTag" twice ("2.0.1" and "2.0.2") (line 4, column 3); keep one, YAML does not allow both', id="duplicate-key"),
    pytest.param(b"config: {aws:region: eu-west-1\n", f"{DEV}: not valid YAML (line 2, column 1: while parsing a flow mapping, expected ',' or '}}', but got '<stream end>'); fix the file", id="malformed"),
    pytest.param(BOMB.encode(), f"{DEV}: more than 100000 values once its aliases are expanded (line 5, column 36); write the values out instead of nesting aliases", id="alias-bomb"),
    pytest.param(b"config: &a {x: *a}\n", f"{DEV}: the alias *a (line 1, column 16) is inside the node its anchor names, an endless value; write the values out", id="recursive-alias"),
    pytest.param(b"config: " + b"[" * 65 + b"]" * 65 + b"\n", f"{DEV}: nested more than 64 levels deep (line 1, column 72); fix the file", id="deep-nesting"),
    pytest.param(GOOD_DEV.encode().replace(b"2.0.1", b"2.0.1\xff"), f"{DEV}: not UTF-8 text (byte 0xff on line 3); save the file as UTF-8", id="not-utf-8"),
    pytest.param(tag_file("1.10"),
                 f'apiTag for stack dev is written 1.10 in {DEV}, which YAML reads as the number 1.1, not a string; the program was given "1.1"; '
                 'quote it: fixture-shop:apiTag: "1.10" (pulumi config set apiTag 1.10 --stack dev writes it so)', id="number-yaml-changes"),
    pytest.param(tag_file("2024-01-01"),
                 f'apiTag for stack dev is written 2024-01-01 in {DEV}, which YAML reads as the date 2024-01-01, not a string; '
                 'quote it: fixture-shop:apiTag: "2024-01-01" (pulumi config set apiTag 2024-01-01 --stack dev writes it so)', id="date"),
    pytest.param(tag_file("2024-01-01T10:00:00Z"),
                 f"apiTag for stack dev is written 2024-01-01T10:00:00Z in {DEV}, which YAML reads as the timestamp 2024-01-01T10:00:00+00:00, "
                 'not a string; the program was given "2024-01-01T10:00:00+00:00"; quote it: fixture-shop:apiTag: "2024-01-01T10:00:00Z" '
                 "(pulumi config set apiTag 2024-01-01T10:00:00Z --stack dev writes it so)", id="timestamp"),
    pytest.param(tag_file("!!binary MS40LjI="),
                 f'apiTag for stack dev is written !!binary MS40LjI= in {DEV}, which YAML reads as binary data, not a string; '
                 'quote it: fixture-shop:apiTag: "<tag>" (pulumi config set apiTag <tag> --stack dev writes it so)', id="binary"),
    pytest.param(tag_file("12345678901234567890123"),
                 f"apiTag for stack dev is written 12345678901234567890123 in {DEV}, which YAML reads as the number 12345678901234567890123, "
                 'not a string; quote it: fixture-shop:apiTag: "12345678901234567890123" '
                 "(pulumi config set apiTag 12345678901234567890123 --stack dev writes it so)", id="huge-integer"),
    pytest.param(tag_file("yes"),
                 f'apiTag for stack dev is written yes in {DEV}, which YAML reads as the boolean yes (in YAML 1.1), not a string; '
                 'quote it: fixture-shop:apiTag: "yes" (pulumi config set apiTag yes --stack dev writes it so)', id="yaml-1.1-boolean"),
    pytest.param(tag_file(""), f"apiTag for stack dev has no value in {DEV}; run: pulumi config set apiTag <tag> --stack dev", id="empty-value"),
    pytest.param(GOOD_DEV.replace("eu-west-1", "Ireland").encode(),
                 "aws:region for stack dev is \"Ireland\", not an AWS Region name such as eu-west-1 (aws ec2 describe-regions lists them); "
                 "run: pulumi config set aws:region <region> --stack dev", id="region-not-a-region-name"),
]


@pytest.mark.parametrize("content, message", STACK_FILES)
def test_a_bad_stack_file_is_one_line(capsys, project, content, message):
    (project / DEV).write_bytes(content)
    assert refused(capsys, "render", "--stack", "dev", "--project-dir", str(project)) == message


@pytest.mark.parametrize("value", ['"1.10"', "'1.10'", "!!str 1.10", "|-\n    1.10"])
def test_a_tag_written_as_a_string_is_taken_as_written(capsys, project, value):
    (project / DEV).write_bytes(tag_file(value))
    code, out, err = run_cli(capsys, "render", "--stack", "dev", "--project-dir", str(project))
    assert (code, err) == (0, "")
    assert '"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture/api:1.10"' in out


def test_other_namespaces_values_reach_the_program_as_pulumi_up_hands_them(capsys, project):
    """Not tags: left alone, handed over as text or JSON (dates and all), never a crash."""
    (project / DEV).write_text(GOOD_DEV + "  aws:skipCredentialsValidation: true\n  aws:defaultTags:\n    tags:\n      since: 2024-01-01\n")
    code, out, err = run_cli(capsys, "render", "--stack", "dev", "--project-dir", str(project))
    assert (code, err) == (0, "") and out.startswith("{")


@pytest.mark.parametrize(
    "value, text",
    [
        pytest.param("1.10", "1.10", id="string"),
        pytest.param(True, "true", id="boolean"),
        pytest.param(1.1, "1.1", id="number"),
        pytest.param(None, "", id="null"),
        pytest.param(date(2024, 1, 1), "2024-01-01", id="date"),
        pytest.param({"tags": {date(2024, 1, 1): [1, False, None]}}, '{"tags": {"2024-01-01": [1, false, null]}}', id="mapping-as-json"),
    ],
)
def test_engine_value_is_the_text_pulumi_up_hands_the_program(value, text):
    assert engine_value(value) == text


# --- stack names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "stack, shown",
    [
        pytest.param("d" * 101, '"' + "d" * 60 + '…" (101 characters)', id="over-100-characters"),
        pytest.param("../dev", '"../dev" (6 characters)', id="a-path"),
        pytest.param("acme/fixture-shop/dev", '"acme/fixture-shop/dev" (21 characters)', id="fully-qualified"),
    ],
)
def test_a_stack_name_pulumi_refuses_is_one_line(capsys, project, stack, shown):
    assert refused(capsys, "render", "--stack", stack, "--project-dir", str(project)) == (
        f"stack name {shown} is not a Pulumi stack name: at most 100 of A-Z a-z 0-9 - _ . (an org/project/ prefix is not part of it); "
        "give the stack's name, e.g. dev"
    )


def test_a_stack_name_of_100_characters_is_pulumis(capsys, project):
    assert refused(capsys, "render", "--stack", "d" * 100, "--project-dir", str(project)).startswith(f'unknown stack "{"d" * 100}": no stacks/')


# --- every command, nothing written -----------------------------------------------------------------------

PROD = "stacks/Pulumi.prod.yaml"
DUPLICATE = f'{PROD}: gives key "fixture-shop:apiTag" twice ("2.0.0" and "2.0.9") (line 4, column 3); keep one, YAML does not allow both'


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["render", "--stack", "prod"], id="render"),
        pytest.param(["diff", "--stack", "staging", "--against-stack", "prod"], id="diff-against-stack"),
        pytest.param(["diff", "--stack", "prod", "--against-ref", "HEAD"], id="diff-against-ref"),
        pytest.param(["check", "--stack", "prod", "--against-ref", "HEAD"], id="check"),
        pytest.param(["check", "--stack", "dev", "--against-ref", "HEAD"], id="check-another-stack"),
        pytest.param(["promote", "--from", "staging", "--to", "prod"], id="promote-to"),
        pytest.param(["promote", "--from", "prod", "--to", "dev"], id="promote-from"),
    ],
)
def test_every_command_refuses_a_bad_stack_file_in_one_line_and_writes_nothing(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.setattr(sys, "path", list(sys.path))
    repo = make_repo(tmp_path / "repo")  # HEAD holds the good files; this tree's prod file gives a key twice
    replace_in(repo / PROD, 'fixture-shop:jobsTag', 'fixture-shop:apiTag: "2.0.9"\n  fixture-shop:jobsTag')
    before = {path: path.read_bytes() for path in (repo / "stacks").iterdir()}
    assert refused(capsys, *argv, "--project-dir", str(repo)) == DUPLICATE
    assert {path: path.read_bytes() for path in (repo / "stacks").iterdir()} == before


# --- the command line -------------------------------------------------------------------------------------

KNOWN = "--set takes an image tag key (apiTag or fixture-shop:apiTag) or one of aws:assumeRole, aws:assumeRoles, aws:endpoints, aws:profile, aws:region"
COMMAND_LINES = [
    pytest.param(["--set", "aws:regoin=eu-west-1"],
                 f"--set aws:regoin: stack dev does not set it, so the program would ignore it (did you mean aws:region?); {KNOWN}", id="set-misspelled-key"),
    pytest.param(["--set", "fixture-shp:apiTag=2.0.2"],
                 f"--set fixture-shp:apiTag: stack dev does not set it, so the program would ignore it (did you mean fixture-shop:apiTag?); {KNOWN}",
                 id="set-misspelled-namespace"),
    pytest.param(["--set", "aws:region=eu-west1", "--set", "apiTag=2.0/2"],
                 '--set aws:region is "eu-west1", not an AWS Region name such as eu-west-1 (did you mean eu-west-1? aws ec2 describe-regions lists them); '
                 'give --set aws:region=<region>; apiTag for stack dev "2.0/2" is not a valid image tag (a tag is 1-128 of A-Z a-z 0-9 _ . - and does '
                 "not start with . or -, or a digest is sha256: followed by 64 lowercase hex digits); run: pulumi config set apiTag <tag> --stack dev",
                 id="set-region-and-tag-all-at-once"),
]


@pytest.mark.parametrize("argv, message", COMMAND_LINES)
def test_a_bad_set_is_one_line(capsys, project, argv, message):
    assert refused(capsys, "render", "--stack", "dev", *argv, "--project-dir", str(project)) == message


# --- the app's own Python specs and settings --------------------------------------------------------------

def test_a_misspelled_field_in_the_apps_specs_names_the_model_and_field(capsys, project):
    replace_in(project / "services.py", "port_mappings=[PortMapping(container_port=8000)]", "port_mapings=[PortMapping(container_port=8000)]")
    assert refused(capsys, "render", "--stack", "dev", "--project-dir", str(project)) == (
        "ContainerDefinition.port_mapings: Extra inputs are not permitted (got [PortMapping(container_port=8000, host_port=None, protocol=None, "
        "name=None, app_protocol=None, container_port_range=None)]); remove it or fix its spelling"
    )


def test_a_wrong_type_outside_stop_on_bad_input_names_the_model_and_field(capsys, project):
    """A model the program builds before its ``with stop_on_bad_input():`` block: run_program turns pydantic's error into the line."""
    replace_in(project / "__main__.py", "stack = pulumi.get_stack()\n",
               'stack = pulumi.get_stack()\nfrom components.spec import HealthCheck\nHealthCheck(command=["CMD", "true"], interval="15s")\n')
    assert refused(capsys, "render", "--stack", "dev", "--project-dir", str(project)) == (
        "HealthCheck.interval: Input should be a valid integer (got '15s'); fix the value"
    )


# --- under pulumi up: the program compares each tag with the stack file as written ------------------------

def run_as_pulumi_up(project: Path, stack: str, config: dict[str, str], root_directory: str | None) -> None:
    """The project's program under the mock runtime with ``config`` exactly as the engine hands it over (strings),
    Pulumi's root directory given or not (then the program finds its project from the working directory)."""
    import runpy

    from pulumi.runtime import reset_options, set_all_config, set_mocks
    from pulumi.runtime.mocks import run_pulumi_func

    from components.offline import RecordingMocks

    async def program() -> None:
        reset_options(project="fixture-shop", stack=stack, root_directory=root_directory)
        set_mocks(RecordingMocks(region="eu-west-1"), project="fixture-shop", stack=stack, preview=False)
        set_all_config(config)
        await run_pulumi_func(lambda: runpy.run_path(str(project / "__main__.py"), run_name="__main__"))

    sys.path.insert(0, str(project))
    try:
        run_in_own_event_loop(program())
    finally:
        sys.modules.pop("services", None)


@pytest.mark.parametrize("root", [pytest.param(True, id="root-directory"), pytest.param(False, id="working-directory")])
def test_under_pulumi_up_an_unquoted_tag_yaml_changes_is_refused(project, monkeypatch, root):
    (project / DEV).write_bytes(tag_file("1.10"))
    monkeypatch.chdir(project)
    engine = {"aws:region": "eu-west-1", "fixture-shop:apiTag": "1.1", "fixture-shop:jobsTag": "1.0.0"}  # Pulumi reads 1.10 as 1.1
    with pytest.raises(pulumi.RunError) as raised:
        run_as_pulumi_up(project, "dev", engine, str(project) if root else None)
    assert str(raised.value) == (
        f'apiTag for stack dev is written 1.10 in {DEV}, which YAML reads as the number 1.1, not a string; the program was given "1.1"; '
        'quote it: fixture-shop:apiTag: "1.10" (pulumi config set apiTag 1.10 --stack dev writes it so)'
    )


def test_under_pulumi_up_a_quoted_tag_or_a_stack_without_a_file_runs(project, monkeypatch):
    (project / DEV).write_bytes(tag_file('"1.10"'))
    monkeypatch.chdir(project)
    run_as_pulumi_up(project, "dev", {"fixture-shop:apiTag": "1.10", "fixture-shop:jobsTag": "1.0.0"}, str(project))
    (project / DEV).unlink()  # config from elsewhere (an ESC environment, the automation API): nothing to compare with
    run_as_pulumi_up(project, "dev", {"fixture-shop:apiTag": "1.1", "fixture-shop:jobsTag": "1.0.0"}, str(project))
