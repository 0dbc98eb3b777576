"""The benchmark's scoring rules (bench/recognition.py): what counts as a correctly read field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bench import recognition as bench
from boekstuk_local.samples import make_document


def test_dates_normalise_from_the_formats_invoices_print() -> None:
    assert bench.norm_date("2024-03-01") == "2024-03-01"
    assert bench.norm_date("01-03-2024") == "2024-03-01"
    assert bench.norm_date("11/03/2018") == "2018-03-11"  # SROIE, day first
    assert bench.norm_date("19-03-18") == "2018-03-19"
    assert bench.norm_date("1 maart 2024") == "2024-03-01"
    assert bench.norm_date("7. Mai 2014") == "2014-05-07"
    assert bench.norm_date(dt.datetime(2024, 3, 1, 12, 0)) == "2024-03-01"
    assert bench.norm_date("31-02-2024") is None
    assert bench.norm_date("no date") is None


def test_amounts_compare_as_cents_without_sign() -> None:
    fields: dict[str, object] = {}
    assert bench.same("total_incl_vat", -121.0, "121.00", fields)
    assert bench.same("total_incl_vat", 4.11, 4.11, fields)
    assert not bench.same("total_incl_vat", 121.0, "121.01", fields)
    assert not bench.same("vat_total", 21.0, None, fields)


def test_identifiers_compare_without_spacing() -> None:
    fields: dict[str, object] = {}
    assert bench.same("supplier_vat", "NL1111.11.111.B.01", "NL111111111B01", fields)
    assert bench.same("iban", ["NL11 BANK 1111111111", "NL91ABNA0417164300"], "NL91 ABNA 0417 1643 00", fields)
    assert not bench.same("iban", ["NL91ABNA0417164300"], "NL69INGB0123456789", fields)
    assert bench.same("invoice_number", "F2024-0815", "f2024 0815", fields)
    assert not bench.same("invoice_number", "F2024-0815", "F2024-0816", fields)


def test_supplier_names_match_fuzzily_but_not_another_company() -> None:
    truth = {"supplier_name": "YHM AEON TEBRAU CITY"}
    assert bench.same("supplier_name", "YHM AEON TEBRAU CITY", "YHM Aeon Tebrau City", truth)
    assert bench.same("supplier_name", "Kantoorhuis Utrecht B.V.", "Kantoorhuis Utrecht BV", {})
    assert bench.same("supplier_name", "Kantoorhuis Utrecht B.V.", "Kant00rhuis Utrecht", {})  # OCR slips
    assert not bench.same("supplier_name", "Kantoorhuis Utrecht B.V.", "Telecom Noord B.V.", {})
    assert not bench.same("supplier_name", "Hoeks Bouw", "Sofialaan 913", {})
    assert bench.same("supplier_name", "Lieferant", "Lieferant GmbH", {"supplier_legal_name": "Lieferant GmbH"})


def test_only_annotated_and_visible_fields_are_scored() -> None:
    sample = make_document(3, layout="footer_block")  # prints the payment term, not the due date
    doc = bench.Doc(sample.truth["doc_id"], Path(sample.filename), "s", "text_pdf", sample.truth)
    visual = bench.scored_fields(doc, "visual")
    assert "due_date" not in visual and "total_incl_vat" in visual
    assert "due_date" in bench.scored_fields(doc, "xml")
    doc.truth = {**sample.truth, "not_annotated": ["supplier_vat"]}
    assert "supplier_vat" not in bench.scored_fields(doc, "visual")


def test_a_perfect_reading_scores_every_field_and_an_error_none() -> None:
    sample = make_document(8, fmt="ubl")
    doc = bench.Doc(sample.truth["doc_id"], Path(sample.filename), "s", "ubl_xml", sample.truth)
    fields = sample.truth["fields"]
    perfect = {name: fields[name][0] if name == "iban" else fields[name] for name in bench.FIELDS}
    scores = bench.score(doc, "xml", perfect)
    assert scores and all(scores.values())
    assert not any(bench.score(doc, "xml", None).values())
    wrong = {**perfect, "invoice_number": "X-1"}
    assert bench.score(doc, "xml", wrong)["invoice_number"] is False


def test_cli_and_invoice2data_outputs_map_to_the_truth_names() -> None:
    cli = {"fields": {"supplier_vat_id": "NL853746333B01", "supplier_iban": "NL91ABNA0417164300", "total_incl_vat": "1.00"}}
    mapped = bench.ours_fields(cli)
    assert mapped is not None and mapped["supplier_vat"] == "NL853746333B01" and mapped["iban"] == "NL91ABNA0417164300"
    assert bench.ours_fields({"error": {"code": "x"}}) is None
    i2d = {"result": {"issuer": "X", "amount": 1.0, "template_name": "seed-2001.yml", "date": dt.datetime(2024, 1, 2)}}
    assert (bench.i2d_fields(i2d) or {})["total_incl_vat"] == 1.0
    assert bench.i2d_fields(i2d, bundled_only=True) is None


def rate(value: float | None, base: float, vat: float, category: str = "S") -> dict[str, object]:
    """One group of a truth's ``vat_breakdown``."""
    return {"category": category, "rate": value, "taxable_amount": base, "tax_amount": vat}


def line(value: str, base: str, vat: str, reverse: bool = False) -> dict[str, object]:
    """One of our ``vat_lines``."""
    return {"rate": value, "base": base, "amount": vat, "reverse_charge": reverse, "category": None}


def test_vat_split_is_right_only_to_the_cent_per_rate() -> None:
    truth = [rate(21.0, 100.0, 21.0), rate(9.0, 50.0, 4.5), rate(0.0, 10.0, 0.0, "Z")]
    exact = bench.score_vat_split(truth, [line("9", "50.00", "4.50"), line("21", "100.00", "21.00"),
                                          line("0", "10.00", "0.00")])
    assert exact is not None and exact.right
    assert exact.rates == [("21%", True, True), ("9%", True, True), ("0%", True, True)]
    cent_off = bench.score_vat_split(truth, [line("21", "100.01", "21.00"), line("9", "50.00", "4.51"),
                                             line("0", "10.00", "0.00")])
    assert cent_off is not None and not cent_off.right
    assert cent_off.rates[:2] == [("21%", False, True), ("9%", True, False)]
    missing = bench.score_vat_split(truth, [line("21", "100.00", "21.00"), line("9", "50.00", "4.50")])
    assert missing is not None and not missing.right and missing.rates[2] == ("0%", False, False)


def test_vat_split_ignores_the_sign_and_empty_lines_but_not_invented_rates() -> None:
    credit = [rate(21.0, -100.0, -21.0)]
    assert (bench.score_vat_split(credit, [line("21", "100.00", "21.00"), line("9", "0.00", "0.00")]) or
            bench.VatSplit([])).right
    invented = bench.score_vat_split(credit, [line("21", "-100.00", "-21.00"), line("9", "10.00", "0.90")])
    assert invented is not None and invented.extra == 1 and not invented.right
    assert bench.score_vat_split(None, [line("21", "1.00", "0.21")]) is None
    assert bench.score_vat_split([rate(21.0, 1.0, 0.21)], None) == bench.VatSplit([("21%", False, False)])


def test_vat_split_tells_reverse_charge_from_zero_rate() -> None:
    truth = [rate(0.0, 500.0, 0.0, "AE"), rate(0.0, 20.0, 0.0, "E")]
    split = bench.score_vat_split(truth, [line("0", "20.00", "0.00"), line("0", "500.00", "0.00", reverse=True)])
    assert split is not None and split.right
    assert [label for label, _, _ in split.rates] == ["verlegd", "0%"]


def test_vat_kind_from_the_truth_and_from_our_result() -> None:
    assert bench.breakdown_vat_kind([rate(21.0, 1.0, 0.21)]) == "standard"
    assert bench.breakdown_vat_kind([rate(0.0, 1.0, 0.0, "AE")]) == "reverse_charge"
    assert bench.breakdown_vat_kind([rate(0.0, 1.0, 0.0, "K")]) == "intra_eu"
    assert bench.breakdown_vat_kind([rate(0.0, 1.0, 0.0, "Z"), rate(0.0, 2.0, 0.0, "E")]) == "zero"
    assert bench.breakdown_vat_kind(None) is None
    assert bench.breakdown_vat_kind([rate(None, 3200.0, 0.0, "O")]) == "zero"  # EN16931 "O": outside VAT, no rate
    nl = {"supplier_vat_id": "NL853746333B01", "vat_total": "0.00", "total_incl_vat": "100.00"}
    assert bench.implied_vat_kind({"fields": nl, "vat_lines": [line("0", "100.00", "0.00", True)]}) == "reverse_charge"
    foreign = {**nl, "supplier_vat_id": "BE0123456749"}
    assert bench.implied_vat_kind({"fields": foreign, "vat_lines": [line("0", "100.00", "0.00", True)]}) == "intra_eu"
    assert bench.implied_vat_kind({"fields": nl, "vat_lines": [line("0", "100.00", "0.00")]}) == "zero"
    assert bench.implied_vat_kind({"fields": nl, "vat_lines": []}) == "zero"  # VAT 0.00 on a total of 100.00
    assert bench.implied_vat_kind({"fields": {**nl, "vat_total": "21.00"}}) == "standard"
    assert bench.implied_vat_kind({"fields": {}}) is None  # says nothing about VAT: scored wrong, not guessed
    assert bench.implied_vat_kind({"fields": nl, "vat_kind": "intra_eu"}) == "intra_eu"  # its own word wins


def test_buyer_kind_and_vat_kind_are_scored_beside_the_key_fields() -> None:
    sample = make_document(5, layout="construction_verlegd")
    doc = bench.Doc(sample.truth["doc_id"], Path(sample.filename), bench.GENERATED_SOURCE, "text_pdf", sample.truth)
    fields = sample.truth["fields"]
    result = {"document_kind": "invoice", "fields": {"supplier_vat_id": fields["supplier_vat"]},
              "buyer": {"name": fields["buyer_name"].upper(), "vat_id": fields["buyer_vat"], "kvk": None},
              "vat_lines": [line("0", str(fields["total_excl_vat"]), "0.00", reverse=True)]}
    scores = bench.score(doc, "visual", bench.ours_party(result), bench.PARTY_FIELDS)
    assert scores["buyer_name"] and scores["buyer_vat"] and scores["document_kind"]
    assert scores["vat_kind"], "btw verlegd between two Dutch firms is reverse_charge"
    assert scores.get("buyer_kvk") is not True
    wrong_kind = bench.score(doc, "visual", bench.ours_party({**result, "document_kind": "credit_note"}),
                             bench.PARTY_FIELDS)
    assert not wrong_kind["document_kind"]
    assert not any(bench.score(doc, "visual", bench.ours_party({"error": {}}), bench.PARTY_FIELDS).values())


def test_leave_family_out_never_mixes_families() -> None:
    from boekstuk_local.samples import FAMILIES, HELD_OUT, TUNE, family_set

    docs = [bench.Doc(s.truth["doc_id"], Path(s.filename), bench.GENERATED_SOURCE, s.truth["doc_type"], s.truth)
            for s in family_set(pdfs=2, scans=0, scan_pdfs=0, ubl=1)]
    dev = bench.Doc("dev/x", Path("x.pdf"), "zugferd-corpus", "hybrid_pdf", {"fields": {}})
    sides = bench.leave_family_out([*docs, dev])
    families = {side: {doc.family for doc in sides[side]} for side in bench.SIDES}
    assert families["tune"].isdisjoint(families["held_out"])
    assert families["tune"] == set(TUNE) and families["held_out"] == set(HELD_OUT)
    assert families["tune"] | families["held_out"] == set(FAMILIES)
    assert sum(len(v) for v in sides.values()) == len(docs)  # the dev set is on neither side
    # Every format of a family (text PDF, UBL, credit note) is on its family's side.
    for side, members in sides.items():
        assert all(FAMILIES[str(doc.family)].split == side for doc in members)


def test_held_out_rows_count_only_held_out_families() -> None:
    def record(side: str, family: str, ok: bool) -> dict[str, object]:
        return {"side": side, "family": family, "label": "text_pdf", "ours": {"invoice_number": ok},
                "theirs": None, "party": {}, "vat": None}

    records = [record("tune", "classic", True), record("tune", "classic", True), record("held_out", "hotel_folio", False)]
    table = bench.leave_family_out_table(records)
    held = next(row for row in table if row.startswith("| **held out** | all types"))
    tune = next(row for row in table if row.startswith("| tune | all types"))
    assert "| 1 | 0.0% |" in held and "| 2 | 100.0% |" in tune
    assert any(row.startswith("| hotel_folio | held_out | 1 |") for row in bench.family_table(records))
    scanned = [{**records[0], "scan": "rotated"}, {**records[2], "scan": "rotated"}]
    assert any(row.startswith("| rotated | text_pdf | 2 | 50.0% |") for row in bench.scan_table([*records, *scanned]))


def test_calibration_bins_and_error() -> None:
    assert bench.calibration_bin(1.0) == bench.calibration_bin(0.95) == len(bench.CALIBRATION_BINS) - 2
    assert bench.calibration_bin(0.949) == len(bench.CALIBRATION_BINS) - 3
    assert bench.calibration_bin(0.0) == 0
    cells, error = bench.calibration_row([(0.9, True), (0.9, False), (0.99, True), (0.99, True)])
    assert cells[-2] == "50.0% (2)" and cells[-1] == "100.0% (2)"
    assert error == "0.205"  # half the fields off by 0.4, half by 0.01
    assert bench.calibration_row([]) == (["–"] * (len(bench.CALIBRATION_BINS) - 1), "–")
    table = bench.calibration_table([{"side": "held_out", "calibration": [("invoice_number", 0.97, True)]}])
    assert any(row.startswith("| invoice_number | ") for row in table)
    assert any(row.startswith("| all fields, held-out families | ") for row in table)
