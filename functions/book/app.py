"""Workflow task: book one document into one package connection (``action: book``), or record that the
booking gave up (``action: record_failure``). Package errors leave by their domain class names, which the
ASL's Retry/Catch match."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from boekstuk.bootstrap import services
from boekstuk.domain.approvals import BookingTarget
from boekstuk.observability import logger, metrics, tracer


class BookTask(BaseModel):
    action: Literal["book", "record_failure"]
    office: str = Field(min_length=1)
    document_id: str = Field(min_length=1)
    execution: str = Field(min_length=1)
    target: BookingTarget
    error: dict[str, Any] | None = None


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = BookTask.model_validate(event)
    bookings = services().bookings
    if task.action == "book":
        outcome = bookings.book(task.office, task.document_id, task.target, task.execution)
    else:
        outcome = bookings.record_failure(task.office, task.document_id, task.target, task.execution, task.error)
    logger.info("booking task done", document_id=task.document_id, action=task.action, status=outcome.status)
    return outcome.model_dump(mode="json")
