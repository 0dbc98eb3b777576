"""The bookkeeper's edit: every validation error per field, provenance of changed fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from boekstuk.domain import errors
from boekstuk.domain.documents import Document
from boekstuk.services.proposals import ProposalEdit
from tests.unit.proposals.fakes import World, recognition


def proposed(world: World) -> Document:
    doc = world.document(status="awaiting_approval")
    proposal = world.service.propose(doc, recognition()).proposal
    return doc.model_copy(update={"proposal": proposal})


def body(**overrides: Any) -> dict[str, Any]:
    edit: dict[str, Any] = {
        "supplier": {"code": "2001"}, "invoice_number": "F2026-001", "invoice_date": "2026-02-10",
        "due_date": "2026-03-12", "currency": "EUR", "description": None,
        "lines": [{"gl_account": "4300", "description": "Kantoorhuis Utrecht B.V. F2026-001",
                   "amount_excl_vat": "100.00", "vat_code": "H21", "vat_amount": "21.00"}],
        "total_incl_vat": "121.00"}
    edit.update(overrides)
    return edit


def fields_of(exc: errors.ValidationFailed) -> set[str]:
    return {e["field"] for e in exc.extra["errors"]}


def test_an_unchanged_edit_keeps_the_provenance() -> None:
    world = World()
    doc = proposed(world)
    assert doc.proposal is not None
    result = world.service.edit(doc, ProposalEdit.parse(body()), "anna")
    assert result.provenance == doc.proposal.provenance


def test_changed_fields_become_edited_by_the_editor() -> None:
    world = World()
    doc = proposed(world)
    edit = body(supplier={"code": "2002"}, due_date="2026-03-01", total_incl_vat="133.10", lines=[
        {"gl_account": "4330", "description": "Kantoorhuis Utrecht B.V. F2026-001", "amount_excl_vat": "100.00",
         "vat_code": "H21", "vat_amount": "21.00"},
        {"gl_account": "4300", "description": "Extra", "amount_excl_vat": "10.00", "vat_code": "H21",
         "vat_amount": "2.10", "cost_centre": "KP2"}])
    result = world.service.edit(doc, edit, "anna")  # the raw body is parsed too
    assert result.supplier.code == "2002" and result.supplier.name == "Telecom Noord B.V."
    assert result.supplier.match == "manual"  # chosen by hand (API.md)
    assert result.supplier_update is None
    p = result.provenance
    assert p["supplier"] == p["due_date"] == p["total_incl_vat"] == "edited by anna"
    assert p["lines[0].gl_account"] == "edited by anna"
    assert p["lines[0].vat_code"] == "package default"  # unchanged
    assert p["lines[1].cost_centre"] == p["lines[1].amount_excl_vat"] == "edited by anna"
    assert p["invoice_number"] == "recognised"
    assert result.lines[1].vat_rate == "21" and result.total_incl_vat == Decimal("133.10")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"lines": [{"gl_account": "9999", "amount_excl_vat": "100.00", "vat_code": "H21", "vat_amount": "21.00"}]},
     "lines[0].gl_account"),
    ({"lines": [{"gl_account": "4300", "amount_excl_vat": "100.00", "vat_code": "XX", "vat_amount": "21.00"}]},
     "lines[0].vat_code"),
    ({"total_incl_vat": "120.00"}, "total_incl_vat"),
    ({"due_date": "2026-01-01"}, "due_date"),
    ({"due_date": "2028-01-01"}, "due_date"),
    ({"invoice_date": "2029-01-01", "due_date": None}, "invoice_date"),
    ({"invoice_date": "10-02-2026"}, "invoice_date"),
    ({"supplier": {"code": "8888"}}, "supplier.code"),
    ({"supplier": {"code": None, "name": ""}}, "supplier.name"),
    ({"supplier": {"code": None, "name": "Nieuw B.V.", "vat_id": "NL000000000B00"}}, "supplier.vat_id"),
    ({"supplier": {"code": None, "name": "Nieuw B.V.", "iban": "NL00ABNA0000000000"}}, "supplier.iban"),
    ({"colour": "blue"}, "colour"),
    ({"lines": [{"gl_account": "4300", "amount_excl_vat": "100.00", "vat_code": "H21", "vat_amount": "21.00",
                 "note": "x"}]}, "lines[0].note"),
    ({"currency": "euro"}, "currency"),
    ({"lines": []}, "lines"),
    ({"lines": [{"gl_account": "4300", "amount_excl_vat": "abc", "vat_code": "H21", "vat_amount": "21.00"}]},
     "lines[0].amount_excl_vat"),
])
def test_each_validation_error_names_its_field(overrides: dict[str, Any], field: str) -> None:
    world = World()
    with pytest.raises(errors.ValidationFailed) as caught:
        world.service.edit(proposed(world), body(**overrides), "anna")
    assert field in fields_of(caught.value)


def test_all_errors_are_reported_at_once() -> None:
    world = World()
    with pytest.raises(errors.ValidationFailed) as caught:
        world.service.edit(proposed(world), body(total_incl_vat="1.00", lines=[
            {"gl_account": "0000", "amount_excl_vat": "100.00", "vat_code": "H21", "vat_amount": "21.00"},
            {"gl_account": "4300", "amount_excl_vat": "1.00", "vat_code": "ZZ", "vat_amount": "0.00"}]), "anna")
    assert fields_of(caught.value) == {"lines[0].gl_account", "lines[1].vat_code", "total_incl_vat"}


def test_only_while_awaiting_approval() -> None:
    world = World()
    doc = proposed(world).model_copy(update={"status": "booked"})
    with pytest.raises(errors.InvalidStatus):
        world.service.edit(doc, body(), "anna")


def test_edit_dates_are_dates() -> None:
    edit = ProposalEdit.parse(body())
    assert edit.invoice_date == dt.date(2026, 2, 10) and edit.lines[0].amount_excl_vat == Decimal("100.00")


def test_a_corrected_number_that_another_document_has_is_refused() -> None:
    world = World()
    other = world.document()
    world.service.propose(other, recognition(number="F2026-777"))
    with pytest.raises(errors.ValidationFailed) as caught:
        world.service.edit(proposed(world), body(invoice_number="F2026-777"), "anna")
    assert fields_of(caught.value) == {"invoice_number"}
    assert other.document_id in caught.value.extra["errors"][0]["message"]
    # A new number nobody has is fine.
    assert world.service.edit(proposed(world), body(invoice_number="F2026-778"), "anna").invoice_number == "F2026-778"


def test_an_account_added_in_the_package_since_the_last_sync_is_accepted() -> None:
    from boekstuk.domain.packages import GLAccount

    world = World()
    doc = proposed(world)
    edit = body(lines=[{"gl_account": "4350", "amount_excl_vat": "100.00", "vat_code": "H21", "vat_amount": "21.00"}])
    with pytest.raises(errors.ValidationFailed):
        world.service.edit(doc, edit, "anna")  # neither in the cache nor in the package
    world.package.extra_accounts.append(GLAccount(code="4350", name="Vakliteratuur"))
    assert world.service.edit(doc, edit, "anna").lines[0].gl_account == "4350"
    world.package.down = True  # the package cannot be asked: the cache decides, and it does not know 4350
    with pytest.raises(errors.ValidationFailed):
        world.service.edit(doc, edit, "anna")


# --- round trips: the body is the proposal as GET returns it -------------------------------------------------------


def as_returned(doc: Document) -> dict[str, Any]:
    """The ``proposal`` member of GET .../documents/{id}."""
    assert doc.proposal is not None
    return dict(doc.proposal.model_dump(mode="json"))


def test_the_proposal_as_returned_goes_back_unchanged() -> None:
    world = World()
    doc = proposed(world)
    assert doc.proposal is not None and doc.proposal.warnings is not None
    result = world.service.edit(doc, as_returned(doc), "anna")
    assert result == doc.proposal


def test_a_changed_value_in_the_returned_proposal_is_the_edit_and_read_only_parts_are_ignored() -> None:
    world = World()
    doc = proposed(world)
    sent = as_returned(doc)
    sent["due_date"] = "2026-03-31"
    sent["provenance"] = {"supplier": "typed by hand"}
    sent["warnings"] = [{"code": "made_up", "detail": "not ours"}]
    sent["supplier_update"] = {"iban": "NL91ABNA0417164300"}
    sent["supplier"]["match"] = "iban"
    sent["lines"][0]["vat_rate"] = "99"
    result = world.service.edit(doc, sent, "anna")
    assert doc.proposal is not None
    assert result.due_date == dt.date(2026, 3, 31) and result.provenance["due_date"] == "edited by anna"
    assert result.provenance["supplier"] == doc.proposal.provenance["supplier"]
    assert result.warnings == doc.proposal.warnings and result.supplier_update == doc.proposal.supplier_update
    assert result.supplier == doc.proposal.supplier and result.lines[0].vat_rate == "21"


def test_another_supplier_of_the_administration_is_a_manual_match() -> None:
    world = World()
    doc = proposed(world)
    sent = as_returned(doc)
    sent["supplier"] = {"code": "2002"}
    result = world.service.edit(doc, sent, "anna")
    assert (result.supplier.code, result.supplier.name, result.supplier.match) == ("2002", "Telecom Noord B.V.", "manual")
    assert result.supplier.vat_id == "NL812345678B01" and result.provenance["supplier"] == "edited by anna"


def test_an_unknown_supplier_code_is_refused_as_unknown_supplier() -> None:
    world = World()
    doc = proposed(world)
    sent = as_returned(doc)
    sent["supplier"]["code"] = "8888"
    with pytest.raises(errors.UnknownSupplier) as caught:
        world.service.edit(doc, sent, "anna")
    assert caught.value.code == "unknown_supplier" and fields_of(caught.value) == {"supplier.code"}


def test_a_new_supplier_is_described_in_the_body_and_is_a_manual_match() -> None:
    world = World()
    doc = proposed(world)
    sent = as_returned(doc)
    sent["supplier"] = {"code": None, "name": "Schoonmaakbedrijf Oost B.V.", "vat_id": "NL 8601.23452.B01",
                        "iban": "nl91 abna 0417 1643 00"}
    result = world.service.edit(doc, sent, "anna")
    assert result.supplier.code is None and result.supplier.match == "manual"
    assert (result.supplier.name, result.supplier.vat_id, result.supplier.iban) == (
        "Schoonmaakbedrijf Oost B.V.", "NL860123452B01", "NL91ABNA0417164300")
    assert result.supplier_update is None
    # ... and sent back as returned, it stays the same new supplier.
    again = world.service.edit(doc.model_copy(update={"proposal": result}),
                               result.model_dump(mode="json"), "piet")
    assert again.supplier == result.supplier
