"""Expense claims book on the employee's creditor; receipts from unknown shops on the generic 'Kassabon'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from boekstuk.domain.links import Supplier
from tests.unit.proposals.fakes import KANTOORHUIS, World, recognition

EMPLOYEE = Supplier(code="5001", name="Declaratie piet", default_gl_account="4600", default_vat_code="H21")
KASSABON = Supplier(code="5002", name="Kassabon", default_gl_account="4900")


def test_expense_claim_books_on_the_employee_creditor_with_the_receipts_vat() -> None:
    world = World(cached=[KANTOORHUIS, EMPLOYEE])
    proposal = world.service.propose(world.document(kind="expense_claim", uploaded_by="piet"), recognition(
        name="Restaurant De Gouden Lepel", vat_id=None, number=None, date="2026-02-20",
        vat=[("9", "40.00", "3.60")], kind="receipt")).proposal
    assert (proposal.supplier.code, proposal.supplier.match) == ("5001", "name")
    assert proposal.provenance["supplier"] == "expense claim: employee creditor"
    line = proposal.lines[0]
    assert (line.gl_account, line.vat_code, line.vat_amount) == ("4600", "L9", Decimal("3.60"))
    assert line.description == "Restaurant De Gouden Lepel 2026-02-20"
    assert proposal.due_date == dt.date(2026, 2, 20)
    assert proposal.invoice_number and proposal.invoice_number.startswith("BON-")


def test_expense_claim_of_an_employee_without_creditor_proposes_a_new_one() -> None:
    world = World(cached=[KANTOORHUIS], in_package=[KANTOORHUIS])
    proposal = world.service.propose(world.document(kind="expense_claim", uploaded_by="anna"),
                                     recognition(name="NS", vat_id=None, kind="receipt")).proposal
    assert (proposal.supplier.name, proposal.supplier.match, proposal.supplier.code) == ("Declaratie anna", "new", None)
    # Found in the package when the cache is behind.
    world.package.creditors["5003"] = world.package.creditors["2001"].model_copy(
        update={"code": "5003", "name": "Declaratie anna", "vat_id": None})
    again = world.service.propose(world.document(kind="expense_claim", uploaded_by="anna"),
                                  recognition(name="NS", vat_id=None, kind="receipt", number="2")).proposal
    assert again.supplier.code == "5003"


def test_receipt_from_an_unknown_shop_uses_the_generic_creditor() -> None:
    world = World(cached=[KANTOORHUIS, KASSABON])
    proposal = world.service.propose(world.document(kind="receipt"), recognition(
        name="Bakker Bart", vat_id=None, number=None, vat=[("9", "5.00", "0.45")], kind="receipt")).proposal
    assert (proposal.supplier.code, proposal.supplier.name) == ("5002", "Kassabon")
    assert proposal.lines[0].description.startswith("Bakker Bart")
    assert proposal.supplier_update is None
    without = World(cached=[KANTOORHUIS], in_package=[KANTOORHUIS])
    new = without.service.propose(without.document(kind="receipt"), recognition(
        name="Bakker Bart", vat_id=None, kind="receipt")).proposal
    assert (new.supplier.name, new.supplier.match) == ("Kassabon", "new")


def test_receipt_from_a_known_supplier_books_on_that_supplier() -> None:
    world = World(cached=[KANTOORHUIS, KASSABON])
    proposal = world.service.propose(world.document(kind="receipt"), recognition(kind="receipt")).proposal
    assert (proposal.supplier.code, proposal.supplier.match) == ("2001", "vat_id")
    assert proposal.due_date == dt.date(2026, 2, 10)  # paid at the till, not in 30 days
