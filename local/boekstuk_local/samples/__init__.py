"""Realistic Dutch sample documents (invoices, credit notes, receipts) with exact ground truth.

Used by tests, the recognition benchmark (``bench/recognition.py``) and ``boekstuk demo``. Everything is
deterministic per seed. Public entry points: ``make_document``, ``generate_set``, ``family_set``,
``SampleDocument``, ``SampleLine``, ``Party``, ``LAYOUTS`` (the seven original layouts), ``FAMILIES`` (every layout
family, with its categories and benchmark split), ``SCAN_PROFILES``, ``BUYERS``, ``party_from_seed``.
"""

from __future__ import annotations

from .families import CATEGORIES, FAMILIES, HELD_OUT, TUNE, Family
from .generator import FORMATS, SampleDocument, build_spec, make_document
from .model import BUYERS, InvoiceSpec, Party, SampleLine, buyer_for_administration, party_from_seed
from .pdf import LAYOUTS
from .scan import SCAN_PROFILES
from .sets import family_set, generate_set

__all__ = [
    "BUYERS",
    "CATEGORIES",
    "FAMILIES",
    "FORMATS",
    "HELD_OUT",
    "LAYOUTS",
    "SCAN_PROFILES",
    "TUNE",
    "Family",
    "InvoiceSpec",
    "Party",
    "SampleDocument",
    "SampleLine",
    "buyer_for_administration",
    "build_spec",
    "family_set",
    "generate_set",
    "make_document",
    "party_from_seed",
]
