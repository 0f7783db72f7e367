"""The ``TaggedTaskDefinition`` component: a static spec plus image versions → one ECS task definition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .aws_inputs import resource_args
from .errors import TagError
from .images import ImageReference
from .render import container_images, render_document
from .spec import TaskDefinitionSpec

TYPE_TOKEN = "ecs-release:index:TaggedTaskDefinition"


class TaggedTaskDefinitionArgs(TypedDict):
    """Inputs of :class:`TaggedTaskDefinition`."""

    spec: TaskDefinitionSpec
    """The static task definition: everything but the image versions. Its ``family`` names the task definition."""
    versions: Mapping[str, str]
    """Container name → image tag or ``sha256:`` digest. Every container needs one unless its spec image has one."""
    execution_role_arn: NotRequired[pulumi.Input[str | None]]
    """Execution role ARN to register, overriding the spec's (e.g. a role the stack creates). Default: the spec's."""
    task_role_arn: NotRequired[pulumi.Input[str | None]]
    """Task role ARN to register, overriding the spec's. Default: the spec's."""


class TaggedTaskDefinition(pulumi.ComponentResource):
    """An ECS task definition whose only moving part is the image version of each container.

    Registers one ``aws.ecs.TaskDefinition`` (named ``f"{name}-taskdef"``) from the canonical
    document (see :mod:`components.render`), with the spec's family as an explicit family
    and ``skip_destroy=True``: a new revision does not deregister the previous one, which
    stays ACTIVE as a rollback target.
    """

    # For type checkers and readers only: the Pulumi SDK evaluates a resource class's annotations
    # (typing.get_type_hints) on every registration to type the engine's outputs, and a component
    # gets none back, so at run time they cost ~0.2 ms per instance for nothing (benchmarks/bench.py).
    if TYPE_CHECKING:
        family: pulumi.Output[str]
        """The task-definition family."""
        revision: pulumi.Output[int]
        """The revision this deployment registered."""
        arn: pulumi.Output[str]
        """The full ARN of that revision (``…:task-definition/family:revision``)."""
        images: pulumi.Output[dict[str, str]]
        """Container name → the image reference it runs."""

    def __init__(self, name: str, args: TaggedTaskDefinitionArgs, opts: pulumi.ResourceOptions | None = None):
        spec = args["spec"]
        if isinstance(spec, Mapping):
            spec = TaskDefinitionSpec.model_validate(spec)
        document = render_document(spec, args.get("versions") or {})
        unversioned = [
            f'container "{container}" has no image tag or digest (image "{image}"); pass one in versions'
            for container, image in container_images(document).items()
            if ImageReference.parse(image).version is None
        ]
        if unversioned:
            raise TagError(unversioned)
        resource_arguments = resource_args(document)
        for role in ("execution_role_arn", "task_role_arn"):
            if args.get(role) is not None:
                resource_arguments[role] = args[role]
        super().__init__(TYPE_TOKEN, name, None, opts)

        task_definition = aws.ecs.TaskDefinition(
            f"{name}-taskdef",
            skip_destroy=True,
            **resource_arguments,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.document = document
        self.task_definition = task_definition
        self.family = task_definition.family
        self.revision = task_definition.revision
        self.arn = task_definition.arn
        images = container_images(document)
        # One known Output holding the map: Output.from_input(images) would build an Output and a task for every key and value.
        self.images = pulumi.Output.from_input(None).apply(lambda _: images)
        self.register_outputs({"family": self.family, "revision": self.revision, "arn": self.arn, "images": self.images})
