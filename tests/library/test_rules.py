"""The ECS API's rules: each one at its boundary, with a value AWS accepts and one it refuses."""

from __future__ import annotations

import pytest

import components.rules as rules_module
from components.consistency import spec_problems
from components.rules import RULES, Task, execution_role_problems
from components.spec import TaskDefinitionSpec

ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.0.0"
WINDOWS = {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE", "cpuArchitecture": "X86_64"}


def web(**fields) -> dict:
    return {"name": "web", "image": "nginx:1.27", **fields}


def fargate(*containers: dict, **task) -> dict:
    """A Fargate task (awsvpc, 0.5 vCPU, 1 GiB) with ``containers`` (default: one ``web``)."""
    return {
        "family": "shop",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "512",
        "memory": "1024",
        "containerDefinitions": list(containers) or [web()],
        **task,
    }


def ec2(*containers: dict, **task) -> dict:
    """An EC2 task in bridge mode with task memory, with ``containers`` (default: one ``web``)."""
    return {
        "family": "shop",
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "memory": "1024",
        "containerDefinitions": list(containers) or [web()],
        **task,
    }


def health(**timing) -> dict:
    return web(healthCheck={"command": ["CMD-SHELL", "true"], **timing})


def port(**mapping) -> dict:
    return web(portMappings=[mapping])


def ranges(*texts: str, protocol: str = "tcp") -> dict:
    return web(portMappings=[{"containerPortRange": text, "protocol": protocol} for text in texts])


def linux(**parameters) -> dict:
    return web(linuxParameters=parameters)


def nofile(soft: int, hard: int = 1048576) -> dict:
    return web(ulimits=[{"name": "nofile", "softLimit": soft, "hardLimit": hard}])


def sidecar(**fields) -> dict:
    return {"name": "sidecar", "image": "busybox:1.36", **fields}


def depends(condition: str, **target) -> list[dict]:
    return [web(dependsOn=[{"containerName": "sidecar", "condition": condition}]), sidecar(**target)]


ROUTER = sidecar(essential=False, firelensConfiguration={"type": "fluentbit"})
FIRELENS_LOG = {"logDriver": "awsfirelens", "options": {"Name": "cloudwatch"}}
W = "containerDefinitions[web]"


def case(rule: str, valid: dict, invalid: dict, path: str, id: str):
    return pytest.param(rule, valid, invalid, path, id=id)


CASES = [
    case("healthcheck-interval", fargate(health(interval=5)), fargate(health(interval=4)), f"{W}.healthCheck.interval", "interval-5-4"),
    case("healthcheck-interval", fargate(health(interval=300)), fargate(health(interval=301)), f"{W}.healthCheck.interval", "interval-300-301"),
    case("healthcheck-timeout", fargate(health(timeout=2)), fargate(health(timeout=1)), f"{W}.healthCheck.timeout", "timeout-2-1"),
    case("healthcheck-timeout", fargate(health(timeout=60)), fargate(health(timeout=61)), f"{W}.healthCheck.timeout", "timeout-60-61"),
    case("healthcheck-retries", fargate(health(retries=1)), fargate(health(retries=0)), f"{W}.healthCheck.retries", "retries-1-0"),
    case("healthcheck-retries", fargate(health(retries=10)), fargate(health(retries=11)), f"{W}.healthCheck.retries", "retries-10-11"),
    case("healthcheck-start-period", fargate(health(startPeriod=0)), fargate(health(startPeriod=-1)), f"{W}.healthCheck.startPeriod", "start-period-0-minus-1"),
    case("healthcheck-start-period", fargate(health(startPeriod=300)), fargate(health(startPeriod=301)), f"{W}.healthCheck.startPeriod", "start-period-300-301"),
    case("ephemeral-storage-size", fargate(ephemeralStorage={"sizeInGiB": 21}), fargate(ephemeralStorage={"sizeInGiB": 20}), "ephemeralStorage.sizeInGiB", "ephemeral-21-20"),
    case("ephemeral-storage-size", fargate(ephemeralStorage={"sizeInGiB": 200}), fargate(ephemeralStorage={"sizeInGiB": 201}), "ephemeralStorage.sizeInGiB", "ephemeral-200-201"),
    case("port-numbers", fargate(port(containerPort=65535)), fargate(port(containerPort=65536)), f"{W}.portMappings[0].containerPort", "container-port-65535-65536"),
    case("port-numbers", fargate(port(containerPort=1)), fargate(port(containerPort=0)), f"{W}.portMappings[0].containerPort", "container-port-1-0"),
    case("port-numbers", ec2(port(containerPort=80, hostPort=0)), ec2(port(containerPort=80, hostPort=-1)), f"{W}.portMappings[0].hostPort", "host-port-0-minus-1"),
    case("port-range-syntax", fargate(ranges("1-65535")), fargate(ranges("0-65535")), f"{W}.portMappings[0].containerPortRange", "range-from-1"),
    case("port-range-syntax", fargate(ranges("1-65535")), fargate(ranges("1-65536")), f"{W}.portMappings[0].containerPortRange", "range-to-65535"),
    case("port-range-syntax", fargate(ranges("8000-8001")), fargate(ranges("8001-8001")), f"{W}.portMappings[0].containerPortRange", "range-first-below-last"),
    case("port-range-syntax", fargate(ranges("8000-8100")), fargate(ranges("8000:8100")), f"{W}.portMappings[0].containerPortRange", "range-syntax"),
    case("port-range-host-port", ec2(port(containerPortRange="8000-8100")), ec2(port(containerPortRange="8000-8100", hostPort=8000)), f"{W}.portMappings[0].hostPort", "range-with-host-port"),
    case("port-range-network-mode", ec2(ranges("8000-8100"), networkMode="awsvpc"), ec2(ranges("8000-8100"), networkMode="host"), f"{W}.portMappings[0].containerPortRange", "range-in-host-mode"),
    case("port-range-limits", fargate(ranges(*(f"{p}-{p + 1}" for p in range(1000, 1200, 2)))), fargate(ranges(*(f"{p}-{p + 1}" for p in range(1000, 1202, 2)))), f"{W}.portMappings", "range-count-100-101"),
    case("port-range-limits", fargate(ranges("8000-8100", "8101-8200")), fargate(ranges("8000-8100", "8100-8200")), f"{W}.portMappings[1].containerPortRange", "range-overlap"),
    case("port-range-limits", fargate(web(portMappings=[{"containerPortRange": "53-54", "protocol": "tcp"}, {"containerPortRange": "53-54", "protocol": "udp"}])), fargate(ranges("53-54", "54-55", protocol="udp")), f"{W}.portMappings[1].containerPortRange", "range-overlap-same-protocol-only"),
    case("task-cpu-range", ec2(cpu="128"), ec2(cpu="127"), "cpu", "task-cpu-128-127"),
    case("task-cpu-range", ec2(cpu="196608"), ec2(cpu="196609"), "cpu", "task-cpu-196608-196609"),
    case("memory-reservation", ec2(web(memory=256, memoryReservation=256)), ec2(web(memory=256, memoryReservation=257)), f"{W}.memoryReservation", "reservation-equal-above"),
    case("container-memory-total", fargate(web(memory=512), sidecar(memoryReservation=512)), fargate(web(memory=512), sidecar(memoryReservation=513)), "containerDefinitions[*].memory", "memory-total-1024-1025"),
    case("container-cpu-total", fargate(web(cpu=256), sidecar(cpu=256)), fargate(web(cpu=256), sidecar(cpu=257)), "containerDefinitions[*].cpu", "cpu-total-512-513"),
    case("ec2-container-memory", ec2(web(memoryReservation=128), memory=None), ec2(web(), memory=None), f"{W}.memory", "ec2-no-memory"),
    case("ec2-container-memory", ec2(web(memory=128), memory=None, requiresCompatibilities=None), ec2(web(), memory=None, requiresCompatibilities=None), f"{W}.memory", "no-launch-type-no-memory"),
    case("fargate-stop-timeout", fargate(web(stopTimeout=120)), fargate(web(stopTimeout=121)), f"{W}.stopTimeout", "stop-timeout-120-121"),
    case("fargate-stop-timeout", fargate(web(stopTimeout=2)), fargate(web(stopTimeout=1)), f"{W}.stopTimeout", "stop-timeout-2-1"),
    case("fargate-stop-timeout", ec2(web(stopTimeout=121)), fargate(web(stopTimeout=121)), f"{W}.stopTimeout", "stop-timeout-ec2-unbounded"),
    case("fargate-nofile-limit", fargate(nofile(1048576)), fargate(nofile(1048577)), f"{W}.ulimits[0].softLimit", "nofile-soft-1048576-1048577"),
    case("fargate-nofile-limit", ec2(nofile(1048577, 1048577)), fargate(nofile(1024, 1048577)), f"{W}.ulimits[0].hardLimit", "nofile-hard-fargate-only"),
    case("awsvpc-host-port", fargate(port(containerPort=8080, hostPort=8080)), fargate(port(containerPort=8080, hostPort=8081)), f"{W}.portMappings[0].hostPort", "awsvpc-host-port"),
    case("host-mode-host-port", ec2(port(containerPort=8080, hostPort=8080), networkMode="host"), ec2(port(containerPort=8080, hostPort=80), networkMode="host"), f"{W}.portMappings[0].hostPort", "host-mode-host-port"),
    case("none-mode-port-mappings", ec2(networkMode="none"), ec2(port(containerPort=80), networkMode="none"), f"{W}.portMappings", "none-mode-ports"),
    case("links-bridge-only", ec2(web(links=["sidecar"]), sidecar()), ec2(web(links=["sidecar"]), sidecar(), networkMode="awsvpc"), f"{W}.links", "links-awsvpc"),
    case("links-bridge-only", ec2(web(links=["sidecar"]), sidecar(), networkMode=None), ec2(web(links=["sidecar"]), sidecar(), networkMode="host"), f"{W}.links", "links-host"),
    case("hostname-not-awsvpc", ec2(web(hostname="web")), ec2(web(hostname="web"), networkMode="awsvpc"), f"{W}.hostname", "hostname-awsvpc"),
    case("extra-hosts-not-awsvpc", ec2(web(extraHosts=[{"hostname": "db", "ipAddress": "10.0.0.1"}])), ec2(web(extraHosts=[{"hostname": "db", "ipAddress": "10.0.0.1"}]), networkMode="awsvpc"), f"{W}.extraHosts", "extra-hosts-awsvpc"),
    case("fargate-network-mode", fargate(), fargate(networkMode="bridge"), "networkMode", "fargate-bridge"),
    case("fargate-task-size", fargate(cpu="256", memory="2048"), fargate(cpu="256", memory="3072"), "cpu/memory", "fargate-size"),
    case("fargate-task-parameters", ec2(ipcMode="task"), fargate(ipcMode="task"), "ipcMode", "fargate-ipc-mode"),
    case("fargate-task-parameters", fargate(pidMode="task"), fargate(pidMode="host"), "pidMode", "fargate-pid-mode"),
    case("fargate-task-parameters", ec2(placementConstraints=[{"type": "memberOf", "expression": "attribute:x == y"}]), fargate(placementConstraints=[{"type": "memberOf", "expression": "attribute:x == y"}]), "placementConstraints", "fargate-placement"),
    case("fargate-container-parameters", fargate(web(privileged=False)), fargate(web(privileged=True)), f"{W}.privileged", "fargate-privileged"),
    case("fargate-container-parameters", fargate(web(disableNetworking=False)), fargate(web(disableNetworking=True)), f"{W}.disableNetworking", "fargate-disable-networking"),
    case("fargate-container-parameters", ec2(web(dnsServers=["10.0.0.2"])), fargate(web(dnsServers=["10.0.0.2"])), f"{W}.dnsServers", "fargate-dns-servers"),
    case("fargate-container-parameters", ec2(web(resourceRequirements=[{"type": "GPU", "value": "1"}])), fargate(web(resourceRequirements=[{"type": "GPU", "value": "1"}])), f"{W}.resourceRequirements[0].type", "fargate-gpu"),
    case("fargate-linux-parameters", fargate(linux(capabilities={"add": ["SYS_PTRACE"]})), fargate(linux(capabilities={"add": ["NET_ADMIN"]})), f"{W}.linuxParameters.capabilities.add[0]", "fargate-capabilities"),
    case("fargate-linux-parameters", ec2(linux(sharedMemorySize=64)), fargate(linux(sharedMemorySize=64)), f"{W}.linuxParameters.sharedMemorySize", "fargate-shm"),
    case("fargate-linux-parameters", fargate(linux(initProcessEnabled=True)), fargate(linux(tmpfs=[{"containerPath": "/tmp", "size": 64}])), f"{W}.linuxParameters.tmpfs", "fargate-tmpfs"),
    case("fargate-volumes", fargate(volumes=[{"name": "scratch", "host": {}}]), fargate(volumes=[{"name": "scratch", "host": {"sourcePath": "/data"}}]), "volumes[scratch].host.sourcePath", "fargate-host-source-path"),
    case("fargate-volumes", fargate(volumes=[{"name": "scratch"}]), fargate(volumes=[{"name": "scratch", "dockerVolumeConfiguration": {"driver": "local"}}]), "volumes[scratch].dockerVolumeConfiguration", "fargate-docker-volume"),
    case("fargate-log-driver", fargate(web(logConfiguration={"logDriver": "splunk"})), fargate(web(logConfiguration={"logDriver": "json-file"})), f"{W}.logConfiguration.logDriver", "fargate-log-driver"),
    case("fargate-firelens-config-file", fargate(web(firelensConfiguration={"type": "fluentbit", "options": {"config-file-type": "file"}})), fargate(web(firelensConfiguration={"type": "fluentbit", "options": {"config-file-type": "s3"}})), f"{W}.firelensConfiguration.options.config-file-type", "fargate-firelens-s3"),
    case("windows-fargate-cpu", fargate(cpu="1024", memory="2048", runtimePlatform=WINDOWS), fargate(cpu="512", memory="1024", runtimePlatform=WINDOWS), "cpu", "windows-cpu-1024-512"),
    case("windows-fargate-architecture", fargate(cpu="1024", memory="2048", runtimePlatform=WINDOWS), fargate(cpu="1024", memory="2048", runtimePlatform=dict(WINDOWS, cpuArchitecture="ARM64")), "runtimePlatform.cpuArchitecture", "windows-arm64"),
    case("windows-fargate-unsupported", fargate(nofile(65535)), fargate(nofile(65535), cpu="1024", memory="2048", runtimePlatform=WINDOWS), f"{W}.ulimits", "windows-ulimits"),
    case("essential-container", fargate(web(), sidecar(essential=False)), fargate(web(essential=False), sidecar(essential=False)), "containerDefinitions[*].essential", "no-essential-container"),
    case("dependency-essential", fargate(*depends("SUCCESS", essential=False)), fargate(*depends("SUCCESS")), f"{W}.dependsOn[0].condition", "success-on-essential"),
    case("dependency-essential", fargate(*depends("START")), fargate(*depends("COMPLETE", essential=True)), f"{W}.dependsOn[0].condition", "complete-on-essential"),
    case("dependency-healthy", fargate(*depends("HEALTHY", healthCheck={"command": ["CMD", "true"]})), fargate(*depends("HEALTHY")), f"{W}.dependsOn[0].condition", "healthy-without-health-check"),
    case("firelens-router", fargate(web(logConfiguration=FIRELENS_LOG), ROUTER), fargate(web(logConfiguration=FIRELENS_LOG)), f"{W}.logConfiguration.logDriver", "firelens-without-router"),
    case("environment-value", fargate(web(environment=[{"name": "EMPTY", "value": ""}])), fargate(web(environment=[{"name": "EMPTY"}])), f"{W}.environment[0].value", "environment-without-value"),
]


def problems(document: dict) -> list[str]:
    return spec_problems(TaskDefinitionSpec.model_validate({k: v for k, v in document.items() if v is not None}))


def rule(rule_id: str):
    return next(rule for rule in RULES if rule.id == rule_id)


@pytest.mark.parametrize("rule_id, valid, invalid, path", CASES)
def test_rule_at_its_boundary(rule_id, valid, invalid, path):
    assert problems(valid) == []
    found = problems(invalid)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}: "), found[0]
    spec = TaskDefinitionSpec.model_validate({k: v for k, v in invalid.items() if v is not None})
    assert list(rule(rule_id).check(Task.of(spec))) == found  # the problem is this rule's


def test_every_rule_cites_its_source_and_is_tested_at_a_boundary():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for each in RULES:
        assert each.source.startswith("https://docs.aws.amazon.com/AmazonECS/latest/"), each
        assert f"``{each.id}``" in rules_module.__doc__, f"{each.id} is missing from the module docstring"
    assert set(ids) == {param.values[0] for param in CASES}


def test_all_problems_are_reported_at_once():
    document = fargate(
        web(healthCheck={"command": ["CMD", "true"], "retries": 11}, stopTimeout=121, privileged=True),
        ipcMode="host",
        ephemeralStorage={"sizeInGiB": 500},
    )
    assert [problem.split(":", 1)[0] for problem in problems(document)] == [
        f"{W}.healthCheck.retries",
        "ephemeralStorage.sizeInGiB",
        f"{W}.stopTimeout",
        "ipcMode",
        f"{W}.privileged",
    ]


def test_a_message_names_the_value_and_the_fix():
    (message,) = problems(fargate(port(containerPort=3000, hostPort=80)))
    assert message == (
        f"{W}.portMappings[0].hostPort: 80 differs from containerPort 3000; "
        "in awsvpc network mode omit hostPort or set it to 3000"
    )


def test_a_container_without_a_name_is_named_by_its_index():
    document = fargate({"image": "nginx", "healthCheck": {"command": ["CMD", "true"], "interval": 1}})
    assert "containerDefinitions[0].healthCheck.interval: 1 is below the minimum of 5" in "; ".join(problems(document))


# --- execution role -----------------------------------------------------------------------------


def spec_of(document: dict) -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate({k: v for k, v in document.items() if v is not None})


@pytest.mark.parametrize(
    "document, path",
    [
        pytest.param(fargate(web(secrets=[{"name": "DB", "valueFrom": "/shop/db"}])), f"{W}.secrets", id="secrets"),
        pytest.param(ec2(web(secrets=[{"name": "DB", "valueFrom": "/shop/db"}])), f"{W}.secrets", id="secrets-on-ec2"),
        pytest.param(ec2(web(logConfiguration={"logDriver": "splunk", "secretOptions": [{"name": "splunk-token", "valueFrom": "/t"}]})), f"{W}.logConfiguration.secretOptions", id="secret-options"),
        pytest.param(ec2(web(repositoryCredentials={"credentialsParameter": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub"})), f"{W}.repositoryCredentials", id="private-registry"),
        pytest.param(fargate(web(environmentFiles=[{"value": "arn:aws:s3:::bucket/web.env", "type": "s3"}])), f"{W}.environmentFiles", id="environment-files"),
        pytest.param(fargate(web(image=ECR_IMAGE)), f"{W}.image", id="ecr-on-fargate"),
        pytest.param(fargate(web(logConfiguration={"logDriver": "awslogs", "options": {"awslogs-group": "g"}})), f"{W}.logConfiguration.logDriver", id="awslogs-on-fargate"),
    ],
)
def test_what_needs_an_execution_role_is_refused_when_none_will_exist(document, path):
    (problem,) = execution_role_problems(spec_of(document), role_supplied=False)
    assert problem.startswith(f"{path}: needs a task execution role")
    assert "set executionRoleArn or let the stack create the role" in problem
    assert execution_role_problems(spec_of(document), role_supplied=True) == []
    with_arn = dict(document, executionRoleArn="arn:aws:iam::123456789012:role/exec")
    assert execution_role_problems(spec_of(with_arn), role_supplied=False) == []


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(ec2(web(image=ECR_IMAGE, logConfiguration={"logDriver": "awslogs"})), id="ecr-and-awslogs-on-ec2"),
        pytest.param(fargate(web(image="public.ecr.aws/nginx/nginx:1.27")), id="public-ecr-on-fargate"),
        pytest.param(fargate(), id="nothing-needs-it"),
    ],
)
def test_no_execution_role_is_needed(document):
    assert execution_role_problems(spec_of(document), role_supplied=False) == []
