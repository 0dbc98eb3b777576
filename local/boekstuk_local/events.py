"""The EventBridge events the system published, for ``GET /_local/events``.

moto keeps a put event only where a rule sends it somewhere (and a rule with a Lambda target raises), so the
local stack records every event the emulated bus accepted itself: this recorder wraps the EventBridge backend's
``put_events`` (in-process under ``mock_aws`` and in the stack's moto server alike).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from pydantic import BaseModel, Field


class PublishedEvent(BaseModel):
    """One accepted event, shaped as EventBridge delivers it to a rule's target."""

    id: str
    source: str
    detail_type: str = Field(serialization_alias="detail-type")
    detail: dict[str, Any]
    time: str  # ISO 8601 UTC
    event_bus: str


class EventLog:
    """Thread-safe, ordered store of the published events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[PublishedEvent] = []

    def add(self, event: PublishedEvent) -> None:
        """Record one accepted event."""
        with self._lock:
            self._events.append(event)

    def events(self, document_id: str | None = None) -> list[PublishedEvent]:
        """Oldest first; only a document's events when ``document_id`` is given."""
        with self._lock:
            found = list(self._events)
        return [e for e in found if document_id is None or e.detail.get("document_id") == document_id]

    def clear(self) -> None:
        """Forget every event."""
        with self._lock:
            self._events.clear()


EVENTS = EventLog()
_installed = False
_install_lock = threading.Lock()


def _time(value: Any) -> str:
    if isinstance(value, int | float):
        when = dt.datetime.fromtimestamp(value, dt.UTC)
    elif isinstance(value, dt.datetime):
        when = value.astimezone(dt.UTC)
    elif isinstance(value, str) and value:
        return value
    else:
        when = dt.datetime.now(dt.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def install() -> None:
    """Wrap moto's EventBridge backend so every accepted event is recorded in ``EVENTS`` (idempotent)."""
    global _installed
    from moto.events.models import EventsBackend

    with _install_lock:
        if _installed:
            return
        put_events = EventsBackend.put_events

        def recording_put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            results: list[dict[str, Any]] = put_events(self, events)
            for entry, result in zip(events, results, strict=False):
                if "EventId" in result:
                    EVENTS.add(PublishedEvent(
                        id=result["EventId"], source=entry["Source"], detail_type=entry["DetailType"],
                        detail=json.loads(entry["Detail"]), time=_time(entry.get("Time")),
                        event_bus=str(entry.get("EventBusName") or "default")))
            return results

        EventsBackend.put_events = recording_put_events  # type: ignore[method-assign]
        _installed = True
