"""Run the real Pulumi program offline, under the SDK's mock runtime, and record what it registers.

``render --stack`` uses this to show exactly what ``pulumi up`` would send: the program
(``__main__.py``) runs unchanged with the stack's config, and every resource input it
registers is recorded. No engine, provider or cloud account is involved.
See https://www.pulumi.com/docs/iac/concepts/testing/unit/.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import os
import runpy
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Coroutine, Iterable, Mapping, TypeVar

import pulumi
from pulumi.runtime import Mocks, MockCallArgs, MockResourceArgs, reset_options, set_all_config, set_mocks
from pulumi.runtime.mocks import run_pulumi_func
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key
from pulumi.runtime.settings import get_root_resource

from .errors import EcsReleaseError, StackConfigError, model_problems
from .service_mocks import TASK_DEFINITION_TYPE, mock_call, mock_outputs
from .stack_config import engine_value, override_problems, project_name, region_problem, stack_config

ACCOUNT_ID = "123456789012"
"""The account the mock runtime pretends to be in (AWS's documentation account)."""
ECR_GET_IMAGE = "aws:ecr/getImage:getImage"
T = TypeVar("T")


def offline_digest(repository_name: str, tag: str) -> str:
    """The mock runtime's stand-in for the digest ECR holds for ``tag``: ``sha256("<repository name>:<tag>")``."""
    return "sha256:" + hashlib.sha256(f"{repository_name}:{tag}".encode()).hexdigest()


@dataclass(frozen=True)
class RegisteredResource:
    """One resource the program registered: its type token, logical name and inputs."""

    type: str
    name: str
    inputs: dict[str, Any] = field(repr=False)


class RecordingMocks(Mocks):
    """Mocks that record every registered resource and answer with plausible AWS outputs."""

    def __init__(self, region: str = "us-east-1", missing_images: Iterable[str] = ()):
        self.region = region
        self.resources: list[RegisteredResource] = []
        # Digest pinning (components/pinning.py): getImage answers a stand-in digest, sha256("<name>:<tag>");
        # "<repository name>:<tag>" entries of missing_images answer like ECR's ImageNotFoundException.
        self.missing_images = set(missing_images)
        self.image_lookups: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(RegisteredResource(args.typ, args.name, dict(args.inputs)))
        outputs = dict(args.inputs)
        if args.typ == TASK_DEFINITION_TYPE:
            family = args.inputs["family"]
            arn = f"arn:aws:ecs:{self.region}:{ACCOUNT_ID}:task-definition/{family}"
            outputs.update(revision=1, arnWithoutRevision=arn, arn=f"{arn}:1")
        outputs.update(mock_outputs(args.typ, args.name, args.inputs, self.region, ACCOUNT_ID))  # the service (service_mocks.py)
        return f"{args.name}-id", outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None] | dict[str, Any]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:root", "userId": ACCOUNT_ID, "id": ACCOUNT_ID}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if (answer := mock_call(args.token, dict(args.args), self.region, ACCOUNT_ID)) is not None:  # the service (service_mocks.py)
            return answer
        if args.token == ECR_GET_IMAGE:
            return self._get_image(dict(args.args))
        return {}

    def _get_image(self, args: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]] | dict[str, Any]:
        """``aws.ecr.get_image`` by tag: a deterministic stand-in digest, or ImageNotFound for ``missing_images``."""
        self.image_lookups.append(args)
        name, tag = args.get("repositoryName"), args.get("imageTag")
        registry = args.get("registryId") or ACCOUNT_ID
        if f"{name}:{tag}" in self.missing_images:
            reason = (
                f"ImageNotFoundException: The image with imageId {{imageTag:'{tag}'}} does not exist within "
                f"the repository with name '{name}' in the registry with id '{registry}'"
            )
            return {}, [("imageTag", reason)]
        digest = offline_digest(name, tag)
        return {"id": digest, "imageDigest": digest, "imageTag": tag, "imageTags": [tag], "registryId": registry, "repositoryName": name}


def run_program(
    project_dir: Path, stack: str, overrides: Mapping[str, str] | None = None, mocks: RecordingMocks | None = None
) -> list[RegisteredResource]:
    """Run ``project_dir``'s program for ``stack`` with the stack file's config plus ``overrides``.

    ``overrides`` keys are project keys (``webTag``) or namespaced ones (``aws:region``). The program
    gets every value as ``pulumi up`` hands it over (:func:`~components.stack_config.engine_value`),
    ``pulumi.get_root_directory()`` is the project directory, and every event loop the run needs is
    its own and closed when it ends. Returns the registered resources in registration order. Bad
    input — in the stack file, in ``overrides`` (a key the program would ignore, an ``aws:region``
    that is no Region name), or found by the program, a pydantic ``ValidationError`` of the app's own
    models included — is one :class:`EcsReleaseError` listing every problem.
    """
    project_dir = Path(project_dir).resolve()
    project = project_name(project_dir)
    config = stack_config(project_dir, stack)
    overrides = {key if ":" in key else f"{project}:{key}": value for key, value in (overrides or {}).items()}
    problems = override_problems(overrides, config, project, stack)
    config.update(overrides)
    region = config.get("aws:region", "us-east-1")
    if problem := region_problem(region, stack, from_set="aws:region" in overrides):
        problems.append(problem)
    mocks = mocks or RecordingMocks(region=str(region))
    try:
        _run(project_dir, project, stack, {key: engine_value(value) for key, value in config.items()}, mocks)
    except EcsReleaseError as error:
        if problems:
            raise StackConfigError([*problems, *error.problems]) from None
        raise
    if problems:
        raise StackConfigError(problems)
    return list(mocks.resources)


def _run(project_dir: Path, project: str, stack: str, config: dict[str, str], mocks: RecordingMocks) -> None:
    """Run the program's ``__main__.py`` once under the mock runtime, as ``pulumi up`` would (``preview=False``)."""
    from pydantic import ValidationError

    async def program() -> None:
        # In this run's own task: the settings, config and root stack resource set here are context
        # variables of the task, so the caller's (a test's own mocks, say) are as they were afterwards;
        # reset_options gives the run a new root stack, whose exports are this program's only.
        reset_options(project=project, stack=stack, root_directory=str(project_dir))
        set_mocks(mocks, project=project, stack=stack, preview=False)
        set_all_config(config)
        await run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__"))
        _LAST_OUTPUTS.update(await _resolved_outputs(get_root_resource()))  # while the run's loop still runs

    _LAST_OUTPUTS.clear()

    added_to_path = str(project_dir) not in sys.path  # the program imports its own modules (its app) from there
    if added_to_path:
        sys.path.insert(0, str(project_dir))
    main = project_dir / "__main__.py"
    loaded = set(sys.modules)
    collector = (gc.isenabled(), gc.get_threshold())  # a program may tune its own process's collector; not ours
    caller_directory = os.getcwd()
    os.chdir(project_dir)  # as Pulumi runs a program: relative paths in it are the project's
    try:
        run_in_own_event_loop(program())
    except pulumi.RunError as error:
        if isinstance(error.__cause__, EcsReleaseError):
            raise error.__cause__ from None
        raise StackConfigError(str(error)) from None
    except ValidationError as error:  # the app's own models, built outside stop_on_bad_input
        raise EcsReleaseError(model_problems(error)) from None
    except (Exception, SystemExit) as error:
        raise _program_failure(error, main, project_dir) from error
    finally:
        _forget_project_modules(project_dir, set(sys.modules) - loaded)
        gc.set_threshold(*collector[1])
        (gc.enable if collector[0] else gc.disable)()
        os.chdir(caller_directory)
        if added_to_path and str(project_dir) in sys.path:
            sys.path.remove(str(project_dir))


class ProgramError(EcsReleaseError):
    """The project's program itself failed (an exception raised in its own code), not this library."""


def _program_failure(error: BaseException, main: Path, project_dir: Path) -> BaseException:
    """A :class:`ProgramError` naming the program's line when the exception was raised in the project's own
    code (or the program is missing or exits); ``error`` itself otherwise, a bug of ours or of the SDK."""
    if not main.is_file():
        return ProgramError(f"{main}: no such file; a Pulumi Python program starts at __main__.py in the project directory")
    if isinstance(error, SystemExit):
        return ProgramError(f"{main.name}: the program exited (SystemExit {error.code!r}) before it finished; let it run to its end")
    library = Path(__file__).resolve().parent
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        frame for frame in frames
        if (path := Path(frame.filename).resolve()).is_relative_to(project_dir)
        and "site-packages" not in path.parts and not path.is_relative_to(library)
    ]
    if not ours or (frames and Path(frames[-1].filename).resolve().is_relative_to(library)):
        return error
    where = ours[-1]
    reason = (str(error).strip().splitlines() or [""])[0][:200]
    return ProgramError(
        f"the program failed at {Path(where.filename).relative_to(project_dir)}:{where.lineno}: {type(error).__name__}"
        f"{': ' + reason if reason else ''}; fix the program there"
    )


def run_in_own_event_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` in a new event loop whose executor's worker threads get loops of their own; close them all.

    The SDK's mock monitor runs in the loop's default executor, and each worker thread needs an event
    loop (``pulumi.runtime.sync_await._ensure_event_loop`` creates one per thread and never closes it).
    Left to the garbage collector, at exit, such a loop's ``__del__`` may find its self-pipe already
    closed and print ``Exception ignored in: <function BaseEventLoop.__del__>`` after the command's
    output. Here every loop is ours and closed once the worker threads are joined; the calling
    thread's current event loop is left as it was.
    """
    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_the_thread_a_loop() -> None:
        worker_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(worker_loop)
        worker_loops.append(worker_loop)

    loop = asyncio.new_event_loop()
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="ecs-release-program", initializer=give_the_thread_a_loop))
    try:
        return loop.run_until_complete(coroutine)
    finally:
        try:
            if pending := asyncio.all_tasks(loop):
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())  # joins the worker threads
        finally:
            loop.close()
            for worker_loop in worker_loops:
                worker_loop.close()


_LAST_OUTPUTS: dict[str, Any] = {}


def stack_outputs() -> dict[str, Any]:
    """The stack outputs (``pulumi.export``) of the last :func:`run_program`, resolved.

    A secret output is wrapped as Pulumi's wire format wraps a secret input
    (``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": …}``),
    so that inputs and outputs read alike.
    """
    return dict(_LAST_OUTPUTS)


async def _resolved_outputs(root: Any) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for name, value in dict(getattr(root, "outputs", None) or {}).items():
        output = pulumi.Output.from_input(value)
        resolved = await output.future()
        outputs[name] = {_special_sig_key: _special_secret_sig, "value": resolved} if await output.is_secret() else resolved
    return outputs


def _forget_project_modules(project_dir: Path, names: set[str]) -> None:
    """Unload the modules this run imported from the project (its ``app``…), so that the next run, maybe of
    another project with a module of the same name, imports its own; the library itself stays loaded."""
    library = Path(__file__).resolve().parent
    for name in names:
        path = getattr(sys.modules.get(name), "__file__", None)
        if not path:
            continue
        path = Path(path).resolve()
        installed = "site-packages" in path.parts or "dist-packages" in path.parts  # a virtualenv inside the project
        if path.is_relative_to(project_dir) and not installed and not path.is_relative_to(library):
            del sys.modules[name]
