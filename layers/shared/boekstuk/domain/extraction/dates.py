"""The invoice date and the due date: each date on the page belongs to the label before it on its line, or to
the column header above it; an unlabelled date high on the first page is the invoice date when no label names
one; a printed payment term ("binnen 30 dagen") gives the due date when none is printed."""

from __future__ import annotations

import datetime as dt
import re

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.parse import find_broken_dates, find_dates
from boekstuk.domain.extraction.reading import Reading, label_hits, nearest_label

MAX_PAYMENT_TERM_DAYS = 120
"""A longer "term" is some other number (an order quantity, a house number)."""

_GLUED_DUE = re.compile(r"(?i)(?:v[oóò06]{2}r|uiterlijk(?:op)?|opofrond|afgeschrevenop|ge[ïi]ncasseerdop|"
                        r"betalenv[oóò06]{2}r)$")
"""A due date's words right before it, as OCR that drops spaces prints them in a sentence ("...bedragopofrond",
"totaalbedragv66r"): the phrase is only believed when the date follows it directly."""
_ON_THE_LINE = (("invoice", L.INVOICE_DATE), ("due", L.DUE_DATE), ("other", L.OTHER_DATE), ("invoice", L.INVOICE_NUMBER))
_ABOVE = (("invoice", L.INVOICE_DATE), ("due", L.DUE_DATE), ("other", L.OTHER_DATE))


def read_dates(reading: Reading) -> None:
    """Choose the invoice date and the due date."""
    invoice: list[Candidate[dt.date]] = []
    due: list[Candidate[dt.date]] = []
    unlabelled: list[Candidate[dt.date]] = []
    month_first = _month_first(reading.all_text)
    for line in reading.lines:
        hits = label_hits(line.text, _ON_THE_LINE)
        for date in find_dates(line.text, month_first=month_first):
            span = Span(line, date.start, date.end)
            kind = nearest_label(hits, date.start, line.text)
            if kind is None and _GLUED_DUE.search(re.sub(r"\s", "", line.text[max(0, date.start - 40): date.start])):
                kind, score, rule = "due", W.DATE_LABELLED, "label glued to the words before it"
            elif kind is None:
                kind = reading.label_above(line, date.start, date.end, _ABOVE)
                score, rule = W.DATE_UNDER_LABEL, "column header"
            else:
                score, rule = W.DATE_LABELLED, "label"
            if kind == "due":
                due.append(Candidate(date.value, score, rule, span))
            elif kind == "invoice":
                invoice.append(Candidate(date.value, score, rule, span))
            elif kind is None:
                score = W.DATE_UNLABELLED - W.DATE_UNLABELLED_DEPTH * line.rel_top
                unlabelled.append(Candidate(date.value, score, "unlabelled", span))
    if not invoice and not unlabelled and not due:
        # No readable date at all: accept a date that lost one separator to OCR, as a weak guess.
        for line in reading.lines:
            for date in find_broken_dates(line.text, month_first=month_first):
                unlabelled.append(Candidate(date.value, W.DATE_BROKEN, "separator lost", Span(line, date.start, date.end)))
    if invoice:
        reading.put("invoice_date", max(invoice, key=lambda c: (c.score, -c.line.index)))
    elif unlabelled:
        first_page = [c for c in unlabelled if c.line.page == 1] or unlabelled
        reading.put("invoice_date", max(first_page, key=lambda c: (c.score, -c.line.index)))
    chosen = reading.fields.get("invoice_date")
    invoice_date = dt.date.fromisoformat(chosen.value) if chosen is not None else None
    due = [c for c in due if invoice_date is None or c.value >= invoice_date]
    if due:
        reading.put("due_date", max(due, key=lambda c: (c.score, -c.line.index)))
    elif invoice_date is not None:
        for line in reading.lines:
            term = L.PAYMENT_TERM.search(line.text)
            if term and 0 < int(term.group(1)) <= MAX_PAYMENT_TERM_DAYS:
                days = int(term.group(1))
                reading.put("due_date", Candidate(invoice_date + dt.timedelta(days=days), W.DUE_DATE_FROM_TERM,
                                                  "payment term", Span(line, term.start(), term.end())))
                break


def _month_first(text: str) -> bool:
    """Day-first unless the document's own unambiguous dates (13/02 vs 02/13) say month-first."""
    pairs = re.findall(r"(?<![\d.,])(\d{1,2})[-./](\d{1,2})[-./]\d{2,4}", text)
    month_first_votes = sum(1 for a, b in pairs if int(a) <= 12 < int(b) <= 31)
    day_first_votes = sum(1 for a, b in pairs if int(b) <= 12 < int(a) <= 31)
    return month_first_votes > day_first_votes
