"""The extractor reads like a bookkeeper: the party that asks to be paid is the supplier, the addressee and
everything labelled as the customer's is the buyer, and the document's type decides which number is its own.

Every test builds its own text; each pins one rule a bookkeeper would state.
"""

from __future__ import annotations

from decimal import Decimal

from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.recognition import PageWords
from tests.unit.extraction.builder import page

SUPPLIER_VAT = "NL810433941B01"
BUYER_VAT = "NL000099998B57"
SUPPLIER_IBAN = "NL91ABNA0417164300"
BUYER_IBAN = "NL69INGB0123456789"

BODY = [
    (50, 250, "FACTUUR"),
    (50, 270, "Factuurnummer: 2024-117"),
    (50, 284, "Factuurdatum: 4 maart 2024"),
    (50, 340, "Omschrijving                 Aantal     Prijs        Bedrag"),
    (50, 356, "Onderhoud installatie        1          € 400,00     € 400,00"),
    (300, 420, "Subtotaal                  € 400,00"),
    (300, 434, "BTW 21%                    € 84,00"),
    (300, 448, "Totaal te betalen          € 484,00"),
]


def _read(lines: list[tuple[float, float, str]]) -> PageWords:
    return page(lines)


# --- who is the supplier -------------------------------------------------------------------------------------


def test_an_address_block_without_heading_under_the_letterhead_is_the_addressee() -> None:
    lines = [
        (50, 40, "Uw installateur sinds 1965"),
        (50, 130, "Van Dam Vastgoed B.V."),
        (50, 144, "t.a.v. de administratie"),
        (50, 158, "Kerkstraat 1"),
        (50, 172, "1011 AA Amsterdam"),
        *BODY,
        (50, 766, "Hoekstra Installatietechniek B.V."),
        (50, 780, f"KvK 24330087   BTW {SUPPLIER_VAT}"),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.buyer is not None and result.buyer.name == "Van Dam Vastgoed B.V."
    assert result.fields.supplier_name == "Hoekstra Installatietechniek B.V."


def test_a_sender_block_with_contact_details_is_no_addressee() -> None:
    lines = [
        (50, 40, "Uw installateur sinds 1965"),
        (50, 130, "Hoekstra Installatietechniek B.V."),
        (50, 144, "Industrieweg 4"),
        (50, 158, "8401 AB Gorredijk"),
        (50, 172, "Tel 0513-123456"),
        *BODY,
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Hoekstra Installatietechniek B.V."
    assert result.buyer is None


def test_a_sender_line_or_a_column_of_labels_is_no_addressee() -> None:
    lines = [
        (50, 40, "Leistungsdatum   : 29.10.2018"),
        (50, 54, "Verkäufer:"),
        (50, 68, "Taxi Berlin GmbH"),
        (50, 82, "Lieferantenstraße 20"),
        (50, 96, "10369 Berlin"),
        (50, 150, "Rudolph Logistik GmbH · Bornerstraße 23 · 91408 Eilenburg"),
        (50, 164, "Kerkstraat 1"),
        (50, 178, "1011 AA Amsterdam"),
        *BODY[1:],
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.buyer is None


def test_a_capital_letterhead_names_the_legal_name_in_the_footer() -> None:
    lines = [
        (50, 40, "Van Dam Vastgoed B.V.                              HOEKSTRA INSTALLATIETECHNIEK"),
        (50, 54, "Kerkstraat 1"),
        (50, 68, "1011 AA Amsterdam"),
        *BODY,
        (50, 766, "Hoekstra Installatietechniek B.V."),
        (50, 780, f"KvK 24330087   BTW {SUPPLIER_VAT}"),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Hoekstra Installatietechniek B.V."


def test_a_footer_name_on_the_line_of_the_suppliers_ids_beats_a_name_at_the_top() -> None:
    lines = [
        (50, 40, "Van Dam Vastgoed B.V."),
        (50, 54, "Kerkstraat 1"),
        (50, 68, "1011 AA Amsterdam"),
        *BODY,
        (50, 780, f"Groenlicht B.V.   KvK 24330087   BTW {SUPPLIER_VAT}"),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Groenlicht B.V."


def test_the_name_beside_tnv_in_the_payment_sentence_is_the_supplier() -> None:
    lines = [
        (50, 130, "Van Dam Vastgoed B.V."),
        (50, 144, "Kerkstraat 1"),
        (50, 158, "1011 AA Amsterdam"),
        *BODY,
        (50, 700, f"Wij verzoeken u het bedrag over te maken op {SUPPLIER_IBAN} t.n.v. Groenlicht B.V."),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Groenlicht B.V."
    assert result.fields.supplier_iban == SUPPLIER_IBAN


def test_a_person_as_account_holder_does_not_displace_the_firm_at_the_top() -> None:
    lines = [
        (350, 40, "Bei Spiel GmbH"),
        (350, 54, "Ecke 12"),
        *BODY,
        (350, 780, "Kontoinhaber: Max Mustermann"),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Bei Spiel GmbH"


def test_a_block_with_the_firms_vat_id_or_under_a_seller_heading_is_no_addressee() -> None:
    for heading, vat_line in (("Verkäufer", "Kerkstraat 9"), ("Factuurgegevens", SUPPLIER_VAT)):
        lines = [
            (50, 40, "Factuur 2024-117"),
            (50, 120, heading),
            (50, 134, "Groenlicht Verhuur"),
            (50, 148, "Kerkstraat 1"),
            (50, 162, "1011 AA Amsterdam"),
            (50, 176, vat_line),
            *BODY[1:],
        ]
        result = extract_fields([_read(lines)], engine="pdf_text")
        assert result.buyer is None or result.buyer.name != "Groenlicht Verhuur", heading


def test_ids_labelled_as_the_customers_are_the_buyers() -> None:
    lines = [
        (50, 40, "Groenlicht B.V."),
        *BODY,
        (50, 600, f"Btw-id klant: {BUYER_VAT}"),
        (50, 614, "KvK afnemer: 87654321"),
        (50, 780, f"KvK 24330087   BTW {SUPPLIER_VAT}"),
    ]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_vat_id == SUPPLIER_VAT
    assert result.fields.supplier_kvk == "24330087"
    assert result.buyer is not None
    assert (result.buyer.vat_id, result.buyer.kvk) == (BUYER_VAT, "87654321")


def test_customer_kvk_label_is_the_buyers_even_when_the_supplier_prints_none() -> None:
    lines = [(50, 40, "Groenlicht B.V."), *BODY, (50, 600, "KvK afnemer: 87654321")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_kvk is None
    assert result.buyer is not None and result.buyer.kvk == "87654321"


# --- which number is the document's own ----------------------------------------------------------------------


def _credit_note(*reference: tuple[float, float, str]) -> list[tuple[float, float, str]]:
    return [
        (50, 40, "Groenlicht B.V."),
        (50, 250, "CREDITNOTA"),
        *reference,
        (50, 298, "Datum: 12 maart 2024"),
        (300, 420, "Subtotaal                  € -100,00"),
        (300, 434, "BTW 21%                    € -21,00"),
        (300, 448, "Totaal                     € -121,00"),
    ]


def test_a_credit_note_is_numbered_by_its_own_number_not_the_invoice_it_corrects() -> None:
    lines = _credit_note((50, 270, "Factuurnummer: 2024-0815"), (50, 284, "Creditnotanummer: C2024-0007"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.document_kind == "credit_note"
    assert result.fields.invoice_number == "C2024-0007"


def test_the_invoice_a_credit_note_refers_to_is_never_its_number() -> None:
    lines = _credit_note((50, 270, "Creditnota C2024-0007"), (50, 284, "Betreft factuur: 2024-0815"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.invoice_number == "C2024-0007"


def test_an_invoice_that_refers_to_an_order_keeps_its_own_number() -> None:
    lines = [(50, 40, "Groenlicht B.V."), (50, 250, "FACTUUR"), (50, 270, "Factuurnummer: 2024-117"),
             (50, 284, "Originele factuur: 2023-990")]
    assert extract_fields([_read(lines)], engine="pdf_text").fields.invoice_number == "2024-117"


def _receipt(number_line: str) -> PageWords:
    lines = [(10, 20, "BAKKERIJ KOREN"), (10, 40, number_line), (10, 60, "Brood   3,50"), (10, 80, "TOTAAL   3,50"),
             (10, 100, "PIN   3,50")]
    return page(lines, size=(220.0, 600.0))


def test_receipt_numbers_after_the_labels_till_receipts_print() -> None:
    for label, number in (("Bonnr. 4711", "4711"), ("Kassabon nr. 058029", "058029"), ("Bon: 12-3456", "12-3456"),
                          ("Transactie 88123", "88123"), ("Transactienr: 88124", "88124"),
                          ("Bonnummer 7001", "7001")):
        result = extract_fields([_receipt(label)], engine="local")
        assert result.fields.invoice_number == number, label


def test_a_statement_is_numbered_by_its_nota_number_not_customer_contract_or_meter_numbers() -> None:
    lines = [
        (50, 40, "Energiebedrijf Delta N.V."),
        (50, 200, "JAARNOTA"),
        (50, 220, "Klantnummer: 100234567"),
        (50, 234, "Contractnummer: 556677"),
        (50, 248, "Meternummer: 8712345678901"),
        (50, 262, "Notanummer: 2024118877"),
        (50, 276, "Notadatum: 5 februari 2024"),
    ]
    assert extract_fields([_read(lines)], engine="pdf_text").fields.invoice_number == "2024118877"


def test_a_title_is_not_followed_into_a_customer_number() -> None:
    lines = [(50, 40, "Energiebedrijf Delta N.V."), (50, 200, "Factuur   Klantnummer 100234567"),
             (50, 220, "Datum: 5 februari 2024")]
    assert extract_fields([_read(lines)], engine="pdf_text").fields.invoice_number is None


# --- VAT totals ----------------------------------------------------------------------------------------------


def _totals(*lines: tuple[float, float, str]) -> list[tuple[float, float, str]]:
    return [(50, 40, "Groenlicht B.V."), (50, 250, "FACTUUR"), (50, 270, "Factuurnummer: 2024-117"), *lines]


def test_reverse_charge_vat_total_is_zero_not_the_net_amount() -> None:
    lines = _totals((300, 420, "Totaal excl. btw          € 1.250,00"),
                    (300, 434, "Btw verlegd                € 1.250,00"),
                    (300, 448, "Totaal te betalen          € 1.250,00"),
                    (50, 500, "Btw verlegd naar de afnemer"))
    fields = extract_fields([_read(lines)], engine="pdf_text").fields
    assert (fields.total_excl_vat, fields.vat_total, fields.total_incl_vat) == (
        Decimal("1250.00"), Decimal("0.00"), Decimal("1250.00"))


def test_zero_rated_vat_total_is_zero() -> None:
    lines = _totals((300, 420, "Subtotaal                  € 800,00"),
                    (300, 434, "BTW 0% over € 800,00       € 0,00"),
                    (300, 448, "Totaal                     € 800,00"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.vat_total == Decimal("0.00")
    assert [(v.rate, v.base, v.amount) for v in result.vat_lines] == [("0", Decimal("800.00"), Decimal("0.00"))]


def test_a_vat_specification_table_gives_one_vat_line_per_rate() -> None:
    lines = _totals((300, 400, "BTW%      Grondslag       BTW"),
                    (300, 414, "21%       € 200,00        € 42,00"),
                    (300, 428, "9%        € 100,00        € 9,00"),
                    (300, 442, "0%        € 50,00         € 0,00"),
                    (300, 470, "Totaal excl. BTW          € 350,00"),
                    (300, 484, "Totaal BTW                € 51,00"),
                    (300, 498, "Totaal incl. BTW          € 401,00"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert sorted((v.rate, v.base, v.amount) for v in result.vat_lines) == [
        ("0", Decimal("50.00"), Decimal("0.00")), ("21", Decimal("200.00"), Decimal("42.00")),
        ("9", Decimal("100.00"), Decimal("9.00"))]
    assert result.fields.vat_total == Decimal("51.00")


def test_receipt_payment_and_change_lines_are_not_the_total() -> None:
    lines = [(10, 20, "BAKKERIJ KOREN"), (10, 40, "Bonnr. 4711"), (10, 60, "Brood   3,50"),
             (10, 74, "Taart   12,00"), (10, 100, "Totaal   15,50"), (10, 120, "Contant   20,00"),
             (10, 134, "Wisselgeld   4,50"), (10, 160, "BTW 9%   1,28")]
    fields = extract_fields([page(lines, size=(220.0, 600.0))], engine="local").fields
    assert fields.total_incl_vat == Decimal("15.50")
    assert fields.vat_total == Decimal("1.28")


def test_reverse_charge_with_only_a_total_printed_has_zero_vat_and_the_total_as_net() -> None:
    lines = _totals((300, 448, "Totaal                     € 1.250,00"),
                    (50, 500, "Btw verlegd op grond van artikel 12 lid 3 Wet OB"))
    fields = extract_fields([_read(lines)], engine="pdf_text").fields
    assert (fields.total_excl_vat, fields.vat_total, fields.total_incl_vat) == (
        Decimal("1250.00"), Decimal("0.00"), Decimal("1250.00"))


def test_reverse_charge_amount_in_a_vat_column_next_to_the_net_is_not_vat() -> None:
    lines = _totals((300, 400, "Grondslag      BTW-tarief     BTW-bedrag"),
                    (300, 414, "€ 1.250,00     verlegd        € 0,00"),
                    (300, 448, "Totaal                     € 1.250,00"))
    fields = extract_fields([_read(lines)], engine="pdf_text").fields
    assert (fields.total_excl_vat, fields.vat_total, fields.total_incl_vat) == (
        Decimal("1250.00"), Decimal("0.00"), Decimal("1250.00"))


# --- the VAT split when a line prints the VAT without its base -------------------------------------------------


def _split(result: object) -> list[tuple[str, Decimal, Decimal]]:
    return sorted((v.rate, v.base, v.amount) for v in result.vat_lines)  # type: ignore[attr-defined]


def test_a_tills_net_per_rate_on_its_own_line_is_that_rates_base() -> None:
    """"Waarvan btw 21% 9,06" then "Netto 21% 43,12": 9,06 / 21 % would estimate 43,14; the till printed 43,12."""
    lines = [(10, 20, "POMPSTATION DE LINDE"), (10, 40, "Bon: 23/8268"), (10, 60, "Euro 95   52,18"),
             (10, 74, "Broodje kaas   3,60"), (10, 100, "Totaal EUR   55,78"),
             (10, 120, "Waarvan btw 21%   9,06"), (10, 134, "Netto 21%   43,12"),
             (10, 148, "Waarvan btw 9%   0,30"), (10, 162, "Netto 9%   3,30"),
             (10, 176, "Totaal btw   9,36"), (10, 190, "Totaal excl. btw   46,42")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("43.12"), Decimal("9.06")), ("9", Decimal("3.30"), Decimal("0.30"))]


def test_a_rate_line_with_the_amount_including_vat_gives_the_base_as_the_difference() -> None:
    lines = _totals((300, 400, "BTW 21% over 121,00 incl.      21,00"),
                    (300, 420, "Totaal te betalen          € 121,00"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert _split(result) == [("21", Decimal("100.00"), Decimal("21.00"))]


def test_one_rate_printed_without_base_gets_what_the_total_excl_leaves() -> None:
    """Two rates; the 9 % base is printed, the 21 % one not: 72,12 = 103,29 - 31,17 (15,14 / 21 % = 72,10)."""
    lines = _totals((300, 400, "Totaal excl. btw           103,29"),
                    (300, 414, "Btw 21%                     15,14"),
                    (300, 428, "Btw 9% over 31,17            2,80"),
                    (300, 448, "Totaal incl. btw         € 121,23"))
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert _split(result) == [("21", Decimal("72.12"), Decimal("15.14")), ("9", Decimal("31.17"), Decimal("2.80"))]


def test_equal_totals_excl_and_incl_mean_no_vat_even_when_the_vat_line_was_lost() -> None:
    """A scan whose "BTW 0%" line OCR lost: the totals excl. and incl. VAT, printed apart, are equal."""
    lines = _totals((300, 420, "Totaal excl. BTW           € 5.165,57"),
                    (300, 448, "Totaal incl. BTW           € 5.165,57"))
    result = extract_fields([_read(lines)], engine="local")
    assert result.fields.vat_total == Decimal("0.00")
    assert _split(result) == [("0", Decimal("5165.57"), Decimal("0.00"))]


def test_a_receipt_whose_only_total_is_printed_once_gets_no_zero_vat() -> None:
    """One amount is no proof of zero VAT: a till that prints "Totaal" alone leaves the VAT unknown."""
    lines = [(10, 20, "BAKKERIJ KOREN"), (10, 40, "Bonnr. 4711"), (10, 60, "Brood   3,50"),
             (10, 100, "Totaal   3,50")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert result.fields.vat_total is None
    assert result.vat_lines == []


# --- the supplier's name in layouts that hide it -----------------------------------------------------------------


def test_a_trade_names_sentence_gives_the_registered_name_not_the_sentence() -> None:
    lines = [(50, 40, "vissershop.nl"), *BODY,
             (50, 780, "vissershop.nl is een handelsnaam van Visser E-commerce B.V. · Megansingel 28, 1115 SV Parrega")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Visser E-commerce B.V."


def test_a_sole_traders_letterhead_names_the_firm_whose_owner_holds_the_account() -> None:
    """"t.n.v. J. Bezemer" is the owner; the letterhead "Jan Bezemer Vertalingen" is the firm that invoices."""
    lines = [(50, 40, "Jan Bezemer Vertalingen"), (50, 54, "Evisingel 60"), (50, 68, "9522 GB Nijelamer"), *BODY,
             (50, 700, "Graag binnen 30 dagen overmaken op NL52 KNAB 6818 1459 44 t.n.v. J. Bezemer, onder"),
             (50, 714, "vermelding van het factuurnummer.")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Jan Bezemer Vertalingen"


def test_a_side_columns_name_with_its_legal_form_wrapped_onto_the_next_line() -> None:
    """A narrow column down the left: monogram, the name, its legal form on a line of its own, the address; beside
    it, in smaller type, the addressee under "Factuur aan"."""
    column = page([(24, 50, "RAB"), (24, 104, "Rutten Administratiekantoor"), (24, 118, "B.V."),
                   (24, 134, "Maaikesteeg 9"), (24, 148, "9769 NX Blokzijl"), (24, 172, "073-4710566")], font=11.0)
    body = page([(193, 104, "Factuur aan"), (193, 118, "Fietsenmaker Jansen"), (193, 132, "Linnlaan 1"),
                 (193, 146, "6975 XB Langenboom"), *[(x + 150, y, text) for x, y, text in BODY]], font=7.0)
    merged = PageWords(page=1, width=column.width, height=column.height, words=[*column.words, *body.words])
    result = extract_fields([merged], engine="pdf_text")
    assert result.fields.supplier_name == "Rutten Administratiekantoor B.V."


def test_every_heading_on_a_line_marks_a_buyers_block() -> None:
    """"Factuuradres" and "Afleveradres" side by side: the delivery address is the buyer's too."""
    lines = [(57, 40, "sittersstore.nl"), (57, 96, "Factuuradres              Afleveradres"),
             (57, 109, "Van Gent Office Supplies V.O.F.   Van Gent Office Supplies V.O.F."),
             (57, 121, "Demiring 29                       t.a.v. de receptie"),
             (57, 133, "7438 TB Rumpt                     Demiring 29"), *BODY,
             (50, 780, "Sitters E-commerce B.V. · Megansingel 28 · 1115 SV Parrega")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Sitters E-commerce B.V."


def test_a_label_in_a_column_of_ids_is_no_name() -> None:
    lines = [(24, 40, "KvK"), (24, 54, "Lips Advies"), (24, 68, "Kerkstraat 9"), *BODY]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_name == "Lips Advies"


# --- ids and dates where the layout or the trade words differ ---------------------------------------------------


def test_a_kvk_number_under_its_label_in_a_column_of_ids() -> None:
    lines = [(24, 40, "Lips Advies V.O.F."), (24, 200, "KvK"), (24, 212, "18783438"), (24, 230, "Btw-id"),
             (24, 242, SUPPLIER_VAT), *BODY]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_kvk == "18783438"


def test_an_iban_the_line_breaks_in_two_is_read_whole() -> None:
    lines = [(50, 40, "Jan Bezemer Vertalingen"), *BODY,
             (50, 700, "Ik verzoek u het totaalbedrag binnen 30 dagen over te maken op rekeningnummer NL52 KNAB 6818"),
             (50, 714, "1459 44 t.n.v. J. Bezemer, onder vermelding van het factuurnummer.")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_iban == "NL52KNAB6818145944"


def test_a_broken_line_that_makes_no_valid_iban_is_no_iban() -> None:
    lines = [*BODY, (50, 700, "Referentie NL52 KNAB 6818"), (50, 714, "1459 45 is ons kenmerk.")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_iban is None


def test_a_declaratie_is_numbered_by_its_declaratienummer() -> None:
    lines = [(50, 40, "Sire Belastingadviseurs B.V."), (50, 250, "Ons kenmerk 2023/906/JS"),
             (50, 264, "Relatienummer 84653"), (50, 278, "Declaratienummer D2023-406"), (50, 300, "NOTA"),
             (300, 420, "Totaal excl. btw 5.287,00"), (300, 434, "Btw 21% 1.110,27"), (300, 448, "Totaal € 6.397,27")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.invoice_number == "D2023-406"


def test_a_direct_debits_date_is_the_due_date() -> None:
    lines = [*BODY, (50, 700, "Wij schrijven het bedrag op of rond 17 maart 2024 af van rekening NL69 INGB 0123 4567 89.")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.due_date == "2024-03-17"
    assert result.fields.supplier_iban is None  # the account debited is the buyer's


def test_the_inlener_of_a_staffing_invoice_is_the_buyer() -> None:
    lines = [(50, 40, "Bos Flexwerk B.V."), (50, 120, "Inlener"), (50, 134, "Bertho Congrescentrum B.V."),
             (50, 148, "Berendboulevard 963"), (50, 162, "3639 OI Heelsum"), (50, 176, f"Btw-id inlener: {BUYER_VAT}"),
             *BODY, (50, 780, f"KvK 27626977 | Btw {SUPPLIER_VAT} | IBAN NL91 ABNA 0417 1643 00")]
    result = extract_fields([_read(lines)], engine="pdf_text")
    assert result.fields.supplier_vat_id == SUPPLIER_VAT
    assert result.buyer is not None and result.buyer.vat_id == BUYER_VAT


def test_place_and_date_glued_by_ocr_give_the_invoice_date_and_a_misread_voor_the_due_date() -> None:
    """An accountant's letter: "Noordwelle,26/02/2023" (OCR dropped the space) and "vóór" read as "v66r"."""
    lines = [(50, 40, "de Boer Accountants B.V."), (50, 230, "Noordwelle,26/02/2023"),
             (50, 250, "Factuurnummer 20234443"), (300, 420, "Totaal excl. btw 3.524,30"),
             (300, 434, "Btw 21% 740,10"), (300, 448, "Totaal 4.264,40"),
             (50, 480, "Wij verzoeken u het totaalbedrag v66r12/03/2023 over te maken op NL81 KNAB 9385 8059 41")]
    fields = extract_fields([_read(lines)], engine="local").fields
    assert (fields.invoice_date, fields.due_date) == ("2023-02-26", "2023-03-12")


def test_the_name_over_a_tav_line_is_the_addressee_even_when_a_scan_merges_the_columns() -> None:
    """A scan that joins the addressee's column with the sender's: "Bakkerij De Vries B.V.   4916 Jackboulevard
    47"; the "t.a.v." line under the name says whose it is."""
    lines = [(50, 40, "FACTUUR"), (50, 60, "Spanhaak Cloud Services"),
             (50, 74, "Bakkerij De Vries B.V.      Jackboulevard 47"),
             (50, 88, "t.a.v. de crediteurenadministratie      facturen@spanhaaksoftware.test"),
             (50, 102, "Lucasboulevard 7      KvK: 14771414"), *BODY[1:]]
    result = extract_fields([_read(lines)], engine="local")
    assert result.fields.supplier_name == "Spanhaak Cloud Services"
    assert result.buyer is not None and result.buyer.name == "Bakkerij De Vries B.V."


def test_a_legal_form_in_lower_case_still_names_a_company() -> None:
    """OCR (or the firm) writes "B.v.": the letterhead's company beats the addressee's."""
    lines = [(300, 40, "Telecom Noord B.v."), (300, 54, "Zuiderdiep 40"),
             (50, 134, "De Vries Vastgoed B.V."), (50, 148, "Davidpad 44"), *BODY]
    result = extract_fields([_read(lines)], engine="local")
    assert result.fields.supplier_name == "Telecom Noord B.v."


# --- what OCR does to a VAT line ----------------------------------------------------------------------------------


def test_a_base_glued_to_its_word_by_ocr_is_still_read() -> None:
    """"BTW 9% over316,04  28,44": 28,44 / 9 % would estimate 316,00."""
    lines = _totals((300, 400, "Totaal excl. BTW   2.264,50"), (300, 414, "BTW 21% over1.948,46   409,18"),
                    (300, 428, "BTW 9% over316,04   28,44"), (300, 442, "Totaal incl. BTW   2.702,12"))
    result = extract_fields([_read(lines)], engine="local")
    assert _split(result) == [("21", Decimal("1948.46"), Decimal("409.18")), ("9", Decimal("316.04"), Decimal("28.44"))]


def test_a_percent_sign_read_as_an_8_on_a_vat_line() -> None:
    lines = [(10, 20, "POMPSTATION GOVARTS"), (10, 40, "Totaal EUR   94,10"), (10, 60, "Btw 218 over 77,77   16,33"),
             (10, 80, "Bonnummer   400766")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("77.77"), Decimal("16.33"))]


def test_a_number_ending_in_8_on_a_line_without_vat_is_no_rate() -> None:
    lines = [(10, 20, "POMPSTATION GOVARTS"), (10, 40, "Pomp 218 Diesel   94,10"), (10, 60, "Totaal EUR   94,10")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert result.vat_lines == []


def test_a_vat_table_under_a_header_ocr_split_into_bt_w() -> None:
    lines = [(10, 20, "CAFE DE FLAAS"), (10, 40, "TOTAAL   42,30"), (10, 60, "BT W   Over   BT W   Incl."),
             (10, 74, "21%   18,35   3,85   22,20"), (10, 88, "9%   18,44   1,66   20,10"), (10, 102, "Totaal btw   5,51")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("18.35"), Decimal("3.85")), ("9", Decimal("18.44"), Decimal("1.66"))]


def test_an_account_holder_on_the_line_after_tnv_and_a_legal_form_as_ocr_misreads_it() -> None:
    """The payment sentence wraps after "t.n.v."; OCR reads "V.O.F." as "V.o.F ." and "ll" as "11"."""
    lines = [(50, 40, "SCHELLEKENS AUTOBEDRIJF"), (50, 54, "Erkend APK-keuringsstation · Onderhoud · Reparatie"),
             *BODY, (50, 700, "Gelieve het bedrag over te maken op rekening NL97 RABO 4858 3627 16 t.n.v."),
             (50, 714, "Schellekens Autobedrijf V.o.F ., onder vermelding van het factuurnummer."),
             (50, 790, "Sche11ekens Autobedrijf V.0.F. KvK 56434373")]
    result = extract_fields([_read(lines)], engine="local")
    assert result.fields.supplier_name in ("Schellekens Autobedrijf V.o.F.", "Schellekens Autobedrijf V.0.F.")


def test_a_due_dates_words_glued_together_by_ocr_still_name_it() -> None:
    lines = [*BODY, (50, 700, "Wij schrijvenhetbedragopofrond 3 sep 2025 afvanrekening NL69 INGB 0123 4567 89.")]
    assert extract_fields([_read(lines)], engine="local").fields.due_date == "2025-09-03"
    lines = [*BODY, (50, 700, "Wijverz0ekenu hettotaalbedrag v66r 22.04.2024 overte maken")]
    assert extract_fields([_read(lines)], engine="local").fields.due_date == "2024-04-22"


def test_a_rate_whose_percent_sign_ocr_lost_before_over() -> None:
    """"Btw 21 over 36,55  7.67": without the rate the two amounts were taken for net and VAT the wrong way round."""
    lines = [(10, 20, "POMPSTATION SCHENK"), (10, 40, "Totaal EUR   44,22"), (10, 60, "Btw 21 over 36,55   7.67"),
             (10, 80, "Transactie nr.   15698673")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert (result.fields.total_excl_vat, result.fields.vat_total) == (Decimal("36.55"), Decimal("7.67"))
    assert _split(result) == [("21", Decimal("36.55"), Decimal("7.67"))]


def test_a_vat_line_at_a_rate_forbids_reading_equal_totals_as_no_vat() -> None:
    """"21% btw 2903": OCR lost the VAT amount's comma, but the line says VAT was charged; the subtotal printed
    under the amounts column is not the total incl. VAT."""
    lines = _totals((50, 330, "Omschrijving                   Bedrag"), (50, 344, "Spoedtoeslag                   138,25"),
                    (300, 420, "Subtotaal   138,25"), (300, 434, "21% btw   2903"), (300, 448, "Totaal   167,28"))
    fields = extract_fields([_read(lines)], engine="local").fields
    assert (fields.total_incl_vat, fields.vat_total) == (Decimal("167.28"), Decimal("29.03"))


def test_a_short_till_roll_paid_at_the_till_is_a_receipt_with_no_due_date() -> None:
    """An 80 mm roll cut short (227 x 280 pt: not narrow by its shape); "Netto 21%" is a rate, not a term."""
    lines = [(10, 20, "Tankstation Barger"), (10, 40, "17-02-23 22:29"), (10, 60, "Diesel B7   75,34"),
             (10, 80, "Totaal EUR   75,34"), (10, 94, "Betaald PIN   75,34"), (10, 108, "Waarvan btw 21%   13,08"),
             (10, 122, "Netto 21%   62,26"), (10, 136, "Bon: 451695")]
    result = extract_fields([page(lines, size=(227.0, 280.0))], engine="pdf_text")
    assert result.document_kind == "receipt"
    assert result.fields.due_date is None
    assert result.fields.invoice_number == "451695"


def test_invoice_numbers_as_ocr_prints_their_labels_and_values() -> None:
    def number(*lines: tuple[float, float, str]) -> str | None:
        return extract_fields([_read([(50, 40, "Rietveld Telecom B.V."), *lines])], engine="local").fields.invoice_number

    assert number((300, 150, "Factuurnummer   INV- 2517194")) == "INV-2517194"  # a space after the hyphen
    assert number((300, 150, "Factuumum   F685111675")) == "F685111675"  # "rn" read as "m", a syllable lost
    assert number((60, 150, "Bestelnummer"), (160, 150, "Factuurmummer"), (260, 150, "Klantnummer"),
                  (60, 164, "6246302987"), (160, 164, "NL20230521013"), (260, 164, "1721140")) == "NL20230521013"


def test_a_restaurant_bills_number_but_never_a_bank_account() -> None:
    lines = [(10, 20, "CAFE HOPPENBROUWER"), (10, 40, "2025-05-08 18:02   Rekening nr. T17-7126"),
             (10, 60, "Bitterballen   7,90"), (10, 80, "TOTAAL   7,90"), (10, 100, "Betaald PIN   7,90")]
    assert extract_fields([page(lines, size=(220.0, 400.0))], engine="local").fields.invoice_number == "T17-7126"
    lines = [*BODY[:1], *BODY[3:], (50, 700, "Rekening nr. NL56 SNSB 3614 6256 77 t.n.v. Groenlicht B.V.")]
    assert extract_fields([_read(lines)], engine="local").fields.invoice_number is None


def test_the_customers_id_labels_as_ocr_glues_them() -> None:
    for label in ("Uwbtw-nummer:", "Btw-idklant:"):
        lines = [(50, 40, "LEMMENS INSTALLATIETECHNIEK"), (50, 200, f"{label}{BUYER_VAT}"), *BODY,
                 (50, 790, f"KVK 28073084 ·BtW{SUPPLIER_VAT}·IBAN NL91 ABNA 0417 1643 00")]
        result = extract_fields([_read(lines)], engine="local")
        assert result.fields.supplier_vat_id == SUPPLIER_VAT, label
        assert result.buyer is not None and result.buyer.vat_id == BUYER_VAT, label


def test_a_logos_letters_stand_for_the_name_printed_elsewhere_and_a_label_is_no_letterhead() -> None:
    lines = [(24, 40, "RRK"), (24, 60, "Customer ID"), *BODY, (24, 790, "van Rooij Reclame Kantoor · Kerkstraat 9")]
    result = extract_fields([_read(lines)], engine="local")
    assert result.fields.supplier_name == "van Rooij Reclame Kantoor"


def test_a_tills_vat_block_with_its_words_glued_and_a_vat_table_with_misread_percent_signs() -> None:
    lines = [(10, 20, "POMPSTATION HUEL"), (10, 40, "Totaal EUR   68,28"), (10, 60, "Waarvanbtw 21%   11,05"),
             (10, 74, "Netto 21%   52,63"), (10, 88, "Waarvanbtw 9%   0.38"), (10, 102, "Netto 9%   4,22")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("52.63"), Decimal("11.05")), ("9", Decimal("4.22"), Decimal("0.38"))]
    lines = [(10, 20, "HOTEL VAN ORLEANS"), (10, 40, "TOTAAL   27,61"), (10, 60, "BTW   Excl.   BTW   Incl."),
             (10, 74, "A   21号   8,82   1,85   10,67"), (10, 88, "B   98   15,54   1,40   16,94")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("8.82"), Decimal("1.85")), ("9", Decimal("15.54"), Decimal("1.40"))]


def test_a_kvk_number_a_skewed_scan_put_before_its_label() -> None:
    lines = [(24, 40, "Uijen Handel B.V."), (24, 200, "72772711 KvK      2023-0862"), *BODY]
    assert extract_fields([_read(lines)], engine="local").fields.supplier_kvk == "72772711"


def test_number_labels_ocr_split_or_punctuated() -> None:
    def number(text: str) -> str | None:
        lines = [(10, 20, "CAFE DE BRUG"), (10, 40, text), (10, 60, "TOTAAL   7,90")]
        return extract_fields([page(lines, size=(220.0, 600.0))], engine="local").fields.invoice_number

    assert number("15 augustus 2025 13:49   Bonnum mer 8120") == "8120"
    assert number("Notanum mer   D2023-623") == "D2023-623"
    assert number("Bon.   03/5069") == "03/5069"


def test_a_wrapped_legal_form_does_not_take_the_buyers_heading_a_skewed_scan_ran_into_the_name() -> None:
    lines = [(24, 104, "Huisman Administratiekantoor Factuur aan"), (24, 118, "B.V."),
             (24, 134, "Maaikesteeg 9"), *BODY]
    assert extract_fields([_read(lines)], engine="local").fields.supplier_name == "Huisman Administratiekantoor B.V."


def test_a_rate_line_ocr_lost_is_what_the_totals_leave_when_a_common_rate_fits_to_the_cent() -> None:
    """A faded till roll: the 9 % row of the VAT table did not come through; the totals say 16,97 at 9 % = 1,53."""
    lines = [(10, 20, "CAFE JANSEN"), (10, 40, "TOTAAL   49,20"), (10, 60, "BTW   Over   BTW   Incl."),
             (10, 74, "21%   25,37   5,33   30,70"), (10, 100, "Totaal excl. btw   42,34")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("25.37"), Decimal("5.33")), ("9", Decimal("16.97"), Decimal("1.53"))]


def test_no_rate_is_invented_when_no_common_rate_fits_the_remainder() -> None:
    lines = [(10, 20, "CAFE JANSEN"), (10, 40, "TOTAAL   49,20"), (10, 60, "BTW   Over   BTW   Incl."),
             (10, 74, "21%   25,37   5,33   30,70"), (10, 100, "Totaal excl. btw   42,00")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert _split(result) == [("21", Decimal("25.37"), Decimal("5.33"))]


def test_the_vat_total_of_a_reconciled_split_is_the_whole_vat() -> None:
    lines = [(10, 20, "CAFE JANSEN"), (10, 40, "TOTAAL   49,20"), (10, 60, "BTW   Over   BTW   Incl."),
             (10, 74, "21%   25,37   5,33   30,70"), (10, 100, "Totaal excl. btw   42,34")]
    result = extract_fields([page(lines, size=(220.0, 600.0))], engine="local")
    assert result.fields.vat_total == Decimal("6.86")
    assert "totals_mismatch" not in result.warnings
