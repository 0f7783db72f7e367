"""Revision retention: keep the newest N ACTIVE revisions of a family, deregister older ones this stack registered.

Every ``pulumi up`` that registers a revision leaves the previous one ACTIVE (``skip_destroy``),
so a family grows without bound. :class:`RevisionRetention` is a Pulumi dynamic resource that
runs after the rollout (its ``current`` input is the new revision's ARN, and ``protect`` the rollout's
output) and, with boto3 and the stack's AWS provider settings (:mod:`components.aws_clients`):

1. lists the family's ACTIVE revisions (``ListTaskDefinitions``, exact family; AWS matches a prefix);
2. keeps the newest ``keep`` of them, whoever registered them;
3. keeps every revision something still uses: any service of the cluster (``ListServices`` +
   ``DescribeServices``: each deployment's task definition, so the source of a deployment in progress
   or paused at a gate too), the revisions of this service's deployments in progress
   (``ListServiceDeployments`` + ``DescribeServiceDeployments`` + ``DescribeServiceRevisions``, when
   one is), and the targets of EventBridge rules that run tasks in the cluster (scheduled tasks:
   ``ListRuleNamesByTarget`` + ``ListTargetsByRule``), besides ``current`` and ``protect``;
4. of the older ones, deregisters those whose ``release.stack`` tag names this stack
   (``ListTagsForResource``, at most once per revision: what it found is kept in the outputs;
   revisions registered by hand or by another tool stay).

Deregistering is housekeeping after a successful rollout, so it never fails ``pulumi up``: when what
uses a revision cannot be read, nothing is deregistered; when AWS keeps throttling (botocore's standard
retries, then backoff here) or refuses, the run stops. Either way the outputs record what was
deregistered and what is still ``pending``, Pulumi prints a warning, and the next ``pulumi up`` finishes
the job (a pending list makes it run again). Deleting the resource (or the stack) deregisters nothing.
Deregistered revisions become INACTIVE: running tasks keep running, but no new task or service can
start from them. :func:`revisions_to_deregister` is the pure selection.
"""

from __future__ import annotations

import re
import time
from typing import Any, Callable, Iterable, Mapping, Sequence

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult

from .aws_clients import aws_client
from .pinning import OWNER_TAG

_ARN = re.compile(r"arn:[^:]+:ecs:[^:]*:\d*:task-definition/(?P<family>[A-Za-z0-9_-]+):(?P<revision>\d+)")
INPUTS = ("family", "keep", "owner", "region", "current", "protect", "cluster", "service")
TYPE_TOKEN = "pulumi-python:dynamic:RevisionRetention"
ATTEMPTS = 4
"""Tries per call beyond botocore's own retries, with exponential backoff (1, 2, 4 s), on throttling and transient errors."""
IN_PROGRESS = ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"]


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


class Stop(Exception):
    """AWS refused or kept throttling: stop here, record what was done."""


def _retrying(call: Callable[[], Any], sleep: Callable[[float], None]) -> Any:
    from .rollout import retryable

    for attempt in range(ATTEMPTS):
        try:
            return call()
        except Exception as error:
            if not retryable(error) or attempt == ATTEMPTS - 1:
                raise Stop((str(error).strip().splitlines() or [type(error).__name__])[0]) from None
            sleep(2.0**attempt)


def in_use(ecs: Any, events: Any, cluster: str | None, service: str | None, family: str, sleep: Callable[[float], None]) -> set[str]:
    """Revisions of ``family`` something in ``cluster`` uses: a service's deployment, a deployment of ``service`` in
    progress, an EventBridge rule's ECS target. Raises :class:`Stop` when any of it cannot be read."""
    if not cluster:
        return set()
    used: set[str] = set()
    arns: list[str] = []
    request: dict[str, Any] = {"cluster": cluster, "maxResults": 100}
    while True:
        page = _retrying(lambda: ecs.list_services(**request), sleep)
        arns += page.get("serviceArns") or []
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    busy = False
    for start in range(0, len(arns), 10):  # DescribeServices takes at most 10 services
        chunk = arns[start : start + 10]
        for described in _retrying(lambda: ecs.describe_services(cluster=cluster, services=chunk), sleep).get("services") or []:
            for deployment in described.get("deployments") or []:
                used.add(deployment.get("taskDefinition", ""))
                if described.get("serviceName") == service and deployment.get("rolloutState") != "COMPLETED":
                    busy = True
    if busy:  # a deployment of this service is under way (or paused at a gate): every revision it involves stays
        listed = _retrying(lambda: ecs.list_service_deployments(cluster=cluster, service=service, status=IN_PROGRESS), sleep)
        deployments = [d["serviceDeploymentArn"] for d in listed.get("serviceDeployments") or []]
        revisions: list[str] = []
        for start in range(0, len(deployments), 20):
            chunk = deployments[start : start + 20]
            for item in _retrying(lambda: ecs.describe_service_deployments(serviceDeploymentArns=chunk), sleep).get("serviceDeployments") or []:
                revisions += [r["arn"] for r in [item.get("targetServiceRevision") or {}, *(item.get("sourceServiceRevisions") or [])] if r.get("arn")]
        for start in range(0, len(revisions), 20):
            chunk = revisions[start : start + 20]
            used |= {r.get("taskDefinition", "") for r in _retrying(lambda: ecs.describe_service_revisions(serviceRevisionArns=chunk), sleep).get("serviceRevisions") or []}
    rules: list[str] = []
    request = {"TargetArn": cluster}
    while True:
        page = _retrying(lambda: events.list_rule_names_by_target(**request), sleep)
        rules += page.get("RuleNames") or []
        if not page.get("NextToken"):
            break
        request["NextToken"] = page["NextToken"]
    for rule in rules:
        for target in _retrying(lambda: events.list_targets_by_rule(Rule=rule), sleep).get("Targets") or []:
            used.add((target.get("EcsParameters") or {}).get("TaskDefinitionArn", ""))
    return {arn for arn in used if (parse_revision(arn) or ("",))[0] == family}


def prune(
    props: Mapping[str, Any],
    client: Any = None,
    events: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    warn: Callable[[str], None] = pulumi.log.warn,
) -> dict[str, Any]:
    """Apply the retention rule to ``props["family"]``; returns the inputs with ``deregistered``, ``kept``,
    ``pending`` (still to deregister), ``complete`` (false when the run stopped early), ``ownership`` (revision →
    whether this stack registered it) and ``warning``."""
    settings = props.get("aws") or {"profile": props.get("profile")}
    ecs = client or aws_client("ecs", settings, region=props.get("region"))
    family, keep, owner = props["family"], int(props["keep"]), props["owner"]
    ownership: dict[str, bool] = dict(props.get("ownership") or {})
    deregistered: list[str] = []
    active: list[str] = []
    pending: list[str] = []
    warning, complete = None, False
    try:
        request: dict[str, Any] = {"familyPrefix": family, "status": "ACTIVE"}
        while True:
            page = _retrying(lambda: ecs.list_task_definitions(**request), sleep)
            active += page.get("taskDefinitionArns") or []
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        protected = {arn for arn in [props.get("current"), *(props.get("protect") or [])] if arn}
        candidates = older_than_kept(active, family, keep, protected)
        if candidates and props.get("cluster"):
            events = events or aws_client("events", settings, region=props.get("region"))
            protected |= in_use(ecs, events, props["cluster"], props.get("service"), family, sleep)
        for arn in older_than_kept(active, family, keep, protected):
            if arn not in ownership:  # one tag listing per revision, ever
                tags = _retrying(lambda: ecs.list_tags_for_resource(resourceArn=arn), sleep).get("tags") or []
                ownership[arn] = any(tag.get("key") == OWNER_TAG and tag.get("value") == owner for tag in tags)
        pending = revisions_to_deregister(active, family, keep, {arn for arn, ours in ownership.items() if ours}, protected)
        for arn in list(pending):
            _retrying(lambda: ecs.deregister_task_definition(taskDefinition=arn), sleep)
            deregistered.append(arn)
            pending.remove(arn)
        complete = True
    except Stop as stop:
        left = f"{len(pending)} more to deregister" if pending else "nothing deregistered beyond that"
        warning = f"revision retention of {family} stopped: {stop}; deregistered {len(deregistered)}, {left}; the next pulumi up tries again"
        warn(warning)
    kept = sorted((arn for arn in active if arn not in deregistered), key=lambda arn: (parse_revision(arn) or ("", 0))[1])
    still_active = set(kept)
    return {
        **{key: props.get(key) for key in (*INPUTS, "aws")},
        "deregistered": deregistered,
        "kept": kept,
        "pending": pending,
        "complete": complete,
        "ownership": {arn: ours for arn, ours in ownership.items() if arn in still_active},
        "warning": warning,
    }


class RetentionProvider(ResourceProvider):
    """Dynamic provider of :class:`RevisionRetention`: prunes on create, on every update, and again while work is pending."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['family']}-retention", outs=prune(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in INPUTS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed) or olds.get("complete") is False, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        known = olds.get("ownership") or {} if olds.get("owner") == news.get("owner") else {}
        return UpdateResult(outs=prune({**news, "ownership": known}))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Deleting the retention rule deregisters nothing."""


class RevisionRetention(Resource, name="RevisionRetention"):
    """Keeps the newest ``keep`` ACTIVE revisions of ``family`` and every revision in use; deregisters older ones owned by ``owner``."""

    deregistered: pulumi.Output[list[str]]
    """ARNs deregistered by the last run."""
    kept: pulumi.Output[list[str]]
    """ACTIVE ARNs left after the last run."""
    pending: pulumi.Output[list[str]]
    """ARNs the last run could not deregister yet (the next ``pulumi up`` tries again); empty when done."""

    def __init__(
        self,
        name: str,
        family: pulumi.Input[str],
        current: pulumi.Input[str],
        keep: int,
        owner: str,
        region: pulumi.Input[str],
        protect: Sequence[pulumi.Input[str]] = (),
        aws: Mapping[str, Any] | None = None,
        cluster: pulumi.Input[str] | None = None,
        service: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {
            "family": family, "current": current, "keep": keep, "owner": owner, "region": region, "protect": list(protect),
            "cluster": cluster, "service": service, "aws": dict(aws or {}),
            "deregistered": None, "kept": None, "pending": None, "complete": None, "ownership": None, "warning": None,
        }
        super().__init__(RetentionProvider(), name, props, opts)
