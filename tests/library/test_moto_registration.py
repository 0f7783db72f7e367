"""Register rendered documents with a local moto ECS server and read them back.

The server runs in this process on 127.0.0.1 (a free port picked by the OS); boto3 gets explicit
dummy credentials and the server's endpoint, so nothing reaches the network. This checks that the
canonical document is a RegisterTaskDefinition request an ECS API accepts as is, that a new tag
makes a new revision differing only in images, and how far the echoed definition is from what we sent.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from components.cli import render_file, render_stack
from components.offline import offline_digest
from tests.conftest import moto_client
from tests.gitrepo import LIBRARY_PROJECT

REGION = "eu-west-1"
READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "registeredAt",
    "registeredBy",
    "requiresAttributes",
    "compatibilities",
    "deregisteredAt",
)
MOTO_CONTAINER_DEFAULTS = {
    "cpu": 0,
    "essential": True,
    "portMappings": [],
    "environment": [],
    "mountPoints": [],
    "volumesFrom": [],
}
"""What moto 5.2 fills into every container definition it stores (moto/ecs/models.py TaskDefinition)."""
REAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "taskdefs" / "real"


@pytest.fixture(scope="module")
def ecs(moto_endpoint):
    return moto_client(moto_endpoint, "ecs", REGION)


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path


def prod_document(api_tag: str) -> dict:
    """The api service's task definition in the library fixture project's prod stack, which pins digests."""
    return render_stack("prod", {"apiTag": api_tag}, LIBRARY_PROJECT)["fixture-api-prod"]


def register_and_describe(ecs, document: dict) -> dict:
    registered = ecs.register_task_definition(**copy.deepcopy(document))["taskDefinition"]
    family, revision = registered["family"], registered["revision"]
    described = ecs.describe_task_definition(taskDefinition=f"{family}:{revision}")["taskDefinition"]
    assert described["revision"] == revision
    return described


def without_read_only(described: dict) -> dict:
    return {key: value for key, value in described.items() if key not in READ_ONLY}


def without_images(document: dict) -> dict:
    document = copy.deepcopy(document)
    for container in document["containerDefinitions"]:
        container.pop("image", None)
    return document


def images(document: dict) -> dict[str, str]:
    return {container["name"]: container["image"] for container in document["containerDefinitions"]}


def by_name(containers: list[dict]) -> list[dict]:
    return sorted(containers, key=lambda container: container["name"])


def test_a_new_tag_registers_the_next_revision_differing_only_in_images(ecs):
    first_sent, second_sent = prod_document("1.4.1"), prod_document("1.4.2")
    first = register_and_describe(ecs, first_sent)
    second = register_and_describe(ecs, second_sent)

    assert first["family"] == second["family"] == "fixture-api-prod"
    assert second["revision"] == first["revision"] + 1
    assert without_images(without_read_only(first)) == without_images(without_read_only(second))

    before, after = images(first), images(second)
    assert {name for name in before if before[name] != after[name]} == {"api", "migrate"} == set(before)
    # prod pins digests (its release policy): the image is the (offline stand-in) digest of the tag
    assert after["api"] == after["migrate"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture/api@" + offline_digest("fixture/api", "1.4.2")
    assert before["api"] == before["migrate"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fixture/api@" + offline_digest("fixture/api", "1.4.1")


def test_registered_definition_echoes_what_we_sent_plus_moto_defaults(ecs):
    sent = prod_document("1.4.1")
    described = without_read_only(register_and_describe(ecs, sent))

    # Container definitions: ours, with moto's defaults filled into the fields we leave out.
    echoed = by_name(described.pop("containerDefinitions"))
    expected = [{**MOTO_CONTAINER_DEFAULTS, **container} for container in by_name(sent["containerDefinitions"])]
    assert echoed == expected
    added = {
        container["name"]: sorted(set(MOTO_CONTAINER_DEFAULTS) - set(container))
        for container in sent["containerDefinitions"]
    }
    assert added == {
        "api": ["cpu", "environment", "mountPoints", "volumesFrom"],
        "migrate": ["cpu", "environment", "mountPoints", "portMappings", "volumesFrom"],
    }

    # Task level: every field we sent comes back unchanged; moto adds only empty lists
    # (tags come back only with include=["TAGS"]: the release tags of components/pinning.py).
    top_sent = {key: value for key, value in sent.items() if key not in ("containerDefinitions", "tags")}
    tagged = ecs.describe_task_definition(taskDefinition=described["family"], include=["TAGS"])["tags"]
    assert sorted(tagged, key=lambda tag: tag["key"]) == sent["tags"]
    assert {key: described[key] for key in top_sent if key in described} == top_sent
    assert set(top_sent) <= set(described)
    assert {key: value for key, value in described.items() if key not in top_sent} == {
        "placementConstraints": [],
        "volumes": [],
    }


@pytest.mark.parametrize(
    "name",
    [
        "08-watchman-fargate-secrets-healthcheck.json",
        "22-criaai-efs-volumes.json",
        "01-appmesh-firelens-proxy-fargate.json",
        "15-ecspresso-ssm-secrets-ephemeral-tags.json",
    ],
)
def test_rendered_real_files_are_accepted(ecs, name):
    path = REAL_DIR / name
    if not path.is_file():
        pytest.skip(f"real task definition {path} not found; these cases need ../shared/taskdefs/real")
    sent = render_file(str(path), {})
    described = without_read_only(register_and_describe(ecs, sent))
    assert described["family"] == sent["family"]
    echoed = by_name(described["containerDefinitions"])
    assert echoed == [{**MOTO_CONTAINER_DEFAULTS, **container} for container in by_name(sent["containerDefinitions"])]
    for key, value in sent.items():
        if key not in ("containerDefinitions", "tags"):
            assert described[key] == value, key
    if "tags" in sent:  # describe returns tags beside the task definition, and only when asked
        arn = f"{sent['family']}:{described_revision(ecs, sent['family'])}"
        tags = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])["tags"]
        assert sorted(tags, key=lambda tag: tag["key"]) == sent["tags"]


def described_revision(ecs, family: str) -> int:
    return ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["revision"]
