"""Booking proposals: pure rules (supplier matching, VAT mapping, accounts, edit validation)."""

from boekstuk.domain.proposing.builder import (
    HISTORY_WINDOW,
    ProposalInputs,
    SupplierChoice,
    build_proposal,
    render_description,
)
from boekstuk.domain.proposing.edit import ProposalEdit, ProposalEditLine, apply_edit
from boekstuk.domain.proposing.matching import (
    BuyerIdentity,
    Identifiers,
    SupplierMatch,
    match_supplier,
    name_score,
    supplement,
)
from boekstuk.domain.proposing.vat import code_for, vat_kind

__all__ = [
    "HISTORY_WINDOW", "BuyerIdentity", "Identifiers", "ProposalEdit", "ProposalEditLine",
    "ProposalInputs", "SupplierChoice", "SupplierMatch", "apply_edit", "build_proposal", "code_for",
    "match_supplier", "name_score", "render_description", "supplement", "vat_kind",
]
