"""The system clock (services take a ``Clock`` so tests can pin time)."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    def now(self) -> dt.datetime:
        """Timezone-aware UTC now."""
        return dt.datetime.now(dt.UTC)
