"""``promote``: the round-trip edit (pure), the refusals, and digest verification against a moto server."""

from __future__ import annotations

import json
import sys
import urllib.request

import pytest

from components.cli import main
from components.errors import EcsReleaseError
from components.promote import PromoteError, promote_command, set_values
from tests.conftest import moto_client
from tests.gitrepo import make_repo, replace_in

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
        "  webTag: 1.4.1 → 1.4.2",
        "  xrayTag: 3.3.12 (unchanged)",
        "  not verified: stack dev does not pin digests; prod pins shop/web:1.4.2 at its next preview",
    ]), 0)
    assert prod.read_text() == before.replace('webTag: "1.4.1"', 'webTag: "1.4.2"')
    assert promote_command(project, "dev", "prod") == (
        "promote dev → prod (stacks/Pulumi.prod.yaml): nothing to change, prod already has dev's webTag, xrayTag", 0)


@pytest.mark.parametrize(
    "edit, argv, message",
    [
        pytest.param(None, ["--only", "wbeTag"], "--only wbeTag: stack dev has no such key; use one of: webTag, xrayTag", id="only-unknown"),
        pytest.param(("prod", '  ecs-release:xrayTag: "3.3.12"\n', ""), [],
                     "xrayTag: stack prod does not declare it (stacks/Pulumi.prod.yaml); add it after review with: "
                     "pulumi config set xrayTag <tag> --stack prod, or leave it out with --only", id="undeclared-in-target"),
        pytest.param(("dev", '"1.4.2"', '"latest"'), [],
                     'webTag "latest" is a mutable tag, refused for production stack prod; run: pulumi config set webTag <immutable tag> --stack prod',
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
    assert main(["promote", "--from", "prod", "--to", "staging", "--only", "xrayTag"]) == 0
    assert capsys.readouterr().out == "promote prod → staging (stacks/Pulumi.staging.yaml): nothing to change, staging already has prod's xrayTag\n"


# --- digest verification, staging → prod, against a moto server on 127.0.0.1 --------------------------------


@pytest.fixture(scope="module")
def aws(moto_endpoint):
    # moto keeps one in-process backend: start from nothing, whatever other tests registered
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    return lambda service, region: moto_client(moto_endpoint, service, region)


def push(aws, tag: str, content: str) -> str:
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"digest": content}})
    return aws("ecr", REGION).put_image(repositoryName="shop/web", imageManifest=manifest, imageTag=tag)["image"]["imageId"]["imageDigest"]


def deploy_staging(aws, tag: str, digest: str) -> None:
    """What ``pulumi up --stack staging`` leaves in ECS: the pinned image and its tag recorded."""
    aws("ecs", REGION).register_task_definition(
        family="shop-web-staging",
        containerDefinitions=[{"name": "web", "image": f"{REPO}/shop/web@{digest}", "memory": 512},
                              {"name": "migrate", "image": f"{REPO}/shop/web@{digest}", "memory": 512}],
        tags=[{"key": "image.web.tag", "value": tag}, {"key": "image.web.digest", "value": digest},
              {"key": "image.migrate.tag", "value": tag}, {"key": "release.stack", "value": "ecs-release/staging"}],
    )


def test_promote_verifies_digests_when_the_target_pins(project, aws):
    aws("ecr", REGION).create_repository(repositoryName="shop/web")
    digest = push(aws, "1.4.2", "sha256:" + "a" * 64)
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"1.4.1"', '"1.4.2"')

    with pytest.raises(PromoteError) as raised:  # staging has not deployed 1.4.2 yet
        promote_command(project, "staging", "prod", ["webTag"], client=aws)
    assert str(raised.value) == (
        "shop/web:1.4.2: stack staging has not deployed it (it runs no pinned tag of shop/web); "
        "deploy it to staging first: pulumi up --stack staging"
    )

    deploy_staging(aws, "1.4.2", digest)
    pushed_again = push(aws, "1.4.2", "sha256:" + "b" * 64)  # the tag now names other content
    with pytest.raises(PromoteError) as raised:
        promote_command(project, "staging", "prod", ["webTag"], client=aws)
    assert str(raised.value) == (
        f"shop/web:1.4.2: ECR now holds {pushed_again} for the tag, but stack staging pinned {digest}: the tag was pushed again "
        "after staging deployed it; promote an immutable tag, or redeploy and test staging first"
    )
    assert 'webTag: "1.4.1"' in stack_text(project, "prod")

    deploy_staging(aws, "1.4.2", pushed_again)  # staging redeployed (and tested) the new content
    text, code = promote_command(project, "staging", "prod", ["webTag"], client=aws)
    assert (text, code) == ("\n".join([
        "promote staging → prod (stacks/Pulumi.prod.yaml)",
        "  webTag: 1.4.1 → 1.4.2",
        f"  verified: shop/web:1.4.2 is {pushed_again} in ECR, as staging pinned",
    ]), 0)
    assert 'webTag: "1.4.2"' in stack_text(project, "prod")


def test_without_aws_access_promote_says_so(project):
    replace_in(project / "stacks" / "Pulumi.staging.yaml", '"1.4.1"', '"1.4.2"')

    def no_credentials(service, region):
        raise Exception("Unable to locate credentials")

    with pytest.raises(PromoteError, match=r"^cannot read what stack staging deployed \(shop-web-staging\): Unable to locate credentials; "):
        promote_command(project, "staging", "prod", client=no_credentials)
