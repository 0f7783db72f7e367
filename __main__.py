"""The Pulumi program: read this stack's image tags, validate them, wire the component."""

import pulumi

import app
from components.errors import EcsReleaseError
from components.pinning import prepare_release
from components.stack_config import program_config, project_keys, read_versions
from components.task_definition import TaggedTaskDefinition

stack = pulumi.get_stack()
try:
    spec = app.web_task_definition(stack)
    versions = read_versions(project_keys(program_config(), pulumi.get_project()), app.web_tag_keys(spec), stack)
    # Release policy (components/pinning.py): refuse mutable tags in production, pin digests, tag the revision.
    release = prepare_release(spec, versions, app.web_tag_keys(spec), app.release_policy(stack), pulumi.get_project(), stack)
    spec, versions = release.spec, release.versions
except EcsReleaseError as error:
    raise pulumi.RunError(str(error)) from error

web = TaggedTaskDefinition("web", {"spec": spec, "versions": versions})

pulumi.export("family", web.family)
pulumi.export("revision", web.revision)
pulumi.export("taskDefinitionArn", web.arn)
pulumi.export("images", web.images)
pulumi.export("imageTags", release.image_tags)
pulumi.export("imageDigests", release.image_digests)
