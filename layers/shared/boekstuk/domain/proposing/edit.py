"""The bookkeeper's edit of a proposal (``PUT .../proposal``): validated against the package's master data.

The body is the ``proposal`` object as GET returns it, with values changed, so a client can round-trip it; its
read-only parts are ignored. Every problem is reported at once, one entry per field (``lines[0].gl_account``), so
the form can show them all; fields that changed get the provenance ``edited by <user>``. A supplier chosen by hand
(another one of the administration, or a new one) has the match ``manual``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from boekstuk.domain.documents import Proposal, ProposalLine, ProposalSupplier
from boekstuk.domain.errors import UnknownSupplier, ValidationFailed
from boekstuk.domain.links import LedgerAccount, Supplier, TaxCode, normalise_identifier
from boekstuk.domain.money import Money

MAX_DATE_SPAN = dt.timedelta(days=366)
"""An invoice date more than a year in the future, or a due date more than a year after it, is a typo."""


_READ_ONLY = "Read-only: accepted as GET returns it, and ignored."


class ProposalEditSupplier(BaseModel):
    # The proposal's supplier as GET returns it. ``code``: a supplier of the administration (another one than the
    # proposal's: a change), or null for a new supplier described by the other fields. ``match`` is read-only.
    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(max_length=40)
    name: str | None = Field(default=None, max_length=200)
    vat_id: str | None = Field(default=None, max_length=40)
    kvk: str | None = Field(default=None, max_length=20)
    iban: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    match: Any = Field(default=None, description=_READ_ONLY)


class ProposalEditLine(BaseModel):
    # One line of the edited proposal. No docstring on purpose: it would become the schema's description and
    # change the committed OpenAPI document (api/openapi.json) that the contract tests compare.
    model_config = ConfigDict(extra="forbid")

    gl_account: str = Field(min_length=1, max_length=40)
    description: str = Field(default="", max_length=200)
    amount_excl_vat: Money
    vat_code: str = Field(min_length=1, max_length=40)
    vat_amount: Money
    cost_centre: str | None = Field(default=None, max_length=40)
    vat_rate: Any = Field(default=None, description=_READ_ONLY + " The VAT code decides the rate.")


class ProposalEdit(BaseModel):
    """The body of ``PUT /v1/offices/{office}/documents/{document_id}/proposal``: the ``proposal`` object as GET
    returns it, with values changed. Its read-only parts (``warnings``, ``provenance``, ``supplier_update``, the
    supplier's ``match`` and each line's ``vat_rate``) are ignored; any other member is refused. Without
    ``supplier`` the supplier stays as it is."""

    model_config = ConfigDict(extra="forbid")

    supplier: ProposalEditSupplier | None = None
    invoice_number: str | None = Field(min_length=1, max_length=60)
    invoice_date: dt.date | None
    due_date: dt.date | None = None
    currency: str = "EUR"
    description: str | None = Field(default=None, max_length=200)
    lines: list[ProposalEditLine] = Field(min_length=1, max_length=500)
    total_incl_vat: Money
    warnings: Any = Field(default=None, description=_READ_ONLY)
    provenance: Any = Field(default=None, description=_READ_ONLY)
    supplier_update: Any = Field(default=None, description=_READ_ONLY)

    @classmethod
    def parse(cls, body: Any) -> ProposalEdit:
        """Validate a JSON body; wrong types and missing fields become one ``ValidationFailed`` per field."""
        try:
            return cls.model_validate(body)
        except PydanticValidationError as exc:
            problems = [{"field": _path(e["loc"]) or "body", "message": str(e["msg"])} for e in exc.errors()]
            raise ValidationFailed("The proposal has invalid fields.", errors=problems) from exc


def _path(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _identity(supplier: ProposalSupplier | ProposalEditSupplier) -> tuple[str | None, ...]:
    return (supplier.name, supplier.vat_id, supplier.kvk, supplier.iban, supplier.address)


def _new_supplier(edit: ProposalEditSupplier, problems: list[dict[str, str]]) -> ProposalSupplier:
    """A supplier the administration does not have yet (created in the package at booking), checked field by field:
    a name, and VAT id, IBAN and KvK number that pass their check digits / format."""
    # Imported here: the extraction package loads the whole extractor, which a documents function needs only
    # for an edit that names a new supplier.
    from boekstuk.domain.extraction.ids import validate_iban, validate_vat

    name = (edit.name or "").strip()
    if not name:
        problems.append({"field": "supplier.name", "message": "A new supplier needs a name."})
    vat_id = validate_vat(edit.vat_id) if edit.vat_id else None
    if edit.vat_id and vat_id is None:
        problems.append({"field": "supplier.vat_id", "message": f"'{edit.vat_id}' is not a valid VAT id."})
    iban = validate_iban(edit.iban) if edit.iban else None
    if edit.iban and iban is None:
        problems.append({"field": "supplier.iban", "message": f"'{edit.iban}' is not a valid IBAN."})
    kvk = normalise_identifier(edit.kvk)
    if kvk is not None and not re.fullmatch(r"\d{8}", kvk):
        problems.append({"field": "supplier.kvk", "message": "A KvK number has 8 digits."})
    return ProposalSupplier(code=None, name=name or "-", match="manual", vat_id=vat_id, kvk=kvk, iban=iban,
                            address=(edit.address or "").strip() or None)


def _edited_supplier(current: ProposalSupplier, edit: ProposalEditSupplier | None, suppliers: Sequence[Supplier],
                     problems: list[dict[str, str]]) -> ProposalSupplier | None:
    """The supplier after the edit, or None when it is unchanged (the code the proposal has; for a new supplier
    the same description). Another code must be a supplier of the administration (``UnknownSupplier``)."""
    if edit is None:
        return None
    if edit.code is not None:
        if edit.code == current.code:
            return None  # the same supplier: its name and identifiers come from the package, not from the body
        chosen = next((s for s in suppliers if s.code == edit.code and not s.blocked), None)
        if chosen is None:
            problems.append({"field": "supplier.code",
                             "message": f"Supplier '{edit.code}' does not exist in this administration."})
            return None
        return ProposalSupplier(code=chosen.code, name=chosen.name, match="manual", vat_id=chosen.vat_id,
                                kvk=chosen.kvk, iban=chosen.iban)
    if current.code is None and _identity(edit) == _identity(current):
        return None  # the proposed new supplier, sent back as it was
    return _new_supplier(edit, problems)


def apply_edit(current: Proposal, edit: ProposalEdit, editor: str, *, suppliers: Sequence[Supplier],
               gl_accounts: Sequence[LedgerAccount], vat_codes: Sequence[TaxCode],
               today: dt.date) -> Proposal:
    """The edited proposal, or ``ValidationFailed`` listing every field that breaks a rule (``UnknownSupplier``
    when the supplier code is not one of the administration's)."""
    problems: list[dict[str, str]] = []
    accounts = {g.code for g in gl_accounts}
    codes: Mapping[str, TaxCode] = {v.code: v for v in vat_codes}

    changed = _edited_supplier(current.supplier, edit.supplier, suppliers, problems)
    supplier = changed or current.supplier
    unknown_supplier = any(p["field"] == "supplier.code" for p in problems)

    if not re.fullmatch(r"[A-Z]{3}", edit.currency):
        problems.append({"field": "currency", "message": "Give an ISO 4217 currency code such as EUR."})
    if edit.invoice_date is not None and edit.invoice_date > today + MAX_DATE_SPAN:
        problems.append({"field": "invoice_date", "message": "The invoice date is more than a year in the future."})
    if edit.due_date is not None and edit.invoice_date is not None:
        if edit.due_date < edit.invoice_date:
            problems.append({"field": "due_date", "message": "The due date is before the invoice date."})
        elif edit.due_date > edit.invoice_date + MAX_DATE_SPAN:
            problems.append({"field": "due_date", "message": "The due date is more than a year after the invoice date."})

    lines: list[ProposalLine] = []
    for index, line in enumerate(edit.lines):
        if line.gl_account not in accounts:
            problems.append({"field": f"lines[{index}].gl_account",
                             "message": f"GL account '{line.gl_account}' does not exist in the package."})
        code = codes.get(line.vat_code)
        if code is None:
            problems.append({"field": f"lines[{index}].vat_code",
                             "message": f"VAT code '{line.vat_code}' does not exist in the package."})
        lines.append(ProposalLine(gl_account=line.gl_account, description=line.description,
                                  amount_excl_vat=line.amount_excl_vat, vat_code=line.vat_code,
                                  vat_amount=line.vat_amount, vat_rate=code.rate if code else None,
                                  cost_centre=line.cost_centre))
    lines_total = sum((ln.amount_excl_vat + ln.vat_amount for ln in lines), Decimal("0.00"))
    if lines_total != edit.total_incl_vat:
        problems.append({"field": "total_incl_vat",
                         "message": f"The lines add up to {lines_total}, not to the total {edit.total_incl_vat}."})
    if unknown_supplier:
        raise UnknownSupplier(f"Supplier '{edit.supplier.code if edit.supplier else ''}' does not exist in this "
                              "administration.", errors=problems)
    if problems:
        raise ValidationFailed("The proposal does not fit the administration's data.", errors=problems)

    provenance = dict(current.provenance)
    by = f"edited by {editor}"
    # A line's provenance only stays when the line at that index is still there.
    for key in [k for k in provenance if k.startswith("lines[")]:
        index = int(key[6:key.index("]")])
        if index >= len(lines):
            del provenance[key]
    if changed is not None:
        provenance["supplier"] = by
    for name in ("invoice_number", "invoice_date", "due_date", "currency", "description", "total_incl_vat"):
        if getattr(edit, name) != getattr(current, name):
            provenance[name] = by
    for index, new in enumerate(lines):
        old = current.lines[index] if index < len(current.lines) else None
        for name in ("gl_account", "description", "amount_excl_vat", "vat_code", "vat_amount", "cost_centre"):
            if old is None or getattr(old, name) != getattr(new, name):
                provenance[f"lines[{index}].{name}"] = by

    return current.model_copy(update={
        "supplier": supplier, "invoice_number": edit.invoice_number, "invoice_date": edit.invoice_date,
        "due_date": edit.due_date, "currency": edit.currency, "description": edit.description, "lines": lines,
        "total_incl_vat": edit.total_incl_vat, "provenance": provenance,
        # Another creditor chosen: the supplement proposed for the old one no longer applies.
        "supplier_update": None if changed is not None else current.supplier_update,
    })
