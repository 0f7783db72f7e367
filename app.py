"""The example application: the shop's web task definition, per environment.

Everything here is static and reviewed in code. Only the image versions come from stack
config: ``webTag`` (the ``web`` container and the ``migrate`` container, which runs the same
repository), and ``xrayTag`` (the X-Ray daemon sidecar, pulled through the account's ECR
pull-through cache).
"""

from __future__ import annotations

from components.errors import StackConfigError
from components.images import tag_keys
from components.spec import (
    ContainerDefinition,
    ContainerDependency,
    HealthCheck,
    KeyValuePair,
    LogConfiguration,
    PortMapping,
    RuntimePlatform,
    Secret,
    TaskDefinitionSpec,
)

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com"

TASK_SIZES = {"dev": ("0.5 vCPU", "1 GB"), "staging": ("0.5 vCPU", "1 GB"), "prod": ("1 vCPU", "2 GB")}
"""Task cpu and memory per environment (a Fargate size)."""

SHARED_TAGS = {"migrate": "web"}
"""Containers that run another container's repository read that container's tag key."""


def _logs(environment: str, prefix: str) -> LogConfiguration:
    return LogConfiguration(
        log_driver="awslogs",
        options={"awslogs-group": f"/ecs/shop-web-{environment}", "awslogs-region": REGION, "awslogs-stream-prefix": prefix},
    )


def web_task_definition(environment: str) -> TaskDefinitionSpec:
    """The static task definition of the shop's web service in ``environment`` (dev, staging or prod)."""
    if environment not in TASK_SIZES:
        raise StackConfigError(
            f'stack "{environment}" has no settings in app.py; use one of: {", ".join(TASK_SIZES)}, '
            "or add it to TASK_SIZES"
        )
    cpu, memory = TASK_SIZES[environment]
    parameters = f"arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/shop/{environment}"
    database_url = Secret(name="DATABASE_URL", value_from=f"{parameters}/database-url")
    web_image = f"{REGISTRY}/shop/web"
    common_environment = [
        KeyValuePair(name="APP_ENV", value=environment),
        KeyValuePair(name="AWS_XRAY_DAEMON_ADDRESS", value="127.0.0.1:2000"),
    ]
    return TaskDefinitionSpec(
        family=f"shop-web-{environment}",
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=cpu,
        memory=memory,
        runtime_platform=RuntimePlatform(operating_system_family="LINUX", cpu_architecture="ARM64"),
        execution_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/shop-web-{environment}-execution",
        task_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/shop-web-{environment}-task",
        container_definitions=[
            ContainerDefinition(
                name="web",
                image=web_image,
                port_mappings=[PortMapping(name="http", container_port=8080, app_protocol="http")],
                environment=common_environment,
                secrets=[
                    database_url,
                    Secret(
                        name="SESSION_SECRET",
                        value_from=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:shop/{environment}/session-AbCdEf",
                    ),
                ],
                depends_on=[ContainerDependency(container_name="migrate", condition="SUCCESS")],
                health_check=HealthCheck(
                    command=["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"],
                    interval=15,
                    timeout=5,
                    retries=3,
                    start_period=30,
                ),
                log_configuration=_logs(environment, "web"),
            ),
            ContainerDefinition(
                name="migrate",
                image=web_image,
                essential=False,
                command=["bin/migrate", "--wait-for-lock"],
                environment=common_environment,
                secrets=[database_url],
                log_configuration=_logs(environment, "migrate"),
            ),
            ContainerDefinition(
                name="xray",
                image=f"{REGISTRY}/ecr-public/xray/aws-xray-daemon",
                cpu=32,
                memory_reservation=256,
                port_mappings=[PortMapping(container_port=2000, protocol="udp")],
                log_configuration=_logs(environment, "xray"),
            ),
        ],
    )


def web_tag_keys(spec: TaskDefinitionSpec) -> dict[str, str]:
    """Container name → stack-config key: ``web`` and ``migrate`` → ``webTag``, ``xray`` → ``xrayTag``."""
    return tag_keys((c.name for c in spec.container_definitions), share=SHARED_TAGS)


# --- Release policy per environment (release workflow: mutable tags, digest pinning, retention) ---------
# Kept apart from the task definition above: see components/pinning.py and the README's "Release workflow".

from components.pinning import ReleasePolicy  # noqa: E402  (this section is self-contained on purpose)

RELEASE_POLICIES = {
    "dev": ReleasePolicy(keep_revisions=5),
    "staging": ReleasePolicy(pin_digests=True),
    "prod": ReleasePolicy(
        production=True,
        pin_digests=True,
        mutable_tag_patterns=["latest", "main", "master", "stable", "*-snapshot", "dev-*"],
        keep_revisions=10,
    ),
}
"""Per environment: production marking, digest pinning, refused tag globs, revisions kept per family."""


def release_policy(environment: str) -> ReleasePolicy:
    """The release policy of ``environment``; an environment without an entry gets the defaults."""
    return RELEASE_POLICIES.get(environment, ReleasePolicy())
