"""Task-level CPU and memory: unit parsing and the Fargate size table.

AWS accepts task ``cpu`` as CPU units (``"1024"``) or vCPUs (``"1 vCPU"``) and ``memory``
as MiB (``"2048"``) or GB (``"2 GB"``), but always echoes integer strings. Rendering the
integer form avoids a diff between what we send and what AWS returns.
See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CPU = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*", re.IGNORECASE)
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(gb|mb|mib|gib)?\s*", re.IGNORECASE)


def _gib_steps(first: int, last: int, step: int) -> tuple[int, ...]:
    return tuple(range(first * 1024, last * 1024 + 1, step * 1024))


FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: _gib_steps(1, 4, 1),
    1024: _gib_steps(2, 8, 1),
    2048: _gib_steps(4, 16, 1),
    4096: _gib_steps(8, 30, 1),
    8192: _gib_steps(16, 60, 4),
    16384: _gib_steps(32, 120, 8),
}
"""Valid Fargate (Linux) task sizes: CPU units → memory values in MiB."""


def _to_integer(value: Decimal) -> int | None:
    return int(value) if value == value.to_integral_value() else None


def cpu_units(value: str) -> int | None:
    """``"1024"`` → 1024, ``"1 vCPU"`` → 1024, ``"0.25 vcpu"`` → 256; ``None`` if not a CPU amount."""
    match = _CPU.fullmatch(value)
    if not match:
        return None
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    return _to_integer(amount * 1024 if match.group(2) else amount)


def memory_mib(value: str) -> int | None:
    """``"2048"`` → 2048, ``"2 GB"`` → 2048, ``"0.5 GB"`` → 512; ``None`` if not a memory amount."""
    match = _MEMORY.fullmatch(value)
    if not match:
        return None
    amount = Decimal(match.group(1))
    unit = (match.group(2) or "mib").lower()
    return _to_integer(amount * 1024 if unit in ("gb", "gib") else amount)


def fargate_size_problem(cpu: int | None, memory: int | None) -> str | None:
    """Why a Fargate task's cpu/memory pair is not offered, or ``None`` when it is."""
    if cpu is None or memory is None:
        return "Fargate needs task-level cpu and memory; set both (for example cpu \"256\", memory \"512\")"
    if cpu not in FARGATE_SIZES:
        offered = ", ".join(str(units) for units in FARGATE_SIZES)
        return f"cpu {cpu} is not a Fargate size; use one of {offered} CPU units"
    if memory not in FARGATE_SIZES[cpu]:
        offered = ", ".join(str(mib) for mib in FARGATE_SIZES[cpu])
        return f"Fargate does not offer cpu {cpu} with memory {memory}; with cpu {cpu} use memory {offered} (MiB)"
    return None
