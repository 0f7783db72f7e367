"""The Pulumi program: read this stack's image tags, validate them, wire the component."""

import pulumi

import app
from components.errors import EcsReleaseError
from components.stack_config import program_config, project_keys, read_versions
from components.task_definition import TaggedTaskDefinition

stack = pulumi.get_stack()
try:
    spec = app.web_task_definition(stack)
    versions = read_versions(project_keys(program_config(), pulumi.get_project()), app.web_tag_keys(spec), stack)
except EcsReleaseError as error:
    raise pulumi.RunError(str(error)) from error

web = TaggedTaskDefinition("web", {"spec": spec, "versions": versions})

pulumi.export("family", web.family)
pulumi.export("revision", web.revision)
pulumi.export("taskDefinitionArn", web.arn)
pulumi.export("images", web.images)
