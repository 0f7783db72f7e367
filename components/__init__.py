"""Tags-only ECS services for Pulumi.

The static task definition and service settings live in code; stack config holds only image
tags. :class:`components.service.TaggedService` owns one ECS service end to end (its task
definition, roles, log group, service, autoscaling, rollout wait and revision retention);
:class:`components.task_definition.TaggedTaskDefinition` is the task definition alone.
:mod:`components.declare` declares services per stack as data, and :mod:`components.program`
turns the declarations and a stack's config into validated component arguments.
Import submodules directly; importing this package imports nothing heavy and changes no
interpreter-wide setting.
"""
