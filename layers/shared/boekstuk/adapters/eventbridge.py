"""Document events onto EventBridge's default bus (``events:PutEvents``)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from boekstuk.domain.events import EVENT_SOURCE, DocumentEvent
from boekstuk.observability import logger

MAX_ENTRIES = 10
"""PutEvents takes at most ten entries per call."""


class EventBridgePublisher:
    """Publishes in batches of at most ten; entries the bus refused (``FailedEntryCount``) or a call that failed
    are tried again after a short jittered back-off, ``attempts`` times in all."""

    def __init__(self, client: Any, bus_name: str = "default", *, attempts: int = 3,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._bus = bus_name
        self._attempts = attempts
        self._sleep = sleep

    def _entry(self, event: DocumentEvent) -> dict[str, Any]:
        return {"Source": EVENT_SOURCE, "DetailType": event.detail_type, "Detail": json.dumps(event.detail()),
                "EventBusName": self._bus, "Time": event.at}

    def publish(self, events: Sequence[DocumentEvent]) -> list[DocumentEvent]:
        """Put ``events`` on the bus; the ones still refused after every attempt are returned."""
        failed: list[DocumentEvent] = []
        for start in range(0, len(events), MAX_ENTRIES):
            failed += self._publish_batch(list(events[start:start + MAX_ENTRIES]))
        return failed

    def _publish_batch(self, pending: list[DocumentEvent]) -> list[DocumentEvent]:
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(random.uniform(0, 0.2 * 2 ** attempt))  # noqa: S311 - jitter, not a secret
            try:
                answer = self._client.put_events(Entries=[self._entry(e) for e in pending])
            except (ClientError, BotoCoreError) as exc:
                logger.warning("events not published", error=type(exc).__name__, events=len(pending), attempt=attempt)
                continue
            results = answer.get("Entries") or []
            pending = [e for e, r in zip(pending, results, strict=False) if r.get("ErrorCode")] + pending[len(results):]
            if not pending:
                return []
            logger.warning("the bus refused events", events=len(pending), attempt=attempt,
                           codes=sorted({str(r.get("ErrorCode")) for r in results if r.get("ErrorCode")}))
        return pending
