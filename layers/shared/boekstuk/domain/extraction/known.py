"""What the system knows before it reads a page: the administration's own name and ids, which mark the buyer,
and the administration's synced suppliers, a dictionary the page is searched for.

Identifiers compare exactly once normalised (VAT ids, IBANs and KvK numbers without spaces, dots and case: the
finders in ``ids`` have already checked their check digits with python-stdnum and schwifty); names compare
fuzzily (rapidfuzz's ``token_sort_ratio`` on names without legal form and punctuation, the threshold the
proposal's supplier matching uses), so "KANTOORHUIS UTRECHT" on a letterhead finds "Kantoorhuis Utrecht B.V.".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from boekstuk.domain.links import normalise_identifier
from boekstuk.domain.party_names import NAME_THRESHOLD, normalise_name
from boekstuk.domain.recognition import KnownParty, ReadingHints

MIN_NAME_LENGTH = 4
"""A known name shorter than this (normalised) matches too many cells by chance ("Bos", "ING")."""


@dataclass(frozen=True)
class KnownParties:
    """The hints in the form the extractor asks about them."""

    buyer_ids: frozenset[str] = frozenset()
    buyer_names: tuple[str, ...] = ()
    supplier_ids: dict[str, KnownParty] = field(default_factory=dict)
    supplier_names: dict[str, KnownParty] = field(default_factory=dict)
    name_keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, hints: ReadingHints | None) -> KnownParties:
        """The known parties of ``hints`` (nothing known for ``None``); a supplier that is the buyer is dropped."""
        if hints is None:
            return cls()
        buyer = hints.buyer or KnownParty()
        buyer_ids = frozenset(_ids(buyer))
        buyer_names = tuple(n for n in (normalise_name(buyer.name),) if len(n) >= MIN_NAME_LENGTH)
        buyer_only = cls(buyer_ids=buyer_ids, buyer_names=buyer_names)
        by_id: dict[str, KnownParty] = {}
        by_name: dict[str, KnownParty] = {}
        for supplier in hints.suppliers:
            ids = _ids(supplier)
            if ids & buyer_ids or buyer_only.is_buyer_name(supplier.name):
                continue  # some packages keep a creditor record for the administration itself
            for value in ids:
                by_id.setdefault(value, supplier)
            name = normalise_name(supplier.name)
            if len(name) >= MIN_NAME_LENGTH:
                by_name.setdefault(name, supplier)
        return cls(buyer_ids=buyer_ids, buyer_names=buyer_names, supplier_ids=by_id, supplier_names=by_name,
                   name_keys=tuple(by_name))

    def __bool__(self) -> bool:
        return bool(self.buyer_ids or self.buyer_names or self.supplier_ids or self.supplier_names)

    def is_buyer_id(self, value: str | None) -> bool:
        """Whether an identifier read on the page is the administration's own."""
        norm = normalise_identifier(value)
        return norm is not None and norm in self.buyer_ids

    def is_buyer_name(self, text: str | None) -> bool:
        """Whether ``text`` is (fuzzily) the administration's own name."""
        name = normalise_name(text)
        return bool(name) and any(fuzz.token_sort_ratio(name, own) >= NAME_THRESHOLD for own in self.buyer_names)

    def supplier_with_id(self, value: str | None) -> KnownParty | None:
        """The known supplier an identifier read on the page belongs to."""
        norm = normalise_identifier(value)
        return self.supplier_ids.get(norm) if norm is not None else None

    def supplier_named(self, text: str | None) -> KnownParty | None:
        """The known supplier whose name ``text`` is (fuzzily), if one is."""
        name = normalise_name(text)
        if len(name) < MIN_NAME_LENGTH or not self.name_keys:
            return None
        best = process.extractOne(name, self.name_keys, scorer=fuzz.token_sort_ratio,
                                  score_cutoff=NAME_THRESHOLD)
        return self.supplier_names[best[0]] if best is not None else None


def _ids(party: KnownParty) -> set[str]:
    return {v for v in (normalise_identifier(x) for x in (party.vat_id, party.kvk, party.iban)) if v}
