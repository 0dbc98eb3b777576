"""``/_local/clock``: the system's clock as every handler and schedule sees it, moved forward by the local stack."""

from __future__ import annotations

import datetime as dt
import importlib

from boekstuk_local.testing import LocalAws


def test_advancing_the_clock_moves_what_handlers_see(aws: LocalAws) -> None:
    status, _, before = aws.api_call("GET", "/_local/clock")
    assert status == 200 and before["offset_seconds"] == 0
    status, _, after = aws.api_call("POST", "/_local/clock", {"advance_seconds": 49 * 3600})
    assert status == 200 and after["offset_seconds"] == 49 * 3600
    moved = dt.datetime.fromisoformat(after["now"].replace("Z", "+00:00")) - \
        dt.datetime.fromisoformat(before["now"].replace("Z", "+00:00"))
    assert moved >= dt.timedelta(hours=49)
    # The handlers' composition root reads the same offset file.
    bootstrap = importlib.import_module("boekstuk.bootstrap")
    clock = bootstrap.Components(bootstrap.get_settings()).clock
    assert clock.offset_seconds() == 49 * 3600  # type: ignore[attr-defined]
    assert aws.clock is not None and aws.clock.offset_seconds() == 49 * 3600


def test_the_clock_never_moves_back_and_wants_a_number(aws: LocalAws) -> None:
    for body in ({"advance_seconds": -60}, {"advance_seconds": "60"}, {"advance_seconds": True}, {}, [1]):
        status, _, problem = aws.api_call("POST", "/_local/clock", body)
        assert status == 422 and problem["code"] == "validation_error", (body, problem)
    assert aws.api_call("GET", "/_local/clock")[2]["offset_seconds"] == 0
