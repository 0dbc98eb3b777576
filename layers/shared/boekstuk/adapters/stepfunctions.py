"""The approval and booking workflow on Step Functions: start executions, complete callback tasks."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.observability import logger


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
        """SendTaskSuccess with ``output`` as the task's result; a token whose task is closed is ignored."""
        with _closed_task_ignored():
            self._client.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        """SendTaskFailure; ``error`` is matched by the ASL's Catch (256/32768 characters at most); a token whose
        task is closed is ignored."""
        with _closed_task_ignored():
            self._client.send_task_failure(taskToken=task_token, error=error[:256], cause=cause[:32768])


# Step Functions accepts one outcome per task token and answers these for any later one: sending an outcome
# again is therefore safe, and is how an outcome whose first sending died with its handler gets through.
_CLOSED_TASK_ERRORS = frozenset({"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"})


@contextlib.contextmanager
def _closed_task_ignored() -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in _CLOSED_TASK_ERRORS:
            raise
        logger.warning("task outcome not sent: the task is closed already", error=code)
