"""The component package's entry point: Pulumi runs ``python <this directory> <engine address>``.

``components.provider.serve`` hosts ``TaggedService`` and ``TaggedTaskDefinition`` as
``pulumi.provider.experimental.component_provider_host`` would, with ``EcsReleaseProvider``, a subclass
of the SDK's ``ComponentProvider`` (that function builds the base class itself, so it cannot host it).
"""

from components.provider import serve

if __name__ == "__main__":
    serve()
