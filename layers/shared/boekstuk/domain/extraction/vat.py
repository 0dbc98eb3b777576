"""VAT per rate: a rate on a line with a base and an amount whose product agrees ("21%  100,00  21,00"), or with
the amount including VAT and the VAT ("21%  121,00  21,00"), or a labelled VAT amount alone ("BTW 21%  € 124,61":
its base is the amount printed nearby that the rate turns into exactly that VAT, as a till's "Netto 21%  43,12",
else what the totals leave for it); reverse charge ("btw verlegd") as a 0 % line; and, with no VAT line printed,
the rate the totals imply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from boekstuk.domain.extraction import labels as L
from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.candidate import Candidate, Span
from boekstuk.domain.extraction.layout import Line
from boekstuk.domain.extraction.parse import AmountMatch, find_amounts
from boekstuk.domain.extraction.reading import Reading
from boekstuk.domain.money import to_money
from boekstuk.domain.recognition import VatLine

RATE_RE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")
RATE_MISREAD_RE = re.compile(r"(?<![\d.,])(21|19|9|7|6)(?:8(?![\d.,%])|号|(?=\s*(?:over|on|auf|sur)\b))")
"""A rate whose percent sign OCR read as an 8 ("Btw 218 over 77,77"), as 号 (RapidOCR's model also reads
Chinese) or lost ("Btw 21 over 36,55"): only believed on a line with no rate of its own that has a VAT word or
is a row of a VAT table, and only for the common rates."""
MAX_RATE = Decimal(30)
"""A higher percentage is a discount or a share, not a VAT rate (the highest in the EU is 27 %)."""
COMMON_RATES = (Decimal(21), Decimal(9), Decimal(6), Decimal(0), Decimal(19), Decimal(7), Decimal(20),
                Decimal("5.5"), Decimal(10))
"""Rates tried, in this order, when only the totals say which one applies (NL, the old NL low rate, DE, FR)."""
_ESTIMATED = "estimated_base"
"""Marks a VAT line whose base was computed from its amount, until ``complete_vat_lines`` settles it."""


@dataclass(frozen=True, slots=True)
class RateLine:
    """A line that prints a VAT rate, with the other amounts on it."""

    rate: Decimal
    amounts: tuple[AmountMatch, ...]
    line: Line
    has_vat_word: bool


def rate_value(match: re.Match[str]) -> Decimal:
    """The rate a ``RATE_RE`` or ``RATE_MISREAD_RE`` match names (``21``, ``5.5`` for "5,5 %")."""
    return Decimal(match.group(1).replace(",", "."))


def rate_text(rate: Decimal) -> str:
    """A rate as ``VatLine.rate`` holds it (``21``, ``5.5``)."""
    return format(rate.normalize(), "f")


def read_vat_lines(reading: Reading, rate_lines: list[RateLine], vat: list[Candidate[Decimal]]) -> list[VatLine]:
    """VAT per rate: a rate with a base and an amount whose product agrees (or a labelled VAT amount).

    A VAT amount printed without its base is also a VAT total candidate (appended to ``vat``).
    """
    found: dict[tuple[str, bool], VatLine] = {}
    for rate_line in rate_lines:
        rate, amounts, line = rate_line.rate, rate_line.amounts, rate_line.line
        reverse = bool(L.REVERSE_CHARGE.search(line.text))
        values = [a.value for a in amounts]
        pair = _base_and_amount(rate, values)
        text = rate_text(rate)
        if pair is not None and (rate_line.has_vat_word or in_vat_table(reading, line)):
            base, amount = pair
            found.setdefault((text, reverse), VatLine(rate=text, base=base, amount=amount, reverse_charge=reverse))
        elif rate_line.has_vat_word and len(values) == 1 and rate > 0 and not _is_item_line(line):
            # "BTW 21%   € 124,61": the amount only; the base is filled from the totals later.
            key = (text, reverse)
            if key not in found:
                amount = values[0]
                printed = printed_base(reading, rate, amount, line)
                if printed is not None:
                    found[key] = VatLine(rate=text, base=printed, amount=amount)
                else:
                    found[key] = VatLine(rate=text, base=to_money(amount * 100 / rate), amount=amount)
                    found[key].category = _ESTIMATED
                vat.append(Candidate(amount, W.VAT_AMOUNT_ONLY, "vat line amount",
                                     Span(line, amounts[0].start, amounts[0].end)))
    for line in reading.lines:
        if L.REVERSE_CHARGE.search(line.text) and not any(v.reverse_charge for v in found.values()):
            found[("0", True)] = VatLine(rate="0", base=Decimal("0"), amount=Decimal("0"), reverse_charge=True,
                                         category=_ESTIMATED)
            break
    return list(found.values())


def printed_base(reading: Reading, rate: Decimal, amount: Decimal, near: Line) -> Decimal | None:
    """The base of a VAT amount printed without one on its line: the amount on a nearby line of the same page
    that ``rate`` turns into exactly ``amount`` (a till's "Waarvan btw 21%  9,06" above "Netto 21%  43,12"). A
    line that names the same rate is preferred, then the nearest. Exact to the cent: the rounding interval is
    a few cents wide (under 0.05 at 21 %), so an unrelated amount seldom falls into it."""
    if rate == 0 or amount == 0:
        return None
    best: tuple[bool, int, Decimal] | None = None
    for line in reading.lines:
        distance = abs(line.index - near.index)
        if line.page != near.page or distance > W.PRINTED_BASE_LINES:
            continue
        rates = list(RATE_RE.finditer(line.text))
        same_rate = any(rate_value(r) == rate for r in rates)
        for match in find_amounts(line.text):
            if any(r.start() <= match.start < r.end() for r in rates) or abs(match.value) <= abs(amount):
                continue
            if abs(to_money(match.value * rate / 100)) == abs(amount):
                key = (not same_rate, distance, match.value)
                if best is None or key[:2] < best[:2]:
                    best = key
    return best[2] if best is not None else None


def is_exact(vat_line: VatLine) -> bool:
    """Whether a VAT line's base was printed (not computed from its amount)."""
    return vat_line.category != _ESTIMATED


def complete_vat_lines(reading: Reading, vat_lines: list[VatLine]) -> None:
    """Give single-rate VAT lines printed without base the document's total excl. VAT as base; with no VAT
    line printed, infer the rate when the totals match a common one exactly."""
    estimated = [v for v in vat_lines if v.category == _ESTIMATED]
    excl = reading.fields.get("total_excl_vat")
    for line in estimated:
        if excl is not None and len(vat_lines) == 1:
            line.base = Decimal(excl.value)
        elif excl is not None and len(estimated) == 1 and not line.reverse_charge:
            # The other rates' bases were printed: this one's is what the total excl. VAT leaves, if its rate
            # turns that into the printed VAT amount (else the estimate stands).
            rest = Decimal(excl.value) - sum((v.base for v in vat_lines if v is not line), Decimal("0"))
            if abs(to_money(rest * Decimal(line.rate) / 100) - line.amount) <= Decimal("0.01"):
                line.base = to_money(rest)
        line.category = None
    vat_total = reading.fields.get("vat_total")
    if not vat_lines and excl is not None and vat_total is not None:
        base, amount = Decimal(excl.value), Decimal(vat_total.value)
        if base and amount >= 0:
            for known in COMMON_RATES:
                if abs(to_money(base * known / 100) - amount) <= W.TOLERANCE:
                    vat_lines.append(VatLine(rate=rate_text(known), base=base, amount=amount))
                    break
    elif vat_lines and excl is not None and (incl := reading.fields.get("total_incl_vat")) is not None:
        paid_vat = Decimal(incl.value) - Decimal(excl.value)
        if _add_the_lost_rate(vat_lines, Decimal(excl.value), paid_vat):
            # The lines now account for the totals: the VAT total is theirs (a VAT total taken from the lines
            # that were read fell short of the totals).
            reading.put("vat_total", Candidate(to_money(paid_vat), W.TOTAL_COMPUTED, "incl minus excl, every rate"))
            if "totals_mismatch" in reading.warnings:
                reading.warnings.remove("totals_mismatch")


def _add_the_lost_rate(vat_lines: list[VatLine], excl: Decimal, vat_total: Decimal) -> bool:
    """Reconcile the VAT lines with the totals: when their bases and VAT fall short of the totals by a base and a
    VAT that another common rate turns into each other to the cent, the page (or OCR) lost that rate's line; it is
    added. Nothing is added on any doubt: a remainder of the other sign, a rate already present, no rate that fits."""
    if any(line.reverse_charge for line in vat_lines):
        return False
    rest_base = excl - sum((line.base for line in vat_lines), Decimal("0"))
    rest_vat = vat_total - sum((line.amount for line in vat_lines), Decimal("0"))
    if rest_base == 0 or rest_vat == 0 or (rest_base > 0) != (excl > 0) or (rest_vat > 0) != (rest_base > 0):
        return False
    present = {line.rate for line in vat_lines}
    for known in COMMON_RATES:
        if known > 0 and rate_text(known) not in present and to_money(rest_base * known / 100) == rest_vat:
            vat_lines.append(VatLine(rate=rate_text(known), base=to_money(rest_base), amount=to_money(rest_vat)))
            return True
    return False


def in_vat_table(reading: Reading, line: Line) -> bool:
    """Whether ``line`` is a row under a VAT header (``BTW  Excl.  BTW  Incl.``)."""
    return reading.label_above(line, 0, len(line.text), (("vat", L.VAT),)) == "vat"


def _is_item_line(line: Line) -> bool:
    """Product lines also show a rate; they carry a description and no VAT wording of their own."""
    return not L.VAT.search(line.text) and len(re.findall(r"[A-Za-z]{3,}", line.text)) >= 2


def _base_and_amount(rate: Decimal, values: list[Decimal]) -> tuple[Decimal, Decimal] | None:
    """A (base, VAT amount) pair among the values with base x rate = amount (within rounding); else an amount
    including VAT and the VAT in it (``(incl - amount) x rate = amount``, to the cent), whose base is their
    difference."""
    for base in values:
        for amount in values:
            if base is amount or base == 0 or abs(amount) > abs(base):
                continue
            if abs(to_money(base * rate / 100) - amount) <= W.TOLERANCE:
                return base, amount
    for incl in values:
        for amount in values:
            if incl is amount or amount == 0 or abs(amount) >= abs(incl) or rate == 0:
                continue
            if to_money((incl - amount) * rate / 100) == amount:
                return to_money(incl - amount), amount
    if rate == 0 and values:
        zero = [v for v in values if v == 0]
        others = [v for v in values if v != 0]
        if zero and others:
            return others[0], Decimal("0.00")
    return None
