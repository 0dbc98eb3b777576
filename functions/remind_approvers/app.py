"""Schedule (hourly on working days): remind approvers of documents that have waited for them over 48 hours."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = services().approval_reminders.send_due()
    logger.info("reminders run", day=run.day.isoformat(), weekend=run.weekend, waiting=run.waiting, sent=run.sent)
    return run.model_dump(mode="json")
