"""Secrets Manager: package credentials and OAuth tokens (KMS-encrypted at rest by the service)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


class SecretsManagerStore:
    def __init__(self, client: Any) -> None:
        self._client = client

    def put(self, name: str, value: dict[str, object]) -> None:
        """Create the secret, or add a new current version when it exists."""
        payload = json.dumps(value)
        try:
            self._client.put_secret_value(SecretId=name, SecretString=payload)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            self._client.create_secret(Name=name, SecretString=payload,
                                       Description="boekstuk package connection credentials")

    def get(self, name: str) -> dict[str, object]:
        """The current version; ``KeyError`` when there is no such secret."""
        try:
            result = self._client.get_secret_value(SecretId=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise KeyError(name) from exc
            raise
        value: dict[str, object] = json.loads(result["SecretString"])
        return value
