"""Release policy per environment: mutable tags refused in production, digest pinning, ownership tags.

:class:`ReleasePolicy` is a per-environment setting in code (a service's ``release``), never
stack config. :func:`prepare_release` applies it to the versions a stack's config gives,
before any resource exists:

1. **Mutable tags.** In a stack marked ``production``, a tag that matches one of
   ``mutable_tag_patterns`` (shell-style globs, matched case-insensitively against the whole
   tag; default ``["latest"]``) is refused. A digest is never mutable.
2. **Digest pinning.** With ``pin_digests`` on, every container's tag is resolved to the
   digest ECR holds for it now (``aws.ecr.get_image``, at preview and at up), and the task
   definition registers ``repository@sha256:…``: pushing the tag again later cannot change
   what runs. A value that already is a digest needs no lookup. Only ECR repositories
   (``<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>``) can be resolved; any other
   registry is refused with an error that says so.
3. **Recording.** The task definition carries the tag ``release.stack`` = ``<project>/<stack>``
   (the revisions a stack registered; see :mod:`components.retention`) and, with pinning,
   ``image.<container>.tag`` and ``image.<container>.digest``. These depend only on the
   config and on what ECR holds, so an unchanged config renders an unchanged document.

Under the mock runtime (``render --stack``, tests) the digest is a stand-in: the mocks answer
``getImage`` with ``sha256(<repository name>:<tag>)`` (see :mod:`components.offline`); a real
``pulumi preview`` or ``pulumi up`` resolves the real digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Annotated, Any, Callable, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import EcsReleaseError
from .images import DIGEST_PATTERN, ImageReference
from .spec import TaskDefinitionSpec, Tag

OWNER_TAG = "release.stack"
"""Task-definition tag naming the ``<project>/<stack>`` that registered the revision."""
_TAG_KEY_CHARACTERS = re.compile(r"[\w .:/=+\-@]{1,128}", re.ASCII)

ECR_HOST = re.compile(
    r"(?P<registry_id>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?"
)
"""A private ECR registry host: the account id is the registry id."""


class PinningError(EcsReleaseError):
    """An image cannot be pinned to a digest: not in ECR, or its tag does not exist there."""


class ReleasePolicyError(EcsReleaseError):
    """A stack's image versions break its environment's release policy (a mutable tag in production)."""


class ReleasePolicy(BaseModel):
    """How an environment releases images: a service's ``release`` argument, set per stack in code."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True, use_attribute_docstrings=True)

    production: bool = False
    """Whether this environment is production: mutable tags are refused. Default: false."""

    pin_digests: bool = False
    """Whether each tag is resolved in ECR at preview/up and registered as ``repository@sha256:…``.
    Default: false (the tag is registered as it is).
    """

    mutable_tag_patterns: list[Annotated[str, Field(min_length=1)]] = ["latest"]
    """Shell-style globs (``*``, ``?``, ``[…]``) of tags that can be pushed again, refused in production;
    matched case-insensitively against the whole tag. Default: ``["latest"]``.
    """

    keep_revisions: Annotated[int, Field(ge=1, le=1000)] = 10
    """How many ACTIVE revisions per family ``pulumi up`` keeps; older ones this stack registered are
    deregistered. Default: 10.
    """

    @field_validator("mutable_tag_patterns")
    @classmethod
    def _no_blank_patterns(cls, patterns: list[str]) -> list[str]:
        blank = [pattern for pattern in patterns if not pattern.strip()]
        if blank:
            raise ValueError("a pattern is blank; write a glob such as latest or *-SNAPSHOT")
        return patterns


@dataclass(frozen=True)
class EcrRepository:
    """A private ECR repository, parsed from an image repository reference."""

    registry_id: str
    """The registry id: the AWS account id."""
    region: str
    """The registry's region (``eu-west-1``)."""
    name: str
    """The repository name inside the registry (``shop/web``)."""


def parse_ecr(repository: str) -> EcrRepository | None:
    """The ECR repository of ``repository`` (no tag or digest), or ``None`` when it is not a private ECR one."""
    host, slash, name = repository.partition("/")
    match = ECR_HOST.fullmatch(host)
    if not slash or not name or match is None:
        return None
    return EcrRepository(match["registry_id"], match["region"], name)


def is_mutable(tag: str, patterns: list[str]) -> bool:
    """Whether ``tag`` matches one of the globs (case-insensitive, whole tag). Digests never do."""
    if DIGEST_PATTERN.fullmatch(tag):
        return False
    return any(fnmatchcase(tag.lower(), pattern.lower()) for pattern in patterns)


def mutable_tag_problems(versions: Mapping[str, str], keys: Mapping[str, str], policy: ReleasePolicy, stack: str) -> list[str]:
    """One problem per config key whose tag is mutable, when ``policy`` marks the stack as production."""
    if not policy.production:
        return []
    values = {keys[container]: version for container, version in versions.items() if container in keys}
    return [
        f'{key} "{value}" is a mutable tag, refused for production stack {stack}; '
        f"run: pulumi config set {key} <immutable tag> --stack {stack}"
        for key, value in sorted(values.items())
        if is_mutable(value, policy.mutable_tag_patterns)
    ]


Resolver = Callable[[EcrRepository, str], str]
"""(repository, tag) → ``sha256:…`` digest; raises on any failure."""


def resolve_with_pulumi(repository: EcrRepository, tag: str) -> str:
    """The digest ECR holds for ``tag`` now, through the ``aws.ecr.get_image`` invoke (runs at preview and up).

    Looked up once per program run: a program checks every service before it registers any
    (:func:`components.program.prepare_services`) and each component checks its own again, and
    both must see, and register, the same digest.
    """
    import pulumi_aws as aws

    from .run_cache import for_this_run

    digests = for_this_run("ecr digests")
    key = (repository, tag)
    if key not in digests:
        digests[key] = aws.ecr.get_image(
            registry_id=repository.registry_id, repository_name=repository.name, image_tag=tag, region=repository.region
        ).image_digest
    return digests[key]


@dataclass(frozen=True)
class PreparedRelease:
    """What a stack registers after its release policy is applied."""

    spec: TaskDefinitionSpec
    """The spec, with the ownership and image tags added to its ``tags``."""
    versions: dict[str, str]
    """Container name → the version registered: the tag, or with pinning the digest."""
    image_tags: dict[str, str] = field(default_factory=dict)
    """Container name → the tag the stack config gave (containers configured by digest are absent)."""
    image_digests: dict[str, str] = field(default_factory=dict)
    """Container name → the digest registered (empty without pinning, unless configured by digest)."""


def _tag(key: str, value: str) -> Tag:
    if not _TAG_KEY_CHARACTERS.fullmatch(key):
        raise PinningError(
            f'task-definition tag key "{key[:40]}…" is not 1-128 of letters, digits, spaces and _ . : / = + - @; '
            "shorten the container name"
        )
    return Tag(key=key, value=value)


def prepare_release(
    spec: TaskDefinitionSpec,
    versions: Mapping[str, str],
    keys: Mapping[str, str],
    policy: ReleasePolicy,
    project: str,
    stack: str,
    resolve: Resolver = resolve_with_pulumi,
) -> PreparedRelease:
    """Apply ``policy`` to ``versions`` (container → tag or digest from stack config).

    ``keys`` maps containers to their config keys (for messages). Raises
    :class:`ReleasePolicyError` for mutable tags in production, :class:`PinningError` for an
    image that cannot be pinned or a tag ECR does not hold; every problem is named at once.
    """
    problems = mutable_tag_problems(versions, keys, policy, stack)
    if problems:
        raise ReleasePolicyError(problems)
    images = {container.name: container.image for container in spec.container_definitions}
    registered = dict(versions)
    image_tags = {c: v for c, v in versions.items() if not DIGEST_PATTERN.fullmatch(v)}
    image_digests = {c: v for c, v in versions.items() if DIGEST_PATTERN.fullmatch(v)}
    tags = [tag for tag in spec.tags or [] if tag.key != OWNER_TAG and not (tag.key or "").startswith("image.")]
    tags.append(_tag(OWNER_TAG, f"{project}/{stack}"))
    if policy.pin_digests:
        problems = []
        resolved: dict[tuple[EcrRepository, str], str] = {}
        failed: set[tuple[EcrRepository, str]] = set()
        for container, tag in sorted(image_tags.items()):
            key = keys.get(container, container)
            repository = ImageReference.parse(images.get(container) or "").repository
            ecr = parse_ecr(repository)
            if ecr is None:
                problems.append(
                    f'{key}: container "{container}" runs "{repository}", which is not a private ECR repository '
                    f"(<account>.dkr.ecr.<region>.amazonaws.com/<name>), so its tag cannot be pinned to a digest; "
                    f"mirror it into ECR (e.g. a pull-through cache) or turn pin_digests off in the release policy of stack {stack}"
                )
                continue
            if (ecr, tag) in failed:
                continue  # reported once per repository and tag
            if (ecr, tag) not in resolved:
                try:
                    digest = resolve(ecr, tag)
                except Exception as error:  # the invoke fails with a plain Exception under real Pulumi
                    failed.add((ecr, tag))
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                    problems.append(
                        f'{key} "{tag}": cannot resolve {ecr.name}:{tag} to a digest in ECR registry {ecr.registry_id} '
                        f"({ecr.region}): {reason}; push the image, or run: pulumi config set {key} <existing tag> --stack {stack}"
                    )
                    continue
                if not isinstance(digest, str) or not DIGEST_PATTERN.fullmatch(digest):
                    problems.append(f"{key}: ECR returned {digest!r} for {ecr.name}:{tag}, not a sha256 digest")
                    continue
                resolved[(ecr, tag)] = digest
            image_digests[container] = registered[container] = resolved[(ecr, tag)]
        if problems:
            raise PinningError(problems)
        for container in sorted(image_tags):
            tags.append(_tag(f"image.{container}.tag", image_tags[container]))
        for container in sorted(image_digests):
            tags.append(_tag(f"image.{container}.digest", image_digests[container]))
    spec = spec.model_copy(update={"tags": sorted(tags, key=lambda tag: tag.key or "")})
    return PreparedRelease(spec, registered, image_tags, image_digests)
