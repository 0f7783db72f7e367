"""``check``, the tag-only guard: each way around it that issue 10 lists, together with a tag bump, fails naming the change.

One git repository for the module: the library fixture project, committed with 3 tasks, a private network, an
awslogs log group and a task role for prod's api service, and autoscaling (1 to 3 tasks) for prod's jobs service.
The ref is recorded once (a commit never changes). A change to more than stack files runs its program in a process
of its own, so those checks run side by side, each in a clone of its own (``checked``); the other tests edit the
module's repository in place and put it back.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from components.release_diff import ReleaseDiffError, changed_files, changed_stacks, check_command, resolve_ref, stack_file_problems
from tests.gitrepo import git, make_repo, replace_in

XRAY = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROD_SERVICE = '"desired_count": 2,'
BASE_PROD_SERVICE = '"desired_count": 3, "network": {"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-0a"], "assign_public_ip": False},'
JOBS_PROD_SERVICE = '"service": {"cluster": PROD_CLUSTER}, "release": PRODUCTION}'
BASE_JOBS_PROD_SERVICE = '"service": {"cluster": PROD_CLUSTER, "autoscaling": {"min_tasks": 1, "max_tasks": 3}}, "release": PRODUCTION}'
BASE_PROD_TASK = f'"task": {{"log_retention_days": 90, "task_role_policy_arns": ["{XRAY}"]}}, "service": {{'
API_CONTAINER = 'ContainerDefinition(name="api", image=image, port_mappings=[PortMapping(container_port=8000)])'
LOGGED_API_CONTAINER = (
    'ContainerDefinition(name="api", image=image, port_mappings=[PortMapping(container_port=8000)], '
    'log_configuration=LogConfiguration(log_driver="awslogs", options={"awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api"}))'
)
PROD_FILE = "stacks/Pulumi.prod.yaml"
TAG_BUMP = ('apiTag: "2.0.0"', 'apiTag: "2.0.1"')
MODIFIED = "services.py: modified (not a stack file)"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("guard") / "project")
    services = repo / "services.py"
    replace_in(services, "from components.spec import ContainerDefinition,", "from components.spec import ContainerDefinition, LogConfiguration,")
    replace_in(services, API_CONTAINER, LOGGED_API_CONTAINER)
    replace_in(services, PROD_SERVICE, BASE_PROD_SERVICE)
    replace_in(services, JOBS_PROD_SERVICE, BASE_JOBS_PROD_SERVICE)
    replace_in(services, '"task_definition": {"cpu": "512", "memory": "1024"},\n            "service": {',
               '"task_definition": {"cpu": "512", "memory": "1024"},\n            ' + BASE_PROD_TASK)
    git(repo, "commit", "-qam", "prod: private network, autoscaling, logs, a task role")
    return repo


@pytest.fixture
def repo(base, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path
    yield base
    git(base, "checkout", "-q", "--", ".")
    git(base, "clean", "-qfd")


def check(repo: Path, *edits: tuple[str, str, str]) -> tuple[int, list[str]]:
    """Apply ``(file, old, new)`` edits and a tag bump; ``check --stack prod --against-ref HEAD``: its status and problem lines."""
    for path, old, new in [*edits, (PROD_FILE, *TAG_BUMP)]:
        replace_in(repo / path, old, new)
    text, code = check_command(repo, "prod", "HEAD")
    lines = text.splitlines()
    if code:
        assert lines[0] == f"stack prod changes more than image tags since HEAD ({len(lines) - 1}):"
    return code, [line.removeprefix("  ") for line in lines[1:]]


BYPASSES = {
    "administrator-access-on-the-task-role": [("services.py", f'["{XRAY}"]', f'["{XRAY}", "{ADMIN}"]')],
    "assign-public-ip": [("services.py", '"assign_public_ip": False', '"assign_public_ip": True')],
    "autoscaling-max-3-to-200": [("services.py", '"max_tasks": 3', '"max_tasks": 200')],
    "desired-count-3-to-5": [("services.py", '"desired_count": 3', '"desired_count": 5')],
    "another-subnet": [("services.py", '["subnet-0a", "subnet-0b"]', '["subnet-0a", "subnet-0b", "subnet-0c"]')],
    "log-retention-90-to-1": [("services.py", '"log_retention_days": 90', '"log_retention_days": 1')],
    "keep-revisions-1": [("services.py", '"keep_revisions": 5', '"keep_revisions": 1')],
    "production-false-and-latest": [("services.py", '"production": True', '"production": False'), (PROD_FILE, 'jobsTag: "1.0.0"', 'jobsTag: "latest"')],
    "a-program-that-ends-its-process": [("services.py", '"""The fixture project', 'import os\nprint("ok: nothing changed")\nos._exit(0)\n"""The fixture project')],
}
"""Changes to more than stack files, each with a tag bump: checked side by side, each in a clone of its own."""


@pytest.fixture(scope="module")
def checked(base, tmp_path_factory) -> dict[str, tuple[int, list[str]] | Exception]:
    """Each of :data:`BYPASSES` checked: its status and problem lines, or the error it raised."""
    ok = tmp_path_factory.mktemp("checked") / "tag-bump"
    git(base.parent, "clone", "-q", str(base), str(ok))
    path = list(sys.path)
    try:
        assert check(ok) == (0, [])  # records the ref, once, before the checks below run side by side
    finally:
        sys.path[:] = path  # run_program adds the project directory to sys.path

    def run(name: str) -> tuple[int, list[str]] | Exception:
        clone = ok.parent / name
        git(base.parent, "clone", "-q", str(base), str(clone))
        for path, old, new in BYPASSES[name]:
            replace_in(clone / path, old, new)
        try:
            return check(clone)
        except ReleaseDiffError as error:
            return error

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(BYPASSES, pool.map(run, BYPASSES)))


def test_a_pure_tag_bump_passes(repo):
    replace_in(repo / PROD_FILE, 'jobsTag: "1.0.0"', 'jobsTag: "1.0.1"')
    replace_in(repo / PROD_FILE, *TAG_BUMP)
    assert check_command(repo, "prod", "HEAD") == ("ok: stack prod changes only image tags or digests since HEAD (3 images changed)", 0)
    assert changed_stacks(repo, "HEAD") == ["prod"]


@pytest.mark.parametrize(
    "name, problems",
    [
        pytest.param("administrator-access-on-the-task-role", [
            f"api-task-AdministratorAccess: added: {ATTACHMENT}", f"api-task-AdministratorAccess.policyArn: (absent) → {ADMIN}",
            "api-task-AdministratorAccess.role: (absent) → fixture-api-prod-task"], id="administrator-access-on-the-task-role"),
        pytest.param("assign-public-ip", ["api-rollout.deployment.network.assign_public_ip: false → true",
                                          "api-service.networkConfiguration.assignPublicIp: false → true"], id="assign-public-ip"),
        pytest.param("autoscaling-max-3-to-200", ["jobs-scaling.maxCapacity: 3 → 200"], id="autoscaling-max-3-to-200"),
        pytest.param("desired-count-3-to-5", ["api-service.desiredCount: 3 → 5"], id="desired-count-3-to-5"),
        pytest.param("another-subnet", ["api-rollout.deployment.network.subnets[+]: subnet-0c",
                                        "api-service.networkConfiguration.subnets[+]: subnet-0c"], id="another-subnet"),
        pytest.param("log-retention-90-to-1", ["api-logs.retentionInDays: 90 → 1"], id="log-retention-90-to-1"),
        pytest.param("keep-revisions-1", ["api-retention.keep: 5 → 1", "jobs-retention.keep: 5 → 1"], id="keep-revisions-1"),
        # production off registers the same resources: the changed file is the reason (and a mutable tag slipped in)
        pytest.param("production-false-and-latest", [], id="production-false"),
    ],
)
def test_each_bypass_with_a_tag_bump_fails_naming_the_change(checked, name, problems):
    assert checked[name] == (1, [MODIFIED, *problems])


def test_every_changed_file_counts_untracked_and_deleted_ones_too(repo):
    (repo / "notes.txt").write_text("deploy on Friday\n")
    (repo / "stacks" / "Pulumi.qa.yaml").write_text("config: {}\n")
    (repo / "stacks" / "Pulumi.dev.yaml").unlink()
    replace_in(repo / "jobs.json", '"cpu": "256"', '"cpu": "512"')
    git_ref = resolve_ref(repo, "HEAD")
    files = changed_files(git_ref)
    assert files == {"jobs.json": "modified", "notes.txt": "untracked", "stacks/Pulumi.dev.yaml": "deleted", "stacks/Pulumi.qa.yaml": "untracked"}
    assert stack_file_problems(repo, git_ref, files) == [
        "stacks/Pulumi.dev.yaml: deleted (a stack file added or deleted is more than a tag change)",
        "stacks/Pulumi.qa.yaml: untracked (a stack file added or deleted is more than a tag change)",
    ]
    assert changed_stacks(repo, "HEAD") == ["dev", "qa"]


def test_a_changed_program_runs_in_a_process_of_its_own(checked):
    """A program that ends its process claiming success at import cannot end the process judging it: run in this
    one, it would have ended the test run with status 0."""
    error = checked["a-program-that-ends-its-process"]
    assert isinstance(error, ReleaseDiffError)
    assert str(error) == "rendering stack prod now: the program stopped before it finished (exit status 0)"


@pytest.mark.parametrize(
    "edit, problems",
    [
        pytest.param((PROD_FILE, "aws:region: eu-west-1", "aws:region: us-east-1"), [
            f"{PROD_FILE}: config aws:region: eu-west-1 → us-east-1",
            "api-retention.aws.region: eu-west-1 → us-east-1", "api-retention.region: eu-west-1 → us-east-1",
            "api-rollout.aws.region: eu-west-1 → us-east-1", "api-rollout.region: eu-west-1 → us-east-1",
            "jobs-retention.aws.region: eu-west-1 → us-east-1", "jobs-retention.region: eu-west-1 → us-east-1",
            "jobs-rollout.aws.region: eu-west-1 → us-east-1", "jobs-rollout.region: eu-west-1 → us-east-1",
        ], id="aws-region-changed"),
        pytest.param((PROD_FILE, "aws:region: eu-west-1", "aws:region: eu-west-1\n  aws:profile: admin"), [
            f"{PROD_FILE}: config aws:profile: (absent) → admin",
            "api-retention.aws.profile: (absent) → admin", "api-rollout.aws.profile: (absent) → admin",
            "jobs-retention.aws.profile: (absent) → admin", "jobs-rollout.aws.profile: (absent) → admin",
        ], id="aws-profile-added"),
        pytest.param((PROD_FILE, "config:", "secretsprovider: awskms://alias/other\nconfig:"),
                     [f"{PROD_FILE}: secretsprovider: (absent) → awskms://alias/other"], id="a-key-outside-config"),
        pytest.param(("stacks/Pulumi.dev.yaml", "aws:region: eu-west-1", "aws:region: eu-west-1\n  aws:profile: admin"),
                     ["stacks/Pulumi.dev.yaml: config aws:profile: (absent) → admin"], id="another-stack-file"),
    ],
)
def test_any_stack_file_change_but_a_tag_value_fails(repo, edit, problems):
    assert check(repo, edit) == (1, problems)
