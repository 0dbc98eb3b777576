"""Test helper: run handlers with other throttling numbers (the ``THROTTLING`` setting), then the defaults again."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any

from boekstuk import bootstrap


@contextlib.contextmanager
def throttling(**policy: Any) -> Iterator[None]:
    """Handlers in this process see ``policy`` (fields of ``ThrottlePolicy``) until the block ends.

    Environment variables are process-wide and the composition root caches the settings, so it is reset on
    the way in and on the way out.
    """
    before = os.environ.get("THROTTLING")
    os.environ["THROTTLING"] = json.dumps(policy)
    bootstrap.reset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("THROTTLING", None)
        else:
            os.environ["THROTTLING"] = before
        bootstrap.reset()
