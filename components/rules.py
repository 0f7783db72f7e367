"""The ECS API's rules for a task definition (RegisterTaskDefinition), as a table.

Each :class:`Rule` has an id, the documentation page (and section) where AWS writes it, and a
check that yields one message per problem: the field path as the user spelled it (a container
by its name, ``containerDefinitions[web].healthCheck.retries``), the bad value, and the fix.
:func:`rule_problems` runs the whole table, so every problem is reported at once, before
anything exists. A value is refused only where the documentation says AWS refuses it (or, for
``environment-value``, where AWS would store something other than what we send).

Launch type: "Fargate" means ``requiresCompatibilities`` includes ``FARGATE``; "EC2" means it
includes ``EC2`` or is absent. Windows means ``runtimePlatform.operatingSystemFamily`` is a
``WINDOWS_SERVER_*`` family. An absent ``networkMode`` is ``bridge``.

Rules (id: what; source). ``API_*`` pages are in the ECS API reference,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_<Name>.html; the others in the ECS
developer guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/<page>.html. Each
rule's ``source`` is the full URL, with the section anchor where the page has one.

Ranges
- ``healthcheck-interval``: healthCheck.interval 5-300 s; API_HealthCheck
- ``healthcheck-timeout``: healthCheck.timeout 2-60 s; API_HealthCheck
- ``healthcheck-retries``: healthCheck.retries 1-10; API_HealthCheck
- ``healthcheck-start-period``: healthCheck.startPeriod 0-300 s; API_HealthCheck
- ``ephemeral-storage-size``: ephemeralStorage.sizeInGiB 21-200; API_EphemeralStorage
- ``port-numbers``: containerPort 1-65535, hostPort 0-65535 (0: dynamic); API_PortMapping
- ``port-range-syntax``: containerPortRange "first-last", 1-65535, first < last; API_PortMapping
- ``port-range-host-port``: no hostPort with a containerPortRange; API_PortMapping
- ``port-range-network-mode``: containerPortRange only in bridge or awsvpc mode; API_PortMapping
- ``port-range-limits``: at most 100 ranges per container, none overlapping; API_PortMapping
- ``task-cpu-range``: task cpu 128-196608 units outside Fargate; API_RegisterTaskDefinition
- ``memory-reservation``: memoryReservation not above memory; API_ContainerDefinition
- ``container-memory-total``: containers' reserved memory not above the task's; API_ContainerDefinition
- ``container-cpu-total``: containers' cpu not above the task's; API_ContainerDefinition
- ``ec2-container-memory``: on EC2 without task memory, each container sets memory or
  memoryReservation; API_ContainerDefinition
- ``fargate-stop-timeout``: stopTimeout 2-120 s on Fargate; API_ContainerDefinition
- ``fargate-nofile-limit``: nofile ulimit at most 1048576 on Fargate; developer guide, AWS_Fargate

Network mode
- ``awsvpc-host-port``: hostPort absent or equal to containerPort; API_ContainerDefinition
- ``host-mode-host-port``: the same in host mode; API_ContainerDefinition
- ``none-mode-port-mappings``: no portMappings in none mode; API_ContainerDefinition
- ``links-bridge-only``: links only in bridge mode; API_ContainerDefinition
- ``hostname-not-awsvpc``: no hostname in awsvpc mode; API_ContainerDefinition
- ``extra-hosts-not-awsvpc``: no extraHosts in awsvpc mode; API_ContainerDefinition

Fargate
- ``fargate-network-mode``: awsvpc; developer guide, fargate-tasks-services
- ``fargate-task-size``: a cpu/memory pair from the Fargate table; developer guide, task_definition_parameters
- ``fargate-task-parameters``: no ipcMode, pidMode other than task, placementConstraints;
  fargate-tasks-services, API_RegisterTaskDefinition
- ``fargate-container-parameters``: no disableNetworking, dnsServers, dnsSearchDomains,
  dockerSecurityOptions, extraHosts, links, privileged, GPUs; fargate-tasks-services
- ``fargate-linux-parameters``: capabilities.add only SYS_PTRACE; no devices, sharedMemorySize,
  tmpfs, maxSwap, swappiness; fargate-tasks-services
- ``fargate-volumes``: no dockerVolumeConfiguration, no host.sourcePath; fargate-tasks-services,
  API_HostVolumeProperties
- ``fargate-log-driver``: awslogs, splunk or awsfirelens; API_LogConfiguration
- ``fargate-firelens-config-file``: FireLens config-file-type "file" only; API_FirelensConfiguration
- ``windows-fargate-cpu``: Windows on Fargate needs at least 1 vCPU; fargate-tasks-services
- ``windows-fargate-architecture``: Windows on Fargate runs on X86_64; developer guide, AWS_Fargate
- ``windows-fargate-unsupported``: no ulimits, no pidMode for Windows on Fargate; AWS_Fargate,
  API_RegisterTaskDefinition

Containers
- ``essential-container``: at least one essential container; API_ContainerDefinition
- ``dependency-essential``: COMPLETE/SUCCESS only on a non-essential container; API_ContainerDependency
- ``dependency-healthy``: HEALTHY only on a container with a health check; API_ContainerDependency
- ``firelens-router``: awsfirelens needs a container with firelensConfiguration; developer guide,
  firelens-taskdef
- ``environment-value``: an environment entry has a value; API_KeyValuePair (echo form)

:func:`execution_role_problems` (not in the table: whether a role will exist is the stack's to
say) refuses what needs a task execution role when none will exist; developer guide,
task_execution_IAM_role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .task_size import FARGATE_SIZES, cpu_units, fargate_size_problem, memory_mib

if TYPE_CHECKING:
    from .spec import ContainerDefinition, PortMapping, TaskDefinitionSpec

API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/"
GUIDE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
FARGATE_DIFFERENCES = GUIDE + "fargate-tasks-services.html#fargate-task-parameters"


@dataclass(frozen=True)
class Task:
    """What the rules need to know about a spec, worked out once."""

    spec: "TaskDefinitionSpec"
    containers: list[tuple[str, "ContainerDefinition"]]
    """(path as the user spelled it, container): ``containerDefinitions[web]``."""
    fargate: bool
    ec2: bool
    windows: bool
    network_mode: str
    cpu: int | None
    memory: int | None

    @classmethod
    def of(cls, spec: "TaskDefinitionSpec") -> "Task":
        compatibilities = spec.requires_compatibilities or []
        family = (spec.runtime_platform and spec.runtime_platform.operating_system_family) or ""
        return cls(
            spec=spec,
            containers=[
                (f"containerDefinitions[{container.name or index}]", container)
                for index, container in enumerate(spec.container_definitions or [])
            ],
            fargate="FARGATE" in compatibilities,
            ec2=not compatibilities or "EC2" in compatibilities,
            windows=family.startswith("WINDOWS"),
            network_mode=spec.network_mode or "bridge",
            cpu=cpu_units(spec.cpu) if spec.cpu is not None else None,
            memory=memory_mib(spec.memory) if spec.memory is not None else None,
        )

    def container_named(self, name: str) -> "ContainerDefinition | None":
        return next((c for _, c in self.containers if c.name == name), None)


Check = Callable[[Task], Iterator[str]]


@dataclass(frozen=True)
class Rule:
    """One rule AWS applies at RegisterTaskDefinition."""

    id: str
    source: str
    """URL (with section anchor where there is one) of the page that states the rule."""
    check: Check


def _range(path: str, value: int | None, low: int, high: int, unit: str = "") -> Iterator[str]:
    if value is None or low <= value <= high:
        return
    bound = f"below the minimum of {low}" if value < low else f"above the maximum of {high}"
    yield f"{path}: {value} is {bound}{unit}; AWS accepts {low} to {high}{unit}: set a value in that range"


def _essential(container: "ContainerDefinition") -> bool:
    return container.essential is not False  # absent means essential


def _health_check(field: str, low: int, high: int) -> Check:
    def check(task: Task) -> Iterator[str]:
        for where, container in task.containers:
            if container.health_check:
                value = getattr(container.health_check, field)
                alias = type(container.health_check).model_fields[field].alias or field
                yield from _range(f"{where}.healthCheck.{alias}", value, low, high)

    return check


def _ephemeral_storage(task: Task) -> Iterator[str]:
    if task.spec.ephemeral_storage:
        yield from _range("ephemeralStorage.sizeInGiB", task.spec.ephemeral_storage.size_in_gib, 21, 200, " GiB")


def _port_mappings(task: Task) -> Iterator[tuple[str, "PortMapping"]]:
    for where, container in task.containers:
        for index, mapping in enumerate(container.port_mappings or []):
            yield f"{where}.portMappings[{index}]", mapping


def _port_numbers(task: Task) -> Iterator[str]:
    for where, mapping in _port_mappings(task):
        yield from _range(f"{where}.containerPort", mapping.container_port, 1, 65535)
        yield from _range(f"{where}.hostPort", mapping.host_port, 0, 65535)


_PORT_RANGE = re.compile(r"(\d+)-(\d+)")


def _parsed_range(text: str) -> tuple[int, int] | None:
    match = _PORT_RANGE.fullmatch(text)
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    return (first, last) if 1 <= first < last <= 65535 else None


def _port_range_syntax(task: Task) -> Iterator[str]:
    for where, mapping in _port_mappings(task):
        text = mapping.container_port_range
        if text is not None and _parsed_range(text) is None:
            yield (
                f'{where}.containerPortRange: "{text}" is not a port range AWS accepts; write "first-last" with '
                'ports from 1 to 65535 and first below last, for example "8000-8100"'
            )


def _port_range_host_port(task: Task) -> Iterator[str]:
    for where, mapping in _port_mappings(task):
        if mapping.container_port_range is not None and mapping.host_port is not None:
            yield (
                f"{where}.hostPort: {mapping.host_port} is set together with containerPortRange "
                f'"{mapping.container_port_range}"; remove hostPort (ECS assigns the host port range)'
            )


def _port_range_network_mode(task: Task) -> Iterator[str]:
    if task.network_mode in ("bridge", "awsvpc"):
        return
    for where, mapping in _port_mappings(task):
        if mapping.container_port_range is not None:
            yield (
                f'{where}.containerPortRange: "{mapping.container_port_range}" in {task.network_mode} network mode; '
                "port ranges work only in bridge or awsvpc mode: change networkMode or map single ports"
            )


def _port_range_limits(task: Task) -> Iterator[str]:
    for where, container in task.containers:
        ranges = [
            (index, mapping.protocol or "tcp", parsed, mapping.container_port_range)
            for index, mapping in enumerate(container.port_mappings or [])
            if mapping.container_port_range is not None
            and (parsed := _parsed_range(mapping.container_port_range)) is not None
        ]
        if len(ranges) > 100:
            yield f"{where}.portMappings: {len(ranges)} port ranges; AWS accepts at most 100 per container: merge ranges"
        for position, (index, protocol, (first, last), text) in enumerate(ranges):
            for other, other_protocol, (other_first, other_last), other_text in ranges[:position]:
                if protocol == other_protocol and first <= other_last and other_first <= last:
                    yield (
                        f'{where}.portMappings[{index}].containerPortRange: "{text}" overlaps "{other_text}" of '
                        f"portMappings[{other}]; a port may be in one mapping only: make the ranges disjoint"
                    )


def _task_cpu_range(task: Task) -> Iterator[str]:
    if not task.fargate:
        yield from _range("cpu", task.cpu, 128, 196608, " CPU units")


def _memory_reservation(task: Task) -> Iterator[str]:
    for where, container in task.containers:
        reservation, limit = container.memory_reservation, container.memory
        if reservation is not None and limit is not None and reservation > limit:
            yield (
                f"{where}.memoryReservation: {reservation} MiB is above the container's memory limit of {limit} MiB; "
                "lower memoryReservation or raise memory"
            )


def _container_memory_total(task: Task) -> Iterator[str]:
    if task.memory is None:
        return
    # A container reserves memoryReservation when it sets one, memory otherwise (API_ContainerDefinition).
    reserved = {where: c.memory_reservation or c.memory or 0 for where, c in task.containers}
    total = sum(reserved.values())
    if total > task.memory:
        parts = ", ".join(f"{where.split('[', 1)[1][:-1]} {mib}" for where, mib in reserved.items() if mib)
        yield (
            f"containerDefinitions[*].memory: the containers reserve {total} MiB ({parts}), more than the task's "
            f"memory of {task.memory} MiB; lower the containers' memoryReservation/memory or raise the task memory"
        )


def _container_cpu_total(task: Task) -> Iterator[str]:
    if task.cpu is None:
        return
    units = {where: c.cpu or 0 for where, c in task.containers}
    total = sum(units.values())
    if total > task.cpu:
        parts = ", ".join(f"{where.split('[', 1)[1][:-1]} {cpu}" for where, cpu in units.items() if cpu)
        yield (
            f"containerDefinitions[*].cpu: the containers reserve {total} CPU units ({parts}), more than the task's "
            f"cpu of {task.cpu}; lower the containers' cpu or raise the task cpu"
        )


def _ec2_container_memory(task: Task) -> Iterator[str]:
    if not task.ec2 or task.spec.memory is not None:
        return
    for where, container in task.containers:
        if not container.memory and not container.memory_reservation:
            yield (
                f"{where}.memory: neither memory nor memoryReservation is set, and the task sets no memory; on EC2 "
                "set memoryReservation or memory (MiB) on the container, or memory on the task"
            )


def _fargate_stop_timeout(task: Task) -> Iterator[str]:
    if task.fargate:
        for where, container in task.containers:
            yield from _range(f"{where}.stopTimeout", container.stop_timeout, 2, 120, " s")


_FARGATE_NOFILE_MAX = 1048576


def _fargate_nofile_limit(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for where, container in task.containers:
        for index, ulimit in enumerate(container.ulimits or []):
            if ulimit.name != "nofile":
                continue
            for field, value in (("softLimit", ulimit.soft_limit), ("hardLimit", ulimit.hard_limit)):
                if value > _FARGATE_NOFILE_MAX:
                    yield (
                        f"{where}.ulimits[{index}].{field}: {value} is above the maximum of {_FARGATE_NOFILE_MAX} for "
                        f"nofile on Fargate; set at most {_FARGATE_NOFILE_MAX}"
                    )


def _host_port_equals_container_port(mode: str) -> Check:
    def check(task: Task) -> Iterator[str]:
        if task.network_mode != mode:
            return
        for where, mapping in _port_mappings(task):
            if mapping.host_port is not None and mapping.host_port != mapping.container_port:
                yield (
                    f"{where}.hostPort: {mapping.host_port} differs from containerPort {mapping.container_port}; "
                    f"in {mode} network mode omit hostPort or set it to {mapping.container_port}"
                )

    return check


def _none_mode_port_mappings(task: Task) -> Iterator[str]:
    if task.network_mode == "none":
        for where, container in task.containers:
            if container.port_mappings:
                yield f"{where}.portMappings: set in none network mode; remove the port mappings or change networkMode"


def _links_bridge_only(task: Task) -> Iterator[str]:
    if task.network_mode == "bridge":
        return
    for where, container in task.containers:
        if container.links:
            yield (
                f"{where}.links: {json.dumps(container.links)} in {task.network_mode} network mode; links work only in bridge mode: "
                "remove links (in awsvpc and host mode the task's containers reach each other on localhost)"
            )


def _hostname_not_awsvpc(task: Task) -> Iterator[str]:
    if task.network_mode == "awsvpc":
        for where, container in task.containers:
            if container.hostname is not None:
                yield f'{where}.hostname: "{container.hostname}" in awsvpc network mode; remove hostname (AWS refuses it there)'


def _extra_hosts_not_awsvpc(task: Task) -> Iterator[str]:
    if task.network_mode == "awsvpc":
        for where, container in task.containers:
            if container.extra_hosts:
                yield f"{where}.extraHosts: set in awsvpc network mode; remove extraHosts (AWS refuses it there)"


def _fargate_network_mode(task: Task) -> Iterator[str]:
    if task.fargate and task.spec.network_mode != "awsvpc":
        yield f"networkMode: Fargate requires awsvpc, got {task.spec.network_mode or 'none (bridge)'}; set networkMode to awsvpc"


def _fargate_task_size(task: Task) -> Iterator[str]:
    spec = task.spec
    parsed = (spec.cpu is None or task.cpu is not None) and (spec.memory is None or task.memory is not None)
    if task.fargate and parsed:
        problem = fargate_size_problem(task.cpu, task.memory)
        if problem:
            yield f"cpu/memory: {problem}"


_NOT_ON_FARGATE = "is not supported on Fargate"
_FARGATE_FIX = "remove it (or drop FARGATE from requiresCompatibilities)"


def _fargate_task_parameters(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    spec = task.spec
    if spec.ipc_mode is not None:
        yield f'ipcMode: "{spec.ipc_mode}" {_NOT_ON_FARGATE}; {_FARGATE_FIX}'
    if spec.pid_mode is not None and spec.pid_mode != "task":
        yield f'pidMode: "{spec.pid_mode}" {_NOT_ON_FARGATE} (only "task" is); set pidMode to "task" or remove it'
    if spec.placement_constraints:
        yield f"placementConstraints: {len(spec.placement_constraints)} constraint(s); placement constraints are not supported on Fargate: {_FARGATE_FIX}"


def _fargate_container_parameters(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for where, container in task.containers:
        if container.disable_networking:
            yield f"{where}.disableNetworking: true {_NOT_ON_FARGATE}; {_FARGATE_FIX}"
        if container.privileged:
            yield f"{where}.privileged: true {_NOT_ON_FARGATE}; {_FARGATE_FIX}"
        for field, alias in (
            ("dns_servers", "dnsServers"),
            ("dns_search_domains", "dnsSearchDomains"),
            ("docker_security_options", "dockerSecurityOptions"),
            ("extra_hosts", "extraHosts"),
            ("links", "links"),
        ):
            if getattr(container, field):
                yield f"{where}.{alias}: set, but {alias} {_NOT_ON_FARGATE}; {_FARGATE_FIX}"
        for index, requirement in enumerate(container.resource_requirements or []):
            if requirement.type == "GPU":
                yield f"{where}.resourceRequirements[{index}].type: GPU {_NOT_ON_FARGATE}; {_FARGATE_FIX}"


_FARGATE_CAPABILITIES = ("SYS_PTRACE", "CAP_SYS_PTRACE")


def _fargate_linux_parameters(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for where, container in task.containers:
        linux = container.linux_parameters
        if not linux:
            continue
        added = (linux.capabilities and linux.capabilities.add) or []
        for index, capability in enumerate(added):
            if capability not in _FARGATE_CAPABILITIES:
                yield (
                    f'{where}.linuxParameters.capabilities.add[{index}]: "{capability}" {_NOT_ON_FARGATE}; '
                    "Fargate lets you add SYS_PTRACE only: remove it"
                )
        for field, alias in (
            ("devices", "devices"),
            ("shared_memory_size", "sharedMemorySize"),
            ("tmpfs", "tmpfs"),
            ("max_swap", "maxSwap"),
            ("swappiness", "swappiness"),
        ):
            if getattr(linux, field) not in (None, []):
                yield f"{where}.linuxParameters.{alias}: set, but {alias} {_NOT_ON_FARGATE}; {_FARGATE_FIX}"


def _fargate_volumes(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for index, volume in enumerate(task.spec.volumes or []):
        where = f"volumes[{volume.name or index}]"
        if volume.docker_volume_configuration is not None:
            yield (
                f"{where}.dockerVolumeConfiguration: Docker volumes are not supported on Fargate; use a bind mount "
                "(a volume with only a name), EFS, or drop FARGATE from requiresCompatibilities"
            )
        if volume.host is not None and volume.host.source_path is not None:
            yield (
                f'{where}.host.sourcePath: "{volume.host.source_path}" {_NOT_ON_FARGATE}; remove sourcePath '
                "(a bind mount in the task's storage) or drop FARGATE from requiresCompatibilities"
            )


_FARGATE_LOG_DRIVERS = ("awslogs", "splunk", "awsfirelens")


def _fargate_log_driver(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for where, container in task.containers:
        driver = container.log_configuration and container.log_configuration.log_driver
        if driver and driver not in _FARGATE_LOG_DRIVERS:
            yield (
                f'{where}.logConfiguration.logDriver: "{driver}" {_NOT_ON_FARGATE}; use awslogs, splunk or '
                "awsfirelens (a FireLens router can forward to fluentd and others)"
            )


def _fargate_firelens_config_file(task: Task) -> Iterator[str]:
    if not task.fargate:
        return
    for where, container in task.containers:
        options = (container.firelens_configuration and container.firelens_configuration.options) or {}
        kind = options.get("config-file-type")
        if kind is not None and kind != "file":
            yield (
                f'{where}.firelensConfiguration.options.config-file-type: "{kind}" {_NOT_ON_FARGATE}; Fargate reads '
                'the configuration from a file in the image: use "file" with a path in config-file-value'
            )


def _windows_fargate_cpu(task: Task) -> Iterator[str]:
    if task.fargate and task.windows and task.cpu is not None and task.cpu < 1024:
        offered = ", ".join(str(units) for units in FARGATE_SIZES if units >= 1024)
        yield f"cpu: {task.cpu} is below 1 vCPU, the minimum for Windows on Fargate; use one of {offered} CPU units"


def _windows_fargate_architecture(task: Task) -> Iterator[str]:
    platform = task.spec.runtime_platform
    if task.fargate and task.windows and platform.cpu_architecture not in (None, "X86_64"):
        yield (
            f'runtimePlatform.cpuArchitecture: "{platform.cpu_architecture}" for Windows on Fargate; Windows '
            "containers on Fargate run on X86_64: set X86_64"
        )


def _windows_fargate_unsupported(task: Task) -> Iterator[str]:
    if not (task.fargate and task.windows):
        return
    if task.spec.pid_mode is not None:
        yield f'pidMode: "{task.spec.pid_mode}" is not supported for Windows on Fargate; remove it'
    for where, container in task.containers:
        if container.ulimits:
            yield f"{where}.ulimits: set, but ulimits are not supported for Windows on Fargate; remove them"


def _essential_container(task: Task) -> Iterator[str]:
    if task.containers and not any(_essential(container) for _, container in task.containers):
        names = ", ".join(container.name or "?" for _, container in task.containers)
        yield (
            f"containerDefinitions[*].essential: false on every container ({names}); a task needs at least one "
            "essential container: set essential to true (or leave it out) on the main one"
        )


def _dependency_essential(task: Task) -> Iterator[str]:
    for where, container in task.containers:
        for index, dependency in enumerate(container.depends_on or []):
            target = task.container_named(dependency.container_name)
            if dependency.condition in ("COMPLETE", "SUCCESS") and target is not None and _essential(target):
                yield (
                    f'{where}.dependsOn[{index}].condition: {dependency.condition} on "{dependency.container_name}", '
                    f"which is essential (essential {'is absent' if target.essential is None else 'is true'}); "
                    f'set essential: false on "{dependency.container_name}" or depend on it with START or HEALTHY'
                )


def _dependency_healthy(task: Task) -> Iterator[str]:
    for where, container in task.containers:
        for index, dependency in enumerate(container.depends_on or []):
            target = task.container_named(dependency.container_name)
            if dependency.condition == "HEALTHY" and target is not None and target.health_check is None:
                yield (
                    f'{where}.dependsOn[{index}].condition: HEALTHY on "{dependency.container_name}", which has no '
                    f'healthCheck; add a healthCheck to "{dependency.container_name}" or depend on it with START'
                )


def _firelens_router(task: Task) -> Iterator[str]:
    if any(container.firelens_configuration for _, container in task.containers):
        return
    for where, container in task.containers:
        if container.log_configuration and container.log_configuration.log_driver == "awsfirelens":
            yield (
                f"{where}.logConfiguration.logDriver: awsfirelens, but no container of this task has "
                "firelensConfiguration; add a log-router container with firelensConfiguration (for example "
                'aws-for-fluent-bit with {"type": "fluentbit"}) or use another log driver'
            )


def _environment_value(task: Task) -> Iterator[str]:
    for where, container in task.containers:
        for index, entry in enumerate(container.environment or []):
            if entry.value is None:
                yield (
                    f'{where}.environment[{index}].value: missing for "{entry.name}"; AWS drops an entry without a '
                    'value, so the registered revision would never match: give it a value ("" for empty) or remove it'
                )


RULES: tuple[Rule, ...] = (
    # Fargate network mode and size come first: the messages people see most, in the order they always had.
    Rule("fargate-network-mode", GUIDE + "fargate-tasks-services.html#fargate-tasks-networkmode", _fargate_network_mode),
    Rule("fargate-task-size", GUIDE + "task_definition_parameters.html#task_size", _fargate_task_size),
    Rule("healthcheck-interval", API + "API_HealthCheck.html", _health_check("interval", 5, 300)),
    Rule("healthcheck-timeout", API + "API_HealthCheck.html", _health_check("timeout", 2, 60)),
    Rule("healthcheck-retries", API + "API_HealthCheck.html", _health_check("retries", 1, 10)),
    Rule("healthcheck-start-period", API + "API_HealthCheck.html", _health_check("start_period", 0, 300)),
    Rule("ephemeral-storage-size", API + "API_EphemeralStorage.html", _ephemeral_storage),
    Rule("port-numbers", API + "API_PortMapping.html", _port_numbers),
    Rule("port-range-syntax", API + "API_PortMapping.html", _port_range_syntax),
    Rule("port-range-host-port", API + "API_PortMapping.html", _port_range_host_port),
    Rule("port-range-network-mode", API + "API_PortMapping.html", _port_range_network_mode),
    Rule("port-range-limits", API + "API_PortMapping.html", _port_range_limits),
    Rule("task-cpu-range", API + "API_RegisterTaskDefinition.html#ECS-RegisterTaskDefinition-request-cpu", _task_cpu_range),
    Rule("memory-reservation", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-memory", _memory_reservation),
    Rule("container-memory-total", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-memory", _container_memory_total),
    Rule("container-cpu-total", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-cpu", _container_cpu_total),
    Rule("ec2-container-memory", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-memoryReservation", _ec2_container_memory),
    Rule("fargate-stop-timeout", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-stopTimeout", _fargate_stop_timeout),
    Rule("fargate-nofile-limit", GUIDE + "AWS_Fargate.html#fargate-resource-limits", _fargate_nofile_limit),
    Rule("awsvpc-host-port", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-portMappings", _host_port_equals_container_port("awsvpc")),
    Rule("host-mode-host-port", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-portMappings", _host_port_equals_container_port("host")),
    Rule("none-mode-port-mappings", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-portMappings", _none_mode_port_mappings),
    Rule("links-bridge-only", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-links", _links_bridge_only),
    Rule("hostname-not-awsvpc", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-hostname", _hostname_not_awsvpc),
    Rule("extra-hosts-not-awsvpc", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-extraHosts", _extra_hosts_not_awsvpc),
    Rule("fargate-task-parameters", FARGATE_DIFFERENCES, _fargate_task_parameters),
    Rule("fargate-container-parameters", FARGATE_DIFFERENCES, _fargate_container_parameters),
    Rule("fargate-linux-parameters", FARGATE_DIFFERENCES, _fargate_linux_parameters),
    Rule("fargate-volumes", FARGATE_DIFFERENCES, _fargate_volumes),
    Rule("fargate-log-driver", API + "API_LogConfiguration.html", _fargate_log_driver),
    Rule("fargate-firelens-config-file", API + "API_FirelensConfiguration.html", _fargate_firelens_config_file),
    Rule("windows-fargate-cpu", FARGATE_DIFFERENCES, _windows_fargate_cpu),
    Rule("windows-fargate-architecture", GUIDE + "AWS_Fargate.html#fargate-task-cpu-architecture", _windows_fargate_architecture),
    Rule("windows-fargate-unsupported", GUIDE + "AWS_Fargate.html#fargate-resource-limits", _windows_fargate_unsupported),
    Rule("essential-container", API + "API_ContainerDefinition.html#ECS-Type-ContainerDefinition-essential", _essential_container),
    Rule("dependency-essential", API + "API_ContainerDependency.html", _dependency_essential),
    Rule("dependency-healthy", API + "API_ContainerDependency.html", _dependency_healthy),
    Rule("firelens-router", GUIDE + "firelens-taskdef.html", _firelens_router),
    Rule("environment-value", API + "API_KeyValuePair.html", _environment_value),
)
"""Every rule, in the order its problems are reported."""


def rule_problems(spec: "TaskDefinitionSpec") -> list[str]:
    """Every problem the table finds in ``spec``; empty when AWS would accept it."""
    task = Task.of(spec)
    return [problem for rule in RULES for problem in rule.check(task)]


_ECR_IMAGE = re.compile(r"\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
EXECUTION_ROLE_SOURCE = GUIDE + "task_execution_IAM_role.html"


def execution_role_problems(spec: "TaskDefinitionSpec", role_supplied: bool) -> list[str]:
    """What in ``spec`` needs a task execution role, when none will exist; empty otherwise.

    ``role_supplied`` says whether the stack creates or names an execution role for this task
    definition; ``executionRoleArn`` in the spec counts as one too. Needs, per the task execution
    role page: secrets (container ``secrets`` and log ``secretOptions``), private registry
    credentials, environment files in S3, and, on Fargate, images in Amazon ECR and the awslogs
    log driver (on EC2 the container instance role can do these two).
    """
    if role_supplied or spec.execution_role_arn:
        return []
    task = Task.of(spec)
    needs: list[tuple[str, str]] = []
    for where, container in task.containers:
        if container.secrets:
            needs.append((f"{where}.secrets", "reads the secrets"))
        log = container.log_configuration
        if log and log.secret_options:
            needs.append((f"{where}.logConfiguration.secretOptions", "reads the log driver's secrets"))
        if container.repository_credentials:
            needs.append((f"{where}.repositoryCredentials", "reads the registry credentials"))
        if container.environment_files:
            needs.append((f"{where}.environmentFiles", "reads the environment files from S3"))
        if task.fargate and container.image and _ECR_IMAGE.match(container.image):
            needs.append((f"{where}.image", "pulls the image from Amazon ECR on Fargate"))
        if task.fargate and log and log.log_driver == "awslogs":
            needs.append((f"{where}.logConfiguration.logDriver", "sends awslogs logs to CloudWatch on Fargate"))
    return [
        f"{path}: needs a task execution role (it {what}), and none will exist: executionRoleArn is not set "
        "and the stack supplies no execution role; set executionRoleArn or let the stack create the role"
        for path, what in needs
    ]
