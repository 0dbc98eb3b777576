"""Amounts and totals: every amount on the page is a candidate for the total incl. VAT, the total excl. VAT or
the VAT total by the label it belongs to (beside it, or the column header above it); the combination whose
arithmetic adds up wins; a missing total is computed from the other two; totals that cannot be reconciled are
kept with a warning. VAT per rate is read along the way (``vat``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.layout import cells
from boekstuk.domain.extraction.parse import find_amounts
from boekstuk.domain.extraction.reading import Reading, label_hits, nearest_label
from boekstuk.domain.extraction.receipts import tender_kind, tendered_total
from boekstuk.domain.extraction.vat import (
    MAX_RATE,
    RATE_MISREAD_RE,
    RATE_RE,
    RateLine,
    complete_vat_lines,
    in_vat_table,
    is_exact,
    rate_value,
    read_vat_lines,
)
from boekstuk.domain.money import to_money
from boekstuk.domain.recognition import VatLine

_KINDS = (("not", L.NOT_TOTAL), ("vat_total", L.VAT_TOTAL), ("excl", L.TOTAL_EXCL), ("incl_strong", L.TOTAL_INCL_STRONG),
          ("incl", L.TOTAL_INCL_WEAK), ("vat", L.VAT), ("reverse", L.REVERSE_CHARGE))
"""The labels an amount may belong to, longest match first where they overlap (``label_hits``)."""

_SUMMARY_COLUMNS = (
    ("excl", re.compile(r"(?:excl|exkl|ex|netto|net|basis|grondslag|ht)\.?(?:\s*(?:btw|vat|mwst|tva))?")),
    ("vat", re.compile(r"(?:btw|vat|mwst|ust|tva|tax|gst)(?:\s*(?:bedrag|amount|betrag))?")),
    ("incl", re.compile(r"(?:incl|inkl|inc|brutto|gross|ttc|totaal|total|bedrag)\.?(?:\s*(?:btw|vat|mwst|tva))?")),
)
"""Column headers of a VAT specification table (``BTW %  Excl.  BTW  Incl.``), each a cell of its own."""


@dataclass(slots=True)
class TotalCandidates:
    """Every amount the page offers for each total, and what a receipt says was paid and given back."""

    incl: list[Candidate[Decimal]] = field(default_factory=list)
    excl: list[Candidate[Decimal]] = field(default_factory=list)
    vat: list[Candidate[Decimal]] = field(default_factory=list)
    paid: list[Candidate[Decimal]] = field(default_factory=list)
    change: list[Candidate[Decimal]] = field(default_factory=list)
    rate_lines: list[RateLine] = field(default_factory=list)
    charged: bool = False
    """A line names VAT at a rate above zero ("21% btw"), whether or not its amount could be read: then equal totals
    excl. and incl. VAT are a misreading, not a document without VAT."""


def read_totals(reading: Reading) -> list[VatLine]:
    """Choose the three totals; return the VAT lines."""
    found = _collect(reading)
    _summary_row(reading, found)
    if not found.incl:
        # A receipt whose total line OCR lost (or that prints none) still shows what was paid and the
        # change given back. Only a fallback, so it ranks below any labelled total.
        tendered = tendered_total(found.paid, found.change)
        if tendered is not None:
            found.incl.append(tendered)
    vat_lines = read_vat_lines(reading, found.rate_lines, found.vat)
    _choose(reading, found, vat_lines)
    complete_vat_lines(reading, vat_lines)
    return vat_lines


def _collect(reading: Reading) -> TotalCandidates:
    found = TotalCandidates()
    for line in reading.lines:
        amounts = find_amounts(line.text)
        rates = list(RATE_RE.finditer(line.text))
        misread = [] if rates else list(RATE_MISREAD_RE.finditer(line.text))
        if misread and (L.VAT.search(line.text) or (len(amounts) >= 2 and in_vat_table(reading, line))):
            rates = misread
        if L.VAT.search(line.text) and any(0 < rate_value(r) <= MAX_RATE for r in rates):
            found.charged = True
        amounts = tuple(a for a in amounts if not any(r.start() <= a.start < r.end() for r in rates))
        if not amounts:
            continue
        hits = label_hits(line.text, _KINDS)
        low = 1.0 - W.LOW_ON_PAGE * (1 - line.rel_top)  # totals sit low on the page
        for amount in amounts:
            kind = nearest_label(hits, amount.start, line.text)
            from_above = False
            if kind is None:
                kind = reading.label_above(line, amount.start, amount.end, _KINDS)
                from_above = True
            span = Span(line, amount.start, amount.end)
            penalty = W.LABEL_ABOVE_PENALTY if from_above else 0.0
            rule = "column header" if from_above else "label"
            if kind == "incl_strong":
                found.incl.append(Candidate(amount.value, W.TOTAL_INCL_STRONG * low - penalty, rule, span))
            elif kind == "incl":
                found.incl.append(Candidate(amount.value, W.TOTAL_INCL_WEAK * low - penalty, f"weak {rule}", span))
            elif kind == "excl":
                found.excl.append(Candidate(amount.value, W.TOTAL_EXCL - penalty, rule, span))
            elif kind == "vat_total":
                found.vat.append(Candidate(amount.value, W.VAT_TOTAL_LABELLED - penalty, rule, span))
            elif kind == "vat" and not rates:
                found.vat.append(Candidate(amount.value, W.VAT_WORD - penalty, f"vat word {rule}", span))
            elif kind == "not" and not from_above:
                tender = tender_kind(line.text[:amount.start])
                if tender == "change":
                    found.change.append(Candidate(amount.value, 0.0, "change", span))
                elif tender == "paid":
                    found.paid.append(Candidate(amount.value, 0.0, "paid", span))
        has_vat_word = bool(L.VAT.search(line.text) or L.REVERSE_CHARGE.search(line.text))
        for rate in rates:
            value = rate_value(rate)
            if value <= MAX_RATE:
                found.rate_lines.append(RateLine(value, amounts, line, has_vat_word))
    return found


def _summary_row(reading: Reading, found: TotalCandidates) -> None:
    """The total row of a VAT specification table: ``Totaal 289,23 51,67 340,90`` under ``Excl. BTW Incl.``.

    Till receipts and hotel bills print their totals this way; the one label on the row ("Totaal") says
    nothing about which column is which, the header above does.
    """
    for header in reading.lines:
        columns: dict[str, tuple[float, float]] = {}
        for start, end in cells(header.text):
            cell = header.text[start:end].replace(" ", "").lower()  # OCR splits short headers ("BT W")
            kind = next((k for k, pattern in _SUMMARY_COLUMNS if pattern.fullmatch(cell)), None)
            if kind:  # the last one wins: "BTW %  Excl.  BTW  Incl." opens with the rate column
                x0, _, x1, _ = header.box(start, end)
                columns[kind] = (x0, x1)
        if len(columns) < 3:
            continue
        for row in reading.lines[header.index + 1: header.index + 8]:
            if row.page != header.page or not L.TOTAL_INCL_WEAK.match(row.text.strip()):
                continue
            for amount in find_amounts(row.text):
                x0, _, x1, _ = row.box(amount.start, amount.end)
                for kind, (cx0, cx1) in columns.items():
                    if x0 < cx1 + row.height and cx0 - row.height < x1:
                        target = {"excl": found.excl, "vat": found.vat, "incl": found.incl}[kind]
                        target.append(Candidate(amount.value, W.SUMMARY_ROW, "vat table total row",
                                                Span(row, amount.start, amount.end)))
                        break
            break


def _top(candidates: list[Candidate[Decimal]]) -> list[Candidate[Decimal] | None]:
    """The best candidate per distinct value, best first, and ``None`` (the total may be missing)."""
    best: dict[Decimal, Candidate[Decimal]] = {}
    for c in candidates:
        if c.value not in best or c.score > best[c.value].score:
            best[c.value] = c
    ranked = sorted(best.values(), key=lambda c: -c.score)[:W.TOTALS_PER_FIELD]
    return [*ranked, None]


def _adds_up(incl: Candidate[Decimal] | None, excl: Candidate[Decimal] | None, vat: Candidate[Decimal] | None) -> bool:
    return (incl is not None and excl is not None and vat is not None
            and abs(excl.value + vat.value - incl.value) <= W.TOLERANCE)


def _choose(reading: Reading, found: TotalCandidates, vat_lines: list[VatLine]) -> None:
    """The combination of totals that scores best, adding up where it can; the missing one computed."""
    exact_lines = [v for v in vat_lines if is_exact(v)]
    if exact_lines:
        # The VAT lines' sums are candidates too (computed: no one place on the page).
        vat_sum = sum((v.amount for v in exact_lines), Decimal("0"))
        base_sum = sum((v.base for v in exact_lines), Decimal("0"))
        found.vat.append(Candidate(to_money(vat_sum), W.VAT_LINES_SUM, "sum of vat lines"))
        found.excl.append(Candidate(to_money(base_sum), W.VAT_LINES_BASE_SUM, "sum of vat line bases"))

    best_combo: tuple[float, Candidate[Decimal] | None, Candidate[Decimal] | None, Candidate[Decimal] | None] | None
    best_combo = None
    for i, e, v in product(_top(found.incl), _top(found.excl), _top(found.vat)):
        score = sum(c.score for c in (i, e, v) if c is not None)
        if _adds_up(i, e, v):
            score += W.TOTALS_ADD_UP
        elif i is not None and e is not None and v is None and e.value == i.value and not found.charged:
            score += W.TOTALS_NO_VAT  # no VAT on the document (receipts, exempt): excl equals incl
        elif i is not None and e is not None and (abs(i.value) < abs(e.value)):
            score -= W.TOTALS_INCL_BELOW_EXCL
        if best_combo is None or score > best_combo[0]:
            best_combo = (score, i, e, v)
    if best_combo is None:
        return
    _, i, e, v = best_combo
    consistent = _adds_up(i, e, v)
    bonus = W.TOTALS_ADD_UP_CONFIDENCE if consistent else 0.0
    for name, chosen in (("total_incl_vat", i), ("total_excl_vat", e), ("vat_total", v)):
        if chosen is not None:
            confidence = min(W.TOTAL_CONFIDENCE_CAP,
                             W.TOTAL_CONFIDENCE_BASE + W.TOTAL_CONFIDENCE_PER_SCORE * chosen.score + bonus)
            reading.put(name, Candidate(chosen.value, confidence, chosen.rule, chosen.span))
    if i is not None and e is not None and v is None and i.value != e.value:
        reading.put("vat_total", Candidate(to_money(i.value - e.value), W.TOTAL_COMPUTED, "incl minus excl"))
    elif (i is not None and e is not None and v is None and i.value == e.value
          and vat_lines and all(line.amount == 0 for line in vat_lines)):
        # Verlegd or 0 %: the page names the VAT and there is none to pay, so the VAT total is 0,00.
        reading.put("vat_total", Candidate("0.00", W.VAT_TOTAL_ZERO, "reverse charge or 0 %"))
    elif (i is not None and e is not None and v is None and i.value == e.value != 0 and not vat_lines
          and not found.charged and i.span is not None and e.span is not None and i.span != e.span):
        # A total excl. VAT and a total incl. VAT printed apart, and equal: no VAT was charged (0 %, exempt),
        # whatever the VAT line says (a scan may have lost it). ``complete_vat_lines`` then makes the 0 % line.
        reading.put("vat_total", Candidate("0.00", W.VAT_TOTAL_ZERO, "total excl equals total incl"))
    elif i is not None and e is None and v is None and vat_lines and all(line.amount == 0 for line in vat_lines):
        # Only a total, and the page says the VAT is reverse-charged or 0 %: no VAT, so the total is the net.
        reading.put("total_excl_vat", Candidate(i.value, W.TOTAL_COMPUTED, "total without vat"))
        reading.put("vat_total", Candidate("0.00", W.VAT_TOTAL_ZERO, "reverse charge or 0 %"))
    elif i is None and e is not None and v is not None:
        reading.put("total_incl_vat", Candidate(to_money(e.value + v.value), W.TOTAL_COMPUTED, "excl plus vat"))
    elif i is not None and e is None and v is not None:
        reading.put("total_excl_vat", Candidate(to_money(i.value - v.value), W.TOTAL_COMPUTED, "incl minus vat"))
    if i is not None and e is not None and v is not None and not consistent:
        reading.warnings.append("totals_mismatch")
