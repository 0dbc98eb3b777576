"""Powertools idempotency: S3 may deliver one ObjectCreated event more than once, and an asynchronous Lambda
invocation (SES's Lambda action) is retried after a failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

ONE_WEEK = 7 * 24 * 3600


class IdempotentRunner:
    """Runs ``work(record)`` at most once per ``key`` (a JMESPath over the record; by default bucket, key and ETag
    of an S3 object) within a week; repeats get the first result."""

    def __init__(self, work: Callable[[dict[str, Any]], dict[str, Any]], table_name: str, client: Any,
                 key: str = "[bucket, key, etag]") -> None:
        self._config = IdempotencyConfig(event_key_jmespath=key, expires_after_seconds=ONE_WEEK,
                                         raise_on_no_idempotency_key=True)
        store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)

        @idempotent_function(data_keyword_argument="record", persistence_store=store, config=self._config)
        def run(record: dict[str, Any]) -> dict[str, Any]:
            return work(record)

        self._run = run

    def __call__(self, record: dict[str, Any], context: LambdaContext | None = None) -> dict[str, Any]:
        """Process ``record`` once."""
        if context is not None:
            self._config.register_lambda_context(context)
        result: dict[str, Any] = self._run(record=record)
        return result
