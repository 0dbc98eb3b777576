"""Starts the approval and booking workflow (one execution per document)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


class StepFunctionsWorkflow:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._arn = state_machine_arn

    def start(self, office_code: str, document_id: str) -> str:
        """StartExecution named after the document, so a repeated start is refused, not doubled."""
        try:
            result = self._client.start_execution(
                stateMachineArn=self._arn, name=f"doc-{document_id}",
                input=json.dumps({"office": office_code, "document_id": document_id}))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return f"{self._arn.replace(':stateMachine:', ':execution:')}:doc-{document_id}"
            raise
        return str(result["executionArn"])
