"""``diff`` and ``check``: the structural diff (pure) and the commands against a temporary git repository."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.cli import main
from components.offline import offline_digest
from components.release_diff import (
    Change,
    ImageChange,
    ReleaseDiffError,
    check_command,
    diff_command,
    diff_documents,
    diff_sides,
    format_diff,
    non_image_changes,
)
from tests.gitrepo import git, make_repo, replace_in

REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web"
D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64


def doc(**changes) -> dict:
    document = {
        "family": "f",
        "cpu": "512",
        "containerDefinitions": [
            {"name": "web", "image": f"{REPO}:1.4.1", "cpu": 256, "environment": [{"name": "A", "value": "1"}], "command": ["run"]},
        ],
    }
    for path, value in changes.items():
        document[path] = value
    return document


def container(**fields) -> list[dict]:
    return [{"name": "web", "image": f"{REPO}:1.4.1", "cpu": 256, "environment": [{"name": "A", "value": "1"}], "command": ["run"], **fields}]


@pytest.mark.parametrize(
    "new, changes",
    [
        pytest.param(doc(), [], id="same"),
        pytest.param(doc(cpu="1024"), [Change("cpu", "512", "1024")], id="task-cpu"),
        pytest.param(doc(containerDefinitions=container(cpu=512)), [Change("containerDefinitions[web].cpu", 256, 512)], id="container-cpu-by-name"),
        pytest.param(doc(containerDefinitions=container(environment=[{"name": "A", "value": "2"}])),
                     [Change("containerDefinitions[web].environment[A].value", "1", "2")], id="env-value"),
        pytest.param(doc(containerDefinitions=container(environment=[{"name": "A", "value": "1"}, {"name": "B", "value": ""}])),
                     [Change("containerDefinitions[web].environment[B]", None, {"name": "B", "value": ""})], id="env-added"),
        pytest.param(doc(containerDefinitions=container(command=["run", "--fast"])),
                     [Change("containerDefinitions[web].command", ["run"], ["run", "--fast"])], id="scalar-list-is-one-value"),
        pytest.param(doc(tags=[{"key": "team", "value": "shop"}]), [Change("tags[team]", None, {"key": "team", "value": "shop"})], id="tag-added"),
        pytest.param(doc(containerDefinitions=container(image=f"{REPO}:1.4.2")), [], id="image-only"),
        pytest.param(doc(tags=[{"key": "image.web.tag", "value": "1.4.1"}]), [], id="image-record-tags-ignored"),
    ],
)
def test_other_changes_are_paths(new, changes):
    assert diff_documents("f", doc(), new).changes == changes


@pytest.mark.parametrize(
    "old_image, old_tags, new_image, new_tags, expected",
    [
        pytest.param(f"{REPO}:1.4.1", [], f"{REPO}:1.4.2", [], ImageChange("web", REPO, "1.4.1", "1.4.2"), id="tag"),
        pytest.param(f"{REPO}@{D1}", [{"key": "image.web.tag", "value": "1.4.1"}], f"{REPO}@{D2}", [{"key": "image.web.tag", "value": "1.4.2"}],
                     ImageChange("web", REPO, "1.4.1 (sha256:111111111111)", "1.4.2 (sha256:222222222222)"), id="pinned"),
        pytest.param(f"{REPO}@{D1}", [{"key": "image.web.tag", "value": "1.4.1"}], f"{REPO}@{D2}", [{"key": "image.web.tag", "value": "1.4.1"}],
                     ImageChange("web", REPO, "1.4.1 (sha256:111111111111)", "1.4.1 (sha256:222222222222)"), id="tag-pushed-again"),
        pytest.param(f"{REPO}:1.4.1", [], f"{REPO}@{D1}", [{"key": "image.web.tag", "value": "1.4.1"}],
                     ImageChange("web", REPO, "1.4.1", "1.4.1 (sha256:111111111111)"), id="pinning-turned-on"),
        pytest.param(f"{REPO}:1.4.1", [], f"{REPO}@{D1}", [], ImageChange("web", REPO, "1.4.1", "sha256:111111111111"), id="digest-config"),
        pytest.param(f"{REPO}:1.4.1", [], "other/web:1.4.1", [], ImageChange("web", f"{REPO} → other/web", "1.4.1", "1.4.1"), id="repository"),
    ],
)
def test_image_changes_are_one_line_each(old_image, old_tags, new_image, new_tags, expected):
    old = doc(containerDefinitions=container(image=old_image), tags=old_tags)
    new = doc(containerDefinitions=container(image=new_image), tags=new_tags)
    result = diff_documents("f", old, new)
    assert (result.images, result.changes) == ([expected], [])


def test_format_and_check_lines():
    new = doc(cpu="1024", containerDefinitions=container(image=f"{REPO}:1.4.2", cpu=512))
    diffs = diff_sides({"f": doc()}, {"f": new, "g": doc(family="g")})
    assert format_diff(diffs, "prod at HEAD", "prod now") == "\n".join([
        "prod at HEAD → prod now",
        "f",
        f"  web  {REPO}  1.4.1 → 1.4.2",
        "  containerDefinitions[web].cpu: 256 → 512",
        "  cpu: 512 → 1024",
        "g",
        "  (absent) → registered",
    ])
    assert non_image_changes(diffs) == ["f.containerDefinitions[web].cpu: 256 → 512", "f.cpu: 512 → 1024", "g: (absent) → registered"]
    assert format_diff([], "a", "b") == "no changes: b registers what a registers"


# --- the commands, against a temporary git repository holding a copy of the library fixture project -------


API = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture/api"
JOBS = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture/jobs"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path
    return make_repo(tmp_path / "project")


def test_diff_shows_a_tag_bump_as_image_lines_only(repo):
    replace_in(repo / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    text, code = diff_command(repo, "prod", {})
    old, new = offline_digest("fixture/api", "2.0.0")[:19], offline_digest("fixture/api", "2.0.1")[:19]
    assert (text, code) == ("\n".join([
        "prod at HEAD → prod now",
        "fixture-api-prod",  # the jobs service's task definition did not change: not listed
        f"  api      {API}  2.0.0 ({old}) → 2.0.1 ({new})",
        f"  migrate  {API}  2.0.0 ({old}) → 2.0.1 ({new})",
    ]), 1)
    assert diff_command(repo, "prod", {"apiTag": "2.0.0"}) == ("no changes: prod now with apiTag=2.0.0 registers what prod at HEAD registers", 0)


def test_diff_against_an_older_ref_and_against_another_stack(repo):
    replace_in(repo / "stacks" / "Pulumi.dev.yaml", 'jobsTag: "1.0.0"', 'jobsTag: "1.0.1"')
    git(repo, "commit", "-qam", "dev: jobs 1.0.1")
    text, code = diff_command(repo, "dev", {}, against_ref="HEAD~1")
    assert (code, text.splitlines()) == (1, ["dev at HEAD~1 → dev now", "fixture-jobs-dev", f"  jobs  {JOBS}  1.0.0 → 1.0.1"])
    text, code = diff_command(repo, "prod", {}, against_stack="staging")
    lines = text.splitlines()
    assert code == 1 and lines[0] == "stack staging → stack prod"
    assert {"api-taskdef", "jobs-taskdef"} <= set(lines)  # matched by logical resource name
    assert {"  cpu: 256 → 512", "  family: fixture-api-staging → fixture-api-prod", "  memory: 512 → 1024",
            "  family: fixture-jobs-staging → fixture-jobs-prod"} <= set(lines)


def test_check_passes_a_tag_bump_and_fails_anything_else(repo, capsys):
    replace_in(repo / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    assert check_command(repo, "prod", "HEAD") == ("ok: stack prod changes only image tags or digests since HEAD (2 images changed)", 0)
    replace_in(repo / "services.py", '"task_definition": {"cpu": "512", "memory": "1024"}', '"task_definition": {"cpu": "1024", "memory": "2048"}')
    text, code = check_command(repo, "prod", "HEAD")  # each run imports the project's own services.py afresh
    assert code == 1 and text.splitlines() == [
        "stack prod changes more than image tags since HEAD (2):",
        "  fixture-api-prod.cpu: 512 → 1024",
        "  fixture-api-prod.memory: 1024 → 2048",
    ]
    assert main(["check", "--stack", "prod", "--against-ref", "HEAD", "--project-dir", str(repo)]) == 1
    assert capsys.readouterr() == (text + "\n", "")


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(["diff", "--stack", "prod", "--against-ref", "no-such-branch"], 'error: unknown git ref "no-such-branch"; give a commit', id="unknown-ref"),
        pytest.param(["check", "--stack", "prod", "--against-ref=--all"], 'error: "--all" is not a git ref', id="option-as-ref"),
        pytest.param(["diff", "--stack", "qa"], 'error: rendering stack qa at HEAD: unknown stack "qa"', id="unknown-stack"),
        pytest.param(["check", "--stack", "prod"], "error: the following arguments are required: --against-ref", id="check-needs-ref"),
        pytest.param(["diff", "--stack", "prod", "--against-ref", "HEAD", "--against-stack", "dev"], "error: argument --against-stack: not allowed with argument --against-ref", id="two-sides"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(capsys, repo, argv, message):
    code = main([*argv, "--project-dir", str(repo)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1


def test_outside_a_git_repository_the_ref_side_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(ReleaseDiffError, match="is not in a git repository; use --against-stack"):
        diff_command(tmp_path, "prod", {})


def test_the_cli_exit_status_says_whether_anything_differs(capsys, repo):
    assert main(["diff", "--stack", "dev", "--against-stack", "dev", "--project-dir", str(repo)]) == 0
    assert capsys.readouterr().out == "no changes: stack dev registers what stack dev registers\n"
    assert main(["diff", "--stack", "dev", "--against-stack", "dev", "--set", "apiTag=2.0.0", "--project-dir", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "  migrate  " in out and "jobs-taskdef" not in out


TAGS = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
DIGESTS = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(old=st.one_of(TAGS, DIGESTS), new=st.one_of(TAGS, DIGESTS), cpu=st.sampled_from(["256", "512", "1024"]))
def test_a_version_change_is_an_image_line_and_never_a_check_problem(old, new, cpu):
    def versioned(version: str) -> dict:
        image = f"{REPO}@{version}" if version.startswith("sha256:") else f"{REPO}:{version}"
        return doc(cpu=cpu, containerDefinitions=container(image=image), tags=[{"key": "image.web.tag", "value": version}])

    result = diff_documents("f", versioned(old), versioned(new))
    assert result.changes == [] and non_image_changes([result]) == []
    assert len(result.images) == (old != new)
    assert diff_documents("f", versioned(old), {**versioned(new), "cpu": "2048"}).changes == [Change("cpu", cpu, "2048")]
