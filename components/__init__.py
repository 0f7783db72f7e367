"""Tags-only ECS task definitions for Pulumi.

The static task definition lives in code (:mod:`components.spec`); stack config holds only
image tags. :mod:`components.render` turns the two into the canonical RegisterTaskDefinition
document, and :class:`components.task_definition.TaggedTaskDefinition` registers it.
Import submodules directly; this package imports nothing heavy on its own.
"""
