"""The fixture project's services: ``api`` (behind a load balancer in prod) and ``jobs`` (from jobs.json).

Named ``services``, not ``app``: it must never be mistaken for the example app in ``sys.modules``.
Stacks: dev (a cluster the program creates, tags as given), staging (an existing cluster by name,
digests pinned) and prod (an existing cluster by ARN, production, digests pinned).
"""

from pathlib import Path

from components.declare import ServiceDeclaration
from components.spec import ContainerDefinition, PortMapping, TaskDefinitionSpec

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
HERE = Path(__file__).resolve().parent
SHARED_CLUSTERS = {"dev": "fixture-dev"}
PROD_CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/fixture-prod"
TARGET_GROUP = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/fixture-api-prod/0123456789abcdef"
PINNED = {"pin_digests": True}
PRODUCTION = {"production": True, "pin_digests": True, "mutable_tag_patterns": ["latest", "*-snapshot"], "keep_revisions": 5}


def api_task_definition(stack: str) -> TaskDefinitionSpec:
    image = f"{REGISTRY}/fixture/api"
    return TaskDefinitionSpec(
        family=f"fixture-api-{stack}",
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu="256",
        memory="512",
        container_definitions=[
            ContainerDefinition(name="api", image=image, port_mappings=[PortMapping(container_port=8000)]),
            ContainerDefinition(name="migrate", image=image, essential=False, command=["migrate"]),
        ],
    )


API = ServiceDeclaration(
    name="api",
    task_definition=api_task_definition,
    image_keys={"migrate": "apiTag"},
    stacks={
        "dev": {"release": {"keep_revisions": 3}},
        "staging": {"service": {"cluster": "fixture-staging"}, "release": PINNED},
        "prod": {
            "task_definition": {"cpu": "512", "memory": "1024"},
            "service": {
                "cluster": PROD_CLUSTER,
                "desired_count": 2,
                "load_balancer": {"target_group_arn": TARGET_GROUP, "container_name": "api", "container_port": 8000},
            },
            "release": PRODUCTION,
        },
    },
)

JOBS = ServiceDeclaration(
    name="jobs",
    task_definition=HERE / "jobs.json",
    stacks={
        "dev": {"task_definition": {"family": "fixture-jobs-dev"}},
        "staging": {"task_definition": {"family": "fixture-jobs-staging"}, "service": {"cluster": "fixture-staging"}, "release": PINNED},
        "prod": {"task_definition": {"family": "fixture-jobs-prod"}, "service": {"cluster": PROD_CLUSTER}, "release": PRODUCTION},
    },
)

SERVICES = [API, JOBS]
