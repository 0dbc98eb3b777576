"""The one Dutch-aware field extractor every visual engine shares: positioned words in, ``Recognition`` out.

How it reads a page
- Words become lines in reading order (``layout``). Every label (``labels``) and every value (amounts,
  dates, ids) found on a line is a candidate; a value belongs to the nearest label before it on its line,
  or to a label right above it (column headers).
- Parties: a block under a buyer heading ("Factuur aan", "Bill to", "Rechnungsempfänger") is the buyer's;
  ids on a line that says "uw"/"your"/"Ihre" are the buyer's; everything else (letterhead, footer,
  sender block) is the supplier's. Company names come from legal forms (B.V., GmbH, Ltd, SDN BHD) and
  the letterhead.
- Totals: the combination of total incl., total excl. and VAT whose arithmetic adds up wins; a missing
  one is computed from the other two; totals that cannot be reconciled are kept with a warning.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction.ids import IdMatch, find_ibans, find_kvk, find_vat_ids
from boekstuk.domain.extraction.layout import WIDE_GAP, Line, build_lines, make_line
from boekstuk.domain.extraction.parse import AmountMatch, find_amounts, find_broken_dates, find_dates
from boekstuk.domain.money import to_money
from boekstuk.domain.recognition import (
    Buyer,
    Engine,
    LineItem,
    PageWords,
    RecognisedFields,
    Recognition,
    VatLine,
    Word,
)

TOLERANCE = Decimal("0.02")
_RATE_RE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")
_INVOICE_NO_VALUE = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9/_.\-#]*")


@dataclass(slots=True)
class Found:
    """A chosen value with where it came from and how sure we are."""

    value: str
    confidence: float
    source: str


@dataclass(slots=True)
class Region:
    """A rectangle on one page (a party's address block)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, line: Line, start: int, end: int) -> bool:
        x0, y0, x1, y1 = line.box(start, end)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return line.page == self.page and self.x0 <= cx <= self.x1 and self.y0 <= cy <= self.y1


@dataclass(slots=True)
class AmountCandidate:
    value: Decimal
    score: float
    line: Line
    start: int
    end: int


def extract_fields(pages: list[PageWords], *, engine: str) -> Recognition:
    """Read the key fields, VAT lines, line items and parties from positioned words of one document."""
    lines = build_lines(pages)
    return _Extractor(lines, pages).run(_engine(engine))


def warm_up() -> None:
    """Load what the extractor loads lazily (python-stdnum's per-country VAT modules, schwifty's bank registry,
    the label patterns) by reading one small made-up invoice. Call once per long-lived process, as the OCR
    models are loaded once: otherwise the first document of a process pays for it (about 10 ms)."""
    from stdnum.eu import vat as eu_vat

    for country in sorted(eu_vat.MEMBER_STATES):
        eu_vat.is_valid(f"{country}000000000")  # imports that country's module; the answer does not matter
    lines = ["Voorbeeld B.V.", "Factuurnummer: 2024-001", "Factuurdatum: 1 maart 2024", "BTW-id: NL810433941B01",
             "KvK: 24330087", "IBAN: NL91 ABNA 0417 1643 00", "Totaal excl. BTW  € 100,00", "BTW 21%  € 21,00",
             "Totaal incl. BTW  € 121,00"]
    words = [Word(text=token, x0=10.0 + 40 * i, y0=20.0 * row, x1=45.0 + 40 * i, y1=20.0 * row + 10)
             for row, text in enumerate(lines, start=1) for i, token in enumerate(text.split())]
    extract_fields([PageWords(page=1, width=595, height=842, words=words)], engine="pdf_text")


def _engine(engine: str) -> Engine:
    if engine in ("ubl", "cii", "pdf_text", "local", "textract"):
        return engine  # type: ignore[return-value]
    raise ValueError(f"unknown engine {engine!r}")


class _Extractor:
    def __init__(self, lines: list[Line], pages: list[PageWords]) -> None:
        self.lines = lines
        self.pages = pages
        self.warnings: list[str] = []
        self.fields: dict[str, Found] = {}
        self.buyer_regions: list[Region] = []
        self.supplier_regions: list[Region] = []
        self.all_text = "\n".join(line.text for line in lines)
        self._label_cache: dict[tuple[int, tuple[str, ...]], list[tuple[str, float, float]] | None] = {}

    # --- driver ----------------------------------------------------------------------------------------

    def run(self, engine: Engine) -> Recognition:
        self._find_regions()
        buyer = self._ids()
        self._invoice_number()
        self._dates()
        vat_lines = self._totals()
        kind = self._document_kind()
        self._currency()
        self._supplier_name()
        buyer_name = self._buyer_name()
        if buyer_name:
            buyer.name = buyer_name
        items = self._line_items()
        values = {name: found.value for name, found in self.fields.items()}
        fields = RecognisedFields.model_validate(values)
        return Recognition(
            engine=engine,
            document_kind=kind,
            fields=fields,
            vat_lines=vat_lines,
            line_items=items,
            confidence={name: round(found.confidence, 3) for name, found in self.fields.items()},
            source={name: found.source for name, found in self.fields.items() if found.source},
            buyer=buyer if (buyer.name or buyer.vat_id or buyer.kvk) else None,
            pages=max((p.page for p in self.pages), default=1),
            warnings=self.warnings,
        )

    def _set(self, name: str, value: str, confidence: float, line: Line | None, start: int = 0, end: int = 0) -> None:
        source = line.source(start, end or len(line.text)) if line is not None else ""
        if line is not None:
            confidence *= max(0.5, line.confidence(start, end or len(line.text)))
        self.fields[name] = Found(value, max(0.0, min(1.0, confidence)), source)

    # --- parties' regions ------------------------------------------------------------------------------

    def _find_regions(self) -> None:
        for line in self.lines:
            for pattern, target in ((L.BUYER_HEADING, self.buyer_regions), (L.SUPPLIER_HEADING, self.supplier_regions)):
                match = pattern.search(line.text)
                if not match or not _looks_like_heading(line, match):
                    continue
                target.append(self._block_below(line, match.start(), match.end()))

    def _block_below(self, line: Line, start: int, end: int) -> Region:
        """The address block that starts at a heading: its own cell plus the lines stacked under it."""
        cell_start, cell_end = _cell(line.text, start)
        x0, y0, x1, y1 = line.box(cell_start, cell_end)
        height = line.height
        width = max(x1 - x0, line.page_width * 0.25)
        last_bottom = y1
        bottom = y1
        right = x0 + width
        for other in self.lines[line.index + 1: line.index + 12]:
            if other.page != line.page or other.y0 - last_bottom > 2.2 * height:
                break
            words = [w for w in other.words if w.x1 > x0 - height and w.x0 < x0 + width]
            if not words:
                continue
            last_bottom = max(w.y1 for w in words)
            bottom = last_bottom
            if words[-1].text.endswith(":"):
                # "Name:   MUSTER-KUNDE GMBH": a label column; its values in the next cell belong to the block.
                after = [w for w in other.words if w.x0 >= words[-1].x1]
                if after:
                    right = max(right, after[0].x1, *(w.x1 for w in _same_cell(after)))
        return Region(line.page, x0 - height, y0 - 0.5 * height, right + height, bottom + 0.5 * height)

    def _is_buyer_side(self, line: Line, start: int, end: int) -> bool:
        if any(region.holds(line, start, end) for region in self.buyer_regions):
            return not any(region.holds(line, start, end) for region in self.supplier_regions)
        # The id's own label decides: the text before it in its cell ("Uw BTW-nummer: NL..."), or, when the id
        # starts its cell, the cell before it (a label column). Not blindly the characters before it: two
        # parties' ids often share a printed line ("Uw BTW-nummer: NL...   BTW-id: NL...").
        cells = _cells(line.text)
        index = next((i for i, (s, e) in enumerate(cells) if s <= start < e + len(WIDE_GAP)), 0)
        cell_start = cells[index][0]
        label = line.text[max(cell_start, start - 40): start]
        previous = line.text[cells[index - 1][0]: cells[index - 1][1]] if index > 0 else ""
        if not label.strip(" :") and not re.search(r"\d", previous):  # a label column holds no values itself
            label = previous[-40:]
        return bool(L.BUYER_HINT.search(label) and not L.SUPPLIER_HEADING.search(label))

    # --- identifiers -----------------------------------------------------------------------------------

    def _ids(self) -> Buyer:
        buyer = Buyer()
        supplier_vat: list[tuple[float, str, Line, int, int]] = []
        supplier_iban: list[tuple[float, str, Line, int, int]] = []
        supplier_kvk: list[tuple[float, str, Line, int, int]] = []
        for line in self.lines:
            ibans = find_ibans(line.text)
            for match in ibans:
                if self._is_buyer_side(line, match.start, match.end) or _debit_context(line.text, match.start):
                    continue
                supplier_iban.append((0.97, match.value, line, match.start, match.end))
            for match in find_vat_ids(line.text):
                if any(i.start <= match.start < i.end for i in ibans):
                    continue  # the letters and digits of an IBAN can look like a VAT id
                confidence = self._vat_confidence(line, match)
                if confidence is None:
                    continue
                if self._is_buyer_side(line, match.start, match.end):
                    buyer.vat_id = buyer.vat_id or match.value
                else:
                    supplier_vat.append((confidence, match.value, line, match.start, match.end))
            for match in find_kvk(line.text):
                if self._is_buyer_side(line, match.start, match.end):
                    buyer.kvk = buyer.kvk or match.value
                else:
                    supplier_kvk.append((0.9, match.value, line, match.start, match.end))
        for name, candidates in (("supplier_vat_id", supplier_vat), ("supplier_iban", supplier_iban),
                                 ("supplier_kvk", supplier_kvk)):
            own = [c for c in candidates if c[1] not in (buyer.vat_id, buyer.kvk)]
            if own:
                # The most frequent value wins (letterhead and footer repeat it); then the most certain.
                counts = Counter(c[1] for c in own)
                best = max(own, key=lambda c: (counts[c[1]], c[0]))
                self._set(name, best[1], best[0], best[2], best[3], best[4])
        if supplier_vat and buyer.vat_id is None:
            # With no buyer block found, the second distinct VAT id on the page is probably the buyer's.
            distinct = list(dict.fromkeys(c[1] for c in supplier_vat))
            if len(distinct) > 1 and "supplier_vat_id" in self.fields:
                buyer.vat_id = next(v for v in distinct if v != self.fields["supplier_vat_id"].value)
        return buyer

    def _vat_confidence(self, line: Line, match: IdMatch) -> float | None:
        before = line.text[max(0, match.start - 30): match.start]
        labelled = bool(L.VAT.search(before) or re.search(r"id|nr|nummer|number|no\b|n°", before, re.IGNORECASE))
        if match.valid:
            return 0.98 if labelled else 0.9
        # Right shape but wrong check digits: only next to an explicit VAT label, and flagged.
        if labelled and L.VAT.search(before):
            if "vat_id_check_digits" not in self.warnings:
                self.warnings.append("vat_id_check_digits")
            return 0.35
        return None

    # --- invoice number ---------------------------------------------------------------------------------

    def _invoice_number(self) -> None:
        best: tuple[float, str, Line, int, int] | None = None
        for line in self.lines:
            for match in L.INVOICE_NUMBER.finditer(line.text):
                for score, value, target, start, end in self._number_after(line, match.end(), 0.95):
                    if best is None or score > best[0]:
                        best = (score, value, target, start, end)
                    break
            if best is None or best[0] < 0.7:
                title = L.TITLE_NUMBER.match(line.text.strip())
                if title and line.rel_top < 0.4 and line.page == 1:
                    offset = line.text.index(line.text.strip())
                    for score, value, target, start, end in self._number_after(line, offset + title.end(), 0.7):
                        if best is None or score > best[0]:
                            best = (score, value, target, start, end)
                        break
        if best is None:
            best = self._number_under_title()
        if best:
            self._set("invoice_number", best[1], best[0], best[2], best[3], best[4])

    def _number_under_title(self) -> tuple[float, str, Line, int, int] | None:
        """``INVOICE`` as a heading with ``# 1042`` right under it (a common template): the number sign labels it."""
        for line in self.lines:
            if line.page != 1 or line.rel_top > 0.4:
                continue
            for start, end in _cells(line.text):
                # OCR may split the title ("INV OICE").
                if not L.TITLE_NUMBER.fullmatch(re.sub(r"\s", "", line.text[start:end])):
                    continue
                below = self._cell_below(line, end - 1)
                sign = re.match(r"\s*(?:#|no\.?|nr\.?)\s*", below.text, re.IGNORECASE) if below else None
                if below is None or sign is None:
                    continue
                value = _number_token(below.text[sign.end():])
                if value is not None:
                    first = sign.end() + value[1]
                    return 0.75, value[0], below, first, first + len(value[0])
        return None

    def _number_after(self, line: Line, offset: int, score: float) -> list[tuple[float, str, Line, int, int]]:
        """Invoice-number-like tokens after a label: same line first, then in the cell below the label."""
        results: list[tuple[float, str, Line, int, int]] = []
        rest = line.text[offset:]
        value = _number_token(rest)
        if value is not None:
            start = offset + value[1]
            results.append((score, value[0], line, start, start + len(value[0])))
            return results
        below = self._cell_below(line, offset - 1)
        if below is not None:
            value = _number_token(below.text)
            if value is not None:
                results.append((score - 0.05, value[0], below, value[1], value[1] + len(value[0])))
        return results

    def _cell_below(self, line: Line, offset: int) -> Line | None:
        """The words right under the label ending at ``offset`` (a column header), as their own line."""
        label_start, _ = _cell(line.text, max(0, offset))
        x0, _, x1, _ = line.box(label_start, offset + 1)
        for other in self.lines[line.index + 1: line.index + 4]:
            if other.page != line.page or other.y0 - line.y1 > 3 * line.height:
                break
            words = [w for w in other.words if w.x1 > x0 - 2 and w.x0 < x1 + 2 * line.height]
            if words:
                return make_line(self.pages[other.page - 1], words) if self.pages else None
        return None

    # --- dates ------------------------------------------------------------------------------------------

    def _dates(self) -> None:
        invoice: list[tuple[float, dt.date, Line, int, int]] = []
        due: list[tuple[float, dt.date, Line, int, int]] = []
        unlabelled: list[tuple[float, dt.date, Line, int, int]] = []
        # Day-first unless the document's own unambiguous dates (13/02 vs 02/13) say month-first.
        pairs = re.findall(r"(?<![\d.,])(\d{1,2})[-./](\d{1,2})[-./]\d{2,4}", self.all_text)
        month_first_votes = sum(1 for a, b in pairs if int(a) <= 12 < int(b) <= 31)
        day_first_votes = sum(1 for a, b in pairs if int(b) <= 12 < int(a) <= 31)
        month_first = month_first_votes > day_first_votes
        for line in self.lines:
            label_hits = _label_hits(line.text, (("invoice", L.INVOICE_DATE), ("due", L.DUE_DATE),
                                                 ("other", L.OTHER_DATE), ("invoice", L.INVOICE_NUMBER)))
            for date in find_dates(line.text, month_first=month_first):
                kind = _nearest_label(label_hits, date.start, line.text)
                if kind is None:
                    above = self._label_above(line, date.start, date.end,
                                              (("invoice", L.INVOICE_DATE), ("due", L.DUE_DATE), ("other", L.OTHER_DATE)))
                    kind = above
                    score = 0.85
                else:
                    score = 0.95
                entry = (score, date.value, line, date.start, date.end)
                if kind == "due":
                    due.append(entry)
                elif kind == "invoice":
                    invoice.append(entry)
                elif kind is None:
                    unlabelled.append((0.6 - 0.2 * line.rel_top, date.value, line, date.start, date.end))
        if not invoice and not unlabelled and not due:
            # No readable date at all: accept a date that lost one separator to OCR, as a weak guess.
            for line in self.lines:
                for date in find_broken_dates(line.text, month_first=month_first):
                    unlabelled.append((0.4, date.value, line, date.start, date.end))
        if invoice:
            best = max(invoice, key=lambda e: (e[0], -e[2].index))
            self._set("invoice_date", best[1].isoformat(), best[0], best[2], best[3], best[4])
        elif unlabelled:
            first_page = [e for e in unlabelled if e[2].page == 1] or unlabelled
            best = max(first_page, key=lambda e: (e[0], -e[2].index))
            self._set("invoice_date", best[1].isoformat(), best[0], best[2], best[3], best[4])
        invoice_date = dt.date.fromisoformat(self.fields["invoice_date"].value) if "invoice_date" in self.fields else None
        due = [e for e in due if invoice_date is None or e[1] >= invoice_date]
        if due:
            best = max(due, key=lambda e: (e[0], -e[2].index))
            self._set("due_date", best[1].isoformat(), best[0], best[2], best[3], best[4])
        elif invoice_date is not None:
            for line in self.lines:
                term = L.PAYMENT_TERM.search(line.text)
                if term and 0 < int(term.group(1)) <= 120:
                    days = int(term.group(1))
                    self._set("due_date", (invoice_date + dt.timedelta(days=days)).isoformat(), 0.6, line,
                              term.start(), term.end())
                    break

    def _label_above(self, line: Line, start: int, end: int,
                     kinds: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
        """The kind of label printed right above a value (tables with a header row)."""
        x0, _, x1, _ = line.box(start, end)
        for other in reversed(self.lines[max(0, line.index - 6): line.index]):
            if other.page != line.page or line.y0 - other.y1 > 6 * line.height:
                break
            labels = self._label_boxes(other, kinds)
            if labels is None:
                return None  # amounts under a product table's header are line amounts, never totals
            for kind, lx0, lx1 in labels:
                if lx0 - line.height < x1 and x0 < lx1 + line.height:
                    return kind
        return None

    def _label_boxes(self, line: Line, kinds: tuple[tuple[str, re.Pattern[str]], ...]
                     ) -> list[tuple[str, float, float]] | None:
        """A line's labels of ``kinds`` with their x extent, in ``kinds`` order; None for an item-table header.

        Memoised: every amount on the page asks about the same few lines above it.
        """
        key = (line.index, tuple(kind for kind, _ in kinds))  # each kind name stands for one pattern
        if key not in self._label_cache:
            found: list[tuple[str, float, float]] | None = None
            if not _is_item_header(line.text):
                found = []
                for kind, pattern in kinds:
                    for match in pattern.finditer(line.text):
                        lx0, _, lx1, _ = line.box(match.start(), match.end())
                        found.append((kind, lx0, lx1))
            self._label_cache[key] = found
        return self._label_cache[key]

    # --- totals and VAT ---------------------------------------------------------------------------------

    def _totals(self) -> list[VatLine]:
        incl: list[AmountCandidate] = []
        excl: list[AmountCandidate] = []
        vat: list[AmountCandidate] = []
        rate_lines: list[tuple[Decimal, tuple[AmountMatch, ...], Line, bool]] = []
        paid: list[AmountCandidate] = []
        change: list[AmountCandidate] = []
        kinds = (("not", L.NOT_TOTAL), ("vat_total", L.VAT_TOTAL), ("excl", L.TOTAL_EXCL),
                 ("incl_strong", L.TOTAL_INCL_STRONG), ("incl", L.TOTAL_INCL_WEAK), ("vat", L.VAT),
                 ("reverse", L.REVERSE_CHARGE))
        for line in self.lines:
            amounts = find_amounts(line.text)
            rates = list(_RATE_RE.finditer(line.text))
            amounts = tuple(a for a in amounts if not any(r.start() <= a.start < r.end() for r in rates))
            if not amounts:
                continue
            hits = _label_hits(line.text, kinds)
            low = 1.0 - 0.1 * (1 - line.rel_top)  # totals sit low on the page
            for amount in amounts:
                kind = _nearest_label(hits, amount.start, line.text)
                from_above = False
                if kind is None:
                    kind = self._label_above(line, amount.start, amount.end, kinds)
                    from_above = True
                candidate = AmountCandidate(amount.value, 0.0, line, amount.start, amount.end)
                penalty = 0.1 if from_above else 0.0
                if kind == "incl_strong":
                    candidate.score = 1.0 * low - penalty
                    incl.append(candidate)
                elif kind == "incl":
                    candidate.score = 0.7 * low - penalty
                    incl.append(candidate)
                elif kind == "excl":
                    candidate.score = 0.9 - penalty
                    excl.append(candidate)
                elif kind == "vat_total":
                    candidate.score = 0.95 - penalty
                    vat.append(candidate)
                elif kind == "vat" and not rates:
                    candidate.score = 0.7 - penalty
                    vat.append(candidate)
                elif kind == "not" and not from_above:
                    label = line.text[:amount.start]
                    if L.CHANGE.search(label):
                        change.append(candidate)
                    elif L.PAID.search(label):
                        paid.append(candidate)
            has_vat_word = bool(L.VAT.search(line.text) or L.REVERSE_CHARGE.search(line.text))
            for rate in rates:
                value = Decimal(rate.group(1).replace(",", "."))
                if value <= 30:
                    rate_lines.append((value, amounts, line, has_vat_word))
        self._summary_row(incl, excl, vat)
        if not incl and paid:
            # A receipt whose total line OCR lost (or that prints none) still shows what was paid and the
            # change given back: total = paid - change. Only a fallback, so it ranks below any labelled total.
            returned = change[0].value if change and 0 <= change[0].value <= paid[0].value else Decimal("0")
            incl.append(AmountCandidate(to_money(paid[0].value - returned), 0.5, paid[0].line, 0, 0))
        vat_lines = self._vat_lines(rate_lines, vat)
        self._choose_totals(incl, excl, vat, vat_lines)
        self._complete_vat_lines(vat_lines)
        return vat_lines

    def _summary_row(self, incl: list[AmountCandidate], excl: list[AmountCandidate],
                     vat: list[AmountCandidate]) -> None:
        """The total row of a VAT specification table: ``Totaal 289,23 51,67 340,90`` under ``Excl. BTW Incl.``.

        Till receipts and hotel bills print their totals this way; the one label on the row ("Totaal") says
        nothing about which column is which, the header above does.
        """
        for header in self.lines:
            columns: dict[str, tuple[float, float]] = {}
            for start, end in _cells(header.text):
                cell = header.text[start:end].replace(" ", "").lower()  # OCR splits short headers ("BT W")
                kind = next((k for k, pattern in _SUMMARY_COLUMNS if pattern.fullmatch(cell)), None)
                if kind:  # the last one wins: "BTW %  Excl.  BTW  Incl." opens with the rate column
                    x0, _, x1, _ = header.box(start, end)
                    columns[kind] = (x0, x1)
            if len(columns) < 3:
                continue
            for row in self.lines[header.index + 1: header.index + 8]:
                if row.page != header.page or not L.TOTAL_INCL_WEAK.match(row.text.strip()):
                    continue
                for amount in find_amounts(row.text):
                    x0, _, x1, _ = row.box(amount.start, amount.end)
                    for kind, (cx0, cx1) in columns.items():
                        if x0 < cx1 + row.height and cx0 - row.height < x1:
                            target = {"excl": excl, "vat": vat, "incl": incl}[kind]
                            target.append(AmountCandidate(amount.value, 1.0, row, amount.start, amount.end))
                            break
                break

    def _vat_lines(self, rate_lines: list[tuple[Decimal, tuple[AmountMatch, ...], Line, bool]],
                   vat: list[AmountCandidate]) -> list[VatLine]:
        """VAT per rate: a rate with a base and an amount whose product agrees (or a labelled VAT amount)."""
        found: dict[tuple[str, bool], VatLine] = {}
        for rate, amounts, line, has_vat_word in rate_lines:
            reverse = bool(L.REVERSE_CHARGE.search(line.text))
            values = [a.value for a in amounts]
            pair = _base_and_amount(rate, values)
            rate_text = _rate_text(rate)
            if pair is not None and (has_vat_word or self._in_vat_table(line)):
                base, amount = pair
                found.setdefault((rate_text, reverse), VatLine(rate=rate_text, base=base, amount=amount,
                                                               reverse_charge=reverse))
            elif has_vat_word and len(values) == 1 and rate > 0 and not self._is_item_line(line):
                # "BTW 21%   € 124,61": the amount only; the base is filled from the totals later.
                key = (rate_text, reverse)
                if key not in found:
                    amount = values[0]
                    found[key] = VatLine(rate=rate_text, base=to_money(amount * 100 / rate), amount=amount)
                    found[key].category = "estimated_base"
                    vat.append(AmountCandidate(amount, 0.85, line, amounts[0].start, amounts[0].end))
        for line in self.lines:
            if L.REVERSE_CHARGE.search(line.text) and not any(v.reverse_charge for v in found.values()):
                found[("0", True)] = VatLine(rate="0", base=Decimal("0"), amount=Decimal("0"), reverse_charge=True,
                                             category="estimated_base")
                break
        return list(found.values())

    def _in_vat_table(self, line: Line) -> bool:
        return self._label_above(line, 0, len(line.text), (("vat", L.VAT),)) == "vat"

    def _is_item_line(self, line: Line) -> bool:
        """Product lines also show a rate; they carry a description and no VAT wording of their own."""
        return not L.VAT.search(line.text) and len(re.findall(r"[A-Za-z]{3,}", line.text)) >= 2

    def _choose_totals(self, incl: list[AmountCandidate], excl: list[AmountCandidate], vat: list[AmountCandidate],
                       vat_lines: list[VatLine]) -> None:
        exact_lines = [v for v in vat_lines if v.category != "estimated_base"]
        if exact_lines:
            # The VAT lines' sums are candidates too (end == 0 marks "computed, no location on the page").
            vat_sum = sum((v.amount for v in exact_lines), Decimal("0"))
            base_sum = sum((v.base for v in exact_lines), Decimal("0"))
            vat.append(AmountCandidate(to_money(vat_sum), 0.9, self.lines[0], 0, 0))
            excl.append(AmountCandidate(to_money(base_sum), 0.6, self.lines[0], 0, 0))

        def top(cands: list[AmountCandidate]) -> list[AmountCandidate | None]:
            best: dict[Decimal, AmountCandidate] = {}
            for c in cands:
                if c.value not in best or c.score > best[c.value].score:
                    best[c.value] = c
            ranked = sorted(best.values(), key=lambda c: -c.score)[:8]
            return [*ranked, None]

        best_combo: tuple[float, AmountCandidate | None, AmountCandidate | None, AmountCandidate | None] | None = None
        for i, e, v in product(top(incl), top(excl), top(vat)):
            score = sum(c.score for c in (i, e, v) if c is not None)
            consistent = i is not None and e is not None and v is not None and abs(e.value + v.value - i.value) <= TOLERANCE
            if consistent:
                score += 3
            elif i is not None and e is not None and v is None and e.value == i.value:
                score += 0.5  # no VAT on the document (receipts, exempt): excl equals incl
            elif i is not None and e is not None and (abs(i.value) < abs(e.value)):
                score -= 2
            if best_combo is None or score > best_combo[0]:
                best_combo = (score, i, e, v)
        if best_combo is None:
            return
        _, i, e, v = best_combo
        consistent = i is not None and e is not None and v is not None and abs(e.value + v.value - i.value) <= TOLERANCE
        bonus = 0.1 if consistent else 0.0
        for name, cand in (("total_incl_vat", i), ("total_excl_vat", e), ("vat_total", v)):
            if cand is not None:
                source_line = cand.line if cand.end else None
                self._set(name, str(cand.value), min(0.99, 0.55 + 0.35 * cand.score + bonus), source_line,
                          cand.start, cand.end)
        if i is not None and e is not None and v is None and i.value != e.value:
            self._set("vat_total", str(to_money(i.value - e.value)), 0.6, None)
        elif (i is not None and e is not None and v is None and i.value == e.value
              and vat_lines and all(line.amount == 0 for line in vat_lines)):
            # Verlegd or 0 %: the page names the VAT and there is none to pay, so the VAT total is 0,00.
            self._set("vat_total", "0.00", 0.7, None)
        elif i is None and e is not None and v is not None:
            self._set("total_incl_vat", str(to_money(e.value + v.value)), 0.6, None)
        elif i is not None and e is None and v is not None:
            self._set("total_excl_vat", str(to_money(i.value - v.value)), 0.6, None)
        if i is not None and e is not None and v is not None and not consistent:
            self.warnings.append("totals_mismatch")

    def _complete_vat_lines(self, vat_lines: list[VatLine]) -> None:
        """Give single-rate VAT lines printed without base the document's total excl. VAT as base."""
        estimated = [v for v in vat_lines if v.category == "estimated_base"]
        excl = self.fields.get("total_excl_vat")
        for line in estimated:
            if excl is not None and len(vat_lines) == 1:
                line.base = Decimal(excl.value)
            line.category = None
        if not vat_lines and excl is not None and "vat_total" in self.fields:
            base, amount = Decimal(excl.value), Decimal(self.fields["vat_total"].value)
            if base and amount >= 0:
                # No VAT line printed: infer the rate when the totals match a common one exactly.
                for known in (Decimal(21), Decimal(9), Decimal(6), Decimal(0), Decimal(19), Decimal(7), Decimal(20),
                              Decimal("5.5"), Decimal(10)):
                    if abs(to_money(base * known / 100) - amount) <= TOLERANCE:
                        vat_lines.append(VatLine(rate=_rate_text(known), base=base, amount=amount))
                        break

    # --- document kind, currency ------------------------------------------------------------------------

    def _document_kind(self) -> str:
        top_text = "\n".join(line.text for line in self.lines if line.page == 1 and line.rel_top < 0.45)
        total = self.fields.get("total_incl_vat")
        if L.CREDIT_NOTE.search(top_text) or (total is not None and Decimal(total.value) < 0):
            return "credit_note"
        page = self.pages[0] if self.pages else None
        narrow = page is not None and page.height > 0 and page.width / page.height < 0.62
        if L.RECEIPT.search(self.all_text) and not (L.INVOICE_WORDS.search(top_text) and not narrow):
            return "receipt"
        if narrow and "due_date" not in self.fields:
            return "receipt"
        return "invoice"

    def _currency(self) -> None:
        counts: Counter[str] = Counter()
        for line in self.lines:
            for amount in find_amounts(line.text):
                if amount.currency:
                    counts[amount.currency] += 1
            for code in re.findall(r"\b(EUR|USD|GBP|CHF|MYR|INR)\b", line.text):
                counts[code] += 1
        if counts:
            self._set("currency", counts.most_common(1)[0][0], 0.9, None)
        elif re.search(r"(?i)\b(?:btw|factuur|totaal|mwst|rechnung|tva|facture)\b", self.all_text):
            self._set("currency", "EUR", 0.7, None)
        elif any(str(self.fields[name].value)[:2] in _EURO_COUNTRIES for name in ("supplier_vat_id", "supplier_iban")
                 if name in self.fields):
            # No currency printed (an English invoice: "Total 1,176.83"): a supplier registered and banking in
            # the euro area bills in euros.
            self._set("currency", "EUR", 0.6, None)

    # --- names --------------------------------------------------------------------------------------------

    def _supplier_name(self) -> None:
        candidates: list[tuple[float, str, Line, int, int]] = []
        first_page = [line for line in self.lines if line.page == 1]
        vat = self.fields.get("supplier_vat_id")
        for line in self.lines:
            for cell_start, cell_end in _cells(line.text):
                cell = line.text[cell_start:cell_end]
                if self._is_buyer_side(line, cell_start, cell_end):
                    continue
                forms = list(L.LEGAL_FORM.finditer(cell))
                if not forms:
                    continue
                form = forms[-1]  # the name runs up to the last legal form ("Holding B.V. & Co. KG")
                name_start = _name_start(cell, form.start())
                name = _clean_name(cell[name_start: form.end()])
                if len(re.sub(r"[^A-Za-z]", "", name)) < 3 or len(name) > 70:
                    continue
                score = 0.75
                if line.page == 1 and line.rel_top < 0.25:
                    score += 0.1
                if line.rel_top > 0.8:
                    score += 0.02
                if any(r.holds(line, cell_start, cell_end) for r in self.supplier_regions):
                    score += 0.15
                if vat and vat.source.startswith(f"page {line.page} ") and abs(line.index - _source_line(self, vat)) <= 6:
                    score += 0.05
                candidates.append((score, name, line, cell_start + name_start, cell_start + form.end()))
        for region in self.supplier_regions:
            for line in first_page:
                match = re.search(r"(?i)(?:name|naam|firma|company)\s*:\s*(.+)", line.text)
                if match and region.holds(line, match.start(1), match.end(1)):
                    candidates.append((0.9, _clean_name(match.group(1).split(WIDE_GAP)[0]), line, match.start(1),
                                       match.end(1)))
        if not candidates:
            candidates = self._letterhead_names(first_page)
        if candidates:
            counts = Counter(c[1].lower() for c in candidates)
            best = max(candidates, key=lambda c: (c[0] + 0.03 * min(counts[c[1].lower()], 3), -c[2].index))
            self._set("supplier_name", best[1], best[0], best[2], best[3], best[4])

    def _letterhead_names(self, first_page: list[Line]) -> list[tuple[float, str, Line, int, int]]:
        """Names without a legal form: the letterhead's cells, the sender line above a window address.

        A letterhead name is printed larger than the address under it, is often what the firm's e-mail or
        web domain spells, and is never a street, postcode, phone number or title. The highest plausible cell
        is the fallback when neither signal speaks.
        """
        domains = {m.lower() for m in re.findall(r"(?i)(?:@|www\.)([a-z0-9-]{4,})\.", self.all_text)}
        found: list[tuple[float, str, Line, int, int]] = []
        top = [line for line in first_page if line.rel_top < 0.3][:12]
        tallest = max((line.height for line in top), default=0.0)
        shortest = min((line.height for line in top), default=0.0)
        for rank, line in enumerate(top):
            for cell_start, cell_end in _cells(line.text):
                cell = line.text[cell_start:cell_end]
                # A sender line "Name · Street 1 · 1234 AB Town" (the return address of a window envelope).
                parts = re.split(r"\s[·|•]\s", cell)
                end = cell_end
                if len(parts) > 1 and any(_address_like(part) for part in parts[1:]):
                    cell, end = parts[0], cell_start + len(parts[0])
                name = _clean_name(cell)
                if (self._is_buyer_side(line, cell_start, end) or not _plausible_name(name) or _address_like(name)
                        or any(label.match(name) for label in _FIELD_LABELS)):
                    continue
                score = 0.55 - 0.01 * rank
                # Larger type tips the balance between neighbouring lines only: stamps ("POSTED") are large too.
                if tallest and line.height >= 0.95 * tallest and line.height > 1.15 * shortest:
                    score += 0.02
                if _spells_domain(name, domains):
                    score += 0.15
                if len(parts) > 1:
                    score += 0.05
                found.append((score, name, line, cell_start, end))
        return [max(found, key=lambda c: c[0])] if found else []

    def _buyer_name(self) -> str | None:
        for region in self.buyer_regions:
            for line in self.lines:
                if line.page != region.page or not (region.y0 <= line.y0 <= region.y1):
                    continue
                for start, end in _cells(line.text):
                    if not region.holds(line, start, end):
                        continue
                    text = line.text[start:end]
                    heading = L.BUYER_HEADING.match(text)
                    if heading and _JOINED_HEADING.fullmatch(text[heading.end():].strip()):
                        continue  # "Käufer/Leistungsempfänger": the heading itself, the name is below it
                    if heading and (not text[heading.end():].strip() or text[heading.end():].lstrip().startswith(":")
                                    or heading.group(0).endswith(":")):
                        text = text[heading.end():].lstrip(" :")
                    text = _clean_name(text)
                    if _plausible_name(text):
                        return text
        return None

    # --- line items ---------------------------------------------------------------------------------------

    def _line_items(self) -> list[LineItem]:
        items: list[LineItem] = []
        for header in self.lines:
            if not _is_item_header(header.text):
                continue
            columns = {k: p.search(header.text) for k, p in L.TABLE_HEADER_WORDS.items()}
            present = {k: m for k, m in columns.items() if m}
            incl_prices = bool(re.search(r"(?i)incl", header.text))
            qty_box = header.box(present["quantity"].start(), present["quantity"].end()) if "quantity" in present else None
            for line in self.lines[header.index + 1:]:
                if line.page != header.page:
                    break
                amounts = find_amounts(line.text)
                stop = L.TOTAL_EXCL.search(line.text) or L.TOTAL_INCL_STRONG.search(line.text) or re.match(
                    r"(?i)\s*(?:totaal|total|summe|gesamt|btw|vat|subtotal)", line.text)
                if stop:
                    break
                if not amounts:
                    continue
                description = line.text[: amounts[0].start].split(WIDE_GAP)[0].strip()
                if not re.search(r"[A-Za-z]{2}", description):
                    continue
                rate = _RATE_RE.search(line.text)
                quantity = _quantity(line, qty_box)
                amount = amounts[-1].value
                rate_text = _rate_text(Decimal(rate.group(1).replace(",", "."))) if rate else None
                if incl_prices and rate is not None:
                    amount = to_money(amount * 100 / (100 + Decimal(rate.group(1).replace(",", "."))))
                unit = amounts[0].value if len(amounts) >= 2 else None
                if unit is not None and incl_prices and rate is not None:
                    unit = to_money(unit * 100 / (100 + Decimal(rate.group(1).replace(",", "."))))
                items.append(LineItem(description=description, quantity=quantity, unit_price=unit,
                                      amount_excl_vat=amount, vat_rate=rate_text))
            if items:
                break
        return items


# --- helpers -------------------------------------------------------------------------------------------


def _is_item_header(text: str) -> bool:
    """A product table's header: a description column plus at least two more column titles, no amounts."""
    present = [k for k, p in L.TABLE_HEADER_WORDS.items() if p.search(text)]
    return "description" in present and len(present) >= 3 and not find_amounts(text)


def _cells(text: str) -> list[tuple[int, int]]:
    """The character ranges of a line's cells (parts separated by a wide gap)."""
    cells: list[tuple[int, int]] = []
    start = 0
    while True:
        gap = text.find(WIDE_GAP, start)
        if gap < 0:
            cells.append((start, len(text)))
            return cells
        cells.append((start, gap))
        start = gap + len(WIDE_GAP)
        while start < len(text) and text[start] == " ":
            start += 1


def _cell(text: str, offset: int) -> tuple[int, int]:
    for start, end in _cells(text):
        if start <= offset < end + len(WIDE_GAP):
            return start, end
    return 0, len(text)


_JOINED_HEADING = re.compile(r"[/&]\s*[\wÀ-ÿ.\- ]{2,30}:?")
"""The rest of a heading that names its block twice (``Käufer/Leistungsempfänger``)."""


def _same_cell(words: list[Word]) -> list[Word]:
    """The leading words that stand together (no gap wider than 1.5 line heights, as ``WIDE_GAP`` marks)."""
    group = words[:1]
    for word in words[1:]:
        if word.x0 - group[-1].x1 > 1.5 * max(word.y1 - word.y0, 1.0):
            break
        group.append(word)
    return group


def _looks_like_heading(line: Line, match: re.Match[str]) -> bool:
    """A heading starts its cell (``Factuuradres``, ``Bill to:``), not a sentence mentioning a customer."""
    cell_start, cell_end = _cell(line.text, match.start())
    prefix = line.text[cell_start: match.start()].strip()
    rest = line.text[match.end(): cell_end].strip()
    # "Käufer/Leistungsempfänger", "Bill to / Ship to": two names for the same block are still a heading.
    joined = _JOINED_HEADING.fullmatch(rest) is not None
    return prefix == "" and (rest == "" or rest.startswith(":") or joined or match.group(0).rstrip().endswith(":"))


def _label_hits(text: str, kinds: tuple[tuple[str, re.Pattern[str]], ...]) -> list[tuple[int, int, str]]:
    """All label matches on a line as (start, end, kind); the longest label wins where labels overlap."""
    matches: list[tuple[int, int, str, int]] = []
    for order, (kind, pattern) in enumerate(kinds):
        for match in pattern.finditer(text):
            if match.end() > match.start():
                matches.append((match.start(), match.end(), kind, order))
    matches.sort(key=lambda m: (-(m[1] - m[0]), m[3]))
    hits: list[tuple[int, int, str]] = []
    for start, end, kind, _ in matches:
        if any(s < end and start < e for s, e, _ in hits):
            continue
        hits.append((start, end, kind))
    hits.sort()
    return hits


_STRONG_KINDS = {"excl", "incl_strong", "vat_total", "invoice", "due", "other", "not"}


def _nearest_label(hits: list[tuple[int, int, str]], offset: int, text: str = "") -> str | None:
    """The label a value belongs to: the last one before it, unless a weak word (``BTW`` in
    ``Totaal excl. BTW``) only follows a stronger label in the same cell."""
    # A label may end inside the amount's currency sign ("total (RM)" reads the RM of "TOTAL RM152.00"),
    # never inside its digits (a date label "vom 1" that took a digit of the date is not before it).
    before = [h for h in hits if h[1] <= offset or (h[0] < offset and not re.search(r"\d", text[offset:h[1]]))]
    if not before:
        return None
    last = before[-1]
    if last[2] not in _STRONG_KINDS and text:
        cell_start, _ = _cell(text, last[0])
        for hit in reversed(before[:-1]):
            if hit[0] >= cell_start and hit[2] in _STRONG_KINDS and hit[2] != "not":
                return hit[2]
    return last[2]


def _number_token(text: str) -> tuple[str, int] | None:
    """The first token after a label that looks like an invoice number (has a digit, is not a date)."""
    position = 0
    for _ in range(3):
        match = _INVOICE_NO_VALUE.search(text, position)
        if match is None or match.start() - position > 12:
            return None
        token = match.group(0).rstrip(".-/")
        if re.search(r"\d", token) and not find_dates(token) and len(token) >= 2:
            return token, match.start()
        if L.DOCUMENT_TITLE.fullmatch(token) or token.lower() in {"nr", "no", "nummer", "number", "n°", "de", ":"}:
            position = match.end()
            continue
        # A series prefix printed apart from its digits ("CN 46743", "F 2024-017"): one number.
        series = re.match(r"([A-Z]{1,3}) (\d[\w/\-]*)", text[match.start():])
        if series and token == series.group(1) and not find_dates(series.group(2)):
            return series.group(1) + series.group(2).rstrip(".-/"), match.start()
        return None
    return None


def _debit_context(text: str, offset: int) -> bool:
    """IBANs mentioned for a direct debit ("van uw rekening", "prélevé sur le compte") are the buyer's."""
    return bool(re.search(r"(?i)(?:incasso|afgeschreven|uw rekening|your account|ihr(?:em)? konto|"
                          r"pr[ée]l[eè]v|votre compte|lastschrift)", text[max(0, offset - 60): offset]))


def _base_and_amount(rate: Decimal, values: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    """A (base, VAT amount) pair among the values with base x rate = amount (within rounding)."""
    for base in values:
        for amount in values:
            if base is amount or base == 0 or abs(amount) > abs(base):
                continue
            if abs(to_money(base * rate / 100) - amount) <= TOLERANCE:
                return base, amount
    if rate == 0 and values:
        zero = [v for v in values if v == 0]
        others = [v for v in values if v != 0]
        if zero and others:
            return others[0], Decimal("0.00")
    return None


def _rate_text(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def _quantity(line: Line, qty_box: tuple[float, float, float, float] | None) -> str | None:
    if qty_box is None:
        return None
    x0, _, x1, _ = qty_box
    for word, (start, end) in zip(line.words, line.spans, strict=True):
        if word.x1 > x0 - 15 and word.x0 < x1 + 15 and re.fullmatch(r"\d+(?:[.,]\d+)?", word.text):
            return line.text[start:end].replace(",", ".")
    return None


def _name_start(cell: str, form_start: int) -> int:
    """Where a company name starts before its legal form: after a label colon or copyright sign."""
    head = cell[:form_start]
    cut = max(head.rfind(": "), head.rfind("©"), head.rfind("|"))
    start = cut + 1 if cut >= 0 else 0
    return start


_NAME_NOISE = re.compile(r"(?i)^(?:\W+|copyright|\d{4}\s|name\s*:|naam\s*:|firma\s*:|company\s*:)+")


_TRAILING_REGISTRATION = re.compile(r"\s*\([^()]*\d[^()]*\)\s*$")
"""A company registration number printed after the name ("Best Denki Malaysia (308282-A)") is no part of it."""
_GLUED_SDN_BHD = re.compile(r"(?<=[A-Z])\s?SDN\s?BHD$")
"""OCR that drops spaces glues the Malaysian legal form to the name ("WARAKUYAPERMASCITYSDNBHD")."""


def _clean_name(text: str) -> str:
    text = _NAME_NOISE.sub("", text.strip()).strip(" ,;:-|")
    text = _GLUED_SDN_BHD.sub(" SDN BHD", _TRAILING_REGISTRATION.sub("", text))
    return re.sub(r"\s{2,}", " ", text)


def _plausible_name(text: str) -> bool:
    if len(re.findall(r"[A-Za-zÀ-ÿ]", text)) < 3 or len(text) > 60:
        return False
    if _is_title(text) or re.fullmatch(r"(?i)(?:tax\s*)?invoice|factuur|rechnung", text):
        return False
    if find_dates(text) or find_amounts(text) or find_ibans(text) or find_vat_ids(text):
        return False
    if re.search(r"(?i)\b(?:tel|fax|phone|telefoon|e-?mail|page|pagina|seite|datum|date)\b|www\.|http|@", text):
        return False
    digits = sum(ch.isdigit() for ch in text)
    return digits <= len(text) * 0.3


_STREET = re.compile(
    r"^(?:(?:jalan|jln|lorong|rue|avenue|chemin|via|lot|no\.?)\s.*|"  # the street word first: Jalan Permas 10/10
    r".*?(?:straat|str\.?|weg|laan|plein|dreef|baan|gracht|kade|singel|hof|pad|dijk|markt|steeg|park|plantsoen|"
    r"erf|veld|wal|haven|ring|boulevard|promenade|allee|zijde|oord|stra(?:ß|ss)e|platz|gasse|damm|street|"
    r"\bst\.?|road|\brd\.?|avenue|\bave\.?|lane|drive|way))"  # or last: Sofialaan 913, Main St 1 (not "West 2")
    r"\s?\d{1,5}\s?[A-Za-z]?(?:\s?[-/]\s?\d{1,4}[A-Za-z]?)?$",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?:^|\s)(?:\d{4}\s?[A-Z]{2}|\d{5}|[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2})(?:\s|$)")
_PHONE = re.compile(r"(?:\+\d{2}|\b0\d{1,3})[\s-]?\d{3}[\s-]?\d{2,4}")


_EURO_COUNTRIES = {"AT", "BE", "CY", "DE", "EE", "EL", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT",
                   "NL", "PT", "SI", "SK"}
"""Country prefixes (VAT ids use EL for Greece, IBANs GR) of the euro area."""

_SUMMARY_COLUMNS = (
    ("excl", re.compile(r"(?:excl|exkl|ex|netto|net|basis|grondslag|ht)\.?(?:\s*(?:btw|vat|mwst|tva))?")),
    ("vat", re.compile(r"(?:btw|vat|mwst|ust|tva|tax|gst)(?:\s*(?:bedrag|amount|betrag))?")),
    ("incl", re.compile(r"(?:incl|inkl|inc|brutto|gross|ttc|totaal|total|bedrag)\.?(?:\s*(?:btw|vat|mwst|tva))?")),
)
"""Column headers of a VAT specification table (``BTW %  Excl.  BTW  Incl.``), each a cell of its own."""

_FIELD_LABELS = (L.INVOICE_NUMBER, L.INVOICE_DATE, L.DUE_DATE, L.TOTAL_INCL_STRONG, L.TOTAL_EXCL, L.VAT_TOTAL)


def _address_like(text: str) -> bool:
    """A street with its house number, a postcode with its town, or a phone number: never a firm's name."""
    text = text.strip(" ,.")
    return bool(_STREET.match(text) or _POSTCODE.search(text) or _PHONE.search(text))


def _is_title(text: str) -> bool:
    """A document title, also when OCR split or glued it (``CRED ITNOTA``)."""
    squeezed = re.sub(r"[^\w]", "", text)
    return bool(L.DOCUMENT_TITLE.fullmatch(squeezed) or L.CREDIT_NOTE.fullmatch(squeezed))


def _spells_domain(name: str, domains: set[str]) -> bool:
    """Whether a name is what an e-mail or web domain on the document spells (``Hoeks Bouw`` -> hoeksbouw.nl)."""
    letters = re.sub(r"[^a-z0-9]", "", name.lower())
    if len(letters) < 4:
        return False
    for domain in domains:
        plain = domain.replace("-", "")
        common = len(os.path.commonprefix([letters, plain]))
        if common >= min(len(letters), len(plain), 8):
            return True
    return False


def _source_line(extractor: _Extractor, found: Found) -> int:
    match = re.match(r"page (\d+) \((\d+),(\d+)\)", found.source)
    if not match:
        return -1000
    page, x, y = int(match.group(1)), float(match.group(2)), float(match.group(3))
    for line in extractor.lines:
        if line.page == page and line.y0 - 1 <= y <= line.y1 + 1 and line.x0 - 1 <= x <= line.x1 + 1:
            return line.index
    return -1000
