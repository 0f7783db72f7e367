"""What a deploy changes: a structural diff of two renders, and the tag-only guard.

``diff`` and ``check`` compare what a stack registers now (``render --stack``, with its stack
file and ``--set`` overrides) with another side: the same stack at a git ref, or another stack.

* **Matching.** At a git ref the families are the same stack's, so task definitions are matched
  by family. Between two stacks families differ (``shop-web-staging`` vs ``shop-web-prod``), so
  they are matched by the program's logical resource name (``web-taskdef``).
* **Image lines.** A container's image change is one line,
  ``web  <repository>  1.4.1 → 1.4.2``; a pinned image shows its tag and a short digest,
  ``1.4.1 (sha256:1116118ef82e)``. The ``image.<container>.tag``/``.digest`` tags of the task
  definition only record the image, so they are not listed again.
* **Other changes** are ``path: old → new`` lines: ``containerDefinitions[web].cpu: 256 → 512``.
  Lists of named objects (containers, environment, secrets, volumes, port mappings) are matched
  by name, tags by key, other lists by position; ``(absent)`` marks a side without the value.
* **Rendering at a git ref** runs ``python -m components render --stack`` of that ref's tree
  (``git archive``, extracted into a temporary directory) in its own process, so its program,
  ``app`` and ``components`` are the ones of that commit, not this tree's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import EcsReleaseError
from .images import ImageReference

Document = dict[str, Any]
ABSENT = "(absent)"
_IMAGE_TAG_PREFIX = "image."


class ReleaseDiffError(EcsReleaseError):
    """The other side of a diff cannot be rendered: unknown git ref, no git repository, bad program there."""


@dataclass(frozen=True)
class Change:
    """One changed value at ``path`` (``containerDefinitions[web].cpu``); ``None`` means absent."""

    path: str
    old: Any
    new: Any

    def line(self, prefix: str = "") -> str:
        return f"{prefix}{self.path}: {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True)
class ImageChange:
    """A container's image changed: ``old``/``new`` are display texts of tag and digest."""

    container: str
    repository: str
    old: str
    new: str


@dataclass
class TaskDefinitionDiff:
    """Every difference of one matched task definition."""

    label: str
    images: list[ImageChange] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.images or self.changes)


def _show(value: Any) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, str) and value and value.strip() == value:
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _list_keys(items: list[Any]) -> list[str] | None:
    """Names for list items: ``name`` of named objects, ``key`` of tags; ``None`` to match by position."""
    for attribute in ("name", "key"):
        if items and all(isinstance(item, dict) and isinstance(item.get(attribute), str) for item in items):
            keys = [item[attribute] for item in items]
            if len(set(keys)) == len(keys):
                return keys
    return None


def _walk(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if old == new:
        return
    if old is None and isinstance(new, list) or new is None and isinstance(old, list):
        old, new = old or [], new or []  # a list one side lacks: list its items, not the whole list
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _walk(f"{path}.{key}" if path else key, old.get(key), new.get(key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        old_keys, new_keys = _list_keys(old), _list_keys(new)
        old_keys = [] if not old and new_keys is not None else old_keys
        new_keys = [] if not new and old_keys is not None else new_keys
        if old_keys is not None and new_keys is not None:
            old_by, new_by = dict(zip(old_keys, old)), dict(zip(new_keys, new))
            for key in old_keys + [k for k in new_keys if k not in old_by]:
                _walk(f"{path}[{key}]", old_by.get(key), new_by.get(key), out)
            return
        if not any(isinstance(item, (dict, list)) for item in old + new):  # a list of scalars is one value
            out.append(Change(path, old, new))
            return
        for index in range(max(len(old), len(new))):
            _walk(f"{path}[{index}]", old[index] if index < len(old) else None, new[index] if index < len(new) else None, out)
        return
    out.append(Change(path, old, new))


def _release_tags(document: Document) -> dict[str, str]:
    return {t.get("key", ""): t.get("value", "") for t in document.get("tags", []) if t.get("key", "").startswith(_IMAGE_TAG_PREFIX)}


def _version_text(image: str, tags: Mapping[str, str], container: str) -> str:
    reference = ImageReference.parse(image)
    recorded_tag = tags.get(f"image.{container}.tag")
    if reference.digest:
        short = reference.digest[: len("sha256:") + 12]
        tag = reference.tag or recorded_tag
        return f"{tag} ({short})" if tag else short
    return reference.tag or "(no tag)"


def _without_release_records(document: Document) -> Document:
    """The document without images and without the tags that only record images."""
    document = json.loads(json.dumps(document))
    for container in document.get("containerDefinitions", []):
        container.pop("image", None)
    if "tags" in document:
        document["tags"] = [t for t in document["tags"] if not t.get("key", "").startswith(_IMAGE_TAG_PREFIX)]
        if not document["tags"]:
            del document["tags"]
    return document


def diff_documents(label: str, old: Document | None, new: Document | None) -> TaskDefinitionDiff:
    """Image changes and every other change between two RegisterTaskDefinition documents."""
    result = TaskDefinitionDiff(label)
    if old is None or new is None:
        result.changes.append(Change("", None if old is None else "registered", None if new is None else "registered"))
        return result
    old_tags, new_tags = _release_tags(old), _release_tags(new)
    old_images = {c.get("name"): c.get("image", "") for c in old.get("containerDefinitions", [])}
    new_images = {c.get("name"): c.get("image", "") for c in new.get("containerDefinitions", [])}
    for name in sorted(set(old_images) & set(new_images)):
        before, after = old_images[name], new_images[name]
        old_text, new_text = _version_text(before, old_tags, name), _version_text(after, new_tags, name)
        if before == after and old_text == new_text:
            continue
        old_repository, new_repository = ImageReference.parse(before).repository, ImageReference.parse(after).repository
        repository = old_repository if old_repository == new_repository else f"{old_repository} → {new_repository}"
        result.images.append(ImageChange(name, repository, old_text, new_text))
    _walk("", _without_release_records(old), _without_release_records(new), result.changes)
    return result


def diff_sides(old: Mapping[str, Document], new: Mapping[str, Document]) -> list[TaskDefinitionDiff]:
    """Diffs of task definitions matched by key (family, or logical resource name); only those that differ."""
    labels = list(new) + [label for label in old if label not in new]
    return [d for d in (diff_documents(label, old.get(label), new.get(label)) for label in labels) if d]


def format_diff(diffs: list[TaskDefinitionDiff], old_side: str, new_side: str) -> str:
    """The text ``diff`` prints: a heading per task definition, image lines first, then other changes."""
    if not diffs:
        return f"no changes: {new_side} registers what {old_side} registers"
    lines = [f"{old_side} → {new_side}"]
    for diff in diffs:
        lines.append(diff.label)
        if diff.images:
            width = max(len(change.container) for change in diff.images)
            lines += [f"  {c.container.ljust(width)}  {c.repository}  {c.old} → {c.new}" for c in diff.images]
        lines += [change.line("  ") if change.path else f"  {_show(change.old)} → {_show(change.new)}" for change in diff.changes]
    return "\n".join(lines)


def non_image_changes(diffs: list[TaskDefinitionDiff]) -> list[str]:
    """``check``'s offending paths: every change that is not an image tag or digest, prefixed by the label."""
    problems = []
    for diff in diffs:
        for change in diff.changes:
            path = f"{diff.label}.{change.path}" if change.path else diff.label
            problems.append(f"{path}: {_show(change.old)} → {_show(change.new)}")
        problems += [
            f"{diff.label}.containerDefinitions[{c.container}].image: repository {c.repository}"
            for c in diff.images
            if " → " in c.repository
        ]
    return problems


# --- rendering the sides ----------------------------------------------------------------------------------


def render_by_resource(project_dir: Path, stack: str, overrides: Mapping[str, str] | None = None) -> dict[str, Document]:
    """Logical resource name → document of every task definition the stack's program registers (in-process)."""
    from .aws_inputs import document_from_inputs
    from .offline import TASK_DEFINITION_TYPE, run_program

    resources = run_program(project_dir, stack, overrides)
    return {r.name: document_from_inputs(r.inputs) for r in resources if r.type == TASK_DEFINITION_TYPE}


def _git(directory: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ReleaseDiffError("git is not installed; install git, or compare with --against-stack") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise ReleaseDiffError(f"git {' '.join(args)}: {reason}")
    return result.stdout


def render_at_ref(project_dir: Path, stack: str, ref: str) -> dict[str, Document]:
    """Family → document of what ``stack`` registered at git ``ref``: that commit's program and stack file.

    The ref's tree is extracted with ``git archive`` into a temporary directory and rendered by
    ``python -m components render --stack`` in its own process (same interpreter).
    """
    project_dir = Path(project_dir).resolve()
    try:
        _git(project_dir, "rev-parse", "--show-toplevel")
    except ReleaseDiffError:
        raise ReleaseDiffError(f"{project_dir} is not in a git repository; use --against-stack, or run from a clone") from None
    if ref.startswith("-"):
        raise ReleaseDiffError(f'"{ref}" is not a git ref; give a commit, branch or tag such as HEAD or origin/main')
    try:
        commit = _git(project_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except ReleaseDiffError:
        raise ReleaseDiffError(f'unknown git ref "{ref}"; give a commit, branch or tag such as HEAD or origin/main') from None
    prefix = _git(project_dir, "rev-parse", "--show-prefix").strip()
    key = (str(project_dir), commit, stack)
    if key not in _RENDERED:  # a commit never changes: render it once per process
        _RENDERED[key] = _render_commit(project_dir, commit, prefix, stack, ref)
    return json.loads(_RENDERED[key])


_RENDERED: dict[tuple[str, str, str], str] = {}


@contextlib.contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """Within: SIGTERM raises ``SystemExit(143)``, so ``with`` blocks unwind (the render process is killed, the
    temporary tree removed) before the process exits. Only in the main thread, and only when SIGTERM has its
    default action (an ignored or handled SIGTERM is left as it is); the previous handler is restored after."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _render_commit(project_dir: Path, commit: str, prefix: str, stack: str, ref: str) -> str:
    archive = subprocess.run(
        ["git", "-C", str(project_dir), "archive", "--format=tar", commit, *(["--", prefix] if prefix else [])],
        capture_output=True, timeout=120,
        cwd=project_dir,
    )
    if archive.returncode != 0:
        reason = (archive.stderr.decode(errors="replace").strip().splitlines() or [f"exit status {archive.returncode}"])[-1]
        raise ReleaseDiffError(f"git archive {ref}: {reason}")
    with _exit_on_sigterm(), tempfile.TemporaryDirectory(prefix="ecs-release-ref-") as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(temporary, filter="data")
        tree = Path(temporary) / prefix
        if not (tree / "Pulumi.yaml").is_file():
            raise ReleaseDiffError(f"{ref} has no Pulumi project at {prefix or '.'}; pick a later ref")
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # that tree's modules only
        result = subprocess.run(
            [sys.executable, "-m", "components", "render", "--stack", stack],
            cwd=tree, capture_output=True, text=True, timeout=300, env=environment,
        )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise ReleaseDiffError(f"rendering stack {stack} at {ref}: {reason.removeprefix('error: ')}")
    return result.stdout


# --- the commands -----------------------------------------------------------------------------------------


def diff_command(
    project_dir: Path, stack: str, overrides: Mapping[str, str], against_stack: str | None = None, against_ref: str | None = None
) -> tuple[str, int]:
    """``diff``: the text to print and the exit status (0 nothing differs, 1 something does)."""
    from .cli import render_stack

    if against_stack is not None:
        old, new = render_by_resource(project_dir, against_stack, None), render_by_resource(project_dir, stack, overrides)
        old_side, new_side = f"stack {against_stack}", f"stack {stack}"
    else:
        ref = against_ref or "HEAD"
        old, new = render_at_ref(project_dir, stack, ref), render_stack(stack, dict(overrides), project_dir)
        old_side, new_side = f"{stack} at {ref}", f"{stack} now"
    if overrides:
        new_side += " with " + " ".join(f"{key}={value}" for key, value in overrides.items())
    diffs = diff_sides(old, new)
    return format_diff(diffs, old_side, new_side), 1 if diffs else 0


def check_command(project_dir: Path, stack: str, against_ref: str) -> tuple[str, int]:
    """``check``: exit 1 listing every change other than an image tag or digest since ``against_ref``."""
    from .cli import render_stack

    diffs = diff_sides(render_at_ref(project_dir, stack, against_ref), render_stack(stack, {}, project_dir))
    problems = non_image_changes(diffs)
    if problems:
        lines = [f"stack {stack} changes more than image tags since {against_ref} ({len(problems)}):"]
        return "\n".join(lines + [f"  {problem}" for problem in problems]), 1
    images = sum(len(diff.images) for diff in diffs)
    counted = f"{images} image{'' if images == 1 else 's'} changed"
    return f"ok: stack {stack} changes only image tags or digests since {against_ref} ({counted})", 0
