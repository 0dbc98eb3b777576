"""The parties' names: the supplier's from a legal form (B.V., GmbH, Ltd, SDN BHD) outside the buyer's block,
or from the letterhead; the buyer's from the block under its heading."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.ids import find_ibans, find_kvk, find_vat_ids
from boekstuk.domain.extraction.layout import WIDE_GAP, Line, cells
from boekstuk.domain.extraction.parse import find_amounts, find_dates
from boekstuk.domain.extraction.parties import JOINED_HEADING, is_buyer_side
from boekstuk.domain.extraction.reading import Reading, Region
from boekstuk.domain.extraction.receipts import RECEIPT_MAX_ASPECT

NEAR_VAT_ID_LINES = 6
"""How many lines from the chosen VAT id a name counts as printed beside it (a footer block)."""

_FIELD_LABELS = (L.INVOICE_NUMBER, L.INVOICE_DATE, L.DUE_DATE, L.TOTAL_INCL_STRONG, L.TOTAL_EXCL, L.VAT_TOTAL)


def read_supplier_name(reading: Reading) -> None:
    """Choose the supplier's name."""
    candidates: list[Candidate[str]] = []
    first_page = [line for line in reading.lines if line.page == 1]
    vat = reading.fields.get("supplier_vat_id")
    vat_line = vat.span.line if vat is not None and vat.span is not None else None
    id_lines = {chosen.span.line.index for name in ("supplier_vat_id", "supplier_kvk", "supplier_iban")
                if (chosen := reading.fields.get(name)) is not None and chosen.span is not None}
    letterhead = _letterhead_words(first_page)
    for line in reading.lines:
        for cell_start, cell_end in cells(line.text):
            cell = line.text[cell_start:cell_end]
            if is_buyer_side(reading, line, cell_start, cell_end):
                continue
            forms = list(L.LEGAL_FORM.finditer(cell))
            if not forms:
                continue
            form = forms[-1]  # the name runs up to the last legal form ("Holding B.V. & Co. KG")
            name_start = _name_start(cell, form.start())
            name = clean_name(cell[name_start: form.end()])
            if not cell[name_start: form.start()].strip(" ,"):
                # "Rutten Administratiekantoor" / "B.V.": a narrow column wrapped the legal form onto a line
                # of its own; the name is the cell right above it.
                span_above = reading.words_above(line, line.box(cell_start + form.start(), cell_start + form.end())[0])
                above = span_above.line.text[span_above.start: span_above.end] if span_above is not None else None
                heading = L.BUYER_HEADING.search(above) if above is not None else None
                if above is not None and heading is not None and heading.start() > 0:
                    above = above[: heading.start()]  # a skewed scan ran the name into "Factuur aan" beside it
                if above is not None and not L.LEGAL_FORM.search(above) and _plausible_name(clean_name(above)):
                    name = f"{clean_name(above)} {form.group(0).strip()}"
            if len(re.sub(r"[^A-Za-z]", "", name)) < 3 or len(name) > 70:
                continue
            score = W.NAME_WITH_LEGAL_FORM
            if line.page == 1 and line.rel_top < 0.25:
                score += W.NAME_AT_TOP
            if line.rel_top > 0.8:
                score += W.NAME_IN_FOOTER
            if any(r.holds(line, cell_start, cell_end) for r in reading.supplier_regions):
                score += W.NAME_IN_SUPPLIER_BLOCK
            if vat_line is not None and vat_line.page == line.page and abs(line.index - vat_line.index) <= NEAR_VAT_ID_LINES:
                score += W.NAME_NEAR_VAT_ID
            if line.index in id_lines:
                score += W.NAME_BESIDE_OWN_IDS
            if bare_name(name) in letterhead:
                score += W.NAME_SPELLS_LETTERHEAD
            candidates.append(Candidate(name, score, "legal form",
                                        Span(line, cell_start + name_start, cell_start + form.end())))
    for region in reading.supplier_regions:
        for line in first_page:
            match = re.search(r"(?i)(?:name|naam|firma|company)\s*:\s*(.+)", line.text)
            if match and region.holds(line, match.start(1), match.end(1)):
                candidates.append(Candidate(clean_name(match.group(1).split(WIDE_GAP)[0]),
                                            W.NAME_LABELLED_IN_SUPPLIER_BLOCK, "name label in supplier block",
                                            Span(line, match.start(1), match.end(1))))
    candidates.extend(_account_holders(reading))
    candidates.extend(_known_suppliers(reading))
    if not candidates:
        candidates = _letterhead_names(reading, first_page)
    if candidates:
        counts = Counter(c.value.lower() for c in candidates)
        repeated = W.NAME_REPEATS_COUNTED
        reading.put("supplier_name", max(candidates, key=lambda c: (
            c.score + W.NAME_REPEATED * min(counts[c.value.lower()], repeated),
            -c.line.index if c.span is not None else 0)))


def _known_suppliers(reading: Reading) -> list[Candidate[str]]:
    """Printed names that are a synced supplier's; else the name of the supplier whose id the page prints."""
    known = reading.known
    found: list[Candidate[str]] = []
    if known.supplier_names:
        for line in reading.lines:
            for cell_start, cell_end in cells(line.text):
                name = clean_name(line.text[cell_start:cell_end])
                supplier = known.supplier_named(name)
                if supplier is None or is_buyer_side(reading, line, cell_start, cell_end):
                    continue
                score = W.NAME_KNOWN_SUPPLIER
                if supplier is reading.known_supplier:
                    score += W.NAME_KNOWN_BY_ID
                if L.LEGAL_FORM.search(name):
                    score += W.NAME_IN_FOOTER  # the registered name beats the same name without its legal form
                found.append(Candidate(name, score, "known supplier", Span(line, cell_start, cell_end)))
    if not found and reading.known_supplier is not None and reading.known_supplier.name:
        found.append(Candidate(reading.known_supplier.name, W.NAME_FROM_KNOWN_ID, "known supplier's id"))
    return found


def _account_holders(reading: Reading) -> list[Candidate[str]]:
    """The name beside "t.n.v." in a payment sentence: whoever the money goes to is the supplier."""
    found: list[Candidate[str]] = []
    previous = ""
    for line in reading.lines:
        for match in L.ACCOUNT_HOLDER.finditer(line.text):
            before = previous + " " + line.text[:match.start()]
            if not (L.PAYMENT_WORDS.search(before) or find_ibans(before)):
                continue  # "t.n.v." in an address block names a person, not an account
            holder_line = line
            start = match.end() + len(line.text[match.end():]) - len(line.text[match.end():].lstrip(" :"))
            if not line.text[start:].split(WIDE_GAP)[0].strip():
                # "... op NL97 RABO 4858 3627 16 t.n.v." / "Schellekens Autobedrijf V.O.F., onder vermelding":
                # the sentence wraps after "t.n.v.", the name opens the next line.
                if line.index + 1 >= len(reading.lines):
                    continue
                holder_line, start = reading.lines[line.index + 1], 0
            holder = _account_holder_at(reading, holder_line, start)
            if holder is None:
                continue
            found.append(holder)
            if not L.LEGAL_FORM.search(holder.value):
                found.extend(_trade_names_of(reading, holder.value))
        previous = line.text
    return found


def _account_holder_at(reading: Reading, line: Line, start: int) -> Candidate[str] | None:
    """The account holder's name that starts at character ``start`` of ``line``, up to where the sentence goes on."""
    rest = line.text[start:].split(WIDE_GAP)[0]
    end_match = L.ACCOUNT_HOLDER_END.search(rest)
    raw = rest[: end_match.start()] if end_match else rest
    name = clean_name(raw)
    if name.endswith(".") and not L.LEGAL_FORM.search(name[-6:]):
        name = name[:-1]  # the sentence's full stop, not a legal form's
    if not _plausible_name(name) or address_like(name) or is_buyer_side(reading, line, start, start + len(raw)):
        return None
    score = W.NAME_ACCOUNT_HOLDER if L.LEGAL_FORM.search(name) else W.NAME_ACCOUNT_HOLDER_PERSON
    return Candidate(name, score, "account holder", Span(line, start, start + len(raw.rstrip())))


_INITIALS_AND_SURNAME = re.compile(r"^(?:[A-Z]\.\s?)+(?P<surname>(?:(?:van|de|der|den|ter|ten|te|het)\s)*[A-Z][\w'-]+)$")
"""A person as an account holder writes it: initials, then the surname with its particles ("J. de Mol")."""


def _trade_names_of(reading: Reading, holder: str) -> list[Candidate[str]]:
    """A sole trader's firm: the account is in the owner's name ("t.n.v. J. Bezemer") and the letterhead prints
    the trade name built on it ("Jan Bezemer Vertalingen"). That letterhead cell names the supplier."""
    match = _INITIALS_AND_SURNAME.match(holder)
    if match is None:
        return []
    surname = re.compile(rf"(?i)\b{re.escape(match['surname'])}\b")
    found: list[Candidate[str]] = []
    for line in reading.lines:
        if line.page != 1 or line.rel_top >= 0.3:
            continue
        for cell_start, cell_end in cells(line.text):
            name = clean_name(line.text[cell_start:cell_end])
            if (surname.search(name) and name != holder and _plausible_name(name) and not address_like(name)
                    and not is_buyer_side(reading, line, cell_start, cell_end)):
                found.append(Candidate(name, W.NAME_TRADE_NAME_OF_HOLDER, "trade name of the account holder",
                                       Span(line, cell_start, cell_end)))
    return found[:1]


def _letterhead_words(first_page: list[Line]) -> set[str]:
    """The letterhead's cells printed without a legal form, as ``bare_name`` gives them."""
    found: set[str] = set()
    for line in first_page:
        if line.rel_top >= 0.2:
            break
        for start, end in cells(line.text):
            cell = line.text[start:end]
            if not L.LEGAL_FORM.search(cell) and len(bare := bare_name(cell)) >= 4:
                found.add(bare)
    return found


def bare_name(name: str) -> str:
    """A name without legal form, case, spaces and punctuation: what a letterhead and a legal name share."""
    return re.sub(r"[^a-z0-9à-ÿ]", "", L.LEGAL_FORM.sub("", name).lower())


def _letterhead_names(reading: Reading, first_page: list[Line]) -> list[Candidate[str]]:
    """Names without a legal form: the letterhead's cells, the sender line above a window address.

    A letterhead name is printed larger than the address under it, is often what the firm's e-mail or
    web domain spells, and is never a street, postcode, phone number or title. The highest plausible cell
    is the fallback when neither signal speaks.
    """
    domains = {m.lower() for m in re.findall(r"(?i)(?:@|www\.)([a-z0-9-]{4,})\.", reading.all_text)}
    found: list[Candidate[str]] = []
    top = [line for line in first_page if line.rel_top < 0.3][:12]
    tallest = max((line.height for line in top), default=0.0)
    shortest = min((line.height for line in top), default=0.0)
    for rank, line in enumerate(top):
        for cell_start, cell_end in cells(line.text):
            cell = line.text[cell_start:cell_end]
            # A sender line "Name · Street 1 · 1234 AB Town" (the return address of a window envelope).
            parts = re.split(r"\s[·|•]\s", cell)  # cf. _SENDER_SEPARATOR
            end = cell_end
            if len(parts) > 1 and any(address_like(part) for part in parts[1:]):
                cell, end = parts[0], cell_start + len(parts[0])
            name = clean_name(cell)
            if (is_buyer_side(reading, line, cell_start, end) or not _plausible_name(name) or address_like(name)
                    or any(label.match(name) for label in _FIELD_LABELS) or L.BUYER_HINT.match(name)):
                continue  # ("Customer ID": a label, not a letterhead)
            if _MONOGRAM.fullmatch(name) and (spelled := _spelled_out(reading, name)) is not None:
                found.append(spelled)  # a logo's letters stand for the name printed elsewhere ("RAB")
                continue
            score = W.LETTERHEAD - W.LETTERHEAD_PER_RANK * rank
            # Larger type tips the balance between neighbouring lines only: stamps ("POSTED") are large too.
            if tallest and line.height >= 0.95 * tallest and line.height > 1.15 * shortest:
                score += W.LETTERHEAD_LARGEST_TYPE
            if _spells_domain(name, domains):
                score += W.LETTERHEAD_SPELLS_DOMAIN
            if len(parts) > 1:
                score += W.LETTERHEAD_SENDER_LINE
            found.append(Candidate(name, score, "letterhead", Span(line, cell_start, end)))
    return [max(found, key=lambda c: c.score)] if found else []


def read_buyer_name(reading: Reading) -> str | None:
    """The first plausible name in a buyer's block (after its heading, or on the lines under it)."""
    for region in reading.buyer_regions:
        for line in reading.lines:
            if line.page != region.page or not (region.y0 <= line.y0 <= region.y1):
                continue
            for start, end in cells(line.text):
                if not region.holds(line, start, end):
                    continue
                text = line.text[start:end]
                heading = L.BUYER_HEADING.match(text)
                if heading and JOINED_HEADING.fullmatch(text[heading.end():].strip()):
                    continue  # "Käufer/Leistungsempfänger": the heading itself, the name is below it
                if heading and (not text[heading.end():].strip() or text[heading.end():].lstrip().startswith(":")
                                or heading.group(0).endswith(":")):
                    text = text[heading.end():].lstrip(" :")
                text = clean_name(text)
                if _plausible_name(text):
                    return text
    return None


# --- the buyer the system knows -------------------------------------------------------------------------------


def find_known_buyer(reading: Reading) -> bool:
    """The administration's own name printed on the page marks the buyer's block (it and the lines under it).

    Whether it was found: then no other block is guessed to be the addressee.
    """
    if not reading.known.buyer_names:
        return False
    found = False
    for line in reading.lines:
        for cell_start, cell_end in cells(line.text):
            if any(region.holds(line, cell_start, cell_end) for region in reading.buyer_regions):
                continue
            if reading.known.is_buyer_name(clean_name(line.text[cell_start:cell_end])):
                reading.buyer_regions.insert(0, _address_under(reading, line, cell_start, cell_end))
                found = True
    return found


def _address_under(reading: Reading, line: Line, start: int, end: int) -> Region:
    """A name's cell and the lines under it, aligned with it, that are its address or its ids ("t.a.v.", street,
    postcode and town, VAT id, KvK): what follows in the same column is no longer the addressee's."""
    x0, y0, x1, y1 = line.box(start, end)
    bottom, right = y1, x1
    for text, (_, _, cell_right, cell_bottom) in _column_under(reading, line, x0):
        if not (_STREET.match(text) or _POSTCODE.search(text) or L.BUYER_HEADING.match(text)
                or find_vat_ids(text) or find_kvk(text) or find_ibans(text)):
            break
        bottom, right = cell_bottom, max(right, cell_right)
    return _block(line, x0, y0, right, bottom)


def _column_under(reading: Reading, line: Line, x0: float) -> Iterator[tuple[str, tuple[float, float, float, float]]]:
    """The cells starting at ``x0`` on the lines stacked under ``line`` (no wider gap than a blank line or two),
    with their boxes: the rest of an address block."""
    height = line.height
    bottom = line.y1
    for other in reading.lines[line.index + 1: line.index + 2 + ADDRESSEE_LINES]:
        if other.page != line.page or other.y0 - bottom > 2.2 * height:
            return
        aligned = [(s, e) for s, e in cells(other.text) if abs(other.box(s, e)[0] - x0) <= height]
        if not aligned:
            return
        box = other.box(*aligned[0])
        bottom = box[3]
        yield other.text[aligned[0][0]: aligned[0][1]].strip(" ,."), box


def _block(line: Line, x0: float, y0: float, right: float, bottom: float) -> Region:
    """The region of an address block, with a margin of one line height."""
    height = line.height
    return Region(line.page, x0 - height, y0 - 0.5 * height, right + height, bottom + 0.5 * height)


# --- the addressee ------------------------------------------------------------------------------------------

ADDRESSEE_TOP = 0.4
"""An addressee block (the window of an envelope) sits in the upper part of the first page."""
ADDRESSEE_LINES = 4
"""A name, perhaps "t.a.v.", a street, a postcode and town: more lines is no postal address."""
_CONTACT = re.compile(r"(?i)\b(?:tel|fax|phone|telefoon|e-?mail|www|kvk|k\.v\.k|btw|vat|iban|bic|coc)\b|@|https?:")


_SENDER_SEPARATOR = re.compile(r"\s?[·|•]\s?")
"""The separators of a sender line ("Name · Street 1 · 1234 AB Town"), printed small above a window address."""
_ATTENTION = re.compile(r"(?i)\s*(?:t\.\s?a\.\s?v|z\.\s?h\.\s?d|attn|attention)")
"""The addressee's "for the attention of" line: part of its block, though it is a buyer heading."""


def find_addressee(reading: Reading) -> None:
    """An address block without a heading is the buyer's: a name over a street and a postcode with town and
    nothing else (a sender's block prints its phone, e-mail, KvK or VAT id), with the letterhead above it, outside
    any block a heading gives the supplier and not the value of a labelled field.

    Only when exactly one block on the first page looks like that: two postal addresses leave the parties to the
    other rules. And only when no heading ("Factuur aan", "Bill to") marks the buyer's block already: a document
    has one addressee, so a headless block beside a headed one is the sender's (a side column's address).
    """
    if not reading.pages or _is_narrow(reading) or reading.buyer_regions:
        return
    blocks: list[Region] = []
    first_page = [line for line in reading.lines if line.page == 1 and line.rel_top < ADDRESSEE_TOP]
    for position, line in enumerate(first_page):
        if position == 0 or any(block.y0 <= line.y0 <= block.y1 for block in blocks):
            continue  # nothing printed above the first line (the letterhead); lines of a block found already
        for start, end in cells(line.text):
            name = clean_name(line.text[start:end])
            label = line.text[:start].rstrip()
            if (not _plausible_name(name) or address_like(name) or ":" in name or _CONTACT.search(name)
                    or label.endswith(":")  # the value of a labelled field ("Name:   MUSTER GMBH")
                    or line.text[end:].lstrip().startswith(":")  # a label itself ("Leistungsdatum   : 29.10.")
                    or _SENDER_SEPARATOR.search(line.text[start:end])  # the sender's line above the window
                    or L.BUYER_HEADING.match(name) or L.SUPPLIER_HEADING.match(name)
                    or any(region.holds(line, start, end) for region in reading.buyer_regions)
                    or any(region.holds(line, start, end) for region in reading.supplier_regions)):
                continue
            block = _postal_block(reading, line, start, end)
            if block is not None:
                blocks.append(block)
                break
    if len(blocks) == 1:
        reading.buyer_regions.insert(0, blocks[0])  # the block starts at the name; a "t.a.v." heading is inside


def _postal_block(reading: Reading, line: Line, start: int, end: int) -> Region | None:
    """The block under a name cell when it is a postal address and nothing more, else ``None``."""
    x0, y0, x1, y1 = line.box(start, end)
    street = postcode = False
    bottom, right = y1, x1
    for count, (text, (_, _, cell_right, cell_bottom)) in enumerate(_column_under(reading, line, x0)):
        if count >= ADDRESSEE_LINES:
            break
        if _CONTACT.search(text) or find_vat_ids(text) or find_ibans(text):
            return None  # a sender's block: it prints how to reach and identify the firm
        if L.SUPPLIER_HEADING.match(text) or L.BUYER_HEADING.match(text) and not _ATTENTION.match(text):
            return None  # a heading opens another block: this is a column of labels, not one address
        street = street or bool(_STREET.match(text))
        postcode = postcode or bool(_POSTCODE.search(text))
        bottom, right = cell_bottom, max(right, cell_right)
    return _block(line, x0, y0, right, bottom) if street and postcode else None


def _is_narrow(reading: Reading) -> bool:
    """A till roll prints no addressee."""
    first = reading.pages[0]
    return first.height > 0 and first.width / first.height < RECEIPT_MAX_ASPECT


# --- what a name looks like ----------------------------------------------------------------------------------


_MONOGRAM = re.compile(r"[A-Z]{2,4}")
_PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "en", "&"}


def _spelled_out(reading: Reading, monogram: str) -> Candidate[str] | None:
    """The name whose words' initials a logo's letters are ("RAB": "Rutten Administratiekantoor B.V."; "BRB":
    "van Brenen Reclame B.V."), printed anywhere outside the buyer's block; lower-case particles do not count."""
    for line in reading.lines:
        for cell_start, cell_end in cells(line.text):
            words = line.text[cell_start:cell_end].split(" ")
            for first in range(len(words)):
                initials, last = "", first
                while last < len(words) and len(initials) < len(monogram):
                    word = words[last]
                    if word.lower() not in _PARTICLES:
                        if not word[:1].isupper():
                            break
                        initials += word[0]
                    last += 1
                if initials != monogram or not words[first][:1].isupper():
                    continue
                start = first
                while start > 0 and words[start - 1].lower() in _PARTICLES:
                    start -= 1  # "van Brenen Reclame B.V.": the particle is part of the name
                offset = cell_start + len(" ".join(words[:start])) + (1 if start else 0)
                name = clean_name(" ".join(words[start:last]))
                end = offset + len(" ".join(words[start:last]))
                if _plausible_name(name) and not is_buyer_side(reading, line, offset, end):
                    return Candidate(name, W.LETTERHEAD + W.LETTERHEAD_SPELLED_OUT, "monogram spelled out",
                                     Span(line, offset, end))
    return None


def _name_start(cell: str, form_start: int) -> int:
    """Where a company name starts before its legal form: after a label colon or copyright sign."""
    head = cell[:form_start]
    cut = max(head.rfind(": "), head.rfind("©"), head.rfind("|"))
    start = cut + 1 if cut >= 0 else 0
    for trade in _TRADE_NAME_OF.finditer(head):  # "shop.nl is een handelsnaam van Visser E-commerce B.V."
        start = max(start, trade.end())
    return start


_TRADE_NAME_OF = re.compile(r"(?i)(?:handelsnaam\s?van|\bh\.o\.d\.n\.|\ba\s+trading\s+name\s+of|\btrading\s+as|"
                            r"\beine\s+marke\s+der)\s*")
"""A trade name's sentence: the registered (legal) name follows it."""


_NAME_NOISE = re.compile(r"(?i)^(?:\W+|copyright|\d{4}\s|name\s*:|naam\s*:|firma\s*:|company\s*:)+")


_TRAILING_REGISTRATION = re.compile(r"\s*\([^()]*\d[^()]*\)\s*$")
"""A company registration number printed after the name ("Best Denki Malaysia (308282-A)") is no part of it."""
_GLUED_SDN_BHD = re.compile(r"(?<=[A-Z])\s?SDN\s?BHD$")
"""OCR that drops spaces glues the Malaysian legal form to the name ("WARAKUYAPERMASCITYSDNBHD")."""


def clean_name(text: str) -> str:
    """A name without leading labels and punctuation, trailing registration numbers and doubled spaces; ones and
    zeros OCR put between lower-case letters are the letters l and o ("Sche11ekens" is "Schellekens")."""
    text = _NAME_NOISE.sub("", text.strip()).strip(" ,;:-|")
    text = _GLUED_SDN_BHD.sub(" SDN BHD", _TRAILING_REGISTRATION.sub("", text))
    text = _ONES_IN_A_WORD.sub(lambda m: "l" * len(m.group(0)), text)
    text = _ZEROS_IN_A_WORD.sub(lambda m: "o" * len(m.group(0)), text)
    text = re.sub(r"\s+([.,])", r"\1", text)  # "V.o.F ." -> "V.o.F."
    return re.sub(r"\s{2,}", " ", text)


_ONES_IN_A_WORD = re.compile(r"(?<=[a-z])1+(?=[a-z])")
_ZEROS_IN_A_WORD = re.compile(r"(?<=[a-z])0+(?=[a-z])")


def _plausible_name(text: str) -> bool:
    if len(re.findall(r"[A-Za-zÀ-ÿ]", text)) < 3 or len(text) > 60:
        return False
    if _is_title(text) or re.fullmatch(r"(?i)(?:tax\s*)?invoice|factuur|rechnung", text):
        return False
    if find_dates(text) or find_amounts(text) or find_ibans(text) or find_vat_ids(text):
        return False
    if re.search(r"(?i)\b(?:tel|fax|phone|telefoon|e-?mail|page|pagina|seite|datum|date)\b|www\.|http|@", text):
        return False
    if re.fullmatch(r"(?i)kvk|btw(?:[- ]?(?:id|nr\.?|nummer))?|iban|bic|vat(?:\s?(?:id|no\.?))?|tax|uid|swift", text):
        return False  # a label in a column of ids, not a name
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


def address_like(text: str) -> bool:
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
