"""The Pulumi program: one TaggedService per service of the app; each image's tag from this stack's config."""

import gc

import pulumi
import pulumi_aws as aws

from components.program import prepare_services, stop_on_bad_input
from components.service import TaggedService

# The SDK keeps every resource's objects alive until the program ends, so the cyclic collector's full
# collections walk an ever larger heap and free next to nothing: paused, the cost per service stays flat
# (docs/performance.md). The process is short-lived; its cyclic garbage (~0.5 MiB per service) goes with it.
gc.disable()

stack = pulumi.get_stack()
with stop_on_bad_input():  # every problem of every service, one line, before any resource exists
    import app

    shared_cluster = app.SHARED_CLUSTERS.get(stack)
    services = prepare_services(app.SERVICES, stack, shared_cluster=bool(shared_cluster))  # with the stack's aws: settings

cluster = aws.ecs.Cluster("cluster", name=shared_cluster) if shared_cluster else None
for name, args in services:
    if cluster is not None:
        args["cluster"] = cluster.arn
    service = TaggedService(name, args)
    pulumi.export(name, {
        "family": service.family, "revision": service.revision, "taskDefinitionArn": service.task_definition_arn,
        "images": service.images, "imageTags": service.image_tags, "imageDigests": service.image_digests,
        "cluster": service.cluster, "serviceName": service.service_name, "serviceArn": service.service_arn,
        "runningTaskDefinitionArn": service.running_task_definition_arn, "deregisteredRevisions": service.deregistered_revisions,
        "rolloutState": service.rollout_state, "runningImageDigests": service.running_image_digests,
    })
