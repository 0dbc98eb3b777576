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
        "supplier_code": "2001", "invoice_number": "F2026-001", "invoice_date": "2026-02-10",
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
    edit = body(supplier_code="2002", due_date="2026-03-01", total_incl_vat="133.10", lines=[
        {"gl_account": "4330", "description": "Kantoorhuis Utrecht B.V. F2026-001", "amount_excl_vat": "100.00",
         "vat_code": "H21", "vat_amount": "21.00"},
        {"gl_account": "4300", "description": "Extra", "amount_excl_vat": "10.00", "vat_code": "H21",
         "vat_amount": "2.10", "cost_centre": "KP2"}])
    result = world.service.edit(doc, edit, "anna")  # the raw body is parsed too
    assert result.supplier.code == "2002" and result.supplier.name == "Telecom Noord B.V."
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
    ({"supplier_code": "8888"}, "supplier_code"),
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
