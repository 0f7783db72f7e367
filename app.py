"""The example application: the shop's services, declared once for every stack.

Everything here is static and reviewed in code. Only the image versions come from stack config:
``webTag`` (the ``web`` container and the ``migrate`` container, which runs the same repository),
``xrayTag`` (the X-Ray daemon sidecar, pulled through the account's ECR pull-through cache) and
``workerTag`` (the ``worker`` service's image). Every difference between stacks is data below.
"""

from pathlib import Path

from components.declare import ServiceDeclaration
from components.service_settings import (
    AutoscalingSettings,
    DeploymentSettings,
    LoadBalancerSettings,
    NetworkSettings,
    PauseGate,
    ServiceSettings,
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
HERE = Path(__file__).resolve().parent

SHARED_CLUSTERS = {"dev": "shop-dev"}
"""Stack → name of a cluster the program creates and every service of that stack shares. Staging and
prod run in existing clusters, named in each service's settings."""


def _logs(environment: str, prefix: str) -> LogConfiguration:
    return LogConfiguration(
        log_driver="awslogs",
        # No awslogs-group: the service plan fills in /ecs/<family> and the stack creates that group.
        options={"awslogs-region": REGION, "awslogs-stream-prefix": prefix},
    )


def web_task_definition(environment: str) -> TaskDefinitionSpec:
    """The static task definition of the shop's web service in ``environment``; its size is per-stack data below."""
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
        cpu="0.5 vCPU",
        memory="1 GB",
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


# --- Per-stack data: networks, load balancers, release policies -------------------------------------------

TARGET_GROUPS = {
    "staging": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-staging/6d0ecf831eec9f09",
    "prod": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-prod/73e2d6bc24d8a067",
}
"""The existing ALB target group of each environment that has one."""
ALTERNATE_TARGET_GROUPS = {
    "staging": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-staging-2/0f3a6c9e1d2b4a58",
    "prod": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/shop-web-prod-2/5e8d1c7b3a9f0264",
}
"""The second target group of each: blue/green and canary deployments register the new revision there."""
_LISTENERS = {"staging": "shop-staging/7f1e2d3c4b5a6978", "prod": "shop-prod/50dc6c495c0c9188"}
LISTENER_RULES = {
    stack: {
        "production": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:listener-rule/app/{alb}/f2f7dc8efc522ab2/9683b2d02a6cabee",
        "test": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:listener-rule/app/{alb}/0467ef3c8400ae65/4ae5e4b7e9f7b0c1",
    }
    for stack, alb in _LISTENERS.items()
}
"""Each ALB's rule forwarding production traffic (port 443) and its test listener's rule (port 8443), created beforehand:
ECS rewrites their forward weights on every deployment, so no stack owns them."""
PRIVATE_NETWORKS = {
    "staging": NetworkSettings(subnets=["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"], security_groups=["sg-0c3d4e5f60718293a"]),
    "prod": NetworkSettings(
        subnets=["subnet-0d4e5f60718293a4b", "subnet-0e5f60718293a4b5c", "subnet-0f60718293a4b5c6d"],
        security_groups=["sg-0718293a4b5c6d7e8"],
    ),
}
"""Private subnets and security groups per environment; dev runs in the default VPC."""
CLUSTERS = {"staging": "shop-staging", "prod": f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:cluster/shop-prod"}
"""Existing clusters, by name (looked up at preview) or by ARN."""
XRAY_WRITE_ACCESS = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
PROD_RELEASE = {
    "production": True,
    "pin_digests": True,
    "mutable_tag_patterns": ["latest", "main", "master", "stable", "*-snapshot", "dev-*"],
    "keep_revisions": 10,
}
"""Production refuses tags that can be pushed again and pins every tag to its digest."""


def _web_balancer(stack: str) -> LoadBalancerSettings:
    return LoadBalancerSettings(
        target_group_arn=TARGET_GROUPS[stack],
        container_name="web",
        container_port=8080,
        alternate_target_group_arn=ALTERNATE_TARGET_GROUPS[stack],
        production_listener_rule_arn=LISTENER_RULES[stack]["production"],
        test_listener_rule_arn=LISTENER_RULES[stack]["test"],
    )


STAGING_DEPLOYMENT = DeploymentSettings(strategy="blue_green", bake_time_minutes=5)
"""Staging: blue/green; the new revision gets the test listener's traffic, then all production traffic at once."""
PROD_DEPLOYMENT = DeploymentSettings(
    strategy="canary",
    canary_percent=10.0,
    canary_bake_time_minutes=15,
    bake_time_minutes=10,
    pauses=[PauseGate(stage="POST_TEST_TRAFFIC_SHIFT", timeout_minutes=240, timeout_action="ROLLBACK")],
    rollback_alarms=["shop-web-prod-5xx"],
)
"""Prod: canary, 10 % of production traffic for 15 minutes, after a gate: ``pulumi up`` ends when the new revision has the
test listener's traffic (``wait_until="paused"``); testers try it, then ``ecs-release continue --stack prod --service web``."""


WEB = ServiceDeclaration(
    name="web",
    task_definition=web_task_definition,
    image_keys={"migrate": "webTag"},  # the init container runs the web image; web → webTag and xray → xrayTag by default
    # The X-Ray image comes through the registry's pull through cache rule for ECR Public (prefix ecr-public):
    # its execution role may import it into that cached repository.
    defaults={"task": {"task_role_policy_arns": [XRAY_WRITE_ACCESS], "pull_through_cache_prefixes": ["ecr-public"]}},
    stacks={
        "dev": {
            "service": ServiceSettings(desired_count=1, minimum_healthy_percent=0, rollout_timeout_seconds=900),
            "task": {"log_retention_days": 7},
            "release": {"keep_revisions": 5},
        },
        "staging": {
            "service": ServiceSettings(
                cluster=CLUSTERS["staging"], desired_count=2, network=PRIVATE_NETWORKS["staging"], load_balancer=_web_balancer("staging"),
                deployment=STAGING_DEPLOYMENT,
            ),
            "release": {"pin_digests": True},
        },
        "prod": {
            "task_definition": {"cpu": "1 vCPU", "memory": "2 GB"},
            "service": ServiceSettings(
                cluster=CLUSTERS["prod"],
                desired_count=3,
                network=PRIVATE_NETWORKS["prod"],
                load_balancer=_web_balancer("prod"),
                autoscaling=AutoscalingSettings(min_tasks=3, max_tasks=12, metric="cpu", target_percent=60),
                deployment=PROD_DEPLOYMENT,
                wait_until="paused",
            ),
            "task": {"log_retention_days": 90},
            "release": PROD_RELEASE,
        },
    },
)
"""The shop's web service: web server, migrate init container, X-Ray sidecar; behind the ALB in staging
and prod, autoscaled on CPU in prod. Deployed rolling in dev, blue/green in staging, canary with an approval
gate after test traffic in prod."""


def _worker_stack(stack: str, cpu: str, memory: str) -> dict:
    """The worker's task-definition overrides in ``stack``: the JSON file stays one file for every stack."""
    return {
        "family": f"shop-worker-{stack}",
        "cpu": cpu,
        "memory": memory,
        "environment": {"worker": {"APP_ENV": stack, "QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/shop-orders-{stack}"}},
        "secrets": {"worker": {"DATABASE_URL": f"/shop/{stack}/database-url"}},
        "log_group": f"/shop/{stack}/worker",
    }


WORKER = ServiceDeclaration(
    name="worker",
    task_definition=HERE / "task-definitions" / "worker.json",
    defaults={"service": {"desired_count": 1}},
    stacks={
        "dev": {"task_definition": _worker_stack("dev", "256", "512"), "service": {"minimum_healthy_percent": 0}, "release": {"keep_revisions": 5}},
        "staging": {
            "task_definition": _worker_stack("staging", "256", "512"),
            "service": {"cluster": CLUSTERS["staging"], "network": PRIVATE_NETWORKS["staging"]},
            "release": {"pin_digests": True},
        },
        "prod": {
            "task_definition": _worker_stack("prod", "512", "1024"),
            "service": {"cluster": CLUSTERS["prod"], "desired_count": 2, "network": PRIVATE_NETWORKS["prod"]},
            "release": PROD_RELEASE,
        },
    },
)
"""The shop's queue worker, from task-definitions/worker.json: its own repository and ``workerTag``, no load balancer."""

SERVICES = [WEB, WORKER]
"""Every service of the app, in every stack."""
