"""Revision retention: keep the newest N ACTIVE revisions of a family, deregister older ones this stack registered.

Every ``pulumi up`` that registers a revision leaves the previous one ACTIVE (``skip_destroy``),
so a family grows without bound. :class:`RevisionRetention` is a Pulumi dynamic resource that
runs after the new revision exists (its ``current`` input is the new revision's ARN, so it
updates exactly when a revision was registered) and, with boto3:

1. lists the family's ACTIVE revisions (``ListTaskDefinitions``, exact family; AWS matches a prefix);
2. keeps the newest ``keep`` of them, whoever registered them;
3. of the older ones, deregisters those whose ``release.stack`` tag names this stack
   (``ListTagsForResource``; revisions registered by hand or by another tool stay);
4. never deregisters ``current`` or any ARN in ``protect`` (e.g. the revision a service runs),
   even when they are older than the newest ``keep``.

Deleting the resource (or the stack) deregisters nothing. Deregistered revisions become
INACTIVE: running tasks keep running, but no new task or service can start from them.
:func:`revisions_to_deregister` is the pure selection.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from .aws_clients import aws_client
from .pinning import OWNER_TAG
_ARN = re.compile(r"arn:[^:]+:ecs:[^:]*:\d*:task-definition/(?P<family>[A-Za-z0-9_-]+):(?P<revision>\d+)")
INPUTS = ("family", "keep", "owner", "region", "current", "protect")
TYPE_TOKEN = "pulumi-python:dynamic:RevisionRetention"


def parse_revision(arn: str) -> tuple[str, int] | None:
    """``(family, revision)`` of a task-definition revision ARN, or ``None``."""
    match = _ARN.fullmatch(arn)
    return (match["family"], int(match["revision"])) if match else None


def revisions_to_deregister(active: Iterable[str], family: str, keep: int, owned: set[str], protected: set[str]) -> list[str]:
    """ARNs to deregister, oldest first: ACTIVE revisions of ``family`` beyond the newest ``keep``
    that are ``owned`` (registered by this stack) and not ``protected``."""
    revisions = sorted(
        ((parsed[1], arn) for arn in set(active) if (parsed := parse_revision(arn)) and parsed[0] == family), reverse=True
    )
    older = [arn for _, arn in revisions[max(keep, 1):]]
    return sorted((arn for arn in older if arn in owned and arn not in protected), key=lambda arn: parse_revision(arn)[1])


def older_than_kept(active: Iterable[str], family: str, keep: int, protected: set[str]) -> list[str]:
    """The candidates whose tags are worth reading: everything :func:`revisions_to_deregister` could return."""
    return revisions_to_deregister(active, family, keep, set(active), protected)


def prune(props: Mapping[str, Any], client: Any = None) -> dict[str, Any]:
    """Apply the retention rule to ``props["family"]``; returns the deregistered and kept ARNs."""
    ecs = client or aws_client("ecs", props.get("region"), props.get("profile"))
    family, keep = props["family"], int(props["keep"])
    protected = {arn for arn in [props.get("current"), *(props.get("protect") or [])] if arn}
    active: list[str] = []
    for page in ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status="ACTIVE"):
        active += page.get("taskDefinitionArns", [])
    candidates = older_than_kept(active, family, keep, protected)
    owned = set()
    for arn in candidates:
        tags = ecs.list_tags_for_resource(resourceArn=arn).get("tags", [])
        if any(tag.get("key") == OWNER_TAG and tag.get("value") == props["owner"] for tag in tags):
            owned.add(arn)
    deregistered = revisions_to_deregister(active, family, keep, owned, protected)
    for arn in deregistered:
        ecs.deregister_task_definition(taskDefinition=arn)
    kept = sorted((arn for arn in active if arn not in deregistered), key=lambda arn: (parse_revision(arn) or ("", 0))[1])
    return {**{key: props.get(key) for key in INPUTS}, "deregistered": deregistered, "kept": kept}


class RetentionProvider(ResourceProvider):
    """Dynamic provider of :class:`RevisionRetention`: prunes on create and on every update."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['family']}-retention", outs=prune(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in INPUTS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=prune(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Deleting the retention rule deregisters nothing."""


class RevisionRetention(Resource, name="RevisionRetention"):
    """Keeps the newest ``keep`` ACTIVE revisions of ``family``; deregisters older ones owned by ``owner``."""

    deregistered: pulumi.Output[list[str]]
    """ARNs deregistered by the last run."""
    kept: pulumi.Output[list[str]]
    """ACTIVE ARNs left after the last run."""

    def __init__(
        self,
        name: str,
        family: pulumi.Input[str],
        current: pulumi.Input[str],
        keep: int,
        owner: str,
        region: str,
        protect: Sequence[pulumi.Input[str]] = (),
        profile: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "family": family, "current": current, "keep": keep, "owner": owner, "region": region,
            "protect": list(protect), "profile": profile, "deregistered": None, "kept": None,
        }
        super().__init__(RetentionProvider(), name, props, opts)
