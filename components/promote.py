"""``promote``: copy image tags from one stack file to another, nothing else in the file changed.

``promote --from staging --to prod [--only webTag ...] [--dry-run]``:

1. reads the project's keys of both stack files (``aws:region`` and other namespaces are never
   copied); a key the target file does not declare is refused, so a typo or a new container
   cannot slip into prod unreviewed. A promoted key whose value is a secret (``secure:``) in
   either file is refused without printing the ciphertext; a target that is read-only, or whose
   ``config:`` is not a mapping, is refused before anything else runs;
2. runs the target's program with the new values under the mock runtime, so everything the
   program refuses (a malformed tag, ``latest`` in production) is refused before the file changes;
3. when the target pins digests (its program looked images up in ECR), checks each promoted tag
   against what the source stack really runs. The source's ECS services are the
   ``aws:ecs/service:Service`` resources its program registers (found by type, read through their
   ``name`` and ``cluster`` inputs; a cluster the stack creates or looks up is asked for by name).
   For each, DescribeServices gives the revision its PRIMARY deployment runs, and that deployment's
   rollout must be COMPLETED; DescribeTaskDefinition of that exact revision (``include=TAGS``) gives
   the digests it runs (the image ``repository@sha256:…`` and its ``image.<container>.tag`` tag).
   The family's newest ACTIVE revision does not count: after a failed rollout that the circuit
   breaker rolled back, it is still ACTIVE but runs nowhere. Refused, each naming the service and
   revision: a service missing or still rolling out, a promoted tag no service runs (with the
   newer revision that has it, if any), and a tag pushed again to ECR since the source deployed it.
   When the source does not pin digests there is nothing to compare: promote says so and the
   target pins at its next preview;
4. writes the target file: only each promoted value's span in the text is replaced (found through
   ruamel.yaml's node positions), in the value's own quoting (a plain value that would read back as
   a number is double-quoted), so line endings, indentation, ``---``/``...`` markers, comments
   and key order stay byte for byte; the result is parsed again and must differ only in those
   values. The write is atomic: a temporary file in the same directory, flushed and fsynced,
   given the target's permission bits, renamed over the target. On any failure the file is as
   it was. ``--dry-run`` does everything but the write and prints the same changes.

Every refusal is one :class:`PromoteError` (one ``error:`` line, exit status 2 in the CLI).
AWS is reached only in step 3, with the stack's AWS provider settings (:mod:`components.aws_clients`):
the source's ECS services with the source stack's ``aws:region``, ``aws:profile``, ``aws:assumeRoles``
and ``aws:endpoints``, ECR with the target stack's (the account whose provider will pin the digest).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .aws_clients import aws_client
from .errors import EcsReleaseError
from .images import ImageReference
from .input_files import yaml_data, yaml_node

ClientFactory = Callable[[str, str], Any]
"""(service, region) → a boto3 client."""


class PromoteError(EcsReleaseError):
    """A promotion is refused: unknown, undeclared or secret keys, an unwritable target, or a source that does not run what is promoted."""


@dataclass(frozen=True)
class ImageKey:
    """An ECR image by tag: what a pinning stack resolves."""

    registry_id: str
    region: str
    name: str
    tag: str

    def __str__(self) -> str:
        return f"{self.name}:{self.tag}"


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip: used to read the keys as written and their value nodes' positions
    yaml.preserve_quotes = True
    return yaml


def _read_text(path: Path) -> str:
    """The file's text exactly as stored: no newline translation, so CRLF stays CRLF."""
    return path.read_bytes().decode("utf-8")


def _written_keys(config: Mapping[str, Any], project: str) -> dict[str, str]:
    """Project key (``webTag``) → the key as written in the file (``ecs-release:webTag`` or ``webTag``)."""
    keys = {}
    for written in config:
        namespace, colon, key = str(written).rpartition(":")
        if not colon:
            keys[key] = written
        elif namespace == project:
            keys[key] = written
    return keys


def _kind(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}" if value is not None else "empty"


def _load(path: Path, name: str) -> Any:
    """The stack file's round-trip data, its ``config:`` a mapping (an absent or empty ``config:`` is an empty one)."""
    try:
        text = _read_text(path)
        yaml_data(yaml_node(text, name, PromoteError), name, PromoteError)  # strictly: no duplicate key, bounded aliases
        data = _yaml().load(text)
    except PromoteError:
        raise
    except OSError as error:
        raise PromoteError(f"{name}: cannot read it ({error.strerror or error}); check the file's permissions") from None
    except Exception as error:  # ruamel raises several unrelated types
        raise PromoteError(f"{name}: not valid YAML ({str(error).splitlines()[0]}); fix the file") from None
    if data is None or not hasattr(data, "get"):
        raise PromoteError(f"{name}: the file is {_kind(data)}, not a mapping with a config: key; create the stack's settings with pulumi config set")
    config = data.get("config")
    if config is not None and not hasattr(config, "items"):
        raise PromoteError(
            f"{name}: config: is {_kind(config)}, not a mapping of keys to values; "
            "write one indented key: value line per setting under config: (the file is left as it is)"
        )
    return data


def _is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and "secure" in value


def _secure_problem(key: str, stack: str, name: str) -> str:
    return (
        f"{key} is a secret (secure:) in {name}; image tags are plain config and promote never copies or "
        f"overwrites a secret: make it plain with pulumi config set {key} <tag> --plaintext --stack {stack}, "
        "or leave it out with --only"
    )


def _plain_ok(value: str) -> bool:
    """Whether ``value`` written without quotes reads back as the same string (YAML 1.1 and 1.2 alike)."""
    import yaml as pyyaml

    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", value):
        return False
    from ruamel.yaml import YAML

    return pyyaml.safe_load(f"k: {value}") == {"k": value} and YAML(typ="safe", pure=True).load(f"k: {value}") == {"k": value}


def _scalar(value: str, style: str | None) -> str:
    """``value`` written in ``style`` (ruamel's: ``'``, ``"`` or ``None`` for plain), double-quoted when plain would misread."""
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style is None and _plain_ok(value):
        return value
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def set_values(text: str, project: str, values: Mapping[str, str], name: str = "the stack file", stack: str = "<stack>") -> str:
    """``text`` (a stack file) with each project key of ``values`` set, every other byte as it was.

    Only each value's span in the text is replaced (located through ruamel.yaml's node marks), in
    the value's own quoting; the result is parsed again and must equal the original with just
    those values changed. A ``secure:`` value, a block scalar or a missing key is a :class:`PromoteError`.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    try:
        root = YAML().compose(text)
    except Exception as error:
        raise PromoteError(f"{name}: not valid YAML ({str(error).splitlines()[0]}); fix the file") from None
    config = None
    if isinstance(root, MappingNode):
        config = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "config"), None)
    if not isinstance(config, MappingNode):
        raise PromoteError(f"{name}: config: is not a mapping of keys to values; fix the file (it is left as it is)")
    nodes = {}
    for key_node, value_node in config.value:
        namespace, colon, key = str(key_node.value).rpartition(":")
        if key in values and (not colon or namespace == project):
            nodes[key] = value_node
    edits = []
    for key, value in values.items():
        node = nodes.get(key)
        if node is None:
            raise PromoteError(f"{key}: {name} does not declare it; add it after review with: pulumi config set {key} <tag> --stack {stack}")
        if isinstance(node, MappingNode) and any(getattr(k, "value", None) == "secure" for k, _ in node.value):
            raise PromoteError(_secure_problem(key, stack, name))
        if not isinstance(node, ScalarNode) or node.style not in (None, "'", '"'):
            raise PromoteError(f'{key} in {name} is not written as a plain or quoted string; write it as {key}: "<tag>" and promote again')
        edits.append((node.start_mark.index, node.end_mark.index, _scalar(value, node.style)))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    _check_only_values_changed(text, out, project, values, name)
    return out


def _check_only_values_changed(before: str, after: str, project: str, values: Mapping[str, str], name: str) -> None:
    """Parse both texts (as ``stack_config`` does): ``after`` must be ``before`` with exactly ``values`` set."""
    import yaml as pyyaml

    expected = pyyaml.safe_load(before)
    config = expected["config"]
    written = _written_keys(config, project)
    for key, value in values.items():
        config[written[key]] = value
    try:
        result = pyyaml.safe_load(after)
    except pyyaml.YAMLError:
        result = None
    if result != expected:
        raise PromoteError(
            f"{name}: cannot set {', '.join(values)} in place without changing anything else (an anchor, alias or "
            "tag on the value?); set the values with pulumi config set instead"
        )


def _write_problem(path: Path, name: str) -> str | None:
    """Why ``path`` must not be replaced: read-only (no write bit, or no write access)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        return f"{name} is read-only (mode {mode:04o}); make it writable (chmod u+w {name}) and promote again, the file is left as it is"
    return None


def write_atomically(path: Path, text: str, name: str) -> None:
    """Replace ``path``'s content with ``text``: a temporary file in the same directory, flushed and
    fsynced, given the target's permission bits, then renamed over it. On any failure the target
    is untouched and the temporary file removed."""
    path = Path(os.path.realpath(path))  # a symlinked stack file: replace the file it points to, keep the link
    mode = stat.S_IMODE(path.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".promote.tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(error, OSError):
            raise PromoteError(f"cannot write {name}: {error.strerror or error}; the file is left as it is, fix that and promote again") from None
        raise
    try:  # make the rename itself durable
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass


def _lookups(mocks) -> set[ImageKey]:
    return {ImageKey(l.get("registryId", ""), l.get("region", ""), l.get("repositoryName", ""), l.get("imageTag", "")) for l in mocks.image_lookups}


SERVICE_TYPE = "aws:ecs/service:Service"
CLUSTER_TYPE = "aws:ecs/cluster:Cluster"
GET_CLUSTER = "aws:ecs/getCluster:getCluster"


def _source_mocks(region: str):
    """Mocks that record what :class:`~components.offline.RecordingMocks` does, plus the cluster ARNs the mock
    runtime made up (a cluster the stack creates, or looks up by name) → the cluster's name (``None`` when
    Pulumi names it): those ARNs hold the mock account, so AWS is asked by name, in the caller's account."""
    from .offline import RecordingMocks

    class SourceMocks(RecordingMocks):
        def __init__(self) -> None:
            super().__init__(region=region)
            self.made_up_clusters: dict[str, str | None] = {}

        def new_resource(self, args):
            resource_id, outputs = super().new_resource(args)
            if args.typ == CLUSTER_TYPE and isinstance(outputs.get("arn"), str):
                name = args.inputs.get("name")
                self.made_up_clusters[outputs["arn"]] = name if _known(name) else None
            return resource_id, outputs

        def call(self, args):
            answer = super().call(args)
            outputs = answer[0] if isinstance(answer, tuple) else answer
            if args.token == GET_CLUSTER and isinstance(outputs.get("arn"), str):
                self.made_up_clusters[outputs["arn"]] = args.args.get("clusterName")
            return answer

    return SourceMocks()


def _known(value: Any) -> bool:
    from pulumi.runtime.rpc import UNKNOWN

    return isinstance(value, str) and bool(value) and value != UNKNOWN


@dataclass(frozen=True)
class SourceService:
    """An ECS service the source stack's program registers: its name and cluster as DescribeServices takes them."""

    resource: str
    """The program's logical name for it (messages only; services are found by type, not by this name)."""
    name: str
    cluster: str


def source_services(resources, made_up_clusters: Mapping[str, str | None], stack: str) -> list[SourceService]:
    """Every ``aws:ecs/service:Service`` the program registered, by type, with its ``name`` and ``cluster`` inputs."""
    services, problems = [], []
    for resource in resources:
        if resource.type != SERVICE_TYPE:
            continue
        name, cluster = resource.inputs.get("name"), resource.inputs.get("cluster")
        if cluster in (None, ""):
            cluster = "default"  # ECS's default cluster, as for a service created without one
        elif _known(cluster) and cluster in made_up_clusters:
            cluster = made_up_clusters[cluster]
        if not _known(name) or not _known(cluster):
            problems.append(
                f"ECS service {resource.name} of stack {stack}: its {'name' if not _known(name) else 'cluster'} is only "
                "known after deployment (Pulumi names it), so promote cannot ask AWS what it runs; give the service a fixed name in its settings"
            )
            continue
        services.append(SourceService(resource.name, name, cluster))
    if problems:
        raise PromoteError(problems)
    if not services:
        raise PromoteError(
            f"stack {stack} registers no ECS service ({SERVICE_TYPE}), so what it runs cannot be verified; "
            "promote from a stack that runs the images"
        )
    return sorted(services, key=lambda service: service.resource)  # the program registers them concurrently


def _revision(arn: str) -> str:
    """``family:revision`` of a task-definition ARN."""
    return str(arn).rsplit("/", 1)[-1]


def pinned_images(described: Mapping[str, Any]) -> dict[ImageKey, str]:
    """(ECR image, tag) → digest of each container a DescribeTaskDefinition answer (``include=TAGS``) runs pinned:
    the image ``repository@sha256:…`` and its ``image.<container>.tag`` tag."""
    from .pinning import parse_ecr

    tags = {tag.get("key"): tag.get("value") for tag in described.get("tags", [])}
    pins: dict[ImageKey, str] = {}
    for container in described["taskDefinition"].get("containerDefinitions", []):
        reference = ImageReference.parse(container.get("image", ""))
        tag = tags.get(f"image.{container.get('name')}.tag")
        ecr = parse_ecr(reference.repository)
        if reference.digest and tag and ecr:
            pins[ImageKey(ecr.registry_id, ecr.region, ecr.name, tag)] = reference.digest
    return pins


@dataclass(frozen=True)
class Running:
    """What a source service's PRIMARY deployment runs, its rollout COMPLETED."""

    service: SourceService
    task_definition_arn: str
    images: dict[ImageKey, str]

    @property
    def revision(self) -> str:
        return _revision(self.task_definition_arn)


def _error_code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def running_revisions(services: Sequence[SourceService], region: str, client: ClientFactory, stack: str) -> list[Running]:
    """The revision each service's PRIMARY deployment runs (DescribeServices) and its pinned images
    (DescribeTaskDefinition of that exact ARN, ``include=TAGS``). A service that is missing, has no PRIMARY
    deployment, or whose PRIMARY rollout is not COMPLETED is a :class:`PromoteError` naming it."""
    ecs = client("ecs", region)
    deploy = f"pulumi up --stack {stack}"
    problems: list[str] = []
    primaries: list[tuple[SourceService, str]] = []
    by_cluster: dict[str, list[SourceService]] = {}
    for service in services:
        by_cluster.setdefault(service.cluster, []).append(service)
    for cluster, group in by_cluster.items():
        for start in range(0, len(group), 10):  # DescribeServices takes at most 10 services
            chunk = group[start : start + 10]
            try:
                answer = ecs.describe_services(cluster=cluster, services=[service.name for service in chunk])
            except Exception as error:
                if _error_code(error) != "ClusterNotFoundException":
                    raise
                problems += [f"service {s.name}: cluster {cluster} not found; deploy stack {stack} first: {deploy}" for s in chunk]
                continue
            found = {described.get("serviceName"): described for described in answer.get("services", [])}
            for service in chunk:
                described = found.get(service.name)
                if described is None or described.get("status") != "ACTIVE":
                    state = described.get("status") if described else "MISSING"
                    problems.append(f"service {service.name} is not in cluster {cluster} ({state}); deploy stack {stack} first: {deploy}")
                    continue
                primary = next((d for d in described.get("deployments", []) if d.get("status") == "PRIMARY"), None)
                if primary is None or not primary.get("taskDefinition"):
                    controller = described.get("deploymentController", {}).get("type", "ECS")
                    problems.append(
                        f"service {service.name} (cluster {cluster}) has no PRIMARY deployment (deployment controller {controller}); "
                        "promote verifies services that ECS deploys itself"
                    )
                    continue
                state = primary.get("rolloutState") or "(no rollout state)"
                if state != "COMPLETED":
                    problems.append(
                        f"service {service.name} (cluster {cluster}): its PRIMARY deployment runs {_revision(primary['taskDefinition'])} "
                        f"and its rollout is {state}, not COMPLETED; wait until it completes "
                        f"(aws ecs wait services-stable --cluster {cluster} --services {service.name}), then promote again"
                    )
                    continue
                primaries.append((service, primary["taskDefinition"]))
    if problems:
        raise PromoteError(problems)
    return [
        Running(service, arn, pinned_images(ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])))
        for service, arn in primaries
    ]


def _newer_revision_hint(image: ImageKey, running: Sequence[Running], region: str, client: ClientFactory) -> str:
    """When a family's newest ACTIVE revision has ``image`` but a service runs an older one: say so."""
    ecs = client("ecs", region)
    for each in running:
        family = each.revision.rsplit(":", 1)[0]
        try:
            newest = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        except Exception:
            continue
        arn = newest["taskDefinition"].get("taskDefinitionArn", "")
        if arn != each.task_definition_arn and image in pinned_images(newest):
            return (
                f"; {_revision(arn)}, the newest revision of {family}, has {image}, but service {each.service.name}'s "
                "PRIMARY deployment does not run it (its rollout failed and was rolled back?)"
            )
    return ""


def _not_run_problem(image: ImageKey, running: Sequence[Running], stack: str, hint: str) -> str:
    same = [r for r in running if any((i.registry_id, i.name) == (image.registry_id, image.name) for i in r.images)]
    runs = "; ".join(
        f"service {r.service.name} runs {r.revision} ("
        + (", ".join(sorted(str(i) for i in r.images if (i.registry_id, i.name) == (image.registry_id, image.name))) or f"no pinned tag of {image.name}")
        + ")"
        for r in same or running
    )
    return (
        f"{image}: stack {stack} does not run it: {runs}{hint}; deploy it to {stack} and let the rollout complete first: "
        f"pulumi up --stack {stack}"
    )


def current_digest(image: ImageKey, client: ClientFactory) -> str:
    """The digest ECR holds for the tag now."""
    found = client("ecr", image.region).describe_images(
        registryId=image.registry_id, repositoryName=image.name, imageIds=[{"imageTag": image.tag}]
    )
    return found["imageDetails"][0]["imageDigest"]


def _aws_reason(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _stack_clients(source: str, source_config: Mapping[str, Any], target: str, target_config: Mapping[str, Any]) -> ClientFactory:
    """ECS as the source stack's AWS provider reaches it (what the source runs), ECR as the target's (what it will pin)."""
    from .aws_clients import AwsSettings

    settings = {"source": AwsSettings.from_config(source_config, f"stack {source}: "), "target": AwsSettings.from_config(target_config, f"stack {target}: ")}
    return lambda service, region: aws_client(service, settings["source" if service == "ecs" else "target"], region=region)


def promote_command(
    project_dir: Path,
    source: str,
    target: str,
    only: Sequence[str] = (),
    client: ClientFactory | None = None,
    dry_run: bool = False,
) -> tuple[str, int]:
    """Copy ``source``'s tag values into ``target``'s stack file; returns the text to print and 0.

    With ``dry_run`` everything is checked and the changes are printed, but the file is not written.
    """
    from .offline import RecordingMocks, run_program
    from .stack_config import project_name, stack_config, stack_file

    project_dir = Path(project_dir).resolve()
    if source == target:
        raise PromoteError(f"--from and --to are both {source}; promote between two stacks, e.g. --from staging --to prod")
    project = project_name(project_dir)
    source_path, target_path = stack_file(project_dir, source), stack_file(project_dir, target)
    source_name, target_name = str(source_path.relative_to(project_dir)), str(target_path.relative_to(project_dir))
    source_keys = _written_keys(_load(source_path, source_name).get("config") or {}, project)
    target_keys = _written_keys(_load(target_path, target_name).get("config") or {}, project)
    source_config, target_config = stack_config(project_dir, source), stack_config(project_dir, target)
    source_tags = {key: source_config[f"{project}:{key}"] for key in source_keys}
    target_tags = {key: target_config[f"{project}:{key}"] for key in target_keys}

    problems = []
    keys = []
    for requested in only or sorted(source_tags):
        key = requested.removeprefix(f"{project}:")
        if key not in source_tags:
            problems.append(f"--only {requested}: stack {source} has no such key; use one of: {', '.join(sorted(source_tags))}")
        elif key not in target_tags:
            problems.append(
                f"{key}: stack {target} does not declare it ({target_name}); "
                f"add it after review with: pulumi config set {key} <tag> --stack {target}, or leave it out with --only"
            )
        elif _is_secure(source_tags[key]):  # never print the ciphertext, never write it as plain text
            problems.append(_secure_problem(key, source, source_name))
        elif _is_secure(target_tags[key]):
            problems.append(_secure_problem(key, target, target_name))
        elif not isinstance(source_tags[key], str):
            problems.append(f"{key} for stack {source} is {_kind(source_tags[key])}, not a string; quote it in {source_name}")
        elif key not in keys:
            keys.append(key)
    if problems:
        raise PromoteError(problems)
    changes = {key: (target_tags[key], source_tags[key]) for key in keys if target_tags[key] != source_tags[key]}
    heading = f"promote {source} → {target} ({target_name})"
    if not changes:
        return f"{heading}: nothing to change, {target} already has {source}'s " + ", ".join(keys), 0
    if not dry_run and (problem := _write_problem(target_path, target_name)):
        raise PromoteError(problem)  # before anything is run or asked of AWS
    text = _read_text(target_path)
    new_text = set_values(text, project, {key: new for key, (_, new) in changes.items()}, target_name, target)

    region = str(target_config.get("aws:region", "us-east-1"))
    after = RecordingMocks(region=region)
    run_program(project_dir, target, {key: new for key, (_, new) in changes.items()}, after)  # refuses what the program refuses
    notes = []
    if after.image_lookups:  # the target pins digests: what it will pin must be what the source pinned
        client = client or _stack_clients(source, source_config, target, target_config)
        before = RecordingMocks(region=region)
        run_program(project_dir, target, None, before)
        promoted = sorted(_lookups(after) - _lookups(before), key=str)
        source_region = str(source_config.get("aws:region", "us-east-1"))
        source_run = _source_mocks(source_region)
        resources = run_program(project_dir, source, None, source_run)
        if not source_run.image_lookups:
            notes += [f"  not verified: stack {source} does not pin digests; {target} pins {image} at its next preview" for image in promoted]
        elif promoted:
            services = source_services(resources, source_run.made_up_clusters, source)
            try:
                running = running_revisions(services, source_region, client, source)
            except PromoteError:
                raise
            except Exception as error:
                raise PromoteError(
                    f"cannot read what stack {source} deployed ({', '.join(s.name for s in services)}): {_aws_reason(error)}; "
                    "check your AWS credentials, or deploy the source stack first"
                ) from None
            for image in promoted:
                holders = [r for r in running if image in r.images]
                if not holders:
                    problems.append(_not_run_problem(image, running, source, _newer_revision_hint(image, running, source_region, client)))
                    continue
                digests = sorted({r.images[image] for r in holders})
                if len(digests) > 1:
                    problems.append(
                        f"{image}: the services of stack {source} run it as different digests ("
                        + ", ".join(f"{r.service.name} {r.revision}: {r.images[image]}" for r in holders)
                        + f"); redeploy {source} so they agree, then promote again"
                    )
                    continue
                pinned = digests[0]
                try:
                    now = current_digest(image, client)
                except Exception as error:
                    problems.append(f"{image}: cannot read its digest in ECR registry {image.registry_id} ({image.region}): {_aws_reason(error)}")
                    continue
                if now != pinned:
                    problems.append(
                        f"{image}: ECR now holds {now} for the tag, but stack {source} runs {pinned}: the tag was pushed again "
                        f"after {source} deployed it; promote an immutable tag, or redeploy and test {source} first"
                    )
                else:
                    where = ", ".join(f"{r.revision} in service {r.service.name}" for r in holders)
                    notes.append(f"  verified: {image} is {pinned} in ECR, as {source} runs it ({where}, rollout COMPLETED)")
            if problems:
                raise PromoteError(problems)

    if dry_run:
        heading += ": dry run, nothing written"
    else:
        if _read_text(target_path) != text:
            raise PromoteError(f"{target_name} changed while promote ran; promote again")
        write_atomically(target_path, new_text, target_name)
    lines = [heading]
    lines += [f"  {key}: {old} → {new}" for key, (old, new) in changes.items()]
    lines += [f"  {key}: {target_tags[key]} (unchanged)" for key in keys if key not in changes]
    return "\n".join(lines + notes), 0
