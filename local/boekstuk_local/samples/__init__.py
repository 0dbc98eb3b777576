"""Realistic Dutch sample documents (invoices, credit notes, receipts) with exact ground truth.

Used by tests, the recognition benchmark (``bench/recognition.py``) and ``boekstuk demo``. Everything is
deterministic per seed. Public entry points: ``make_document``, ``generate_set``, ``SampleDocument``,
``SampleLine``, ``Party``, ``LAYOUTS``, ``BUYERS``, ``party_from_seed``.
"""

from __future__ import annotations

from .generator import FORMATS, SampleDocument, build_spec, make_document
from .model import BUYERS, InvoiceSpec, Party, SampleLine, buyer_for_administration, party_from_seed
from .pdf import LAYOUTS
from .sets import generate_set

__all__ = [
    "BUYERS",
    "FORMATS",
    "LAYOUTS",
    "InvoiceSpec",
    "Party",
    "SampleDocument",
    "SampleLine",
    "buyer_for_administration",
    "build_spec",
    "generate_set",
    "make_document",
    "party_from_seed",
]
