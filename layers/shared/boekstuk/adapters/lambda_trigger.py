"""Starts the supplier sync function asynchronously (``InvocationType=Event``)."""

from __future__ import annotations

import json
from typing import Any


class LambdaSyncTrigger:
    def __init__(self, client: Any, function_name: str) -> None:
        self._client = client
        self._function_name = function_name

    def request_sync(self, office_code: str, administration_id: str) -> None:
        """Fire and forget: the sync records its own outcome on the administration."""
        self._client.invoke(
            FunctionName=self._function_name,
            InvocationType="Event",
            Payload=json.dumps({"office": office_code, "administration_id": administration_id}).encode(),
        )
