"""Identifiers found in text: VAT ids and IBANs validated by their check digits, KvK numbers by label.

OCR confuses O/0, I/1, B/8 and inserts spaces; candidates are repaired position by position (letters where
the format wants letters, digits where it wants digits) and kept only when the check digits agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.gb import vat as gb_vat

_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                           "Z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "T": "7"})
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "8": "B", "5": "S", "2": "Z", "6": "G"})

EU_VAT_PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "HR", "HU", "IE",
                   "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "CHE", "GB")

# A country prefix followed by 8-14 characters of digits/letters with optional separators.
_VAT_CANDIDATE = re.compile(
    r"(?P<cc>" + "|".join(EU_VAT_PREFIXES) + r")[\s.:-]?(?P<body>[0-9A-Z][0-9A-Za-z .-]{6,17}[0-9A-Za-z])",
)
_IBAN_CANDIDATE = re.compile(r"(?P<cc>[A-Z]{2})\s?(?P<check>[0-9O]{2})(?P<body>(?:\s?[0-9A-Z]){10,30})")


@dataclass(frozen=True, slots=True)
class IdMatch:
    """An identifier in compact form, with the character span it came from.

    ``valid`` is False only for VAT ids that have the right shape but fail the check digits (sample data,
    typos): the extractor keeps those only next to an explicit VAT label, with low confidence.
    """

    value: str
    start: int
    end: int
    valid: bool = True


# Shapes of the VAT ids seen most on Dutch purchase invoices (used only when the check digits fail).
_VAT_SHAPES = {
    "NL": r"\d{9}B\d{2}", "DE": r"\d{9}", "BE": r"[01]\d{9}", "FR": r"[0-9A-Z]{2}\d{9}", "AT": r"U\d{8}",
    "GB": r"\d{9}(?:\d{3})?", "LU": r"\d{8}", "ES": r"[0-9A-Z]\d{7}[0-9A-Z]", "IT": r"\d{11}", "DK": r"\d{8}",
}


def _overlapping(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches starting at every position (a greedy candidate must not swallow the next identifier);
    glued OCR text ("IBANNL91ABNA...") has no word boundary, so the check digits do the filtering."""
    found: list[re.Match[str]] = []
    for position in range(len(text) - 1):
        if text[position].isupper() and text[position + 1].isupper():
            match = pattern.match(text, position)
            if match:
                found.append(match)
    return found


def _nl_vat(body: str) -> str | None:
    """Repair an NL BTW-id body (9 digits, 'B', 2 digits) read by OCR."""
    compact = re.sub(r"[\s.-]", "", body)
    if len(compact) < 12:
        return None
    compact = compact[:12]
    digits = compact[:9].translate(_TO_DIGIT) + "B" + compact[10:12].translate(_TO_DIGIT)
    if compact[9] not in "B8":
        return None
    return "NL" + digits


def validate_vat(candidate: str) -> str | None:
    """Return the compact VAT id if it passes its country's check digits, else None."""
    value = re.sub(r"[\s.:-]", "", candidate).upper()
    if value.startswith("GR"):
        value = "EL" + value[2:]
    try:
        if value.startswith("GB"):  # no longer in the EU module since Brexit
            return "GB" + str(gb_vat.validate(value[2:]))
        return str(eu_vat.validate(value))
    except (ValidationError, ValueError, KeyError):
        return None


def find_vat_ids(text: str) -> list[IdMatch]:
    """Every valid EU VAT id in ``text`` (BTW-id, USt-IdNr., n° TVA), repaired for common OCR slips."""
    found: list[IdMatch] = []
    for match in _overlapping(_VAT_CANDIDATE, text):
        if match.start() > 0 and text[match.start() - 1].isdigit():
            continue
        cc, body = match.group("cc"), match.group("body")
        attempts: list[str] = []
        if cc == "NL":
            repaired = _nl_vat(body)
            if repaired:
                attempts.append(repaired)
        compact = re.sub(r"[\s.-]", "", body)
        # Try the longest plausible body first, then shorter ones (the next word may be glued on).
        for length in range(min(len(compact), 14), 7, -1):
            attempts.append(cc + compact[:length])
            attempts.append(cc + compact[:length].translate(_TO_DIGIT))
        valid = next((v for v in map(validate_vat, attempts) if v), None)
        if valid:
            if not any(f.value == valid for f in found):
                end = _raw_end(text, match.start("body"), len(valid) - len(cc))
                found.append(IdMatch(valid, match.start(), end))
            continue
        shape = _VAT_SHAPES.get(cc)
        shaped = re.match(shape, compact.upper()) if shape else None
        glued = match.start() > 0 and text[match.start() - 1].isalpha()
        if shaped and not glued and not any(f.value == cc + shaped.group(0) for f in found):
            end = _raw_end(text, match.start("body"), len(shaped.group(0)))
            found.append(IdMatch(cc + shaped.group(0), match.start(), end, valid=False))
    return found


def _raw_end(text: str, start: int, compact_length: int) -> int:
    """Offset in ``text`` just after ``compact_length`` non-separator characters from ``start``."""
    seen = 0
    for index in range(start, len(text)):
        if text[index] not in " .-":
            seen += 1
            if seen == compact_length:
                return index + 1
    return len(text)


def validate_iban(candidate: str) -> str | None:
    """Return the compact IBAN when its check digits and national format are valid, else None."""
    try:
        return str(IBAN(candidate).compact)
    except (SchwiftyException, ValueError):
        return None


def find_ibans(text: str) -> list[IdMatch]:
    """Every valid IBAN in ``text``; spaces and O/0 confusions are repaired before validation."""
    found: list[IdMatch] = []
    for match in _overlapping(_IBAN_CANDIDATE, text):
        if any(f.start <= match.start() < f.end for f in found):
            continue
        cc = match.group("cc")
        head = cc + match.group("check").translate(_TO_DIGIT)
        body = re.sub(r"\s", "", match.group("body"))
        for length in range(min(len(body), 30), 9, -1):
            candidates = [head + body[:length]]
            if cc == "NL" and length >= 14:
                # Dutch IBAN: 4 bank letters then 10 digits; repair each part in its own alphabet.
                candidates.append(head + body[:4].translate(_TO_LETTER) + body[4:14].translate(_TO_DIGIT))
            elif cc != "NL":
                candidates.append(head + body[:length].translate(_TO_DIGIT))
            valid = next((v for v in map(validate_iban, candidates) if v), None)
            if valid:
                if not any(f.value == valid for f in found):
                    end = _raw_end(text, match.start("body"), len(valid) - 4)
                    found.append(IdMatch(valid, match.start(), end))
                break
    return found


_KVK_LABEL = re.compile(
    r"(?:k\.?\s?v\.?\s?k\.?|kamer\s*van\s*koophandel|chamber\s*of\s*commerce|coc|handelsregister|"
    r"hr[\s-]?nr|kvk[\s-]?nummer|kvk[\s-]?nr)\.?\s*(?:[\w-]*nummer|nr\.?|no\.?|number|#)?\s*(?:[A-Za-z]+\s+){0,2}?[:.]?\s*",
    re.IGNORECASE,
)
_O_TO_ZERO = str.maketrans("Oo", "00")


def kvk_label_cell(cell: str) -> bool:
    """Whether a cell is a KvK label and nothing else ("KvK", "KvK-nummer:"): its value is printed under it."""
    match = _KVK_LABEL.match(cell.strip())
    return match is not None and match.end() == len(cell.strip()) and not re.search(r"\d", cell)


def kvk_value(text: str) -> str | None:
    """Eight digits and nothing else (a KvK number on a line of its own, "26988568" or "2698 8568")."""
    digits = text.strip().translate(_O_TO_ZERO)
    return re.sub(r"\s", "", digits) if re.fullmatch(r"\d{4}\s?\d{4}", digits) else None
_EIGHT_DIGITS = re.compile(r"(?<!\d)(\d{2}\s?\d{2}\s?\d{2}\s?\d{2}|\d{8})(?![\d,]|\.\d)")


def find_kvk(text: str) -> list[IdMatch]:
    """KvK numbers (8 digits) that follow a KvK / Chamber of Commerce / Handelsregister label."""
    found: list[IdMatch] = []
    for label in _KVK_LABEL.finditer(text):
        window = text[label.end(): label.end() + 40].translate(_O_TO_ZERO)
        number = _EIGHT_DIGITS.search(window)
        if number and number.start() <= 25:
            value = re.sub(r"\s", "", number.group(1))
            if not any(f.value == value for f in found):
                found.append(IdMatch(value, label.start(), label.end() + number.end()))
    return found
