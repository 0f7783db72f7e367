"""Revision retention: the pure selection, the dynamic provider against a moto server, the program's wiring."""

from __future__ import annotations

import os
import sys

import pytest

from components.offline import RecordingMocks, run_program
from components.retention import (
    TYPE_TOKEN,
    RetentionProvider,
    parse_revision,
    prune,
    revisions_to_deregister,
)
from tests.conftest import moto_client, run_provider_in_fresh_interpreter
from tests.gitrepo import LIBRARY_PROJECT as PROJECT
REGION = "eu-west-1"


FAMILY = "retention-web"
"""Not a real stack's family: moto keeps one in-process backend for every server, and other tests register shop-web-*."""


def arn(revision: int, family: str = FAMILY) -> str:
    return f"arn:aws:ecs:{REGION}:123456789012:task-definition/{family}:{revision}"


@pytest.mark.parametrize(
    "active, keep, owned, protected, expected",
    [
        pytest.param(range(1, 6), 10, range(1, 6), [], [], id="fewer-than-keep"),
        pytest.param(range(1, 14), 10, range(1, 14), [], [1, 2, 3], id="oldest-beyond-keep"),
        pytest.param(range(1, 14), 10, [1, 3], [], [1, 3], id="only-owned"),
        pytest.param(range(1, 14), 10, range(1, 14), [2], [1, 3], id="protected-in-use"),
        pytest.param([3, 9, 27, 5, 11], 2, [3, 9, 27, 5, 11], [], [3, 5, 9], id="by-revision-not-order"),
        pytest.param(range(1, 4), 0, range(1, 4), [], [1, 2], id="keep-at-least-one"),
        pytest.param(range(1, 4), 1, range(1, 4), [3], [1, 2], id="newest-never"),
    ],
)
def test_revisions_to_deregister(active, keep, owned, protected, expected):
    chosen = revisions_to_deregister([arn(r) for r in active], FAMILY, keep, {arn(r) for r in owned}, {arn(r) for r in protected})
    assert chosen == [arn(r) for r in expected]


def test_other_families_and_foreign_arns_are_ignored():
    active = [arn(1), arn(2), arn(1, f"{FAMILY}-canary"), "not-an-arn"]
    assert revisions_to_deregister(active, FAMILY, 1, set(active), set()) == [arn(1)]
    assert parse_revision(arn(12)) == (FAMILY, 12) and parse_revision("x") is None


@pytest.fixture
def ecs(moto_endpoint):
    return moto_client(moto_endpoint, "ecs", REGION)


def register(ecs, family: str, owner: str | None) -> str:
    tags = [{"key": "release.stack", "value": owner}] if owner else []
    return ecs.register_task_definition(
        family=family, containerDefinitions=[{"name": "web", "image": "nginx:1", "memory": 128}], **({"tags": tags} if tags else {})
    )["taskDefinition"]["taskDefinitionArn"]


def active(ecs, family: str) -> list[int]:
    arns = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return sorted(parse_revision(a)[1] for a in arns)


def test_the_provider_deregisters_old_revisions_this_stack_registered(ecs):
    owners = {2: None, 4: "ecs-release/staging"}  # revision 2 registered by hand, 4 by another stack
    arns = [register(ecs, FAMILY, owners.get(revision, "ecs-release/prod")) for revision in range(1, 14)]
    register(ecs, f"{FAMILY}-canary", "ecs-release/prod")
    props = {"family": FAMILY, "keep": 10.0, "owner": "ecs-release/prod", "region": REGION,
             "current": arns[-1], "protect": [arns[2]]}  # revision 3 is what the service still runs

    outs = prune(props, client=ecs)
    assert outs["deregistered"] == [arns[0]]
    assert active(ecs, FAMILY) == list(range(2, 14))
    assert active(ecs, f"{FAMILY}-canary") == [1]
    assert prune(props, client=ecs)["deregistered"] == []  # idempotent

    newest = register(ecs, FAMILY, "ecs-release/prod")  # the next pulumi up
    outs = prune({**props, "current": newest, "protect": [newest]}, client=ecs)
    assert outs["deregistered"] == [arns[2]]  # 2 and 4 are not ours
    assert active(ecs, FAMILY) == [2] + list(range(4, 15))
    assert outs["kept"] == [arn(r) for r in [2] + list(range(4, 15))]


def test_the_provider_runs_on_a_new_revision_only():
    provider = RetentionProvider()
    olds = {"family": "f", "keep": 10, "owner": "p/s", "region": REGION, "current": arn(1), "protect": [], "kept": [arn(1)]}
    assert provider.diff("id", olds, {**olds, "kept": None}).changes is False
    assert provider.diff("id", olds, {**olds, "current": arn(2)}).changes is True
    assert provider.diff("id", olds, {**olds, "keep": 5}).changes is True
    assert provider.delete("id", olds) is None  # deleting the rule deregisters nothing


@pytest.mark.parametrize("stack, keep", [("dev", {"api": 3, "jobs": 10}), ("prod", {"api": 5, "jobs": 5})])
def test_the_program_keeps_each_services_number_of_revisions(stack, keep, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path
    mocks = RecordingMocks(region=REGION)
    run_program(PROJECT, stack, None, mocks)  # the library fixture project: api keeps 3 in dev, both 5 in prod
    retentions = {r.name: r.inputs for r in mocks.resources if r.type == TYPE_TOKEN}
    assert sorted(retentions) == ["api-retention", "jobs-retention"]
    for service, inputs in ((name.removesuffix("-retention"), inputs) for name, inputs in retentions.items()):
        family = f"fixture-{service}-{stack}"
        assert (inputs["family"], inputs["keep"], inputs["owner"], inputs["region"]) == (family, keep[service], f"fixture-shop/{stack}", REGION)
        assert inputs["current"] == arn(1, family)


def test_the_pickled_provider_prunes_in_a_fresh_interpreter(ecs):
    """What the dynamic-provider host does: unpickle the provider in its own process, started in the
    project directory, and call create, with boto3's default client (endpoint and credentials from the environment)."""
    arns = [register(ecs, "retention-fresh", "ecs-release/prod") for _ in range(3)]
    props = {"family": "retention-fresh", "keep": 1, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": []}
    env = dict(AWS_ENDPOINT_URL=ecs.meta.endpoint_url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    assert run_provider_in_fresh_interpreter(RetentionProvider(), props, env)["deregistered"] == arns[:2]
    assert active(ecs, "retention-fresh") == [3]
