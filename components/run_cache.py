"""Values computed once per Pulumi program run (per resource monitor), shared by every component of the run."""

from __future__ import annotations

from typing import Any

_RUNS: dict[str, tuple[Any, dict[Any, Any]]] = {}


def for_this_run(namespace: str) -> dict[Any, Any]:
    """A dictionary that lives as long as the running program: a new run, or in tests a new mock runtime
    (``set_mocks``), starts it empty."""
    from pulumi.runtime.settings import get_monitor

    monitor = get_monitor()
    owner, values = _RUNS.get(namespace, (None, {}))
    if owner is not monitor:
        values = {}
        _RUNS[namespace] = (monitor, values)
    return values
