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


# --- Safety: revisions in use stay; throttling stops the run, the next up finishes it -----------------------------------


def test_revisions_any_service_of_the_cluster_or_a_scheduled_task_uses_are_kept(ecs, moto_endpoint):
    family, cluster = "retention-shared", "retention-shared-cluster"
    arns = [register(ecs, family, "ecs-release/prod") for _ in range(6)]
    cluster_arn = ecs.create_cluster(clusterName=cluster)["cluster"]["clusterArn"]
    ecs.create_service(cluster=cluster, serviceName="retention-web", taskDefinition=arns[-1], desiredCount=0)
    ecs.create_service(cluster=cluster, serviceName="retention-web-canary", taskDefinition=arns[1], desiredCount=0)  # same family, old revision
    events = moto_client(moto_endpoint, "events", REGION)
    events.put_rule(Name="retention-nightly", ScheduleExpression="rate(1 day)")
    events.put_targets(Rule="retention-nightly", Targets=[{
        "Id": "report", "Arn": cluster_arn, "RoleArn": "arn:aws:iam::123456789012:role/events-ecs",
        "EcsParameters": {"TaskDefinitionArn": arns[2], "TaskCount": 1}}])
    props = {"family": family, "keep": 1, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": [arns[-1]],
             "cluster": cluster_arn, "service": "retention-web"}

    outs = prune(props, client=ecs, events=events, warn=pytest.fail)
    assert outs["deregistered"] == [arns[0], arns[3], arns[4]]
    assert (outs["pending"], outs["complete"], outs["warning"]) == ([], True, None)
    assert active(ecs, family) == [2, 3, 6]  # :2 runs in the canary service, :3 is the nightly task's


def test_the_provider_deregisters_in_the_account_its_role_reaches(ecs, moto_endpoint, monkeypatch):
    """The stack's provider assumes a role in 111111111111: retention deregisters there, and only there (moto's STS)."""
    from components.aws_clients import aws_client

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"):
        monkeypatch.delenv(key, raising=False)
    settings = {"assume_roles": [{"role_arn": "arn:aws:iam::111111111111:role/deployer"}],
                "endpoints": {"ecs": moto_endpoint, "sts": moto_endpoint, "events": moto_endpoint}}
    other = aws_client("ecs", settings, region=REGION)
    family = "retention-assumed"
    arns = [register(other, family, "ecs-release/prod") for _ in range(3)]
    assert arns[0].startswith(f"arn:aws:ecs:{REGION}:111111111111:")
    base = [register(ecs, family, "ecs-release/prod") for _ in range(3)]  # the same family in the base account
    props = {"family": family, "keep": 1, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": [], "aws": settings}
    assert RetentionProvider().create(props).outs["deregistered"] == arns[:2]
    assert active(other, family) == [3]
    assert ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"] == base


class Ecs:
    """A Stubber-scripted ECS client (moto lacks the service-deployment API; Stubber also scripts throttling)."""

    def __init__(self):
        import boto3
        from botocore.stub import Stubber

        self.client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stubber = Stubber(self.client)
        self.events = boto3.client("events", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.events_stubber = Stubber(self.events)
        self.sleeps: list[float] = []
        self.warnings: list[str] = []

    def run(self, props: dict) -> dict:
        with self.stubber, self.events_stubber:
            outs = prune(props, client=self.client, events=self.events, sleep=self.sleeps.append, warn=self.warnings.append)
            self.stubber.assert_no_pending_responses()
            self.events_stubber.assert_no_pending_responses()
        return outs


CLUSTER_ARN = f"arn:aws:ecs:{REGION}:123456789012:cluster/shop"
THROTTLED = "ThrottlingException"


def scripted_services(script: Ecs, deployments: list[dict]) -> None:
    service = f"arn:aws:ecs:{REGION}:123456789012:service/shop/web"
    script.stubber.add_response("list_services", {"serviceArns": [service]}, {"cluster": CLUSTER_ARN, "maxResults": 100})
    script.stubber.add_response("describe_services", {"services": [{"serviceName": "web", "deployments": deployments}], "failures": []},
                                {"cluster": CLUSTER_ARN, "services": [service]})


def no_scheduled_tasks(script: Ecs) -> None:
    script.events_stubber.add_response("list_rule_names_by_target", {"RuleNames": []}, {"TargetArn": CLUSTER_ARN})


def test_throttling_that_outlasts_the_retries_stops_the_run_and_the_next_up_finishes_it():
    arns = [arn(revision) for revision in range(1, 7)]
    props = {"family": FAMILY, "keep": 2, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": [arns[-1]],
             "cluster": CLUSTER_ARN, "service": "web"}
    script = Ecs()
    script.stubber.add_response("list_task_definitions", {"taskDefinitionArns": arns}, {"familyPrefix": FAMILY, "status": "ACTIVE"})
    scripted_services(script, [{"taskDefinition": arns[-1], "status": "PRIMARY", "rolloutState": "COMPLETED"}])
    no_scheduled_tasks(script)
    for candidate in arns[:4]:
        script.stubber.add_response("list_tags_for_resource", {"tags": [{"key": "release.stack", "value": "ecs-release/prod"}]}, {"resourceArn": candidate})
    script.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[0]})
    script.stubber.add_client_error("deregister_task_definition", THROTTLED, "Rate exceeded")  # a burst: retried
    script.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[1]})
    for _ in range(4):  # throttled beyond every retry
        script.stubber.add_client_error("deregister_task_definition", THROTTLED, "Rate exceeded")
    outs = script.run(props)
    assert (outs["deregistered"], outs["pending"], outs["complete"]) == (arns[:2], arns[2:4], False)
    assert script.sleeps == [1.0, 1.0, 2.0, 4.0]
    assert script.warnings == [
        f"revision retention of {FAMILY} stopped: An error occurred (ThrottlingException) when calling the DeregisterTaskDefinition operation: "
        "Rate exceeded; deregistered 2, 2 more to deregister; the next pulumi up tries again"
    ]
    assert RetentionProvider().diff("id", outs, props).changes is True  # nothing changed, but work is pending

    again = Ecs()  # the next pulumi up: ownership known, no tag listed again
    again.stubber.add_response("list_task_definitions", {"taskDefinitionArns": arns[2:]}, {"familyPrefix": FAMILY, "status": "ACTIVE"})
    scripted_services(again, [{"taskDefinition": arns[-1], "status": "PRIMARY", "rolloutState": "COMPLETED"}])
    no_scheduled_tasks(again)
    again.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[2]})
    again.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[3]})
    finished = again.run({**props, "ownership": outs["ownership"]})
    assert (finished["deregistered"], finished["pending"], finished["complete"], again.warnings) == (arns[2:4], [], True, [])
    assert RetentionProvider().diff("id", finished, props).changes is False


def test_the_revisions_of_a_deployment_in_progress_are_kept():
    """Paused at a gate: the source revision still serves production; it stays, whatever keep says."""
    arns = [arn(revision) for revision in range(1, 5)]
    props = {"family": FAMILY, "keep": 1, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": [arns[-1]],
             "cluster": CLUSTER_ARN, "service": "web", "ownership": {a: True for a in arns[:3]}}
    script = Ecs()
    script.stubber.add_response("list_task_definitions", {"taskDefinitionArns": arns}, {"familyPrefix": FAMILY, "status": "ACTIVE"})
    scripted_services(script, [{"taskDefinition": arns[-1], "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}])
    deployment = f"arn:aws:ecs:{REGION}:123456789012:service-deployment/shop/web/abc"
    script.stubber.add_response("list_service_deployments", {"serviceDeployments": [{"serviceDeploymentArn": deployment}]},
                                {"cluster": CLUSTER_ARN, "service": "web", "status": ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"]})
    revision = f"arn:aws:ecs:{REGION}:123456789012:service-revision/shop/web/"
    script.stubber.add_response("describe_service_deployments", {"serviceDeployments": [{
        "serviceDeploymentArn": deployment, "targetServiceRevision": {"arn": revision + "4"}, "sourceServiceRevisions": [{"arn": revision + "2"}]}], "failures": []},
        {"serviceDeploymentArns": [deployment]})
    script.stubber.add_response("describe_service_revisions", {"serviceRevisions": [
        {"serviceRevisionArn": revision + "4", "taskDefinition": arns[3]}, {"serviceRevisionArn": revision + "2", "taskDefinition": arns[1]}], "failures": []},
        {"serviceRevisionArns": [revision + "4", revision + "2"]})
    no_scheduled_tasks(script)
    script.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[0]})
    script.stubber.add_response("deregister_task_definition", {}, {"taskDefinition": arns[2]})
    assert script.run(props)["deregistered"] == [arns[0], arns[2]]


def test_when_what_uses_a_revision_cannot_be_read_nothing_is_deregistered():
    arns = [arn(revision) for revision in range(1, 4)]
    props = {"family": FAMILY, "keep": 1, "owner": "ecs-release/prod", "region": REGION, "current": arns[-1], "protect": [],
             "cluster": CLUSTER_ARN, "service": "web"}
    script = Ecs()
    script.stubber.add_response("list_task_definitions", {"taskDefinitionArns": arns}, {"familyPrefix": FAMILY, "status": "ACTIVE"})
    script.stubber.add_client_error("list_services", "AccessDeniedException", "not authorized to perform ecs:ListServices")
    outs = script.run(props)
    assert (outs["deregistered"], outs["complete"], outs["kept"]) == ([], False, arns)
    assert script.warnings[0].startswith(f"revision retention of {FAMILY} stopped: An error occurred (AccessDeniedException)")
