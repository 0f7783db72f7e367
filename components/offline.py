"""Run the real Pulumi program offline, under the SDK's mock runtime, and record what it registers.

``render --stack`` uses this to show exactly what ``pulumi up`` would send: the program
(``__main__.py``) runs unchanged with the stack's config, and every resource input it
registers is recorded. No engine, provider or cloud account is involved.
See https://www.pulumi.com/docs/iac/concepts/testing/unit/.
"""

from __future__ import annotations

import gc
import hashlib
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pulumi
from pulumi.runtime import Mocks, MockCallArgs, MockResourceArgs, set_all_config, set_mocks
from pulumi.runtime.mocks import run_pulumi_func
from pulumi.runtime.rpc import _special_secret_sig, _special_sig_key
from pulumi.runtime.settings import get_root_resource, set_root_resource
from pulumi.runtime.sync_await import _sync_await

from .errors import EcsReleaseError, StackConfigError
from .service_mocks import mock_call, mock_outputs
from .stack_config import project_name, stack_config

ACCOUNT_ID = "123456789012"
"""The account the mock runtime pretends to be in (AWS's documentation account)."""
TASK_DEFINITION_TYPE = "aws:ecs/taskDefinition:TaskDefinition"
ECR_GET_IMAGE = "aws:ecr/getImage:getImage"


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

    ``overrides`` keys are project keys (``webTag``) or namespaced ones (``aws:region``).
    Returns the registered resources in registration order; an :class:`EcsReleaseError`
    raised by the program propagates unchanged.
    """
    project_dir = Path(project_dir).resolve()
    project = project_name(project_dir)
    config = stack_config(project_dir, stack)
    for key, value in (overrides or {}).items():
        config[key if ":" in key else f"{project}:{key}"] = value
    mocks = mocks or RecordingMocks(region=str(config.get("aws:region", "us-east-1")))

    set_root_resource(None)  # a new root stack for each run: its exports are this program's only (stack_outputs)
    set_mocks(mocks, project=project, stack=stack, preview=False)
    set_all_config(config)
    added_to_path = str(project_dir) not in sys.path  # the program imports its own modules (its app) from there
    if added_to_path:
        sys.path.insert(0, str(project_dir))
    main = project_dir / "__main__.py"
    loaded = set(sys.modules)
    collector = (gc.isenabled(), gc.get_threshold())  # a program may tune its own process's collector; not ours
    caller_directory = os.getcwd()
    os.chdir(project_dir)  # as Pulumi runs a program: relative paths in it are the project's
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
    except pulumi.RunError as error:
        if isinstance(error.__cause__, EcsReleaseError):
            raise error.__cause__ from None
        raise StackConfigError(str(error)) from None
    finally:
        _forget_project_modules(project_dir, set(sys.modules) - loaded)
        gc.set_threshold(*collector[1])
        (gc.enable if collector[0] else gc.disable)()
        os.chdir(caller_directory)
        if added_to_path and str(project_dir) in sys.path:
            sys.path.remove(str(project_dir))
    return list(mocks.resources)


def stack_outputs() -> dict[str, Any]:
    """The stack outputs (``pulumi.export``) of the last :func:`run_program`, resolved.

    A secret output is wrapped as Pulumi's wire format wraps a secret input
    (``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": …}``),
    so that inputs and outputs read alike.
    """
    root = get_root_resource()
    outputs: dict[str, Any] = {}
    for name, value in dict(getattr(root, "outputs", None) or {}).items():
        output = pulumi.Output.from_input(value)
        resolved = _sync_await(output.future())
        outputs[name] = {_special_sig_key: _special_secret_sig, "value": resolved} if _sync_await(output.is_secret()) else resolved
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
