"""The simulators' one OData reader: Exact Online's v3 and SnelStart's v4, each as strict as its package."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boekstuk_local.simulators.odata import ODATA_V3, ODATA_V4_IGNORE_CASE, Clause, ODataError, skip_top

GUID = "6d2b7a10-0c4e-4f39-8e0a-3c1d2b4a5e02"
ACCOUNT = {"ID": GUID, "Code": "              2001", "Name": "Kantoorhuis Utrecht B.V.", "IsSupplier": True,
           "Amount": 121.0}
RELATIE = {"id": GUID, "relatiecode": 2001, "naam": "Telecom Noord B.V.", "relatiesoort": ["Leverancier"],
           "leverancier": {"id": GUID.upper()}, "kvkNummer": "01098765"}


def test_v3_reads_what_exact_online_is_sent() -> None:
    clauses = ODATA_V3.parse(f"IsSupplier eq true and ID eq guid'{GUID.upper()}' and substringof('HuIs', Name) eq true")
    assert clauses == [Clause("eq", "IsSupplier", True), Clause("eq", "ID", GUID), Clause("contains", "Name", "huis")]
    assert ODATA_V3.matches(ACCOUNT, clauses)
    assert ODATA_V3.select([ACCOUNT], "Code eq '2001'") == []  # strings compare as written: the padding counts
    assert ODATA_V3.select([ACCOUNT], "Name eq 'kantoorhuis utrecht b.v.'") == []
    assert ODATA_V3.select([ACCOUNT], "Amount eq 121.00") == [ACCOUNT]
    assert ODATA_V3.select([ACCOUNT], "Name eq 'Bakker''s'") == []
    assert ODATA_V3.parse("Name eq 'Bakker''s'") == [Clause("eq", "Name", "Bakker's")]


def test_v4_reads_what_snelstart_is_sent() -> None:
    text = f"Relatiesoort/any(soort:soort eq 'Leverancier') and Leverancier/Id eq {GUID} and contains(Naam,'TELECOM')"
    clauses = ODATA_V4_IGNORE_CASE.parse(text)
    assert clauses == [Clause("any", "Relatiesoort", "Leverancier"), Clause("eq", "Leverancier/Id", GUID),
                       Clause("contains", "Naam", "telecom")]
    assert ODATA_V4_IGNORE_CASE.matches(RELATIE, clauses)  # field names and text compare without case
    assert ODATA_V4_IGNORE_CASE.select([RELATIE], "Relatiecode eq 2001 and KvkNummer eq '01098765'") == [RELATIE]
    assert ODATA_V4_IGNORE_CASE.select([RELATIE], "Relatiecode eq 2002") == []
    assert ODATA_V4_IGNORE_CASE.select([RELATIE], None) == [RELATIE]


@pytest.mark.parametrize(("dialect", "text"), [
    (ODATA_V3, "contains(Name,'x')"),  # a v4 function: Exact does not know it
    (ODATA_V3, f"ID eq {GUID}"),  # v3 guids need guid'…'
    (ODATA_V4_IGNORE_CASE, "substringof('x', Naam) eq true"),  # a v3 function: SnelStart does not know it
    (ODATA_V4_IGNORE_CASE, f"Id eq guid'{GUID}'"),
    (ODATA_V3, "Name gt 'a'"),  # only eq
    (ODATA_V3, "Name eq 'a' or Code eq 'b'"),  # only and
    (ODATA_V3, "Name eq 'a' and"),
    (ODATA_V3, ""),
    (ODATA_V3, "Name eq 'unterminated"),
    (ODATA_V4_IGNORE_CASE, "Relatiesoort/any(s:t eq 'Leverancier')"),  # the lambda must use its variable
    (ODATA_V4_IGNORE_CASE, "contains('x',Naam)"),  # field and text the wrong way round
])
def test_what_the_package_would_refuse_is_refused(dialect: object, text: str) -> None:
    with pytest.raises(ODataError):
        dialect.parse(text)  # type: ignore[attr-defined]


def test_numbers_never_equal_booleans_or_text() -> None:
    assert ODATA_V3.select([{"Flag": True}, {"Flag": "x"}, {"Flag": 1}], "Flag eq 1") == [{"Flag": 1}]
    assert ODATA_V3.parse("Amount eq -12.5") == [Clause("eq", "Amount", Decimal("-12.5"))]


def test_skip_and_top_with_and_without_a_cap() -> None:
    rows = list(range(10))
    assert skip_top(rows, {}) == rows
    assert skip_top(rows, {"$skip": "4", "$top": "3"}) == [4, 5, 6]
    assert skip_top(rows, {"$top": "8"}, max_top=5) == [0, 1, 2, 3, 4]  # the server caps a page
    assert skip_top(rows, {"$skip": "8"}, max_top=5) == [8, 9]  # and without $top a page is the cap
    assert skip_top(rows, {"$skip": "-2", "$top": "-1"}) == []
    with pytest.raises(ODataError):
        skip_top(rows, {"$top": "veel"})
