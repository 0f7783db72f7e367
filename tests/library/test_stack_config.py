"""Stack config → image versions: the only per-stack settings (pure functions)."""

import pytest

from components.errors import StackConfigError
from components.stack_config import project_keys, read_versions

KEYS = {"web": "webTag", "migrate": "webTag", "xray": "xrayTag"}
DIGEST = "sha256:" + "0f" * 32


def test_read_versions_maps_each_container_to_its_key():
    assert read_versions({"webTag": "1.4.2", "xrayTag": DIGEST}, KEYS, "prod") == {
        "web": "1.4.2",
        "migrate": "1.4.2",
        "xray": DIGEST,
    }


def test_project_keys_ignores_other_namespaces():
    assert project_keys({"aws:region": "eu-west-1", "shop:webTag": "1", "other:webTag": "2"}, "shop") == {"webTag": "1"}


@pytest.mark.parametrize(
    "config, problems",
    [
        pytest.param(
            {"xrayTag": "3"},
            ["webTag is not set for stack prod; run: pulumi config set webTag <tag> --stack prod"],
            id="missing",
        ),
        pytest.param(
            {"webTag": "", "xrayTag": "3"},
            ["webTag for stack prod is empty; run: pulumi config set webTag <tag> --stack prod"],
            id="empty",
        ),
        pytest.param(
            {"webTag": "1.4/2", "xrayTag": "3"},
            ['webTag for stack prod "1.4/2" is not a valid image tag (a tag is 1-128 of A-Z a-z 0-9 _ . - and does not '
             "start with . or -, or a digest is sha256: followed by 64 lowercase hex digits); "
             "run: pulumi config set webTag <tag> --stack prod"],
            id="invalid-characters",
        ),
        pytest.param(
            {"webTag": "v" * 129, "xrayTag": "3"},
            ['webTag for stack prod "vvvvvvvvvvvvvvvvvvvv…" is 129 characters long; a tag has at most 128; '
             "run: pulumi config set webTag <tag> --stack prod"],
            id="too-long",
        ),
        pytest.param(
            {"webTag": "sha256:1234", "xrayTag": "3"},
            ['webTag for stack prod "sha256:1234" is not a valid digest (a digest is sha256: followed by 64 lowercase '
             "hex digits); run: pulumi config set webTag <tag> --stack prod"],
            id="malformed-digest",
        ),
        pytest.param(
            {"webTag": 1.1, "xrayTag": "3"},
            ['webTag for stack prod is 1.1, not a string (YAML reads 1.10 as a number); quote it, or run: pulumi config '
             "set webTag <tag> --stack prod"],
            id="number",
        ),
        pytest.param(
            {"wbeTag": "1.4.2", "xrayTag": "3"},
            ["wbeTag is not a config key of this program (did you mean webTag? only image tags are stack config: webTag, "
             "xrayTag; task settings live in code); run: pulumi config rm wbeTag --stack prod",
             "webTag is not set for stack prod; run: pulumi config set webTag <tag> --stack prod"],
            id="typo",
        ),
        pytest.param(
            {"webTag": "1", "xrayTag": "3", "cpu": "1024"},
            ["cpu is not a config key of this program (only image tags are stack config: webTag, xrayTag; task settings "
             "live in code); run: pulumi config rm cpu --stack prod"],
            id="non-tag-key",
        ),
    ],
)
def test_read_versions_reports_every_problem(config, problems):
    with pytest.raises(StackConfigError) as raised:
        read_versions(config, KEYS, "prod")
    assert raised.value.problems == problems
