"""The document's own number: after its label ("Factuurnummer", "Bonnr."), after the title ("Factuur 2024-001"),
or under an ``INVOICE`` heading (``# 1042``)."""

from __future__ import annotations

import re
from typing import NamedTuple

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.layout import Line, cell_at, cells
from boekstuk.domain.extraction.parse import find_dates
from boekstuk.domain.extraction.reading import Reading

_INVOICE_NO_VALUE = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9/_.\-#]*")


class Token(NamedTuple):
    """A number-like token and where it starts in the text it was found in."""

    text: str
    offset: int


def read_invoice_number(reading: Reading) -> None:
    """Choose the invoice (or credit note, receipt) number.

    The document's type decides between labels: on a credit note its own number ("Creditnotanummer", the title
    "Creditnota C2024-7") wins over the number of the invoice it corrects; a label that refers to another
    document ("Betreft factuur", "Originele factuur") never gives the document's number.
    """
    credit_note = _is_credit_note(reading)
    best: Candidate[str] | None = None
    for line in reading.lines:
        for match in L.INVOICE_NUMBER.finditer(line.text):
            cell_start = cell_at(line.text, match.start()).start
            if L.REFERRED_INVOICE.search(line.text[cell_start: match.start()]):
                continue
            score = W.NUMBER_AFTER_LABEL
            if credit_note and L.CREDIT_NOTE.match(match.group(0)):
                score += W.NUMBER_OWN_DOCUMENT_TYPE
            found = _number_after(reading, line, match.end(), score, "label")
            if found is not None and (best is None or found.score > best.score):
                best = found
        title = L.TITLE_NUMBER.match(line.text.strip())
        own_title = credit_note and title is not None and L.CREDIT_NOTE.match(title.group(0)) is not None
        at_top = line.rel_top < 0.4 and line.page == 1
        if title and at_top and (own_title or best is None or best.score < W.NUMBER_TITLE_THRESHOLD):
            offset = line.text.index(line.text.strip())
            score = W.NUMBER_AFTER_LABEL + W.NUMBER_OWN_DOCUMENT_TYPE if own_title else W.NUMBER_AFTER_TITLE
            found = _number_after(reading, line, offset + title.end(), score, "title")
            if found is not None and (best is None or found.score > best.score):
                best = found
    if best is None:
        best = _number_under_title(reading)
    if best:
        reading.put("invoice_number", best)


def _is_credit_note(reading: Reading) -> bool:
    """The first page's upper part calls the document a credit note (as ``kind.document_kind`` reads it)."""
    return any(L.CREDIT_NOTE.search(line.text) for line in reading.lines if line.page == 1 and line.rel_top < 0.45)


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
        # A series prefix printed apart from its digits ("CN 46743", "F 2024-017", OCR's "INV- 2517194"): one
        # number, its hyphen kept.
        series = re.match(r"([A-Z]{1,4})(-?) (\d[\w/\-]*)", text[match.start():])
        if series and token == series.group(1) and not find_dates(series.group(3)):
            return Token(series.group(1) + series.group(2) + series.group(3).rstrip(".-/"), match.start())
        return None
    return None
