"""Workflow task (``.waitForTaskToken``): auto-approve, or park the token server-side and mail the approvers."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer


class RequestApprovalTask(BaseModel):
    office: str = Field(min_length=1)
    document_id: str = Field(min_length=1)
    task_token: str = Field(min_length=1, repr=False)  # never logged


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = RequestApprovalTask.model_validate(event)
    outcome = services().approvals.request_approval(task.office, task.document_id, task.task_token)
    logger.info("approval requested", document_id=task.document_id, outcome=outcome)
    return {"document_id": task.document_id, "outcome": outcome}
