"""Image references, tag values and the stack-config keys that carry them.

The spec fixes each container's image *repository*; the stack config supplies only the
*version*: a Docker tag or a ``sha256:`` digest. This module parses references the way
the Docker reference grammar does (a ``:port`` on the registry is not a tag) and
checks version values before anything is rendered.

See https://github.com/distribution/reference/blob/main/reference.go for the grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import SpecError

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?"
REPOSITORY_PATTERN = re.compile(rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*")
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
TAG_RULE = "a tag is 1-128 of A-Z a-z 0-9 _ . - and does not start with . or -"
DIGEST_RULE = "a digest is sha256: followed by 64 lowercase hex digits"


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference: ``repository[:tag][@digest]``."""

    repository: str
    """Everything before the tag or digest, registry and port included (``registry:5000/team/app``)."""
    tag: str | None = None
    """The tag, if the reference has one. Default: none."""
    digest: str | None = None
    """The digest (``sha256:…``), if the reference has one. Default: none."""

    @classmethod
    def parse(cls, reference: str) -> "ImageReference":
        """Split a reference into repository, tag and digest.

        A colon counts as a tag separator only after the last ``/``, so the port in
        ``registry.example.com:5000/team/app`` stays part of the repository.
        """
        name, _, digest = reference.partition("@")
        slash = name.rfind("/")
        colon = name.rfind(":")
        if colon > slash:
            return cls(name[:colon], name[colon + 1 :], digest or None)
        return cls(name, None, digest or None)

    def with_version(self, version: str) -> "ImageReference":
        """The same repository at ``version``, a tag or a ``sha256:`` digest (validated by the caller)."""
        if version.startswith("sha256:"):
            return ImageReference(self.repository, None, version)
        return ImageReference(self.repository, version, None)

    @property
    def is_valid_repository(self) -> bool:
        """Whether the repository part follows the Docker grammar (a ``<placeholder>`` or ``""`` does not)."""
        return bool(REPOSITORY_PATTERN.fullmatch(self.repository))

    @property
    def version(self) -> str | None:
        """The digest if there is one, else the tag: what a stack config value holds."""
        return self.digest or self.tag

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def version_problem(value: str) -> str | None:
    """Why ``value`` is not a usable tag or digest, or ``None`` when it is one."""
    if value == "":
        return "is empty"
    if value.startswith(("sha256:", "sha384:", "sha512:")) or "@" in value:
        if DIGEST_PATTERN.fullmatch(value):
            return None
        return f'"{value}" is not a valid digest ({DIGEST_RULE})'
    if len(value) > 128:
        return f'"{value[:20]}…" is {len(value)} characters long; a tag has at most 128'
    if not TAG_PATTERN.fullmatch(value):
        return f'"{value}" is not a valid image tag ({TAG_RULE}, or {DIGEST_RULE})'
    return None


def tag_key(container_name: str) -> str:
    """The stack-config key of a container: its name in lowerCamelCase plus ``Tag``.

    ``web`` → ``webTag``, ``log_router`` → ``logRouterTag``, ``api-gateway`` → ``apiGatewayTag``.
    """
    parts = [part for part in re.split(r"[_\-]+", container_name) if part]
    if not parts:
        raise SpecError(f'container name "{container_name}" has no letters or digits to name a tag key; rename it')
    head, *tail = parts
    return head[0].lower() + head[1:] + "".join(part[0].upper() + part[1:] for part in tail) + "Tag"


def tag_keys(container_names: Iterable[str], share: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map each container name to the stack-config key that holds its image version.

    ``share`` lets containers that run the same repository use one key: ``{"migrate": "web"}``
    makes ``migrate`` read ``webTag``. Two containers whose names fold to the same key
    without such a declaration are an error, so a key never silently drives two images.
    """
    names = list(container_names)
    share = dict(share or {})
    problems = [
        f'share names container "{name}", which the task definition lacks; use one of: {", ".join(sorted(names))}'
        for pair in share.items()
        for name in pair
        if name not in names
    ]
    keys: dict[str, str] = {}
    owners: dict[str, str] = {}
    for name in names:
        if name in share:
            continue
        key = tag_key(name)
        if key in owners:
            problems.append(
                f'containers "{owners[key]}" and "{name}" both map to config key {key}; '
                f'rename one, or declare share={{"{name}": "{owners[key]}"}} if they run the same repository'
            )
        owners[key] = name
        keys[name] = key
    for name, owner in share.items():
        if owner in keys:
            keys[name] = keys[owner]
        elif owner in names:
            problems.append(f'share maps "{name}" to "{owner}", which itself shares a key; point it at the owning container')
    if problems:
        raise SpecError(problems)
    return {name: keys[name] for name in names if name in keys}


def container_tag_keys(container_names: Iterable[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Container name → its stack-config key: :func:`tag_key` of each name, then ``given`` over them."""
    return {**{name: tag_key(name) for name in container_names if name}, **(given or {})}
