"""``ecs-release`` (or ``python -m components``): render what a stack or a task-definition file registers.

Release workflow: ``diff`` and ``check`` (exit status 1 when something differs), ``changed-stacks``
(for CI) and ``promote``; see :mod:`components.release_diff` and :mod:`components.promote`.
Deployments: ``status``, and ``continue``/``rollback`` at an approval gate; see
:mod:`components.deployments`. Every command works on the Pulumi project in ``--project-dir``
(default: the current directory).
Every user error ends as one ``error: …`` line on stderr with exit status 2; an unexpected
internal failure (a bug) as one ``error: internal error …`` line with exit status 3.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from .errors import EcsReleaseError

PROG = "ecs-release"
INTERNAL_ERROR = 3
"""Exit status of an unexpected failure: not 1, which ``diff`` and ``check`` use for "differs"."""


class UsageError(EcsReleaseError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(f"{message}; see: {self.prog} --help")


def _pairs(values: Sequence[str], option: str, what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key:
            raise UsageError(f'{option} "{value}" is not {what}=VALUE; write for example {option} {key or what}=1.4.2')
        if key in pairs:
            raise UsageError(f"{option} gives {key} twice ({pairs[key]!r} and {item!r}); give it once")
        pairs[key] = item
    return pairs


def render_stack(stack: str, overrides: dict[str, str], project_dir: Path) -> dict[str, dict]:
    """Family → RegisterTaskDefinition document for every task definition the stack's program registers."""
    from .aws_inputs import document_from_inputs
    from .offline import TASK_DEFINITION_TYPE, run_program

    resources = run_program(project_dir, stack, overrides)
    documents = [document_from_inputs(r.inputs) for r in resources if r.type == TASK_DEFINITION_TYPE]
    return {document["family"]: document for document in documents}


def render_file(path: str, tags: dict[str, str]) -> dict:
    """The canonical document of a task-definition file, with ``tags`` (container → tag or digest) applied."""
    from .render import render_document
    from .taskdef_file import load_spec

    return render_document(load_spec(path), tags)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    project = _Parser(add_help=False)
    project.add_argument(
        "--project-dir", type=Path, default=Path("."), metavar="DIR",
        help="the Pulumi project (the directory of its Pulumi.yaml); default: the current directory",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    render = commands.add_parser("render", parents=[project], help="print the RegisterTaskDefinition document(s) as JSON")
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="run the program for this stack (its stack file's name: Pulumi.<stack>.yaml) under the mock runtime")
    source.add_argument("--file", help="a task-definition file, JSON or YAML (register input or describe output)")
    render.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="with --stack: override a config key")
    render.add_argument("--tag", action="append", default=[], metavar="CONTAINER=TAG", help="with --file: set a container's tag or digest")
    _release_parsers(commands, project)
    return parser


def _release_parsers(commands, project: argparse.ArgumentParser) -> None:
    """Release workflow (components/release_diff.py, components/promote.py): diff, check, changed-stacks, promote."""
    diff = commands.add_parser("diff", parents=[project], help="what a stack would register now versus a git ref or another stack; exit 1 if it differs")
    diff.add_argument("--stack", required=True, help="the stack to render now")
    diff.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key of --stack")
    other = diff.add_mutually_exclusive_group()
    other.add_argument("--against-stack", metavar="STACK", help="compare with another stack (matched by logical resource name)")
    other.add_argument("--against-ref", metavar="GIT_REF", help="compare with the stack at a git ref (default: HEAD)")
    check = commands.add_parser("check", parents=[project], help="exit 1 if anything but image tags or digests changed since a git ref")
    check.add_argument("--stack", required=True, help="the stack to check")
    check.add_argument("--against-ref", required=True, metavar="GIT_REF", help="the git ref to compare with (e.g. origin/main)")
    changed = commands.add_parser("changed-stacks", parents=[project], help="print the stacks whose stack file changed since a git ref, one a line")
    changed.add_argument("--against-ref", required=True, metavar="GIT_REF", help="the git ref to compare with (e.g. origin/main)")
    promote = commands.add_parser("promote", parents=[project], help="copy image tags from one stack file to another")
    promote.add_argument("--from", dest="source", required=True, metavar="STACK", help="the stack whose tags are copied")
    promote.add_argument("--to", dest="target", required=True, metavar="STACK", help="the stack file that is edited")
    promote.add_argument("--only", action="append", default=[], metavar="KEY", help="copy only this key (repeatable)")
    promote.add_argument("--dry-run", action="store_true", help="check and print what would change; write nothing")
    _deployment_parsers(commands, project)


def _deployment_parsers(commands, project: argparse.ArgumentParser) -> None:
    """The stack's ECS service deployments (components/deployments.py): status, continue, rollback."""
    status = commands.add_parser("status", parents=[project], help="each service's newest deployment: strategy, stage, weights, digests, pause gates")
    status.add_argument("--stack", required=True, help="the stack whose services to show")
    status.add_argument("--service", help="only this service (its name in the program, e.g. web, or its ECS name)")
    for verb, what in (("continue", "continue the deployment paused at a gate"), ("rollback", "roll back the deployment paused at a gate")):
        act = commands.add_parser(verb, parents=[project], help=f"{what} (ContinueServiceDeployment)")
        act.add_argument("--stack", required=True, help="the stack of the service")
        act.add_argument("--service", required=True, help="the service (its name in the program, e.g. web, or its ECS name)")
        act.add_argument("--yes", action="store_true", help="do not ask for confirmation")


class _Exit(str):
    """Output with an exit status other than 0 (``diff``/``check``: 1 when something differs)."""

    exit_code = 0


def _release(args: argparse.Namespace) -> str:
    from .release_diff import changed_stacks, check_command, diff_command

    if args.command == "changed-stacks":
        text, code = "\n".join(changed_stacks(args.project_dir, args.against_ref)), 0
    elif args.command in ("status", "continue", "rollback"):
        from .deployments import act_command, status_command

        if args.command == "status":
            text, code = status_command(args.project_dir, args.stack, args.service)
        else:
            confirm = input if sys.stdin.isatty() else None
            action = "CONTINUE" if args.command == "continue" else "ROLLBACK"
            text, code = act_command(args.project_dir, args.stack, args.service, action, args.yes, confirm)
    elif args.command == "promote":
        from .promote import promote_command

        text, code = promote_command(args.project_dir, args.source, args.target, args.only, dry_run=args.dry_run)
    elif args.command == "diff":
        text, code = diff_command(args.project_dir, args.stack, _pairs(args.set, "--set", "KEY"), args.against_stack, args.against_ref)
    else:
        text, code = check_command(args.project_dir, args.stack, args.against_ref)
    output = _Exit(text)
    output.exit_code = code
    return output


def run(argv: Sequence[str]) -> str:
    """Run the CLI and return what it prints; raises :class:`EcsReleaseError` on bad input."""
    from .render import to_json

    args = _parser().parse_args(argv)
    if args.command != "render":
        return _release(args)
    if args.stack is not None:
        if args.tag:
            raise UsageError("--tag goes with --file; with --stack use --set <tag key>=1.4.2")
        result = render_stack(args.stack, _pairs(args.set, "--set", "KEY"), args.project_dir)
    else:
        if args.set:
            raise UsageError("--set goes with --stack; with --file use --tag <container>=1.4.2")
        result = render_file(args.file, _pairs(args.tag, "--tag", "CONTAINER"))
    return to_json(result, indent=2)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: prints the result, or one ``error:`` line and returns 2 (bad input) or 3 (a bug)."""
    try:
        output = run(sys.argv[1:] if argv is None else argv)
    except EcsReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours: say so in one line, not a traceback, and not exit 1 ("differs")
        where = ""
        if error.__traceback__ is not None:
            import traceback

            frame = traceback.extract_tb(error.__traceback__)[-1]
            where = f" at {Path(frame.filename).name}:{frame.lineno}"
        reason = str(error).replace("\n", " ")[:300]
        print(f"error: internal error{where}: {type(error).__name__}: {reason}; this is a bug in ecs-release, please report it", file=sys.stderr)
        return INTERNAL_ERROR
    print(output)
    return getattr(output, "exit_code", 0)
