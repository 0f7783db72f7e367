"""Tags-only ECS task definitions for Pulumi.

The static task definition lives in code (:mod:`components.spec`); stack config holds only
image tags. :mod:`components.render` turns the two into the canonical RegisterTaskDefinition
document, and :class:`components.task_definition.TaggedTaskDefinition` registers it.
Import submodules directly; this package imports nothing heavy on its own.

Importing it sets one interpreter-wide knob, for speed: full (generation-2) garbage
collections at most every 100 generation-1 collections instead of every 10. The Pulumi SDK keeps
~600 GC-tracked objects alive per registered resource, so with CPython's default a program of
100 services spent nearly half its time in full collections that found next to nothing to
free, and its cost per service grew with the number of services (README, "Performance").
Young collections, which free short-lived cycles, are unchanged; a threshold already set higher
is left alone.
"""

import gc as _gc

_YOUNG, _MIDDLE, _OLD = _gc.get_threshold()
if _OLD < 100:
    _gc.set_threshold(_YOUNG, _MIDDLE, 100)
