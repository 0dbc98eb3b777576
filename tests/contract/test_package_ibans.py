"""Every connector hands IBANs to the system normalised: compact, upper case, and None when invalid.

A package holds what its users typed. A supplier sync must not stop on one bad IBAN, and must not store
``nl69 ingb ...`` next to ``NL69INGB...``: the simulators' seed IBANs are rewritten in the package's own
state (spaced and lower case for one supplier, wrong check digits for another) and read back.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from boekstuk_local.simulators import seed
from tests.contract.conftest import Linked

TELECOM, GRAANHANDEL = seed.NAMED_SUPPLIERS[1], seed.NAMED_SUPPLIERS[2]


def _rewrite(data: Any, old: str, new: str) -> Any:
    """``data`` with every string equal to ``old`` replaced by ``new`` (the IBAN wherever the package keeps it)."""
    if isinstance(data, dict):
        return {key: _rewrite(value, old, new) for key, value in data.items()}
    if isinstance(data, list):
        return [_rewrite(value, old, new) for value in data]
    return new if data == old else data


def test_synced_ibans_are_normalised_and_an_invalid_one_is_dropped(linked: Linked,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    simulator = linked.server.simulator
    state = simulator.snapshot()
    printed = " ".join(TELECOM.iban[i:i + 4] for i in range(0, len(TELECOM.iban), 4)).lower()  # nl69 ingb 0123 ...
    state = _rewrite(state, TELECOM.iban, printed)
    state = _rewrite(state, GRAANHANDEL.iban, GRAANHANDEL.iban[:2] + "00" + GRAANHANDEL.iban[4:])
    simulator.restore(state)
    package = linked.open()
    administration = next(a.code for a in package.list_administrations() if a.accessible)
    with caplog.at_level(logging.WARNING, logger="boekstuk.adapters.packages.ibans"):
        suppliers = {s.name: s for s in package.list_suppliers(administration)}
    assert suppliers[TELECOM.name].iban == TELECOM.iban
    assert suppliers[GRAANHANDEL.name].iban is None
    reasons = [getattr(r, "reason", None) for r in caplog.records if r.name == "boekstuk.adapters.packages.ibans"]
    assert "InvalidChecksumDigits" in reasons
    assert len(suppliers) == len(seed.SUPPLIERS)  # the sync went on past the bad one
