"""Task cpu/memory units and the Fargate size table (pure functions)."""

import pytest

from components.task_size import FARGATE_SIZES, cpu_units, fargate_size_problem, memory_mib


@pytest.mark.parametrize(
    "value, units",
    [("1024", 1024), ("1 vCPU", 1024), ("1 vcpu", 1024), ("0.25 vCPU", 256), ("2vCPU", 2048), ("256", 256), ("0.1 vCPU", None), ("one", None), ("", None)],
)
def test_cpu_units(value, units):
    assert cpu_units(value) == units


@pytest.mark.parametrize(
    "value, mib",
    [("2048", 2048), ("2 GB", 2048), ("2GB", 2048), ("0.5 GB", 512), ("30 gb", 30720), ("512 MiB", 512), ("lots", None)],
)
def test_memory_mib(value, mib):
    assert memory_mib(value) == mib


def test_fargate_table_matches_the_documented_ranges():
    assert FARGATE_SIZES[256] == (512, 1024, 2048)
    assert FARGATE_SIZES[512] == (1024, 2048, 3072, 4096)
    assert FARGATE_SIZES[4096][0] == 8192 and FARGATE_SIZES[4096][-1] == 30720 and len(FARGATE_SIZES[4096]) == 23
    assert FARGATE_SIZES[8192] == tuple(range(16384, 61441, 4096))
    assert FARGATE_SIZES[16384] == tuple(range(32768, 122881, 8192))


@pytest.mark.parametrize(
    "cpu, memory, problem",
    [
        pytest.param(256, 512, None, id="smallest"),
        pytest.param(16384, 122880, None, id="largest"),
        pytest.param(256, 4096, "Fargate does not offer cpu 256 with memory 4096; with cpu 256 use memory 512, 1024, 2048 (MiB)", id="too-much-memory"),
        pytest.param(300, 1024, "cpu 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384 CPU units", id="odd-cpu"),
        pytest.param(None, 512, 'Fargate needs task-level cpu and memory; set both (for example cpu "256", memory "512")', id="no-cpu"),
    ],
)
def test_fargate_size_problem(cpu, memory, problem):
    assert fargate_size_problem(cpu, memory) == problem
