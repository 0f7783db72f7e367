"""Every problem in a task definition that AWS would refuse at registration, found before anything exists.

Names and references between containers and volumes are checked here; the ECS API's rules
(ranges, network mode, launch type, containers) are the table in :mod:`components.rules`.
Each message names the field path, the bad value and the fix, so every problem in a spec
is reported at once.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .rules import rule_problems
from .task_size import cpu_units, memory_mib

if TYPE_CHECKING:
    from .spec import TaskDefinitionSpec


def _one_of(names: list[str]) -> str:
    return ", ".join(sorted(names)) or "(none)"


def spec_problems(spec: "TaskDefinitionSpec") -> list[str]:
    """Every cross-field problem in ``spec``, in document order; empty when it is consistent."""
    problems: list[str] = []
    containers = spec.container_definitions or []
    names = [c.name for c in containers if c.name]
    volumes = [v.name for v in spec.volumes or [] if v.name]

    for index, container in enumerate(containers):
        if not container.name:
            problems.append(f"containerDefinitions[{index}].name: missing; give the container a name (ECS requires one)")
    for name, count in Counter(names).items():
        if count > 1:
            problems.append(f'containerDefinitions: container name "{name}" is used {count} times; give each container a unique name')
    for name, count in Counter(volumes).items():
        if count > 1:
            problems.append(f'volumes: volume name "{name}" is used {count} times; give each volume a unique name')

    for index, container in enumerate(containers):
        where = f"containerDefinitions[{container.name or index}]"
        for i, dependency in enumerate(container.depends_on or []):
            if dependency.container_name not in names:
                problems.append(
                    f'{where}.dependsOn[{i}].containerName: "{dependency.container_name}" is not a container of this '
                    f"task definition; use one of: {_one_of(names)}"
                )
        for i, link in enumerate(container.links or []):
            target = link.split(":", 1)[0]
            if target not in names:
                problems.append(
                    f'{where}.links[{i}]: "{link}" names no container of this task definition; use one of: {_one_of(names)}'
                )
        for i, source in enumerate(container.volumes_from or []):
            if source.source_container not in names:
                problems.append(
                    f'{where}.volumesFrom[{i}].sourceContainer: "{source.source_container}" is not a container of this '
                    f"task definition; use one of: {_one_of(names)}"
                )
        for i, mount in enumerate(container.mount_points or []):
            if mount.source_volume not in volumes:
                problems.append(
                    f'{where}.mountPoints[{i}].sourceVolume: "{mount.source_volume}" is not a volume of this task '
                    f"definition; add it to volumes or use one of: {_one_of(volumes)}"
                )

    if spec.cpu is not None and cpu_units(spec.cpu) is None:
        problems.append(f'cpu: "{spec.cpu}" is not a CPU amount; write CPU units ("1024") or vCPUs ("1 vCPU")')
    if spec.memory is not None and memory_mib(spec.memory) is None:
        problems.append(f'memory: "{spec.memory}" is not a memory amount; write MiB ("2048") or GB ("2 GB")')
    return problems + rule_problems(spec)
