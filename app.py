"""The example application: the shop's web task definition, per environment.

Everything here is static and reviewed in code. Only the image versions come from stack
config: ``webTag`` (the ``web`` container and the ``migrate`` container, which runs the same
repository), and ``xrayTag`` (the X-Ray daemon sidecar, pulled through the account's ECR
pull-through cache).
"""

from __future__ import annotations

from components import pinning
from components.errors import StackConfigError
from components.images import tag_keys
from components.service_settings import (
    AutoscalingSettings,
    LoadBalancerSettings,
    NetworkSettings,
    ServiceSettings,
    settings_errors,
)
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
        # No awslogs-group: the service plan fills in /ecs/<family> and the stack creates that group.
        options={"awslogs-region": REGION, "awslogs-stream-prefix": prefix},
    )


def web_task_definition(environment: str) -> TaskDefinitionSpec:
    """The static task definition of the shop's web service in ``environment`` (dev, staging or prod)."""
    if environment not in TASK_SIZES:
        raise StackConfigError(
            f'stack "{environment}" has no settings in app.py; use one of: {", ".join(TASK_SIZES)}, '
            "or add it to TASK_SIZES"
        )
    cpu, memory = TASK_SIZES[environment]
    # A bare parameter name (ECS reads it in the task's region); the execution role's policy names its full ARN.
    database_url = Secret(name="DATABASE_URL", value_from=f"/shop/{environment}/database-url")
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
                        value_from=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:shop/{environment}/session-AbCdEf:signing-key::",
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
# See components/pinning.py and the README's "Release workflow".

RELEASE_POLICIES = {
    "dev": {"keep_revisions": 5},
    "staging": {"pin_digests": True},
    "prod": {
        "production": True,
        "pin_digests": True,
        "mutable_tag_patterns": ["latest", "main", "master", "stable", "*-snapshot", "dev-*"],
        "keep_revisions": 10,
    },
}
"""Per environment: the fields of ``components.pinning.ReleasePolicy`` (production marking, digest
pinning, refused tag globs, revisions kept per family); a missing field or environment takes the default."""


def release_policy(environment: str) -> pinning.ReleasePolicy:
    """The validated release policy of ``environment`` (the program calls it before any resource exists)."""
    return pinning.release_policy(environment, RELEASE_POLICIES.get(environment))


# --- The service per environment (service, roles, log group, truthful rollout) ----------------------------
# See components/service_settings.py for every setting and its default, and the README's "Rollout".

TARGET_GROUPS = {
    "staging": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-staging/6d0ecf831eec9f09",
    "prod": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-prod/73e2d6bc24d8a067",
}
"""The existing ALB target group of each environment that has one."""
PRIVATE_NETWORKS = {
    "staging": NetworkSettings(subnets=["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"], security_groups=["sg-0c3d4e5f60718293a"]),
    "prod": NetworkSettings(
        subnets=["subnet-0d4e5f60718293a4b", "subnet-0e5f60718293a4b5c", "subnet-0f60718293a4b5c6d"],
        security_groups=["sg-0718293a4b5c6d7e8"],
    ),
}
"""Private subnets and security groups per environment; dev runs in the default VPC."""
XRAY_WRITE_ACCESS = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


def web_service(environment: str) -> ServiceSettings:
    """The web service's settings in ``environment``: dev in the default VPC in a cluster the stack
    creates; staging (cluster by name) and prod (cluster by ARN) in private subnets behind their
    load balancer; prod autoscaled on CPU."""
    if environment not in TASK_SIZES:
        raise StackConfigError(f'stack "{environment}" has no service settings in app.py; use one of: {", ".join(TASK_SIZES)}')
    with settings_errors():
        common = {"task_role_policy_arns": [XRAY_WRITE_ACCESS]}
        if environment == "dev":
            return ServiceSettings(desired_count=1, minimum_healthy_percent=0, log_retention_days=7, rollout_timeout_seconds=900, **common)
        load_balancer = LoadBalancerSettings(target_group_arn=TARGET_GROUPS[environment], container_name="web", container_port=8080)
        if environment == "staging":
            return ServiceSettings(
                cluster="shop-staging", desired_count=2, network=PRIVATE_NETWORKS["staging"], load_balancer=load_balancer, **common
            )
        return ServiceSettings(
            cluster=f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:cluster/shop-prod",
            desired_count=3,
            network=PRIVATE_NETWORKS["prod"],
            load_balancer=load_balancer,
            autoscaling=AutoscalingSettings(min_tasks=3, max_tasks=12, metric="cpu", target_percent=60),
            log_retention_days=90,
            **common,
        )
