"""Read the files a user hands us — ``Pulumi.yaml``, stack files, task-definition files — strictly.

* **Only regular files.** A path is opened without blocking and its type checked before a byte is
  read, so a FIFO or a device is refused instead of hanging the command; more than
  :data:`MAX_BYTES` is refused.
* **UTF-8 text**, a byte-order mark allowed.
* **Duplicate keys are refused**, never "the last one wins": ruamel.yaml refuses them by default
  (https://yaml.dev/doc/ruamel.yaml/api/#Duplicate_keys), ``json.loads`` through its
  ``object_pairs_hook``.
* **Bounded**: before a YAML document is built, its parse events are counted with every alias
  expanded; more than :data:`MAX_NODES` values (an alias bomb), an alias inside its own anchor, or
  more than :data:`MAX_DEPTH` levels of nesting is refused. No stack or task-definition file comes
  near these bounds (the largest ECS task definition in our corpus has 255 values, 7 levels).

Every refusal is one error of the class the caller passes, naming the file, what is wrong and the fix.
"""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

from .errors import EcsReleaseError

MAX_BYTES = 1 << 20
"""Largest file read: 1 MiB."""
MAX_NODES = 100_000
"""Most values a YAML document may hold with its aliases expanded."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""

_FILE_KINDS = {
    stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket",
}


def read_text(path: Path, name: str, error: type[EcsReleaseError], fix: str) -> str:
    """The UTF-8 text of the regular file ``path``; ``name`` names it in errors, ``fix`` says what to give instead."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (open(2)).
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as reason:
        raise error(f"{name}: cannot read it ({reason.strerror or reason}); {fix}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise error(f"{name}: is {_FILE_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a regular file; {fix}")
    with os.fdopen(descriptor, "rb") as file:
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise error(f"{name}: larger than {MAX_BYTES // (1 << 20)} MiB, far more than such a file holds; {fix}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as reason:
        line = data[: reason.start].count(b"\n") + 1
        raise error(
            f"{name}: not UTF-8 text (byte 0x{data[reason.start]:02x} on line {line}); save the file as UTF-8"
        ) from None


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "somewhere"


def _check_events(text: str, name: str, error: type[EcsReleaseError]) -> None:
    """Refuse a document whose aliases expand past :data:`MAX_NODES` values, or nested past :data:`MAX_DEPTH`.

    Works on parse events (the parser is iterative: no recursion, nothing built): each alias counts
    the values of the node its anchor names.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

    sizes: dict[str, int] = {}  # anchor → values of its node, aliases expanded
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, values counted before it) of each open collection
    count = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, ScalarEvent):
            count += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise error(
                    f"{name}: the alias *{event.anchor} ({_where(event.start_mark)}) is inside the node its anchor names, "
                    "an endless value; write the values out"
                )
            count += sizes.get(event.anchor, 1)
        elif isinstance(event, CollectionStartEvent):
            open_nodes.append((event.anchor, count))
            count += 1
            if len(open_nodes) > MAX_DEPTH:
                raise error(f"{name}: nested more than {MAX_DEPTH} levels deep ({_where(event.start_mark)}); fix the file")
        elif isinstance(event, CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor:
                sizes[anchor] = count - before
        if count > MAX_NODES:
            raise error(
                f"{name}: more than {MAX_NODES} values once its aliases are expanded ({_where(event.start_mark)}); "
                "write the values out instead of nesting aliases"
            )


def yaml_node(text: str, name: str, error: type[EcsReleaseError], kind: str = "YAML", fix: str = "fix the file") -> Any:
    """The checked YAML node graph of ``text`` (one document; ``None`` when empty). ``kind`` and ``fix``
    word the syntax error: ``{name}: not valid {kind} (line, column: problem); {fix}``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        _check_events(text, name, error)
        with warnings.catch_warnings():  # a reused anchor is valid YAML; ruamel warns about it on stderr
            warnings.simplefilter("ignore")
            return YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as reason:
        problem = ", ".join(part.strip() for part in (reason.context, reason.problem) if part)
        raise error(f"{name}: not valid {kind} ({_where(reason.problem_mark or reason.context_mark)}: {problem}); {fix}") from None
    except YAMLError as reason:
        raise error(f"{name}: not valid {kind} ({str(reason).splitlines()[0]}); {fix}") from None


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*)" with value "(?P<value>.*)" \(original value: "(?P<first>.*)"\)')


def yaml_data(node: Any, name: str, error: type[EcsReleaseError]) -> Any:
    """The Python value of a node from :func:`yaml_node` (YAML 1.2 safe types); a duplicate key is refused."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError

    if node is None:
        return None
    try:
        return YAML(typ="safe", pure=True).constructor.construct_document(node)
    except DuplicateKeyError as reason:
        found = _DUPLICATE.search(reason.problem or "")
        what = f'key "{found["key"]}" twice ("{found["first"]}" and "{found["value"]}")' if found else "a key twice"
        raise error(f"{name}: gives {what} ({_where(reason.problem_mark)}); keep one, YAML does not allow both") from None
    except MarkedYAMLError as reason:
        raise error(f"{name}: not valid YAML ({_where(reason.problem_mark)}: {(reason.problem or '').strip()}); fix the file") from None


def load_yaml(text: str, name: str, error: type[EcsReleaseError]) -> Any:
    """The Python value of a YAML document, checked as :func:`yaml_node` and :func:`yaml_data` check it."""
    return yaml_data(yaml_node(text, name, error), name, error)


def load_json(text: str, name: str, error: type[EcsReleaseError]) -> Any:
    """``json.loads`` that refuses a key given twice in one object and nesting past :data:`MAX_DEPTH`.

    Raises ``ValueError`` when ``text`` is not JSON at all, so that a caller can try YAML next.
    """

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise error(
                    f'{name}: gives key "{key}" twice in one object ({json.dumps(seen[key])[:40]} and {json.dumps(value)[:40]}); '
                    "keep one, JSON parsers disagree on which wins"
                )
            seen[key] = value
        return seen

    try:
        data = json.loads(text, object_pairs_hook=unique)
    except RecursionError:
        raise error(f"{name}: nested more than {MAX_DEPTH} levels deep; fix the file") from None
    if _depth(data) > MAX_DEPTH:
        raise error(f"{name}: nested more than {MAX_DEPTH} levels deep; fix the file")
    return data


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth + 1)
            pending += [(item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)]
    return deepest
