"""Supplier matching: VAT id -> KvK -> IBAN -> fuzzy name, never the buyer (the administration itself).

Pure functions over the synced suppliers (or the package's answers on a cache miss). Invoices print the
buyer's own VAT id, KvK and name too, and an extractor can confuse the two parties; every identifier that
belongs to the buyer is therefore ignored before matching, and no supplier that *is* the buyer is matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from boekstuk.domain.links import Supplier, normalise_identifier
from boekstuk.domain.party_names import NAME_THRESHOLD, name_score, normalise_name

__all__ = ["NAME_MARGIN", "NAME_THRESHOLD", "BuyerIdentity", "Identifiers", "SupplierMatch", "match_supplier",
           "name_score", "normalise_name", "supplement"]

NAME_MARGIN = 3.0
"""A fuzzy winner must beat the runner-up by this much; two near-equal candidates are no match (a guess)."""

@dataclass(frozen=True)
class BuyerIdentity:
    """What identifies the administration itself on its incoming invoices."""

    names: tuple[str, ...] = ()
    vat_ids: frozenset[str] = frozenset()
    kvks: frozenset[str] = frozenset()
    ibans: frozenset[str] = frozenset()

    def is_buyer_name(self, name: str | None) -> bool:
        """Whether ``name`` is (fuzzily) the administration's own name."""
        return any(name_score(name, own) >= NAME_THRESHOLD for own in self.names)

    def owns(self, kind: str, value: str | None) -> bool:
        """Whether an identifier of ``kind`` (vat_id/kvk/iban) is the buyer's own."""
        norm = normalise_identifier(value)
        if norm is None:
            return False
        pool = {"vat_id": self.vat_ids, "kvk": self.kvks, "iban": self.ibans}[kind]
        return norm in pool

    def is_buyer(self, supplier: Supplier) -> bool:
        """A creditor record that is the administration itself (some packages hold one)."""
        return (self.owns("vat_id", supplier.vat_id) or self.owns("kvk", supplier.kvk)
                or self.is_buyer_name(supplier.name))


@dataclass(frozen=True)
class Identifiers:
    """The recognised supplier identifiers, with the buyer's own ones removed."""

    vat_id: str | None
    kvk: str | None
    iban: str | None
    name: str | None

    @classmethod
    def of(cls, vat_id: str | None, kvk: str | None, iban: str | None, name: str | None,
           buyer: BuyerIdentity) -> Identifiers:
        """Drop every identifier that belongs to the buyer (the extractor mixed up the parties)."""
        return cls(
            vat_id=None if buyer.owns("vat_id", vat_id) else normalise_identifier(vat_id),
            kvk=None if buyer.owns("kvk", kvk) else normalise_identifier(kvk),
            iban=None if buyer.owns("iban", iban) else normalise_identifier(iban),
            name=None if buyer.is_buyer_name(name) else (name.strip() if name and name.strip() else None),
        )


MatchedBy = Literal["vat_id", "kvk", "iban", "name"]


@dataclass(frozen=True)
class SupplierMatch:
    """The matched creditor and the identifier that matched it."""

    supplier: Supplier
    kind: MatchedBy


def match_supplier(ids: Identifiers, suppliers: Sequence[Supplier], buyer: BuyerIdentity,
                   kinds: Sequence[str] = ("vat_id", "kvk", "iban", "name")) -> SupplierMatch | None:
    """The supplier these identifiers name, trying ``kinds`` in order; blocked suppliers and the buyer never."""
    candidates = [s for s in suppliers if not s.blocked and not buyer.is_buyer(s)]
    for kind in kinds:
        if kind == "name":
            found = _by_name(ids.name, candidates)
        else:
            wanted = getattr(ids, kind)
            found = next((s for s in candidates if wanted and normalise_identifier(getattr(s, kind)) == wanted), None)
        if found is not None:
            return SupplierMatch(found, cast(MatchedBy, kind))
    return None


def _by_name(name: str | None, candidates: Sequence[Supplier]) -> Supplier | None:
    if not name:
        return None
    scored = sorted(((name_score(name, s.name), s) for s in candidates), key=lambda pair: -pair[0])
    if not scored or scored[0][0] < NAME_THRESHOLD:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < NAME_MARGIN and scored[0][1].code != scored[1][1].code:
        return None
    return scored[0][1]


def supplement(supplier: Supplier, vat_id: str | None, kvk: str | None, iban: str | None,
               address: str | None) -> dict[str, str] | None:
    """The fields the invoice shows that the known supplier lacks (never overwrites what the package has)."""
    update: dict[str, str] = {}
    if iban and not supplier.iban:
        update["iban"] = iban
    if vat_id and not supplier.vat_id:
        update["vat_id"] = vat_id
    if kvk and not supplier.kvk:
        update["kvk"] = kvk
    if address and not (supplier.address.street or supplier.address.city):
        update["address"] = address
    return update or None
