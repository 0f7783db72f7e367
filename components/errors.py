"""The project's error hierarchy.

Every error a user can cause derives from :class:`EcsReleaseError`. The CLI and the
Pulumi program turn one into a single ``error: …`` line (exit status 2 for the CLI),
never a traceback. Each message names the field or key, the bad value, and the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class EcsReleaseError(Exception):
    """Base of every error caused by bad input. ``str(error)`` is the one-line message."""

    def __init__(self, problems: str | list[str]):
        problems = [problems] if isinstance(problems, str) else list(problems)
        # One line whatever the input held: a newline in a value must not split the error.
        self.problems: list[str] = [problem.replace("\r", "\\r").replace("\n", "\\n") for problem in problems]
        super().__init__("; ".join(self.problems))


class SpecError(EcsReleaseError):
    """The static task-definition specification is invalid (one or more problems)."""


class SpecFileError(EcsReleaseError):
    """A task-definition file cannot be read, parsed or validated."""


class TagError(EcsReleaseError):
    """An image tag or digest is missing or malformed."""


class StackConfigError(EcsReleaseError):
    """A stack's configuration is unknown, incomplete or holds keys the program does not know."""


def model_problems(error: "ValidationError", where: str = "") -> list[str]:
    """One message per problem of a pydantic ``ValidationError``: the model and field, the value, the fix.

    ``where`` prefixes each message (``service "web", stack "prod": ``), so a message names what the
    caller passed, never a file of ours.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"] if not str(part).startswith("function-")]
        field = ".".join([error.title, *loc])
        shown = "" if item["type"] == "missing" else f" (got {item['input']!r})"
        fix = "remove it or fix its spelling" if item["type"] == "extra_forbidden" else "fix the value"
        if item["type"] == "missing":
            fix = "give it a value"
        problems.append(f"{where}{field}: {item['msg']}{shown}; {fix}")
    return problems
