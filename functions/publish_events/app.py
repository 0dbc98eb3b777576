"""Schedule: publish the document events that the request which stored them could not (the outbox)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    run = services().event_publishing.publish_pending()
    if run.published or run.failed:
        logger.info("outbox published", published=run.published, failed=run.failed)
    return run.model_dump()
