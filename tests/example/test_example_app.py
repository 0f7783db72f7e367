"""The example app (app.py, __main__.py, task-definitions/, stacks/): services web and worker in dev, staging and prod.

These tests are about the example's own data: an adopter who rewrites app.py deletes or rewrites
them; the library's tests (tests/library) do not depend on it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import botocore.session
import botocore.validate
import pytest
import yaml

import app
from components.aws_inputs import document_from_inputs
from components.cli import main
from components.errors import EcsReleaseError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, offline_digest, run_program
from components.program import stack_keys
from components.service import TYPE_TOKEN as SERVICE_TOKEN
from components.stack_config import stack_config
from tests.gitrepo import EXAMPLE_FILES, copy_project

PROJECT = Path(__file__).resolve().parents[2]
STACKS = ["dev", "staging", "prod"]
TAG_KEYS = {"webTag", "xrayTag", "workerTag"}
REGISTER_INPUT = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape
SERVICE_TYPE = "aws:ecs/service:Service"
ROLLOUT, RETENTION = "pulumi-python:dynamic:ServiceRollout", "pulumi-python:dynamic:RevisionRetention"
SIZES = {  # (cpu, memory) of each task definition, per stack: data in app.py
    "dev": {"web": ("512", "1024"), "worker": ("256", "512")},
    "staging": {"web": ("512", "1024"), "worker": ("256", "512")},
    "prod": {"web": ("1024", "2048"), "worker": ("512", "1024")},
}
PINNED = {"dev": False, "staging": True, "prod": True}


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path


class RevisionMocks(RecordingMocks):
    """Mocks whose task-definition revision follows its inputs, as ECS's does (a new document, a new revision):
    what refers to the revision by ARN then shows whether it changed."""

    def new_resource(self, args):
        resource_id, outputs = super().new_resource(args)
        if args.typ == TASK_DEFINITION_TYPE:
            revision = int(hashlib.sha256(json.dumps(args.inputs, sort_keys=True, default=str).encode()).hexdigest()[:6], 16)
            outputs.update(revision=revision, arn=f"{outputs['arnWithoutRevision']}:{revision}")
        return resource_id, outputs


def registered(stack: str, overrides: dict | None = None, mocks: RecordingMocks | None = None) -> dict[tuple[str, str], dict]:
    mocks = mocks or RecordingMocks(region="eu-west-1")
    run_program(PROJECT, stack, overrides, mocks)
    return {(r.type, r.name): r.inputs for r in mocks.resources}


def images(document: dict) -> dict[str, str]:
    return {c["name"]: c["image"] for c in document["containerDefinitions"]}


@pytest.mark.parametrize("stack", STACKS)
def test_render_shows_both_services_task_definitions(stack, capsys):
    assert main(["render", "--stack", stack, "--project-dir", str(PROJECT)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    documents = json.loads(out)
    assert sorted(documents) == [f"shop-web-{stack}", f"shop-worker-{stack}"]
    config = stack_config(PROJECT, stack)
    tags = {key: config[f"ecs-release:{key}"] for key in TAG_KEYS}

    def image(repository: str, key: str) -> str:
        version = f"@{offline_digest(repository, tags[key])}" if PINNED[stack] else f":{tags[key]}"
        return f"{app.REGISTRY}/{repository}{version}"

    web, worker = documents[f"shop-web-{stack}"], documents[f"shop-worker-{stack}"]
    assert images(web) == {"web": image("shop/web", "webTag"), "migrate": image("shop/web", "webTag"),
                           "xray": image("ecr-public/xray/aws-xray-daemon", "xrayTag")}
    assert images(worker) == {"worker": image("shop/worker", "workerTag")}
    assert {"web": (web["cpu"], web["memory"]), "worker": (worker["cpu"], worker["memory"])} == SIZES[stack]
    # the worker's JSON file varies per stack without a copy: environment, secrets and log group
    (container,) = worker["containerDefinitions"]
    assert {e["name"]: e["value"] for e in container["environment"]}["APP_ENV"] == stack
    assert {s["name"]: s["valueFrom"] for s in container["secrets"]} == {"DATABASE_URL": f"/shop/{stack}/database-url"}
    assert container["logConfiguration"]["options"]["awslogs-group"] == f"/shop/{stack}/worker"
    for document in documents.values():
        assert {t["key"]: t["value"] for t in document["tags"]}["release.stack"] == f"ecs-release/{stack}"
        report = botocore.validate.ParamValidator().validate(document, REGISTER_INPUT)
        assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_worker_tag_bump_changes_only_the_workers_revision_and_what_refers_to_it(stack):
    before = registered(stack, None, RevisionMocks(region="eu-west-1"))
    after = registered(stack, {"workerTag": "9.9.9"}, RevisionMocks(region="eu-west-1"))
    assert before.keys() == after.keys()
    changed = {key: sorted(field for field in before[key].keys() | after[key].keys() if before[key].get(field) != after[key].get(field))
               for key in before if before[key] != after[key]}
    assert changed == {
        (TASK_DEFINITION_TYPE, "worker-taskdef"): ["containerDefinitions", "tags"] if PINNED[stack] else ["containerDefinitions"],
        (SERVICE_TYPE, "worker-service"): ["taskDefinition"],
        (ROLLOUT, "worker-rollout"): ["task_definition_arn"],
        (RETENTION, "worker-retention"): ["current", "protect"],  # protect: the revision the rollout saw running
    }
    old = document_from_inputs(before[(TASK_DEFINITION_TYPE, "worker-taskdef")])
    new = document_from_inputs(after[(TASK_DEFINITION_TYPE, "worker-taskdef")])
    assert images(new)["worker"].endswith(f"@{offline_digest('shop/worker', '9.9.9')}" if PINNED[stack] else ":9.9.9")
    old_tags, new_tags = ({t["key"]: t["value"] for t in d["tags"]} for d in (old, new))
    assert {k for k in old_tags.keys() | new_tags.keys() if old_tags.get(k) != new_tags.get(k)} == (
        {"image.worker.tag", "image.worker.digest"} if PINNED[stack] else set())
    for document in (old, new):
        document["containerDefinitions"][0].pop("image")
        document["tags"] = [t for t in document["tags"] if not t["key"].startswith("image.worker.")]
    assert old == new
    assert after[(SERVICE_TYPE, "worker-service")]["taskDefinition"].startswith(
        f"arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-worker-{stack}:")


@pytest.mark.parametrize("stack", STACKS)
def test_unchanged_config_registers_identical_inputs(stack):
    first, second = registered(stack), registered(stack)
    assert first == second
    assert {name for kind, name in first if kind == SERVICE_TOKEN} == {"web", "worker"}


def test_a_stack_file_for_an_undeclared_stack_is_one_error_line(tmp_path, capsys):
    project = copy_project(tmp_path / "example", PROJECT, EXAMPLE_FILES)
    (project / "stacks" / "Pulumi.qa.yaml").write_text((project / "stacks" / "Pulumi.staging.yaml").read_text())
    mocks = RecordingMocks()
    with pytest.raises(EcsReleaseError) as raised:
        run_program(project, "qa", None, mocks)
    assert mocks.resources == []  # nothing registered: no fall-through to prod's (or any) settings
    (problem,) = raised.value.problems
    assert '"qa"' in problem and "declared stacks: dev, staging, prod" in problem
    assert main(["render", "--stack", "qa", "--project-dir", str(project)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: {problem}\n"


def test_pulumi_yaml_declares_exactly_the_union_of_the_services_tag_keys():
    project = yaml.safe_load((PROJECT / "Pulumi.yaml").read_text())
    assert set(project["config"]) == TAG_KEYS
    for stack in STACKS:
        assert stack_keys(app.SERVICES, stack) == {"webTag": ["web"], "xrayTag": ["web"], "workerTag": ["worker"]}
    assert all(declared["type"] == "string" and declared["description"] for declared in project["config"].values())
    assert project["stackConfigDir"] == "stacks" and project["runtime"]["options"]["virtualenv"] == ".venv"


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_hold_only_image_tags(stack):
    config = stack_config(PROJECT, stack)
    assert {key for key in config if key.startswith("ecs-release:")} == {f"ecs-release:{key}" for key in TAG_KEYS}
    assert {key for key in config if not key.startswith("ecs-release:")} == {"aws:region"}


def test_the_stacks_aws_provider_settings_reach_both_services_rollout_and_retention():
    role = {"roleArn": "arn:aws:iam::111111111111:role/shop-deployer", "externalId": "shop-ci"}
    inputs = registered("dev", {"aws:profile": "shop-dev", "aws:assumeRoles": [role]})
    settings = {name: i["aws"] for (kind, name), i in inputs.items() if kind in (ROLLOUT, RETENTION)}
    assert sorted(settings) == ["web-retention", "web-rollout", "worker-retention", "worker-rollout"]
    for each in settings.values():
        assert each == {"profile": "shop-dev", "region": "eu-west-1",
                        "assume_roles": [{"role_arn": "arn:aws:iam::111111111111:role/shop-deployer", "external_id": "shop-ci"}]}


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_runs_its_services_where_and_how_app_py_says(stack):
    inputs = registered(stack)
    services = {name: i for (kind, name), i in inputs.items() if kind == SERVICE_TYPE}
    clusters = [(name, i["name"]) for (kind, name), i in inputs.items() if kind == "aws:ecs/cluster:Cluster"]
    expected_cluster = {
        "dev": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-dev",  # the program creates it; both services share it
        "staging": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-staging",  # existing, looked up by name
        "prod": "arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod",  # existing, by ARN
    }[stack]
    assert clusters == ([("cluster", "shop-dev")] if stack == "dev" else [])
    assert {name: s["cluster"] for name, s in services.items()} == {"web-service": expected_cluster, "worker-service": expected_cluster}
    assert {name: s["desiredCount"] for name, s in services.items()} == {
        "dev": {"web-service": 1, "worker-service": 1}, "staging": {"web-service": 2, "worker-service": 1},
        "prod": {"web-service": 3, "worker-service": 2}}[stack]
    assert bool(services["web-service"].get("loadBalancers")) is (stack != "dev")
    assert not services["worker-service"].get("loadBalancers")
    scaling = sorted(name for (kind, name) in inputs if kind.startswith("aws:appautoscaling/"))
    assert scaling == (["web-scaling", "web-scaling-policy"] if stack == "prod" else [])
    keep = {name: i["keep"] for (kind, name), i in inputs.items() if kind == RETENTION}
    assert keep == {"dev": {"web-retention": 5, "worker-retention": 5}, "staging": {"web-retention": 10, "worker-retention": 10},
                    "prod": {"web-retention": 10, "worker-retention": 10}}[stack]


@pytest.mark.parametrize("key, service", [("webTag", "web"), ("workerTag", "worker"), ("xrayTag", "web")])
def test_prod_refuses_a_mutable_tag_for_every_service(capsys, key, service):
    assert main(["render", "--stack", "prod", "--set", f"{key}=latest", "--project-dir", str(PROJECT)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert f'{key} "latest" is a mutable tag, refused for production stack prod' in err and f'service "{service}"' in err
    assert main(["render", "--stack", "dev", "--set", f"{key}=latest", "--project-dir", str(PROJECT)]) == 0  # dev is not production
    capsys.readouterr()


def test_each_service_is_one_stack_output(monkeypatch):
    exported = {}
    monkeypatch.setattr("pulumi.export", lambda name, value: exported.__setitem__(name, value))
    run_program(PROJECT, "prod", None, RecordingMocks(region="eu-west-1"))
    assert sorted(exported) == ["web", "worker"]
    for outputs in exported.values():
        assert set(outputs) == {"family", "revision", "taskDefinitionArn", "images", "imageTags", "imageDigests", "cluster",
                                "serviceName", "serviceArn", "runningTaskDefinitionArn", "deregisteredRevisions", "rolloutState",
                                "runningImageDigests"}


def test_promote_finds_the_example_stacks_services_and_their_clusters():
    from components.promote import SourceService, _source_mocks, source_services

    expected = {
        # a cluster the stack creates, or looks up by name, is asked for by name: its mock ARN holds the mock account
        "dev": ("shop-dev", "shop-dev"),
        "staging": ("shop-staging", "shop-staging"),
        "prod": ("arn:aws:ecs:eu-west-1:123456789012:cluster/shop-prod",) * 2,
    }
    for stack, (web_cluster, worker_cluster) in expected.items():
        mocks = _source_mocks("eu-west-1")
        found = source_services(run_program(PROJECT, stack, None, mocks), mocks.made_up_clusters, stack)
        assert sorted(found, key=lambda s: s.resource) == [
            SourceService("web-service", f"shop-web-{stack}", web_cluster), SourceService("worker-service", f"shop-worker-{stack}", worker_cluster)]
