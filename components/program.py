"""What a Pulumi program needs around :class:`~components.service.TaggedService`: config once, errors as one line.

A program's ``__main__.py`` is a loop::

    with stop_on_bad_input():
        import app
        services = prepare_services(app.SERVICES, pulumi.get_stack())   # every problem of every service, at once
    for name, args in services:
        TaggedService(name, args)

:func:`prepare_services` reads the stack's image tags once, against the union of every service's
keys (:func:`stack_image_tags`), and validates every service (:func:`~components.service.check_tagged_service`)
before the program registers anything. :func:`stop_on_bad_input` turns an
:class:`~components.errors.EcsReleaseError`, or a pydantic ``ValidationError`` raised while the
app's declarations are built, into ``pulumi.RunError``: Pulumi prints its one-line message, no traceback.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from .errors import EcsReleaseError, model_problems


@contextlib.contextmanager
def stop_on_bad_input() -> Iterator[None]:
    """Re-raise bad input inside the block as ``pulumi.RunError`` (the message only, as Pulumi prints it)."""
    import pulumi
    from pydantic import ValidationError

    try:
        yield
    except EcsReleaseError as error:
        raise pulumi.RunError(str(error)) from error
    except ValidationError as error:
        cause = EcsReleaseError(model_problems(error))
        raise pulumi.RunError(str(cause)) from cause


def _declarations(services: Sequence[Any]) -> list[Any]:
    from .declare import DeclarationError, declaration_problems

    services = list(services)
    if problems := declaration_problems(services):
        raise DeclarationError(problems)
    if not services:
        raise DeclarationError("no services declared; give at least one ServiceDeclaration")
    return services


def stack_keys(services: Sequence[Any], stack: str) -> dict[str, list[str]]:
    """Stack-config key → the services reading it, over every service declared for ``stack``."""
    return _keys_and_specs(services, stack)[0]


def _keys_and_specs(services: Sequence[Any], stack: str) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """:func:`stack_keys`, and service name → its task definition in ``stack`` (built once: it may read a file)."""
    keys: dict[str, list[str]] = {}
    specs: dict[str, Any] = {}
    problems = []
    services = _declarations(services)
    if undeclared := [service for service in services if stack not in service.stacks]:
        from .declare import DeclarationError

        declared = list(dict.fromkeys(name for service in services for name in service.stacks))
        names = ", ".join(service.name for service in undeclared)
        raise DeclarationError(
            f'stack "{stack}" is not declared by service{"s" if len(undeclared) > 1 else ""} {names}; '
            f'declared stacks: {", ".join(declared)}; add "{stack}" to each service\'s stacks, or deploy one of those'
        )
    for service in services:
        try:
            specs[service.name] = service.spec(stack)
            for key in sorted(set(service.keys(specs[service.name]).values())):
                keys.setdefault(key, []).append(service.name)
        except EcsReleaseError as error:
            problems += error.problems
    if problems:
        from .declare import DeclarationError

        raise DeclarationError(problems)
    return keys, specs


def stack_image_tags(services: Sequence[Any], stack: str, config: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Stack-config key → image tag, checked once against the union of every service's keys.

    ``config`` holds the project's keys without namespace (default: the running program's config).
    Raises :class:`~components.errors.StackConfigError` naming every missing, unknown or malformed key.
    Reading the running program's config, it also compares each tag with the project's stack file as
    written (:func:`~components.stack_config.written_tag_problems`): Pulumi hands the program an
    unquoted ``webTag: 1.10`` as ``"1.1"``, which is refused with the fix, quoting it.
    """
    return _image_tags(stack_keys(services, stack), stack, config)


def _image_tags(keys: Mapping[str, list[str]], stack: str, config: Mapping[str, Any] | None) -> dict[str, str]:
    from .stack_config import program_config, project_keys, read_versions, written_tag_problems

    written: dict[str, str] = {}
    if config is None:
        import pulumi

        config = project_keys(program_config(), pulumi.get_project())
        if (project_dir := _project_dir(pulumi.get_project())) is not None:
            written = written_tag_problems(project_dir, stack, keys, config)
    return read_versions(config, {key: key for key in keys}, stack, written)


def _project_dir(project: str) -> Path | None:
    """The running program's project directory: Pulumi's root directory (the directory of ``Pulumi.yaml``),
    else the nearest directory up from the working directory (the program's, under ``pulumi up``) with a
    ``Pulumi.yaml`` naming ``project``; ``None`` when there is none."""
    import pulumi

    from .stack_config import project_name

    if root := pulumi.get_root_directory():
        return Path(root)
    for directory in (Path.cwd(), *Path.cwd().parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory if project_name(directory) == project else None
    return None


def prepare_services(
    services: Sequence[Any],
    stack: str,
    aws_profile: str | None = None,
    shared_cluster: bool = False,
    config: Mapping[str, Any] | None = None,
    aws: Any = None,
) -> list[tuple[str, dict[str, Any]]]:
    """``(name, TaggedServiceArgs)`` of every service declared for ``stack``, all validated.

    ``aws`` (:class:`~components.aws_clients.AwsSettings`; default: read from the running program's
    ``aws:`` config, as the AWS provider reads it) goes to every service, so that the rollout wait and
    retention call AWS as the provider does; ``aws_profile`` (older programs) sets its profile.
    ``shared_cluster``: the program will pass every service a ``cluster`` (validated as if given).
    Raises one :class:`~components.errors.EcsReleaseError` listing every problem of every service,
    each prefixed with the service's name, before anything is registered.
    """
    from .aws_clients import coerce_settings, program_settings
    from .service import check_tagged_service
    from .service_rules import duplicate_service_problems

    keys, specs = _keys_and_specs(services, stack)
    tags = _image_tags(keys, stack, config)
    aws = coerce_settings(program_settings(f"stack {stack}: ") if aws is None else aws)
    if aws_profile:
        aws = aws.model_copy(update={"profile": aws_profile})
    prepared, problems, names, owners = [], [], [], {}
    for service in services:
        try:
            args = service.args(stack, tags, specs[service.name])
            args["aws"] = aws
            checked = check_tagged_service({**args, "cluster": "shared"} if shared_cluster else args)
        except EcsReleaseError as error:
            problems += [f'service "{service.name}": {problem}' for problem in error.problems]
            continue
        prepared.append((service.name, args))
        plan = checked.service
        names.append((service.name, "the shared cluster" if plan.cluster.given else f"cluster {plan.cluster.name}", plan.service_name))
        # One family or role per service: two would register revisions into one family (and prune each other's),
        # or fight over one role.
        for what, value in (("family", plan.spec.family), ("execution role", plan.task.execution_role_name), ("task role", plan.task.task_role_name)):
            if value is None:
                continue
            if (what, value) in owners:
                problems.append(
                    f'service "{service.name}": {what} "{value}" is also service "{owners[what, value]}"\'s; '
                    "give each service its own (a family override in its stacks, or another family)"
                )
            owners.setdefault((what, value), service.name)
    problems += duplicate_service_problems(names)
    if problems:
        raise EcsReleaseError(problems)
    return prepared
