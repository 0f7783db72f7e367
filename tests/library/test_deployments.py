"""``status``, ``continue`` and ``rollback`` on the fixture project's prod stack, ECS scripted with botocore's Stubber
(moto lacks the service-deployment API): every request checked against ECS's model, every answer too."""

from __future__ import annotations

import datetime
import sys

import boto3
import pytest
from botocore.stub import Stubber

from components import aws_clients
from components.cli import main
from components.deployments import DeploymentCommandError, act_command, status_command
from tests.gitrepo import LIBRARY_PROJECT as PROJECT

REGION, ACCOUNT = "eu-west-1", "123456789012"
CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/fixture-prod"
T0 = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition"
DIGEST = "sha256:" + "ab" * 32


def arn(kind: str, service: str, suffix: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/fixture-prod/{service}/{suffix}"


@pytest.fixture(autouse=True)
def isolated_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path


@pytest.fixture
def ecs(monkeypatch):
    """One stubbed ECS client, also what the commands' own client factory returns (for main())."""
    client = boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    monkeypatch.setattr(aws_clients, "aws_client", lambda service, aws=None, region=None: client)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def listed(stubber: Stubber, service: str, deployment: str | None, statuses: list[str] | None = None) -> None:
    expected = {"cluster": CLUSTER, "service": service, "maxResults": 20}
    if statuses:
        expected["status"] = statuses
    items = [{"serviceDeploymentArn": deployment, "createdAt": T0, "status": "IN_PROGRESS"}] if deployment else []
    stubber.add_response("list_service_deployments", {"serviceDeployments": items}, expected)


def described(stubber: Stubber, deployment: str, service: str, status: str, strategy: str, stage: str, new: dict, old: dict | None = None, hook: dict | None = None) -> None:
    item = {"serviceDeploymentArn": deployment, "status": status, "lifecycleStage": stage, "createdAt": T0,
            "deploymentConfiguration": {"strategy": strategy}, "targetServiceRevision": new, "sourceServiceRevisions": [old] if old else []}
    if hook:
        item["lifecycleHookDetails"] = [hook]
    stubber.add_response("describe_service_deployments", {"serviceDeployments": [item], "failures": []}, {"serviceDeploymentArns": [deployment]})


def revisions(stubber: Stubber, *items: tuple[str, str, bool]) -> None:
    answer = [{"serviceRevisionArn": revision, "taskDefinition": task_definition,
               "containerImages": [{"containerName": "api", "imageDigest": DIGEST}] if pinned else []} for revision, task_definition, pinned in items]
    stubber.add_response("describe_service_revisions", {"serviceRevisions": answer, "failures": []}, {"serviceRevisionArns": [i[0] for i in items]})


API_NEW, API_OLD = arn("service-revision", "fixture-api-prod", "2"), arn("service-revision", "fixture-api-prod", "1")
API_DEPLOYMENT = arn("service-deployment", "fixture-api-prod", "Deploy2")
JOBS_NEW, JOBS_DEPLOYMENT = arn("service-revision", "fixture-jobs-prod", "5"), arn("service-deployment", "fixture-jobs-prod", "Deploy5")
PAUSE = {"hookId": "ecs-pause-e7tK9G_WRJqNF", "targetType": "PAUSE", "status": "AWAITING_ACTION", "expiresAt": T0 + datetime.timedelta(hours=24), "timeoutAction": "ROLLBACK"}


def paused_api(stubber: Stubber, statuses: list[str] | None = None) -> None:
    listed(stubber, "fixture-api-prod", API_DEPLOYMENT, statuses)
    described(stubber, API_DEPLOYMENT, "fixture-api-prod", "IN_PROGRESS", "BLUE_GREEN", "POST_TEST_TRAFFIC_SHIFT",
              new={"arn": API_NEW, "requestedTaskCount": 2, "runningTaskCount": 2, "requestedProductionTrafficWeight": 0.0, "requestedTestTrafficWeight": 100.0},
              old={"arn": API_OLD, "requestedTaskCount": 2, "runningTaskCount": 2, "requestedProductionTrafficWeight": 100.0, "requestedTestTrafficWeight": 0.0},
              hook=PAUSE)
    revisions(stubber, (API_NEW, f"{TD}/fixture-api-prod:2", True), (API_OLD, f"{TD}/fixture-api-prod:1", False))


def test_status_shows_each_services_deployment_its_weights_digests_and_gate(ecs):
    client, stubber = ecs
    paused_api(stubber)
    listed(stubber, "fixture-jobs-prod", JOBS_DEPLOYMENT)
    described(stubber, JOBS_DEPLOYMENT, "fixture-jobs-prod", "SUCCESSFUL", "ROLLING", "CLEAN_UP", new={"arn": JOBS_NEW, "requestedTaskCount": 1, "runningTaskCount": 1})
    revisions(stubber, (JOBS_NEW, f"{TD}/fixture-jobs-prod:5", False))
    text, code = status_command(PROJECT, "prod", client=lambda service, region: client)
    assert code == 0
    assert text.splitlines() == [
        "api (fixture-api-prod in cluster fixture-prod): blue/green deployment IN_PROGRESS, stage POST_TEST_TRAFFIC_SHIFT, started 2026-11-26 12:00:00 UTC",
        f"  new fixture-api-prod:2: 2/2 tasks running, 0% of production traffic, 100% of test traffic; images: api {DIGEST}",
        "  old fixture-api-prod:1: 2/2 tasks running, 100% of production traffic, 0% of test traffic",
        "  paused at POST_TEST_TRAFFIC_SHIFT, awaiting action until 2026-11-27 12:00:00 UTC (then ECS will ROLLBACK): "
        "ecs-release continue --stack prod --service api or ecs-release rollback --stack prod --service api",
        "jobs (fixture-jobs-prod in cluster fixture-prod): rolling deployment SUCCESSFUL, stage CLEAN_UP, started 2026-11-26 12:00:00 UTC",
        "  new fixture-jobs-prod:5: 1/1 tasks running",
    ]


def test_continue_with_yes_continues_the_paused_hook(ecs):
    client, stubber = ecs
    paused_api(stubber, ["PENDING", "IN_PROGRESS"])
    stubber.add_response("continue_service_deployment", {"serviceDeploymentArn": API_DEPLOYMENT},
                         {"serviceDeploymentArn": API_DEPLOYMENT, "hookId": "ecs-pause-e7tK9G_WRJqNF", "action": "CONTINUE"})
    text, code = act_command(PROJECT, "prod", "api", "CONTINUE", yes=True, client=lambda service, region: client)
    assert (text, code) == (
        "continued: the blue/green deployment of fixture-api-prod:2 to service fixture-api-prod, paused at POST_TEST_TRAFFIC_SHIFT; "
        "follow it with: ecs-release status --stack prod --service api", 0)


def test_rollback_asks_first_and_a_no_leaves_the_gate_alone(ecs):
    client, stubber = ecs
    paused_api(stubber, ["PENDING", "IN_PROGRESS"])
    asked: list[str] = []
    text, code = act_command(PROJECT, "prod", "fixture-api-prod", "ROLLBACK", confirm=lambda question: asked.append(question) or "n",
                             client=lambda service, region: client)
    assert asked == ["Roll back the blue/green deployment of fixture-api-prod:2 to service fixture-api-prod, paused at POST_TEST_TRAFFIC_SHIFT? [y/N] "]
    assert (text, code) == ("not done: the blue/green deployment of fixture-api-prod:2 to service fixture-api-prod, paused at POST_TEST_TRAFFIC_SHIFT stays paused", 1)


def test_rollback_confirmed_rolls_back(ecs):
    client, stubber = ecs
    paused_api(stubber, ["PENDING", "IN_PROGRESS"])
    stubber.add_response("continue_service_deployment", {"serviceDeploymentArn": API_DEPLOYMENT},
                         {"serviceDeploymentArn": API_DEPLOYMENT, "hookId": "ecs-pause-e7tK9G_WRJqNF", "action": "ROLLBACK"})
    text, code = act_command(PROJECT, "prod", "api", "ROLLBACK", confirm=lambda question: "y", client=lambda service, region: client)
    assert code == 0 and text.startswith("rolling back: the blue/green deployment of fixture-api-prod:2")


@pytest.mark.parametrize(
    "argv, script, error",
    [
        pytest.param(
            ["continue", "--stack", "prod", "--service", "jobs", "--yes"],
            lambda stubber: (listed(stubber, "fixture-jobs-prod", None, ["PENDING", "IN_PROGRESS"])),
            "error: service jobs (fixture-jobs-prod) of stack prod is not paused at a gate: it has no deployment in progress; nothing to continue; "
            "see: ecs-release status --stack prod --service jobs",
            id="nothing-in-progress",
        ),
        pytest.param(
            ["rollback", "--stack", "prod", "--service", "api", "--yes"],
            lambda stubber: (listed(stubber, "fixture-api-prod", API_DEPLOYMENT, ["PENDING", "IN_PROGRESS"]), described(
                stubber, API_DEPLOYMENT, "fixture-api-prod", "IN_PROGRESS", "CANARY", "PRODUCTION_TRAFFIC_SHIFT", new={"arn": API_NEW})),
            "error: service api (fixture-api-prod) of stack prod is not paused at a gate: its newest deployment is IN_PROGRESS at "
            "PRODUCTION_TRAFFIC_SHIFT; nothing to roll back; see: ecs-release status --stack prod --service api",
            id="in-progress-not-paused",
        ),
        pytest.param(
            ["continue", "--stack", "prod", "--service", "web", "--yes"], lambda stubber: None,
            "error: --service web: stack prod has no such service; use one of: api, jobs", id="unknown-service",
        ),
        pytest.param(
            ["continue", "--stack", "prod", "--service", "api"], lambda stubber: paused_api(stubber, ["PENDING", "IN_PROGRESS"]),
            "error: continue needs a confirmation and there is no terminal to ask on; add --yes to continue the blue/green deployment of "
            "fixture-api-prod:2 to service fixture-api-prod, paused at POST_TEST_TRAFFIC_SHIFT",
            id="no-terminal-no-yes",
        ),
        pytest.param(
            ["status", "--stack", "prod", "--service", "api"],
            lambda stubber: stubber.add_client_error("list_service_deployments", "AccessDeniedException", "not authorized to perform ecs:ListServiceDeployments"),
            f"error: service fixture-api-prod (cluster {CLUSTER}): An error occurred (AccessDeniedException) when calling the ListServiceDeployments "
            "operation: not authorized to perform ecs:ListServiceDeployments; check your AWS credentials and the stack's aws: settings",
            id="access-denied",
        ),
    ],
)
def test_refusals_are_one_error_line(ecs, capsys, monkeypatch, argv, script, error):
    client, stubber = ecs
    script(stubber)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main([*argv, "--project-dir", str(PROJECT)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", error + "\n")


def test_without_continue_service_deployment_in_botocore_the_commands_refuse(ecs):
    client, _ = ecs

    class OlderBotocore:
        """An ECS client of a botocore release before pause hooks."""

        def __getattr__(self, name):
            if name == "continue_service_deployment":
                raise AttributeError(name)
            return getattr(client, name)

    with pytest.raises(DeploymentCommandError) as raised:
        act_command(PROJECT, "prod", "api", "CONTINUE", yes=True, client=lambda service, region: OlderBotocore())
    assert str(raised.value).startswith("botocore ") and str(raised.value).endswith(
        "has no ContinueServiceDeployment (ECS pause hooks); upgrade it: pip install --upgrade boto3 botocore")
