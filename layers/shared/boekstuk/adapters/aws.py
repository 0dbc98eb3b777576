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
# Textract's request quotas are a few per second per account: adaptive retries wait for capacity (client-side rate
# limiting) and try more often before recognition reports it unavailable and the invocation is retried whole.
_SERVICE_CONFIG = {"s3": _CONFIG.merge(Config(signature_version="s3v4")),
                   "textract": _CONFIG.merge(Config(retries={"mode": "adaptive", "max_attempts": 6}))}
# On AWS, presigned URLs name the bucket's regional virtual host (bucket.s3.<region>.amazonaws.com): botocore's
# default, the global s3.amazonaws.com name, answers a bucket outside us-east-1 with a redirect for up to a day
# after it was created (a browser's CORS preflight does not follow it), and the web app's CSP allows exactly the
# regional name. Against an emulator's endpoint (the local stack) the bucket stays in the path.
_AWS_S3_CONFIG = _SERVICE_CONFIG["s3"].merge(Config(s3={"addressing_style": "virtual"}))


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
                created = self._session.client(service, config=config)  # type: ignore[call-overload]
                if service == "s3" and created.meta.endpoint_url.endswith(".amazonaws.com"):
                    created = self._session.client(
                        service, config=_AWS_S3_CONFIG,
                        endpoint_url=f"https://s3.{self._region}.amazonaws.com")  # type: ignore[call-overload]
                self._clients[service] = created
            return self._clients[service]

    def dynamodb_table(self, name: str) -> Any:
        """A DynamoDB ``Table`` resource (native Python values in and out)."""
        key = f"dynamodb-table:{name}"
        with self._lock:
            if key not in self._clients:
                resource = self._session.resource("dynamodb", config=_CONFIG)
                self._clients[key] = resource.Table(name)
            return self._clients[key]
