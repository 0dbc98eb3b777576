"""The one OData filter helper: Exact Online's v3 and SnelStart's v4 dialects from the same calls."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boekstuk.adapters.packages.odata import ODATA_V3, ODATA_V4, Guid

GUID = "6d2b7a10-0c4e-4f39-8e0a-3c1d2b4a5e02"


@pytest.mark.parametrize(("value", "v3", "v4"), [
    ("Kantoorhuis", "'Kantoorhuis'", "'Kantoorhuis'"),
    ("Bakker's Brood", "'Bakker''s Brood'", "'Bakker''s Brood'"),  # a quote inside is doubled
    (Guid(GUID), f"guid'{GUID}'", GUID),  # v3 marks guids, v4 writes them bare
    (True, "true", "true"),
    (False, "false", "false"),
    (2001, "2001", "2001"),
    (Decimal("12.50"), "12.50", "12.50"),
    (None, "null", "null"),
])
def test_literals_per_dialect(value: object, v3: str, v4: str) -> None:
    assert ODATA_V3.literal(value) == v3  # type: ignore[arg-type]
    assert ODATA_V4.literal(value) == v4  # type: ignore[arg-type]


def test_comparisons_and_contains_per_dialect() -> None:
    assert ODATA_V3.eq("VATNumber", "NL853746333B01") == "VATNumber eq 'NL853746333B01'"
    assert ODATA_V3.eq("Account", Guid(GUID)) == f"Account eq guid'{GUID}'"
    assert ODATA_V4.eq("Leverancier/Id", Guid(GUID)) == f"Leverancier/Id eq {GUID}"
    assert ODATA_V3.contains("Name", "tele'com") == "substringof('tele''com', Name) eq true"
    assert ODATA_V4.contains("Naam", "telecom") == "contains(Naam,'telecom')"


def test_all_of_joins_with_and_and_skips_what_is_not_there() -> None:
    assert ODATA_V3.all_of(ODATA_V3.eq("IsSupplier", True), None, "", ODATA_V3.eq("Code", "1")) == (
        "IsSupplier eq true and Code eq '1'")
    assert ODATA_V4.all_of(ODATA_V4.eq("Relatiecode", 2001)) == "Relatiecode eq 2001"
    assert ODATA_V4.all_of() == ""


def test_each_makes_one_clause_per_given_key() -> None:
    assert ODATA_V4.each(eq={"BtwNummer": None, "KvkNummer": "01098765", "Iban": ""}, contains={"Naam": "tele"}) == [
        "KvkNummer eq '01098765'", "contains(Naam,'tele')"]
    assert ODATA_V3.each(eq={"IsSupplier": False}) == ["IsSupplier eq false"]  # False is a value, not "no value"
    assert ODATA_V3.each() == []


def test_entity_keys_use_the_literal() -> None:
    assert ODATA_V3.key("crm/Accounts", Guid(GUID)) == f"crm/Accounts(guid'{GUID}')"
    assert ODATA_V4.key("relaties", 12) == "relaties(12)"


def test_a_value_of_another_type_is_refused() -> None:
    with pytest.raises(TypeError):
        ODATA_V3.literal(1.5)  # type: ignore[arg-type]  # floats would lose cents: pass a Decimal
