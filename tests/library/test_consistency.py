"""Cross-field rules of a spec: every problem reported at once, with the field, the value and the fix."""

import pytest

from components.consistency import spec_problems
from components.spec import TaskDefinitionSpec
from tests.conftest import spec_document


def problems_of(**overrides) -> list[str]:
    return spec_problems(TaskDefinitionSpec.model_validate(spec_document(**overrides)))


def containers(*extra: dict) -> list[dict]:
    return spec_document()["containerDefinitions"] + list(extra)


def test_valid_spec_has_no_problems():
    assert problems_of() == []


@pytest.mark.parametrize(
    "overrides, expected",
    [
        pytest.param(
            {"containerDefinitions": containers({"name": "web", "image": "x"})},
            ['containerDefinitions: container name "web" is used 2 times; give each container a unique name'],
            id="duplicate-container",
        ),
        pytest.param(
            {"containerDefinitions": containers({"image": "x"})},
            ["containerDefinitions[2].name: missing; give the container a name (ECS requires one)"],
            id="unnamed-container",
        ),
        pytest.param(
            {"containerDefinitions": containers({"name": "job", "image": "x", "dependsOn": [{"containerName": "db", "condition": "START"}]})},
            ['containerDefinitions[job].dependsOn[0].containerName: "db" is not a container of this task definition; use one of: job, sidecar, web'],
            id="depends-on-missing",
        ),
        pytest.param(
            {"requiresCompatibilities": ["EC2"], "networkMode": "bridge",  # links exist only in bridge mode
             "containerDefinitions": containers({"name": "job", "image": "x", "links": ["db:database"]})},
            ['containerDefinitions[job].links[0]: "db:database" names no container of this task definition; use one of: job, sidecar, web'],
            id="link-missing",
        ),
        pytest.param(
            {"containerDefinitions": containers({"name": "job", "image": "x", "volumesFrom": [{"sourceContainer": "data"}]})},
            ['containerDefinitions[job].volumesFrom[0].sourceContainer: "data" is not a container of this task definition; use one of: job, sidecar, web'],
            id="volumes-from-missing",
        ),
        pytest.param(
            {"volumes": [{"name": "tmp"}]},
            ['containerDefinitions[web].mountPoints[0].sourceVolume: "cache" is not a volume of this task definition; add it to volumes or use one of: tmp'],
            id="mount-point-missing-volume",
        ),
        pytest.param(
            {"cpu": "256", "memory": "4096"},
            ["cpu/memory: Fargate does not offer cpu 256 with memory 4096; with cpu 256 use memory 512, 1024, 2048 (MiB)"],
            id="fargate-size",
        ),
        pytest.param(
            {"networkMode": "bridge"},
            ["networkMode: Fargate requires awsvpc, got bridge; set networkMode to awsvpc"],
            id="fargate-bridge",
        ),
        pytest.param(
            {"networkMode": None},
            ["networkMode: Fargate requires awsvpc, got none (bridge); set networkMode to awsvpc"],
            id="fargate-no-network-mode",
        ),
        pytest.param(
            {"cpu": "fast"},
            ['cpu: "fast" is not a CPU amount; write CPU units ("1024") or vCPUs ("1 vCPU")'],
            id="cpu-unparsable",
        ),
        pytest.param(
            {"networkMode": "host", "cpu": "300", "volumes": [],
             "containerDefinitions": containers({"name": "web", "image": "x"})},
            [
                'containerDefinitions: container name "web" is used 2 times; give each container a unique name',
                'containerDefinitions[web].mountPoints[0].sourceVolume: "cache" is not a volume of this task definition; add it to volumes or use one of: (none)',
                "networkMode: Fargate requires awsvpc, got host; set networkMode to awsvpc",
                "cpu/memory: cpu 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384 CPU units",
            ],
            id="all-problems-at-once",
        ),
    ],
)
def test_problems(overrides, expected):
    assert problems_of(**overrides) == expected


def test_ec2_task_may_use_any_size_and_bridge():
    assert problems_of(requiresCompatibilities=["EC2"], networkMode="bridge", cpu="300", memory="700") == []
