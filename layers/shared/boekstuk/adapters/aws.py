"""boto3 clients, created lazily and shared. Endpoints come from the standard AWS_ENDPOINT_URL variables,
so the local stack and AWS differ only in configuration."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3})
# botocore still presigns S3 URLs with SigV2, which signs neither the host nor headers such as If-None-Match:
# SigV4 makes a presigned upload's conditions part of its signature (and SigV2 is deprecated in S3).
_SERVICE_CONFIG = {"s3": _CONFIG.merge(Config(signature_version="s3v4"))}


class AwsClients:
    """A small cache of boto3 clients and resources for one region."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        """The client for ``service``, created on first use."""
        with self._lock:
            if service not in self._clients:
                config = _SERVICE_CONFIG.get(service, _CONFIG)
                self._clients[service] = self._session.client(service, config=config)  # type: ignore[call-overload]
            return self._clients[service]

    def dynamodb_table(self, name: str) -> Any:
        """A DynamoDB ``Table`` resource (native Python values in and out)."""
        key = f"dynamodb-table:{name}"
        with self._lock:
            if key not in self._clients:
                resource = self._session.resource("dynamodb", config=_CONFIG)
                self._clients[key] = resource.Table(name)
            return self._clients[key]
