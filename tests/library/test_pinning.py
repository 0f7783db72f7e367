"""Release policy: the model, ECR reference parsing, mutable tags, digest pinning (pure and under mocks)."""

from __future__ import annotations

import sys

import pulumi
import pytest
from pydantic import ValidationError
from pulumi.runtime.sync_await import _sync_await

from components.aws_inputs import document_from_inputs
from components.cli import main
from components.declare import ServiceDeclaration
from components.errors import EcsReleaseError
from components.offline import TASK_DEFINITION_TYPE, RecordingMocks, offline_digest, run_program
from components.pinning import (
    EcrRepository,
    PinningError,
    ReleasePolicy,
    ReleasePolicyError,
    is_mutable,
    parse_ecr,
    prepare_release,
)
from components.program import prepare_services
from components.spec import TaskDefinitionSpec
from tests.conftest import SIDECAR_REPOSITORY, WEB_REPOSITORY
from tests.gitrepo import LIBRARY_PROJECT as PROJECT

AT = ("--project-dir", str(PROJECT))
FIXTURE_REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
DIGEST = "sha256:" + "ab" * 32
WEB_ECR = EcrRepository("123456789012", "eu-west-1", "shop/web")


def _errors(error: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]


@pytest.mark.parametrize(
    "fields, errors",
    [
        pytest.param({"production": "yes"}, [("production", "Input should be a valid boolean")], id="production-not-bool"),
        pytest.param({"pin_digests": 1}, [("pin_digests", "Input should be a valid boolean")], id="pin-not-bool"),
        pytest.param({"keep_revisions": 0}, [("keep_revisions", "Input should be greater than or equal to 1")], id="keep-zero"),
        pytest.param({"keep_revisions": "10"}, [("keep_revisions", "Input should be a valid integer")], id="keep-string"),
        pytest.param({"mutable_tag_patterns": "latest"}, [("mutable_tag_patterns", "Input should be a valid list")], id="patterns-not-list"),
        pytest.param({"mutable_tag_patterns": [""]}, [("mutable_tag_patterns.0", "String should have at least 1 character")], id="pattern-empty"),
        pytest.param({"mutable_tag_patterns": [" "]}, [("mutable_tag_patterns", "Value error, a pattern is blank; write a glob such as latest or *-SNAPSHOT")], id="pattern-blank"),
        pytest.param({"pin_digest": True}, [("pin_digest", "Extra inputs are not permitted")], id="typo-field"),
    ],
)
def test_release_policy_is_strict(fields, errors):
    with pytest.raises(ValidationError) as raised:
        ReleasePolicy(**fields)
    assert _errors(raised.value) == errors


def test_release_policy_defaults():
    assert ReleasePolicy().model_dump() == {"production": False, "pin_digests": False, "mutable_tag_patterns": ["latest"], "keep_revisions": 10}
    assert all(field.description for field in ReleasePolicy.model_fields.values())


def test_a_bad_policy_in_a_declaration_is_named_with_its_service_and_fix(mocks):
    spec = TaskDefinitionSpec.model_validate({"family": "f", "memory": "512", "containerDefinitions": [{"name": "api", "image": WEB_REPOSITORY}]})
    declaration = ServiceDeclaration(
        name="api", task_definition=spec, stacks={"prod": {"release": {"production": "yes", "keep_revisions": 0, "pin_digest": True}}}
    )
    with pytest.raises(EcsReleaseError) as raised:
        prepare_services([declaration], "prod", config={"apiTag": "1.4.2"})
    assert raised.value.problems == [
        "service \"api\": ReleasePolicy.production: Input should be a valid boolean (got 'yes'); fix the value",
        'service "api": ReleasePolicy.keep_revisions: Input should be greater than or equal to 1 (got 0); fix the value',
        'service "api": ReleasePolicy.pin_digest: Extra inputs are not permitted (got True); remove it or fix its spelling',
    ]
    assert mocks.resources == []


@pytest.mark.parametrize(
    "repository, expected",
    [
        pytest.param("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web", WEB_ECR, id="ecr"),
        pytest.param("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app", EcrRepository("123456789012", "cn-north-1", "app"), id="ecr-china"),
        pytest.param("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app", EcrRepository("123456789012", "us-gov-west-1", "app"), id="ecr-fips"),
        pytest.param("public.ecr.aws/xray/aws-xray-daemon", None, id="ecr-public"),
        pytest.param("amazon/aws-for-fluent-bit", None, id="docker-hub"),
        pytest.param("nginx", None, id="docker-hub-library"),
        pytest.param("registry.example.com:5000/team/app", None, id="other-registry"),
        pytest.param("123456789012.dkr.ecr.eu-west-1.amazonaws.com", None, id="no-repository-name"),
        pytest.param("12345.dkr.ecr.eu-west-1.amazonaws.com/app", None, id="short-account"),
    ],
)
def test_parse_ecr(repository, expected):
    assert parse_ecr(repository) == expected


@pytest.mark.parametrize(
    "tag, patterns, mutable",
    [
        pytest.param("latest", ["latest"], True, id="latest"),
        pytest.param("LATEST", ["latest"], True, id="case-insensitive"),
        pytest.param("latest-1", ["latest"], False, id="whole-tag-only"),
        pytest.param("1.4-snapshot", ["*-SNAPSHOT"], True, id="glob-suffix"),
        pytest.param("dev-abc", ["dev-*"], True, id="glob-prefix"),
        pytest.param("1.4.2", ["latest", "main", "*-snapshot"], False, id="release-tag"),
        pytest.param(DIGEST, ["*"], False, id="digest-never-mutable"),
    ],
)
def test_is_mutable(tag, patterns, mutable):
    assert is_mutable(tag, patterns) is mutable


def _spec(sidecar_image: str = f"{SIDECAR_REPOSITORY}") -> TaskDefinitionSpec:
    return TaskDefinitionSpec.model_validate({
        "family": "f",
        "containerDefinitions": [{"name": "web", "image": WEB_REPOSITORY}, {"name": "sidecar", "image": sidecar_image}],
        "tags": [{"key": "team", "value": "shop"}],
    })


KEYS = {"web": "webTag", "sidecar": "sidecarTag"}


def test_without_pinning_only_the_owner_tag_is_added():
    release = prepare_release(_spec(), {"web": "1.4.2", "sidecar": "2.0"}, KEYS, ReleasePolicy(), "proj", "dev", resolve=None)
    assert release.versions == {"web": "1.4.2", "sidecar": "2.0"}
    assert (release.image_tags, release.image_digests) == ({"web": "1.4.2", "sidecar": "2.0"}, {})
    assert [(t.key, t.value) for t in release.spec.tags] == [("release.stack", "proj/dev"), ("team", "shop")]


def test_pinning_resolves_each_tag_once_and_records_tag_and_digest():
    calls = []

    def resolve(repository, tag):
        calls.append((repository, tag))
        return DIGEST

    spec = TaskDefinitionSpec.model_validate({
        "family": "f",
        "containerDefinitions": [{"name": "web", "image": WEB_REPOSITORY}, {"name": "migrate", "image": WEB_REPOSITORY},
                                 {"name": "pinned", "image": WEB_REPOSITORY}],
    })
    other = "sha256:" + "cd" * 32
    release = prepare_release(spec, {"web": "1.4.2", "migrate": "1.4.2", "pinned": other},
                              {"web": "webTag", "migrate": "webTag", "pinned": "pinnedTag"}, ReleasePolicy(pin_digests=True), "p", "prod", resolve)
    assert calls == [(WEB_ECR, "1.4.2")]  # once per repository and tag; a digest needs no lookup
    assert release.versions == {"web": DIGEST, "migrate": DIGEST, "pinned": other}
    assert release.image_tags == {"web": "1.4.2", "migrate": "1.4.2"}
    assert [(t.key, t.value) for t in release.spec.tags] == [
        ("image.migrate.digest", DIGEST), ("image.migrate.tag", "1.4.2"), ("image.pinned.digest", other),
        ("image.web.digest", DIGEST), ("image.web.tag", "1.4.2"), ("release.stack", "p/prod"),
    ]


def test_an_image_outside_ecr_cannot_be_pinned():
    with pytest.raises(PinningError) as raised:
        prepare_release(_spec(), {"web": "1.4.2", "sidecar": "2.0"}, KEYS, ReleasePolicy(pin_digests=True), "p", "prod", lambda r, t: DIGEST)
    (problem,) = raised.value.problems
    assert problem.startswith(
        f'sidecarTag: container "sidecar" runs "{SIDECAR_REPOSITORY}", which is not a private ECR repository '
        "(<account>.dkr.ecr.<region>.amazonaws.com/<name>), so its tag cannot be pinned to a digest; "
        "mirror it into ECR (e.g. a pull-through cache) or "
    )
    assert "pin_digests" in problem and "stack prod" in problem
    assert "app.py" not in problem  # issue 8: a library message names what the caller passed, not the example's file


def test_a_failed_lookup_names_repository_and_tag():
    def resolve(repository, tag):
        raise Exception("invoke of aws:ecr/getImage:getImage failed: ImageNotFoundException: nope (imageTag)")

    with pytest.raises(PinningError) as raised:
        prepare_release(_spec(f"{WEB_REPOSITORY}"), {"web": "9.9.9", "sidecar": "9.9.9"}, KEYS, ReleasePolicy(pin_digests=True), "p", "prod", resolve)
    assert raised.value.problems == [
        'sidecarTag "9.9.9": cannot resolve shop/web:9.9.9 to a digest in ECR registry 123456789012 (eu-west-1): '
        "invoke of aws:ecr/getImage:getImage failed: ImageNotFoundException: nope (imageTag); push the image, "
        "or run: pulumi config set sidecarTag <existing tag> --stack prod",
    ]


def test_mutable_tags_are_refused_only_in_production():
    versions = {"web": "latest", "sidecar": "main"}
    policy = ReleasePolicy(production=True, mutable_tag_patterns=["latest", "main"])
    with pytest.raises(ReleasePolicyError) as raised:
        prepare_release(_spec(), versions, KEYS, policy, "p", "prod", resolve=None)
    assert raised.value.problems == [
        'sidecarTag "main" is a mutable tag, refused for production stack prod; run: pulumi config set sidecarTag <immutable tag> --stack prod',
        'webTag "latest" is a mutable tag, refused for production stack prod; run: pulumi config set webTag <immutable tag> --stack prod',
    ]
    assert prepare_release(_spec(), versions, KEYS, ReleasePolicy(mutable_tag_patterns=["latest", "main"]), "p", "dev", resolve=None).versions == versions


# --- the program under the mock runtime: the library fixture project (tests/library/project) ----------------


@pytest.fixture(autouse=True)
def _restore_sys_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # run_program adds the project directory to sys.path


def _documents(mocks: RecordingMocks) -> dict[str, dict]:
    return {r.name: document_from_inputs(r.inputs) for r in mocks.resources if r.type == TASK_DEFINITION_TYPE}


def test_prod_resolves_each_tag_in_ecr_and_registers_the_digest():
    mocks = RecordingMocks(region="eu-west-1")
    run_program(PROJECT, "prod", {"apiTag": "1.4.2"}, mocks)
    assert sorted((l["registryId"], l["repositoryName"], l["imageTag"], l["region"]) for l in mocks.image_lookups) == [
        ("123456789012", "fixture/api", "1.4.2", "eu-west-1"),  # once for api and migrate: same repository and tag
        ("123456789012", "fixture/jobs", "1.0.0", "eu-west-1"),
    ]
    documents = _documents(mocks)
    api, jobs = offline_digest("fixture/api", "1.4.2"), offline_digest("fixture/jobs", "1.0.0")
    assert {c["name"]: c["image"] for c in documents["api-taskdef"]["containerDefinitions"]} == {
        "api": f"{FIXTURE_REGISTRY}/fixture/api@{api}", "migrate": f"{FIXTURE_REGISTRY}/fixture/api@{api}"}
    assert {t["key"]: t["value"] for t in documents["api-taskdef"]["tags"]} == {
        "image.api.digest": api, "image.api.tag": "1.4.2",
        "image.migrate.digest": api, "image.migrate.tag": "1.4.2",
        "release.stack": "fixture-shop/prod",
    }
    assert {t["key"]: t["value"] for t in documents["jobs-taskdef"]["tags"]} == {
        "image.jobs.digest": jobs, "image.jobs.tag": "1.0.0", "release.stack": "fixture-shop/prod"}


def test_dev_registers_tags_and_only_the_owner_tag():
    mocks = RecordingMocks()
    run_program(PROJECT, "dev", None, mocks)
    assert mocks.image_lookups == []
    assert {name: d["tags"] for name, d in _documents(mocks).items()} == {
        "api-taskdef": [{"key": "release.stack", "value": "fixture-shop/dev"}],
        "jobs-taskdef": [{"key": "release.stack", "value": "fixture-shop/dev"}],
    }


def test_a_tag_missing_from_ecr_fails_before_any_resource_exists():
    mocks = RecordingMocks(missing_images=["fixture/api:9.9.9"])
    with pytest.raises(EcsReleaseError) as raised:
        run_program(PROJECT, "prod", {"apiTag": "9.9.9"}, mocks)
    assert raised.value.problems == [
        'service "api": apiTag "9.9.9": cannot resolve fixture/api:9.9.9 to a digest in ECR registry 123456789012 (eu-west-1): '
        "invoke of aws:ecr/getImage:getImage failed: ImageNotFoundException: The image with imageId {imageTag:'9.9.9'} "
        "does not exist within the repository with name 'fixture/api' in the registry with id '123456789012' (imageTag); "
        "push the image, or run: pulumi config set apiTag <existing tag> --stack prod"
    ]
    assert mocks.resources == []


@pytest.mark.parametrize(
    "tag, message",
    [
        pytest.param("latest", 'error: service "api": apiTag "latest" is a mutable tag, refused for production stack prod; '
                     "run: pulumi config set apiTag <immutable tag> --stack prod\n", id="prod-latest"),
        pytest.param("1.5-SNAPSHOT", 'error: service "api": apiTag "1.5-SNAPSHOT" is a mutable tag, refused for production stack prod; '
                     "run: pulumi config set apiTag <immutable tag> --stack prod\n", id="prod-snapshot-glob"),
    ],
)
def test_mutable_tags_in_production_are_one_error_line(capsys, tag, message):
    assert main(["render", "--stack", "prod", "--set", f"apiTag={tag}", *AT]) == 2
    assert capsys.readouterr() == ("", message)


def test_latest_is_allowed_outside_production(capsys):
    assert main(["render", "--stack", "dev", "--set", "apiTag=latest", *AT]) == 0
    assert f"{FIXTURE_REGISTRY}/fixture/api:latest" in capsys.readouterr().out


def test_tags_and_digests_are_stack_outputs(monkeypatch):
    exported = {}
    monkeypatch.setattr("pulumi.export", lambda name, value: exported.__setitem__(name, value))
    run_program(PROJECT, "prod", {"apiTag": "1.4.2"}, RecordingMocks(region="eu-west-1"))
    api, jobs = offline_digest("fixture/api", "1.4.2"), offline_digest("fixture/jobs", "1.0.0")

    def value(output):
        return _sync_await(output.future()) if isinstance(output, pulumi.Output) else output

    assert sorted(exported) == ["api", "jobs"]
    assert value(exported["api"]["imageTags"]) == {"api": "1.4.2", "migrate": "1.4.2"}
    assert value(exported["api"]["imageDigests"]) == {"api": api, "migrate": api}
    assert (value(exported["jobs"]["imageTags"]), value(exported["jobs"]["imageDigests"])) == ({"jobs": "1.0.0"}, {"jobs": jobs})
