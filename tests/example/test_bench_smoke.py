"""Smoke test of ``benchmarks/bench.py`` (it times the example's stacks too, so it lives with the example's tests): tiny sizes and one run each; the report's format, never its timings."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"


def load_bench():
    if "ecs_release_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("ecs_release_bench", BENCH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules["ecs_release_bench"]


def test_bench_prints_a_table_and_ends_with_the_machine_readable_line(capsys):
    bench = load_bench()
    options = ["--sizes", "1,2", "--runs", "1", "--min-seconds", "0", "--import-runs", "1", "--stacks", "dev", "--no-memory"]
    assert bench.main(options) == 0
    lines = capsys.readouterr().out.strip().splitlines()

    match = re.fullmatch(r"ratio=(\S+) t100=(\S+) growth=(\S+) own=(\S+)", lines[-1])
    assert match, lines[-1]
    assert all(float(value) > 0 for value in match.groups())
    assert re.fullmatch(r"rollout wait lag .*: max \d+\.\d s, median \d+\.\d s \(bound: one poll interval: holds\); .*", lines[-3]), lines[-3]
    rows = [line for line in lines if line.startswith("| ")]
    for label in ("example dev", "component, 1 service", "bare, 1 service ", "↳ own code, 2 services", "component, 2 services, default GC"):
        assert any(row.startswith(f"| {label}") for row in rows), label
    assert not any("error:" in row for row in rows), rows


def test_synthetic_services_are_distinct_three_container_services_with_the_whole_tree():
    bench = load_bench()
    services = [bench.synthetic_service(index) for index in range(3)]
    assert len({args["task_definition"]["family"] for _, args in services}) == 3
    for _, args in services:
        assert [c["name"] for c in args["task_definition"]["containerDefinitions"]] == ["app", "migrate", "xray"]
        assert args["service"]["load_balancer"] and args["service"]["autoscaling"]


def test_the_bare_program_registers_what_the_component_registers():
    bench = load_bench()
    services = [bench.synthetic_service(index) for index in range(2)]
    registrations = bench.capture_registrations(bench.component_program(services))
    count = bench.check_identical(bench.component_program(services), bench.bare_program(registrations))
    assert count == len(registrations) == 24  # 12 custom resources per service: the whole tree


def test_the_rollout_wait_returns_within_one_poll_of_ecs_reporting_the_deployment_done():
    lags = load_bench().rollout_lag(deployments=50, poll=15.0)
    assert len(lags) == 50 and all(0 <= lag <= 15.0 for lag in lags)
    assert max(lags) > 7.5  # the simulation does land between polls: the bound is not vacuous
