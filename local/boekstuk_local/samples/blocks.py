"""Drawing blocks the layout families share: label/value pairs, wrapped paragraphs, VAT specification tables,
payment sentences and footers. Each block records in ``Doc.printed`` which truth fields it put on the page."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth

from .formats import format_iban, format_rate
from .model import Party, VatGroup
from .pdf import Align, Column, Doc


def pairs(doc: Doc, x: float, y: float, rows: Sequence[tuple[str, str]], *, value_x: float, size: float = 9,
          leading: float = 12.5, value_align: Align = "left", bold_values: bool = False,
          bold_labels: bool = False) -> float:
    """Labels at ``x`` and their values at ``value_x`` under each other; returns the y below."""
    for i, (label, value) in enumerate(rows):
        doc.sheet.text(x, y + i * leading, label, size=size, bold=bold_labels)
        doc.sheet.text(value_x, y + i * leading, value, size=size, bold=bold_values, align=value_align)
    return y + len(rows) * leading


def addressee(doc: Doc, x: float, y: float, heading: str, vat_label: str, *, heading_size: float = 8,
              heading_bold: bool = False, heading_color: Color = black, vat_size: float = 8, size: float = 10,
              leading: float = 13, country: str | None = None) -> float:
    """The buyer's block: a heading, then name, street and place (and ``country``), then its VAT id after
    ``vat_label`` (the customer-side labels extractors must not take for the supplier's); records them as printed,
    returns the y below the address."""
    buyer = doc.spec.buyer
    doc.sheet.text(x, y, heading, size=heading_size, bold=heading_bold, color=heading_color)
    rows = [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}", *([country] if country else [])]
    below = doc.sheet.block(x, y + 14, rows, size=size, leading=leading)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        doc.sheet.text(x, below + 4, f"{vat_label}: {buyer.vat_id}", size=vat_size)
        doc.printed.add("buyer_vat")
    return below


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points in ``font`` at ``size``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def paragraph(doc: Doc, x: float, y: float, text: str, width: float, *, size: float = 8.5,
              leading: float = 11) -> float:
    """A wrapped paragraph in the document's font; returns the y below it."""
    rows = wrap(text, width, doc.style.font, size)
    return doc.sheet.block(x, y, rows, size=size, leading=leading)


def fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points: table cells never overrun their column."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def columns(spec: Sequence[tuple[str, float, Align]], total: float) -> list[Column]:
    """Table columns from ``(header, width, align)``; a width of 0 takes what the others leave of ``total``."""
    fixed = sum(width for _, width, _ in spec)
    return [Column(header, width or total - fixed, align) for header, width, align in spec]


def vat_table(doc: Doc, x: float, y: float, headers: Sequence[tuple[str, float, Align]],
              cells: Sequence[Sequence[str]], *, size: float = 8, leading: float = 11,
              bold_header: bool = True, rule: bool = True) -> float:
    """A small table (a VAT specification): headers and rows in fixed columns; returns the y below.

    ``headers`` are ``(text, width, align)``; a right-aligned column's text ends at its right edge.
    """
    s = doc.sheet
    positions = []
    cx = x
    for _, width, align in headers:
        positions.append((cx + width if align == "right" else cx, align))
        cx += width
    for (text, _, _), (px, align) in zip(headers, positions, strict=True):
        s.text(px, y, text, size=size, bold=bold_header, align=align)
    if rule:
        s.rule(x, cx, y + 3, width=0.3)
    y += leading + 1
    for row in cells:
        for value, (px, align) in zip(row, positions, strict=True):
            s.text(px, y, value, size=size, align=align)
        y += leading
    return y


def vat_cells(doc: Doc, groups: Sequence[VatGroup], *, code: bool = False, gross: bool = False,
              reverse_text: str = "verlegd") -> list[list[str]]:
    """One row per VAT group: [code,] rate, base, VAT[, gross]; marks the VAT split as printed."""
    rows = []
    for i, group in enumerate(groups):
        rate = reverse_text if group.reverse_charge else format_rate(group.rate, doc.lang)
        row = [str(i + 1)] if code else []
        row += [rate, doc.money(group.base, symbol=False), doc.money(group.amount, symbol=False)]
        if gross:
            row.append(doc.money(group.base + group.amount, symbol=False))
        rows.append(row)
    doc.printed.add("vat_lines")
    return rows


def ids_text(doc: Doc, party: Party, *, kvk: str = "KvK", vat: str = "Btw", iban: str = "IBAN",
             bic: str | None = "BIC", sep: str = " · ") -> str:
    """The supplier's registration and bank details on one line (a footer), marked as printed."""
    labels = {"kvk": kvk, "vat_id": vat, "iban": iban, **({"bic": bic} if bic else {})}
    return sep.join(doc.identifier_rows(party, labels, colon=" "))


def pay_sentence(doc: Doc, *, days: bool = False, tnv: bool = True) -> str:
    """The Dutch payment request: amount, due date or term, the supplier's IBAN "t.n.v." its legal name."""
    spec = doc.spec
    account = format_iban(spec.supplier.iban or "")
    holder = f" t.n.v. {spec.supplier.name}" if tnv else ""
    doc.printed.add("iban")
    if tnv:
        doc.printed.add("supplier_name")
    if days or not spec.due_date:
        return (f"Gelieve het bedrag binnen {spec.payment_term_days or 14} dagen over te maken op rekening {account}"
                f"{holder}, onder vermelding van het factuurnummer.")
    doc.printed.add("due_date")
    return (f"Wij verzoeken u het bedrag van {doc.money(spec.total_incl_vat, symbol=True)} vóór "
            f"{doc.date(spec.due_date)} over te maken op {account}{holder} o.v.v. factuurnummer {spec.number}.")


def totals(doc: Doc, x_label: float, x_value: float, y: float, *, excl: str = "Subtotaal",
           vat: str = "Btw {rate} over {base}", reverse: str = "Btw verlegd", vat_sum: str | None = "Totaal btw",
           total: str = "Totaal", size: float = 9, leading: float = 14, bold_total: bool = True,
           total_size: float | None = None) -> float:
    """Total excl. VAT, the VAT per rate (``vat`` may leave out ``{base}``), the VAT sum when there are several
    rates, and the total; records what it printed. Returns the y below."""
    spec = doc.spec
    rows: list[tuple[str, str, bool]] = [(excl, doc.money(spec.total_excl_vat), False)]
    for group in spec.vat_groups:
        if group.reverse_charge:
            rows.append((reverse, doc.money(group.amount), False))
        else:
            label = vat.format(rate=format_rate(group.rate, doc.lang), base=doc.money(group.base, symbol=False))
            rows.append((label, doc.money(group.amount), False))
    several = len(spec.vat_groups) > 1
    if several and vat_sum:
        rows.append((vat_sum, doc.money(spec.vat_total), False))
    rows.append((total, doc.money(spec.total_incl_vat, symbol=True), bold_total))
    for label, value, strong in rows:
        grow = total_size if strong and total_size else size
        doc.sheet.text(x_label, y, label, size=grow, bold=strong)
        doc.sheet.text(x_value, y, value, size=grow, bold=strong, align="right")
        y += leading
    doc.printed |= {"total_excl_vat", "total_incl_vat"}
    if not several or vat_sum:
        doc.printed.add("vat_total")
    bases_shown = "{base}" in vat and not any(g.reverse_charge for g in spec.vat_groups)
    if not several or bases_shown:
        doc.printed.add("vat_lines")
    return y


def cents(value: Decimal) -> Decimal:
    """A two-decimal amount."""
    return value.quantize(Decimal("0.01"))
