"""``promote``: the round-trip edit (pure), the refusals, and digest verification against a moto server.

The commands run on copies of the library fixture project (tests/library/project): services ``api``
(key ``apiTag``, containers api and migrate) and ``jobs`` (``jobsTag``); dev does not pin digests,
staging and prod do, prod is production.
"""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from components.cli import main
from components.errors import EcsReleaseError
from components.promote import PromoteError, promote_command, set_values
from tests.conftest import moto_client
from tests.gitrepo import LIBRARY_PROJECT, cli, make_repo, replace_in

REGION = "eu-west-1"
REPO = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

STACK_FILE = """\
# prod: image tags only
config:
  aws:region: eu-west-1   # the region
  ecs-release:xrayTag: '3.3.12'
  ecs-release:webTag: "1.4.1"
  other:setting:
    secure: v1:abc==
  ecs-release:plainTag: 2.0
"""


def test_set_values_changes_only_the_values():
    text = set_values(STACK_FILE, "ecs-release", {"webTag": "1.4.2", "xrayTag": "3.3.13", "plainTag": "2.10"})
    assert text == STACK_FILE.replace('"1.4.1"', '"1.4.2"').replace("'3.3.12'", "'3.3.13'").replace("plainTag: 2.0", 'plainTag: "2.10"')


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path
    return make_repo(tmp_path / "project")


def stack_text(project, stack: str) -> str:
    return (project / "stacks" / f"Pulumi.{stack}.yaml").read_text()


def test_promote_copies_tags_and_keeps_the_rest(project):
    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.write_text("# reviewed\n" + prod.read_text().replace("aws:region: eu-west-1", "aws:region: eu-west-1  # keep me"))
    before = prod.read_text()
    text, code = promote_command(project, "dev", "prod")  # prod pins, dev does not: nothing to compare
    assert (text, code) == ("\n".join([
        "promote dev → prod (stacks/Pulumi.prod.yaml)",
        "  apiTag: 2.0.0 → 2.0.1",
        "  jobsTag: 1.0.0 (unchanged)",
        "  not verified: stack dev does not pin digests; prod pins fixture/api:2.0.1 at its next preview",
    ]), 0)
    assert prod.read_text() == before.replace('apiTag: "2.0.0"', 'apiTag: "2.0.1"')
    assert promote_command(project, "dev", "prod") == (
        "promote dev → prod (stacks/Pulumi.prod.yaml): nothing to change, prod already has dev's apiTag, jobsTag", 0)


@pytest.mark.parametrize(
    "edit, argv, message",
    [
        pytest.param(None, ["--only", "apiTga"], "--only apiTga: stack dev has no such key; use one of: apiTag, jobsTag", id="only-unknown"),
        pytest.param(("prod", '  fixture-shop:jobsTag: "1.0.0"\n', ""), [],
                     "jobsTag: stack prod does not declare it (stacks/Pulumi.prod.yaml); add it after review with: "
                     "pulumi config set jobsTag <tag> --stack prod, or leave it out with --only", id="undeclared-in-target"),
        pytest.param(("dev", '"2.0.1"', '"latest"'), [],
                     'apiTag "latest" is a mutable tag, refused for production stack prod; run: pulumi config set apiTag <immutable tag> --stack prod',
                     id="mutable-tag-into-production"),
        pytest.param(None, ["--to", "dev"], "--from and --to are both dev", id="same-stack"),
        pytest.param(None, ["--to", "qa"], 'unknown stack "qa"', id="unknown-target"),
    ],
)
def test_refusals_leave_the_target_file_alone(project, edit, argv, message):
    if edit:
        stack, old, new = edit
        replace_in(project / "stacks" / f"Pulumi.{stack}.yaml", old, new)
    before = stack_text(project, "prod")
    options = {"--to": "prod", "--only": []}
    for flag, value in zip(argv[::2], argv[1::2]):
        options[flag] = options[flag] + [value] if flag == "--only" else value
    with pytest.raises(EcsReleaseError) as raised:
        promote_command(project, "dev", options["--to"], options["--only"])
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert stack_text(project, "prod") == before


def test_the_cli_prints_each_change(capsys):
    assert main(["promote", "--from", "prod", "--to", "staging", "--only", "jobsTag", "--project-dir", str(LIBRARY_PROJECT)]) == 0
    assert capsys.readouterr().out == "promote prod → staging (stacks/Pulumi.staging.yaml): nothing to change, staging already has prod's jobsTag\n"


# --- digest verification, staging → prod, against a moto server on 127.0.0.1 --------------------------------


@pytest.fixture
def aws(moto_endpoint):
    # moto keeps one in-process backend: start each test from nothing, whatever other tests registered
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    return lambda service, region: moto_client(moto_endpoint, service, region)


CONTAINERS = {"api": ["api", "migrate"], "jobs": ["jobs"]}
"""The fixture's services and their containers; each service's image is fixture/<service>."""


def push(aws, tag: str, content: str, service: str = "api") -> str:
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"digest": content}})
    return aws("ecr", REGION).put_image(repositoryName=f"fixture/{service}", imageManifest=manifest, imageTag=tag)["image"]["imageId"]["imageDigest"]


def register_staging(aws, tag: str, digest: str, service: str = "api") -> str:
    """A revision of staging's family as ``pulumi up --stack staging`` registers it (pinned image, tag recorded); its ARN."""
    image = f"{REPO}/fixture/{service}@{digest}"
    return aws("ecs", REGION).register_task_definition(
        family=f"fixture-{service}-staging",
        containerDefinitions=[{"name": name, "image": image, "memory": 512} for name in CONTAINERS[service]],
        tags=[{"key": "release.stack", "value": "fixture-shop/staging"}]
        + [{"key": f"image.{name}.{kind}", "value": value} for name in CONTAINERS[service] for kind, value in (("tag", tag), ("digest", digest))],
    )["taskDefinition"]["taskDefinitionArn"]


def run_on(aws, revision_arn: str, desired_count: int = 0, service: str = "api") -> None:
    """Staging's service (cluster fixture-staging) with its PRIMARY deployment on ``revision_arn``.

    moto's UpdateService does not move the PRIMARY deployment, so the service is created anew. Its
    rolloutState is COMPLETED when MOTO_ECS_SERVICE_RUNNING (0 here) reaches the desired count, else IN_PROGRESS.
    """
    ecs, name = aws("ecs", REGION), f"fixture-{service}-staging"
    ecs.create_cluster(clusterName="fixture-staging")
    if ecs.describe_services(cluster="fixture-staging", services=[name])["services"]:
        ecs.delete_service(cluster="fixture-staging", service=name, force=True)
    ecs.create_service(cluster="fixture-staging", serviceName=name, taskDefinition=revision_arn, desiredCount=desired_count)


def deploy_staging(aws, tag: str, digest: str, service: str = "api") -> str:
    """What ``pulumi up --stack staging`` leaves in ECS when the rollout completes: the revision, and the service on it."""
    arn = register_staging(aws, tag, digest, service)
    run_on(aws, arn, service=service)
    return arn


def deploy_jobs(aws) -> None:
    """The jobs service of staging, on what staging's file says (jobsTag 1.0.0): every source service must run."""
    aws("ecr", REGION).create_repository(repositoryName="fixture/jobs")
    deploy_staging(aws, "1.0.0", push(aws, "1.0.0", "sha256:" + "9" * 64, "jobs"), "jobs")


def test_promote_verifies_digests_when_the_target_pins(project, aws):
    aws("ecr", REGION).create_repository(repositoryName="fixture/api")
    digest = push(aws, "2.0.1", "sha256:" + "a" * 64)
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"2.0.0"', '"2.0.1"')

    with pytest.raises(PromoteError) as raised:  # staging has not deployed anything yet
        promote_command(project, "staging", "prod", ["apiTag"], client=aws)
    assert sorted(raised.value.problems) == [
        f"service fixture-{service}-staging: cluster fixture-staging not found; deploy stack staging first: pulumi up --stack staging"
        for service in ("api", "jobs")
    ]

    deploy_jobs(aws)
    deploy_staging(aws, "2.0.1", digest)
    pushed_again = push(aws, "2.0.1", "sha256:" + "b" * 64)  # the tag now names other content
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "staging", "prod", ["apiTag"], client=aws)
    assert str(raised.value) == (
        f"fixture/api:2.0.1: ECR now holds {pushed_again} for the tag, but stack staging runs {digest}: the tag was pushed again "
        "after staging deployed it; promote an immutable tag, or redeploy and test staging first"
    )
    assert 'apiTag: "2.0.0"' in stack_text(project, "prod")

    deploy_staging(aws, "2.0.1", pushed_again)  # staging redeployed (and tested) the new content
    text, code = promote_command(project, "staging", "prod", ["apiTag"], client=aws)
    assert (text, code) == ("\n".join([
        "promote staging → prod (stacks/Pulumi.prod.yaml)",
        "  apiTag: 2.0.0 → 2.0.1",
        f"  verified: fixture/api:2.0.1 is {pushed_again} in ECR, as staging runs it (fixture-api-staging:2 in service fixture-api-staging, rollout COMPLETED)",
    ]), 0)
    assert 'apiTag: "2.0.1"' in stack_text(project, "prod")


def test_a_rolled_back_revision_is_refused_and_a_completed_one_verified(project, aws):
    aws("ecr", REGION).create_repository(repositoryName="fixture/api")
    old, new = push(aws, "2.0.0", "sha256:" + "1" * 64), push(aws, "2.0.1", "sha256:" + "2" * 64)
    deploy_jobs(aws)
    deploy_staging(aws, "2.0.0", old)  # fixture-api-staging:1 runs, its rollout completed
    register_staging(aws, "2.0.1", new)  # :2 registered, its rollout failed, the circuit breaker rolled back to :1
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"2.0.0"', '"2.0.1"')
    # the services are found by their type, whatever the program calls them
    replace_in(project / "__main__.py", "TaggedService(name, args)", 'TaggedService(f"storefront-{name}", args)')
    prod = project / "stacks" / "Pulumi.prod.yaml"
    before = prod.read_bytes()

    with pytest.raises(PromoteError) as raised:
        promote_command(project, "staging", "prod", client=aws)
    assert str(raised.value) == (
        "fixture/api:2.0.1: stack staging does not run it: service fixture-api-staging runs fixture-api-staging:1 (fixture/api:2.0.0); "
        "fixture-api-staging:2, the newest revision of fixture-api-staging, has fixture/api:2.0.1, but service fixture-api-staging's "
        "PRIMARY deployment does not run it (its rollout failed and was rolled back?); "
        "deploy it to staging and let the rollout complete first: pulumi up --stack staging"
    )
    assert prod.read_bytes() == before

    run_on(aws, f"arn:aws:ecs:{REGION}:123456789012:task-definition/fixture-api-staging:2", desired_count=1)  # rolling out :2
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "staging", "prod", client=aws)
    assert str(raised.value) == (
        "service fixture-api-staging (cluster fixture-staging): its PRIMARY deployment runs fixture-api-staging:2 and its rollout is "
        "IN_PROGRESS, not COMPLETED; wait until it completes (aws ecs wait services-stable --cluster fixture-staging "
        "--services fixture-api-staging), then promote again"
    )
    assert prod.read_bytes() == before

    run_on(aws, f"arn:aws:ecs:{REGION}:123456789012:task-definition/fixture-api-staging:2")  # :2 completed
    text, code = promote_command(project, "staging", "prod", client=aws)
    assert (text, code) == ("\n".join([
        "promote staging → prod (stacks/Pulumi.prod.yaml)",
        "  apiTag: 2.0.0 → 2.0.1",
        "  jobsTag: 1.0.0 (unchanged)",
        f"  verified: fixture/api:2.0.1 is {new} in ECR, as staging runs it (fixture-api-staging:2 in service fixture-api-staging, rollout COMPLETED)",
    ]), 0)
    assert prod.read_bytes() == before.replace(b'"2.0.0"', b'"2.0.1"')


def test_promote_reads_each_stack_as_its_aws_provider_does(project, aws, moto_endpoint, monkeypatch):
    """Staging's provider assumes a role in account 111111111111, where its services run; prod pins from ECR in its own
    account. promote finds staging's services where staging's provider deployed them (moto's STS decides the account):
    the base account, which the environment's credentials reach, has no such services, so a promote that looked there would
    refuse (cluster fixture-staging not found)."""
    from components.aws_clients import AwsSettings, aws_client

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
                       "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    role = "arn:aws:iam::111111111111:role/staging-deployer"
    staging_file, prod_file = project / "stacks" / "Pulumi.staging.yaml", project / "stacks" / "Pulumi.prod.yaml"
    replace_in(staging_file, "aws:region: eu-west-1", f"aws:region: eu-west-1\n  aws:assumeRoles:\n    - roleArn: {role}\n"
               f"      externalId: fixture-ci\n  aws:endpoints:\n    - ecs: {moto_endpoint}\n      sts: {moto_endpoint}")
    replace_in(prod_file, "aws:region: eu-west-1", f"aws:region: eu-west-1\n  aws:endpoints:\n    - ecr: {moto_endpoint}")
    replace_in(staging_file, '"2.0.0"', '"2.0.1"')
    aws("ecr", REGION).create_repository(repositoryName="fixture/api")
    aws("ecr", REGION).create_repository(repositoryName="fixture/jobs")
    digest = push(aws, "2.0.1", "sha256:" + "c" * 64)
    jobs = push(aws, "1.0.0", "sha256:" + "d" * 64, "jobs")
    staging_account = AwsSettings(assume_roles=[{"role_arn": role, "external_id": "fixture-ci"}], endpoints={"ecs": moto_endpoint, "sts": moto_endpoint})
    assumed = lambda service, region: aws_client(service, staging_account, region=region)  # noqa: E731
    deploy_staging(assumed, "2.0.1", digest)
    deploy_staging(assumed, "1.0.0", jobs, "jobs")
    text, code = promote_command(project, "staging", "prod", ["apiTag"])
    assert code == 0 and text.splitlines()[-1] == (
        f"  verified: fixture/api:2.0.1 is {digest} in ECR, as staging runs it (fixture-api-staging:1 in service fixture-api-staging, rollout COMPLETED)"
    )


class FakeEcs:
    """DescribeServices and DescribeTaskDefinition answered from fixed data, calls recorded (order-free: the
    program registers its services in no fixed order, so botocore's Stubber, which expects one order, cannot serve)."""

    def __init__(self, services: dict[str, dict], definitions: dict[str, dict]):
        self.services, self.definitions, self.calls = services, definitions, []

    def describe_services(self, cluster, services):
        self.calls.append(("describe_services", cluster, tuple(sorted(services))))
        return {"services": [self.services[name] for name in services if name in self.services], "failures": []}

    def describe_task_definition(self, taskDefinition, include):
        self.calls.append(("describe_task_definition", taskDefinition))
        assert include == ["TAGS"]
        return self.definitions[taskDefinition]


def test_the_primary_deployment_is_read_not_the_first_or_the_newest(project):
    """After a failed rollout ECS lists the FAILED deployment next to the PRIMARY one that rolled back; moto
    models one deployment per service only, so this answer comes from a fake ECS client."""
    td = f"arn:aws:ecs:{REGION}:123456789012:task-definition/fixture"
    old, new, jobs = "sha256:" + "1" * 64, "sha256:" + "2" * 64, "sha256:" + "3" * 64

    def revision(service, number, tag, digest):
        return {"taskDefinition": {"taskDefinitionArn": f"{td}-{service}-staging:{number}", "containerDefinitions": [
            {"name": service, "image": f"{REPO}/fixture/{service}@{digest}"}]}, "tags": [{"key": f"image.{service}.tag", "value": tag}]}

    ecs = FakeEcs(
        services={
            "fixture-api-staging": {"serviceName": "fixture-api-staging", "status": "ACTIVE", "deployments": [
                {"id": "ecs-svc/2", "status": "ACTIVE", "taskDefinition": f"{td}-api-staging:2", "rolloutState": "FAILED"},
                {"id": "ecs-svc/3", "status": "PRIMARY", "taskDefinition": f"{td}-api-staging:1", "rolloutState": "COMPLETED"},
            ]},
            "fixture-jobs-staging": {"serviceName": "fixture-jobs-staging", "status": "ACTIVE", "deployments": [
                {"id": "ecs-svc/1", "status": "PRIMARY", "taskDefinition": f"{td}-jobs-staging:1", "rolloutState": "COMPLETED"}]},
        },
        definitions={
            f"{td}-api-staging:1": revision("api", 1, "2.0.0", old),
            "fixture-api-staging": revision("api", 2, "2.0.1", new),  # the family's newest ACTIVE revision
            f"{td}-jobs-staging:1": revision("jobs", 1, "1.0.0", jobs),
            "fixture-jobs-staging": revision("jobs", 1, "1.0.0", jobs),
        },
    )
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"2.0.0"', '"2.0.1"')
    with pytest.raises(PromoteError, match=r"^fixture/api:2\.0\.1: stack staging does not run it: service fixture-api-staging runs "
                                           r"fixture-api-staging:1 \(fixture/api:2\.0\.0\); fixture-api-staging:2, the newest revision"):
        promote_command(project, "staging", "prod", client=lambda service, region: ecs)
    assert ("describe_services", "fixture-staging", ("fixture-api-staging", "fixture-jobs-staging")) in ecs.calls
    assert {call[1] for call in ecs.calls if call[0] == "describe_task_definition"} >= {f"{td}-api-staging:1", f"{td}-jobs-staging:1", "fixture-api-staging"}


def test_source_services_are_found_by_type_with_their_clusters(project):
    from components.offline import run_program
    from components.promote import SourceService, _source_mocks, source_services

    expected = {
        # a cluster the stack creates, or looks up by name, is asked for by name: its mock ARN holds the mock account
        "dev": [SourceService("api-service", "fixture-api-dev", "fixture-dev"), SourceService("jobs-service", "fixture-jobs-dev", "fixture-dev")],
        "staging": [SourceService("api-service", "fixture-api-staging", "fixture-staging"),
                    SourceService("jobs-service", "fixture-jobs-staging", "fixture-staging")],
        "prod": [SourceService(f"{name}-service", f"fixture-{name}-prod", f"arn:aws:ecs:{REGION}:123456789012:cluster/fixture-prod")
                 for name in ("api", "jobs")],
    }
    for stack, services in expected.items():
        mocks = _source_mocks(REGION)
        found = source_services(run_program(project, stack, None, mocks), mocks.made_up_clusters, stack)
        assert sorted(found, key=lambda s: s.resource) == services


def test_source_services_come_in_a_fixed_order():
    """The same stack gives the same messages. A program registers its services concurrently, so the order of
    its registrations varies from run to run (about one run in four for two services in a stack the program
    gives a cluster); the services promote asks AWS about, and names in its refusals, must not follow it."""
    from components.offline import RegisteredResource
    from components.promote import source_services

    def service(name):
        return RegisteredResource("aws:ecs/service:Service", f"{name}-service", {"name": f"fixture-{name}-staging", "cluster": "fixture-staging"})

    found = [[s.resource for s in source_services(registered, {}, "staging")]
             for registered in ([service("api"), service("jobs")], [service("jobs"), service("api")])]
    assert found[0] == found[1]


def test_a_service_named_by_pulumi_is_refused_naming_the_service_not_a_file():
    from pulumi.runtime.rpc import UNKNOWN

    from components.offline import RegisteredResource
    from components.promote import source_services

    registered = [RegisteredResource("aws:ecs/service:Service", "api-service", {"name": UNKNOWN, "cluster": "fixture-staging"})]
    with pytest.raises(PromoteError) as raised:
        source_services(registered, {}, "staging")
    (problem,) = raised.value.problems
    assert problem.startswith("ECS service api-service of stack staging: its name is only known after deployment (Pulumi names it)")
    assert "app.py" not in problem  # issue 8: a library message names what the caller passed


def test_without_aws_access_promote_says_so(project):
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"2.0.0"', '"2.0.1"')

    def no_credentials(service, region):
        raise Exception("Unable to locate credentials")

    with pytest.raises(PromoteError, match=r"^cannot read what stack staging deployed \((fixture-api-staging, fixture-jobs-staging|"
                                           r"fixture-jobs-staging, fixture-api-staging)\): Unable to locate credentials; "):
        promote_command(project, "staging", "prod", client=no_credentials)


# --- writing the target: only the values change, atomically, or nothing does -------------------------------

STYLED = (
    "---\r\n"
    "# prod: image tags only\r\n"
    "config:\r\n"
    "    aws:region: eu-west-1   # the region\r\n"
    "    ecs-release:webTag: \"1.4.1\"  # double\r\n"
    "    ecs-release:xrayTag: '3.3.12' # single\r\n"
    "    ecs-release:plainTag: 1.0.0\r\n"
    "    ecs-release:numberTag: '2.0'\r\n"
    "    other:setting:\r\n"
    "        secure: v1:abc==\r\n"
    "...\r\n"
)


def test_set_values_edits_only_the_values_spans():
    values = {"webTag": "1.4.2", "xrayTag": "3.3.13", "plainTag": "1.0.1", "numberTag": "2.10"}
    expected = (STYLED.replace('"1.4.1"', '"1.4.2"').replace("'3.3.12'", "'3.3.13'")
                .replace("plainTag: 1.0.0", "plainTag: 1.0.1").replace("'2.0'", "'2.10'"))
    assert set_values(STYLED, "ecs-release", values).encode() == expected.encode()
    # a plain value that would read back as a number is double-quoted; nothing else moves
    assert set_values(STYLED, "ecs-release", {"plainTag": "2.10"}) == STYLED.replace("plainTag: 1.0.0", 'plainTag: "2.10"')


def test_promote_keeps_crlf_indentation_markers_comments_and_quotes(project):
    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.write_bytes(b'---\r\n# reviewed\r\nconfig:\r\n    aws:region: eu-west-1  # keep me\r\n'
                     b'    fixture-shop:apiTag: \'2.0.0\'   # api\r\n    fixture-shop:jobsTag: 1.0.0\r\n...\r\n')
    before = prod.read_bytes()
    text, code = promote_command(project, "dev", "prod")
    assert code == 0 and "  apiTag: 2.0.0 → 2.0.1" in text
    assert prod.read_bytes() == before.replace(b"'2.0.0'", b"'2.0.1'")


def files_in(directory):
    return sorted(p.name for p in directory.iterdir())


def test_the_write_is_atomic_a_failure_leaves_the_file_and_no_temporary(project, monkeypatch):
    import errno
    import os

    prod = project / "stacks" / "Pulumi.prod.yaml"
    before, listing = prod.read_bytes(), files_in(prod.parent)

    def full_disk(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # fails after the temporary file was written, before the rename
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "dev", "prod")
    assert str(raised.value) == (
        "cannot write stacks/Pulumi.prod.yaml: No space left on device; the file is left as it is, fix that and promote again"
    )
    assert prod.read_bytes() == before and files_in(prod.parent) == listing


def test_the_write_replaces_the_file_and_keeps_its_permissions(project):
    import os

    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.chmod(0o640)
    inode = prod.stat().st_ino
    promote_command(project, "dev", "prod")
    assert 'apiTag: "2.0.1"' in prod.read_text()
    assert oct(prod.stat().st_mode & 0o777) == oct(0o640)
    assert prod.stat().st_ino != inode  # renamed over, not truncated in place
    assert files_in(prod.parent) == ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"]
    assert os.access(prod, os.R_OK)


@pytest.mark.parametrize("side", ["dev", "prod"])
def test_a_secure_value_is_refused_without_printing_it(project, side):
    replace_in(project / "stacks" / f"Pulumi.{side}.yaml", ' "2.0.1"\n' if side == "dev" else ' "2.0.0"\n',
               "\n    secure: AAABAKCIPHERTEXT==\n")
    before = stack_text(project, "prod")
    result = cli(project, "promote", "--from", "dev", "--to", "prod")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: apiTag is a secret (secure:) in stacks/Pulumi.{side}.yaml; image tags are plain config and promote never "
        f"copies or overwrites a secret: make it plain with pulumi config set apiTag <tag> --plaintext --stack {side}, "
        "or leave it out with --only\n"
    )
    assert "CIPHERTEXT" not in result.stderr and stack_text(project, "prod") == before
    # the secret is not a promoted key: the rest is promoted, the secret left alone
    if side == "prod":
        assert cli(project, "promote", "--from", "dev", "--to", "prod", "--only", "jobsTag").returncode == 0
        assert stack_text(project, "prod") == before


def test_a_read_only_target_is_refused_and_untouched(project):
    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.chmod(0o444)
    before = prod.read_bytes()
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "dev", "prod")
    assert str(raised.value) == (
        "stacks/Pulumi.prod.yaml is read-only (mode 0444); make it writable (chmod u+w stacks/Pulumi.prod.yaml) "
        "and promote again, the file is left as it is"
    )
    assert prod.read_bytes() == before and oct(prod.stat().st_mode & 0o777) == oct(0o444)


@pytest.mark.parametrize("config, kind", [("config: [apiTag, jobsTag]\n", "a list"), ("config: apiTag=2.0.0\n", "a string")])
def test_a_config_that_is_not_a_mapping_is_refused_and_untouched(project, config, kind):
    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.write_text(config)
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "dev", "prod")
    assert str(raised.value) == (
        f"stacks/Pulumi.prod.yaml: config: is {kind}, not a mapping of keys to values; "
        "write one indented key: value line per setting under config: (the file is left as it is)"
    )
    assert prod.read_text() == config


def test_dry_run_prints_the_changes_and_writes_nothing(project):
    prod = project / "stacks" / "Pulumi.prod.yaml"
    prod.chmod(0o444)  # a dry run does not need to write
    before, stat_before = prod.read_bytes(), prod.stat()
    result = cli(project, "promote", "--from", "dev", "--to", "prod", "--dry-run")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "\n".join([
        "promote dev → prod (stacks/Pulumi.prod.yaml): dry run, nothing written",
        "  apiTag: 2.0.0 → 2.0.1",
        "  jobsTag: 1.0.0 (unchanged)",
        "  not verified: stack dev does not pin digests; prod pins fixture/api:2.0.1 at its next preview",
    ]) + "\n"
    after = prod.stat()
    assert prod.read_bytes() == before and (after.st_ino, after.st_mtime_ns) == (stat_before.st_ino, stat_before.st_mtime_ns)
