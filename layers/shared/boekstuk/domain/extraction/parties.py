"""Parties: whose block is whose, and the supplier's and buyer's identifiers (VAT id, IBAN, KvK).

A block under a buyer heading ("Factuur aan", "Bill to", "Rechnungsempfänger") is the buyer's; an id whose
own label says "uw"/"your"/"Ihre" is the buyer's; everything else (letterhead, footer, sender block) is the
supplier's. The names of both parties are read in ``names``.
"""

from __future__ import annotations

import re
from collections import Counter

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.ids import IdMatch, find_ibans, find_kvk, find_vat_ids, kvk_label_cell, kvk_value
from boekstuk.domain.extraction.layout import WIDE_GAP, Line, cell_at, cells, same_cell
from boekstuk.domain.extraction.reading import Reading, Region
from boekstuk.domain.recognition import Buyer

JOINED_HEADING = re.compile(r"[/&]\s*[\wÀ-ÿ.\- ]{2,30}:?")
"""The rest of a heading that names its block twice (``Käufer/Leistungsempfänger``)."""


# --- whose block is whose ------------------------------------------------------------------------------------


_ATTENTION_LINE = re.compile(r"(?i)(?:t\.\s?a\.\s?v|z\.\s?h\.\s?d|attn|attention)\b\.?")
"""For the attention of ("t.a.v. de crediteurenadministratie"): a line in the addressee's block, under its name."""


def find_regions(reading: Reading) -> None:
    """Find the blocks under buyer and supplier headings (``Reading.buyer_regions`` / ``supplier_regions``), and
    the addressee's name over a "t.a.v." line."""
    for line in reading.lines:
        for start, end in cells(line.text):
            if _ATTENTION_LINE.match(line.text, start):
                name = reading.words_above(line, line.box(start, end)[0])
                if name is not None:
                    x0, y0, x1, _ = name.box
                    _, _, cell_x1, y1 = line.box(start, end)
                    height = line.height
                    reading.buyer_regions.append(Region(line.page, x0 - height / 2, y0 - height / 2,
                                                        max(x1, cell_x1) + height / 2, y1 + height / 2))
        for pattern, target in ((L.BUYER_HEADING, reading.buyer_regions),
                                (L.SUPPLIER_HEADING, reading.supplier_regions)):
            for match in pattern.finditer(line.text):  # "Factuuradres   Afleveradres": a block under each
                if looks_like_heading(line, match):
                    target.append(_block_below(reading, line, match.start()))


def looks_like_heading(line: Line, match: re.Match[str]) -> bool:
    """A heading starts its cell (``Factuuradres``, ``Bill to:``), not a sentence mentioning a customer."""
    cell_start, cell_end = cell_at(line.text, match.start())
    prefix = line.text[cell_start: match.start()].strip()
    rest = line.text[match.end(): cell_end].strip()
    # "Käufer/Leistungsempfänger", "Bill to / Ship to": two names for the same block are still a heading.
    joined = JOINED_HEADING.fullmatch(rest) is not None
    return prefix == "" and (rest == "" or rest.startswith(":") or joined or match.group(0).rstrip().endswith(":"))


def _block_below(reading: Reading, line: Line, start: int) -> Region:
    """The address block that starts at a heading: its own cell plus the lines stacked under it."""
    cell_start, cell_end = cell_at(line.text, start)
    x0, y0, x1, y1 = line.box(cell_start, cell_end)
    height = line.height
    width = max(x1 - x0, line.page_width * 0.25)
    last_bottom = y1
    bottom = y1
    right = x0 + width
    for other in reading.lines[line.index + 1: line.index + 12]:
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
                right = max(right, after[0].x1, *(w.x1 for w in same_cell(after)))
    return Region(line.page, x0 - height, y0 - 0.5 * height, right + height, bottom + 0.5 * height)


def is_buyer_side(reading: Reading, line: Line, start: int, end: int) -> bool:
    """Whether characters ``start:end`` of ``line`` belong to the buyer: in its block, or labelled as its own."""
    if any(region.holds(line, start, end) for region in reading.buyer_regions):
        return not any(region.holds(line, start, end) for region in reading.supplier_regions)
    # The id's own label decides: the text before it in its cell ("Uw BTW-nummer: NL..."), or, when the id
    # starts its cell, the cell before it (a label column). Not blindly the characters before it: two
    # parties' ids often share a printed line ("Uw BTW-nummer: NL...   BTW-id: NL...").
    line_cells = cells(line.text)
    index = next((i for i, (s, e) in enumerate(line_cells) if s <= start < e + len(WIDE_GAP)), 0)
    cell_start = line_cells[index].start
    label = line.text[max(cell_start, start - 40): start]
    previous = line.text[line_cells[index - 1].start: line_cells[index - 1].end] if index > 0 else ""
    if not label.strip(" :") and not re.search(r"\d", previous):  # a label column holds no values itself
        label = previous[-40:]
    hinted = L.BUYER_HINT.search(label) or L.BUYER_HINT_GLUED.search(label)
    return bool(hinted and not L.SUPPLIER_HEADING.search(label))


def _debit_context(text: str, offset: int) -> bool:
    """IBANs mentioned for a direct debit ("van uw rekening", "prélevé sur le compte") are the buyer's."""
    return bool(re.search(r"(?i)(?:incasso|afgeschreven|uw rekening|af\s+van\s+rekening|your account|ihr(?:em)? konto|"
                          r"pr[ée]l[eè]v|votre compte|lastschrift)", text[max(0, offset - 60): offset]))


# --- identifiers ---------------------------------------------------------------------------------------------


def read_party_ids(reading: Reading) -> Buyer:
    """Choose the supplier's VAT id, IBAN and KvK number; return the buyer's ids (its name comes later).

    An id the system knows decides by itself: the administration's own is the buyer's wherever it is printed,
    a synced supplier's is the supplier's (and names the supplier, ``Reading.known_supplier``).
    """
    buyer = Buyer()
    supplier_vat: list[Candidate[str]] = []
    supplier_iban: list[Candidate[str]] = []
    supplier_kvk: list[Candidate[str]] = []
    known = reading.known
    for line in reading.lines:
        ibans = find_ibans(line.text) or _wrapped_ibans(reading, line)
        for match in ibans:
            if (known.is_buyer_id(match.value) or is_buyer_side(reading, line, match.start, match.end)
                    or _debit_context(line.text, match.start)):
                buyer.iban = buyer.iban or match.value
                continue
            supplier_iban.append(_known(reading, match, line) or
                                 Candidate(match.value, W.IBAN, "iban", Span(line, match.start, match.end)))
        for match in find_vat_ids(line.text):
            if any(i.start <= match.start < i.end for i in ibans):
                continue  # the letters and digits of an IBAN can look like a VAT id
            vat = _known(reading, match, line) or _vat_candidate(reading, line, match)
            if vat is None:
                continue
            if known.is_buyer_id(match.value) or (vat.rule != "known supplier" and
                                                   is_buyer_side(reading, line, match.start, match.end)):
                buyer.vat_id = buyer.vat_id or match.value
            else:
                supplier_vat.append(vat)
        for match in find_kvk(line.text) or _kvk_under_label(reading, line):
            # The KvK label may name its owner after itself ("KvK afnemer: 87654321"): the match holds it.
            if known.is_buyer_id(match.value) or is_buyer_side(reading, line, match.start, match.end) or (
                    L.BUYER_HINT.search(line.text[match.start: match.end])):
                buyer.kvk = buyer.kvk or match.value
            else:
                supplier_kvk.append(_known(reading, match, line) or
                                    Candidate(match.value, W.KVK, "kvk label", Span(line, match.start, match.end)))
    for name, candidates in (("supplier_vat_id", supplier_vat), ("supplier_iban", supplier_iban),
                             ("supplier_kvk", supplier_kvk)):
        own = [c for c in candidates if c.value not in (buyer.vat_id, buyer.kvk)]
        if own:
            # A known supplier's id first; then the most frequent value (letterhead and footer repeat it); then
            # the most certain.
            counts = Counter(c.value for c in own)
            reading.put(name, max(own, key=lambda c: (c.rule == "known supplier", counts[c.value], c.score)))
    chosen = reading.fields.get("supplier_vat_id")
    if supplier_vat and buyer.vat_id is None and chosen is not None:
        # With no buyer block found, the second distinct VAT id on the page is probably the buyer's.
        distinct = list(dict.fromkeys(c.value for c in supplier_vat))
        if len(distinct) > 1:
            buyer.vat_id = next(v for v in distinct if v != chosen.value)
    return buyer


def _wrapped_ibans(reading: Reading, line: Line) -> list[IdMatch]:
    """An IBAN the line breaks in two ("... op NL52 KNAB 6818" / "1459 44 t.n.v. ..."): the line's end joined with
    the next line's start; the IBAN's check digits confirm the join. The match ends at the line's end."""
    if line.index + 1 >= len(reading.lines):
        return []
    following = reading.lines[line.index + 1]
    if following.page != line.page or not following.text[:1].isdigit():
        return []
    joined = f"{line.text} {following.text[:20]}"
    return [IdMatch(m.value, m.start, len(line.text)) for m in find_ibans(joined)
            if m.start < len(line.text) < m.end]


_KVK_AFTER_VALUE = re.compile(r"(\d{8})\s+(?:KvK|KVK|kvk)(?:[-\s]?nummer)?:?")


def _kvk_under_label(reading: Reading, line: Line) -> list[IdMatch]:
    """A KvK number printed under its label (a column of ids: "KvK" over "26988568"). The match is the label's."""
    found: list[IdMatch] = []
    for start, end in cells(line.text):
        swapped = _KVK_AFTER_VALUE.fullmatch(line.text[start:end])
        if swapped is not None:  # a skewed scan's label and value on one line, the value first ("72772711 KvK")
            found.append(IdMatch(swapped.group(1), start, end))
            continue
        if not kvk_label_cell(line.text[start:end]):
            continue
        below = reading.cell_below(line, end - 1)
        value = kvk_value(below.text) if below is not None else None
        if value is not None:
            found.append(IdMatch(value, start, end))
    return found


def _known(reading: Reading, match: IdMatch, line: Line) -> Candidate[str] | None:
    """A candidate for an id of a synced supplier (that supplier becomes ``Reading.known_supplier``)."""
    supplier = reading.known.supplier_with_id(match.value)
    if supplier is None:
        return None
    reading.known_supplier = reading.known_supplier or supplier
    return Candidate(match.value, W.KNOWN_SUPPLIER_ID, "known supplier", Span(line, match.start, match.end))


def _vat_candidate(reading: Reading, line: Line, match: IdMatch) -> Candidate[str] | None:
    """A VAT id as a candidate: sure with valid check digits, weak (and flagged) with a label only."""
    before = line.text[max(0, match.start - 30): match.start]
    labelled = bool(L.VAT.search(before) or re.search(r"id|nr|nummer|number|no\b|n°", before, re.IGNORECASE))
    span = Span(line, match.start, match.end)
    if match.valid:
        if labelled:
            return Candidate(match.value, W.VAT_ID_LABELLED, "vat id labelled", span)
        return Candidate(match.value, W.VAT_ID_UNLABELLED, "vat id", span)
    # Right shape but wrong check digits: only next to an explicit VAT label, and flagged.
    if labelled and L.VAT.search(before):
        reading.warn_once("vat_id_check_digits")
        return Candidate(match.value, W.VAT_ID_BAD_CHECK_DIGITS, "vat id check digits wrong", span)
    return None
