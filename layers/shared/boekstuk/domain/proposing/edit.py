"""The bookkeeper's edit of a proposal (``PUT .../proposal``): validated against the package's master data.

Every problem is reported at once, one entry per field (``lines[0].gl_account``), so the form can show them
all; fields that changed get the provenance ``edited by <user>``.
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
from boekstuk.domain.errors import ValidationFailed
from boekstuk.domain.links import LedgerAccount, Supplier, TaxCode
from boekstuk.domain.money import Money

MAX_DATE_SPAN = dt.timedelta(days=366)
"""An invoice date more than a year in the future, or a due date more than a year after it, is a typo."""


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


class ProposalEdit(BaseModel):
    """The body of ``PUT /v1/offices/{office}/documents/{document_id}/proposal``."""

    model_config = ConfigDict(extra="forbid")

    supplier_code: str | None = Field(default=None, max_length=40)
    invoice_number: str = Field(min_length=1, max_length=60)
    invoice_date: dt.date
    due_date: dt.date | None = None
    currency: str = "EUR"
    description: str | None = Field(default=None, max_length=200)
    lines: list[ProposalEditLine] = Field(min_length=1, max_length=500)
    total_incl_vat: Money

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


def apply_edit(current: Proposal, edit: ProposalEdit, editor: str, *, suppliers: Sequence[Supplier],
               gl_accounts: Sequence[LedgerAccount], vat_codes: Sequence[TaxCode],
               today: dt.date) -> Proposal:
    """The edited proposal, or ``ValidationFailed`` listing every field that breaks a rule."""
    problems: list[dict[str, str]] = []
    accounts = {g.code for g in gl_accounts}
    codes: Mapping[str, TaxCode] = {v.code: v for v in vat_codes}
    by_code = {s.code: s for s in suppliers}

    supplier = current.supplier
    supplier_changed = edit.supplier_code is not None and edit.supplier_code != current.supplier.code
    if supplier_changed:
        chosen = by_code.get(edit.supplier_code or "")
        if chosen is None or chosen.blocked:
            problems.append({"field": "supplier_code",
                             "message": f"Supplier '{edit.supplier_code}' does not exist in this administration."})
        else:
            # The bookkeeper picked a known creditor; "name" is the closest match kind the contract has.
            supplier = ProposalSupplier(code=chosen.code, name=chosen.name, match="name", vat_id=chosen.vat_id,
                                        kvk=chosen.kvk, iban=chosen.iban)

    if not re.fullmatch(r"[A-Z]{3}", edit.currency):
        problems.append({"field": "currency", "message": "Give an ISO 4217 currency code such as EUR."})
    if edit.invoice_date > today + MAX_DATE_SPAN:
        problems.append({"field": "invoice_date", "message": "The invoice date is more than a year in the future."})
    if edit.due_date is not None:
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
    if problems:
        raise ValidationFailed("The proposal does not fit the administration's data.", errors=problems)

    provenance = dict(current.provenance)
    by = f"edited by {editor}"
    # A line's provenance only stays when the line at that index is still there.
    for key in [k for k in provenance if k.startswith("lines[")]:
        index = int(key[6:key.index("]")])
        if index >= len(lines):
            del provenance[key]
    if supplier_changed:
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
        "supplier_update": None if supplier_changed else current.supplier_update,
    })
