"""The local stack's clock: the system clock moved forward by an offset the stack controls (``/_local/clock``).

Handlers build ``OffsetClock`` from the ``CLOCK_OFFSET_FILE`` setting; the gateway and the schedule timer use one on
the same file, so every part of the stack sees the same time. What does not follow it: Cognito's token expiry (the
local authorizer checks tokens against real time), Step Functions timers (waits, retries, timeouts run in real
time) and the package simulators' tokens.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from boekstuk.adapters.clock import OffsetClock

CLOCK_FILE = "clock.json"


class LocalClock:
    """The offset file (in ``data_dir`` when given, else in a temporary directory removed by ``close``)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._temporary = None if data_dir is not None else tempfile.TemporaryDirectory(prefix="boekstuk-clock-")
        folder = data_dir if data_dir is not None else Path(self._temporary.name)  # type: ignore[union-attr]
        self.path = folder / CLOCK_FILE
        self.clock = OffsetClock(self.path)

    def close(self) -> None:
        """Remove the temporary offset file (a data dir keeps it)."""
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None
