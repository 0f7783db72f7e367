"""``promote``: copy image tags from one stack file to another, the rest of the file untouched.

``promote --from staging --to prod [--only webTag ...]``:

1. reads the project's keys of both stack files (``aws:region`` and other namespaces are never
   copied); a key the target file does not declare is refused, so a typo or a new container
   cannot slip into prod unreviewed;
2. runs the target's program with the new values under the mock runtime, so everything the
   program refuses (a malformed tag, ``latest`` in production) is refused before the file changes;
3. when the target pins digests (its program looked images up in ECR), checks each promoted
   tag: the digest ECR holds for it now must be the one the source stack pinned, read from the
   source's deployed task definition (``describe-task-definition --include TAGS``: the image
   ``repository@sha256:…`` and its ``image.<container>.tag`` tag). A tag pushed again since the
   source deployed it, or a tag the source does not run, is refused. When the source does not
   pin digests there is nothing to compare: promote says so and the target pins at its next
   preview;
4. writes the target file with ruamel.yaml's round trip, so comments, key order and quoting stay
   as they were, and prints each change.

AWS is reached with boto3's default credentials (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, …) only in step 3.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .aws_clients import aws_client
from .errors import EcsReleaseError
from .images import ImageReference

ClientFactory = Callable[[str, str], Any]
"""(service, region) → a boto3 client."""


class PromoteError(EcsReleaseError):
    """A promotion is refused: unknown or undeclared keys, or a digest that differs from the source's."""


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

    yaml = YAML()  # round trip: comments, key order, quotes and flow style are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


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


def _load(path: Path) -> Any:
    try:
        data = _yaml().load(path.read_text(encoding="utf-8"))
    except Exception as error:  # ruamel raises several unrelated types
        raise PromoteError(f"{path.name}: not valid YAML ({str(error).splitlines()[0]}); fix the file") from None
    if data is None or not hasattr(data, "get") or not hasattr(data.get("config") or {}, "items"):
        raise PromoteError(f"{path.name}: no config: mapping; create the stack's settings with pulumi config set")
    return data


def set_values(text: str, project: str, values: Mapping[str, str]) -> str:
    """``text`` (a stack file) with each project key of ``values`` set, everything else as it was."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

    yaml = _yaml()
    data = yaml.load(text)
    config = data["config"]
    written = _written_keys(config, project)
    for key, value in values.items():
        old = config[written[key]]
        # keep the old quoting; an unquoted value becomes double-quoted so that 1.10 stays a string
        config[written[key]] = type(old)(value) if isinstance(old, ScalarString) else DoubleQuotedScalarString(value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _lookups(mocks) -> set[ImageKey]:
    return {ImageKey(l.get("registryId", ""), l.get("region", ""), l.get("repositoryName", ""), l.get("imageTag", "")) for l in mocks.image_lookups}


def source_pins(families: Sequence[str], region: str, client: ClientFactory) -> dict[ImageKey, str]:
    """(ECR image, tag) → digest that the source stack's deployed (latest ACTIVE) task definitions run pinned."""
    from .pinning import parse_ecr

    ecs = client("ecs", region)
    pins: dict[ImageKey, str] = {}
    for family in families:
        try:
            described = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        except Exception as error:  # botocore ClientError; ECS answers ClientException for a family never registered
            if getattr(error, "response", {}).get("Error", {}).get("Code") == "ClientException":
                continue
            raise
        tags = {tag.get("key"): tag.get("value") for tag in described.get("tags", [])}
        for container in described["taskDefinition"].get("containerDefinitions", []):
            reference = ImageReference.parse(container.get("image", ""))
            tag = tags.get(f"image.{container.get('name')}.tag")
            ecr = parse_ecr(reference.repository)
            if reference.digest and tag and ecr:
                pins[ImageKey(ecr.registry_id, ecr.region, ecr.name, tag)] = reference.digest
    return pins


def current_digest(image: ImageKey, client: ClientFactory) -> str:
    """The digest ECR holds for the tag now."""
    found = client("ecr", image.region).describe_images(
        registryId=image.registry_id, repositoryName=image.name, imageIds=[{"imageTag": image.tag}]
    )
    return found["imageDetails"][0]["imageDigest"]


def _aws_reason(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def promote_command(
    project_dir: Path, source: str, target: str, only: Sequence[str] = (), client: ClientFactory = aws_client
) -> tuple[str, int]:
    """Copy ``source``'s tag values into ``target``'s stack file; returns the text to print and 0."""
    from .offline import TASK_DEFINITION_TYPE, RecordingMocks, run_program
    from .stack_config import project_name, stack_config, stack_file

    project_dir = Path(project_dir).resolve()
    if source == target:
        raise PromoteError(f"--from and --to are both {source}; promote between two stacks, e.g. --from staging --to prod")
    project = project_name(project_dir)
    source_path, target_path = stack_file(project_dir, source), stack_file(project_dir, target)
    source_values = {k: v for k, v in _written_keys(_load(source_path)["config"], project).items()}
    source_config, target_config = stack_config(project_dir, source), stack_config(project_dir, target)
    source_tags = {key: source_config[f"{project}:{key}"] for key in source_values}
    target_tags = {key: target_config[f"{project}:{key}"] for key in _written_keys(_load(target_path)["config"], project)}

    problems = []
    keys = []
    for requested in only or sorted(source_tags):
        key = requested.removeprefix(f"{project}:")
        if key not in source_tags:
            problems.append(f"--only {requested}: stack {source} has no such key; use one of: {', '.join(sorted(source_tags))}")
        elif key not in target_tags:
            problems.append(
                f"{key}: stack {target} does not declare it ({target_path.relative_to(project_dir)}); "
                f"add it after review with: pulumi config set {key} <tag> --stack {target}, or leave it out with --only"
            )
        elif not isinstance(source_tags[key], str):
            problems.append(f"{key} for stack {source} is not a string; quote it in {source_path.relative_to(project_dir)}")
        elif key not in keys:
            keys.append(key)
    if problems:
        raise PromoteError(problems)
    changes = {key: (target_tags[key], source_tags[key]) for key in keys if target_tags[key] != source_tags[key]}
    heading = f"promote {source} → {target} ({target_path.relative_to(project_dir)})"
    if not changes:
        return f"{heading}: nothing to change, {target} already has {source}'s " + ", ".join(keys), 0

    region = str(target_config.get("aws:region", "us-east-1"))
    after = RecordingMocks(region=region)
    run_program(project_dir, target, {key: new for key, (_, new) in changes.items()}, after)  # refuses what the program refuses
    notes = []
    if after.image_lookups:  # the target pins digests: what it will pin must be what the source pinned
        before = RecordingMocks(region=region)
        run_program(project_dir, target, None, before)
        promoted = sorted(_lookups(after) - _lookups(before), key=str)
        source_region = str(source_config.get("aws:region", "us-east-1"))
        source_run = RecordingMocks(region=source_region)
        resources = run_program(project_dir, source, None, source_run)
        if not source_run.image_lookups:
            notes += [f"  not verified: stack {source} does not pin digests; {target} pins {image} at its next preview" for image in promoted]
        elif promoted:
            families = sorted({r.inputs["family"] for r in resources if r.type == TASK_DEFINITION_TYPE})
            try:
                pins = source_pins(families, source_region, client)
            except Exception as error:
                raise PromoteError(
                    f"cannot read what stack {source} deployed ({', '.join(families)}): {_aws_reason(error)}; "
                    "check your AWS credentials, or deploy the source stack first"
                ) from None
            for image in promoted:
                pinned = pins.get(image)
                if pinned is None:
                    running = sorted(str(i) for i in pins if (i.registry_id, i.name) == (image.registry_id, image.name))
                    problems.append(
                        f"{image}: stack {source} has not deployed it (it runs {', '.join(running) or 'no pinned tag of ' + image.name}); "
                        f"deploy it to {source} first: pulumi up --stack {source}"
                    )
                    continue
                try:
                    now = current_digest(image, client)
                except Exception as error:
                    problems.append(f"{image}: cannot read its digest in ECR registry {image.registry_id} ({image.region}): {_aws_reason(error)}")
                    continue
                if now != pinned:
                    problems.append(
                        f"{image}: ECR now holds {now} for the tag, but stack {source} pinned {pinned}: the tag was pushed again "
                        f"after {source} deployed it; promote an immutable tag, or redeploy and test {source} first"
                    )
                else:
                    notes.append(f"  verified: {image} is {pinned} in ECR, as {source} pinned")
            if problems:
                raise PromoteError(problems)

    text = target_path.read_text(encoding="utf-8")
    target_path.write_text(set_values(text, project, {key: new for key, (_, new) in changes.items()}), encoding="utf-8")
    lines = [heading]
    lines += [f"  {key}: {old} → {new}" for key, (old, new) in changes.items()]
    lines += [f"  {key}: {target_tags[key]} (unchanged)" for key in keys if key not in changes]
    return "\n".join(lines + notes), 0
