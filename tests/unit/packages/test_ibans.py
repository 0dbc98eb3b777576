"""The one IBAN normaliser: schwifty decides, an invalid IBAN from a package becomes None and is logged."""

from __future__ import annotations

import logging

import pytest

from boekstuk.adapters.packages.ibans import bic_for, iban_for_package, normalise_iban

VALID = "NL91ABNA0417164300"


@pytest.mark.parametrize("value", [
    VALID,
    "NL91 ABNA 0417 1643 00",  # printed with spaces
    "nl91abna0417164300",  # lower case
    " nl91 abna 0417 1643 00\t",  # both, with blanks around
])
def test_valid_ibans_come_out_compact_and_upper_case(value: str) -> None:
    assert normalise_iban(value) == VALID


def test_other_countries_keep_their_own_length() -> None:
    assert normalise_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert normalise_iban("be68 5390 0754 7034") == "BE68539007547034"


@pytest.mark.parametrize(("value", "reason"), [
    ("NL00ABNA0417164300", "checksum"),  # wrong check digits
    ("NL91ABNA04171643", "length"),  # too short for NL
    ("XX91ABNA0417164300", "country"),  # no such country
    ("geen IBAN", "structure"),
    ("NL91ABNA041716430X", "structure"),  # a letter where the bank account number has digits
])
def test_invalid_ibans_become_none_with_the_reason_logged(value: str, reason: str,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="boekstuk.adapters.packages.ibans"):
        assert normalise_iban(value, package="twinfield", supplier="2003") is None
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert (record.package, record.supplier) == ("twinfield", "2003")  # type: ignore[attr-defined]
    assert reason in record.reason.lower()  # type: ignore[attr-defined]
    assert value.replace(" ", "").upper() not in caplog.text + record.reason  # type: ignore[attr-defined]


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_iban_is_none_and_not_worth_a_log_line(value: str | None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        assert normalise_iban(value) is None
    assert not caplog.records


def test_what_goes_to_a_package_is_compact_and_an_invalid_one_is_left_for_the_package_to_refuse() -> None:
    assert iban_for_package("nl91 abna 0417 1643 00") == VALID
    assert iban_for_package("NL00 ABNA 0417 1643 00") == "NL00ABNA0417164300"  # the package answers in its words
    assert iban_for_package(None) is None and iban_for_package(" ") is None


def test_bic_from_the_bank_registry() -> None:
    assert bic_for("NL91 ABNA 0417 1643 00") == "ABNANL2A"
    assert bic_for("NL13TEST0123456789") is None  # a valid IBAN of a bank schwifty does not know
    assert bic_for("NL00ABNA0417164300") is None
