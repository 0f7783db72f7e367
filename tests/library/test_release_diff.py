"""``diff`` and ``check``: the structural diff of two records (pure) and the commands against a temporary git repository."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.cli import main
from components.offline import offline_digest
from components.release_diff import (
    TASK_DEFINITION_TYPE,
    Change,
    ImageChange,
    ReleaseDiffError,
    check_command,
    diff_command,
    diff_resource,
    diff_sides,
    format_diff,
    non_image_changes,
    side_from_record,
)
from tests.gitrepo import git, make_repo, replace_in

REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web"
D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "gASV"}


def container(**fields) -> dict:
    return {"name": "web", "image": f"{REPO}:1.4.1", "cpu": 256, "environment": [{"name": "A", "value": "1"}], "command": ["run"], **fields}


def taskdef(containers: list[dict] | None = None, name: str = "web-taskdef", **inputs) -> dict:
    """A task definition as the mock runtime records it: containerDefinitions a JSON string, tags a map."""
    containers = [container()] if containers is None else containers
    inputs = {"family": "f", "cpu": "512", "containerDefinitions": json.dumps(containers), **inputs}
    inputs["tags"] = {"release.stack": "p/s", **inputs.get("tags", {})}
    return {"type": TASK_DEFINITION_TYPE, "name": name, "inputs": inputs}


def resource(logical_name: str, type_: str, **inputs) -> dict:
    return {"type": type_, "name": logical_name, "inputs": inputs}


def record(*resources: dict, outputs: dict | None = None) -> dict:
    return {"resources": list(resources), "outputs": outputs or {}}


def changes_of(old: dict, new: dict) -> list[Change]:
    """The changes of the one resource both single-resource records hold."""
    (name, before), = side_from_record(record(old)).resources.items()
    after = side_from_record(record(new)).resources[name]
    return diff_resource(name, before, after).changes


@pytest.mark.parametrize(
    "new, changes",
    [
        pytest.param(taskdef(), [], id="same"),
        pytest.param(taskdef(cpu="1024"), [Change("cpu", "512", "1024")], id="task-cpu"),
        pytest.param(taskdef([container(cpu=512)]), [Change("containerDefinitions[web].cpu", 256, 512)], id="container-cpu-by-name"),
        pytest.param(taskdef([container(environment=[{"name": "A", "value": "2"}])]),
                     [Change("containerDefinitions[web].environment[A].value", "1", "2")], id="env-value"),
        pytest.param(taskdef([container(environment=[{"name": "A", "value": "1"}, {"name": "B", "value": ""}])]),
                     [Change("containerDefinitions[web].environment[B]", None, {"name": "B", "value": ""})], id="env-added"),
        pytest.param(taskdef([container(command=["run", "--fast"])]), [Change("containerDefinitions[web].command[+]", None, "--fast")],
                     id="plain-list-gained-an-item"),
        pytest.param(taskdef([container(command=[])]), [Change("containerDefinitions[web].command[-]", "run", None)], id="plain-list-lost-an-item"),
        pytest.param(taskdef([container(command=["go"])]), [Change("containerDefinitions[web].command", ["run"], ["go"])],
                     id="plain-list-replaced-is-one-value"),
        pytest.param(taskdef(tags={"team": "shop"}), [Change("tags.team", None, "shop")], id="tag-added"),
        pytest.param(taskdef(tags={"release.stack": "p/t"}), [Change("tags[release.stack]", "p/s", "p/t")], id="map-key-with-dots"),
        pytest.param(taskdef([container(image=f"{REPO}:1.4.2")]), [], id="image-only"),
        pytest.param(taskdef(tags={"image.web.tag": "1.4.1", "image.web.digest": D1}), [], id="image-record-tags-ignored"),
        pytest.param(taskdef(skipDestroy=False), [Change("skipDestroy", None, False)], id="an-input-outside-the-api-document"),
        pytest.param(taskdef([container(), {"name": "sidecar", "image": "x/y:1"}]),
                     [Change("containerDefinitions[sidecar]", None, {"name": "sidecar", "image": "x/y:1"})], id="container-added-whole"),
    ],
)
def test_other_changes_are_paths(new, changes):
    assert changes_of(taskdef(), new) == changes


@pytest.mark.parametrize(
    "old_image, old_tags, new_image, new_tags, expected",
    [
        pytest.param(f"{REPO}:1.4.1", {}, f"{REPO}:1.4.2", {}, ImageChange("web", REPO, "1.4.1", "1.4.2"), id="tag"),
        pytest.param(f"{REPO}@{D1}", {"image.web.tag": "1.4.1"}, f"{REPO}@{D2}", {"image.web.tag": "1.4.2"},
                     ImageChange("web", REPO, "1.4.1 (sha256:111111111111)", "1.4.2 (sha256:222222222222)"), id="pinned"),
        pytest.param(f"{REPO}@{D1}", {"image.web.tag": "1.4.1"}, f"{REPO}@{D2}", {"image.web.tag": "1.4.1"},
                     ImageChange("web", REPO, "1.4.1 (sha256:111111111111)", "1.4.1 (sha256:222222222222)"), id="tag-pushed-again"),
        pytest.param(f"{REPO}:1.4.1", {}, f"{REPO}@{D1}", {"image.web.tag": "1.4.1"},
                     ImageChange("web", REPO, "1.4.1", "1.4.1 (sha256:111111111111)"), id="pinning-turned-on"),
        pytest.param(f"{REPO}:1.4.1", {}, f"{REPO}@{D1}", {}, ImageChange("web", REPO, "1.4.1", "sha256:111111111111"), id="digest-config"),
        pytest.param(f"{REPO}:1.4.1", {}, "other/web:1.4.1", {}, ImageChange("web", f"{REPO} → other/web", "1.4.1", "1.4.1"), id="repository"),
    ],
)
def test_image_changes_are_one_line_each(old_image, old_tags, new_image, new_tags, expected):
    old, new = side_from_record(record(taskdef([container(image=old_image)], tags=old_tags))), side_from_record(
        record(taskdef([container(image=new_image)], tags=new_tags))
    )
    result = diff_resource("web-taskdef", old.resources["web-taskdef"], new.resources["web-taskdef"])
    assert (result.images, result.changes) == ([expected], [])


SERVICE = "aws:ecs/service:Service"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ = {"Sid": "ReadParameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": ["arn:aws:ssm:eu-west-1:123456789012:parameter/db"]}
TRUST = {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}


@pytest.mark.parametrize(
    "old, new, lines",
    [
        pytest.param(resource("web-service", SERVICE, desiredCount=3.0), resource("web-service", SERVICE, desiredCount=5.0),
                     ["web-service.desiredCount: 3 → 5"], id="mock-floats-read-as-integers"),
        pytest.param(resource("web-service", SERVICE, desiredCount=3.0), resource("web-service", SERVICE, desiredCount=3),
                     [], id="integral-float-equals-int"),
        pytest.param(resource("web-service", SERVICE, networkConfiguration={"subnets": ["subnet-a"], "assignPublicIp": False}),
                     resource("web-service", SERVICE, networkConfiguration={"subnets": ["subnet-a", "subnet-b"], "assignPublicIp": True}),
                     ["web-service.networkConfiguration.assignPublicIp: false → true", "web-service.networkConfiguration.subnets[+]: subnet-b"],
                     id="service-network"),
        pytest.param(resource("web-task-role", ROLE, managedPolicyArns=["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"]),
                     resource("web-task-role", ROLE, managedPolicyArns=["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
                                                                        "arn:aws:iam::aws:policy/AdministratorAccess"]),
                     ["web-task-role.managedPolicyArns[+]: arn:aws:iam::aws:policy/AdministratorAccess"], id="managed-policy-arns"),
        pytest.param(resource("web-execution-secrets", ROLE_POLICY, policy=policy(READ)),
                     resource("web-execution-secrets", ROLE_POLICY, policy=policy({**READ, "Resource": "*"})),
                     ["web-execution-secrets.policy.Statement[-]: Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/db (Sid ReadParameters)",
                      "web-execution-secrets.policy.Statement[+]: Allow ssm:GetParameters on * (Sid ReadParameters)"], id="policy-resource-star"),
        pytest.param(resource("web-execution-secrets", ROLE_POLICY, policy=policy(READ)),
                     resource("web-execution-secrets", ROLE_POLICY, policy=json.dumps(json.loads(policy(READ)), indent=4)),
                     [], id="policy-json-layout-is-no-change"),
        pytest.param(resource("web-execution-secrets", ROLE_POLICY, policy=policy(READ)),
                     resource("web-execution-secrets", ROLE_POLICY, policy=policy({**READ, "Action": ["ssm:GetParameters", "ssm:PutParameter"],
                                                                                  "Condition": {"Bool": {"aws:SecureTransport": "true"}}})),
                     ["web-execution-secrets.policy.Statement[-]: Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/db (Sid ReadParameters)",
                      'web-execution-secrets.policy.Statement[+]: Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/db with {"Condition":{"Bool":{"aws:SecureTransport":"true"}}} (Sid ReadParameters)',
                      'web-execution-secrets.policy.Statement[+]: Allow ssm:PutParameter on arn:aws:ssm:eu-west-1:123456789012:parameter/db with {"Condition":{"Bool":{"aws:SecureTransport":"true"}}} (Sid ReadParameters)'],
                     id="policy-action-and-condition"),
        pytest.param(resource("web-task-role", ROLE, assumeRolePolicy=policy(TRUST)),
                     resource("web-task-role", ROLE, assumeRolePolicy=policy({**TRUST, "Principal": {"AWS": "*"}})),
                     ["web-task-role.assumeRolePolicy.Statement[-]: Allow sts:AssumeRole for Service ecs-tasks.amazonaws.com",
                      "web-task-role.assumeRolePolicy.Statement[+]: Allow sts:AssumeRole for AWS *"], id="trust-policy-principal"),
        pytest.param(resource("web-retention", "pulumi-python:dynamic:RevisionRetention", __provider=SECRET, keep=10.0),
                     resource("web-retention", "pulumi-python:dynamic:RevisionRetention", __provider={**SECRET, "value": "gASW"}, keep=10.0),
                     ["web-retention.__provider: [secret] → [secret]"], id="secret-compared-not-shown"),
        pytest.param(resource("web-thing", SERVICE, name="a"), resource("web-thing", ROLE, name="a"),
                     [f"web-thing: type: {SERVICE} → {ROLE}"], id="type-changed"),
    ],
)
def test_every_resource_is_compared_input_by_input(old, new, lines):
    assert non_image_changes(diff_sides(side_from_record(record(old)), side_from_record(record(new)))) == lines


def test_an_added_attachment_is_added_with_its_inputs_and_a_removed_resource_removed():
    xray = resource("web-task-xray", ATTACHMENT, policyArn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess", role="r")
    admin = resource("web-task-AdministratorAccess", ATTACHMENT, policyArn="arn:aws:iam::aws:policy/AdministratorAccess", role="r")
    diffs = diff_sides(side_from_record(record(xray)), side_from_record(record(admin)))
    assert non_image_changes(diffs) == [
        f"web-task-AdministratorAccess: added: {ATTACHMENT}",
        "web-task-AdministratorAccess.policyArn: (absent) → arn:aws:iam::aws:policy/AdministratorAccess",
        "web-task-AdministratorAccess.role: (absent) → r",
        f"web-task-xray: removed: {ATTACHMENT}",
        "web-task-xray.policyArn: arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess → (absent)",
        "web-task-xray.role: r → (absent)",
    ]


def test_an_added_policy_lists_its_grants():
    added = resource("web-execution-secrets", ROLE_POLICY, role="r", policy=policy(READ))
    assert non_image_changes(diff_sides(side_from_record(record()), side_from_record(record(added)))) == [
        f"web-execution-secrets: added: {ROLE_POLICY}",
        "web-execution-secrets.policy.Statement[+]: Allow ssm:GetParameters on arn:aws:ssm:eu-west-1:123456789012:parameter/db (Sid ReadParameters)",
        "web-execution-secrets.policy.Version: (absent) → 2012-10-17",
        "web-execution-secrets.role: (absent) → r",
    ]


def pointing(revision: str, family: str = "f") -> list[dict]:
    return [resource("web-service", SERVICE, taskDefinition=f"{ARN}/{family}:{revision}"),
            resource("web-retention", "pulumi-python:dynamic:RevisionRetention", current=f"{ARN}/{family}:{revision}",
                     protect=[f"{ARN}/{family}:{revision}"], family=family)]


def test_a_revision_of_a_registered_task_definition_reads_as_that_resource():
    old = record(taskdef(), *pointing("1"))
    bumped = record(taskdef([container(image=f"{REPO}:1.4.2")]), *pointing("2"))
    diffs = diff_sides(side_from_record(old), side_from_record(bumped), follow_revisions=True)
    assert non_image_changes(diffs) == []  # the service and the retention follow the new revision: no change of theirs
    assert format_diff(diffs, "a", "b").splitlines() == [
        "a → b", "web-taskdef", f"  web  {REPO}  1.4.1 → 1.4.2", "  new revision, used by: web-service, web-retention",
    ]
    elsewhere = record(taskdef(), *pointing("7", family="other"))  # a family the side does not register: compared as written
    assert non_image_changes(diff_sides(side_from_record(old), side_from_record(elsewhere))) == [
        "web-retention.current: (revision of web-taskdef) → arn:aws:ecs:eu-west-1:123456789012:task-definition/other:7",
        "web-retention.family: f → other",
        "web-retention.protect: [\"(revision of web-taskdef)\"] → [\"arn:aws:ecs:eu-west-1:123456789012:task-definition/other:7\"]",
        "web-service.taskDefinition: (revision of web-taskdef) → arn:aws:ecs:eu-west-1:123456789012:task-definition/other:7",
    ]


def test_outputs_that_repeat_an_image_are_not_changes_other_outputs_are():
    def exported(tag: str, name: str) -> dict:
        return {"web": {"imageTags": {"web": tag}, "images": {"web": f"{REPO}:{tag}"}, "serviceName": name, "taskDefinitionArn": f"{ARN}/f:{tag[-1]}"}}

    old = record(taskdef(), outputs=exported("1.4.1", "web"))
    new = record(taskdef([container(image=f"{REPO}:1.4.2")]), outputs=exported("1.4.2", "web"))
    assert non_image_changes(diff_sides(side_from_record(old), side_from_record(new))) == []
    renamed = record(taskdef([container(image=f"{REPO}:1.4.2")]), outputs={**exported("1.4.2", "shop-web"), "extra": 1.0})
    diffs = diff_sides(side_from_record(old), side_from_record(renamed))
    assert non_image_changes(diffs) == ["stack outputs: extra: (absent) → 1", "stack outputs: web.serviceName: web → shop-web"]
    assert format_diff(diffs, "a", "b").splitlines()[-3:] == ["stack outputs", "  extra: (absent) → 1", "  web.serviceName: web → shop-web"]


def test_format_and_check_lines():
    old = record(taskdef(), resource("web-service", SERVICE, desiredCount=3.0))
    new = record(taskdef([container(image=f"{REPO}:1.4.2", cpu=512)], cpu="1024"), taskdef(name="jobs-taskdef", family="g"),
                 resource("web-service", SERVICE, desiredCount=5.0))
    diffs = diff_sides(side_from_record(old), side_from_record(new))
    assert format_diff(diffs, "prod at HEAD", "prod now") == "\n".join([
        "prod at HEAD → prod now",
        "web-taskdef",  # image lines first
        f"  web  {REPO}  1.4.1 → 1.4.2",
        "  containerDefinitions[web].cpu: 256 → 512",
        "  cpu: 512 → 1024",
        "jobs-taskdef",
        f"  added: {TASK_DEFINITION_TYPE}",
        f"  containerDefinitions[web]: (absent) → {json.dumps(container(), sort_keys=True, separators=(',', ':'))}",
        "  cpu: (absent) → 512",
        "  family: (absent) → g",
        "  tags[release.stack]: (absent) → p/s",
        "web-service",
        "  desiredCount: 3 → 5",
    ])
    assert non_image_changes(diffs) == [
        "web-taskdef.containerDefinitions[web].cpu: 256 → 512",
        "web-taskdef.cpu: 512 → 1024",
        f"jobs-taskdef: added: {TASK_DEFINITION_TYPE}",
        f"jobs-taskdef.containerDefinitions[web]: (absent) → {json.dumps(container(), sort_keys=True, separators=(',', ':'))}",
        "jobs-taskdef.cpu: (absent) → 512",
        "jobs-taskdef.family: (absent) → g",
        "jobs-taskdef.tags[release.stack]: (absent) → p/s",
        "web-service.desiredCount: 3 → 5",
    ]
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
        "api-taskdef",  # the jobs service's task definition did not change: not listed; nor the outputs repeating the tags
        f"  api      {API}  2.0.0 ({old}) → 2.0.1 ({new})",
        f"  migrate  {API}  2.0.0 ({old}) → 2.0.1 ({new})",
        "  new revision, used by: api-service, api-rollout, api-retention",
    ]), 1)
    assert diff_command(repo, "prod", {"apiTag": "2.0.0"}) == ("no changes: prod now with apiTag=2.0.0 registers what prod at HEAD registers", 0)


def test_diff_against_an_older_ref_and_against_another_stack(repo):
    replace_in(repo / "stacks" / "Pulumi.dev.yaml", 'jobsTag: "1.0.0"', 'jobsTag: "1.0.1"')
    git(repo, "commit", "-qam", "dev: jobs 1.0.1")
    text, code = diff_command(repo, "dev", {}, against_ref="HEAD~1")
    assert (code, text.splitlines()) == (1, [
        "dev at HEAD~1 → dev now", "jobs-taskdef", f"  jobs  {JOBS}  1.0.0 → 1.0.1", "  new revision, used by: jobs-service, jobs-rollout, jobs-retention",
    ])
    text, code = diff_command(repo, "prod", {}, against_stack="staging")
    lines = text.splitlines()
    assert code == 1 and lines[0] == "stack staging → stack prod"
    assert {"api-taskdef", "jobs-taskdef", "api-service", "api-retention", "stack outputs"} <= set(lines)  # matched by logical name
    assert {"  cpu: 256 → 512", "  family: fixture-api-staging → fixture-api-prod", "  memory: 512 → 1024",
            "  family: fixture-jobs-staging → fixture-jobs-prod", "  desiredCount: 1 → 2", "  keep: 10 → 5",
            "  cluster: arn:aws:ecs:eu-west-1:123456789012:cluster/fixture-staging → arn:aws:ecs:eu-west-1:123456789012:cluster/fixture-prod",
            "  api.serviceName: fixture-api-staging → fixture-api-prod"} <= set(lines)


def test_check_passes_a_tag_bump_and_fails_anything_else(repo, capsys):
    replace_in(repo / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    assert check_command(repo, "prod", "HEAD") == ("ok: stack prod changes only image tags or digests since HEAD (2 images changed)", 0)
    replace_in(repo / "stacks" / "Pulumi.prod.yaml", "aws:region: eu-west-1", "aws:region: eu-west-1\n  aws:profile: ops")
    assert main(["check", "--stack", "prod", "--against-ref", "HEAD", "--project-dir", str(repo)]) == 1
    assert capsys.readouterr() == ("\n".join([
        "stack prod changes more than image tags since HEAD (5):",
        "  stacks/Pulumi.prod.yaml: config aws:profile: (absent) → ops",
        "  api-retention.aws.profile: (absent) → ops",
        "  api-rollout.aws.profile: (absent) → ops",
        "  jobs-retention.aws.profile: (absent) → ops",
        "  jobs-rollout.aws.profile: (absent) → ops",
    ]) + "\n", "")


@pytest.mark.parametrize(
    "argv, message",
    [
        pytest.param(["diff", "--stack", "prod", "--against-ref", "no-such-branch"], 'error: unknown git ref "no-such-branch"; give a commit', id="unknown-ref"),
        pytest.param(["check", "--stack", "prod", "--against-ref=--all"], 'error: "--all" is not a git ref', id="option-as-ref"),
        pytest.param(["diff", "--stack", "qa"], 'error: unknown stack "qa": no stacks/Pulumi.qa.yaml', id="unknown-stack"),
        pytest.param(["check", "--stack", "prod"], "error: the following arguments are required: --against-ref", id="check-needs-ref"),
        pytest.param(["changed-stacks"], "error: the following arguments are required: --against-ref", id="changed-stacks-needs-ref"),
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
    def versioned(version: str, **inputs) -> dict:
        image = f"{REPO}@{version}" if version.startswith("sha256:") else f"{REPO}:{version}"
        family = "f"
        return record(
            taskdef([container(image=image)], cpu=cpu, tags={"image.web.tag": version}, **inputs), *pointing(version[-1] if version[-1].isdigit() else "1"),
            outputs={"web": {"imageTags": {"web": version}, "family": family}},
        )

    diffs = diff_sides(side_from_record(versioned(old)), side_from_record(versioned(new)))
    assert non_image_changes(diffs) == []
    assert sum(len(diff.images) for diff in diffs) == (old != new)
    changed = diff_sides(side_from_record(versioned(old)), side_from_record(versioned(new, memory="2048")))
    assert non_image_changes(changed) == ["web-taskdef.memory: (absent) → 2048"]


def test_a_committed_link_out_of_the_tree_is_skipped_not_fatal(repo):
    """A committed virtualenv links bin/python3 to an absolute path; the ref's tree is extracted without it."""
    (repo / "venv" / "bin").mkdir(parents=True)
    (repo / "venv" / "bin" / "python3").symlink_to("/usr/bin/python3")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a virtualenv committed by mistake")
    replace_in(repo / "stacks" / "Pulumi.prod.yaml", 'apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    assert check_command(repo, "prod", "HEAD") == ("ok: stack prod changes only image tags or digests since HEAD (2 images changed)", 0)
