"""The approval and booking workflow on Step Functions: start executions, complete callback tasks."""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import ClientError


class StepFunctionsWorkflow:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._arn = state_machine_arn

    def _start(self, name: str, office_code: str, document_id: str) -> str:
        result = self._client.start_execution(
            stateMachineArn=self._arn, name=name,
            input=json.dumps({"office": office_code, "document_id": document_id}))
        return str(result["executionArn"])

    def start(self, office_code: str, document_id: str) -> str:
        """The document's first execution, named ``doc-{id}``: a repeated start is refused, not doubled."""
        try:
            return self._start(f"doc-{document_id}", office_code, document_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                return f"{self._arn.replace(':stateMachine:', ':execution:')}:doc-{document_id}"
            raise

    def start_again(self, office_code: str, document_id: str) -> str:
        """A further execution for the same document (retry-booking), with a unique name."""
        return self._start(f"doc-{document_id}-{uuid.uuid4().hex[:12]}", office_code, document_id)

    def succeed(self, task_token: str, output: dict[str, object]) -> None:
        """SendTaskSuccess with ``output`` as the task's result."""
        self._client.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        """SendTaskFailure; ``error`` is matched by the ASL's Catch (256/32768 characters at most)."""
        self._client.send_task_failure(taskToken=task_token, error=error[:256], cause=cause[:32768])
