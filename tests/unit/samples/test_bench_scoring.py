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
