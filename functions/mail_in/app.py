"""SES receipt rule (Lambda action, after its S3 action stored the raw message): a message sent to an
administration's inbox address -> its documents into the intake, a reply when something was not taken."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import SESEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.bootstrap import services
from boekstuk.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in SESEvent(event).records:
        mail, receipt = record.ses.mail, record.ses.receipt
        # A verdict is absent when the rule does not scan: read them leniently.
        verdicts = {name: str((receipt.raw_event.get(f"{name}Verdict") or {}).get("status", ""))
                    for name in ("spam", "virus", "spf", "dkim", "dmarc")}
        results.append(services().idempotent_mail_intake(
            {"message_id": mail.message_id, "recipients": list(receipt.recipients), "envelope_sender": mail.source,
             "verdicts": verdicts}, context))
    return {"results": results}
