"""Truthful rollout: the pure decision, the wait (botocore Stubber), the provider (moto server)."""

from __future__ import annotations

import datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from components.rollout import (
    RolloutError,
    RolloutProvider,
    failure_message,
    rollout_status,
    stopped_task_reasons,
    wait_for_rollout,
)
from tests.conftest import run_provider_in_fresh_interpreter

REGION = "eu-west-1"
CLUSTER = f"arn:aws:ecs:{REGION}:123456789012:cluster/shop"
SERVICE = "shop-web-prod"
TD = f"arn:aws:ecs:{REGION}:123456789012:task-definition/shop-web-prod"
NEW, OLD = f"{TD}:8", f"{TD}:7"
T0 = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)


def deployment(task_definition: str, status: str, state: str | None, reason: str = "", running: int = 2, desired: int = 2, id_: str = "ecs-svc/1") -> dict:
    item = {"id": id_, "status": status, "taskDefinition": task_definition, "runningCount": running, "desiredCount": desired}
    if state:
        item["rolloutState"] = state
    if reason:
        item["rolloutStateReason"] = reason
    return item


def described(*deployments: dict, events: tuple[str, ...] = (), status: str = "ACTIVE") -> dict:
    return {
        "services": [
            {
                "serviceName": SERVICE,
                "clusterArn": CLUSTER,
                "status": status,
                "deployments": list(deployments),
                "events": [{"id": str(i), "createdAt": T0 + datetime.timedelta(minutes=i), "message": m} for i, m in enumerate(events)],
            }
        ],
        "failures": [],
    }


BREAKER = "ECS deployment circuit breaker: tasks failed to start."


@pytest.mark.parametrize(
    "response, state, running, reasons",
    [
        pytest.param(described(deployment(NEW, "PRIMARY", "COMPLETED", "ECS deployment ecs-svc/1 completed.")), "COMPLETED", NEW, [], id="completed"),
        pytest.param(
            described(deployment(NEW, "PRIMARY", "IN_PROGRESS", "ECS deployment ecs-svc/2 in progress.", running=1), deployment(OLD, "ACTIVE", "COMPLETED")),
            "IN_PROGRESS", NEW, ["ECS deployment ecs-svc/2 in progress."], id="in-progress",
        ),
        pytest.param(
            described(
                deployment(OLD, "PRIMARY", "IN_PROGRESS", "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.", id_="ecs-svc/3"),
                deployment(NEW, "ACTIVE", "FAILED", BREAKER, running=0, id_="ecs-svc/2"),
                events=("(service shop-web-prod) has started 2 tasks: (task a) (task b).", "(service shop-web-prod) deployment ecs-svc/2 deployment failed: tasks failed to start."),
            ),
            "FAILED", OLD,
            [BREAKER, "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
             "(service shop-web-prod) deployment ecs-svc/2 deployment failed: tasks failed to start."],
            id="rolled-back-while-rolling-back",
        ),
        pytest.param(described(deployment(OLD, "PRIMARY", "COMPLETED")), "FAILED", OLD, [], id="rolled-back-and-gone"),
        pytest.param(
            described(deployment(NEW, "PRIMARY", "FAILED", BREAKER, running=0), deployment(OLD, "ACTIVE", "COMPLETED")),
            "FAILED", NEW, [BREAKER], id="failed-without-rollback",
        ),
        pytest.param(described(deployment(NEW, "PRIMARY", None, running=2, desired=2)), "COMPLETED", NEW, [], id="no-rollout-state-but-steady"),
        pytest.param(described(deployment(NEW, "PRIMARY", None, running=1, desired=2)), "IN_PROGRESS", NEW, [], id="no-rollout-state-not-steady"),
        pytest.param(described(deployment(NEW, "PRIMARY", "COMPLETED"), status="DRAINING"), "FAILED", None, ["service status is DRAINING"], id="draining"),
        pytest.param({"services": [], "failures": [{"arn": "arn:x", "reason": "MISSING"}]}, "FAILED", None, ["service not found (arn:x: MISSING)"], id="missing"),
        pytest.param(described(deployment(NEW, "ACTIVE", "COMPLETED")), "FAILED", None, ["the service has no PRIMARY deployment"], id="no-primary"),
    ],
)
def test_rollout_status_reads_one_describe_services_response(response, state, running, reasons):
    status = rollout_status(response, NEW)
    assert (status.state, status.running, status.reasons) == (state, running, reasons)


class FakeClock:
    """Time that moves only when the waiter sleeps: no real waiting, no timing assertions."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def ecs():
    client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_describe(stubber: Stubber, response: dict) -> None:
    stubber.add_response("describe_services", response, {"cluster": CLUSTER, "services": [SERVICE]})


def expect_stopped_tasks(stubber: Stubber, tasks: list[dict]) -> None:
    arns = [task["taskArn"] for task in tasks]
    stubber.add_response(
        "list_tasks", {"taskArns": arns}, {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "STOPPED", "maxResults": 100}
    )
    if arns:
        stubber.add_response("describe_tasks", {"tasks": tasks, "failures": []}, {"cluster": CLUSTER, "tasks": arns})


def stopped_task(id_: str, task_definition: str, reason: str, containers: list[dict]) -> dict:
    return {
        "taskArn": f"arn:aws:ecs:{REGION}:123456789012:task/shop/{id_}",
        "taskDefinitionArn": task_definition,
        "lastStatus": "STOPPED",
        "stoppedReason": reason,
        "containers": containers,
    }


CRASHED = [
    stopped_task("a1", NEW, "Essential container in task exited", [{"name": "web", "exitCode": 1}, {"name": "xray", "exitCode": 0}]),
    stopped_task("a2", NEW, "Essential container in task exited", [{"name": "web", "exitCode": 1}]),
    stopped_task("b1", NEW, "CannotPullContainerError: pull image manifest has been retried 5 time(s)", [{"name": "web", "reason": "CannotPullContainerError: ref not found"}]),
    stopped_task("c1", OLD, "Scaling activity initiated by deployment ecs-svc/1", []),
]


def test_completed_rollout_returns_after_polling(ecs):
    client, stubber = ecs
    expect_describe(stubber, described(deployment(NEW, "PRIMARY", "IN_PROGRESS", running=0), deployment(OLD, "ACTIVE", "COMPLETED")))
    expect_describe(stubber, described(deployment(NEW, "PRIMARY", "COMPLETED")))
    time = FakeClock()
    status = wait_for_rollout(client, CLUSTER, SERVICE, NEW, timeout=60, poll=5, sleep=time.sleep, clock=time.clock)
    assert (status.state, status.running, time.sleeps) == ("COMPLETED", NEW, [5])


def test_a_circuit_breaker_rollback_fails_with_service_revisions_and_reasons(ecs):
    client, stubber = ecs
    expect_describe(
        stubber,
        described(
            deployment(OLD, "PRIMARY", "COMPLETED", "ECS deployment ecs-svc/3 completed.", id_="ecs-svc/3"),
            events=("(service shop-web-prod) rolling back to deployment ecs-svc/1.",),
        ),
    )
    expect_stopped_tasks(stubber, CRASHED)
    with pytest.raises(RolloutError) as raised:
        wait_for_rollout(client, CLUSTER, SERVICE, NEW, timeout=60, poll=5, sleep=pytest.fail)
    message = str(raised.value)
    assert message.startswith(
        "service shop-web-prod in cluster shop: revision shop-web-prod:8 failed and ECS rolled the service back: "
        "the PRIMARY deployment runs shop-web-prod:7"
    )
    assert (
        "Reasons: (service shop-web-prod) rolling back to deployment ecs-svc/1.; "
        "2 stopped tasks: Essential container in task exited (container web: exit code 1); "
        "1 stopped task: CannotPullContainerError: pull image manifest has been retried 5 time(s) "
        "(container web: CannotPullContainerError: ref not found)."
    ) in message
    assert "Scaling activity" not in message  # stopped tasks of other revisions are not reasons
    assert f"aws ecs describe-services --cluster {CLUSTER} --services {SERVICE}" in message
    assert "\n" not in message


def test_a_failed_rollout_without_rollback_fails_naming_both_revisions(ecs):
    client, stubber = ecs
    expect_describe(stubber, described(deployment(NEW, "PRIMARY", "FAILED", BREAKER, running=0), deployment(OLD, "ACTIVE", "COMPLETED")))
    expect_stopped_tasks(stubber, CRASHED[:1])
    with pytest.raises(RolloutError) as raised:
        wait_for_rollout(client, CLUSTER, SERVICE, NEW, timeout=60, poll=5, sleep=pytest.fail)
    message = str(raised.value)
    assert "revision shop-web-prod:8 failed (rollout FAILED); the PRIMARY deployment still runs shop-web-prod:8" in message
    assert "shop-web-prod:8 PRIMARY 0/2 running, shop-web-prod:7 ACTIVE 2/2 running" in message
    assert f"Reasons: {BREAKER}; 1 stopped task: Essential container in task exited (container web: exit code 1)." in message


def test_a_rollout_that_does_not_finish_times_out(ecs):
    client, stubber = ecs
    in_progress = described(deployment(NEW, "PRIMARY", "IN_PROGRESS", "ECS deployment ecs-svc/2 in progress.", running=0), deployment(OLD, "ACTIVE", "COMPLETED"))
    for _ in range(4):  # t = 0, 10, 20, 30
        expect_describe(stubber, in_progress)
    expect_stopped_tasks(stubber, CRASHED[2:3])
    time = FakeClock()
    with pytest.raises(RolloutError) as raised:
        wait_for_rollout(client, CLUSTER, SERVICE, NEW, timeout=30, poll=10, sleep=time.sleep, clock=time.clock)
    assert time.sleeps == [10, 10, 10]
    message = str(raised.value)
    assert "revision shop-web-prod:8 did not finish rolling out within 30 s (rollout IN_PROGRESS); the PRIMARY deployment runs shop-web-prod:8" in message
    assert "Reasons: ECS deployment ecs-svc/2 in progress.; 1 stopped task: CannotPullContainerError" in message
    # the fix names the setting, never a file of the caller's (issue 8: no library message names app.py)
    assert "rollout_timeout_seconds" in message and "app.py" not in message


def test_stopped_task_reasons_never_hide_the_failure(ecs):
    client, stubber = ecs
    stubber.add_client_error("list_tasks", "AccessDeniedException", "not authorized to perform ecs:ListTasks")
    (reason,) = stopped_task_reasons(client, CLUSTER, SERVICE, NEW)
    assert reason.startswith("stopped tasks could not be listed (") and "AccessDeniedException" in reason


@pytest.mark.parametrize(
    "news, changes",
    [
        pytest.param({}, False, id="unchanged"),
        pytest.param({"timeout_seconds": 60.0, "poll_seconds": 1.0}, False, id="timeout-only"),
        pytest.param({"task_definition_arn": f"{TD}:9"}, True, id="new-revision"),
        pytest.param({"service": "other"}, True, id="other-service"),
        pytest.param({"cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}, True, id="other-cluster"),
    ],
)
def test_only_a_new_revision_service_or_cluster_makes_pulumi_up_wait_again(news, changes):
    olds = {"cluster": CLUSTER, "service": SERVICE, "task_definition_arn": NEW, "timeout_seconds": 1800.0, "poll_seconds": 15.0,
            "running_task_definition_arn": NEW, "rollout_state": "COMPLETED"}
    inputs = {key: value for key, value in olds.items() if key not in ("running_task_definition_arn", "rollout_state")}
    assert RolloutProvider().diff("id", olds, {**inputs, **news}).changes is changes


@pytest.fixture
def moto_service(moto_endpoint, monkeypatch):
    """A cluster, a registered revision and a service on it in the moto server; returns the provider's props.

    The provider builds its own boto3 client, so the endpoint and dummy credentials go in the environment.
    moto's service starts with MOTO_ECS_SERVICE_RUNNING tasks; its rollout is COMPLETED once that reaches the desired count.
    """
    for key, value in {
        "AWS_ENDPOINT_URL_ECS": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    def create(name: str, running: int) -> dict:
        monkeypatch.setenv("MOTO_ECS_SERVICE_RUNNING", str(running))
        client = boto3.client("ecs", region_name=REGION)
        cluster = client.create_cluster(clusterName=name)["cluster"]["clusterArn"]
        arn = client.register_task_definition(family=name, containerDefinitions=[{"name": "web", "image": "nginx:1.27", "memory": 128}])[
            "taskDefinition"]["taskDefinitionArn"]
        client.create_service(cluster=cluster, serviceName=name, taskDefinition=arn, desiredCount=2)
        return {"cluster": cluster, "service": name, "task_definition_arn": arn, "timeout_seconds": 0.2, "poll_seconds": 0.01, "region": REGION}

    return create


def test_the_provider_waits_for_a_completed_rollout_against_moto(moto_service):
    props = moto_service("shop-web-ok", running=2)
    result = RolloutProvider().create(props)
    assert result.id == f"{props['cluster']}/shop-web-ok"
    assert result.outs["running_task_definition_arn"] == props["task_definition_arn"]
    assert result.outs["rollout_state"] == "COMPLETED"
    assert RolloutProvider().update(result.id, result.outs, props).outs["running_task_definition_arn"] == props["task_definition_arn"]


def test_the_provider_times_out_against_moto_when_tasks_never_run(moto_service):
    props = moto_service("shop-web-stuck", running=0)
    with pytest.raises(RolloutError, match=r"service shop-web-stuck in cluster shop-web-stuck: revision shop-web-stuck:1 did not finish rolling out within 0.2 s"):
        RolloutProvider().create(props)


README = Path(__file__).resolve().parents[2] / "README.md"
"""The library's README (not the example app): the failure message it shows must be one the code produces."""


def test_the_readme_shows_a_message_the_code_produces():
    cluster = f"arn:aws:ecs:{REGION}:123456789012:cluster/shop-prod"
    response = described(
        deployment(OLD, "PRIMARY", "COMPLETED", "ECS deployment ecs-svc/3 completed.", running=3, desired=3, id_="ecs-svc/3"),
        events=(
            "(service shop-web-prod) (deployment ecs-svc/2) deployment failed: tasks failed to start.",
            "(service shop-web-prod) rolling back to deployment ecs-svc/1.",
        ),
    )
    stopped = ["3 stopped tasks: Essential container in task exited (container web: exit code 1)"]
    message = failure_message(cluster, SERVICE, rollout_status(response, NEW), stopped)
    assert message in README.read_text(encoding="utf-8")


def test_the_serialized_provider_runs_in_a_fresh_interpreter_against_moto(moto_service):
    """What the dynamic-provider host does: unpickle the provider in its own process (started in the
    project directory, nothing else on sys.path) and call create."""
    props = moto_service("shop-web-fresh", running=2)
    outputs = run_provider_in_fresh_interpreter(RolloutProvider(), props, {})
    assert outputs["running_task_definition_arn"] == props["task_definition_arn"]
