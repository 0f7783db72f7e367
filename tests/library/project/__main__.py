"""The fixture project's program: one TaggedService per declared service, as an adopter writes it."""

import pulumi
import pulumi_aws as aws

from components.program import prepare_services, stop_on_bad_input
from components.service import TaggedService

stack = pulumi.get_stack()
with stop_on_bad_input():
    import services

    shared_cluster = services.SHARED_CLUSTERS.get(stack)
    prepared = prepare_services(services.SERVICES, stack, shared_cluster=bool(shared_cluster))

cluster = aws.ecs.Cluster("cluster", name=shared_cluster) if shared_cluster else None
for name, args in prepared:
    if cluster is not None:
        args["cluster"] = cluster.arn
    service = TaggedService(name, args)
    pulumi.export(name, {
        "family": service.family, "taskDefinitionArn": service.task_definition_arn,
        "imageTags": service.image_tags, "imageDigests": service.image_digests, "serviceName": service.service_name,
    })
