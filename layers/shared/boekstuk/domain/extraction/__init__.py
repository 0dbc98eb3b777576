"""The Dutch-aware field extractor shared by every visual engine (PDF text layer, local OCR, Textract)."""

from boekstuk.domain.extraction.extractor import extract_fields, warm_up

__all__ = ["extract_fields", "warm_up"]
