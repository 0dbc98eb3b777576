"""Company names as the parties' documents and the packages print them, compared the same way everywhere: by the
proposal's supplier matching and by the field extractor's search for known parties."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

NAME_THRESHOLD = 90.0
"""token_sort_ratio on normalised names. 90 accepts "Kantoorhuis Utrecht BV" for "Kantoorhuis Utrecht B.V."
and typo-level OCR damage, and rejects a shared word ("Telecom Noord" vs "Telecom Zuid" scores about 85)."""

_LEGAL_FORMS = re.compile(r"\b(b\s*\.?\s*v|n\s*\.?\s*v|v\s*\.?\s*o\s*\.?\s*f|c\s*\.?\s*v|gmbh|bv|nv|vof|ltd|inc)\b\.?")


def normalise_name(name: str | None) -> str:
    """Lower case, legal forms and punctuation removed, spaces collapsed: what fuzzy matching compares."""
    if not name:
        return ""
    text = name.lower().replace("&", " en ")
    text = _LEGAL_FORMS.sub(" ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def name_score(a: str | None, b: str | None) -> float:
    """Similarity 0..100 of two company names after normalisation."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    return float(fuzz.token_sort_ratio(left, right))
