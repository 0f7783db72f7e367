"""Benchmark: the program's own cost under the Pulumi SDK's mock runtime, against a bare resource.

Run from the project directory, in its virtualenv::

    .venv/bin/python benchmarks/bench.py

In one run it times, each program in a fresh mock runtime (``set_mocks``) driven by the SDK's
own event-loop machinery (``run_pulumi_func`` under ``_sync_await``, as ``components.offline``
does):

* **example <stack>**: the real program (``__main__.py``) for each stack in ``stacks/``, through
  ``components.offline.run_program`` (config loading, ``runpy``, every resource the program has);
* **component program**: the example's task definition(s) for one stack, replayed as
  spec document + versions → ``TaggedTaskDefinition`` (pydantic validation, cross-field checks,
  canonical rendering, the component and its ``aws.ecs.TaskDefinition``);
* **bare program**: ``aws.ecs.TaskDefinition(...)`` with the very keyword arguments the component
  passed, precomputed: the floor. The script asserts that both register identical inputs;
* **synthetic N**: N services of three containers each (distinct families; environment, secrets,
  ports, health check, logs, a dependency) through the component in one program, for each size,
  and the same inputs registered bare.

Wall time is ``time.perf_counter`` around one whole program run: the median of at least ``--runs``
runs (more for fast programs), after one warm-up run (the first registration of a resource type
imports SDK modules lazily). Programs that are compared (component and bare, one size) run
interleaved, so load from elsewhere on the machine hits both alike. The cyclic garbage collector
stays on during each run, as in ``pulumi up``, and a ``gc.collect()`` precedes each run, so that
every run starts from the same heap (as a fresh ``pulumi up`` process does) and pays for its own
garbage only; runs that followed each other without it would also collect the previous run's
garbage. Every program here runs with the GC thresholds that importing ``components`` sets (see
its docstring), the bare one included. A diagnostic row per size repeats the component program
with the collector paused during the run, which shows how much of the time is collection.

Peak memory is measured in a separate pass (``tracemalloc`` slows a run down several times): the
peak of Python allocations made during one run. ``import components`` is timed in fresh
interpreters (``python -c``), median of ``--import-runs``.

The last line is machine-readable::

    ratio=<component/bare> t100=<s, largest size> growth=<per-service cost at largest / second-largest size> import=<s>

No target is asserted here or in the test suite; the script reports whether each one holds.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Sequence

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import pulumi  # noqa: E402
import pulumi_aws as aws  # noqa: E402
from pulumi.runtime import set_mocks  # noqa: E402
from pulumi.runtime.mocks import run_pulumi_func  # noqa: E402
from pulumi.runtime.sync_await import _sync_await  # noqa: E402

from components.aws_inputs import resource_args  # noqa: E402
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, run_program  # noqa: E402
from components.render import render_document  # noqa: E402
from components.spec import TaskDefinitionSpec  # noqa: E402
from components.stack_config import project_name  # noqa: E402
from components.task_definition import TaggedTaskDefinition  # noqa: E402

TARGET_RATIO = 1.25
TARGET_T100 = 3.0
TARGET_GROWTH = 1.2
TARGET_IMPORT = 0.5

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com"
FARGATE_SIZES = [("256", "512"), ("512", "1024"), ("1024", "2048"), ("2048", "4096")]

PROJECT_NAME = project_name(PROJECT)
"""Read once: parsing Pulumi.yaml costs more than registering a resource, and is no part of a program run."""

Program = Callable[[], None]
Call = tuple[str, dict[str, Any]]


# --- running programs -------------------------------------------------------------------------


def run_function(program: Program, stack: str = "bench") -> RecordingMocks:
    """Run ``program`` as a Pulumi program in a fresh mock runtime; the recording mocks afterwards."""
    mocks = RecordingMocks(region=REGION)
    set_mocks(mocks, project=PROJECT_NAME, stack=stack, preview=False)
    _sync_await(run_pulumi_func(program))
    return mocks


def plain(value: Any) -> Any:
    """The value of an already resolved ``Output`` (such as a role ARN from a previous run); other values as they are.

    Replayed programs take plain, precomputed values, never Outputs of resources from another run.
    """
    return _sync_await(value.future()) if isinstance(value, pulumi.Output) else value


def task_definition_inputs(mocks: RecordingMocks) -> list[tuple[str, dict[str, Any]]]:
    """(logical name, inputs) of every ``aws.ecs.TaskDefinition`` a run registered, by name (registrations complete in any order)."""
    return sorted(((r.name, r.inputs) for r in mocks.resources if r.type == TASK_DEFINITION_TYPE), key=lambda item: item[0])


def component_program(calls: Sequence[Call]) -> Program:
    """spec document + versions → ``TaggedTaskDefinition``, for each call."""

    def program() -> None:
        for name, args in calls:
            TaggedTaskDefinition(name, args)

    return program


def own_code(calls: Sequence[Call]) -> Program:
    """The component's own work, without Pulumi: validate each spec, check and render it, build the resource's inputs."""

    def work() -> None:
        for _, args in calls:
            spec = args["spec"]
            if not isinstance(spec, TaskDefinitionSpec):
                spec = TaskDefinitionSpec.model_validate(spec)
            resource_args(render_document(spec, args.get("versions") or {}))

    return work


def bare_program(registrations: Sequence[Call]) -> Program:
    """``aws.ecs.TaskDefinition(name, **kwargs)``, with kwargs computed beforehand."""

    def program() -> None:
        for name, kwargs in registrations:
            aws.ecs.TaskDefinition(name, **kwargs)

    return program


def capture_task_definition_kwargs(program: Program) -> list[Call]:
    """Run ``program`` once and record the arguments of every ``aws.ecs.TaskDefinition`` it creates (``opts`` aside)."""
    captured: list[Call] = []
    original = aws.ecs.TaskDefinition.__init__

    def __init__(self, resource_name, *args, **kwargs):  # named __init__: the SDK reads source positions by frame name
        if args:
            raise AssertionError("aws.ecs.TaskDefinition called with positional arguments; the bare program cannot replay them")
        captured.append((resource_name, {key: plain(value) for key, value in kwargs.items() if key != "opts"}))
        original(self, resource_name, **kwargs)

    aws.ecs.TaskDefinition.__init__ = __init__
    try:
        run_function(program)
    finally:
        aws.ecs.TaskDefinition.__init__ = original
    return captured


def capture_example_calls(stack: str) -> list[Call]:
    """Run the example program for ``stack`` and record each ``TaggedTaskDefinition(name, args)`` it makes.

    The spec is replayed as its API document (a plain dict), so the component program validates it.
    """
    captured: list[Call] = []
    original = TaggedTaskDefinition.__init__

    def __init__(self, name, args, *rest, **kwargs):
        captured.append((name, dict(args)))
        original(self, name, args, *rest, **kwargs)

    TaggedTaskDefinition.__init__ = __init__
    try:
        run_program(PROJECT, stack)
    finally:
        TaggedTaskDefinition.__init__ = original
    calls = []
    for name, args in captured:
        spec = args["spec"]
        if isinstance(spec, TaskDefinitionSpec):
            spec = spec.model_dump(by_alias=True, exclude_none=True)
        calls.append((name, {**{key: plain(value) for key, value in args.items()}, "spec": spec, "versions": dict(args.get("versions") or {})}))
    return calls


# --- synthetic services -----------------------------------------------------------------------


def synthetic_service(index: int) -> Call:
    """One service: an app container, a migration init container on the same repository, an X-Ray sidecar."""
    family = f"bench-svc{index:03d}"
    cpu, memory = FARGATE_SIZES[index % len(FARGATE_SIZES)]
    repository = f"{REGISTRY}/bench/svc{index:03d}"
    parameters = f"arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{family}"

    def logs(prefix: str) -> dict[str, Any]:
        return {
            "logDriver": "awslogs",
            "options": {"awslogs-group": f"/ecs/{family}", "awslogs-region": REGION, "awslogs-stream-prefix": prefix},
        }

    environment = [{"name": f"SETTING_{k}", "value": f"{family}-value-{k}"} for k in range(8, 0, -1)]
    secrets = [{"name": f"SECRET_{k}", "valueFrom": f"{parameters}/secret-{k}"} for k in range(3, 0, -1)]
    spec = {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": cpu,
        "memory": memory,
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"},
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{family}-execution",
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{family}-task",
        "containerDefinitions": [
            {
                "name": "app",
                "image": repository,
                "portMappings": [{"name": "http", "containerPort": 8080, "appProtocol": "http"}],
                "environment": environment,
                "secrets": secrets,
                "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"}],
                "healthCheck": {
                    "command": ["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"],
                    "interval": 15,
                    "timeout": 5,
                    "retries": 3,
                    "startPeriod": 30,
                },
                "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}],
                "logConfiguration": logs("app"),
            },
            {
                "name": "migrate",
                "image": repository,
                "essential": False,
                "command": ["bin/migrate", "--wait-for-lock"],
                "environment": environment[:2],
                "secrets": secrets[:1],
                "logConfiguration": logs("migrate"),
            },
            {
                "name": "xray",
                "image": f"{REGISTRY}/ecr-public/xray/aws-xray-daemon",
                "cpu": 32,
                "memoryReservation": 256,
                "portMappings": [{"containerPort": 2000, "protocol": "udp"}],
                "logConfiguration": logs("xray"),
            },
        ],
    }
    versions = {"app": f"1.{index}.0", "migrate": f"1.{index}.0", "xray": "3.3.12"}
    return f"svc{index:03d}", {"spec": spec, "versions": versions}


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    run: Program
    services: int | None = None
    """Task definitions the program registers, for the per-service column."""
    gc_paused: bool = False
    times: list[float] = field(default_factory=list)
    peak_bytes: int | None = None
    resources: int | None = None
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def per_service(self) -> float | None:
        return self.median / self.services if self.services and self.times else None


def _timed(row: Row) -> None:
    gc.collect()  # every run starts from the same heap, as a fresh `pulumi up` process does, and pays for its own garbage only
    if row.gc_paused:
        gc.disable()
    start = time.perf_counter()
    try:
        row.run()
    finally:
        elapsed = time.perf_counter() - start
        gc.enable()
    row.times.append(elapsed)


def measure(rows: Sequence[Row], runs: int, min_seconds: float = 0.2, memory: bool = True, max_runs: int = 60) -> None:
    """Time ``rows`` interleaved (one run of each per round, so drift hits all alike), then measure peak memory.

    Each row gets one warm-up run (lazy SDK imports, linecache, pydantic and typing caches), then
    rounds continue until every row has ``runs`` runs and ``min_seconds`` of them (at most ``max_runs``).
    A program that fails is reported in its row, not fatal.
    """
    live = []
    for row in rows:
        try:
            row.run()
            live.append(row)
        except Exception as error:  # noqa: BLE001
            row.error = f"{type(error).__name__}: {error}".splitlines()[0][:160]
    while live and any(len(r.times) < runs or (sum(r.times) < min_seconds and len(r.times) < max_runs) for r in live):
        for row in live:
            _timed(row)
    if memory:
        for row in live:
            gc.collect()
            tracemalloc.start()
            try:
                row.run()
                row.peak_bytes = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()


def import_seconds(module: str, runs: int) -> float:
    """Median time of ``import module`` in fresh interpreters started in the project directory."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    samples = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
        samples.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def stacks() -> list[str]:
    return sorted(path.name[len("Pulumi."):-len(".yaml")] for path in (PROJECT / "stacks").glob("Pulumi.*.yaml"))


# --- reporting --------------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| program | task definitions | resources | median ms (runs) | per service ms | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.error:
            lines.append(f"| {row.label} | {row.services or '—'} | — | error: {row.error} | — | — |")
            continue
        peak = "—" if row.peak_bytes is None else f"{row.peak_bytes / 2**20:.1f}"
        lines.append(
            f"| {row.label} | {row.services or '—'} | {row.resources or '—'} | {_ms(row.median)} ({len(row.times)}) "
            f"| {_ms(row.per_service)} | {peak} |"
        )
    return lines


def verdict(holds: bool) -> str:
    return "holds" if holds else "does NOT hold"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per program (median reported); default 7")
    parser.add_argument("--sizes", default="1,10,100", help="synthetic stack sizes, comma-separated; default 1,10,100")
    parser.add_argument("--min-seconds", type=float, default=0.2, help="keep running a fast program until its runs add up to this; default 0.2")
    parser.add_argument("--import-runs", type=int, default=5, help="fresh interpreters per import timing; default 5")
    parser.add_argument("--stack", default="prod", help="stack whose task definitions the component/bare programs replay")
    parser.add_argument("--stacks", help="example stacks to time, comma-separated; default every stack in stacks/")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass (peak MiB shows —)")
    options = parser.parse_args(argv)
    memory = not options.no_memory
    sizes = sorted({int(size) for size in options.sizes.split(",")})
    if len(sizes) < 2:
        parser.error("--sizes needs at least two sizes (growth compares the two largest)")
    started = time.perf_counter()

    print(f"# ecs-release benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"# {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"pulumi {version('pulumi')}, pulumi-aws {version('pulumi-aws')}, pydantic {version('pydantic')}"
    )
    print(f"# command: {Path(sys.executable).name} benchmarks/bench.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print()

    rows: list[Row] = []

    # The example program, per stack, exactly as `render --stack` runs it.
    example_stacks = options.stacks.split(",") if options.stacks else stacks()
    examples = [Row(f"example {stack} (`run_program`)", lambda stack=stack: run_program(PROJECT, stack)) for stack in example_stacks]
    measure(examples, options.runs, options.min_seconds, memory)
    rows += examples
    for row in examples:
        if not row.error:
            resources = row.run()
            row.resources = len(resources)
            row.services = sum(1 for r in resources if r.type == TASK_DEFINITION_TYPE)

    # The example's task definition(s): through the component, and registered bare.
    calls = capture_example_calls(options.stack)
    registrations = capture_task_definition_kwargs(component_program(calls))
    check_identical(component_program(calls), bare_program(registrations))
    component_row = Row(f"component program ({options.stack}'s task definitions)", lambda: run_function(component_program(calls)), len(calls))
    bare_row = Row("bare program (same inputs, `aws.ecs.TaskDefinition`)", lambda: run_function(bare_program(registrations)), len(calls))
    measure([component_row, bare_row], options.runs, 2.5 * options.min_seconds, memory)
    for row in (component_row, bare_row):
        rows.append(row)
        row.resources = len(row.run().resources)
    own_row = Row("↳ its own code only: validate, render, build inputs (no Pulumi)", own_code(calls), len(calls))
    measure([own_row], options.runs, options.min_seconds, memory)
    rows.append(own_row)

    # Synthetic stacks of N services × 3 containers.
    synthetic: dict[int, Row] = {}
    floors: dict[int, Row] = {}
    for size in sizes:
        services = [synthetic_service(i) for i in range(size)]
        kwargs = capture_task_definition_kwargs(component_program(services))
        check_identical(component_program(services), bare_program(kwargs))
        synthetic[size] = Row(f"synthetic {size} × 3 containers, component", lambda s=services: run_function(component_program(s)), size)
        floors[size] = Row(f"synthetic {size} × 3 containers, bare", lambda k=kwargs: run_function(bare_program(k)), size)
        measure([synthetic[size], floors[size]], options.runs, options.min_seconds, memory)
        for row in (synthetic[size], floors[size]):
            rows.append(row)
            row.resources = len(row.run().resources)
    largest, second = sizes[-1], sizes[-2]
    own_largest = Row(f"↳ synthetic {largest}: own code only (no Pulumi)", own_code([synthetic_service(i) for i in range(largest)]), largest)
    measure([own_largest], options.runs, options.min_seconds, memory)
    rows.append(own_largest)
    # Diagnostic: the same component programs with the cyclic garbage collector paused during the run.
    paused = {
        size: Row(
            f"synthetic {size}, component, cyclic GC paused (diagnostic)",
            lambda s=[synthetic_service(i) for i in range(size)]: run_function(component_program(s)),
            size,
            gc_paused=True,
            resources=synthetic[size].resources,
        )
        for size in (second, largest)
    }
    measure(list(paused.values()), options.runs, options.min_seconds, memory=False)
    rows += paused.values()

    import_components = import_seconds("components", options.import_runs)
    import_task_definition = import_seconds("components.task_definition", options.import_runs)

    print("\n".join(table(rows)))
    print()
    ratio = component_row.median / bare_row.median
    t_largest = synthetic[largest].median
    growth = synthetic[largest].per_service / synthetic[second].per_service
    floor_growth = floors[largest].per_service / floors[second].per_service
    paused_growth = paused[largest].per_service / paused[second].per_service
    per_service = ", ".join(f"{size}: {_ms(synthetic[size].per_service)} ms" for size in sizes)
    floor_per_service = ", ".join(f"{size}: {_ms(floors[size].per_service)} ms" for size in sizes)
    print(f"component / bare program: {ratio:.2f} (target ≤ {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)})")
    print(
        f"the component's own code (validate, render, build inputs): {_ms(own_row.per_service)} ms per task definition "
        f"of {_ms(component_row.per_service)} ms; at {largest} services {_ms(own_largest.per_service)} ms of "
        f"{_ms(synthetic[largest].per_service)} ms per service"
    )
    print("synthetic ratios component / bare: " + ", ".join(f"{size}: {synthetic[size].median / floors[size].median:.2f}" for size in sizes))
    print(f"{largest} services × 3 containers: {t_largest:.3f} s (target < {TARGET_T100} s: {verdict(t_largest < TARGET_T100)})")
    print(f"per-service cost, component: {per_service}; bare: {floor_per_service}")
    print(
        f"growth (per service at {largest} / at {second}): component {growth:.2f} (target ≤ {TARGET_GROWTH}: "
        f"{verdict(growth <= TARGET_GROWTH)}); bare {floor_growth:.2f}; component with cyclic GC paused {paused_growth:.2f}"
    )
    print(
        f"import components: {import_components:.4f} s (target < {TARGET_IMPORT} s: {verdict(import_components < TARGET_IMPORT)}); "
        f"import components.task_definition (pulumi, pulumi_aws, pydantic): {import_task_definition:.3f} s"
    )
    print(f"benchmark wall time: {time.perf_counter() - started:.1f} s")
    print(f"ratio={ratio:.3f} t100={t_largest:.4f} growth={growth:.3f} import={import_components:.4f}")
    return 0


def check_identical(component: Program, bare: Program) -> None:
    """Both programs must register the same task definitions with the same inputs, or the comparison is void."""
    through_component = task_definition_inputs(run_function(component))
    registered_bare = task_definition_inputs(run_function(bare))
    if through_component != registered_bare:
        differences = sorted(
            f"{name}.{key}"
            for (name, inputs), (_, other) in zip(through_component, registered_bare)
            for key in set(inputs) | set(other)
            if inputs.get(key) != other.get(key)
        )
        raise AssertionError(
            "the component and bare programs register different task-definition inputs, so the comparison would be "
            f"unfair: {len(through_component)} vs {len(registered_bare)} task definitions; differing: {', '.join(differences) or '(names)'}"
        )
    if not through_component:
        raise AssertionError("the program registered no task definition")


if __name__ == "__main__":
    sys.exit(main())
