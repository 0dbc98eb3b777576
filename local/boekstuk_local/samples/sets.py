"""A fixed, mixed set of sample documents, as the benchmark and bulk tests use it."""

from __future__ import annotations

from collections.abc import Iterator

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
