"""The system clock (services take a ``Clock`` so tests can pin time)."""

from __future__ import annotations

import datetime as dt
import time


class SystemClock:
    def now(self) -> dt.datetime:
        """Timezone-aware UTC now."""
        return dt.datetime.now(dt.UTC)


class SystemTimer:
    """The process's monotonic clock and ``time.sleep`` (the ``Timer`` port)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        time.sleep(seconds)
