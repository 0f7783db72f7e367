"""boto3 clients for the code that calls AWS itself, with the credentials of the stack's AWS provider.

The rollout wait, revision retention, ``promote`` and the ``status``/``continue``/``rollback``
commands call AWS with boto3, outside the AWS provider. They must reach the account and region the
provider deploys to, so they read the same stack settings (:class:`AwsSettings`):

- ``aws:region`` and ``aws:profile``;
- ``aws:assumeRoles`` (a list, assumed in order, each with the credentials of the one before) or the
  older ``aws:assumeRole`` (one role): ``roleArn``, ``sessionName``, ``externalId``, ``duration``,
  ``policy``, ``policyArns``, ``sourceIdentity``, as the provider's ``assume_roles`` takes them
  (https://www.pulumi.com/registry/packages/aws/api-docs/provider/);
- ``aws:endpoints`` (a list of ``service: URL`` maps), for the services called here.

Settings that choose other credentials and that this module does not apply (``aws:accessKey``,
``aws:secretKey``, ``aws:token``, ``aws:sharedCredentialsFiles``, ``aws:sharedConfigFiles``,
``aws:assumeRoleWithWebIdentity``) are refused with one error naming the key, rather than
silently calling AWS as someone else. Everything else comes from boto3's standard chain
(environment, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL[_<SERVICE>]``, instance roles).

Assumed-role credentials refresh themselves (botocore's ``AssumeRoleCredentialFetcher``), so a
wait longer than a role session keeps working. Clients retry throttling and transient errors with
botocore's ``standard`` retry mode.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import EcsReleaseError, model_problems

RETRIES = {"mode": "standard", "max_attempts": 8}
"""botocore's retry settings for every client: exponential backoff with jitter on throttling, 5xx and
connection errors (https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html)."""
UNSUPPORTED = ("accessKey", "secretKey", "token", "sharedCredentialsFiles", "sharedConfigFiles", "assumeRoleWithWebIdentity")
"""``aws:`` keys that choose credentials and that these clients do not apply: refused, never ignored."""
ENDPOINT_KEYS = {"ecs": "ecs", "sts": "sts", "ecr": "ecr", "events": "events"}
"""boto3 service name → its key in ``aws:endpoints``."""
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


class AwsConfigError(EcsReleaseError):
    """The stack's ``aws:`` settings cannot be applied to ecs-release's own AWS calls."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, use_attribute_docstrings=True, strict=True)


class AssumeRole(_Strict):
    """One role of ``aws:assumeRoles``, as the AWS provider's ``assume_roles`` entry (STS AssumeRole)."""

    role_arn: str = Field(pattern=r"^arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]+$")
    """ARN of the role to assume. Required."""

    session_name: str = Field(default="ecs-release", min_length=2, max_length=64, pattern=r"^[\w+=,.@-]+$")
    """The role session's name (STS RoleSessionName). Default: ecs-release."""

    external_id: str | None = Field(default=None, min_length=2, max_length=1224, pattern=r"^[\w+=,.@:/-]+$")
    """External ID the role's trust policy requires. Default: none."""

    duration_seconds: int | None = Field(default=None, ge=900, le=43200)
    """Session duration (the provider's ``duration``, e.g. ``1h``, in seconds). Default: none, STS's one hour."""

    policy: str | None = None
    """Session policy (JSON) that further restricts the role. Default: none."""

    policy_arns: list[str] = []
    """Managed session policies that further restrict the role. Default: none."""

    source_identity: str | None = None
    """Source identity of the session. Default: none."""

    def assume_role_args(self) -> dict[str, Any]:
        """The STS AssumeRole parameters besides ``RoleArn``."""
        args: dict[str, Any] = {"RoleSessionName": self.session_name}
        if self.external_id:
            args["ExternalId"] = self.external_id
        if self.duration_seconds:
            args["DurationSeconds"] = self.duration_seconds
        if self.policy:
            args["Policy"] = self.policy
        if self.policy_arns:
            args["PolicyArns"] = [{"arn": arn} for arn in self.policy_arns]
        if self.source_identity:
            args["SourceIdentity"] = self.source_identity
        return args


class AwsSettings(_Strict):
    """The stack's AWS provider settings that decide where ecs-release's own AWS calls go."""

    region: str | None = None
    """``aws:region``. Default: none, boto3's (``AWS_REGION``, the profile's)."""

    profile: str | None = None
    """``aws:profile``. Default: none, boto3's standard credential chain."""

    assume_roles: list[AssumeRole] = []
    """``aws:assumeRoles`` (or ``aws:assumeRole``), assumed in order. Default: none."""

    endpoints: dict[str, str] = {}
    """``aws:endpoints``: service (``ecs``, ``sts``, ``ecr``, ``events``) → URL. Default: none, AWS's."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], where: str = "") -> "AwsSettings":
        """Settings from a stack's config (keys ``aws:<key>`` or ``<key>``; object values as parsed YAML or
        JSON text, as ``pulumi up`` hands them to a program). Raises :class:`AwsConfigError` naming every
        key it cannot apply; ``where`` prefixes each message (``stack prod: ``)."""
        values = {key.removeprefix("aws:"): value for key, value in config.items() if ":" not in key or key.startswith("aws:")}
        problems = [
            f"{where}aws:{key}: ecs-release's own AWS calls (rollout wait, retention, promote, status) cannot use it; "
            "give these credentials through the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, "
            "AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE) or a profile (aws:profile), which both read"
            for key in UNSUPPORTED
            if values.get(key) not in (None, "", [], {})
        ]
        secret = [key for key in ("region", "profile", "assumeRoles", "assumeRole", "endpoints") if isinstance(values.get(key), Mapping) and "secure" in values[key]]
        problems += [
            f"{where}aws:{key} is a secret (secure:), which ecs-release cannot decrypt outside Pulumi; make it plain config" for key in secret
        ]
        if problems:
            raise AwsConfigError(problems)
        roles: Any = _json(values.get("assumeRoles"))
        if roles in (None, ""):
            single = _json(values.get("assumeRole"))
            roles = [single] if single not in (None, "", {}) else []
        endpoints: dict[str, str] = {}
        for entry in _json(values.get("endpoints")) or []:
            if isinstance(entry, Mapping):
                endpoints.update({str(service): str(url) for service, url in entry.items() if url})
        try:
            return cls(
                region=values.get("region") or None,
                profile=values.get("profile") or None,
                assume_roles=[_role(role, where) for role in (roles if isinstance(roles, list) else [roles])],
                endpoints=endpoints,
            )
        except ValidationError as error:
            raise AwsConfigError(model_problems(error, where)) from None

    def props(self) -> dict[str, Any]:
        """Plain JSON-able values, for a dynamic resource's inputs."""
        return self.model_dump(exclude_defaults=True)


def program_settings(where: str = "") -> AwsSettings:
    """The running Pulumi program's ``aws:`` settings, as its AWS provider reads them; for a program that builds
    ``TaggedService`` arguments itself (``"aws": program_settings()``). ``prepare_services`` does this for its services."""
    from .stack_config import program_config

    return AwsSettings.from_config({key: value for key, value in program_config().items() if key.startswith("aws:")}, where)


def _json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _role(entry: Any, where: str) -> dict[str, Any]:
    """An ``aws:assumeRoles`` entry (camelCase, as the provider's config takes it) as :class:`AssumeRole` fields."""
    if not isinstance(entry, Mapping):
        raise AwsConfigError(f"{where}aws:assumeRoles: each entry must be a mapping with roleArn, got {entry!r}; fix the stack config")
    known = {"roleArn": "role_arn", "sessionName": "session_name", "externalId": "external_id", "policy": "policy",
             "policyArns": "policy_arns", "sourceIdentity": "source_identity"}
    unknown = sorted(set(entry) - set(known) - {"duration"})
    if unknown:
        raise AwsConfigError(
            f"{where}aws:assumeRoles: {', '.join(unknown)} cannot be applied by ecs-release's own AWS calls; "
            f"use only {', '.join(sorted([*known, 'duration']))}"
        )
    fields = {known[key]: value for key, value in entry.items() if key in known and value not in (None, "")}
    if entry.get("duration"):
        fields["duration_seconds"] = _seconds(str(entry["duration"]), where)
    return fields


def _seconds(duration: str, where: str) -> int:
    """Seconds of a provider ``duration`` such as ``1h``, ``15m`` or ``1h30m``."""
    match = _DURATION.match(duration)
    if not duration or not match:
        raise AwsConfigError(f'{where}aws:assumeRoles: duration "{duration}" is not a duration like 1h, 15m or 3600s; fix the stack config')
    return int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)


def coerce_settings(aws: "AwsSettings | Mapping[str, Any] | None") -> AwsSettings:
    """``aws`` as :class:`AwsSettings`: an instance, a dynamic resource's plain props, or ``None`` for none."""
    if isinstance(aws, AwsSettings):
        return aws
    try:
        return AwsSettings.model_validate(dict(aws or {}), strict=False)
    except ValidationError as error:
        raise AwsConfigError(model_problems(error)) from None


_LOCK = threading.Lock()


def _session(settings: AwsSettings) -> Any:
    """A boto3 session of ``settings``; one per distinct role chain and process (assumed once, then refreshed)."""
    if settings.assume_roles:
        return _assumed_session(settings.model_dump_json())
    import boto3

    return boto3.session.Session(profile_name=settings.profile, region_name=settings.region)


@functools.lru_cache(maxsize=32)
def _assumed_session(key: str) -> Any:
    import boto3
    import botocore.session
    from botocore.config import Config
    from botocore.credentials import AssumeRoleCredentialFetcher, CredentialProvider, CredentialResolver, DeferredRefreshableCredentials

    settings = AwsSettings.model_validate_json(key)
    base = botocore.session.Session(profile=settings.profile)
    credentials = base.get_credentials()
    if credentials is None:
        raise AwsConfigError(
            f"no AWS credentials to assume {settings.assume_roles[0].role_arn} with (aws:assumeRoles); "
            "configure credentials (aws configure, AWS_PROFILE, or an instance role)"
        )
    sts = functools.partial(
        base.create_client, region_name=settings.region, endpoint_url=settings.endpoints.get("sts"), config=Config(retries=dict(RETRIES))
    )
    for role in settings.assume_roles:  # each role is assumed with the credentials of the one before, as the provider does
        fetcher = AssumeRoleCredentialFetcher(sts, credentials, role.role_arn, extra_args=role.assume_role_args())
        credentials = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
    assumed = credentials

    class _Assumed(CredentialProvider):
        METHOD = "assume-role"

        def load(self) -> Any:
            return assumed

    chained = botocore.session.Session(profile=settings.profile)
    chained.register_component("data_loader", base.get_component("data_loader"))  # the service models, parsed once
    chained.register_component("credential_provider", CredentialResolver([_Assumed()]))
    return boto3.session.Session(botocore_session=chained, region_name=settings.region)


def aws_client(service: str, aws: "AwsSettings | Mapping[str, Any] | None" = None, region: str | None = None) -> Any:
    """A boto3 client of ``service`` with the stack's AWS settings (``aws``), in ``region`` when given
    (else the settings' region, else boto3's). ``aws:endpoints`` applies to the services it names;
    ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` are honoured, as everywhere in boto3."""
    from botocore.config import Config

    settings = coerce_settings(aws)
    if region and not settings.region:  # the role chain's STS calls need a region too
        settings = settings.model_copy(update={"region": region})
    with _LOCK:  # creating clients from one session is not thread-safe; the provider host runs resources in threads
        session = _session(settings)
        endpoint = settings.endpoints.get(ENDPOINT_KEYS.get(service, service))
        return session.client(service, region_name=region or settings.region, endpoint_url=endpoint, config=Config(retries=dict(RETRIES)))
