"""Smoke test of ``benchmarks/bench.py``: tiny sizes and one run each; the report's format, never its timings."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def load_bench():
    if "ecs_release_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("ecs_release_bench", BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["ecs_release_bench"]


def test_bench_prints_a_table_and_ends_with_the_machine_readable_line(capsys):
    bench = load_bench()
    options = ["--sizes", "1,2", "--runs", "1", "--min-seconds", "0", "--import-runs", "1", "--stacks", "prod", "--no-memory"]
    assert bench.main(options) == 0
    lines = capsys.readouterr().out.strip().splitlines()

    match = re.fullmatch(r"ratio=(\S+) t100=(\S+) growth=(\S+) import=(\S+)", lines[-1])
    assert match, lines[-1]
    assert all(float(value) > 0 for value in match.groups())
    rows = [line for line in lines if line.startswith("| ")]
    for label in ("example prod", "component program", "bare program", "synthetic 1 ", "synthetic 2 "):
        assert any(row.startswith(f"| {label}") for row in rows), label
    assert not any("error:" in row for row in rows), rows


def test_synthetic_services_are_distinct_valid_three_container_task_definitions():
    bench = load_bench()
    services = [bench.synthetic_service(index) for index in range(3)]
    families = {args["spec"]["family"] for _, args in services}
    assert len(families) == 3
    for _, args in services:
        spec = bench.TaskDefinitionSpec.model_validate(args["spec"])
        assert [c.name for c in spec.container_definitions] == ["app", "migrate", "xray"]
