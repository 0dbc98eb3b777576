"""Completes the workflow's ``.waitForTaskToken`` task and starts further executions (retry-booking)."""

from __future__ import annotations

import json
import uuid
from typing import Any


class StepFunctionsTasks:
    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._arn = state_machine_arn

    def succeed(self, task_token: str, output: dict[str, object]) -> None:
        """SendTaskSuccess with ``output`` as the task's result."""
        self._client.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        """SendTaskFailure; ``error`` is matched by the ASL's Catch (256/32768 characters at most)."""
        self._client.send_task_failure(taskToken=task_token, error=error[:256], cause=cause[:32768])

    def start_again(self, office_code: str, document_id: str) -> str:
        """A fresh execution: the first one is named ``doc-{id}`` (started by the intake), later ones get a suffix."""
        result = self._client.start_execution(
            stateMachineArn=self._arn, name=f"doc-{document_id}-{uuid.uuid4().hex[:12]}",
            input=json.dumps({"office": office_code, "document_id": document_id}))
        return str(result["executionArn"])
