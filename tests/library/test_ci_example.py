"""The CI example for tag bumps (examples/ci/tag-bump.yml): valid YAML, the README's commands, and its steps run.

The steps are run as GitHub runs a ``run:`` step (``bash --noprofile --norc -eo pipefail``) against git
repositories laid out as the workflow checks them out, with ``ecs-release`` the library of the base branch
and ``pulumi`` a stand-in that records its arguments (no Pulumi CLI here). Steps that ``uses:`` an action, and
the steps that ``pip install``, are what the test itself sets up.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tests.gitrepo import GIT_ENV, LIBRARY_PROJECT, REPOSITORY, git, make_repo, replace_in

WORKFLOW = REPOSITORY / "examples" / "ci" / "tag-bump.yml"
README = REPOSITORY / "README.md"
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]  # GitHub's shell for run: steps on Linux


def workflow() -> dict:
    return YAML(typ="safe", pure=True).load(WORKFLOW.read_text())


def steps(job: str) -> dict[str, dict]:
    """The job's ``run:`` steps by id."""
    return {step["id"]: step for step in workflow()["jobs"][job]["steps"] if "id" in step}


def test_the_workflow_is_valid_yaml_and_runs_the_guard_before_any_credential():
    flow = workflow()
    assert flow["on"]["pull_request"]["paths"] == flow["on"]["push"]["paths"] == ["stacks/Pulumi.*.yaml"]
    assert flow["on"]["push"]["branches"] == ["main"]
    guard = flow["jobs"]["guard"]["steps"]
    order = [step.get("id") or step.get("uses", "").split("@")[0] or step["name"] for step in guard]
    assert order.index("stacks") < order.index("guard") < order.index("aws-actions/configure-aws-credentials") < order.index("preview")
    assert "PULUMI_ACCESS_TOKEN" not in str(guard[: order.index("guard") + 1])
    assert all(step["with"].get("persist-credentials") is False for step in guard if step.get("uses", "").startswith("actions/checkout"))
    for job in flow["jobs"].values():  # values reach a script through env:, never pasted into it (GitHub's hardening guide)
        assert not any("${{" in step.get("run", "") for step in job["steps"])


def command_shape(line: str) -> tuple[str, str, frozenset[str]] | None:
    """``(program, subcommand, options)`` of an ``ecs-release`` or ``pulumi`` command line; ``None`` for other lines."""
    try:
        words = shlex.split(line.split(" # ")[0].strip().removeprefix("$ "))
    except ValueError:  # not a shell command line (a fragment of output)
        return None
    for index, word in enumerate(words):
        program = word.rsplit("$(", 1)[-1].rsplit("/", 1)[-1]  # stacks=$(ecs-release ...), .venv/bin/ecs-release
        if program in ("ecs-release", "pulumi") and index + 1 < len(words):
            return program, words[index + 1], frozenset(w.split("=")[0] for w in words[index + 2:] if w.startswith("--"))
    return None


def readme_commands() -> set[tuple[str, str, frozenset[str]]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    return {shape for block in blocks for line in block.splitlines() if (shape := command_shape(line))}


def test_every_command_of_the_workflow_is_one_the_readme_documents():
    documented = readme_commands()
    used = {shape for job in workflow()["jobs"].values() for step in job["steps"] for line in step.get("run", "").splitlines()
            if (shape := command_shape(line)) and shape[0] != "pip"}
    assert used == {
        ("ecs-release", "changed-stacks", frozenset({"--against-ref", "--project-dir"})),
        ("ecs-release", "changed-stacks", frozenset({"--against-ref"})),
        ("ecs-release", "check", frozenset({"--stack", "--against-ref", "--project-dir"})),
        ("pulumi", "preview", frozenset({"--stack", "--diff"})),
        ("pulumi", "up", frozenset({"--yes", "--stack"})),
    }
    assert used <= documented, used - documented


# --- running the steps ------------------------------------------------------------------------------------


def shim(directory: Path, name: str, script: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


class Runner:
    """Runs a job's ``run:`` steps in ``workspace`` the way the runner would; ``pulumi`` records into ``pulumi_log``."""

    def __init__(self, workspace: Path, judge: Path, expressions: dict[str, str]):
        self.workspace, self.expressions, self.outputs = workspace, expressions, {}
        bin_dir = workspace.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        shim(bin_dir, "ecs-release", f'PYTHONPATH={shlex.quote(str(judge))} exec {shlex.quote(sys.executable)} -m components "$@"\n')
        self.pulumi_log = workspace.parent / "pulumi.log"
        shim(bin_dir, "pulumi", f'echo "$(basename "$PWD") $*" >> {shlex.quote(str(self.pulumi_log))}\n')
        self.environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        self.environment.update(GIT_ENV, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", RUNNER_TEMP=str(workspace.parent))

    def expression(self, text: str) -> str:
        def value(match: re.Match) -> str:
            name = match[1].strip()
            if step := re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)", name):
                return self.outputs[step[1]][step[2]]
            return self.expressions[name]

        return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))

    def run(self, step: dict) -> subprocess.CompletedProcess:
        output = self.workspace.parent / f"output-{step['id']}"
        output.write_text("")
        environment = {**self.environment, "GITHUB_OUTPUT": str(output), **{k: self.expression(v) for k, v in step.get("env", {}).items()}}
        result = subprocess.run([*BASH, step["run"]], cwd=self.workspace / step.get("working-directory", "."), env=environment,
                                capture_output=True, text=True, timeout=300)
        self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        return result

    def pulumi_calls(self) -> list[str]:
        return self.pulumi_log.read_text().splitlines() if self.pulumi_log.exists() else []


def pull_request(tmp_path: Path, source: Path = LIBRARY_PROJECT, files: tuple[str, ...] | None = None) -> tuple[Path, Path]:
    """A repository on main (the base) and ``workspace/change``: a clone on a branch, as a pull request's checkout."""
    base = make_repo(tmp_path / "origin", source, files)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    git(workspace, "clone", "-q", str(base), "change")
    git(workspace / "change", "checkout", "-q", "-b", "bump")
    return base, workspace / "change"


def test_a_tag_bump_pull_request_is_guarded_then_previewed_and_deployed_on_merge(tmp_path, monkeypatch):
    base, change = pull_request(tmp_path)
    replace_in(change / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    git(change, "commit", "-qam", "prod: api 2.0.1")
    runner = Runner(change.parent, REPOSITORY, {"github.base_ref": "main", "secrets.PULUMI_ACCESS_TOKEN": "token"})
    guard = steps("guard")
    assert runner.run(guard["stacks"]).returncode == 0 and runner.outputs["stacks"] == {"stacks": "prod"}
    result = runner.run(guard["guard"])
    assert (result.returncode, result.stdout) == (0, "ok: stack prod changes only image tags or digests since origin/main (2 images changed)\n"), result.stderr
    assert runner.run(guard["preview"]).returncode == 0
    assert runner.pulumi_calls() == ["change preview --stack prod --diff"]

    # merged: the push holds the bump; the up job deploys the stacks it changed
    before = git(change, "rev-parse", "main").strip()
    git(change, "checkout", "-q", "main")
    git(change, "merge", "-q", "--ff-only", "bump")
    runner.pulumi_log.unlink()
    up = steps("up")
    runner = Runner(change.parent, REPOSITORY, {"github.event.before": before, "secrets.PULUMI_ACCESS_TOKEN": "token"})
    runner.workspace = change  # the up job checks out at the workspace's root
    assert runner.run(up["stacks"]).returncode == 0 and runner.outputs["stacks"] == {"stacks": "prod"}
    assert runner.run(up["up"]).returncode == 0
    assert runner.pulumi_calls() == ["change up --yes --stack prod"]


def test_the_base_branchs_code_judges_a_change_that_edits_the_library_and_its_guard(tmp_path):
    """This repository's layout: the library beside the program. The change bumps a tag, makes the execution role's
    policy ``Resource: "*"`` and makes its own ``check`` always pass; the base branch's ``check`` lists it all."""
    project = tmp_path / "project"
    shutil.copytree(LIBRARY_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPOSITORY / "components", project / "components", ignore=shutil.ignore_patterns("__pycache__"))
    replace_in(project / "jobs.json", '"command":', '"secrets": [{"name": "DB", "valueFrom": "/fixture/db"}],\n      "command":')
    base, change = pull_request(tmp_path, project)
    replace_in(change / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    replace_in(change / "components" / "iam_policy.py", '"Resource": arns["ssm"]}', '"Resource": "*"}')
    replace_in(change / "components" / "release_diff.py", '    """``check``: exit 1 listing every change other than an image tag or digest since ``against_ref``."""\n',
               '    """``check``: exit 1 listing every change other than an image tag or digest since ``against_ref``."""\n'
               '    return f"ok: stack {stack} changes only image tags or digests since {against_ref}", 0\n')
    git(change, "commit", "-qam", "prod: api 2.0.1, and a few other things")

    own = Runner(change.parent, change, {"github.base_ref": "main"})  # the premise: the change's own guard is fooled
    own.run(steps("guard")["stacks"])
    fooled = own.run(steps("guard")["guard"])
    assert (fooled.returncode, fooled.stdout) == (0, "ok: stack prod changes only image tags or digests since origin/main\n")

    runner = Runner(change.parent, base, {"github.base_ref": "main"})  # the workflow: the base branch's ecs-release
    assert runner.run(steps("guard")["stacks"]).returncode == 0 and runner.outputs["stacks"] == {"stacks": "prod"}
    result = runner.run(steps("guard")["guard"])
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        "stack prod changes more than image tags since origin/main (4):",
        "  components/iam_policy.py: modified (not a stack file)",
        "  components/release_diff.py: modified (not a stack file)",
        "  jobs-execution-secrets.policy.Statement[-]: Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/fixture/db (Sid ReadParameters)",
        "  jobs-execution-secrets.policy.Statement[+]: Allow ssm:GetParameters on * (Sid ReadParameters)",
    ]


def test_changed_stacks_are_found_by_the_stack_directory_pulumi_yaml_names(tmp_path):
    """Added, modified and deleted stack files, committed or not, in a project below the repository's top; other files are not stacks."""
    repo = tmp_path / "repo"
    shutil.copytree(LIBRARY_PROJECT, repo / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "infra" / "Pulumi.other.yaml").write_text("config: {}\n")  # not in stackConfigDir: not a stack file
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "initial")
    stacks = repo / "infra" / "stacks"
    replace_in(stacks / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    git(repo, "commit", "-qam", "prod")
    (stacks / "Pulumi.dev.yaml").unlink()
    (stacks / "Pulumi.qa.yaml").write_text("config: {}\n")
    (repo / "infra" / "Pulumi.other.yaml").write_text("config: {a: 1}\n")
    (repo / "infra" / "services.py").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "components", "changed-stacks", "--against-ref", "HEAD~1", "--project-dir", "infra"],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(REPOSITORY)}, capture_output=True, text=True, timeout=60,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "dev\nprod\nqa\n", "")
