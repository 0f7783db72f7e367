"""The README's "Use it in your own project" runs as written: its files, rendered by the installed CLI.

The blocks are copied from README.md into a new directory (each fenced ``yaml``/``python`` block of that
section starts with a comment naming its path) and rendered by the ``ecs-release`` console script of this
interpreter's environment, in its own process, outside this repository: the project uses only the
installed library, as an adopter's does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
CLI = Path(sys.executable).parent / "ecs-release"


def project_files() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it in your own project", 1)[1].split("\n## ", 1)[0]
    files = {}
    for language, body in re.findall(r"```(yaml|python)\n(.*?)```", section, flags=re.S):
        first = body.splitlines()[0]
        assert first.startswith("# "), f"a {language} block of the section does not start with its path: {first!r}"
        files[first[2:].strip()] = body
    return files


def render(project: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed console script, in its own process: what an adopter runs."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([str(CLI), "render", "--project-dir", str(project), *args], cwd=project.parent,
                          capture_output=True, text=True, timeout=120, env=environment)


def render_here(project: Path, capsys, *args: str) -> tuple[int, str, str]:
    """The same command in this process (quicker), once the console script has been shown to work."""
    from components.cli import main

    code = main(["render", "--project-dir", str(project), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    if not CLI.exists():
        pytest.skip(f"no ecs-release console script beside {sys.executable}: install the project (pip install -e .)")
    directory = tmp_path_factory.mktemp("adopter") / "billing"
    for path, body in project_files().items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text(body, encoding="utf-8")
    return directory


def test_the_section_gives_a_whole_project():
    assert sorted(project_files()) == ["Pulumi.yaml", "__main__.py", "stacks/Pulumi.dev.yaml", "stacks/Pulumi.prod.yaml"]


def test_the_readme_project_renders_both_services_with_the_stacks_tags(project):
    result = render(project, "--stack", "dev")
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)
    assert sorted(documents) == ["billing-api-dev", "billing-worker-dev"]
    images = {family: [c["image"] for c in document["containerDefinitions"]] for family, document in documents.items()}
    assert images == {
        "billing-api-dev": ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing/api:2.3.0"],
        "billing-worker-dev": ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/billing/worker:2.3.0"],
    }
    worker = documents["billing-worker-dev"]["containerDefinitions"][0]
    assert worker["environment"] == [{"name": "QUEUE", "value": "dev"}]
    assert worker["logConfiguration"]["options"]["awslogs-group"] == "/ecs/billing-worker-dev"


def test_a_tag_bump_changes_only_that_services_image(project, capsys):
    (code, before, _), (code_after, after, error) = render_here(project, capsys, "--stack", "dev"), render_here(
        project, capsys, "--stack", "dev", "--set", "apiTag=2.4.0")
    assert (code, code_after) == (0, 0), error
    old, new = json.loads(before), json.loads(after)
    assert old["billing-worker-dev"] == new["billing-worker-dev"]
    old_api, new_api = old["billing-api-dev"], new["billing-api-dev"]
    assert new_api["containerDefinitions"][0].pop("image").endswith("/billing/api:2.4.0")
    old_api["containerDefinitions"][0].pop("image")
    assert old_api == new_api


def test_bad_input_in_the_readme_project_is_one_error_line(project, capsys):
    code, out, error = render_here(project, capsys, "--stack", "dev", "--set", "apiTag=not a tag")
    assert code == 2 and out == ""
    assert error.count("\n") == 1 and error.startswith("error: apiTag for stack dev ")


def test_prod_renders_its_own_sizes_and_refuses_mutable_tags(project, capsys):
    code, out, error = render_here(project, capsys, "--stack", "prod")
    assert code == 0, error
    api = json.loads(out)["billing-api-prod"]
    assert (api["cpu"], api["memory"], api["containerDefinitions"][0]["image"].rsplit(":", 1)[1]) == ("1024", "2048", "2.2.1")
    code, out, error = render_here(project, capsys, "--stack", "prod", "--set", "workerTag=latest")
    assert code == 2 and error.startswith('error: service "worker": workerTag "latest" is a mutable tag')


def test_a_typo_in_the_declarations_is_one_error_line_not_a_bug_report(project, capsys, tmp_path):
    import shutil

    copy = tmp_path / "billing"
    shutil.copytree(project, copy)
    main_py = copy / "__main__.py"
    main_py.write_text(main_py.read_text().replace('"release": {"production": True}},\n            },\n        ),\n        ServiceDeclaration(',
                                                   '"releas": {"production": True}},\n            },\n        ),\n        ServiceDeclaration(', 1))
    assert "releas\"" in main_py.read_text()
    code, out, error = render_here(copy, capsys, "--stack", "dev")
    assert (code, out) == (2, "")
    assert error.count("\n") == 1 and "ServiceDeclaration.stacks.prod.releas: Extra inputs are not permitted" in error
