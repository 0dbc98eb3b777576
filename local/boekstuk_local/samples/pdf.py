"""Render an ``InvoiceSpec`` as a text PDF (reportlab) in one of several genuinely different layout families.

Each layout returns which truth fields it printed, so the ground truth's ``visual_check`` says exactly what a
reader of the page can find (a layout that only prints "betaling binnen 30 dagen" does not show the due date).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from .formats import Grouping, Language, format_amount, format_date, format_iban, format_quantity, format_rate
from .model import InvoiceSpec, Party, SampleLine

Align = Literal["left", "right", "center"]
TableStyle = Literal["grid", "zebra", "rules"]

LAYOUTS: tuple[str, ...] = ("classic", "modern_right", "footer_block", "receipt", "multipage", "english", "german")
"""The layout families. ``receipt`` is for receipts only; ``german`` and ``english`` set the language."""

LAYOUT_LANGUAGE: dict[str, Language] = {"english": "en", "german": "de"}

LABELS: dict[Language, dict[str, str]] = {
    "nl": {"invoice": "FACTUUR", "credit_note": "CREDITNOTA", "receipt": "KASSABON", "number": "Factuurnummer",
           "credit_number": "Creditnotanummer", "date": "Factuurdatum", "due": "Vervaldatum", "to": "Factuur aan",
           "customer": "Klantnummer", "desc": "Omschrijving", "qty": "Aantal", "price": "Prijs", "vat": "BTW",
           "amount": "Bedrag", "subtotal": "Subtotaal", "excl": "Totaal excl. BTW", "vat_over": "BTW {rate} over {base}",
           "total": "Totaal incl. BTW", "due_amount": "Te betalen", "refund": "Te ontvangen", "reverse": "BTW verlegd",
           "reverse_note": "BTW verlegd naar afnemer (art. 24ba Wet OB 1968)", "kvk": "KvK", "vat_id": "BTW-id",
           "iban": "IBAN", "bic": "BIC", "your_vat": "Uw BTW-nummer", "your_kvk": "Uw KvK-nummer",
           "terms": "Wij verzoeken u het bedrag van {amount} vóór {due} over te maken op {iban} o.v.v. {number}.",
           "terms_days": "Betalingstermijn: {days} dagen na factuurdatum. Graag overmaken op {iban} o.v.v. het factuurnummer.",
           "credit_terms": "Dit bedrag wordt binnen 14 dagen teruggestort op uw rekening.",
           "credits": "Creditering van factuur {number}", "reference": "Uw referentie", "page": "Pagina {n} van {of}",
           "carry_to": "Transport naar volgende pagina", "carry_from": "Transport van vorige pagina", "vat_rate": "BTW %"},
    "en": {"invoice": "INVOICE", "credit_note": "CREDIT NOTE", "receipt": "RECEIPT", "number": "Invoice no.",
           "credit_number": "Credit note no.", "date": "Invoice date", "due": "Due date", "to": "Bill to",
           "customer": "Customer ID", "desc": "Description", "qty": "Qty", "price": "Unit price", "vat": "VAT",
           "amount": "Amount", "subtotal": "Subtotal", "excl": "Total excl. VAT", "vat_over": "VAT {rate} on {base}",
           "total": "Total incl. VAT", "due_amount": "Amount due", "refund": "Amount to be refunded",
           "reverse": "VAT reverse charged", "reverse_note": "VAT reverse-charged to the recipient (art. 24ba Dutch VAT Act)",
           "kvk": "Chamber of Commerce (KvK)", "vat_id": "VAT number", "iban": "IBAN", "bic": "BIC",
           "your_vat": "Your VAT number", "your_kvk": "Your CoC number",
           "terms": "Please pay {amount} by {due} to {iban}, quoting invoice {number}.",
           "terms_days": "Payment terms: {days} days net. Please pay to {iban} quoting the invoice number.",
           "credit_terms": "This amount will be refunded to your account within 14 days.",
           "credits": "Credit for invoice {number}", "reference": "Your reference", "page": "Page {n} of {of}",
           "carry_to": "Carried forward", "carry_from": "Brought forward", "vat_rate": "VAT %"},
    "de": {"invoice": "RECHNUNG", "credit_note": "GUTSCHRIFT", "receipt": "QUITTUNG", "number": "Rechnungsnummer",
           "credit_number": "Gutschriftsnummer", "date": "Rechnungsdatum", "due": "Fällig am", "to": "Rechnung an",
           "customer": "Kundennummer", "desc": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis", "vat": "MwSt",
           "amount": "Betrag", "subtotal": "Zwischensumme", "excl": "Nettobetrag", "vat_over": "MwSt {rate} auf {base}",
           "total": "Gesamtbetrag", "due_amount": "Zahlbetrag", "refund": "Gutschriftsbetrag",
           "reverse": "Steuerschuldnerschaft des Leistungsempfängers",
           "reverse_note": "Steuerschuldnerschaft des Leistungsempfängers / BTW verlegd (Art. 196 MwStSystRL)",
           "kvk": "Handelsregister", "vat_id": "USt-IdNr.", "iban": "IBAN", "bic": "BIC", "your_vat": "Ihre USt-IdNr.",
           "your_kvk": "Ihre KvK-Nr.",
           "terms": "Bitte überweisen Sie {amount} bis zum {due} auf {iban} unter Angabe der Rechnungsnummer {number}.",
           "terms_days": "Zahlbar innerhalb von {days} Tagen ohne Abzug auf {iban}.",
           "credit_terms": "Der Betrag wird Ihrem Konto innerhalb von 14 Tagen gutgeschrieben.",
           "credits": "Gutschrift zu Rechnung {number}", "reference": "Ihre Referenz", "page": "Seite {n} von {of}",
           "carry_to": "Übertrag", "carry_from": "Übertrag", "vat_rate": "MwSt %"},
}

# Bitstream Vera ships with reportlab itself, so every machine that renders samples has it: a fourth typeface
# besides the PDF standard fonts, embedded in the PDF as TrueType (as a Word or webshop invoice embeds its fonts).
if "Vera" not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    pdfmetrics.registerFont(TTFont("Vera-Bold", "VeraBd.ttf"))
BOLD_FONTS = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold",
              "Vera": "Vera-Bold"}

PALETTES = ("#1F4E79", "#7A1F3D", "#2E6B30", "#5B3A8C", "#B35C00", "#333333", "#00707A")


@dataclass
class Style:
    """The per-document choices a layout leaves to chance (drawn from the seed)."""

    accent: Color
    date_style: str
    symbol: bool  # amounts with the currency sign
    font: str
    table: TableStyle
    logo: Literal["circle", "square", "bar", "none"]
    customer_number: str
    grouping: Grouping = "."  # thousands separator of Dutch amounts; the layout families vary it

    @classmethod
    def draw(cls, rng: random.Random, language: Language, date_styles: Sequence[str]) -> Style:
        """Choose colours, fonts and formats for one document."""
        return cls(HexColor(rng.choice(PALETTES)), rng.choice(list(date_styles)), rng.random() < 0.5,
                   rng.choice(("Helvetica", "Helvetica", "Times-Roman", "Courier")),
                   rng.choice(("grid", "zebra", "rules")), rng.choice(("circle", "square", "bar", "none")),
                   f"{rng.randrange(10000, 99999)}")


@dataclass
class Rendered:
    """A rendered PDF and what it shows."""

    content: bytes
    pages: int
    printed: set[str] = field(default_factory=set)


class Sheet:
    """A reportlab canvas addressed from the top-left corner, as layouts are designed."""

    def __init__(self, canvas: Canvas, width: float, height: float, style: Style) -> None:
        self.c, self.width, self.height, self.style = canvas, width, height, style
        self.bold = BOLD_FONTS[style.font]

    def text(self, x: float, y: float, value: str, *, size: float = 9, bold: bool = False, align: Align = "left",
             color: Color = black) -> None:
        """Draw one string with its baseline ``y`` points below the top."""
        self.c.setFillColor(color)
        self.c.setFont(self.bold if bold else self.style.font, size)
        if align == "right":
            self.c.drawRightString(x, self.height - y, value)
        elif align == "center":
            self.c.drawCentredString(x, self.height - y, value)
        else:
            self.c.drawString(x, self.height - y, value)
        self.c.setFillColor(black)

    def block(self, x: float, y: float, rows: Sequence[str], *, size: float = 9, leading: float = 12,
              bold_first: bool = False, align: Align = "left") -> float:
        """Draw lines of text under each other; returns the y below the block."""
        for i, row in enumerate(rows):
            self.text(x, y + i * leading, row, size=size, bold=bold_first and i == 0, align=align)
        return y + len(rows) * leading

    def rule(self, x0: float, x1: float, y: float, *, width: float = 0.5, color: Color = black) -> None:
        """Draw a horizontal line."""
        self.c.setStrokeColor(color)
        self.c.setLineWidth(width)
        self.c.line(x0, self.height - y, x1, self.height - y)
        self.c.setStrokeColor(black)

    def box(self, x: float, y: float, w: float, h: float, *, fill: Color | None = None, stroke: bool = True) -> None:
        """Draw a rectangle whose top-left corner is (x, y)."""
        if fill is not None:
            self.c.setFillColor(fill)
        self.c.rect(x, self.height - y - h, w, h, stroke=int(stroke), fill=int(fill is not None))
        self.c.setFillColor(black)

    def logo(self, x: float, y: float, name: str, *, align: Align = "left") -> None:
        """A simple vector logo: the supplier's initials in a shape (an image-free stand-in for a real logo)."""
        shape = self.style.logo
        if shape == "none":
            return
        initials = "".join(word[0] for word in name.split() if word[:1].isupper())[:3] or name[:2].upper()
        left = x - 44 if align == "right" else x
        self.c.setFillColor(self.style.accent)
        if shape == "circle":
            self.c.circle(left + 22, self.height - y - 22, 22, stroke=0, fill=1)
        elif shape == "square":
            self.c.roundRect(left, self.height - y - 44, 44, 44, 6, stroke=0, fill=1)
        else:
            self.c.rect(left, self.height - y - 44, 8, 44, stroke=0, fill=1)
        if shape != "bar":
            self.c.setFillColor(white)
            self.c.setFont("Helvetica-Bold", 14)
            self.c.drawCentredString(left + 22, self.height - y - 27, initials)
        self.c.setFillColor(black)


@dataclass
class Column:
    header: str
    width: float
    align: Align = "left"


class Doc:
    """One document being drawn: the spec, the labels and formats in its language, and the pages so far."""

    def __init__(self, spec: InvoiceSpec, style: Style, *, pagesize: tuple[float, float] = A4) -> None:
        self.spec, self.style = spec, style
        self.lang: Language = spec.language
        self.L = LABELS[self.lang]
        self.buffer = io.BytesIO()
        # invariant=1 fixes the creation date and document id, so the same seed gives the same bytes.
        self.canvas = Canvas(self.buffer, pagesize=pagesize, invariant=1, pageCompression=0)
        self.canvas.setTitle(f"{self.L[spec.kind]} {spec.number}")
        self.sheet = Sheet(self.canvas, pagesize[0], pagesize[1], style)
        self.pages = 1
        self.total_pages = 0  # known on the second pass of layouts that print "page n of N"
        self.printed: set[str] = set()
        self.end_y = 0.0  # till rolls: how far down the last row went (their page is cut to that length)

    # formatting in the document's language and style
    def money(self, amount: Decimal, *, symbol: bool | None = None) -> str:
        return format_amount(amount, self.lang, symbol=self.style.symbol if symbol is None else symbol,
                             grouping=self.style.grouping)

    def date(self, value: object) -> str:
        import datetime as dt

        assert isinstance(value, dt.date)
        return format_date(value, self.lang, self.style.date_style)

    def rate(self, line: SampleLine) -> str:
        if line.reverse_charge:
            return {"nl": "verlegd", "en": "RC", "de": "RC"}[self.lang]
        return format_rate(line.vat_rate, self.lang)

    @property
    def title(self) -> str:
        return self.L[self.spec.kind]

    @property
    def number_label(self) -> str:
        return self.L["credit_number" if self.spec.kind == "credit_note" else "number"]

    def new_page(self) -> None:
        self.canvas.showPage()
        self.pages += 1

    def finish(self) -> Rendered:
        self.canvas.save()
        return Rendered(self.buffer.getvalue(), self.pages, self.printed)

    # building blocks shared by the A4 layouts
    def supplier_rows(self, party: Party, *, with_ids: bool) -> list[str]:
        rows = [party.name, party.street, f"{party.postcode} {party.city}"]
        if party.country != "NL" and self.lang != "de":
            rows[-1] += f" ({party.country})"
        if party.phone:
            rows.append(party.phone)
        if party.email:
            rows.append(party.email)
        if with_ids:
            rows += self.identifier_rows(party)
        self.printed.add("supplier_name")
        return rows

    def identifier_rows(self, party: Party, labels: dict[str, str] | None = None, colon: str = ": ") -> list[str]:
        """The supplier's KvK (or register line), VAT id, IBAN and BIC as ``label: value`` rows, marked as printed;
        ``labels`` (keys ``kvk``, ``vat_id``, ``iban``, ``bic``; a missing ``bic`` leaves the BIC out) replace the
        language's labels."""
        names = labels if labels is not None else self.L
        rows = []
        if party.kvk:
            rows.append(f"{names['kvk']}{colon}{party.kvk}")
            self.printed.add("supplier_kvk")
        elif party.register:
            rows.append(party.register)
        if party.vat_id:
            rows.append(f"{names['vat_id']}{colon}{party.vat_id}")
            self.printed.add("supplier_vat")
        if party.iban:
            rows.append(f"{names['iban']}{colon}{format_iban(party.iban)}")
            self.printed.add("iban")
        if party.bic and "bic" in names:
            rows.append(f"{names['bic']}{colon}{party.bic}")
        return rows

    def buyer_rows(self, *, heading: bool) -> list[str]:
        buyer = self.spec.buyer
        rows = [self.L["to"] + ":"] if heading else []
        self.printed.add("buyer_name")
        rows += [buyer.name, "t.a.v. de crediteurenadministratie" if self.lang == "nl" else "Accounts payable",
                 buyer.street, f"{buyer.postcode} {buyer.city}"]
        if self.lang != "nl":  # a foreign-language invoice names the buyer's country
            rows.append("The Netherlands" if self.lang == "en" else "Niederlande")
        return rows

    def buyer_ids(self) -> list[str]:
        buyer = self.spec.buyer
        rows = []
        if buyer.vat_id:
            rows.append(f"{self.L['your_vat']}: {buyer.vat_id}")
            self.printed.add("buyer_vat")
        if buyer.kvk and (self.spec.reverse_charge or self.style.table != "zebra"):
            rows.append(f"{self.L['your_kvk']}: {buyer.kvk}")
            self.printed.add("buyer_kvk")
        return rows

    def meta_rows(self, *, due: bool = True) -> list[tuple[str, str]]:
        spec = self.spec
        rows = [(self.number_label, spec.number), (self.L["date"], self.date(spec.issue_date))]
        self.printed |= {"invoice_number", "invoice_date"}
        if due and spec.due_date and spec.kind == "invoice":
            rows.append((self.L["due"], self.date(spec.due_date)))
            self.printed.add("due_date")
        rows.append((self.L["customer"], self.style.customer_number))
        if spec.order_reference:
            rows.append((self.L["reference"], spec.order_reference))
        return rows

    def line_columns(self, width: float) -> list[Column]:
        fixed = [Column(self.L["qty"], 45, "right"), Column(self.L["price"], 70, "right"),
                 Column(self.L["vat_rate"], 50, "right"), Column(self.L["amount"], 75, "right")]
        return [Column(self.L["desc"], width - sum(c.width for c in fixed)), *fixed]

    def line_row(self, line: SampleLine) -> list[str]:
        return [line.description, format_quantity(line.quantity, self.lang), self.money(line.unit_price, symbol=False),
                self.rate(line), self.money(line.amount, symbol=False)]

    def table(self, x: float, y: float, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
              bottom: float, size: float = 8.5, on_break: Callable[[int], float] | None = None,
              carry: Callable[[int], str] | None = None) -> float:
        """Draw the lines table, continuing on new pages when it passes ``bottom``; returns the y below it.

        ``on_break(i)`` draws the next page's header and returns where the table continues; ``carry(i)``, when
        given, renders the running total after ``i`` rows for "transport" lines at the page break.
        """
        sheet, row_h = self.sheet, size + 6.5
        width = sum(c.width for c in columns)

        def header(top: float) -> float:
            if self.style.table == "grid":
                sheet.box(x, top, width, row_h + 2, fill=HexColor("#DDDDDD"))
            else:
                sheet.box(x, top, width, row_h + 2, fill=self.style.accent, stroke=False)
            cx = x
            color = black if self.style.table == "grid" else white
            for col in columns:
                tx = cx + col.width - 4 if col.align == "right" else cx + 4
                sheet.text(tx, top + row_h - 2, col.header, size=size, bold=True, align=col.align, color=color)
                cx += col.width
            return top + row_h + 2

        y = header(y)
        for i, row in enumerate(rows):
            if y + row_h > bottom - (row_h if carry else 0):
                if carry:
                    sheet.text(x + 4, y + row_h - 4, self.L["carry_to"], size=size, bold=True)
                    sheet.text(x + width - 4, y + row_h - 4, carry(i), size=size, bold=True, align="right")
                self.new_page()
                y = on_break(i) if on_break else 60
                y = header(y)
                if carry:
                    sheet.text(x + 4, y + row_h - 4, self.L["carry_from"], size=size, bold=True)
                    sheet.text(x + width - 4, y + row_h - 4, carry(i), size=size, bold=True, align="right")
                    y += row_h
            if self.style.table == "zebra" and i % 2 == 1:
                sheet.box(x, y, width, row_h, fill=HexColor("#F0F0F0"), stroke=False)
            cx = x
            for col, value in zip(columns, row, strict=True):
                if self.style.table == "grid":
                    sheet.box(cx, y, col.width, row_h)
                tx = cx + col.width - 4 if col.align == "right" else cx + 4
                sheet.text(tx, y + row_h - 4.5, value, size=size, align=col.align)
                cx += col.width
            y += row_h
            if self.style.table == "rules":
                sheet.rule(x, x + width, y, width=0.3)
        return y + 6

    def totals(self, x_label: float, x_value: float, y: float, *, size: float = 9, boxed: bool = False) -> float:
        """Subtotal, VAT per rate and the total; returns the y below."""
        spec, L = self.spec, self.L
        rows: list[tuple[str, str, bool]] = [(L["excl"], self.money(spec.total_excl_vat), False)]
        for group in spec.vat_groups:
            if group.reverse_charge:
                rows.append((L["reverse"], self.money(group.amount), False))
            else:
                label = L["vat_over"].format(rate=format_rate(group.rate, self.lang),
                                             base=self.money(group.base, symbol=False))
                rows.append((label, self.money(group.amount), False))
        if len(spec.vat_groups) > 1:
            rows.append((f"{L['vat']} {L['subtotal'].lower()}" if self.lang != "de" else "MwSt gesamt",
                         self.money(spec.vat_total), False))
        # The total always carries the € sign, so every layout shows the currency somewhere.
        rows.append((L["total"], self.money(spec.total_incl_vat, symbol=True), True))
        self.printed |= {"total_excl_vat", "vat_total", "total_incl_vat"}
        if len(spec.vat_groups) == 1 or not spec.reverse_charge:
            # Every rate prints its base, or there is one rate and its base is the total excl. VAT printed above.
            self.printed.add("vat_lines")
        if boxed:
            self.sheet.box(x_label - 6, y - 11, x_value - x_label + 12, len(rows) * 14 + 6, fill=HexColor("#F2F2F2"),
                           stroke=False)
        for label, value, strong in rows:
            self.sheet.text(x_label, y, label, size=size, bold=strong)
            self.sheet.text(x_value, y, value, size=size, bold=strong, align="right")
            y += 14
        return y

    def payment_text(self, x: float, y: float, *, due: bool, size: float = 8.5) -> float:
        spec, L = self.spec, self.L
        rows = []
        if spec.kind == "credit_note":
            if spec.credited_invoice:
                rows.append(L["credits"].format(number=spec.credited_invoice))
            rows.append(L["credit_terms"])
        elif due and spec.due_date:
            rows.append(L["terms"].format(amount=self.money(spec.total_incl_vat, symbol=True), due=self.date(spec.due_date),
                                          iban=format_iban(spec.supplier.iban or ""), number=spec.number))
            self.printed |= {"due_date", "iban"}
        else:
            rows.append(L["terms_days"].format(days=spec.payment_term_days, iban=format_iban(spec.supplier.iban or "")))
            self.printed.add("iban")
        if spec.reverse_charge:
            rows.append(L["reverse_note"])
        return self.sheet.block(x, y, rows, size=size, leading=11)


# --- the layout families -------------------------------------------------------------------------------------

W, H = A4
MARGIN = 20 * mm


def classic(doc: Doc) -> None:
    """Logo and supplier top left, "Factuur aan" window left below it, meta right, grid/zebra table, footer ids."""
    s, spec = doc.sheet, doc.spec
    s.logo(MARGIN, 40, spec.supplier.name)
    s.text(MARGIN + (54 if doc.style.logo != "none" else 0), 60, spec.supplier.name, size=15, bold=True,
           color=doc.style.accent)
    doc.printed.add("supplier_name")
    s.block(W - MARGIN, 45, [spec.supplier.street, f"{spec.supplier.postcode} {spec.supplier.city}", spec.supplier.phone,
                             spec.supplier.email, spec.supplier.website], size=8, leading=10, align="right")
    s.text(MARGIN, 118, f"{spec.supplier.name} · {spec.supplier.street} · {spec.supplier.postcode} {spec.supplier.city}",
           size=6)
    y = s.block(MARGIN, 135, doc.buyer_rows(heading=True), size=9.5, leading=12.5, bold_first=True)
    s.block(MARGIN, y + 4, doc.buyer_ids(), size=8, leading=10)
    s.text(W / 2 + 40, 135, doc.title, size=18, bold=True, color=doc.style.accent)
    for i, (label, value) in enumerate(doc.meta_rows()):
        s.text(W / 2 + 40, 158 + i * 13, label, size=9)
        s.text(W - MARGIN, 158 + i * 13, value, size=9, bold=i == 0, align="right")
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 250, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 200)
    y = doc.totals(W / 2 + 10, W - MARGIN, y + 14)
    doc.payment_text(MARGIN, y + 16, due=True)
    s.rule(MARGIN, W - MARGIN, H - 52, color=doc.style.accent)
    footer = " | ".join(doc.identifier_rows(spec.supplier))
    s.text(W / 2, H - 40, footer, size=7, align="center")


def modern_right(doc: Doc) -> None:
    """Logo and supplier column on the right, big title left, meta band, zebra table, shaded totals box."""
    s, spec = doc.sheet, doc.spec
    s.logo(W - MARGIN, 36, spec.supplier.name, align="right")
    s.text(MARGIN, 70, doc.title, size=26, bold=True, color=doc.style.accent)
    s.block(W - MARGIN, 95, doc.supplier_rows(spec.supplier, with_ids=True), size=8, leading=10.5, bold_first=True,
            align="right")
    y = s.block(MARGIN, 110, doc.buyer_rows(heading=False), size=9.5, leading=12)
    s.block(MARGIN, y + 4, doc.buyer_ids(), size=8, leading=10)
    band = doc.meta_rows()
    s.box(MARGIN, 215, W - 2 * MARGIN, 34, fill=HexColor("#EEEEEE"), stroke=False)
    step = (W - 2 * MARGIN) / len(band)
    for i, (label, value) in enumerate(band):
        s.text(MARGIN + 8 + i * step, 228, label.upper(), size=6.5, color=doc.style.accent, bold=True)
        s.text(MARGIN + 8 + i * step, 242, value, size=9.5)
    doc.style.table = "zebra" if doc.style.table == "grid" else doc.style.table
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 268, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 170)
    y = doc.totals(W / 2 + 20, W - MARGIN - 6, y + 18, boxed=True)
    doc.payment_text(MARGIN, y + 20, due=True)


def footer_block(doc: Doc) -> None:
    """Name centred on top, window on the right, meta as a small table, rules-only table, all ids in the footer.

    This layout prints only the payment term in days, not a due date: realistic, and a test of due-date logic.
    """
    s, spec = doc.sheet, doc.spec
    s.text(W / 2, 55, spec.supplier.name.upper(), size=17, bold=True, align="center", color=doc.style.accent)
    s.rule(W / 2 - 120, W / 2 + 120, 64, width=1.2, color=doc.style.accent)
    doc.printed.add("supplier_name")
    s.box(W - MARGIN - 230, 110, 230, 92, stroke=False, fill=HexColor("#FAFAFA"))
    s.block(W - MARGIN - 220, 125, doc.buyer_rows(heading=True), size=9.5, leading=12.5, bold_first=True)
    s.text(MARGIN, 125, doc.title, size=14, bold=True)
    for i, (label, value) in enumerate(doc.meta_rows(due=False)):
        s.box(MARGIN, 135 + i * 15, 95, 15)
        s.box(MARGIN + 95, 135 + i * 15, 110, 15)
        s.text(MARGIN + 4, 146 + i * 15, label, size=8)
        s.text(MARGIN + 99, 146 + i * 15, value, size=8.5, bold=i == 0)
    s.block(W - MARGIN - 220, 215, doc.buyer_ids(), size=8, leading=10)
    doc.style.table = "rules"
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 255, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 190)
    y = doc.totals(W - MARGIN - 230, W - MARGIN, y + 14)
    doc.payment_text(MARGIN, y + 14, due=False)
    s.rule(MARGIN, W - MARGIN, H - 78, width=0.4)
    party = spec.supplier
    cols = [[party.name, party.street, f"{party.postcode} {party.city}"],
            [party.phone, party.email, party.website],
            doc.identifier_rows(party)]
    for i, rows in enumerate(cols):
        s.block(MARGIN + i * (W - 2 * MARGIN) / 3, H - 64, rows, size=7, leading=9)


def multipage(doc: Doc) -> None:
    """Classic letterhead, a long table carried over page breaks with transport lines and page numbers."""
    s, spec = doc.sheet, doc.spec
    running: list[Decimal] = [Decimal("0.00")]
    for line in spec.lines:
        running.append(running[-1] + line.amount)

    def letterhead() -> None:
        s.logo(MARGIN, 32, spec.supplier.name)
        s.text(MARGIN + 54, 52, spec.supplier.name, size=13, bold=True, color=doc.style.accent)
        s.text(W - MARGIN, 52, f"{doc.number_label} {spec.number}", size=9, align="right")
        s.text(W - MARGIN, H - 24, doc.L["page"].format(n=doc.pages, of=doc.total_pages or doc.pages), size=7,
               align="right")
        s.text(MARGIN, H - 24, " · ".join(doc.identifier_rows(spec.supplier)), size=6.5)

    def on_break(_: int) -> float:
        letterhead()
        return 80

    letterhead()
    doc.printed.add("supplier_name")
    s.block(W - MARGIN, 70, [spec.supplier.street, f"{spec.supplier.postcode} {spec.supplier.city}", spec.supplier.email],
            size=8, leading=10, align="right")
    y = s.block(MARGIN, 110, doc.buyer_rows(heading=True), size=9.5, leading=12, bold_first=True)
    s.block(MARGIN, y + 4, doc.buyer_ids(), size=8, leading=10)
    s.text(W / 2 + 40, 115, doc.title, size=16, bold=True)
    for i, (label, value) in enumerate(doc.meta_rows()):
        s.text(W / 2 + 40, 135 + i * 12, label, size=8.5)
        s.text(W - MARGIN, 135 + i * 12, value, size=8.5, align="right")
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 215, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 50, size=8,
                  on_break=on_break, carry=lambda i: doc.money(running[i], symbol=False))
    if y > H - 190:
        doc.new_page()
        letterhead()
        y = 90
    y = doc.totals(W / 2 + 10, W - MARGIN, y + 14)
    doc.payment_text(MARGIN, y + 16, due=True)


def english(doc: Doc) -> None:
    """An English-language invoice from a Dutch supplier: header bar, "Bill to", ids in a right column."""
    s, spec = doc.sheet, doc.spec
    s.box(0, 0, W, 80, fill=doc.style.accent, stroke=False)
    s.text(MARGIN, 48, spec.supplier.name, size=18, bold=True, color=white)
    s.text(W - MARGIN, 48, doc.title, size=20, bold=True, color=white, align="right")
    doc.printed.add("supplier_name")
    y = s.block(MARGIN, 115, doc.buyer_rows(heading=True), size=9.5, leading=12, bold_first=True)
    s.block(MARGIN, y + 4, doc.buyer_ids(), size=8, leading=10)
    for i, (label, value) in enumerate(doc.meta_rows()):
        s.text(W / 2, 115 + i * 13, label + ":", size=9, bold=True)
        s.text(W / 2 + 95, 115 + i * 13, value, size=9)
    s.block(W / 2, 190, [spec.supplier.street, f"{spec.supplier.postcode} {spec.supplier.city}, The Netherlands",
                         *doc.identifier_rows(spec.supplier)], size=7.5, leading=9.5)
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 265, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 170)
    y = doc.totals(W / 2 + 20, W - MARGIN, y + 14)
    doc.payment_text(MARGIN, y + 16, due=True)


def german(doc: Doc) -> None:
    """A German supplier (MwSt, USt-IdNr., Handelsregister), DIN 5008-like letter with the sender line."""
    s, spec = doc.sheet, doc.spec
    s.logo(W - MARGIN, 30, spec.supplier.name, align="right")
    s.text(MARGIN, 50, spec.supplier.name, size=14, bold=True)
    doc.printed.add("supplier_name")
    s.text(MARGIN, 125, f"{spec.supplier.name} · {spec.supplier.street} · {spec.supplier.postcode} {spec.supplier.city}",
           size=6)
    y = s.block(MARGIN, 140, doc.buyer_rows(heading=False), size=10, leading=12.5)
    s.block(MARGIN, y + 4, doc.buyer_ids(), size=8, leading=10)
    for i, (label, value) in enumerate(doc.meta_rows()):
        s.text(W - MARGIN - 170, 140 + i * 12.5, label, size=8.5)
        s.text(W - MARGIN, 140 + i * 12.5, value, size=8.5, align="right")
    s.text(MARGIN, 240, f"{doc.title} {spec.number}", size=13, bold=True)
    columns = doc.line_columns(W - 2 * MARGIN)
    y = doc.table(MARGIN, 255, columns, [doc.line_row(line) for line in spec.lines], bottom=H - 180)
    y = doc.totals(W / 2 + 10, W - MARGIN, y + 14)
    doc.payment_text(MARGIN, y + 16, due=True)
    party = spec.supplier
    cols = [[party.name, party.street, f"{party.postcode} {party.city}", "Deutschland"],
            [party.phone, party.email, party.website, party.register or ""], doc.identifier_rows(party)]
    s.rule(MARGIN, W - MARGIN, H - 70, width=0.4)
    for i, rows in enumerate(cols):
        s.block(MARGIN + i * (W - 2 * MARGIN) / 3, H - 58, rows, size=6.5, leading=8.5)


RECEIPT_WIDTH = 80 * mm


def receipt_pagesize(spec: InvoiceSpec) -> tuple[float, float]:
    """A till roll: 80 mm wide, as long as the receipt."""
    return RECEIPT_WIDTH, 330 + 24 * len(spec.lines) + 14 * len(spec.vat_groups)


def receipt(doc: Doc) -> None:
    """A one-column till receipt: shop header, items, BTW table, payment, ids at the bottom."""
    s, spec = doc.sheet, doc.spec
    w = s.width
    x0, x1 = 10, w - 10
    party = spec.supplier
    y = s.block(w / 2, 24, [party.name], size=10, align="center", bold_first=True)
    y = s.block(w / 2, y, [party.street, f"{party.postcode} {party.city}", party.phone], size=7.5, leading=9.5,
                align="center")
    doc.printed.add("supplier_name")
    ids = []
    if party.vat_id:
        ids.append(f"BTW: {party.vat_id}")
        doc.printed.add("supplier_vat")
    if party.kvk:
        ids.append(f"KvK: {party.kvk}")
        doc.printed.add("supplier_kvk")
    y = s.block(w / 2, y + 2, ids, size=7, leading=9, align="center")
    s.rule(x0, x1, y, width=0.3)
    y += 12
    when = f"{doc.date(spec.issue_date)} {10 + len(spec.number) % 9}:{len(spec.lines) * 7 % 60:02d}"
    s.text(x0, y, when, size=7.5)
    s.text(x1, y, f"Bon {spec.number}", size=7.5, align="right")
    doc.printed |= {"invoice_date", "invoice_number"}
    y += 14
    codes = {group.rate: chr(ord("A") + i) for i, group in enumerate(spec.vat_groups)}
    for line in spec.lines:
        s.text(x0, y, line.description[:30], size=7.5)
        y += 9.5
        detail = f"  {format_quantity(line.quantity, 'nl')} x {doc.money(line.unit_price, symbol=False)}"
        s.text(x0, y, detail, size=7.5)
        s.text(x1 - 12, y, doc.money(line.amount, symbol=False), size=7.5, align="right")
        s.text(x1, y, codes[line.vat_rate], size=7.5, align="right")
        y += 12
    s.rule(x0, x1, y - 4, width=0.3)
    y += 8
    s.text(x0, y, "TOTAAL", size=10, bold=True)
    s.text(x1, y, doc.money(spec.total_incl_vat, symbol=True), size=10, bold=True, align="right")
    y += 14
    s.text(x0, y, f"Betaald {spec.paid_with or 'PIN'}", size=7.5)
    s.text(x1, y, doc.money(spec.total_incl_vat, symbol=False), size=7.5, align="right")
    y += 16
    for label, xpos in (("BTW", x0), ("%", x0 + 40), ("Excl.", x0 + 110), ("BTW", x0 + 155), ("Incl.", x1)):
        s.text(xpos, y, label, size=7, bold=True, align="left" if xpos < x0 + 50 else "right")
    y += 10
    for group in spec.vat_groups:
        cells = (codes[group.rate], format_rate(group.rate, "nl"), doc.money(group.base, symbol=False),
                 doc.money(group.amount, symbol=False), doc.money(group.base + group.amount, symbol=False))
        for value, xpos in zip(cells, (x0, x0 + 40, x0 + 110, x0 + 155, x1), strict=True):
            s.text(xpos, y, value, size=7, align="left" if xpos < x0 + 50 else "right")
        y += 10
    cells = ("Totaal", "", doc.money(spec.total_excl_vat, symbol=False), doc.money(spec.vat_total, symbol=False),
             doc.money(spec.total_incl_vat, symbol=False))
    for value, xpos in zip(cells, (x0, x0 + 40, x0 + 110, x0 + 155, x1), strict=True):
        s.text(xpos, y, value, size=7, bold=True, align="left" if xpos < x0 + 50 else "right")
    doc.printed |= {"total_excl_vat", "vat_total", "total_incl_vat", "vat_lines"}
    y += 20
    s.block(w / 2, y, ["Bedankt voor uw bezoek!", party.website], size=7.5, leading=9.5, align="center")


LAYOUT_FUNCTIONS: dict[str, Callable[[Doc], None]] = {
    "classic": classic, "modern_right": modern_right, "footer_block": footer_block, "receipt": receipt,
    "multipage": multipage, "english": english, "german": german,
}


def render_pdf(spec: InvoiceSpec, layout: str, style: Style) -> Rendered:
    """Draw ``spec`` in ``layout`` and return the PDF bytes with its page count and printed fields."""
    pagesize = receipt_pagesize(spec) if layout == "receipt" else A4
    doc = Doc(spec, style, pagesize=pagesize)
    LAYOUT_FUNCTIONS[layout](doc)
    if layout != "multipage":
        return doc.finish()
    # "Pagina n van N" needs N: draw once to count the pages, then again with the count known.
    again = Doc(spec, style, pagesize=pagesize)
    again.total_pages = doc.pages
    LAYOUT_FUNCTIONS[layout](again)
    return again.finish()
