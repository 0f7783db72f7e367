"""Truthful rollout: the service deployment followed to its end, scripted with botocore's Stubber (moto lacks the API).

Every scripted call goes through the client, so botocore's ParamValidator checks every request the wait makes
and Stubber checks every scripted answer against ECS's output model.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from components import rollout as rollout_module
from components.rollout import (
    STALE_GRACE_SECONDS,
    Previous,
    RolloutError,
    RolloutProvider,
    Target,
    rollout_status,
    stopped_task_reasons,
    wait_for_deployment,
)

REGION = "eu-west-1"
ACCOUNT = "123456789012"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop-prod"
SERVICE = "shop-web-prod"
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shop-web-prod"
NEW, OLD = f"{TD}:8", f"{TD}:7"
T0 = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop-prod/{SERVICE}"
REV_NEW, REV_OLD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/shop-prod/{SERVICE}/8008", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/shop-prod/{SERVICE}/7007"
DEP_NEW, DEP_OLD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/shop-prod/{SERVICE}/NewDeploy8", f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/shop-prod/{SERVICE}/OldDeploy7"
DIGEST = "sha256:" + "ab" * 32
TARGET = Target(CLUSTER, SERVICE, NEW, stack="prod", label="web")


class FakeClock:
    """Time that moves only when the waiter sleeps: no real waiting, no timing assertions."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime.datetime:
        return T0 + datetime.timedelta(seconds=self.now)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """One ECS client whose answers are scripted in order (Stubber), and what the wait reported."""

    def __init__(self) -> None:
        self.client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        self.stubber = Stubber(self.client)
        self.reported: list[str] = []
        self.time = FakeClock()

    def listed(self, *deployments: tuple[str, str, int], after: datetime.datetime | None = None) -> None:
        """ListServiceDeployments answering ``(deployment ARN, target revision ARN, minutes after T0)`` items."""
        expected = {"cluster": CLUSTER, "service": SERVICE, "maxResults": 100}
        if after:
            expected["createdAt"] = {"after": after}
        items = [
            {"serviceDeploymentArn": arn, "serviceArn": SERVICE_ARN, "clusterArn": CLUSTER, "targetServiceRevisionArn": target,
             "status": "IN_PROGRESS", "createdAt": T0 + datetime.timedelta(minutes=minutes)}
            for arn, target, minutes in deployments
        ]
        self.stubber.add_response("list_service_deployments", {"serviceDeployments": items}, expected)

    def revisions(self, *revisions: tuple[str, str]) -> None:
        """DescribeServiceRevisions of ``(service revision ARN, task definition ARN)``; the new one runs DIGEST."""
        items = [
            {"serviceRevisionArn": arn, "serviceArn": SERVICE_ARN, "clusterArn": CLUSTER, "taskDefinition": td,
             "containerImages": [{"containerName": "web", "imageDigest": DIGEST, "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2"}]
             if td == NEW else []}
            for arn, td in revisions
        ]
        self.stubber.add_response("describe_service_revisions", {"serviceRevisions": items, "failures": []}, {"serviceRevisionArns": [a for a, _ in revisions]})

    def deployment(self, status: str, strategy: str = "ROLLING", stage: str | None = None, arn: str = DEP_NEW, **extra) -> None:
        self.stubber.add_response("describe_service_deployments", {"serviceDeployments": [deployment(status, strategy, stage, arn, **extra)], "failures": []},
                                  {"serviceDeploymentArns": [arn]})

    def missing(self, arn: str = DEP_NEW) -> None:
        self.stubber.add_response("describe_service_deployments", {"serviceDeployments": [], "failures": [{"arn": arn, "reason": "MISSING"}]},
                                  {"serviceDeploymentArns": [arn]})

    def throttled(self, operation: str = "describe_service_deployments", times: int = 1) -> None:
        for _ in range(times):
            self.stubber.add_client_error(operation, "ThrottlingException", "Rate exceeded", http_status_code=400)

    def stopped_tasks(self, tasks: list[dict]) -> None:
        arns = [task["taskArn"] for task in tasks]
        self.stubber.add_response("list_tasks", {"taskArns": arns}, {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "STOPPED", "maxResults": 100})
        if arns:
            self.stubber.add_response("describe_tasks", {"tasks": tasks, "failures": []}, {"cluster": CLUSTER, "tasks": arns})

    def wait(self, **options):
        options.setdefault("timeout", 600)
        options.setdefault("poll", 15)
        timeout, poll = options.pop("timeout"), options.pop("poll")
        with self.stubber:
            result = wait_for_deployment(self.client, options.pop("target", TARGET), timeout, poll, sleep=self.time.sleep, clock=self.time.clock,
                                         now=self.time.wall, report=self.reported.append, **options)
            self.stubber.assert_no_pending_responses()
        return result

    def fails(self, **options) -> str:
        with pytest.raises(RolloutError) as raised:
            self.wait(**options)
        self.stubber.assert_no_pending_responses()
        message = str(raised.value)
        assert "\n" not in message
        return message


def revision_counts(arn: str, running: int, requested: int = 3, production: float | None = None, test: float | None = None) -> dict:
    counts = {"arn": arn, "requestedTaskCount": requested, "runningTaskCount": running, "pendingTaskCount": requested - running if running < requested else 0}
    if production is not None:
        counts["requestedProductionTrafficWeight"] = production
    if test is not None:
        counts["requestedTestTrafficWeight"] = test
    return counts


def deployment(status: str, strategy: str, stage: str | None, arn: str, new: dict | None = None, old: dict | None = None, hook: dict | None = None,
               rollback: dict | None = None, breaker: dict | None = None, alarms: dict | None = None, reason: str | None = None) -> dict:
    item = {
        "serviceDeploymentArn": arn, "serviceArn": SERVICE_ARN, "clusterArn": CLUSTER, "status": status,
        "createdAt": T0, "deploymentConfiguration": {"strategy": strategy, "deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        "targetServiceRevision": new or revision_counts(REV_NEW, 3),
        "sourceServiceRevisions": [old or revision_counts(REV_OLD, 3)],
    }
    if stage:
        item["lifecycleStage"] = stage
    if hook:
        item["lifecycleHookDetails"] = [hook]
    if rollback:
        item["rollback"] = rollback
    if breaker:
        item["deploymentCircuitBreaker"] = breaker
    if alarms:
        item["alarms"] = alarms
    if reason:
        item["statusReason"] = reason
    return item


def pause(status: str = "AWAITING_ACTION", minutes: int = 60, action: str = "ROLLBACK") -> dict:
    return {"hookId": "ecs-pause-e7tK9G_WRJqNF", "targetType": "PAUSE", "status": status, "expiresAt": T0 + datetime.timedelta(minutes=minutes), "timeoutAction": action}


def stopped_task(id_: str, task_definition: str, reason: str, containers: list[dict]) -> dict:
    return {"taskArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/shop-prod/{id_}", "taskDefinitionArn": task_definition, "lastStatus": "STOPPED",
            "stoppedReason": reason, "containers": containers}


CRASHED = [
    stopped_task("a1", NEW, "Essential container in task exited", [{"name": "web", "exitCode": 1}, {"name": "xray", "exitCode": 0}]),
    stopped_task("a2", NEW, "Essential container in task exited", [{"name": "web", "exitCode": 1}]),
    stopped_task("a3", NEW, "Essential container in task exited", [{"name": "web", "exitCode": 1}]),
    stopped_task("c1", OLD, "Scaling activity initiated by deployment ecs-svc/1", []),
]


def found(script: Script) -> None:
    """The first look-up: the new deployment listed, its target revision described (it runs NEW)."""
    script.listed((DEP_OLD, REV_OLD, -60), (DEP_NEW, REV_NEW, 0))
    script.revisions((REV_NEW, NEW), (REV_OLD, OLD))


# --- Each strategy to SUCCESSFUL ---------------------------------------------------------------------------------

STEPS = {
    "ROLLING": [("IN_PROGRESS", "SCALE_UP", {"new": revision_counts(REV_NEW, 1)}), ("IN_PROGRESS", "CLEAN_UP", {})],
    "BLUE_GREEN": [
        ("IN_PROGRESS", "TEST_TRAFFIC_SHIFT", {"new": revision_counts(REV_NEW, 3, production=0, test=100)}),
        ("IN_PROGRESS", "BAKE_TIME", {"new": revision_counts(REV_NEW, 3, production=100, test=100), "old": revision_counts(REV_OLD, 3, production=0)}),
    ],
    "CANARY": [
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", {"new": revision_counts(REV_NEW, 3, production=5), "old": revision_counts(REV_OLD, 3, production=95)}),
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", {"new": revision_counts(REV_NEW, 3, production=100), "old": revision_counts(REV_OLD, 3, production=0)}),
    ],
    "LINEAR": [
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", {"new": revision_counts(REV_NEW, 3, production=10), "old": revision_counts(REV_OLD, 3, production=90)}),
        ("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", {"new": revision_counts(REV_NEW, 3, production=20), "old": revision_counts(REV_OLD, 3, production=80)}),
    ],
}


@pytest.mark.parametrize("strategy", [pytest.param(s, id=s.lower()) for s in STEPS])
def test_each_strategy_is_followed_to_successful_and_records_what_runs(strategy):
    script = Script()
    found(script)
    for status, stage, counts in STEPS[strategy]:
        script.deployment(status, strategy, stage, **counts)
        script.deployment(status, strategy, stage, **counts)  # unchanged: reported once
    script.deployment("SUCCESSFUL", strategy, "CLEAN_UP", new=revision_counts(REV_NEW, 3, production=100 if strategy != "ROLLING" else None), old=revision_counts(REV_OLD, 0, 0))
    result = script.wait()
    assert result.outputs() == {
        "rollout_state": "COMPLETED", "running_task_definition_arn": NEW, "service_deployment_arn": DEP_NEW,
        "deployment_created_at": T0.isoformat(), "image_digests": {"web": DIGEST}, "message": result.message,
    }
    assert len(script.reported) == len(STEPS[strategy]) + 1  # every change, once
    assert script.time.sleeps == [15] * (2 * len(STEPS[strategy]))


def test_progress_names_the_stage_the_weights_and_the_task_counts():
    script = Script()
    found(script)
    for status, stage, counts in STEPS["CANARY"]:
        script.deployment(status, "CANARY", stage, **counts)
    script.deployment("SUCCESSFUL", "CANARY", "CLEAN_UP", new=revision_counts(REV_NEW, 3, production=100), old=revision_counts(REV_OLD, 0, 0))
    script.wait()
    assert script.reported == [
        "shop-web-prod: canary deployment IN_PROGRESS, stage PRODUCTION_TRAFFIC_SHIFT; new shop-web-prod:8: 3/3 tasks running, 5% of production traffic; "
        "old shop-web-prod:7: 3/3 tasks running, 95% of production traffic",
        "shop-web-prod: canary deployment IN_PROGRESS, stage PRODUCTION_TRAFFIC_SHIFT; new shop-web-prod:8: 3/3 tasks running, 100% of production traffic; "
        "old shop-web-prod:7: 3/3 tasks running, 0% of production traffic",
        "shop-web-prod: canary deployment SUCCESSFUL, stage CLEAN_UP; new shop-web-prod:8: 3/3 tasks running, 100% of production traffic; "
        "old shop-web-prod:7: 0/0 tasks running",
    ]


# --- Failures ----------------------------------------------------------------------------------------------------

ROLLED_BACK = {"reason": "Circuit breaker triggered: 3 tasks failed to start.", "startedAt": T0, "serviceRevisionArn": REV_OLD}


@pytest.mark.parametrize("strategy", [pytest.param(s, id=s.lower()) for s in STEPS])
def test_a_circuit_breaker_rollback_fails_with_the_reason_the_breaker_and_the_stopped_tasks(strategy):
    script = Script()
    found(script)
    script.deployment("IN_PROGRESS", strategy, "SCALE_UP", new=revision_counts(REV_NEW, 0))
    script.deployment("ROLLBACK_SUCCESSFUL", strategy, "CLEAN_UP", new=revision_counts(REV_NEW, 0, 0), rollback=ROLLED_BACK,
                      breaker={"status": "TRIGGERED", "failureCount": 3, "threshold": 3}, reason="ECS deployment circuit breaker: tasks failed to start.")
    script.stopped_tasks(CRASHED)
    message = script.fails()
    kind = strategy.lower().replace("_", "/")
    assert message == (
        f"service shop-web-prod in cluster shop-prod: the {kind} deployment of shop-web-prod:8 failed and ECS rolled the service back to "
        "shop-web-prod:7 (ROLLBACK_SUCCESSFUL, stage CLEAN_UP). Reasons: ECS deployment circuit breaker: tasks failed to start.; "
        "Circuit breaker triggered: 3 tasks failed to start.; circuit breaker TRIGGERED (3 failed tasks, threshold 3); "
        "3 stopped tasks: Essential container in task exited (container web: exit code 1). "
        f"Inspect: aws ecs describe-service-deployments --service-deployment-arns {DEP_NEW}. "
        "Recover: fix forward with a new tag, or set the previous tag, then pulumi up."
    )


def test_an_alarm_rollback_names_the_alarms_that_triggered():
    script = Script()
    found(script)
    script.deployment("ROLLBACK_IN_PROGRESS", "CANARY", "PRODUCTION_TRAFFIC_SHIFT", rollback={**ROLLED_BACK, "reason": "CloudWatch alarm triggered."},
                      alarms={"status": "TRIGGERED", "alarmNames": ["shop-web-5xx", "shop-web-latency"], "triggeredAlarmNames": ["shop-web-5xx"]})
    script.stopped_tasks([])
    message = script.fails()
    assert message.startswith(
        "service shop-web-prod in cluster shop-prod: the canary deployment of shop-web-prod:8 failed and ECS is rolling the service back to "
        "shop-web-prod:7 (ROLLBACK_IN_PROGRESS, stage PRODUCTION_TRAFFIC_SHIFT). Reasons: CloudWatch alarm triggered.; alarms triggered: shop-web-5xx."
    )


def test_a_same_revision_deployment_that_rolls_back_fails():
    """The network changed, not the task definition: the deployment after the previous one is followed, and its rollback fails up."""
    script = Script()
    previous = Previous(DEP_OLD, T0 - datetime.timedelta(hours=1), NEW)
    script.listed((DEP_NEW, REV_NEW, 0), after=previous.created_at)
    script.deployment("ROLLBACK_SUCCESSFUL", "ROLLING", "CLEAN_UP", rollback={**ROLLED_BACK, "serviceRevisionArn": REV_OLD},
                      breaker={"status": "TRIGGERED", "failureCount": 2, "threshold": 2})
    script.revisions((REV_NEW, NEW), (REV_OLD, NEW))  # both revisions run :8; they differ in their network
    script.stopped_tasks(CRASHED[:1])
    message = script.fails(previous=previous)
    assert "the rolling deployment of shop-web-prod:8 failed and ECS rolled the service back to shop-web-prod:8 (ROLLBACK_SUCCESSFUL" in message
    assert "circuit breaker TRIGGERED (2 failed tasks, threshold 2); 1 stopped task: Essential container in task exited" in message


def test_a_stopped_deployment_fails():
    script = Script()
    found(script)
    script.deployment("STOPPED", "BLUE_GREEN", "POST_SCALE_UP", reason="Stopped by StopServiceDeployment.")
    script.stopped_tasks([])
    assert "the blue/green deployment of shop-web-prod:8 was stopped (STOPPED, stage POST_SCALE_UP). Reasons: Stopped by StopServiceDeployment." in script.fails()


def test_a_deployment_that_does_not_finish_times_out_naming_where_it_stands():
    script = Script()
    found(script)
    for _ in range(4):  # t = 0, 10, 20, 30
        script.deployment("IN_PROGRESS", "LINEAR", "PRODUCTION_TRAFFIC_SHIFT", new=revision_counts(REV_NEW, 3, production=10), old=revision_counts(REV_OLD, 3, production=90))
    script.stopped_tasks([])
    message = script.fails(timeout=20, poll=10, bake=10)
    assert script.time.sleeps == [10, 10, 10]
    assert message.startswith(
        "service shop-web-prod in cluster shop-prod: the linear deployment of shop-web-prod:8 did not finish within 20 s (+ 10 s of the strategy's bake times); "
        "linear deployment IN_PROGRESS, stage PRODUCTION_TRAFFIC_SHIFT; new shop-web-prod:8: 3/3 tasks running, 10% of production traffic"
    )
    assert "raise the service's rollout_timeout_seconds (ServiceSettings)" in message and "app.py" not in message


# --- Pause gates -----------------------------------------------------------------------------------------------

AT_TEST = {"new": revision_counts(REV_NEW, 3, production=0, test=100), "old": revision_counts(REV_OLD, 3, production=100, test=0)}


def test_wait_until_paused_ends_up_at_the_gate_with_the_command_that_continues():
    script = Script()
    found(script)
    script.deployment("IN_PROGRESS", "CANARY", "POST_TEST_TRAFFIC_SHIFT", hook=pause(minutes=240), **AT_TEST)
    result = script.wait(wait_until="paused")
    assert (result.state, result.task_definition_arn, result.image_digests) == ("PAUSED", NEW, {"web": DIGEST})
    assert result.message == PAUSED_MESSAGE
    assert script.reported[-1] == PAUSED_MESSAGE


PAUSED_MESSAGE = (
    "service shop-web-prod in cluster shop-prod: the canary deployment of shop-web-prod:8 is paused at POST_TEST_TRAFFIC_SHIFT; "
    "test on the test listener, then: ecs-release continue --stack prod --service web; to roll back instead: "
    "ecs-release rollback --stack prod --service web; without either, ECS will ROLLBACK at 2026-11-26 16:00:00 UTC"
)


@pytest.mark.parametrize("strategy", [pytest.param(s, id=s.lower()) for s in ("BLUE_GREEN", "CANARY", "LINEAR")])
def test_pause_then_continue_waits_through_the_gate_without_counting_it_against_the_timeout(strategy):
    script = Script()
    found(script)
    for _ in range(8):  # paused for 120 s, longer than the 60 s timeout
        script.deployment("IN_PROGRESS", strategy, "POST_TEST_TRAFFIC_SHIFT", hook=pause(), **AT_TEST)
    script.deployment("IN_PROGRESS", strategy, "PRODUCTION_TRAFFIC_SHIFT", hook=pause("SUCCEEDED"), new=revision_counts(REV_NEW, 3, production=50))
    script.deployment("SUCCESSFUL", strategy, "CLEAN_UP", new=revision_counts(REV_NEW, 3, production=100))
    result = script.wait(timeout=60)
    assert result.state == "COMPLETED"
    assert script.reported[1] == (
        "shop-web-prod: paused at POST_TEST_TRAFFIC_SHIFT; waiting for ecs-release continue --stack prod --service web (or rollback), "
        "or the pause's timeout at 2026-11-26 13:00:00 UTC (then ROLLBACK)"
    )


def test_pause_then_rollback_fails():
    script = Script()
    found(script)
    script.deployment("IN_PROGRESS", "CANARY", "POST_TEST_TRAFFIC_SHIFT", hook=pause(), **AT_TEST)
    script.deployment("ROLLBACK_SUCCESSFUL", "CANARY", "CLEAN_UP", hook=pause("SUCCEEDED"),
                      rollback={**ROLLED_BACK, "reason": "Rollback requested through ContinueServiceDeployment."})
    script.stopped_tasks([])
    assert ("the canary deployment of shop-web-prod:8 failed and ECS rolled the service back to shop-web-prod:7 (ROLLBACK_SUCCESSFUL, stage CLEAN_UP). "
            "Reasons: Rollback requested through ContinueServiceDeployment.") in script.fails()


def test_a_pause_that_times_out_with_continue_completes():
    script = Script()
    found(script)
    for _ in range(4):  # the pause expires after 1 minute: at t = 60 s ECS continues
        script.deployment("IN_PROGRESS", "BLUE_GREEN", "POST_TEST_TRAFFIC_SHIFT", hook=pause(minutes=1, action="CONTINUE"), **AT_TEST)
    script.deployment("IN_PROGRESS", "BLUE_GREEN", "PRODUCTION_TRAFFIC_SHIFT", hook=pause("TIMED_OUT", minutes=1, action="CONTINUE"))
    script.deployment("SUCCESSFUL", "BLUE_GREEN", "CLEAN_UP", hook=pause("TIMED_OUT", minutes=1, action="CONTINUE"))
    assert script.wait(timeout=30).state == "COMPLETED"


def test_a_pause_that_times_out_with_rollback_fails_saying_so():
    script = Script()
    found(script)
    for _ in range(4):
        script.deployment("IN_PROGRESS", "BLUE_GREEN", "POST_TEST_TRAFFIC_SHIFT", hook=pause(minutes=1), **AT_TEST)
    script.deployment("ROLLBACK_SUCCESSFUL", "BLUE_GREEN", "CLEAN_UP", hook=pause("TIMED_OUT", minutes=1), rollback=ROLLED_BACK | {"reason": "Lifecycle hook timed out."})
    script.stopped_tasks([])
    message = script.fails(timeout=30)
    assert "Reasons: Lifecycle hook timed out.; the PAUSE hook timed out (timeout action ROLLBACK)." in message


def test_a_pause_ecs_never_acts_on_ends_the_wait_after_its_expiry():
    script = Script()
    found(script)
    for _ in range(11):  # expires at 60 s; the wait gives ECS the stale-read grace and one poll more: reads at 0, 15, ..., 150 s
        script.deployment("IN_PROGRESS", "BLUE_GREEN", "POST_TEST_TRAFFIC_SHIFT", hook=pause(minutes=1), **AT_TEST)
    message = script.fails(timeout=30)
    assert message.startswith("service shop-web-prod in cluster shop-prod: the pause at POST_TEST_TRAFFIC_SHIFT expired at 2026-11-26 12:01:00 UTC")
    assert script.time.now <= 60 + STALE_GRACE_SECONDS + 2 * 15


# --- Eventual consistency and throttling ---------------------------------------------------------------------------


def test_a_stale_first_read_is_looked_for_again_not_taken_for_a_rollback():
    script = Script()
    script.listed((DEP_OLD, REV_OLD, -60))  # the update's deployment is not listed yet
    script.revisions((REV_OLD, OLD))
    script.listed((DEP_OLD, REV_OLD, -60), (DEP_NEW, REV_NEW, 0))
    script.revisions((REV_NEW, NEW))
    script.missing()  # listed, but not described yet
    script.deployment("SUCCESSFUL", "ROLLING", "CLEAN_UP")
    assert script.wait().deployment_arn == DEP_NEW
    assert script.time.sleeps == [15, 15]


def test_throttling_bursts_are_retried_with_backoff_inside_the_timeout():
    script = Script()
    script.throttled("list_service_deployments")
    found(script)
    script.throttled(times=3)
    script.deployment("SUCCESSFUL", "ROLLING", "CLEAN_UP")
    assert script.wait(poll=5).state == "COMPLETED"
    assert script.time.sleeps == [5, 5, 10, 20]


def test_throttling_that_outlasts_the_timeout_fails_naming_the_error():
    script = Script()
    found(script)
    script.throttled(times=3)
    message = script.fails(timeout=30, poll=10)
    assert message == (
        "service shop-web-prod in cluster shop-prod: the wait for shop-web-prod:8 ran out of time while AWS kept refusing (3 tries in a row): "
        "An error occurred (ThrottlingException) when calling the DescribeServiceDeployments operation: Rate exceeded; "
        "run pulumi up again, or raise the service's rollout_timeout_seconds (ServiceSettings)"
    )


def test_access_denied_fails_at_once_naming_the_permissions():
    script = Script()
    script.stubber.add_client_error("list_service_deployments", "AccessDeniedException", "not authorized to perform ecs:ListServiceDeployments")
    message = script.fails()
    assert "cannot follow the deployment of shop-web-prod:8: An error occurred (AccessDeniedException)" in message
    assert "ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions" in message
    assert script.time.sleeps == []


def test_a_change_that_starts_no_deployment_is_checked_once_with_describe_services():
    script = Script()
    previous = Previous(DEP_OLD, T0 - datetime.timedelta(hours=1), NEW)
    for _ in range(5):  # t = 0, 15, 30, 45, 60: nothing new after the grace period
        script.listed(after=previous.created_at)
    script.stubber.add_response("describe_services", described(service_deployment(NEW, "PRIMARY", "COMPLETED")), {"cluster": CLUSTER, "services": [SERVICE]})
    result = script.wait(previous=previous)
    assert (result.state, result.deployment_arn, result.task_definition_arn) == ("COMPLETED", None, NEW)
    assert result.message == "service shop-web-prod in cluster shop-prod: no new service deployment; the service runs shop-web-prod:8, rollout COMPLETED"


def test_a_paused_deployment_is_followed_on_by_the_next_up():
    script = Script()
    script.deployment("SUCCESSFUL", "BLUE_GREEN", "CLEAN_UP")
    script.revisions((REV_NEW, NEW), (REV_OLD, OLD))
    assert script.wait(follow=DEP_NEW).state == "COMPLETED"


# --- DescribeServices, when no service deployment started ----------------------------------------------------------


def service_deployment(task_definition: str, status: str, state: str | None, reason: str = "", running: int = 2, desired: int = 2, id_: str = "ecs-svc/1") -> dict:
    item = {"id": id_, "status": status, "taskDefinition": task_definition, "runningCount": running, "desiredCount": desired}
    if state:
        item["rolloutState"] = state
    if reason:
        item["rolloutStateReason"] = reason
    return item


def described(*deployments: dict, events: tuple[str, ...] = (), status: str = "ACTIVE") -> dict:
    return {
        "services": [{
            "serviceName": SERVICE, "clusterArn": CLUSTER, "status": status, "deployments": list(deployments),
            "events": [{"id": str(i), "createdAt": T0 + datetime.timedelta(minutes=i), "message": m} for i, m in enumerate(events)],
        }],
        "failures": [],
    }


BREAKER = "ECS deployment circuit breaker: tasks failed to start."


@pytest.mark.parametrize(
    "response, state, running, reasons",
    [
        pytest.param(described(service_deployment(NEW, "PRIMARY", "COMPLETED", "ECS deployment ecs-svc/1 completed.")), "COMPLETED", NEW, [], id="completed"),
        pytest.param(
            described(service_deployment(NEW, "PRIMARY", "IN_PROGRESS", "ECS deployment ecs-svc/2 in progress.", running=1), service_deployment(OLD, "ACTIVE", "COMPLETED")),
            "IN_PROGRESS", NEW, ["ECS deployment ecs-svc/2 in progress."], id="in-progress",
        ),
        pytest.param(
            described(
                service_deployment(OLD, "PRIMARY", "IN_PROGRESS", "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.", id_="ecs-svc/3"),
                service_deployment(NEW, "ACTIVE", "FAILED", BREAKER, running=0, id_="ecs-svc/2"),
                events=("(service shop-web-prod) has started 2 tasks: (task a) (task b).", "(service shop-web-prod) deployment ecs-svc/2 deployment failed: tasks failed to start."),
            ),
            "FAILED", OLD,
            [BREAKER, "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
             "(service shop-web-prod) deployment ecs-svc/2 deployment failed: tasks failed to start."],
            id="rolled-back-while-rolling-back",
        ),
        pytest.param(described(service_deployment(OLD, "PRIMARY", "COMPLETED")), "FAILED", OLD, [], id="rolled-back-and-gone"),
        pytest.param(
            described(service_deployment(NEW, "PRIMARY", "FAILED", BREAKER, running=0), service_deployment(OLD, "ACTIVE", "COMPLETED")),
            "FAILED", NEW, [BREAKER], id="failed-without-rollback",
        ),
        pytest.param(described(service_deployment(NEW, "PRIMARY", None, running=2, desired=2)), "COMPLETED", NEW, [], id="no-rollout-state-but-steady"),
        pytest.param(described(service_deployment(NEW, "PRIMARY", None, running=1, desired=2)), "IN_PROGRESS", NEW, [], id="no-rollout-state-not-steady"),
        pytest.param(described(service_deployment(NEW, "PRIMARY", "COMPLETED"), status="DRAINING"), "FAILED", None, ["service status is DRAINING"], id="draining"),
        pytest.param({"services": [], "failures": [{"arn": "arn:x", "reason": "MISSING"}]}, "FAILED", None, ["service not found (arn:x: MISSING)"], id="missing"),
        pytest.param(described(service_deployment(NEW, "ACTIVE", "COMPLETED")), "FAILED", None, ["the service has no PRIMARY deployment"], id="no-primary"),
    ],
)
def test_rollout_status_reads_one_describe_services_response(response, state, running, reasons):
    status = rollout_status(response, NEW)
    assert (status.state, status.running, status.reasons) == (state, running, reasons)


def test_a_change_without_deployment_whose_service_does_not_run_the_revision_fails():
    script = Script()
    script.listed((DEP_OLD, REV_OLD, -60))
    script.revisions((REV_OLD, OLD))  # described once: it runs the old revision
    for _ in range(4):  # t = 15 .. 60: still no deployment of the new revision
        script.listed((DEP_OLD, REV_OLD, -60))
    script.stubber.add_response("describe_services", described(service_deployment(OLD, "PRIMARY", "COMPLETED")), {"cluster": CLUSTER, "services": [SERVICE]})
    script.stopped_tasks([])
    message = script.fails()
    assert message.startswith("service shop-web-prod in cluster shop-prod: revision shop-web-prod:8 failed and ECS rolled the service back: the PRIMARY deployment runs shop-web-prod:7")


def test_stopped_task_reasons_never_hide_the_failure():
    script = Script()
    script.stubber.add_client_error("list_tasks", "AccessDeniedException", "not authorized to perform ecs:ListTasks")
    with script.stubber:
        (reason,) = stopped_task_reasons(script.client, CLUSTER, SERVICE, NEW)
    assert reason.startswith("stopped tasks could not be listed (") and "AccessDeniedException" in reason


# --- The provider -------------------------------------------------------------------------------------------------

PROPS = {"cluster": CLUSTER, "service": SERVICE, "task_definition_arn": NEW, "deployment": {"launch_type": "FARGATE", "network": {}}, "timeout_seconds": 1800.0,
         "poll_seconds": 15.0, "bake_seconds": 0.0, "wait_until": "completed", "stack": "prod", "label": "web", "region": REGION, "aws": {}}


@pytest.mark.parametrize(
    "news, olds, changes",
    [
        pytest.param({}, {}, False, id="unchanged"),
        pytest.param({"timeout_seconds": 60.0, "poll_seconds": 1.0, "aws": {"profile": "other"}}, {}, False, id="timeout-and-credentials-only"),
        pytest.param({"task_definition_arn": f"{TD}:9"}, {}, True, id="new-revision"),
        pytest.param({"deployment": {"launch_type": "FARGATE", "network": {"security_groups": ["sg-2"]}}}, {}, True, id="same-revision-new-network"),
        pytest.param({"service": "other"}, {}, True, id="other-service"),
        pytest.param({"cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/other"}, {}, True, id="other-cluster"),
        pytest.param({}, {"rollout_state": "PAUSED"}, True, id="ended-at-a-pause"),
    ],
)
def test_pulumi_up_waits_again_when_a_deployment_may_start_or_the_last_wait_paused(news, olds, changes):
    previous = {**PROPS, "running_task_definition_arn": NEW, "rollout_state": "COMPLETED", "service_deployment_arn": DEP_OLD, **olds}
    assert RolloutProvider().diff("id", previous, {**PROPS, **news}).changes is changes


def test_the_provider_follows_from_the_previous_deployment_and_records_it(monkeypatch):
    script = Script()
    monkeypatch.setattr(rollout_module, "aws_client", lambda service, aws, region=None: script.client)
    monkeypatch.setattr(rollout_module.time, "sleep", script.time.sleep)
    olds = {**PROPS, "task_definition_arn": OLD, "rollout_state": "COMPLETED", "service_deployment_arn": DEP_OLD,
            "deployment_created_at": (T0 - datetime.timedelta(hours=1)).isoformat()}
    script.listed((DEP_NEW, REV_NEW, 0), after=T0 - datetime.timedelta(hours=1))
    script.revisions((REV_NEW, NEW))
    script.deployment("SUCCESSFUL", "ROLLING", "CLEAN_UP")
    script.revisions((REV_OLD, OLD))
    with script.stubber:
        outs = RolloutProvider().update("id", olds, PROPS).outs
    assert {key: outs[key] for key in ("rollout_state", "running_task_definition_arn", "service_deployment_arn", "deployment_created_at", "image_digests")} == {
        "rollout_state": "COMPLETED", "running_task_definition_arn": NEW, "service_deployment_arn": DEP_NEW,
        "deployment_created_at": T0.isoformat(), "image_digests": {"web": DIGEST},
    }


def test_the_serialized_provider_loads_in_a_fresh_interpreter_started_in_the_project():
    """What the dynamic-provider host does first: unpickle the provider (by reference to components.rollout) in its own
    process, started in the project directory with nothing else on sys.path; then its diff runs there."""
    from pulumi.dynamic.dynamic import serialize_provider

    script = (
        "import base64, json, os, dill\n"
        "provider = dill.loads(base64.b64decode(os.environ['PROVIDER']))\n"
        "props = json.loads(os.environ['PROPS'])\n"
        "print(json.dumps([type(provider).__module__, provider.diff('id', props, {**props, 'task_definition_arn': 'x'}).changes]))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment.update(PROVIDER=serialize_provider(RolloutProvider()), PROPS=json.dumps(PROPS))
    project = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=project, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["components.rollout", True]


README = Path(__file__).resolve().parents[2] / "README.md"
"""The library's README (not the example app): the messages it shows must be ones the code produces."""


def alarm_rollback_message() -> str:
    script = Script()
    found(script)
    script.deployment("ROLLBACK_SUCCESSFUL", "CANARY", "PRODUCTION_TRAFFIC_SHIFT", rollback={**ROLLED_BACK, "reason": "CloudWatch alarm triggered."},
                      new=revision_counts(REV_NEW, 0, 0, production=0), old=revision_counts(REV_OLD, 3, production=100),
                      alarms={"status": "TRIGGERED", "alarmNames": ["shop-web-prod-5xx"], "triggeredAlarmNames": ["shop-web-prod-5xx"]})
    script.stopped_tasks([])
    return script.fails()


def test_the_readme_shows_messages_the_code_produces():
    readme = README.read_text(encoding="utf-8")
    assert PAUSED_MESSAGE in readme  # Deployment strategies
    assert alarm_rollback_message() in readme
    script = Script()
    found(script)
    script.deployment("ROLLBACK_SUCCESSFUL", "CANARY", "PRODUCTION_TRAFFIC_SHIFT", rollback=ROLLED_BACK,
                      breaker={"status": "TRIGGERED", "failureCount": 3, "threshold": 3}, reason="ECS deployment circuit breaker: tasks failed to start.")
    script.stopped_tasks(CRASHED)
    assert script.fails() in readme
