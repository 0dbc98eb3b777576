"""The document's own number: after its label ("Factuurnummer", "Bonnr."), after the title ("Factuur 2024-001"),
or under an ``INVOICE`` heading (``# 1042``)."""

from __future__ import annotations

import re
from typing import NamedTuple

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.layout import Line, cells
from boekstuk.domain.extraction.parse import find_dates
from boekstuk.domain.extraction.reading import Reading

_INVOICE_NO_VALUE = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9/_.\-#]*")


class Token(NamedTuple):
    """A number-like token and where it starts in the text it was found in."""

    text: str
    offset: int


def read_invoice_number(reading: Reading) -> None:
    """Choose the invoice (or credit note, receipt) number."""
    best: Candidate[str] | None = None
    for line in reading.lines:
        for match in L.INVOICE_NUMBER.finditer(line.text):
            found = _number_after(reading, line, match.end(), W.NUMBER_AFTER_LABEL, "label")
            if found is not None and (best is None or found.score > best.score):
                best = found
        if best is None or best.score < W.NUMBER_TITLE_THRESHOLD:
            title = L.TITLE_NUMBER.match(line.text.strip())
            if title and line.rel_top < 0.4 and line.page == 1:
                offset = line.text.index(line.text.strip())
                found = _number_after(reading, line, offset + title.end(), W.NUMBER_AFTER_TITLE, "title")
                if found is not None and (best is None or found.score > best.score):
                    best = found
    if best is None:
        best = _number_under_title(reading)
    if best:
        reading.put("invoice_number", best)


def _number_under_title(reading: Reading) -> Candidate[str] | None:
    """``INVOICE`` as a heading with ``# 1042`` right under it (a common template): the number sign labels it."""
    for line in reading.lines:
        if line.page != 1 or line.rel_top > 0.4:
            continue
        for start, end in cells(line.text):
            # OCR may split the title ("INV OICE").
            if not L.TITLE_NUMBER.fullmatch(re.sub(r"\s", "", line.text[start:end])):
                continue
            below = reading.cell_below(line, end - 1)
            sign = re.match(r"\s*(?:#|no\.?|nr\.?)\s*", below.text, re.IGNORECASE) if below else None
            if below is None or sign is None:
                continue
            value = number_token(below.text[sign.end():])
            if value is not None:
                first = sign.end() + value.offset
                return Candidate(value.text, W.NUMBER_UNDER_TITLE, "number sign under title",
                                 Span(below, first, first + len(value.text)))
    return None


def _number_after(reading: Reading, line: Line, offset: int, score: float, rule: str) -> Candidate[str] | None:
    """An invoice-number-like token after a label: on the same line, else in the cell below the label."""
    value = number_token(line.text[offset:])
    if value is not None:
        start = offset + value.offset
        return Candidate(value.text, score, rule, Span(line, start, start + len(value.text)))
    below = reading.cell_below(line, offset - 1)
    if below is not None:
        value = number_token(below.text)
        if value is not None:
            return Candidate(value.text, score - W.UNDER_LABEL_PENALTY, f"{rule}, cell below",
                             Span(below, value.offset, value.offset + len(value.text)))
    return None


def number_token(text: str) -> Token | None:
    """The first token after a label that looks like an invoice number (has a digit, is not a date)."""
    position = 0
    for _ in range(3):
        match = _INVOICE_NO_VALUE.search(text, position)
        if match is None or match.start() - position > 12:
            return None
        token = match.group(0).rstrip(".-/")
        if re.search(r"\d", token) and not find_dates(token) and len(token) >= 2:
            return Token(token, match.start())
        if L.DOCUMENT_TITLE.fullmatch(token) or token.lower() in {"nr", "no", "nummer", "number", "n°", "de", ":"}:
            position = match.end()
            continue
        # A series prefix printed apart from its digits ("CN 46743", "F 2024-017"): one number.
        series = re.match(r"([A-Z]{1,3}) (\d[\w/\-]*)", text[match.start():])
        if series and token == series.group(1) and not find_dates(series.group(2)):
            return Token(series.group(1) + series.group(2).rstrip(".-/"), match.start())
        return None
    return None
