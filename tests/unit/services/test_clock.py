"""The clock the composition root picks: the system clock in AWS, a clock the local stack moves forward when (and
only when) ``CLOCK_OFFSET_FILE`` names a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from boekstuk.adapters.clock import OffsetClock, SystemClock
from boekstuk.bootstrap import Components
from boekstuk.settings import settings_from_env

T0 = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC)


def test_the_offset_clock_moves_forward_only_and_every_reader_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    one, other = OffsetClock(path, system=lambda: T0), OffsetClock(path, system=lambda: T0)
    assert one.now() == T0 and one.offset_seconds() == 0
    assert one.advance(49 * 3600) == 49 * 3600
    assert other.now() == T0 + dt.timedelta(hours=49)  # another reader (another handler) sees the same time
    other.advance(60)
    assert one.now() == T0 + dt.timedelta(hours=49, minutes=1)
    with pytest.raises(ValueError):
        one.advance(-1)
    assert one.offset_seconds() == 49 * 3600 + 60


def test_the_composition_root_picks_the_clock_from_the_settings(tmp_path: Path) -> None:
    assert isinstance(Components(settings_from_env({})).clock, SystemClock)
    path = tmp_path / "clock.json"
    OffsetClock(path).advance(3600)
    clock = Components(settings_from_env({"CLOCK_OFFSET_FILE": str(path)})).clock
    assert isinstance(clock, OffsetClock) and clock.offset_seconds() == 3600
