"""boto3 clients for the code that calls AWS itself: the rollout wait, revision retention and ``promote``."""

from __future__ import annotations

from typing import Any


def aws_client(service: str, region: str | None = None, profile: str | None = None) -> Any:
    """A boto3 client: the standard credential chain, or ``profile`` (the stack's ``aws:profile``) when given.

    ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` are honoured, as everywhere in boto3.
    """
    import boto3

    return boto3.session.Session(profile_name=profile or None, region_name=region or None).client(service)
