"""The Pulumi program: read this stack's image tags, validate them, wire the component."""

import pulumi

import app
from components.errors import EcsReleaseError
from components.pinning import prepare_release
from components.retention import RevisionRetention
from components.stack_config import program_config, project_keys, read_versions
from components.service import EcsService, TaskRoles
from components.service_plan import plan_service
from components.task_definition import TaggedTaskDefinition

stack = pulumi.get_stack()
try:
    spec = app.web_task_definition(stack)
    versions = read_versions(project_keys(program_config(), pulumi.get_project()), app.web_tag_keys(spec), stack)
    # Release policy (components/pinning.py): refuse mutable tags in production, pin digests, tag the revision.
    release = prepare_release(spec, versions, app.web_tag_keys(spec), app.release_policy(stack), pulumi.get_project(), stack)
    spec, versions = release.spec, release.versions
    # The service around it (components/service_plan.py): every problem reported before any resource exists.
    plan = plan_service(spec, app.web_service(stack), versions, pulumi.Config("aws").get("region"))
except EcsReleaseError as error:
    raise pulumi.RunError(str(error)) from error

roles = TaskRoles("web", {"plan": plan})
web = TaggedTaskDefinition(
    "web",
    {"spec": plan.spec, "versions": versions, "execution_role_arn": roles.execution_role_arn, "task_role_arn": roles.task_role_arn},
)
aws_profile = pulumi.Config("aws").get("profile")
service = EcsService("web", {"plan": plan, "task_definition": web, "aws_profile": aws_profile})

pulumi.export("family", web.family)
pulumi.export("revision", web.revision)
pulumi.export("taskDefinitionArn", web.arn)
pulumi.export("images", web.images)
pulumi.export("cluster", service.cluster)
pulumi.export("serviceName", service.service_name)
pulumi.export("serviceArn", service.service_arn)
pulumi.export("runningTaskDefinitionArn", service.running_task_definition_arn)
pulumi.export("imageTags", release.image_tags)
pulumi.export("imageDigests", release.image_digests)

# Revision retention (components/retention.py): after the new revision exists, keep the newest N ACTIVE
# revisions of the family (app.RELEASE_POLICIES) and deregister older ones this stack registered.
retention = RevisionRetention(
    "web-retention",
    family=web.family,
    current=web.arn,
    keep=app.release_policy(stack).keep_revisions,
    owner=f"{pulumi.get_project()}/{stack}",
    region=pulumi.Config("aws").get("region") or "",
    protect=[service.running_task_definition_arn],
    profile=aws_profile,  # runs after the rollout succeeded; never prunes what runs
    opts=pulumi.ResourceOptions(depends_on=[service]),
)
pulumi.export("deregisteredRevisions", retention.deregistered)
