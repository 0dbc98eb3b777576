"""What the system knows marks the parties: the administration's own name and ids are the buyer's wherever they
are printed, and a synced supplier's name or id printed on the page names the supplier."""

from __future__ import annotations

from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.extraction.known import KnownParties
from boekstuk.domain.recognition import KnownParty, ReadingHints
from tests.unit.extraction.builder import page
from tests.unit.extraction.test_bookkeeper_reading import BODY
from tests.unit.extraction.test_extractor import dutch_invoice

SUPPLIER_VAT = "NL810433941B01"
BUYER_VAT = "NL000099998B57"
SUPPLIER_IBAN = "NL91ABNA0417164300"
OTHER_IBAN = "NL69INGB0123456789"

BUYER = KnownParty(name="Bakkerij De Vries B.V.", vat_id="NL 0000.99998.B57", kvk="87654321")
KANTOORHUIS = KnownParty(name="Kantoorhuis Utrecht B.V.", vat_id=SUPPLIER_VAT, kvk="24330087", iban=SUPPLIER_IBAN,
                         code="2001")
TELECOM = KnownParty(name="Telecom Noord B.V.", vat_id="NL812345678B01", iban=OTHER_IBAN, code="2002")
HINTS = ReadingHints(buyer=BUYER, suppliers=[KANTOORHUIS, TELECOM])

def test_the_administrations_name_marks_its_block_and_the_ids_in_it_as_the_buyers() -> None:
    lines = [
        (50, 40, "Bakkerij De Vries B.V."),
        (50, 54, "Dorpsstraat 3"),
        (50, 68, "1234 AB Ons Dorp"),
        (50, 82, BUYER_VAT),
        *BODY,
        (50, 780, f"Groenlicht   {SUPPLIER_VAT}"),
    ]
    hints = ReadingHints(buyer=KnownParty(name="Bakkerij De Vries BV"))
    without = extract_fields([page(lines)], engine="pdf_text")
    assert without.fields.supplier_vat_id == BUYER_VAT  # what a page alone says
    result = extract_fields([page(lines)], engine="pdf_text", hints=hints)
    assert result.fields.supplier_vat_id == SUPPLIER_VAT
    assert result.fields.supplier_name != "Bakkerij De Vries B.V."
    assert result.buyer is not None
    assert (result.buyer.name, result.buyer.vat_id) == ("Bakkerij De Vries B.V.", BUYER_VAT)


def test_the_administrations_own_ids_are_the_buyers_wherever_they_are_printed() -> None:
    lines = [(50, 40, "Groenlicht B.V."), *BODY, (50, 700, f"BTW {BUYER_VAT}"), (50, 760, f"BTW {BUYER_VAT}"),
             (50, 780, f"BTW {SUPPLIER_VAT}   KvK 87654321   KvK 24330087")]
    result = extract_fields([page(lines)], engine="pdf_text", hints=ReadingHints(buyer=BUYER))
    assert (result.fields.supplier_vat_id, result.fields.supplier_kvk) == (SUPPLIER_VAT, "24330087")
    assert result.buyer is not None and (result.buyer.vat_id, result.buyer.kvk) == (BUYER_VAT, "87654321")


def test_a_synced_suppliers_name_in_capitals_names_the_supplier() -> None:
    lines = [(50, 40, "KANTOORHUIS UTRECHT"), (50, 130, "Van Dam Vastgoed B.V."), (50, 144, "Kerkweg 1"), *BODY]
    assert extract_fields([page(lines)], engine="pdf_text").fields.supplier_name == "Van Dam Vastgoed B.V."
    result = extract_fields([page(lines)], engine="pdf_text", hints=HINTS)
    assert result.fields.supplier_name == "KANTOORHUIS UTRECHT"
    assert result.confidence["supplier_name"] >= 0.9


def test_a_synced_suppliers_id_names_the_supplier_and_beats_a_more_frequent_id() -> None:
    lines = [(50, 40, "Factuurservice"), *BODY, (50, 700, f"IBAN {OTHER_IBAN}"), (50, 740, f"IBAN {OTHER_IBAN}"),
             (50, 780, f"Betaling naar {SUPPLIER_IBAN}")]
    hints = ReadingHints(suppliers=[KANTOORHUIS])
    assert extract_fields([page(lines)], engine="pdf_text").fields.supplier_iban == OTHER_IBAN
    result = extract_fields([page(lines)], engine="pdf_text", hints=hints)
    assert result.fields.supplier_iban == SUPPLIER_IBAN
    assert result.fields.supplier_name == "Kantoorhuis Utrecht B.V."
    assert "supplier_name" not in result.locations  # the package's name, not read from the page


def test_hints_that_the_page_does_not_show_change_nothing() -> None:
    hints = ReadingHints(buyer=BUYER, suppliers=[TELECOM])
    assert extract_fields(dutch_invoice(), engine="pdf_text", hints=hints) == extract_fields(
        dutch_invoice(), engine="pdf_text")


def test_a_creditor_record_of_the_administration_itself_is_no_known_supplier() -> None:
    own = KnownParty(name="Bakkerij de Vries", vat_id="NL000099998B57", code="9999")
    known = KnownParties.of(ReadingHints(buyer=BUYER, suppliers=[own, KANTOORHUIS]))
    assert known.supplier_with_id(BUYER_VAT) is None
    assert known.supplier_named("Bakkerij De Vries") is None
    assert known.supplier_with_id("nl 8104.33941.b01") is KANTOORHUIS
    assert known.is_buyer_id("NL000099998B57")
