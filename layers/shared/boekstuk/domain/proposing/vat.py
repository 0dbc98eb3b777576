"""Map recognised VAT rates to the package's own VAT codes, by kind and rate.

21 % -> high, 9 % -> low, 0 % -> zero, verlegd -> reverse_charge, intra-EU acquisition -> eu. A rate the
package has no code for (19 % German VAT, the old 6 %) is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from boekstuk.domain.links import TaxCode
from boekstuk.domain.packages import VatKind

EU_COUNTRIES = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "PL", "PT", "RO", "SE", "SI", "SK"])
"""EU member states other than NL, by the prefix of their VAT ids (Greece uses EL)."""

NO_VAT_CHARGED: frozenset[str] = frozenset({"zero", "reverse_charge", "eu"})
"""Kinds whose invoices charge no VAT."""


def rate_value(rate: str | None) -> Decimal | None:
    """``"21"``, ``"21.0"``, ``"21%"`` -> Decimal(21); anything else None."""
    if rate is None:
        return None
    try:
        value = Decimal(rate.strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def vat_kind(rate: str | None, *, reverse_charge: bool = False, category: str | None = None,
             supplier_country: str | None = None) -> VatKind | None:
    """The kind of VAT a recognised line carries; None for a rate Dutch VAT does not have."""
    country = (supplier_country or "").upper()
    if category == "K" or ((reverse_charge or category == "AE") and country in EU_COUNTRIES):
        return "eu"
    if reverse_charge or category == "AE":
        return "reverse_charge"
    value = rate_value(rate)
    if value is None:
        return None
    if value == 21:
        return "high"
    if value == 9:
        return "low"
    if value == 0:
        # 0 % from a supplier elsewhere in the EU is an intra-community acquisition (the buyer accounts for it).
        return "eu" if country in EU_COUNTRIES else "zero"
    return None


def code_for(kind: VatKind | None, rate: str | None, codes: Sequence[TaxCode],
             prefer: str | None = None) -> TaxCode | None:
    """The package's code for this kind (and rate for high/low/zero); ``prefer`` wins among equals."""
    value = rate_value(rate)
    if kind is None:
        # A rate outside Dutch VAT: only a code with exactly that rate would be right.
        fitting = [c for c in codes if value is not None and rate_value(c.rate) == value
                   and c.kind in ("high", "low")]
    else:
        fitting = [c for c in codes if c.kind == kind
                   and (kind in ("reverse_charge", "eu") or value is None or rate_value(c.rate) == value)]
    if not fitting:
        return None
    return next((c for c in fitting if c.code == prefer), sorted(fitting, key=lambda c: c.code)[0])


def compatible(code: TaxCode, kind: VatKind | None, rate: str | None) -> bool:
    """Whether a rule/history/default VAT code agrees with what the invoice says (always, when it says nothing)."""
    if kind is None and rate is None:
        return True
    if kind is None:
        return False
    if kind in NO_VAT_CHARGED and code.kind in NO_VAT_CHARGED:
        # The invoice shows no VAT either way; whether it is 0 %, verlegd or an EU acquisition is what the
        # bookkeeper's rule (or history) knows better than a missed "BTW verlegd" on the page.
        return True
    if code.kind != kind:
        return False
    value = rate_value(rate)
    return kind in ("reverse_charge", "eu") or value is None or rate_value(code.rate) == value


def country_of_vat_id(vat_id: str | None) -> str | None:
    """The country prefix of a VAT id (``NL``, ``DE``, ``EL``...)."""
    if vat_id and len(vat_id) > 2 and vat_id[:2].isalpha():
        return vat_id[:2].upper()
    return None
