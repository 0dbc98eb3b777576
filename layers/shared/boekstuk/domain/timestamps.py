"""Timestamps: timezone-aware UTC inside, ISO 8601 with a ``Z`` at every boundary (API.md)."""

from __future__ import annotations

import datetime as dt


def api_timestamp(value: dt.datetime) -> str:
    """``2026-03-01T09:00:00Z``: ISO 8601 in UTC, as the API writes every timestamp."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
