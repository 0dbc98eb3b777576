"""The field extractor on positioned words: several languages and layouts, parties, totals, OCR glitches."""

from __future__ import annotations

import re
from decimal import Decimal

from boekstuk.domain.extraction import extract_fields
from tests.unit.extraction.builder import page

SUPPLIER_VAT = "NL810433941B01"  # valid check digits
BUYER_VAT = "NL000099998B57"  # valid check digits
SUPPLIER_IBAN = "NL91ABNA0417164300"


def dutch_invoice(*, glued: bool = False, confidence: float = 1.0) -> list:
    lines = [
        (350, 40, "Bakkerij De Korenschoof B.V."),
        (350, 54, "Molenstraat 12"),
        (350, 68, "3512 AB Utrecht"),
        (350, 82, "KvK 24330087"),
        (350, 96, f"BTW-nr {SUPPLIER_VAT}"),
        (50, 130, "Factuur aan"),
        (50, 144, "Klant Holding B.V."),
        (50, 158, "Kerkweg 1"),
        (50, 172, "1011 AA Amsterdam"),
        (50, 186, f"Uw BTW-nummer: {BUYER_VAT}"),
        (50, 200, "Uw KvK: 87654321"),
        (50, 250, "FACTUUR"),
        (50, 270, "Factuurnummer: F2024-0815"),
        (50, 284, "Factuurdatum: 1 maart 2024"),
        (50, 298, "Vervaldatum: 31-03-2024"),
        (50, 340, "Omschrijving                 Aantal     Prijs        BTW      Bedrag"),
        (50, 356, "Brood volkoren               10         € 50,00      9%       € 500,00"),
        (50, 372, "Advies uren                  5          € 100,00     21%      € 500,00"),
        (300, 420, "Subtotaal                  € 1.000,00"),
        (300, 434, "BTW 9% over € 500,00       € 45,00"),
        (300, 448, "BTW 21% over € 500,00      € 105,00"),
        (300, 462, "Totaal te betalen          € 1.150,00"),
        (50, 780, f"Bakkerij De Korenschoof B.V.  IBAN {SUPPLIER_IBAN}  KvK 24330087"),
    ]
    return [page(lines, glued=glued, confidence=confidence)]


def test_dutch_invoice_all_key_fields() -> None:
    result = extract_fields(dutch_invoice(), engine="pdf_text")
    fields = result.fields
    assert fields.supplier_name == "Bakkerij De Korenschoof B.V."
    assert fields.supplier_vat_id == SUPPLIER_VAT
    assert fields.supplier_kvk == "24330087"
    assert fields.supplier_iban == SUPPLIER_IBAN
    assert fields.invoice_number == "F2024-0815"
    assert fields.invoice_date == "2024-03-01"
    assert fields.due_date == "2024-03-31"
    assert fields.currency == "EUR"
    assert (fields.total_excl_vat, fields.vat_total, fields.total_incl_vat) == (
        Decimal("1000.00"), Decimal("150.00"), Decimal("1150.00"))
    assert result.document_kind == "invoice"
    assert result.engine == "pdf_text"
    assert result.warnings == []


def test_buyer_ids_are_not_taken_for_the_supplier() -> None:
    result = extract_fields(dutch_invoice(), engine="pdf_text")
    assert result.buyer is not None
    assert result.buyer.vat_id == BUYER_VAT
    assert result.buyer.kvk == "87654321"
    assert result.buyer.name == "Klant Holding B.V."
    assert result.fields.supplier_vat_id != BUYER_VAT


def test_vat_lines_per_rate_with_base_and_amount() -> None:
    result = extract_fields(dutch_invoice(), engine="pdf_text")
    lines = {(v.rate, v.base, v.amount) for v in result.vat_lines}
    assert lines == {("9", Decimal("500.00"), Decimal("45.00")), ("21", Decimal("500.00"), Decimal("105.00"))}


def test_line_items_from_the_table() -> None:
    items = extract_fields(dutch_invoice(), engine="pdf_text").line_items
    assert [(i.description, i.quantity, i.amount_excl_vat, i.vat_rate) for i in items] == [
        ("Brood volkoren", "10", Decimal("500.00"), "9"),
        ("Advies uren", "5", Decimal("500.00"), "21"),
    ]


def test_confidence_and_source_locations() -> None:
    result = extract_fields(dutch_invoice(), engine="pdf_text")
    assert set(result.confidence) >= {"invoice_number", "supplier_vat_id", "total_incl_vat"}
    assert all(0.0 <= c <= 1.0 for c in result.confidence.values())
    assert result.confidence["supplier_vat_id"] > 0.9
    source = result.source["invoice_number"]
    match = re.fullmatch(r"page 1 \((\d+),(\d+)\)-\((\d+),(\d+)\)", source)
    assert match, source
    x0, y0, x1, y1 = map(int, match.groups())
    assert 100 <= x0 < x1 <= 300 and 265 <= y0 < y1 <= 285  # the value "F2024-0815", not its label


def test_glued_ocr_words_and_character_slips() -> None:
    pages = dutch_invoice(glued=True, confidence=0.9)
    # OCR reads O for 0 in the VAT id and the IBAN
    for index, word in enumerate(pages[0].words):
        if word.text.startswith("BTW-nrNL"):
            pages[0].words[index] = word.model_copy(update={"text": "BTW-nrNL81O433941B01"})
    result = extract_fields(pages, engine="local")
    fields = result.fields
    assert fields.invoice_number == "F2024-0815"
    assert fields.supplier_vat_id == SUPPLIER_VAT
    assert fields.supplier_iban == SUPPLIER_IBAN
    assert fields.total_incl_vat == Decimal("1150.00")
    assert fields.invoice_date == "2024-03-01"
    assert result.confidence["invoice_number"] < 0.95  # OCR's own confidence lowers ours


def test_german_invoice() -> None:
    lines = [
        (50, 40, "Muster Handel GmbH"),
        (50, 54, "Hauptstraße 5, 80333 München"),
        (50, 110, "Rechnungsempfänger"),
        (50, 124, "Kunde B.V."),
        (50, 138, f"USt-IdNr.: {BUYER_VAT}"),
        (350, 110, "Rechnungsnummer: RE-2024/17"),
        (350, 124, "Rechnungsdatum: 1. März 2024"),
        (350, 138, "Fällig am: 15.03.2024"),
        (300, 400, "Nettobetrag        1.000,00 €"),
        (300, 414, "MwSt. 19%          190,00 €"),
        (300, 428, "Gesamtbetrag       1.190,00 €"),
        (50, 780, "Muster Handel GmbH   USt-IdNr. DE136695976   IBAN DE89 3704 0044 0532 0130 00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    f = result.fields
    assert f.supplier_name == "Muster Handel GmbH"
    assert f.supplier_vat_id == "DE136695976"
    assert f.supplier_iban == "DE89370400440532013000"
    assert f.invoice_number == "RE-2024/17"
    assert (f.invoice_date, f.due_date) == ("2024-03-01", "2024-03-15")
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("1000.00"), Decimal("190.00"), Decimal("1190.00"))
    assert [(v.rate, v.base, v.amount) for v in result.vat_lines] == [("19", Decimal("1000.00"), Decimal("190.00"))]
    assert result.buyer is not None and result.buyer.vat_id == BUYER_VAT


def test_english_invoice_with_bill_to_and_us_number_format() -> None:
    lines = [
        (50, 40, "Acme Widgets Ltd"),
        (50, 54, "VAT Reg No GB 980 7806 84"),
        (50, 110, "Bill to:"),
        (50, 124, "Klant Holding B.V."),
        (350, 110, "Invoice number INV-77"),
        (350, 124, "Invoice date March 1, 2024"),
        (350, 138, "Due date: 2024-03-31"),
        (300, 400, "Subtotal      £1,234.56"),
        (300, 414, "VAT 20%       £246.91"),
        (300, 428, "Total due     £1,481.47"),
    ]
    result = extract_fields([page(lines)], engine="textract")
    f = result.fields
    assert f.supplier_name == "Acme Widgets Ltd"
    assert f.supplier_vat_id == "GB980780684"
    assert f.invoice_number == "INV-77"
    assert (f.invoice_date, f.due_date) == ("2024-03-01", "2024-03-31")
    assert f.currency == "GBP"
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("1234.56"), Decimal("246.91"), Decimal("1481.47"))


def test_french_invoice() -> None:
    lines = [
        (50, 40, "Free SAS"),
        (50, 54, "N° TVA intracommunautaire FR60421938861"),
        (50, 120, "Facture n°562044387 du 1er mars 2024"),
        (50, 134, "Date d'échéance : 31/03/2024"),
        (300, 400, "Total HT      100,00 €"),
        (300, 414, "TVA 20 %      20,00 €"),
        (300, 428, "Total TTC     120,00 €"),
    ]
    f = extract_fields([page(lines)], engine="pdf_text").fields
    assert f.supplier_name == "Free SAS"
    assert f.supplier_vat_id == "FR60421938861"
    assert f.invoice_number == "562044387"
    assert (f.invoice_date, f.due_date) == ("2024-03-01", "2024-03-31")
    assert (f.total_excl_vat, f.vat_total, f.total_incl_vat) == (Decimal("100.00"), Decimal("20.00"), Decimal("120.00"))


def test_arithmetic_chooses_between_total_candidates_and_fills_the_missing_one() -> None:
    lines = [
        (50, 40, "Schoonmaak Snel V.O.F."),
        (50, 100, "Factuurnummer 2024-001"),
        (50, 114, "Datum 05-02-2024"),
        (50, 300, "Totaal korting      € 15,00"),
        (50, 314, "Totaal              € 99,00"),  # a subtotal block that does not add up
        (300, 400, "Totaal excl. BTW    € 100,00"),
        (300, 428, "Totaal              € 121,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    f = result.fields
    assert f.total_incl_vat == Decimal("121.00")
    assert f.total_excl_vat == Decimal("100.00")
    assert f.vat_total == Decimal("21.00")  # computed: incl - excl
    assert result.vat_lines[0].rate == "21"


def test_totals_that_do_not_add_up_are_kept_with_a_warning() -> None:
    lines = [
        (50, 40, "Fout Rekenen B.V."),
        (300, 400, "Subtotaal     € 100,00"),
        (300, 414, "Totaal BTW    € 30,00"),
        (300, 428, "Te betalen    € 121,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.total_incl_vat == Decimal("121.00")
    assert "totals_mismatch" in result.warnings


def test_credit_note_with_negative_totals() -> None:
    lines = [
        (50, 40, "Kantoorvak B.V."),
        (50, 100, "CREDITNOTA"),
        (50, 120, "Creditnotanummer: CN-2024-3"),
        (50, 134, "Datum: 2024-03-05"),
        (300, 400, "Totaal excl. BTW    100,00-"),
        (300, 414, "BTW 21%             21,00-"),
        (300, 428, "Totaal              -121,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.document_kind == "credit_note"
    assert result.fields.invoice_number == "CN-2024-3"
    assert result.fields.total_incl_vat == Decimal("-121.00")
    assert result.fields.total_excl_vat == Decimal("-100.00")
    assert result.fields.vat_total == Decimal("-21.00")


def test_reverse_charge() -> None:
    lines = [
        (50, 40, "Bouwbedrijf Jansen B.V."),
        (50, 54, f"BTW {SUPPLIER_VAT}"),
        (50, 100, "Factuurnummer 77"),
        (50, 114, "Factuurdatum 12-01-2024"),
        (300, 400, "Totaal excl. BTW       € 5.000,00"),
        (300, 414, "BTW verlegd            € 0,00"),
        (300, 428, "Totaal te betalen      € 5.000,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.total_incl_vat == Decimal("5000.00")
    assert any(v.reverse_charge for v in result.vat_lines)
    assert result.fields.vat_total == Decimal("0.00")


def test_reverse_charge_named_only_in_words_still_has_a_zero_vat_total() -> None:
    lines = [
        (50, 40, "Bouwbedrijf Jansen B.V."),
        (50, 54, f"BTW {SUPPLIER_VAT}"),
        (50, 100, "Factuurnummer 78"),
        (50, 114, "Factuurdatum 12-01-2024"),
        (50, 300, "BTW verlegd naar de afnemer"),
        (300, 400, "Subtotaal              € 2.500,00"),
        (300, 428, "Totaal te betalen      € 2.500,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.total_incl_vat == Decimal("2500.00")
    assert result.fields.vat_total == Decimal("0.00")


def test_no_vat_wording_leaves_the_vat_total_unknown() -> None:
    # A till receipt that names no VAT at all: 0,00 would be a guess.
    lines = [(10, 10, "Bakker Bart"), (10, 40, "Brood        3,50"), (10, 60, "Totaal       3,50")]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.vat_total is None


def test_receipt_on_a_narrow_page() -> None:
    lines = [
        (10, 10, "MR. D.I.Y. (KUCHAI) SDN BHD"),
        (10, 24, "LOT 1851-A & 1851-B, JALAN KPB 6"),
        (10, 38, "TAX INVOICE"),
        (10, 60, "DATE: 17-04-16   TIME: 12:30"),
        (10, 100, "ITEM A        2     10.00"),
        (10, 114, "TOTAL INCL. GST     22.90"),
        (10, 128, "CASH                50.00"),
        (10, 142, "CHANGE              27.10"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.document_kind == "receipt"
    assert result.fields.supplier_name == "MR. D.I.Y. (KUCHAI) SDN BHD"
    assert result.fields.invoice_date == "2016-04-17"
    assert result.fields.total_incl_vat == Decimal("22.90")


def test_payment_term_gives_the_due_date() -> None:
    lines = [
        (50, 40, "Drukkerij Print B.V."),
        (50, 100, "Factuurnummer 5001"),
        (50, 114, "Factuurdatum 10-01-2024"),
        (50, 500, "Gelieve te betalen binnen 30 dagen."),
        (300, 428, "Totaal   € 10,00"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.due_date == "2024-02-09"
    assert result.confidence["due_date"] < 0.8


def test_multi_page_totals_on_the_last_page() -> None:
    first = page([(50, 40, "Groothandel Noord B.V."), (50, 100, "Factuurnummer 9"), (50, 114, "Factuurdatum 01-02-2024")])
    second = page([(300, 400, "Subtotaal  € 200,00"), (300, 414, "BTW 21%  € 42,00"), (300, 428, "Totaal  € 242,00")],
                  number=2)
    result = extract_fields([first, second], engine="pdf_text")
    assert result.pages == 2
    assert result.fields.total_incl_vat == Decimal("242.00")
    assert result.source["total_incl_vat"].startswith("page 2 ")


def test_empty_document_yields_no_fields() -> None:
    result = extract_fields([page([])], engine="local")
    assert result.fields.model_dump(exclude_none=True) == {}


def test_month_first_dates_when_the_document_itself_shows_it() -> None:
    lines = [
        (50, 40, "Widget Works LLC"),
        (350, 40, "ATTN: Klant Holding B.V."),
        (50, 100, "Invoice # 5512"),
        (50, 114, "Invoice date 03/01/2024"),
        (50, 128, "Due date 03/31/2024"),
        (300, 428, "Total due   $ 50.00"),
    ]
    result = extract_fields([page(lines)], engine="local")
    assert (result.fields.invoice_date, result.fields.due_date) == ("2024-03-01", "2024-03-31")
    assert result.fields.supplier_name == "Widget Works LLC"
    assert result.buyer is not None and result.buyer.name == "Klant Holding B.V."
    assert result.fields.currency == "USD"


def test_day_first_by_default() -> None:
    lines = [(50, 40, "Kantoor B.V."), (50, 114, "Factuurdatum 03/01/2024"), (300, 428, "Totaal € 5,00")]
    assert extract_fields([page(lines)], engine="local").fields.invoice_date == "2024-01-03"


def test_two_parties_ids_on_one_printed_line() -> None:
    # The buyer's "Uw BTW-nummer" on the left and the supplier's "BTW-id" in the right column, on one line:
    # each id belongs to the party its own label names, not to a hint further back on the line.
    result = extract_fields([page([
        (56, 40, "FACTUUR"),
        (56, 60, "Klant Holding B.V."),
        (400, 60, "Installatiebedrijf Van Dam"),
        (56, 100, f"Uw BTW-nummer: {BUYER_VAT}"),
        (447, 100, f"BTW-id: {SUPPLIER_VAT}"),
        (56, 120, "Factuurnummer: 2403395"),
        (300, 200, "Totaal incl. BTW  € 121,00"),
    ])], engine="pdf_text")
    assert result.fields.supplier_vat_id == SUPPLIER_VAT
    assert result.buyer is not None and result.buyer.vat_id == BUYER_VAT


def test_letterhead_name_without_a_legal_form_is_not_the_street_beside_it() -> None:
    # No legal form anywhere but the buyer's: the name is the letterhead that the web domain spells, not the
    # street printed (slightly higher) in the right-hand column, nor the sender line's address parts.
    lines = [
        (480, 38, "Sofialaan 913"),
        (480, 52, "5428 PZ Ellecom"),
        (480, 66, "033-7056280"),
        (480, 80, "www.hoeksbouw.test"),
        (56, 120, "Hoeks Bouw · Sofialaan 913 · 5428 PZ Ellecom"),
        (56, 150, "Factuur aan:"),
        (56, 164, "De Vries Vastgoed B.V."),
        (337, 164, "Factuurnummer   VF2572764"),
        (300, 300, "Totaal incl. BTW  € 121,00"),
    ]
    words = page(lines)
    logo = page([(110, 40, "Hoeks Bouw")], font=20).words
    result = extract_fields([words.model_copy(update={"words": words.words + logo})], engine="pdf_text")
    assert result.fields.supplier_name == "Hoeks Bouw"


def test_street_lines_are_told_from_names_ending_in_a_number() -> None:
    from boekstuk.domain.extraction.names import address_like as _address_like

    assert all(map(_address_like, ["Sofialaan 913", "Pukhof6", "Hauptstraße 5", "Main St. 12", "Jalan Permas 10/10",
                                   "3250 SB Schaijk", "040-3196140"]))
    assert not any(map(_address_like, ["Bouwbedrijf West 2", "Amherst 5", "Studio 54", "BHPetrol Permas Jaya 2"]))


def test_letterhead_fallback_skips_titles_labels_and_reads_names_with_tel_inside() -> None:
    result = extract_fields([page([
        (56, 30, "* FACTUUR *"),
        (56, 50, "Ansems Hotel"),
        (56, 64, "Kerkstraat 4"),
        (56, 78, "Tel. 047-3855209"),
        (300, 300, "Totaal  € 21,00"),
    ])], engine="pdf_text")
    assert result.fields.supplier_name == "Ansems Hotel"


def test_receipt_number_after_a_bare_bon_label() -> None:
    result = extract_fields([page([
        (20, 20, "Bakkerij De Zon"),
        (20, 40, "27 juni 2023 12:10  Bon B230627-076"),
        (20, 80, "TOTAAL  € 8,60"),
    ], size=(226, 400))], engine="pdf_text")
    assert result.fields.invoice_number == "B230627-076"
    other = extract_fields([page([(20, 20, "Kassabon 058029"), (20, 40, "Cadeaubon  € 5,00")], size=(226, 400))],
                           engine="pdf_text")
    assert other.fields.invoice_number == "058029"
    spaced = extract_fields([page([(20, 40, "26/04/2024 12:14   Bon B 240426-539")], size=(226, 400))], engine="local")
    assert spaced.fields.invoice_number == "B240426-539"


def test_supplier_kvk_beside_the_buyers_own_label_and_value() -> None:
    result = extract_fields([page([
        (56, 40, "van Drenthe Software N.V."),
        (56, 100, "Your CoC number: 54391317"),
        (300, 100, "Chamber of Commerce (KvK): 33800732"),
        (300, 200, "Total incl. VAT  1,423.96"),
    ])], engine="pdf_text")
    assert result.fields.supplier_kvk == "33800732"
    assert result.buyer is not None and result.buyer.kvk == "54391317"


def test_full_width_punctuation_from_ocr_is_read_as_ascii() -> None:
    result = extract_fields([page([
        (56, 40, "Bouwbedrijf De Steiger B.V."),
        (300, 100, "Totaal excl. BTW  5.286，19"),
        (300, 114, "BTW 21%  1.110，10"),
        (300, 128, "Totaal incl. BTW  6.396，29"),
    ])], engine="local")
    assert result.fields.total_excl_vat == Decimal("5286.19")
    assert result.fields.total_incl_vat == Decimal("6396.29")


def test_euro_is_the_currency_of_a_euro_area_supplier_that_prints_none() -> None:
    lines = [(56, 40, "van Drenthe Software N.V."), (56, 60, f"VAT number: {SUPPLIER_VAT}"),
             (300, 200, "Total incl. VAT  1,423.96")]
    assert extract_fields([page(lines)], engine="pdf_text").fields.currency == "EUR"
    foreign = [(56, 40, "Acme Inc."), (56, 60, "EIN 12-3456789"), (300, 200, "Total  1,423.96")]
    assert extract_fields([page(foreign)], engine="pdf_text").fields.currency is None


def test_total_row_of_a_vat_specification_table_is_read_by_its_columns() -> None:
    # One label ("Totaal") on a row of three amounts: the header above says which is which.
    result = extract_fields([page([
        (20, 20, "Reijers Hotel"),
        (20, 60, "Betaald creditcard   340,90"),
        # OCR lost the per-cent signs: the rate rows give nothing away
        (20, 100, "BT W     Excl.       BT W      Incl."),  # and split a short header
        (20, 114, "A 218    213,67      44,87     258,54"),
        (20, 128, "B 91     75,56       6,80      82,36"),
        (20, 142, "Totaal   289,23      51,67     340,90"),
    ], size=(300, 400))], engine="local")
    assert result.fields.total_incl_vat == Decimal("340.90")
    assert result.fields.total_excl_vat == Decimal("289.23")
    assert result.fields.vat_total == Decimal("51.67")


def test_ocr_slips_in_number_labels_series_prefixes_and_thousands() -> None:
    for label in ("Factuunummer", "Factuumummer", "Factuurnum mer"):
        result = extract_fields([page([(56, 60, f"{label}   2023-21233")])], engine="local")
        assert result.fields.invoice_number == "2023-21233", label
    below = extract_fields([page([(56, 60, "CREDITNOTANUMMER   FACTUURDATUM"),
                                  (56, 74, "CN 46743           26 november 2023")])], engine="local")
    assert below.fields.invoice_number == "CN46743"
    german = extract_fields([page([(56, 40, "Ruppert Handelsgesellschaft GmbH"),
                                   (300, 100, "Nettobetrag   4 .395,95"),
                                   (300, 114, "Gesamtbetrag  4.395,95")])], engine="local")
    assert german.fields.total_excl_vat == Decimal("4395.95")


def test_receipt_totals_labelled_in_parentheses() -> None:
    # Malaysian GST receipts: "Total (Inclusive of GST):", "Total (Excluding GST):"; the VAT word inside the
    # parentheses must not make the amount a VAT amount.
    lines = [
        (10, 10, "RESTORAN WAN SHENG"),
        (10, 40, "Date : 19-03-2018 18:08"),
        (10, 100, "Total (Excluding GST):   5.66"),
        (10, 114, "GST payable (6%):   0.34"),
        (10, 128, "Total (Inclusive of GST):   6.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert (result.fields.total_excl_vat, result.fields.vat_total, result.fields.total_incl_vat) == (
        Decimal("5.66"), Decimal("0.34"), Decimal("6.00"))


def test_taxable_amount_is_the_base_not_the_vat() -> None:
    lines = [
        (10, 10, "OCEAN PACKAGING ENTERPRISE"),
        (10, 100, "SUBTOTAL   RM152.00"),
        (10, 114, "GST TAXABLE   RM152.00"),
        (10, 128, "GST 0%   RM0.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.total_excl_vat == Decimal("152.00")
    assert result.fields.vat_total != Decimal("152.00")
    assert result.fields.total_incl_vat != Decimal("304.00")  # not base + "VAT" 152.00


def test_total_label_followed_by_an_amount_with_glued_currency() -> None:
    # "TOTAL RM152.00": the label "total (RM)" ends inside the amount "RM152.00"; it still labels it.
    lines = [
        (10, 10, "OCEAN PACKAGING ENTERPRISE"),
        (10, 100, "TOTAL   RM152.00"),
        (10, 114, "CASH   RM200.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.total_incl_vat == Decimal("152.00")


def test_vat_included_in_total_is_the_vat_amount() -> None:
    lines = [
        (10, 10, "MR. D.I.Y. (KUCHAI) SDN BHD"),
        (10, 100, "Total Incl. GST@6%   RM 22.90"),
        (10, 114, "CASH   RM 23.00"),
        (10, 128, "CHANGE   RM 0.10"),
        (10, 142, "GST @6% included in total   RM 1.30"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert (result.fields.total_incl_vat, result.fields.vat_total) == (Decimal("22.90"), Decimal("1.30"))


def test_the_title_tax_invoice_does_not_label_the_amounts_under_it() -> None:
    lines = [
        (10, 10, "OCEAN PACKAGING ENTERPRISE"),
        (10, 40, "TAX INVOICE"),
        (10, 60, "#027553 27/06/2018 12:45"),
        (10, 80, "4x 38.00   152.00"),
        (10, 100, "SUBTOTAL   152.00"),
        (10, 114, "GST 0%   0.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.vat_total != Decimal("38.00")
    assert result.fields.total_incl_vat != Decimal("190.00")


def test_amounts_split_by_ocr_at_the_decimal_point() -> None:
    # Receipt OCR often reads "6.70" as "6 .70" or "6. 70"; a spaced date is still no amount.
    lines = [
        (10, 10, "DOMINO'S PIZZA"),
        (10, 40, "Date 08 .05 .18"),
        (10, 100, "Sub-Total   15.60"),
        (10, 114, "Coupon Discount   8.90"),
        (10, 128, "Grand Total   6 .70"),
        (10, 142, "Cash   50. 00"),
        (10, 156, "Change Due   43.30"),
        (10, 170, "*6 GST Included   0.38"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.total_incl_vat == Decimal("6.70")


def test_receipt_without_a_readable_total_line_takes_cash_minus_change() -> None:
    lines = [
        (10, 10, "BHPetrol Permas Jaya 2"),
        (10, 40, "10-04-2018 08:11:53"),
        (10, 80, "PPF   50.00"),
        (10, 100, "TOTAL. AMOUNT"),
        (60, 114, "CASH   RM 60.00"),
        (60, 128, "CHANGE   RM 10.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.total_incl_vat == Decimal("50.00")


def test_month_name_with_a_zero_for_the_letter_o() -> None:
    lines = [
        (10, 10, "ELKEN SERVICE SDN BHD"),
        (10, 40, "DATE   : 10 0CT 2017 TUE"),
        (10, 100, "TOTAL AMOUNT DUE   250.00"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.invoice_date == "2017-10-10"


def test_supplier_name_without_registration_number_and_with_unglued_legal_form() -> None:
    def name(first_line: str) -> str | None:
        lines = [(10, 10, first_line), (10, 24, "Lot LG 26, Subang Parade"), (10, 100, "Total RM   89.00")]
        return extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local").fields.supplier_name

    assert name("Best Denki Malaysia (308282-A)") == "Best Denki Malaysia"
    assert name("WARAKUYAPERMASCITYSDNBHD") == "WARAKUYAPERMASCITY SDN BHD"
    assert name("MR. D.I.Y. (KUCHAI) SDN BHD") == "MR. D.I.Y. (KUCHAI) SDN BHD"


def test_total_label_misread_by_ocr() -> None:
    lines = [
        (10, 10, "Guardian Health And Beauty Sdn Bhd"),
        (10, 100, "RUUNDING ADJUSIMENIS   0.01-"),
        (10, 114, "IUIAL (GSI INLL)   4.50"),
        (10, 128, "LASH   4.50"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.total_incl_vat == Decimal("4.50")


def test_date_that_lost_a_separator_to_ocr_when_no_other_date_is_readable() -> None:
    lines = [
        (10, 10, "99 SPEED MART S/B"),
        (10, 40, "01:34PM   568017   05 02-18"),
        (10, 100, "Total Sales (Inclusive GST) RM 141.50"),
    ]
    result = extract_fields([page(lines, size=(200.0, 500.0), font=8)], engine="local")
    assert result.fields.invoice_date == "2018-02-05"
    assert result.confidence["invoice_date"] < 0.5


def test_invoice_number_under_the_title_after_a_number_sign() -> None:
    lines = [
        (50, 27, "Sammy Maystone"),
        (460, 27, "INVOICE"),
        (460, 60, "# invoice_number_1"),
        (436, 113, "Date:   Jan 1, 2022"),
        (416, 546, "Total:   $127.50"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.invoice_number == "invoice_number_1"


def test_german_compound_invoice_title_with_type_code_and_number() -> None:
    lines = [
        (65, 52, "Mietrechnung (387) Nr. 9314110911/00/M/00/N vom 01.10.2018"),
        (70, 252, "Name:   MUSTER-Autovermietung"),
        (213, 600, "Bruttosumme   340,96"),
    ]
    result = extract_fields([page(lines)], engine="pdf_text")
    assert result.fields.invoice_number == "9314110911/00/M/00/N"


def test_german_net_total_labelled_without_vat() -> None:
    result = extract_fields([page([
        (56, 40, "Lieferant GmbH"),
        (56, 60, "Umsatzsteueraufschlüsselung"),
        (56, 74, "Art (Kategorie)   Warenwert   Basisbetrag   Steuersatz [%]   Steuerbetrag"),
        (56, 88, "Umsatzsteuer (S)   275,00   7   19,25"),
        (56, 102, "Umsatzsteuer (S)   198,00   19   37,62"),
        (300, 130, "Rechnungssumme ohne USt.    473,00"),
        (300, 144, "Steuerbetrag                56,87"),
    ])], engine="pdf_text")
    assert result.fields.total_excl_vat == Decimal("473.00")
    assert result.fields.vat_total == Decimal("56.87")


def test_party_blocks_laid_out_as_label_and_value_columns() -> None:
    # German e-invoice renderings: a heading, then "Name:  value" rows with the values in a second column;
    # "Käufer/Leistungsempfänger" names the buyer block twice over.
    result = extract_fields([page([
        (60, 200, "Verkäufer"),
        (60, 214, "Name:"), (260, 214, "MUSTER-Autovermietung"),
        (60, 228, "USt.-Id.-Nr.:"), (260, 228, "DE136695976"),
        (60, 360, "Käufer/Leistungsempfänger"),
        (60, 374, "Name:"), (260, 374, "MUSTER-KUNDE GMBH"),
        (60, 388, "Anschrift:"), (260, 388, "KUNDENWEG 88"),
        (300, 600, "Bruttosumme   340,96"),
    ])], engine="pdf_text")
    assert result.fields.supplier_name == "MUSTER-Autovermietung"
    assert result.buyer is not None and result.buyer.name == "MUSTER-KUNDE GMBH"


def test_vat_subtotal_label_is_the_vat_total_not_the_net_total() -> None:
    # OCR lost one rate ("21%" read as "218"), so only the printed "BTW subtotaal" gives the VAT total.
    result = extract_fields([page([
        (56, 40, "Garage Van den Berg B.V."),
        (300, 400, "Totaal excl. BTW   € -542,28"),
        (300, 414, "BTW 218 over -21,30   -4,47"),
        (300, 428, "BTW 9% over -520,98   -46,89"),
        (300, 442, "BTW subtotaal   -51,36"),
        (300, 456, "Totaal incl. BTW   -593,64"),
    ])], engine="local")
    assert result.fields.vat_total == Decimal("-51.36")
    assert result.fields.total_excl_vat == Decimal("-542.28")


def test_warm_up_loads_the_lazy_validators_before_the_first_document() -> None:
    import subprocess
    import sys

    # A fresh interpreter: in this one other tests have long imported them.
    code = ("import sys; from boekstuk.domain.extraction import warm_up; "
            "before = {'stdnum.de.vat', 'stdnum.fr.tva'} & set(sys.modules); warm_up(); "
            "print(sorted(before), sorted({'stdnum.de.vat', 'stdnum.fr.tva', 'stdnum.nl.btw'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] ['stdnum.de.vat', 'stdnum.fr.tva', 'stdnum.nl.btw']"
