"""Fixed sets of sample documents, as the benchmark and bulk tests use them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .families import FAMILIES, family_kind
from .generator import Format, SampleDocument, make_document
from .model import Kind

# (kind, format) for seed i is MIX[i % len(MIX)]: mostly invoices, about one in seven a credit note, receipts
# as pictures and PDFs, a fifth of the invoices also as UBL.
MIX: tuple[tuple[Kind, Format], ...] = (
    ("invoice", "pdf"), ("invoice", "jpeg"), ("invoice", "ubl"), ("receipt", "jpeg"), ("invoice", "pdf"),
    ("credit_note", "pdf"), ("invoice", "png"), ("invoice", "jpeg"), ("receipt", "pdf"), ("invoice", "pdf"),
    ("credit_note", "jpeg"), ("invoice", "ubl"), ("invoice", "pdf"), ("credit_note", "ubl"),
)


def generate_set(count: int, *, first_seed: int = 1000) -> Iterator[SampleDocument]:
    """``count`` documents with seeds ``first_seed``, ``first_seed + 1``, ...; the same set on every call."""
    for seed in range(first_seed, first_seed + count):
        kind, fmt = MIX[seed % len(MIX)]
        yield make_document(seed, kind=kind, fmt=fmt)


FAMILY_SEED_STRIDE = 100
"""Family ``i`` of ``FAMILIES`` uses seeds ``first_seed + 100 * i`` onwards, so no two families share a seed."""


def family_seeds(name: str, *, first_seed: int = 1000) -> int:
    """The first seed ``family_set`` uses for family ``name``."""
    return first_seed + FAMILY_SEED_STRIDE * list(FAMILIES).index(name)


def family_set(*, families: Iterable[str] | None = None, pdfs: int = 6, scans: int = 2, scan_pdfs: int = 2,
               ubl: int = 1, first_seed: int = 1000) -> Iterator[SampleDocument]:
    """Per family: ``pdfs`` text PDFs, ``scans`` scanned JPEGs and ``scan_pdfs`` scanned PDFs (cycling through the
    family's scan profiles), and ``ubl`` SI-UBL invoices for the original invoice layouts; every document its own
    seed, the same set on every call.

    The benchmark's generated set (bench/recognition.py); the kind of each document is ``family_kind``.
    """
    for name in families if families is not None else FAMILIES:
        family = FAMILIES[name]
        seed = family_seeds(name, first_seed=first_seed)
        for _ in range(pdfs):
            yield make_document(seed, kind=family_kind(family, seed), layout=name, fmt="pdf")
            seed += 1
        for i in range(scans):
            profile = family.scans[i % len(family.scans)]
            yield make_document(seed, kind=family_kind(family, seed), layout=name, fmt="jpeg", scan=profile)
            seed += 1
        for i in range(scan_pdfs):
            profile = family.scans[(i + 1) % len(family.scans)]
            yield make_document(seed, kind=family_kind(family, seed), layout=name, fmt="scan_pdf", scan=profile)
            seed += 1
        if family.original and "invoice" in family.kinds:
            for _ in range(ubl):
                yield make_document(seed, kind="invoice", layout=name, fmt="ubl")
                seed += 1
