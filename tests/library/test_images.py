"""Image references, version values and tag keys (pure functions)."""

import pytest

from components.errors import SpecError
from components.images import ImageReference, tag_key, tag_keys, version_problem

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "reference, repository, tag, digest",
    [
        pytest.param("registry.example.com:5000/team/app:8.2.1", "registry.example.com:5000/team/app", "8.2.1", None, id="port-is-not-a-tag"),
        pytest.param("registry.example.com:5000/team/app", "registry.example.com:5000/team/app", None, None, id="port-untagged"),
        pytest.param(f"repo@{DIGEST}", "repo", None, DIGEST, id="digest"),
        pytest.param(f"repo:1.0@{DIGEST}", "repo", "1.0", DIGEST, id="tag-and-digest"),
        pytest.param("amazon/aws-cli", "amazon/aws-cli", None, None, id="untagged"),
        pytest.param("nginx:1.27-alpine", "nginx", "1.27-alpine", None, id="docker-hub"),
        pytest.param("localhost:5000/app:v1", "localhost:5000/app", "v1", None, id="localhost-port"),
        pytest.param("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web", "1.4.2", None, id="ecr"),
    ],
)
def test_parse_splits_repository_tag_and_digest(reference, repository, tag, digest):
    parsed = ImageReference.parse(reference)
    assert (parsed.repository, parsed.tag, parsed.digest) == (repository, tag, digest)
    assert str(parsed) == reference


@pytest.mark.parametrize(
    "reference, version, expected",
    [
        ("registry.example.com:5000/team/app:8.2.1", "8.3.0", "registry.example.com:5000/team/app:8.3.0"),
        ("amazon/aws-cli", "2.17.0", "amazon/aws-cli:2.17.0"),
        ("repo:1.0", DIGEST, f"repo@{DIGEST}"),
        (f"repo@{DIGEST}", "2.0", "repo:2.0"),
    ],
)
def test_with_version_replaces_only_the_version(reference, version, expected):
    assert str(ImageReference.parse(reference).with_version(version)) == expected


@pytest.mark.parametrize(
    "value, problem",
    [
        pytest.param("1.4.2", None, id="semver"),
        pytest.param("_x", None, id="leading-underscore"),
        pytest.param("a" * 128, None, id="128-chars"),
        pytest.param(DIGEST, None, id="digest"),
        pytest.param("", "is empty", id="empty"),
        pytest.param("a" * 129, '"aaaaaaaaaaaaaaaaaaaa…" is 129 characters long; a tag has at most 128', id="129-chars"),
        pytest.param("1.4/2", '"1.4/2" is not a valid image tag', id="slash"),
        pytest.param(".hidden", '".hidden" is not a valid image tag', id="leading-dot"),
        pytest.param("-rc", '"-rc" is not a valid image tag', id="leading-dash"),
        pytest.param("v 1", '"v 1" is not a valid image tag', id="space"),
        pytest.param("sha256:abc", '"sha256:abc" is not a valid digest', id="short-digest"),
        pytest.param("sha256:" + "AB" * 32, "is not a valid digest", id="uppercase-digest"),
        pytest.param("repo@" + DIGEST, "is not a valid digest", id="reference-not-value"),
    ],
)
def test_version_problem(value, problem):
    found = version_problem(value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    "name, key",
    [("web", "webTag"), ("log_router", "logRouterTag"), ("api-gateway", "apiGatewayTag"), ("Worker", "workerTag"), ("xray2", "xray2Tag")],
)
def test_tag_key_is_lower_camel_case(name, key):
    assert tag_key(name) == key


def test_tag_keys_share_a_key_between_containers_of_one_repository():
    assert tag_keys(["web", "migrate", "log_router"], share={"migrate": "web"}) == {
        "web": "webTag",
        "migrate": "webTag",
        "log_router": "logRouterTag",
    }


@pytest.mark.parametrize(
    "names, share, problems",
    [
        pytest.param(
            ["log_router", "log-router"],
            None,
            ['containers "log_router" and "log-router" both map to config key logRouterTag; rename one, or declare '
             'share={"log-router": "log_router"} if they run the same repository'],
            id="colliding-keys",
        ),
        pytest.param(
            ["web"],
            {"migrate": "web"},
            ['share names container "migrate", which the task definition lacks; use one of: web'],
            id="share-unknown-container",
        ),
    ],
)
def test_tag_keys_errors(names, share, problems):
    with pytest.raises(SpecError) as raised:
        tag_keys(names, share=share)
    assert raised.value.problems == problems


@pytest.mark.parametrize(
    "reference, valid",
    [
        ("registry.example.com:5000/team/app", True),
        ("amazon/aws-cli", True),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/xray/aws-xray-daemon", True),
        ("<IMAGE1_NAME>", False),
        ("", False),
        ("Team/App", False),
        ("${IMAGE}", False),
    ],
)
def test_repository_follows_the_docker_grammar(reference, valid):
    assert ImageReference.parse(reference).is_valid_repository is valid
