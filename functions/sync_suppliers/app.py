"""Supplier sync: one administration (invoked on linking / on request) or all of them (daily schedule)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from boekstuk.bootstrap import services
from boekstuk.domain.errors import DomainError
from boekstuk.observability import logger, metrics, tracer


class SyncOne(BaseModel):
    office: str
    administration_id: str


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "administration_id" in event:
        request = SyncOne.model_validate(event)
        try:
            data = services().supplier_service.sync(request.office, request.administration_id)
        except DomainError as exc:
            # Recorded on the administration; an async invocation has nobody to answer.
            logger.warning("supplier sync failed", code=exc.code, administration_id=request.administration_id)
            return {"administration_id": request.administration_id, "status": exc.code}
        return {"administration_id": request.administration_id, "status": "synced", "suppliers": len(data.suppliers)}
    # Anything else is the schedule (EventBridge Scheduler sends its own payload).
    return {"synced": services().supplier_service.sync_all()}
