"""What a deploy changes, resource by resource, and the tag-only guard.

``diff`` and ``check`` compare two *records* of a stack: every resource its program registers
under the Pulumi SDK's mock runtime (type, logical name and inputs, as
:func:`components.offline.run_program` records them) and the stack's outputs. One side is what the
stack registers now (its stack file, plus ``--set`` for ``diff``); the other is the same stack at a
git ref, or another stack.

* **Matching.** Resources are matched by logical name (``web-service``, ``web-taskdef``), on both
  kinds of side; the stack's outputs by export name.
* **Normalized values.** Numbers the mock runtime hands back as floats are integers again; an input
  holding a JSON string (``containerDefinitions``, an IAM policy) is parsed; an IAM policy's
  statements become one grant per action, resource and principal (``Allow ssm:GetParameters on
  arn:…``), compared as a set; a secret is compared but shown as ``[secret]``; the ARN of a revision
  of a task definition the side registers reads "(revision of web-taskdef)": a tag bump registers a
  new revision, which the service, its rollout wait and its retention then point to.
* **Image lines.** A container's image change is one line, ``web  <repository>  1.4.1 → 1.4.2``; a
  pinned image shows its tag and a short digest, ``1.4.1 (sha256:1116118ef82e)``. The
  ``image.<container>.tag``/``.digest`` tags of the task definition and outputs that repeat an image,
  tag or digest only record the image, so they are not listed again.
* **Other changes** are ``path: old → new`` lines: ``web-service.desiredCount: 3 → 5``. Lists of
  named objects (containers, environment, secrets, volumes, port mappings) are matched by name,
  tags by key, other lists by position; a list of plain values that only gained (lost) items shows
  each as ``[+]`` (``[-]``); ``(absent)`` marks a side without the value. An added (removed)
  resource shows ``added: <type>`` (``removed: …``), then every input.
* **A side at a git ref** is recorded by that commit's own code: the ref's tree (``git archive``,
  extracted into a temporary directory) runs ``run_program`` in its own process, so its program,
  its modules and its ``components`` (when the tree has them) are the ones of that commit.
* **The side now** is recorded in this process while nothing but stack files changed since the ref
  (the program then is the ref's, reviewed code). Otherwise it is recorded in its own process too:
  a changed program, or a changed library in the tree, runs there and cannot alter the verdict of
  the process that judges it (:func:`check_command`). The two sides are recorded side by side.

``check`` passes only when nothing but image tags changed since the ref: no file other than a stack
file (``git diff --name-status REF`` and untracked files), in the stack files nothing but the
values of the project's keys (the image tags: the program refuses any other key of its
namespace), and in the records nothing but images and what follows from them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import posixpath
import re
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
from .service_mocks import TASK_DEFINITION_TYPE

Record = dict[str, Any]
"""``{"resources": [{"type", "name", "inputs"}, …], "outputs": {…}}``: what a program registered and exported."""
ABSENT = "(absent)"
_IMAGE_TAG_PREFIX = "image."
_SECRET_SIG_KEY, _SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
"""How Pulumi's wire format marks a secret value: ``{sig key: secret sig, "value": …}``."""
_TASK_DEFINITION_ARN = re.compile(r"arn:[\w-]+:ecs:[\w-]+:\d{12}:task-definition/(?P<family>[A-Za-z0-9_-]+):\d+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ReleaseDiffError(EcsReleaseError):
    """A side of a diff cannot be recorded: unknown git ref, no git repository, bad program there."""


# --- normalized values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """A secret value: compared like any other, shown as ``[secret]``."""

    value: Any

    def __str__(self) -> str:
        return "[secret]"


@dataclass(frozen=True)
class Revision:
    """The ARN of a revision of the task definition registered as ``resource`` on the same side."""

    resource: str

    def __str__(self) -> str:
        return f"(revision of {self.resource})"


@dataclass(frozen=True)
class Grants:
    """The statements of an IAM policy document, one text per action, resource and principal; a set."""

    items: tuple[str, ...]

    def __str__(self) -> str:
        return "; ".join(self.items)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _principals(value: Any, negated: bool) -> list[str]:
    prefix = "for all but" if negated else "for"
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"{prefix} {item}" for item in _as_list(value)]
    return [f"{prefix} {kind} {item}" for kind, items in sorted(value.items()) for item in _as_list(items)]


def _statement_grants(statement: Any) -> list[str]:
    """``Allow ssm:GetParameters on arn:…`` for each action × resource × principal of one statement."""
    if not isinstance(statement, dict):
        return [_compact(statement)]
    actions = [str(a) for a in _as_list(statement.get("Action"))] + [f"all but {a}" for a in _as_list(statement.get("NotAction"))]
    resources = [f"on {r}" for r in _as_list(statement.get("Resource"))] + [f"on all but {r}" for r in _as_list(statement.get("NotResource"))]
    principals = _principals(statement.get("Principal"), False) + _principals(statement.get("NotPrincipal"), True)
    known = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"}
    rest = {key: value for key, value in statement.items() if key not in known}  # Condition, and anything unexpected
    suffix = (f" with {_compact(rest)}" if rest else "") + (f" (Sid {statement['Sid']})" if "Sid" in statement else "")
    effect = str(statement.get("Effect", "(no Effect)"))
    return [
        " ".join(part for part in (effect, action, resource, principal) if part) + suffix
        for action in actions or ["(no Action)"]
        for resource in resources or [""]
        for principal in principals or [""]
    ]


def _policy(document: dict[str, Any]) -> dict[str, Any]:
    grants = [grant for statement in _as_list(document["Statement"]) for grant in _statement_grants(statement)]
    return {**{key: value for key, value in document.items() if key != "Statement"}, "Statement": Grants(tuple(sorted(set(grants))))}


def _normalize(value: Any, families: Mapping[str, str], parse_json: bool = False) -> Any:
    """``value`` as compared: integral floats as ints, secrets and task-definition revisions as markers,
    JSON strings parsed when ``parse_json`` (a resource's top-level inputs), IAM policy documents as grants."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if value.get(_SECRET_SIG_KEY) == _SECRET_SIG:
            return Secret(_normalize(value.get("value"), families, parse_json))
        return {key: _normalize(item, families) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalize(item, families) for item in value]
    if isinstance(value, str):
        if parse_json and value[:1] in ("{", "["):
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            parsed = _normalize(parsed, families)
            return _policy(parsed) if isinstance(parsed, dict) and "Statement" in parsed else parsed
        match = _TASK_DEFINITION_ARN.fullmatch(value)
        if match and match["family"] in families:
            return Revision(families[match["family"]])
    return value


@dataclass(frozen=True)
class Resource:
    """One registered resource, its inputs normalized."""

    type: str
    inputs: dict[str, Any]


@dataclass
class Side:
    """A record, normalized: resources by logical name, outputs, and every image text (reference, tag, digest)."""

    resources: dict[str, Resource]
    outputs: dict[str, Any]
    image_values: set[str] = field(default_factory=set)


def side_from_record(record: Record) -> Side:
    """Normalize a record (see the module docstring)."""
    raw = list(record.get("resources", []))
    families = {
        str(r["inputs"].get("family")): r["name"] for r in raw if r["type"] == TASK_DEFINITION_TYPE and "family" in r["inputs"]
    }
    names = [r["name"] for r in raw]
    resources: dict[str, Resource] = {}
    for r in raw:
        label = r["name"] if names.count(r["name"]) == 1 else f"{r['name']} [{r['type']}]"  # one name, two types
        inputs = {key: _normalize(value, families, parse_json=True) for key, value in r["inputs"].items()}
        resources[label] = Resource(r["type"], inputs)
    side = Side(resources, _normalize(dict(record.get("outputs") or {}), families))
    for resource in side.resources.values():
        if resource.type != TASK_DEFINITION_TYPE:
            continue
        for container in _containers(resource.inputs):
            image = container.get("image")
            if isinstance(image, str):
                reference = ImageReference.parse(image)
                side.image_values |= {image, *(v for v in (reference.tag, reference.digest) if v)}
        side.image_values |= {v for k, v in _release_tags(resource.inputs).items() if isinstance(v, str)}
    return side


# --- comparing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One changed value at ``path`` (``containerDefinitions[web].cpu``); ``None`` means absent."""

    path: str
    old: Any
    new: Any

    def line(self, prefix: str = "") -> str:
        """``path: old → new``; an added (removed) item of a list or set, ``path[+]: new`` (``path[-]: old``);
        an added, removed or retyped resource (``path`` ``""``), ``added: <type>`` (``removed: …``, ``type: a → b``)."""
        if not self.path:
            if self.old is None or self.new is None:
                return f"{prefix}{'added' if self.old is None else 'removed'}: {_show(self.new if self.old is None else self.old)}"
            return f"{prefix}type: {_show(self.old)} → {_show(self.new)}"
        if self.path.endswith(("[+]", "[-]")):
            return f"{prefix}{self.path}: {_show(self.new if self.path.endswith('[+]') else self.old)}"
        return f"{prefix}{self.path}: {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True)
class ImageChange:
    """A container's image changed: ``old``/``new`` are display texts of tag and digest."""

    container: str
    repository: str
    old: str
    new: str


@dataclass
class ResourceDiff:
    """Every difference of one matched resource (or of the stack's outputs, labelled ``stack outputs``)."""

    label: str
    images: list[ImageChange] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    """Resources that point to this task definition's revision (a ref diff only): they move to the new one."""

    def __bool__(self) -> bool:
        return bool(self.images or self.changes)


OUTPUTS = "stack outputs"


def _show(value: Any) -> str:
    if value is None:
        return ABSENT
    if isinstance(value, (Secret, Revision, Grants)):
        return str(value)
    if isinstance(value, str) and value and value.strip() == value:
        return value
    return _compact(value)


def _key_path(path: str, key: Any) -> str:
    key = str(key)
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key}]"


def _list_keys(items: list[Any]) -> list[str] | None:
    """Names for list items: ``name`` of named objects, ``key`` of tags; ``None`` to match by position."""
    for attribute in ("name", "key"):
        if items and all(isinstance(item, dict) and isinstance(item.get(attribute), str) for item in items):
            keys = [item[attribute] for item in items]
            if len(set(keys)) == len(keys):
                return keys
    return None


def _is_subsequence(short: list[Any], long: list[Any]) -> bool:
    remaining = iter(long)
    return all(any(item == other for other in remaining) for item in short)


def _walk(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if old == new:
        return
    if isinstance(old, Grants) or isinstance(new, Grants):
        old_items = old.items if isinstance(old, Grants) else ()
        new_items = new.items if isinstance(new, Grants) else ()
        out += [Change(f"{path}[-]", item, None) for item in old_items if item not in new_items]
        out += [Change(f"{path}[+]", None, item) for item in new_items if item not in old_items]
        return
    if old is None and isinstance(new, (list, dict)) or new is None and isinstance(old, (list, dict)):
        # a list or map one side lacks: list its items, not the whole value
        old, new = old if old is not None else type(new)(), new if new is not None else type(old)()
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _walk(_key_path(path, key), old.get(key), new.get(key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        old_keys, new_keys = _list_keys(old), _list_keys(new)
        old_keys = [] if not old and new_keys is not None else old_keys
        new_keys = [] if not new and old_keys is not None else new_keys
        if old_keys is not None and new_keys is not None:
            old_by, new_by = dict(zip(old_keys, old)), dict(zip(new_keys, new))
            for key in old_keys + [k for k in new_keys if k not in old_by]:
                if key in old_by and key in new_by:
                    _walk(f"{path}[{key}]", old_by[key], new_by[key], out)
                else:  # a named item added or removed: one line, the whole item
                    out.append(Change(f"{path}[{key}]", old_by.get(key), new_by.get(key)))
            return
        if not any(isinstance(item, (dict, list)) for item in old + new):  # a list of plain values
            if len(new) > len(old) and _is_subsequence(old, new) and len(set(map(_compact, new))) == len(new):
                out += [Change(f"{path}[+]", None, item) for item in new if item not in old]
            elif len(old) > len(new) and _is_subsequence(new, old) and len(set(map(_compact, old))) == len(old):
                out += [Change(f"{path}[-]", item, None) for item in old if item not in new]
            else:
                out.append(Change(path, old, new))
            return
        for index in range(max(len(old), len(new))):
            _walk(f"{path}[{index}]", old[index] if index < len(old) else None, new[index] if index < len(new) else None, out)
        return
    out.append(Change(path, old, new))


def _containers(inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    containers = inputs.get("containerDefinitions")
    return [c for c in containers if isinstance(c, dict)] if isinstance(containers, list) else []


def _release_tags(inputs: Mapping[str, Any]) -> dict[str, Any]:
    tags = inputs.get("tags")
    return {k: v for k, v in tags.items() if str(k).startswith(_IMAGE_TAG_PREFIX)} if isinstance(tags, dict) else {}


def _version_text(image: str, tags: Mapping[str, Any], container: str) -> str:
    reference = ImageReference.parse(image)
    recorded_tag = tags.get(f"image.{container}.tag")
    if reference.digest:
        short = reference.digest[: len("sha256:") + 12]
        tag = reference.tag or (recorded_tag if isinstance(recorded_tag, str) else None)
        return f"{tag} ({short})" if tag else short
    return reference.tag or "(no tag)"


def _without_release_records(inputs: dict[str, Any], containers: set[Any]) -> dict[str, Any]:
    """Task-definition inputs without the images of ``containers`` and without the tags that only record them."""
    inputs = dict(inputs)
    if isinstance(inputs.get("containerDefinitions"), list):
        inputs["containerDefinitions"] = [
            {k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) and c.get("name") in containers else c
            for c in inputs["containerDefinitions"]
        ]
    if isinstance(inputs.get("tags"), dict):
        recorded = {f"{_IMAGE_TAG_PREFIX}{name}.{what}" for name in containers for what in ("tag", "digest")}
        inputs["tags"] = {k: v for k, v in inputs["tags"].items() if k not in recorded} or None
    return inputs


def _image_changes(old: Resource, new: Resource) -> list[ImageChange]:
    old_tags, new_tags = _release_tags(old.inputs), _release_tags(new.inputs)
    old_images = {c.get("name"): c.get("image") for c in _containers(old.inputs) if isinstance(c.get("image"), str)}
    new_images = {c.get("name"): c.get("image") for c in _containers(new.inputs) if isinstance(c.get("image"), str)}
    changes = []
    for name in sorted(set(old_images) & set(new_images), key=str):
        before, after = old_images[name], new_images[name]
        old_text, new_text = _version_text(before, old_tags, name), _version_text(after, new_tags, name)
        if before == after and old_text == new_text:
            continue
        old_repository, new_repository = ImageReference.parse(before).repository, ImageReference.parse(after).repository
        repository = old_repository if old_repository == new_repository else f"{old_repository} → {new_repository}"
        changes.append(ImageChange(name, repository, old_text, new_text))
    return changes


def diff_resource(label: str, old: Resource | None, new: Resource | None) -> ResourceDiff:
    """Image changes (task definitions) and every other change of one resource; an added or removed
    resource is its type (``path`` ``""``) and each of its inputs."""
    result = ResourceDiff(label)
    if old is None or new is None or old.type != new.type:
        result.changes.append(Change("", old.type if old else None, new.type if new else None))
        _walk("", old.inputs if old else {}, new.inputs if new else {}, result.changes)
        return result
    if new.type == TASK_DEFINITION_TYPE:
        result.images = _image_changes(old, new)
        kept = {c.get("name") for c in _containers(old.inputs)} & {c.get("name") for c in _containers(new.inputs)}
        # A kept container's image is an image line; an added or removed container is listed whole, image included.
        _walk("", _without_release_records(old.inputs, kept), _without_release_records(new.inputs, kept), result.changes)
        return result
    _walk("", old.inputs, new.inputs, result.changes)
    return result


def _revisions(value: Any) -> set[str]:
    if isinstance(value, Revision):
        return {value.resource}
    if isinstance(value, Secret):
        return _revisions(value.value)
    if isinstance(value, dict):
        return set().union(*map(_revisions, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_revisions, value)) if value else set()
    return set()


def _image_derived(change: Change, old: Side, new: Side) -> bool:
    """An output that repeats an image, tag or digest and changed with it."""
    return isinstance(change.old, str) and isinstance(change.new, str) and change.old in old.image_values and change.new in new.image_values


def diff_sides(old: Side, new: Side, follow_revisions: bool = False) -> list[ResourceDiff]:
    """Diffs of the resources matched by logical name, then of the stack's outputs; only those that differ.

    With ``follow_revisions`` (one stack at two commits), a task definition that changed lists the
    resources pointing to its revision (``users``): they move to the new one.
    """
    labels = sorted(set(new.resources) | set(old.resources))
    diffs = [d for d in (diff_resource(label, old.resources.get(label), new.resources.get(label)) for label in labels) if d]
    diffs.sort(key=lambda diff: not diff.images)  # image lines first, then by name
    if follow_revisions:
        for diff in diffs:
            if diff.label in new.resources and new.resources[diff.label].type == TASK_DEFINITION_TYPE:
                diff.users = [name for name, r in new.resources.items() if diff.label in _revisions(r.inputs)]
    outputs = ResourceDiff(OUTPUTS)
    _walk("", old.outputs, new.outputs, outputs.changes)
    outputs.changes = [change for change in outputs.changes if not _image_derived(change, old, new)]
    return diffs + ([outputs] if outputs else [])


def format_diff(diffs: list[ResourceDiff], old_side: str, new_side: str) -> str:
    """The text ``diff`` prints: a heading per resource, image lines first, then other changes."""
    if not diffs:
        return f"no changes: {new_side} registers what {old_side} registers"
    lines = [f"{old_side} → {new_side}"]
    for diff in diffs:
        lines.append(diff.label)
        if diff.images:
            width = max(len(change.container) for change in diff.images)
            lines += [f"  {c.container.ljust(width)}  {c.repository}  {c.old} → {c.new}" for c in diff.images]
        lines += [change.line("  ") for change in diff.changes]
        if diff.users:
            lines.append(f"  new revision, used by: {', '.join(diff.users)}")
    return "\n".join(lines)


def non_image_changes(diffs: list[ResourceDiff]) -> list[str]:
    """``check``'s offending changes: every change that is not an image tag or digest, prefixed by the label."""
    problems = []
    for diff in diffs:
        for change in diff.changes:
            if diff.label == OUTPUTS or not change.path:
                problems.append(f"{diff.label}: {change.line()}")
            else:
                problems.append(change.line(diff.label if change.path.startswith("[") else f"{diff.label}."))
        problems += [
            f"{diff.label}.containerDefinitions[{c.container}].image: repository {c.repository}"
            for c in diff.images
            if " → " in c.repository
        ]
    return problems


# --- files: what changed since the ref -------------------------------------------------------------------


def _git(directory: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise ReleaseDiffError("git is not installed; install git, or compare with --against-stack") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        raise ReleaseDiffError(f"git {' '.join(args)}: {reason}")
    return result.stdout


@dataclass(frozen=True)
class GitRef:
    """A resolved ref of the repository holding a project."""

    ref: str
    """As the user gave it (``origin/main``)."""
    commit: str
    top: Path
    """The repository's top-level directory."""
    prefix: str
    """The project directory relative to ``top`` (``""`` or ``infra/``)."""


def resolve_ref(project_dir: Path, ref: str) -> GitRef:
    """The commit ``ref`` names in the repository of ``project_dir``; refused: no repository, an option, an unknown ref."""
    project_dir = Path(project_dir).resolve()
    try:
        top = _git(project_dir, "rev-parse", "--show-toplevel").strip()
    except ReleaseDiffError:
        raise ReleaseDiffError(f"{project_dir} is not in a git repository; use --against-stack, or run from a clone") from None
    if ref.startswith("-"):
        raise ReleaseDiffError(f'"{ref}" is not a git ref; give a commit, branch or tag such as HEAD or origin/main')
    try:
        commit = _git(project_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
    except ReleaseDiffError:
        raise ReleaseDiffError(f'unknown git ref "{ref}"; give a commit, branch or tag such as HEAD or origin/main') from None
    return GitRef(ref, commit, Path(top), _git(project_dir, "rev-parse", "--show-prefix").strip())


_STATUS = {"A": "added", "D": "deleted", "M": "modified", "T": "type changed"}


def changed_files(git_ref: GitRef) -> dict[str, str]:
    """Path from the repository's top → ``added``/``modified``/``deleted``/``untracked``…: every file of the
    working tree that differs from the ref's commit, and every untracked file (an untracked directory as ``dir/``)."""
    fields = _git(git_ref.top, "diff", "--name-status", "--no-renames", "-z", git_ref.commit, "--").split("\0")
    changed = {path: _STATUS.get(status[:1], "changed") for status, path in zip(fields[0::2], fields[1::2]) if path}
    untracked = _git(git_ref.top, "ls-files", "--others", "--exclude-standard", "--directory", "--no-empty-directory", "-z")
    changed.update({path: "untracked" for path in untracked.split("\0") if path})
    return changed


def _stack_directory(project_dir: Path, git_ref: GitRef) -> str:
    """The project's stack-file directory relative to the repository's top (``stacks``, ``infra/stacks``)."""
    from .stack_config import stack_config_dir  # Pulumi.yaml read strictly: bad input is one error line

    return posixpath.normpath(posixpath.join(git_ref.prefix, stack_config_dir(Path(project_dir))))


def stack_of(path: str, stack_directory: str) -> str | None:
    """The stack whose file ``path`` is (``stacks/Pulumi.prod.yaml`` → ``prod``), or ``None``."""
    directory, name = posixpath.split(path)
    match = re.fullmatch(r"Pulumi\.(.+)\.yaml", name)
    return match[1] if match and posixpath.normpath(directory or ".") == stack_directory else None


def changed_stacks(project_dir: Path, ref: str) -> list[str]:
    """The stacks whose stack file was added, modified or deleted since ``ref`` (committed or not), sorted."""
    git_ref = resolve_ref(project_dir, ref)
    directory = _stack_directory(project_dir, git_ref)
    return sorted({stack for path in changed_files(git_ref) if (stack := stack_of(path, directory))})


def _project_name(project_dir: Path) -> str:
    from .stack_config import project_name

    return project_name(Path(project_dir))


def _config(data: Any, project: str) -> dict[str, Any]:
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        return {}
    return {str(key) if ":" in str(key) else f"{project}:{key}": value for key, value in config.items()}


def _show_config(value: Any) -> str:
    return "[secret]" if isinstance(value, dict) and "secure" in value else _show(value)


def stack_file_problems(project_dir: Path, git_ref: GitRef, files: Mapping[str, str]) -> list[str]:
    """Every change of the changed stack files other than an image tag's value: a key of another namespace
    (``aws:region``, an added ``aws:profile``), a project key added or removed, anything outside ``config:``."""
    from .input_files import read_text, yaml_data, yaml_node

    def data(text: str, name: str) -> Any:  # read strictly: a key twice, an alias bomb or bad bytes is one error line
        return yaml_data(yaml_node(text, name, ReleaseDiffError), name, ReleaseDiffError) or {}

    directory, project = _stack_directory(project_dir, git_ref), _project_name(project_dir)
    problems = []
    for path, status in sorted(files.items()):
        if stack_of(path, directory) is None:
            continue
        if status in ("added", "untracked", "deleted"):
            problems.append(f"{path}: {status} (a stack file added or deleted is more than a tag change)")
            continue
        old = data(_git(git_ref.top, "show", f"{git_ref.commit}:{path}"), f"{path} at {git_ref.ref}")
        new = data(read_text(git_ref.top / path, path, ReleaseDiffError, "fix the file"), path)
        if not isinstance(old, dict) or not isinstance(new, dict):
            problems.append(f"{path}: {_show(old)} → {_show(new)}")
            continue
        for key in sorted(set(old) | set(new), key=str):
            if key != "config" and old.get(key) != new.get(key):
                problems.append(f"{path}: {key}: {_show_config(old.get(key))} → {_show_config(new.get(key))}")
        old_config, new_config = _config(old, project), _config(new, project)
        for key in sorted(set(old_config) | set(new_config)):
            before, after = old_config.get(key), new_config.get(key)
            is_tag = key.startswith(f"{project}:") and key in old_config and key in new_config
            if before != after and not is_tag:
                problems.append(f"{path}: config {key}: {_show_config(before)} → {_show_config(after)}")
    return problems


# --- recording the sides --------------------------------------------------------------------------------


_RECORD_SCRIPT = r"""
import json, sys
from pathlib import Path

def fail(error):
    names = {cls.__name__ for cls in type(error).__mro__}
    message = str(error) if "EcsReleaseError" in names else f"{type(error).__name__}: {error}"
    print("error: " + " ".join(message.split()), file=sys.stderr)
    sys.exit(2)

try:
    from components import offline
    stack, overrides, target = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    resources = offline.run_program(Path.cwd(), stack, overrides)
    if hasattr(offline, "stack_outputs"):
        outputs = offline.stack_outputs()
    else:  # a tree older than stack_outputs; this process ran one program, so the root stack is its own
        import pulumi
        from pulumi.runtime.settings import get_root_resource
        from pulumi.runtime.sync_await import _sync_await
        outputs = _sync_await(pulumi.Output.from_input(dict(get_root_resource().outputs)).future())
except Exception as error:
    fail(error)
record = {"resources": [{"type": r.type, "name": r.name, "inputs": r.inputs} for r in resources], "outputs": outputs}
Path(target).write_text(json.dumps(record, default=repr))
"""
"""Run in a tree, in its own process: record the stack with that tree's ``components`` (or the installed ones)."""


def record_stack(project_dir: Path, stack: str, overrides: Mapping[str, str] | None = None) -> Record:
    """Record what ``stack``'s program registers and exports, in this process."""
    from .offline import run_program, stack_outputs

    resources = run_program(Path(project_dir), stack, overrides)
    record = {"resources": [{"type": r.type, "name": r.name, "inputs": r.inputs} for r in resources], "outputs": stack_outputs()}
    return json.loads(json.dumps(record, default=repr))  # as a record from a process of its own reads


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


class _Recording:
    """:data:`_RECORD_SCRIPT` running in ``tree`` in a new interpreter (that tree's ``components`` first on
    ``sys.path``); :meth:`result` waits for its record. Its output goes to files in ``temporary``, so the
    process never blocks on a full pipe while this one records the other side."""

    def __init__(self, tree: Path, stack: str, overrides: Mapping[str, str], where: str, temporary: Path):
        self.stack, self.where, self.target, self.errors = stack, where, temporary / "record.json", temporary / "stderr"
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # that tree's modules only
        with self.errors.open("wb") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _RECORD_SCRIPT, stack, json.dumps(dict(overrides)), str(self.target)],
                cwd=tree, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            )

    def result(self) -> Record:
        try:
            code = self.process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            raise ReleaseDiffError(f"rendering stack {self.stack} {self.where}: no result after 300 s") from None
        if code != 0 or not self.target.is_file():
            lines = self.errors.read_text(errors="replace").strip().splitlines()
            reason = lines[-1] if lines and code != 0 else f"the program stopped before it finished (exit status {code})"
            raise ReleaseDiffError(f"rendering stack {self.stack} {self.where}: {reason.removeprefix('error: ')}")
        return json.loads(self.target.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


_RECORDED: dict[tuple[str, str, str], str] = {}
"""(commit, project prefix, stack) → the record, as JSON: a commit never changes, so it is recorded once per process."""


def _inside_the_tree(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's ``data`` filter, skipping what it refuses instead of failing the extraction: a committed link
    to an absolute path or out of the tree (a virtualenv's ``bin/python3``) is no part of the program, and
    is never followed."""
    try:
        return tarfile.data_filter(member, destination)
    except tarfile.FilterError:
        return None


def record_sides(
    project_dir: Path, stack: str, overrides: Mapping[str, str], git_ref: GitRef, isolated: bool
) -> tuple[Record, Record]:
    """The records of ``stack`` at the ref and now, side by side: the ref's in its own process from the commit's
    tree (``git archive``, extracted into a temporary directory); the side now in this process, or ``isolated``
    in a process of its own started in the project. Both processes are killed and their temporary directories
    removed when this returns or fails, SIGTERM included."""
    key = (git_ref.commit, git_ref.prefix, stack)
    with _exit_on_sigterm(), contextlib.ExitStack() as cleanup:
        at_ref = None
        if key not in _RECORDED:
            archive = subprocess.run(
                ["git", "-C", str(git_ref.top), "archive", "--format=tar", git_ref.commit, *(["--", git_ref.prefix] if git_ref.prefix else [])],
                capture_output=True, timeout=120,
            )
            if archive.returncode != 0:
                reason = (archive.stderr.decode(errors="replace").strip().splitlines() or [f"exit status {archive.returncode}"])[-1]
                raise ReleaseDiffError(f"git archive {git_ref.ref}: {reason}")
            temporary = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ecs-release-ref-")))
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(temporary / "tree", filter=_inside_the_tree)
            tree = temporary / "tree" / git_ref.prefix
            if not (tree / "Pulumi.yaml").is_file():
                raise ReleaseDiffError(f"{git_ref.ref} has no Pulumi project at {git_ref.prefix or '.'}; pick a later ref")
            at_ref = _Recording(tree, stack, {}, f"at {git_ref.ref}", temporary)
            cleanup.callback(at_ref.stop)
        if isolated:
            temporary = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ecs-release-now-")))
            now_recording = _Recording(Path(project_dir).resolve(), stack, overrides, "now", temporary)
            cleanup.callback(now_recording.stop)
            now = now_recording.result()
        else:
            now = record_stack(project_dir, stack, overrides)
        if at_ref is not None:
            _RECORDED[key] = json.dumps(at_ref.result())
        return json.loads(_RECORDED[key]), now


# --- the commands -----------------------------------------------------------------------------------------


def _code_changes(project_dir: Path, git_ref: GitRef) -> tuple[dict[str, str], list[str]]:
    """Changed files since the ref, and those of them that are not stack files."""
    files = changed_files(git_ref)
    directory = _stack_directory(project_dir, git_ref)
    return files, [path for path in sorted(files) if stack_of(path, directory) is None]


def diff_command(
    project_dir: Path, stack: str, overrides: Mapping[str, str], against_stack: str | None = None, against_ref: str | None = None
) -> tuple[str, int]:
    """``diff``: the text to print and the exit status (0 nothing differs, 1 something does)."""
    if against_stack is not None:
        old, new = record_stack(project_dir, against_stack), record_stack(project_dir, stack, overrides)
        old_side, new_side = f"stack {against_stack}", f"stack {stack}"
        follow = False
    else:
        git_ref = resolve_ref(project_dir, against_ref or "HEAD")
        _, code = _code_changes(project_dir, git_ref)
        old, new = record_sides(project_dir, stack, overrides, git_ref, isolated=bool(code))
        old_side, new_side = f"{stack} at {git_ref.ref}", f"{stack} now"
        follow = True
    if overrides:
        new_side += " with " + " ".join(f"{key}={value}" for key, value in overrides.items())
    diffs = diff_sides(side_from_record(old), side_from_record(new), follow_revisions=follow)
    return format_diff(diffs, old_side, new_side), 1 if diffs else 0


def check_command(project_dir: Path, stack: str, against_ref: str) -> tuple[str, int]:
    """``check``: exit 1 listing every change other than an image tag or digest since ``against_ref``."""
    git_ref = resolve_ref(project_dir, against_ref)
    files, code = _code_changes(project_dir, git_ref)
    problems = [f"{path}: {files[path]} (not a stack file)" for path in code]
    problems += stack_file_problems(project_dir, git_ref, files)
    old, new = record_sides(project_dir, stack, {}, git_ref, isolated=bool(code))
    diffs = diff_sides(side_from_record(old), side_from_record(new))
    problems += non_image_changes(diffs)
    if problems:
        lines = [f"stack {stack} changes more than image tags since {against_ref} ({len(problems)}):"]
        return "\n".join(lines + [f"  {problem}" for problem in problems]), 1
    images = sum(len(diff.images) for diff in diffs)
    counted = f"{images} image{'' if images == 1 else 's'} changed"
    return f"ok: stack {stack} changes only image tags or digests since {against_ref} ({counted})", 0
