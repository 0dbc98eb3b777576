"""Clocks: the system clock (services take a ``Clock`` so tests can pin time), and a clock moved forward by a file.

``OffsetClock`` is the system's time plus an offset kept in a small JSON file (``{"offset_seconds": 176400.0}``).
The composition root uses it only when the ``CLOCK_OFFSET_FILE`` setting names a file, which only the local stack
sets: there ``POST /_local/clock`` advances it, and every handler and schedule sees the same moved time. In AWS the
setting is empty and ``SystemClock`` is used.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path


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


class OffsetClock:
    """System time plus the offset in ``path`` (0 while the file does not exist); the offset only grows."""

    def __init__(self, path: Path, system: Callable[[], dt.datetime] | None = None) -> None:
        self._path = path
        self._system = system or SystemClock().now
        self._lock = threading.Lock()
        self._cached: tuple[int, float] | None = None  # (file mtime in ns, offset)

    def offset_seconds(self) -> float:
        """The offset the file holds now (re-read only when the file changed)."""
        try:
            mtime = self._path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0.0
        cached = self._cached
        if cached is not None and cached[0] == mtime:
            return cached[1]
        offset = float(json.loads(self._path.read_text(encoding="utf-8"))["offset_seconds"])
        self._cached = (mtime, offset)
        return offset

    def now(self) -> dt.datetime:
        """Timezone-aware UTC now, moved on by the offset."""
        return self._system() + dt.timedelta(seconds=self.offset_seconds())

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward (never back: stored times must not lie in the future); returns the
        new offset. The file is replaced atomically, so a reader never sees half of it."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            offset = self.offset_seconds() + seconds
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".clock-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"offset_seconds": offset}, out)
            os.replace(temporary, self._path)
            self._cached = None
            return offset
