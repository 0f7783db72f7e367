"""Benchmark: ``TaggedService`` (one ECS service, the whole tree) against the same resources registered bare.

Run from the project directory, in its virtualenv::

    .venv/bin/python benchmarks/bench.py          # about five minutes on 2 CPUs

Every program runs in a fresh mock runtime (``set_mocks``) driven by the SDK's own event-loop
machinery (``run_pulumi_func`` under ``_sync_await``, as ``components.offline`` does); no
engine, provider or AWS is involved. In one run it times:

* **example <stack>**: the real program (``__main__.py``) for each stack in ``stacks/``, through
  ``components.offline.run_program`` (config loading, ``runpy``, every service of the app);
* **component program, N services**: N synthetic services, each ``TaggedService(name, args)``
  (validation, planning, canonical rendering, then the whole tree: execution role and its
  managed and secrets policies, task role and its policy, log group, task definition, ECS service
  behind a load balancer, autoscaling target and policy, the ``ServiceRollout`` and
  ``RevisionRetention`` dynamic resources, and the component itself with its outputs);
* **bare program, N services**: the very same custom resources through their raw classes
  (``aws.iam.Role``, ``aws.ecs.TaskDefinition``, ``aws.ecs.Service``, ``aws.appautoscaling.Target``,
  ``ServiceRollout``, …) with the very keyword arguments the component passed, recorded from a
  component run and replayed as plain values: no component, no parent, no aliases, no look-ups,
  no ``Output`` wiring; the floor. The script checks that both programs register identical
  ``(type, name, inputs)`` sets, the component's own registration aside;
* **rollout wait lag**: the rollout wait (``components.rollout.wait_for_deployment``) against a
  simulated ECS on a fake clock: each simulated deployment reports ``SUCCESSFUL`` at a random moment,
  and the lag is the fake time from then until the wait returns (its bound: one poll interval).
  The service's ``wait_for_steady_state`` is off by default, so this wait is the only one;
* **own code, N services**: what the library computes without Pulumi, per service:
  ``check_tagged_service(args)`` (pydantic validation, cross-field checks, release policy, canonical
  render, task-definition and service plans) plus building the resources' inputs
  (``resource_args``, the trust and secrets policy documents).

Each synthetic service is a realistic three-container Fargate task definition (an app behind an
ALB target group with environment, secrets, port, health check, ulimits and a dependency; a
migration init container on the same repository; an X-Ray sidecar), autoscaled on CPU, in an
existing cluster (by ARN) and private subnets, with a task-role policy and a production release
policy (mutable tags refused; no digest pinning, which would add one ECR look-up per image).

Wall time is ``time.perf_counter`` around one whole program run: the median of at least
``--runs`` runs (more for fast programs, up to ``--min-seconds`` of runs), after one warm-up run
(the first registration of a resource type imports SDK modules lazily). Programs that are
compared (component and bare, one size) run interleaved, so load from elsewhere on the machine
hits both alike. A ``gc.collect()`` precedes each run, so every run starts from the same heap (as
a fresh ``pulumi up`` process does) and pays for its own garbage only.

The garbage collector: the example ``__main__.py`` pauses the cyclic collector (``gc.disable()``)
for the program's life, as a short-lived process may: the SDK keeps every resource's objects alive
to the end, so full collections walk an ever larger heap and free next to nothing (measured here,
below); importing the library changes nothing. The main figures run as the program does; the
component and bare programs are timed once more with the interpreter's default collector, and the
growth of the cost per service is reported for both.

Peak memory is measured in a separate pass (``tracemalloc`` slows a run down several times): the
peak of Python allocations during one run. ``import components.service`` is timed in fresh
interpreters (``python -c``), median of ``--import-runs``.

The last line is machine-readable::

    ratio=<component/bare at the largest size> t100=<s, component, largest size> growth=<per-service cost at largest / second-largest size> own=<own code / component, per service, largest size>

No target is asserted here or in the test suite; the script reports whether each one holds.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
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
from components.iam_policy import ecs_tasks_trust_policy, execution_secrets_policy, secret_arns, secret_references  # noqa: E402
from components.offline import ACCOUNT_ID, RecordingMocks, run_program  # noqa: E402
from components.retention import RevisionRetention  # noqa: E402
from components.rollout import ServiceRollout  # noqa: E402
from components.service import TYPE_TOKEN as SERVICE_TYPE  # noqa: E402
from components.service import TaggedService, check_tagged_service  # noqa: E402
from components.stack_config import project_name  # noqa: E402

TARGET_RATIO = 1.25
TARGET_T100 = 5.0
TARGET_GROWTH = 1.2
TARGET_OWN = 0.10

REGION = "eu-west-1"
REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com"
FARGATE_SIZES = [("256", "512"), ("512", "1024"), ("1024", "2048"), ("2048", "4096")]
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:cluster/bench"
XRAY_WRITE_ACCESS = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"

PROJECT_NAME = project_name(PROJECT)
"""Read once: parsing Pulumi.yaml costs more than registering a resource, and is no part of a program run."""

DEFAULT_GC = gc.get_threshold()
"""The interpreter's thresholds when the benchmark starts (importing the library changes none)."""
PROGRAM_GC = None
"""What the example ``__main__.py`` does: ``gc.disable()`` (``None``: the cyclic collector paused during the run)."""


def collector(thresholds: tuple[int, int, int] | None) -> None:
    """Thresholds for the next run; ``None`` pauses the cyclic collector (``gc.disable()``)."""
    gc.enable()
    gc.set_threshold(*(thresholds or DEFAULT_GC))
    if thresholds is None:
        gc.disable()

RESOURCE_CLASSES: tuple[type, ...] = (
    aws.iam.Role,
    aws.iam.RolePolicyAttachment,
    aws.iam.RolePolicy,
    aws.cloudwatch.LogGroup,
    aws.ecs.TaskDefinition,
    aws.ecs.Cluster,
    aws.ecs.Service,
    aws.appautoscaling.Target,
    aws.appautoscaling.Policy,
    ServiceRollout,
    RevisionRetention,
)
"""Every custom resource class ``TaggedService`` may register."""

Program = Callable[[], None]
Service = tuple[str, dict[str, Any]]
Registration = tuple[type, str, dict[str, Any]]


# --- running programs -------------------------------------------------------------------------


def run_function(program: Program, stack: str = "bench") -> RecordingMocks:
    """Run ``program`` as a Pulumi program in a fresh mock runtime; the recording mocks afterwards."""
    mocks = RecordingMocks(region=REGION)
    set_mocks(mocks, project=PROJECT_NAME, stack=stack, preview=False)
    _sync_await(run_pulumi_func(program))
    return mocks


def plain(value: Any) -> Any:
    """``value`` with every ``Output`` in it (at any depth) replaced by its resolved value.

    Replayed programs take plain, precomputed values, never Outputs of resources from another run.
    """
    if isinstance(value, pulumi.Output):
        return plain(_sync_await(value.future()))
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    return value


def component_program(services: Sequence[Service]) -> Program:
    """``TaggedService(name, args)`` for each service: validation, planning and the whole tree."""

    def program() -> None:
        for name, args in services:
            TaggedService(name, args)

    return program


def bare_program(registrations: Sequence[Registration]) -> Program:
    """``cls(name, **kwargs)`` for each registration, with kwargs computed beforehand: no component, options or look-ups."""

    def program() -> None:
        for cls, name, kwargs in registrations:
            cls(name, **kwargs)

    return program


def own_code(services: Sequence[Service]) -> Program:
    """The library's own work for each service, without registering anything: validate and plan
    (``check_tagged_service``), then build the resources' inputs. Runs with a mock runtime set, for
    the project and stack names and the (empty) config ``check_tagged_service`` reads."""

    def work() -> None:
        for _, args in services:
            checked = check_tagged_service(args)
            task = checked.service.task
            resource_args(task.document)
            json.dumps(ecs_tasks_trust_policy(), sort_keys=True)
            if secret_references(task.spec):
                json.dumps(execution_secrets_policy(secret_arns(task.spec, REGION, ACCOUNT_ID, "aws")), sort_keys=True)

    def run() -> None:
        set_mocks(RecordingMocks(region=REGION), project=PROJECT_NAME, stack="bench", preview=False)
        work()

    return run


def capture_registrations(program: Program) -> list[Registration]:
    """Run ``program`` once and record the class, name and keyword arguments (``opts`` aside, every
    Output resolved) of every custom resource it creates, in creation order."""
    captured: list[tuple[type, str, dict[str, Any]]] = []
    originals = {cls: cls.__dict__["__init__"] for cls in RESOURCE_CLASSES}

    def wrap(cls: type, original: Callable) -> Callable:
        def __init__(self, resource_name, *args, **kwargs):  # named __init__: the SDK reads source positions by frame name
            if args:
                raise AssertionError(f"{cls.__name__} called with positional arguments; the bare program cannot replay them")
            if type(self) is cls:
                captured.append((cls, resource_name, {key: value for key, value in kwargs.items() if key != "opts"}))
            original(self, resource_name, **kwargs)

        return __init__

    for cls, original in originals.items():
        cls.__init__ = wrap(cls, original)
    try:
        run_function(program)
    finally:
        for cls, original in originals.items():
            cls.__init__ = original
    return [(cls, name, plain(kwargs)) for cls, name, kwargs in captured]


def registered(program: Program) -> dict[tuple[str, str], dict[str, Any]]:
    """(type, name) → inputs of every resource ``program`` registers, the ``TaggedService`` components aside."""
    resources = run_function(program).resources
    found = {(r.type, r.name): r.inputs for r in resources if r.type != SERVICE_TYPE}
    if len(found) != sum(1 for r in resources if r.type != SERVICE_TYPE):
        raise AssertionError("a (type, name) pair was registered twice")
    return found


def check_identical(component: Program, bare: Program) -> int:
    """Both programs must register the same (type, name, inputs), or the comparison is void; returns the count."""
    through_component, registered_bare = registered(component), registered(bare)
    if through_component != registered_bare:
        only_component = sorted(set(through_component) - set(registered_bare))
        only_bare = sorted(set(registered_bare) - set(through_component))
        differing = sorted(
            f"{name}.{key}"
            for (typ, name), inputs in through_component.items()
            if (typ, name) in registered_bare
            for key in set(inputs) | set(registered_bare[(typ, name)])
            if inputs.get(key) != registered_bare[(typ, name)].get(key)
        )
        raise AssertionError(
            "the component and bare programs register different resources, so the comparison would be unfair: "
            f"only through the component {only_component[:5]}, only bare {only_bare[:5]}, differing inputs {differing[:10]}"
        )
    if not through_component:
        raise AssertionError("the program registered no resource")
    return len(through_component)


# --- synthetic services -----------------------------------------------------------------------


def synthetic_service(index: int) -> Service:
    """One service, the whole tree: three containers behind a load balancer, autoscaled, task role, log group."""
    family = f"bench-svc{index:03d}"
    cpu, memory = FARGATE_SIZES[index % len(FARGATE_SIZES)]
    repository = f"{REGISTRY}/bench/svc{index:03d}"
    parameters = f"arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{family}"

    def logs(prefix: str) -> dict[str, Any]:  # no awslogs-group: the component fills /ecs/<family> and creates the group
        return {"logDriver": "awslogs", "options": {"awslogs-region": REGION, "awslogs-stream-prefix": prefix}}

    environment = [{"name": f"SETTING_{k}", "value": f"{family}-value-{k}"} for k in range(8, 0, -1)]
    secrets = [{"name": f"SECRET_{k}", "valueFrom": f"{parameters}/secret-{k}"} for k in range(3, 0, -1)]
    spec = {
        "family": family,
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": cpu,
        "memory": memory,
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"},
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
    args = {
        "task_definition": spec,
        "image_tags": {"app": f"1.{index}.0", "migrate": f"1.{index}.0", "xray": "3.3.12"},
        "image_keys": {"app": f"svc{index:03d}Tag", "migrate": f"svc{index:03d}Tag"},
        "service": {
            "cluster": CLUSTER_ARN,
            "desired_count": 2,
            "network": {"subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"], "security_groups": ["sg-0c3d4e5f60718293a"]},
            "load_balancer": {
                "target_group_arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/{family}/{index:016x}",
                "container_name": "app",
                "container_port": 8080,
            },
            "autoscaling": {"min_tasks": 2, "max_tasks": 10, "metric": "cpu", "target_percent": 60},
        },
        "task": {"task_role_policy_arns": [XRAY_WRITE_ACCESS], "log_retention_days": 30},
        "release": {"production": True, "keep_revisions": 10},
    }
    return f"svc{index:03d}", args


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    run: Program
    services: int | None = None
    """Services the program declares, for the per-service column."""
    thresholds: tuple[int, int, int] | None = PROGRAM_GC
    """The garbage collector's thresholds during the run; ``None``: paused."""
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
    collector(row.thresholds)
    start = time.perf_counter()
    row.run()
    row.times.append(time.perf_counter() - start)
    collector(DEFAULT_GC)


def measure(rows: Sequence[Row], runs: int, min_seconds: float = 0.2, memory: bool = True, max_runs: int = 60) -> None:
    """Time ``rows`` interleaved (one run of each per round, so drift hits all alike), then measure peak memory.

    Each row gets one warm-up run (lazy SDK imports, linecache, pydantic and typing caches), then
    rounds continue until every row has ``runs`` runs and ``min_seconds`` of them (at most ``max_runs``).
    A program that fails is reported in its row, not fatal.
    """
    live = []
    for row in rows:
        try:
            collector(row.thresholds)
            row.run()
            collector(DEFAULT_GC)
            live.append(row)
        except Exception as error:  # noqa: BLE001
            row.error = f"{type(error).__name__}: {error}".splitlines()[0][:160]
    while live and any(len(r.times) < runs or (sum(r.times) < min_seconds and len(r.times) < max_runs) for r in live):
        for row in live:
            _timed(row)
    if memory:
        for row in live:
            gc.collect()
            collector(row.thresholds)
            tracemalloc.start()
            try:
                row.run()
                row.peak_bytes = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
                collector(DEFAULT_GC)


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
        "| program | services | resources | median ms (runs) | per service ms | peak MiB |",
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


def _services(count: int) -> str:
    return f"{count} service{'' if count == 1 else 's'}"


def verdict(holds: bool) -> str:
    return "holds" if holds else "does NOT hold"


class SimulatedEcs:
    """ECS's service-deployment API for one deployment that turns SUCCESSFUL at ``done_at`` on ``clock``."""

    def __init__(self, clock: list[float], done_at: float):
        self.clock, self.done_at = clock, done_at
        self.task_definition = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:task-definition/bench:2"
        self.revision = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-revision/bench/bench/2"
        self.deployment = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-deployment/bench/bench/2"

    def list_service_deployments(self, **_: Any) -> dict:
        return {"serviceDeployments": [{"serviceDeploymentArn": self.deployment, "targetServiceRevisionArn": self.revision,
                                        "createdAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)}]}

    def describe_service_revisions(self, serviceRevisionArns: list[str]) -> dict:
        return {"serviceRevisions": [{"serviceRevisionArn": self.revision, "taskDefinition": self.task_definition}]}

    def describe_service_deployments(self, serviceDeploymentArns: list[str]) -> dict:
        done = self.clock[0] >= self.done_at
        counts = {"arn": self.revision, "requestedTaskCount": 3, "runningTaskCount": 3 if done else 1}
        return {"serviceDeployments": [{"serviceDeploymentArn": self.deployment, "status": "SUCCESSFUL" if done else "IN_PROGRESS",
                                        "targetServiceRevision": counts, "deploymentConfiguration": {"strategy": "ROLLING"}}]}


def rollout_lag(deployments: int = 200, poll: float = 15.0) -> list[float]:
    """Fake seconds from ECS reporting each simulated deployment SUCCESSFUL to the rollout wait returning."""
    import random

    from components.rollout import Target, wait_for_deployment

    lags = []
    for index in range(deployments):
        clock = [0.0]
        ecs = SimulatedEcs(clock, random.Random(index).uniform(0, 1800))
        target = Target(CLUSTER_ARN, "bench", ecs.task_definition)

        def sleep(seconds: float) -> None:
            clock[0] += seconds

        wait_for_deployment(ecs, target, timeout=3600, poll=poll, sleep=sleep, clock=lambda: clock[0], report=lambda _: None)
        lags.append(clock[0] - ecs.done_at)
    return lags


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per program (median reported); default 7")
    parser.add_argument("--sizes", default="1,10,100", help="synthetic stack sizes (services), comma-separated; default 1,10,100")
    parser.add_argument("--min-seconds", type=float, default=0.5, help="keep running a fast program until its runs add up to this; default 0.5")
    parser.add_argument("--import-runs", type=int, default=5, help="fresh interpreters per import timing; default 5")
    parser.add_argument("--stacks", help="example stacks to time, comma-separated; default every stack in stacks/")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass (peak MiB shows —)")
    options = parser.parse_args(argv)
    memory = not options.no_memory
    sizes = sorted({int(size) for size in options.sizes.split(",")})
    if len(sizes) < 2:
        parser.error("--sizes needs at least two sizes (growth compares the two largest)")
    started = time.perf_counter()
    try:
        return _main(options, sizes, memory, started, argv)
    finally:
        collector(DEFAULT_GC)  # as found


def _main(options: argparse.Namespace, sizes: list[int], memory: bool, started: float, argv: Sequence[str] | None) -> int:
    print(f"# ecs-release benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(
        f"# {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"pulumi {version('pulumi')}, pulumi-aws {version('pulumi-aws')}, pydantic {version('pydantic')}"
    )
    print(f"# command: {Path(sys.executable).name} benchmarks/bench.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"# garbage collector: program paused (gc.disable(), as __main__.py does), interpreter default thresholds {DEFAULT_GC}")
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
            row.services = sum(1 for r in resources if r.type == SERVICE_TYPE)

    # Synthetic stacks of N services, whole tree each: component, bare, own code; the collector as the program has it.
    component: dict[int, Row] = {}
    bare: dict[int, Row] = {}
    own: dict[int, Row] = {}
    component_default: dict[int, Row] = {}
    bare_default: dict[int, Row] = {}
    largest, second = sizes[-1], sizes[-2]
    for size in sizes:
        services = [synthetic_service(i) for i in range(size)]
        registrations = capture_registrations(component_program(services))
        count = check_identical(component_program(services), bare_program(registrations))
        component[size] = Row(f"component, {_services(size)}", lambda s=services: run_function(component_program(s)), size)
        bare[size] = Row(f"bare, {_services(size)} (same resources and inputs)", lambda r=registrations: run_function(bare_program(r)), size)
        measure([component[size], bare[size]], options.runs, options.min_seconds, memory)
        component[size].resources, bare[size].resources = count + size, count
        own[size] = Row(f"↳ own code, {_services(size)}: check_tagged_service + inputs (no Pulumi)", own_code(services), size)
        measure([own[size]], options.runs, options.min_seconds, memory)
        rows += [component[size], bare[size], own[size]]
        if size in (second, largest):
            component_default[size] = Row(
                f"component, {_services(size)}, default GC thresholds", component[size].run, size, thresholds=DEFAULT_GC, resources=count + size
            )
            bare_default[size] = Row(
                f"bare, {_services(size)}, default GC thresholds", bare[size].run, size, thresholds=DEFAULT_GC, resources=count
            )
            measure([component_default[size], bare_default[size]], max(3, options.runs // 2), 0, memory=False)  # slow: fewer runs
    rows += [component_default[size] for size in (second, largest)] + [bare_default[size] for size in (second, largest)]

    import_service = import_seconds("components.service", options.import_runs)

    print("\n".join(table(rows)))
    print()
    failed = [row.label for row in rows if row.error and not row.label.startswith("example")]
    if failed:
        print(f"error: {', '.join(failed)} failed; no figures")
        return 1

    def growth(rows: dict[int, Row]) -> float:
        return rows[largest].per_service / rows[second].per_service

    ratio = component[largest].median / bare[largest].median
    t_largest = component[largest].median
    own_share = own[largest].per_service / component[largest].per_service
    print(
        f"component / bare, per service: {ratio:.2f} at {largest} services (target ≤ {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)}); "
        + ", ".join(f"{size}: {component[size].median / bare[size].median:.2f}" for size in sizes)
    )
    print(
        f"component overhead per service: "
        + ", ".join(f"{size}: {_ms(component[size].per_service - bare[size].per_service)} ms" for size in sizes)
        + f" (own code: {', '.join(f'{size}: {_ms(own[size].per_service)} ms' for size in sizes)})"
    )
    print(f"{largest} services, whole tree each: {t_largest:.3f} s (target < {TARGET_T100} s: {verdict(t_largest < TARGET_T100)})")
    print(
        "per-service cost, component: " + ", ".join(f"{size}: {_ms(component[size].per_service)} ms" for size in sizes)
        + "; bare: " + ", ".join(f"{size}: {_ms(bare[size].per_service)} ms" for size in sizes)
    )
    print(
        f"growth (per service at {largest} / at {second}), collector paused as the program does: component {growth(component):.2f} "
        f"(target ≤ {TARGET_GROWTH}: {verdict(growth(component) <= TARGET_GROWTH)}), bare {growth(bare):.2f}; "
        f"default thresholds {DEFAULT_GC}: component {growth(component_default):.2f} "
        f"({verdict(growth(component_default) <= TARGET_GROWTH)}), bare {growth(bare_default):.2f}"
    )
    print(
        f"library's own code (validation, render, planning, inputs): {_ms(own[largest].per_service)} ms of "
        f"{_ms(component[largest].per_service)} ms per service at {largest} services = {own_share:.3f} "
        f"(target ≤ {TARGET_OWN}: {verdict(own_share <= TARGET_OWN)})"
    )
    print(f"import components.service (pulumi, pulumi_aws, pydantic): {import_service:.3f} s, fresh interpreter")
    lags = rollout_lag()
    print(
        f"rollout wait lag (ECS reports the deployment SUCCESSFUL → the wait returns), {len(lags)} simulated deployments, "
        f"poll 15 s, fake clock: max {max(lags):.1f} s, median {statistics.median(lags):.1f} s "
        f"(bound: one poll interval: {verdict(max(lags) <= 15.0)}); the service's wait_for_steady_state is off: one wait, not two"
    )
    print(f"benchmark wall time: {time.perf_counter() - started:.1f} s")
    print(f"ratio={ratio:.3f} t100={t_largest:.4f} growth={growth(component):.3f} own={own_share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
