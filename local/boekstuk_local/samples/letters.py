"""A4 letter-style layout families: how tradesmen, freelancers, accountants, garages, webshops, staffing agencies,
subcontractors, forwarders and Belgian suppliers print their invoices.

Each family is a builder (``build_*``: the invoice drawn from a ``Draft``) and a renderer (the page drawn from a
``Doc``); ``families`` registers them with their categories and benchmark split.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from faker import Faker
from reportlab.lib.colors import HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from .blocks import addressee, columns, fit, ids_text, pairs, paragraph, pay_sentence, totals
from .drafts import Draft, brand, compose, digits, draw_lines, strip_form, with_form
from .formats import format_iban, format_quantity, format_rate
from .model import CATALOGUE, InvoiceSpec, Party, SampleLine, iban_for, random_supplier, sector_of
from .pdf import MARGIN, Doc, H, W

GREY = HexColor("#666666")
LIGHT = HexColor("#F1F1F1")


def _trade(party: Party) -> str:
    return party.trade_name or strip_form(party.name)


def _credit_line(doc: Doc) -> str:
    spec = doc.spec
    when = f" van {doc.date(spec.credited_date)}" if spec.credited_date else ""
    return f"Creditering van factuur {spec.credited_invoice}{when}"


def _std_row(doc: Doc, line: SampleLine) -> list[str]:
    return [line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
            doc.rate(line), doc.money(line.amount, symbol=False)]


# --- caps_letterhead -------------------------------------------------------------------------------------------

TAGLINES = {"construction": "BOUW · RENOVATIE · ONDERHOUD", "energy": "INSTALLATIE · ONDERHOUD · SERVICE",
            "print": "DRUKWERK · ONTWERP · SIGNING", "garage": "ONDERHOUD · APK · BANDEN",
            "office": "KANTOORINRICHTING · BENODIGDHEDEN"}


def build_caps_letterhead(d: Draft) -> InvoiceSpec:
    """A tradesman's B.V. whose letterhead prints its trade name without legal form."""
    rng = d.rng
    sector = rng.choice(sorted(TAGLINES))
    base = d.supplier or with_form(random_supplier(rng, "NL", sector=sector), "B.V.")
    supplier = dataclasses.replace(base, trade_name=strip_form(base.name))
    catalogue = CATALOGUE.get(sector_of(supplier, rng), CATALOGUE["office"])
    lines = draw_lines(d, catalogue, rng.choice((1, 2, 2, 3, 4, 5)), unique=True)
    n = rng.randrange(1, 9999)
    number = rng.choice((f"{d.issue.year}{n:04d}", f"F{d.issue:%y}-{n:04d}", f"{d.issue:%y}.{n:04d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 30, 30)),
                   order_reference=f"{rng.choice(('Offerte', 'Opdracht', 'Project'))} {digits(rng, 5)}"
                   if rng.random() < 0.5 else "", extras={"tagline": TAGLINES.get(sector, TAGLINES["office"])})


def caps_letterhead(doc: Doc) -> None:
    """Trade name in capitals top left (no legal form), address top right without a name, the addressee (a B.V.)
    in the largest type on the page; the legal name only in the "t.n.v." payment sentence and the footer."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    head = _trade(party).upper()
    size = min(19.0, 19.0 * (W / 2 + 40) / max(1.0, stringWidth(head, s.bold, 19)))  # never into the address
    s.text(MARGIN, 62, head, size=size, bold=True, color=doc.style.accent)
    s.text(MARGIN, 76, str(spec.extras.get("tagline", "")), size=7, color=GREY)
    s.block(W - MARGIN, 48, [party.street, f"{party.postcode} {party.city}", f"T {party.phone}", party.email,
                             party.website], size=8, leading=10, align="right")
    buyer = spec.buyer
    s.text(MARGIN, 150, buyer.name, size=14, bold=True)
    s.block(MARGIN, 166, ["t.a.v. de financiële administratie", buyer.street, f"{buyer.postcode} {buyer.city}"],
            size=10, leading=13)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(MARGIN, 214, f"Uw btw-nummer: {buyer.vat_id}", size=8)
        doc.printed.add("buyer_vat")
    s.text(MARGIN, 262, "Factuur", size=16, bold=True)
    meta = [("Factuurnr.", spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    if spec.order_reference:
        meta.append(("Uw referentie", spec.order_reference))
    pairs(doc, MARGIN, 282, meta, value_x=MARGIN + 95, size=9)
    doc.printed |= {"invoice_number", "invoice_date"}
    table = columns([("Omschrijving", 0, "left"), ("Aantal", 45, "right"), ("Prijs", 70, "right"),
                     ("Btw", 45, "right"), ("Totaal", 75, "right")], W - 2 * MARGIN)
    y = doc.table(MARGIN, 340, table, [_std_row(doc, line) for line in spec.lines], bottom=H - 190)
    y = totals(doc, W / 2 + 30, W - MARGIN, y + 14, vat="Btw {rate} over {base}")
    paragraph(doc, MARGIN, y + 14, pay_sentence(doc), W - 2 * MARGIN)
    s.rule(MARGIN, W - MARGIN, H - 58, width=0.4, color=doc.style.accent)
    s.text(W / 2, H - 46, f"{party.name} · {party.street} · {party.postcode} {party.city}", size=7, align="center")
    s.text(W / 2, H - 36, ids_text(doc, party), size=7, align="center")
    doc.printed.add("supplier_name")


# --- side_column -----------------------------------------------------------------------------------------------

SIDEBAR = 165.0


def build_side_column(d: Draft) -> InvoiceSpec:
    """A small firm's Word template: any supplier, standard lines; credit notes too."""
    rng = d.rng
    supplier = d.supplier or random_supplier(rng, "NL", sector=rng.choice(("consulting", "software", "print", "office")))
    catalogue = CATALOGUE.get(sector_of(supplier, rng), CATALOGUE["office"])
    lines = draw_lines(d, catalogue, rng.choice((1, 2, 3, 3, 4, 6)), unique=True)
    number = rng.choice((f"{d.issue.year}-{rng.randrange(1, 999):04d}", f"{d.issue:%Y%m}{rng.randrange(1, 99):02d}",
                         f"INV{d.issue:%y}{rng.randrange(1, 9999):04d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 30)),
                   extras={"dark": rng.random() < 0.5, "customer": digits(rng, 5)})


def side_column(doc: Doc) -> None:
    """The supplier only in a coloured column down the left edge (name, address, KvK, btw, IBAN); the main
    area holds the title, the buyer ("Btw-id klant") and a grid of invoice data."""
    s, spec = doc.sheet, doc.spec
    party, dark = spec.supplier, bool(spec.extras.get("dark"))
    s.box(0, 0, SIDEBAR, H, fill=doc.style.accent if dark else HexColor("#E9EEF4"), stroke=False)
    ink = white if dark else HexColor("#222222")
    s.logo(24, 36, party.name)
    x = 24
    name_rows = [party.name] if len(party.name) < 24 else party.name.rsplit(" ", 1)
    for i, row in enumerate(name_rows):
        s.text(x, 112 + i * 13, row, size=11, bold=True, color=ink)
    y = 112 + len(name_rows) * 13 + 8
    for row in (party.street, f"{party.postcode} {party.city}", "", party.phone, party.email, party.website, ""):
        s.text(x, y, row, size=7.5, color=ink)
        y += 10.5
    for label, value in (("KvK", party.kvk), ("Btw-id", party.vat_id), ("IBAN", format_iban(party.iban or "")),
                         ("BIC", party.bic)):
        if value:
            s.text(x, y, label, size=6.5, bold=True, color=ink)
            s.text(x, y + 9, value, size=7.5, color=ink)
            y += 22
    doc.printed |= {"supplier_name", "supplier_kvk", "supplier_vat", "iban"}
    left = SIDEBAR + 28
    right = W - 40
    title = "CREDITNOTA" if spec.kind == "credit_note" else "FACTUUR"
    s.text(left, 72, title, size=24, bold=True, color=doc.style.accent)
    buyer = spec.buyer
    s.text(left, 112, "Factuur aan", size=7.5, color=GREY)
    s.text(left, 127, buyer.name, size=12, bold=True)
    y = s.block(left, 141, [buyer.street, f"{buyer.postcode} {buyer.city}"], size=9.5, leading=12)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(left, y + 4, f"Btw-id klant: {buyer.vat_id}", size=8)
        doc.printed.add("buyer_vat")
    grid = [("Factuurnummer", spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    if spec.due_date:
        grid.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    grid.append(("Klantnummer", str(spec.extras.get("customer", ""))))
    doc.printed |= {"invoice_number", "invoice_date"}
    cell = (right - left) / len(grid)
    for i, (label, value) in enumerate(grid):
        s.text(left + i * cell, 212, label.upper(), size=6.5, bold=True, color=GREY)
        s.text(left + i * cell, 226, value, size=9.5)
    s.rule(left, right, 236, width=0.4)
    if spec.kind == "credit_note":
        s.text(left, 252, _credit_line(doc), size=8.5)
    table = columns([("Omschrijving", 0, "left"), ("Aantal", 40, "right"), ("Tarief", 62, "right"),
                     ("Btw", 36, "right"), ("Bedrag", 66, "right")], right - left)
    y = doc.table(left, 266, table, [[fit(r[0], table[0].width - 8, doc.style.font, 8.5), *r[1:]]
                                     for r in (_std_row(doc, line) for line in spec.lines)], bottom=H - 160)
    y = totals(doc, right - 200, right, y + 14, excl="Subtotaal", vat="Btw {rate}", total="Totaal")
    if spec.kind == "invoice":
        text = (f"Betaling binnen {spec.payment_term_days} dagen op {format_iban(party.iban or '')} onder vermelding "
                "van het factuurnummer.")
    else:
        text = "Het creditbedrag wordt binnen 14 dagen teruggestort of verrekend met een openstaande factuur."
    paragraph(doc, left, y + 14, text, right - left)


# --- bottom_supplier -------------------------------------------------------------------------------------------


def build_bottom_supplier(d: Draft) -> InvoiceSpec:
    """Any supplier; the number is a bare number or prefixed; credit notes too."""
    rng = d.rng
    supplier = d.supplier or random_supplier(rng, "NL")
    catalogue = CATALOGUE.get(sector_of(supplier, rng), CATALOGUE["office"])
    lines = draw_lines(d, catalogue, rng.choice((1, 2, 3, 4, 5)), unique=True)
    n = rng.randrange(1, 999999)
    number = rng.choice((f"{n:06d}", f"{d.issue:%y}{n % 100000:05d}", f"FA-{d.issue.year}-{n % 10000:04d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 21, 30)),
                   extras={"label": rng.choice(("Factuurnummer", "Factuur nr.", "Nummer")),
                           "debtor": f"D{digits(rng, 5)}"})


def bottom_supplier(doc: Doc) -> None:
    """Only a logo on top; the buyer's block (with "KvK afnemer", "Btw-nr. afnemer") is the first name on the
    page; quantity first in the table; the supplier's name, address and ids only in the footer band."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    if doc.style.logo == "none":
        doc.style.logo = "square"
    s.logo(MARGIN, 36, party.name)
    title = "CREDITFACTUUR" if spec.kind == "credit_note" else "FACTUUR"
    s.text(W - MARGIN, 68, title, size=22, bold=True, align="right", color=doc.style.accent)
    buyer = spec.buyer
    s.text(MARGIN, 140, buyer.name, size=14, bold=True)
    y = s.block(MARGIN, 157, [buyer.street, f"{buyer.postcode} {buyer.city}"], size=10, leading=13)
    doc.printed.add("buyer_name")
    ids = []
    if buyer.kvk:
        ids.append(f"KvK afnemer: {buyer.kvk}")
        doc.printed.add("buyer_kvk")
    if buyer.vat_id:
        ids.append(f"Btw-nr. afnemer: {buyer.vat_id}")
        doc.printed.add("buyer_vat")
    s.block(MARGIN, y + 8, ids, size=8, leading=10.5)
    meta = [(str(spec.extras.get("label", "Factuurnummer")), spec.number), ("Datum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    meta.append(("Debiteur", str(spec.extras.get("debtor", ""))))
    pairs(doc, W - MARGIN - 190, 140, meta, value_x=W - MARGIN, value_align="right", size=9, leading=13)
    doc.printed |= {"invoice_number", "invoice_date"}
    if spec.kind == "credit_note":
        s.text(MARGIN, 242, f"Correctie op factuur {spec.credited_invoice}", size=9)
    table = columns([("Aantal", 50, "left"), ("Omschrijving", 0, "left"), ("Stukprijs", 80, "right"),
                     ("Bedrag", 85, "right")], W - 2 * MARGIN)
    rows = [[format_quantity(line.quantity, doc.lang), line.description, doc.money(line.unit_price, symbol=False),
             doc.money(line.amount, symbol=False)] for line in spec.lines]
    y = doc.table(MARGIN, 258, table, rows, bottom=H - 210)
    y = totals(doc, W / 2 + 20, W - MARGIN, y + 14, excl="Totaal excl. btw", vat="Btw {rate}",
               total="Totaal te voldoen")
    if spec.kind == "invoice":
        s.text(MARGIN, y + 14, f"Betaling binnen {spec.payment_term_days} dagen na factuurdatum.", size=8.5)
    s.box(0, H - 96, W, 96, fill=LIGHT, stroke=False)
    third = (W - 2 * MARGIN) / 3
    s.block(MARGIN, H - 74, [party.name, party.street, f"{party.postcode} {party.city}"], size=7.5, leading=10,
            bold_first=True)
    s.block(MARGIN + third, H - 74, [f"T {party.phone}", party.email, party.website], size=7.5, leading=10)
    rows = []
    if party.kvk:
        rows.append(f"KvK {party.kvk}")
    if party.vat_id:
        rows.append(f"Btw {party.vat_id}")
    if party.iban:
        rows.append(f"IBAN {format_iban(party.iban)}")
    if party.bic:
        rows.append(f"BIC {party.bic}")
    s.block(MARGIN + 2 * third, H - 74, rows, size=7.5, leading=10)
    doc.printed |= {"supplier_name", "supplier_kvk", "supplier_vat", "iban"}


# --- freelancer_word -------------------------------------------------------------------------------------------

FREELANCE: dict[str, tuple[str, tuple[tuple[str, tuple[float, float], int], ...]]] = {
    "Fotografie": ("fotograaf", (("Fotografie bedrijfsevent (dagdeel)", (295, 650), 21),
                                 ("Nabewerking en selectie foto's", (95, 250), 21), ("Reiskosten", (15, 60), 21))),
    "Tekst & Redactie": ("tekstschrijver", (("Redactie jaarverslag", (450, 1800), 21),
                                            ("Schrijven nieuwsbrief", (180, 420), 21), ("Correctieronde", (60, 180), 21))),
    "Webdesign": ("webdesigner", (("Ontwerp homepage", (450, 1250), 21), ("Onderhoud website per maand", (45, 120), 21),
                                  ("Hosting jaarpakket", (60, 180), 21))),
    "Vertalingen": ("vertaler", (("Vertaling NL-EN, per 1000 woorden", (85, 140), 21),
                                 ("Spoedtoeslag", (50, 150), 21))),
}


def build_freelancer_word(d: Draft) -> InvoiceSpec:
    """A one-person business (eenmanszaak): a trade name with the owner's name, hours and fixed fees; a third
    use the small-business scheme (KOR) and charge no VAT."""
    rng = d.rng
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    first, last = fake.first_name(), fake.last_name()
    trade = rng.choice(sorted(FREELANCE))
    supplier = d.supplier or dataclasses.replace(
        random_supplier(rng, "NL", sector="consulting"), name=f"{first} {last} {trade}",
        email=f"{first.lower()}@{''.join(ch for ch in last.lower() if ch.isalpha())}.test", website="")
    kor = rng.random() < 0.3
    _, catalogue = FREELANCE[trade]
    count = rng.choice((1, 1, 2, 3))
    lines = draw_lines(d, catalogue, count, exempt=kor, quantities=("1", "1", "2", "3"), unique=True)
    if kor:
        lines = tuple(dataclasses.replace(line, vat_rate=Decimal(0)) for line in lines)
    number = rng.choice((f"{d.issue.year}-{rng.randrange(1, 60):03d}", f"{d.issue.year}.{rng.randrange(1, 60):02d}",
                         f"{first[0]}{last[0]}-{d.issue:%y}-{rng.randrange(1, 60):02d}".upper()))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 14, 30)),
                   extras={"owner": f"{first[0]}. {last}", "kor": kor,
                           "subject": rng.choice(("Betreft: werkzaamheden volgens afspraak",
                                                  "Betreft: opdracht van vorige maand", "Project: voorjaarscampagne"))})


def freelancer_word(doc: Doc) -> None:
    """A Word invoice: sender block top right, plain "FACTUUR", "Aan:", number and date as "label: value" lines,
    a two-column table, totals, a "t.n.v." sentence with the owner's initials, a greeting, ids at the bottom."""
    s, spec = doc.sheet, doc.spec
    doc.style.font = "Times-Roman"
    s.bold = "Times-Bold"
    party = spec.supplier
    s.block(W - MARGIN, 60, [party.name, party.street, f"{party.postcode} {party.city}", party.phone, party.email],
            size=10, leading=13, align="right", bold_first=True)
    doc.printed.add("supplier_name")
    s.text(MARGIN, 170, "FACTUUR", size=16, bold=True)
    s.text(MARGIN, 196, "Aan:", size=10.5)
    buyer = spec.buyer
    s.block(MARGIN + 40, 196, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=10.5, leading=13.5)
    doc.printed.add("buyer_name")
    rows = [f"Factuurnummer: {spec.number}", f"Factuurdatum: {doc.date(spec.issue_date)}"]
    if spec.due_date:
        rows.append(f"Vervaldatum: {doc.date(spec.due_date)}")
        doc.printed.add("due_date")
    doc.printed |= {"invoice_number", "invoice_date"}
    y = s.block(MARGIN, 262, rows, size=10.5, leading=14)
    s.text(MARGIN, y + 8, str(spec.extras.get("subject", "")), size=10.5)
    table = columns([("Omschrijving", 0, "left"), ("Bedrag", 110, "right")], W - 2 * MARGIN)
    body = []
    for line in spec.lines:
        description = line.description
        if line.quantity != 1:
            description += f" ({format_quantity(line.quantity, doc.lang)} x {doc.money(line.unit_price, symbol=True)})"
        body.append([description, doc.money(line.amount, symbol=True)])
    doc.style.table = "rules"
    y = doc.table(MARGIN, y + 28, table, body, bottom=H - 220, size=10)
    x_label, x_value = W / 2 + 10, W - MARGIN - 4
    s.text(x_label, y + 16, "Subtotaal", size=10.5)
    s.text(x_value, y + 16, doc.money(spec.total_excl_vat, symbol=True), size=10.5, align="right")
    if spec.extras.get("kor"):
        s.text(x_label, y + 32, "Btw", size=10.5)
        s.text(x_value, y + 32, doc.money(spec.vat_total, symbol=True), size=10.5, align="right")
        note = "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)."
    else:
        group = spec.vat_groups[0]
        s.text(x_label, y + 32, f"{format_rate(group.rate, doc.lang)} btw", size=10.5)
        s.text(x_value, y + 32, doc.money(group.amount, symbol=True), size=10.5, align="right")
        note = ""
    s.rule(x_label, x_value, y + 38, width=0.5)
    s.text(x_label, y + 52, "Totaal", size=11, bold=True)
    s.text(x_value, y + 52, doc.money(spec.total_incl_vat, symbol=True), size=11, bold=True, align="right")
    doc.printed |= {"total_excl_vat", "vat_total", "total_incl_vat", "vat_lines"}
    y += 82
    if note:
        s.text(MARGIN, y, note, size=9.5)
        y += 18
    owner = str(spec.extras.get("owner", party.name))
    text = (f"Ik verzoek u vriendelijk het totaalbedrag binnen {spec.payment_term_days or 14} dagen over te maken op "
            f"rekeningnummer {format_iban(party.iban or '')} t.n.v. {owner}, onder vermelding van het factuurnummer.")
    doc.printed.add("iban")
    y = paragraph(doc, MARGIN, y, text, W - 2 * MARGIN, size=10.5, leading=14)
    s.block(MARGIN, y + 18, ["Met vriendelijke groet,", "", owner], size=10.5, leading=14)
    footer = [f"KvK {party.kvk}"] if party.kvk else []
    doc.printed.add("supplier_kvk")
    if not spec.extras.get("kor") and party.vat_id:
        footer.append(f"Btw-id {party.vat_id}")
        doc.printed.add("supplier_vat")
    s.text(W / 2, H - 40, "   |   ".join(footer), size=9, align="center")


# --- accountant ------------------------------------------------------------------------------------------------

WORK = ("samenstellen van de jaarrekening {y}", "verzorgen van de aangifte vennootschapsbelasting {y}",
        "verzorgen van de aangiften omzetbelasting", "salarisadministratie en loonaangiften",
        "advies inzake de overdracht van de onderneming", "bijwonen van de aandeelhoudersvergadering",
        "opstellen van de prognose {n}")


def build_accountant(d: Draft) -> InvoiceSpec:
    """An accountancy firm's note ("declaratie"): a fee for the period's work plus office costs (3 or 5 %)."""
    rng = d.rng
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    base = d.supplier or random_supplier(rng, "NL", sector="consulting")
    surname = fake.last_name()
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"{surname} {rng.choice(('Accountants', 'Accountants & Adviseurs', 'Belastingadviseurs'))} B.V.")
    fee = Decimal(rng.randrange(450_00, 6_500_00)) / 100
    share = rng.choice((3, 5))
    office = (fee * share / 100).quantize(Decimal("0.01"))
    work = [w.format(y=d.issue.year - 1, n=d.issue.year + 1) for w in rng.sample(WORK, rng.randint(1, 3))]
    lines = (SampleLine("Honorarium", d.sign, fee, Decimal(21)),
             SampleLine(f"Kantoorkosten {share}%", d.sign, office, Decimal(21)))
    label = rng.choice(("Declaratienummer", "Notanummer", "Factuurnummer"))
    number = rng.choice((f"{d.issue:%y}.{rng.randrange(1, 9999):04d}", f"{d.issue.year}{rng.randrange(1, 9999):04d}",
                         f"D{d.issue.year}-{rng.randrange(1, 999):03d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 14, 30)),
                   extras={"work": work, "label": label, "relation": digits(rng, 5),
                           "reference": f"{d.issue.year}/{rng.randrange(100, 999)}/{fake.first_name()[0]}{surname[0]}",
                           "title": rng.choice(("Declaratie", "Factuur", "Nota"))})


def accountant(doc: Doc) -> None:
    """A formal letter: stylised lower-case name, "Plaats, datum" line, "Ons kenmerk" and "Relatienummer" beside
    the note's own number, the work as a sentence with the fee in a right column, ids in a legal footer line."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    head = _trade(party).lower()
    s.text(MARGIN, 58, head, size=18, color=doc.style.accent)
    s.rule(MARGIN, MARGIN + 170, 66, width=1.5, color=doc.style.accent)
    s.block(W - MARGIN, 44, [party.street, f"{party.postcode} {party.city}", party.phone, party.email], size=8,
            leading=10, align="right")
    buyer = spec.buyer
    s.block(MARGIN, 140, [buyer.name, "t.a.v. de directie", buyer.street, f"{buyer.postcode} {buyer.city}"],
            size=10, leading=13)
    doc.printed.add("buyer_name")
    s.text(MARGIN, 232, f"{party.city}, {doc.date(spec.issue_date)}", size=10)
    doc.printed.add("invoice_date")
    meta = [("Ons kenmerk", str(spec.extras.get("reference", ""))), ("Relatienummer", str(spec.extras.get("relation", ""))),
            (str(spec.extras.get("label", "Factuurnummer")), spec.number)]
    pairs(doc, MARGIN, 258, meta, value_x=MARGIN + 110, size=9.5, leading=13)
    doc.printed.add("invoice_number")
    s.text(MARGIN, 316, str(spec.extras.get("title", "Declaratie")).upper(), size=13, bold=True)
    work = "; ".join(spec.extras.get("work", []))
    text = f"Voor door ons verrichte werkzaamheden in de afgelopen periode, waaronder het {work}."
    y = paragraph(doc, MARGIN, 340, text, W - 2 * MARGIN - 120, size=9.5, leading=13)
    x_value = W - MARGIN
    fee, office = spec.lines[0], spec.lines[1]
    s.text(x_value, 340, doc.money(fee.amount, symbol=True), size=9.5, align="right")
    s.text(MARGIN, y + 6, office.description, size=9.5)
    s.text(x_value, y + 6, doc.money(office.amount, symbol=True), size=9.5, align="right")
    y = totals(doc, W / 2 + 20, x_value, y + 36, excl="Totaal excl. btw", vat="Btw {rate}", total="Totaal",
               size=9.5)
    if spec.due_date:
        text = (f"Wij verzoeken u het totaalbedrag vóór {doc.date(spec.due_date)} over te maken op "
                f"{format_iban(party.iban or '')} onder vermelding van het {spec.extras.get('label', '').lower()}.")
        doc.printed |= {"due_date", "iban"}
        paragraph(doc, MARGIN, y + 18, text, W - 2 * MARGIN, size=9.5, leading=13)
    s.text(W / 2, H - 48, f"{party.name} is ingeschreven bij de KvK onder nummer {party.kvk} · btw {party.vat_id} "
                          f"· IBAN {format_iban(party.iban or '')}", size=6.8, align="center")
    s.text(W / 2, H - 38, "Op al onze werkzaamheden zijn onze algemene voorwaarden van toepassing.", size=6.8,
           align="center")
    doc.printed |= {"supplier_name", "supplier_kvk", "supplier_vat", "iban"}


# --- credit_note_ref -------------------------------------------------------------------------------------------

REASONS = ("retour beschadigde goederen", "prijscorrectie conform afspraak", "dubbel gefactureerd",
           "niet geleverde artikelen", "korting achteraf")


def build_credit_note_ref(d: Draft) -> InvoiceSpec:
    """A credit note that prints its own number and the number (and date) of the invoice it corrects."""
    rng = d.rng
    supplier = d.supplier or random_supplier(rng, "NL")
    catalogue = CATALOGUE.get(sector_of(supplier, rng), CATALOGUE["office"])
    lines = draw_lines(d, catalogue, rng.choice((1, 1, 2, 3)), unique=True)
    own, other = rng.randrange(1, 99999), rng.randrange(1, 99999)
    style = rng.randrange(4)
    if style == 0:
        number, credited = f"C{d.issue:%y}-{own:05d}", f"F{d.issue:%y}-{other:05d}"
    elif style == 1:
        number, credited = f"CN{d.issue.year}{own % 10000:04d}", f"{d.issue.year}{other % 10000:04d}"
    elif style == 2:
        number, credited = f"{d.issue.year}-C-{own % 1000:03d}", f"{d.issue.year}-{other % 10000:04d}"
    else:
        number, credited = f"{own:06d}", f"{other:06d}"
    return compose(d, supplier=supplier, lines=lines, number=number, credited=credited,
                   extras={"order": rng.randrange(3), "reason": rng.choice(REASONS), "positive": rng.random() < 0.4,
                           "own_label": rng.choice(("Creditnota nr.", "Creditnotanummer", "Nummer creditnota",
                                                    "Documentnummer")),
                           "ref_label": rng.choice(("Factuurnummer", "Betreft factuur", "Correctie op factuur",
                                                    "Uw factuur"))})


def credit_note_ref(doc: Doc) -> None:
    """The corrected invoice's number beside (often above) the credit note's own, sometimes under the label
    "Factuurnummer"; amounts negative or positive with "te verrekenen"."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    s.logo(MARGIN, 34, party.name)
    s.text(MARGIN + (54 if doc.style.logo != "none" else 0), 58, party.name, size=14, bold=True,
           color=doc.style.accent)
    s.block(W - MARGIN, 44, [party.street, f"{party.postcode} {party.city}", party.email], size=8, leading=10,
            align="right")
    buyer = spec.buyer
    y = s.block(MARGIN, 130, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=10, leading=13)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(MARGIN, y + 4, f"Uw btw-nummer: {buyer.vat_id}", size=8)
        doc.printed.add("buyer_vat")
    order = int(spec.extras.get("order", 0))
    own = (str(spec.extras.get("own_label", "Creditnota nr.")), spec.number)
    ref = (str(spec.extras.get("ref_label", "Factuurnummer")), spec.credited_invoice or "")
    when = ("Datum", doc.date(spec.issue_date))
    ref_date = ("Factuurdatum", doc.date(spec.credited_date)) if spec.credited_date else ("", "")
    s.text(MARGIN, 230, "CREDITNOTA", size=17, bold=True)
    if order == 2:
        s.text(MARGIN, 250, f"Creditnota {spec.number} bij factuur {spec.credited_invoice}", size=10)
        meta = [when, ref_date]
    else:
        meta = [ref, ref_date, own, when] if order == 0 else [own, when, ref, ref_date]
    pairs(doc, MARGIN, 272, [m for m in meta if m[0]], value_x=MARGIN + 120, size=9.5, leading=13)
    doc.printed |= {"invoice_number", "invoice_date"}
    s.text(MARGIN, 340, f"Reden: {spec.extras.get('reason', '')}", size=9)
    positive = bool(spec.extras.get("positive"))

    def shown(amount: Decimal) -> str:
        return doc.money(abs(amount) if positive else amount, symbol=False)

    table = columns([("Omschrijving", 0, "left"), ("Aantal", 45, "right"), ("Prijs", 70, "right"),
                     ("Btw", 40, "right"), ("Bedrag", 80, "right")], W - 2 * MARGIN)
    rows = [[line.description, format_quantity(abs(line.quantity) if positive else line.quantity, doc.lang),
             doc.money(line.unit_price, symbol=False), doc.rate(line), shown(line.amount)] for line in spec.lines]
    y = doc.table(MARGIN, 356, table, rows, bottom=H - 180)
    rows2 = [("Totaal excl. btw", shown(spec.total_excl_vat))]
    for group in spec.vat_groups:
        rows2.append((f"Btw {format_rate(group.rate, doc.lang)} over {shown(group.base)}", shown(group.amount)))
    if len(spec.vat_groups) > 1:
        rows2.append(("Totaal btw", shown(spec.vat_total)))
    rows2.append(("Totaal te verrekenen" if positive else "Totaal creditbedrag",
                  f"€ {shown(spec.total_incl_vat)}"))
    y = pairs(doc, W / 2 + 10, y + 14, rows2, value_x=W - MARGIN, value_align="right", size=9, leading=14)
    doc.printed |= {"total_excl_vat", "vat_total", "total_incl_vat", "vat_lines"}
    text = ("Het creditbedrag wordt verrekend met uw eerstvolgende factuur." if positive else
            "Het creditbedrag wordt binnen 14 dagen op uw rekening teruggestort.")
    s.text(MARGIN, y + 14, text, size=9)
    s.rule(MARGIN, W - MARGIN, H - 56, width=0.4)
    s.text(W / 2, H - 42, ids_text(doc, party, sep="  |  "), size=7, align="center")
    doc.printed.add("supplier_name")


# --- construction_verlegd --------------------------------------------------------------------------------------


def build_construction_verlegd(d: Draft) -> InvoiceSpec:
    """A subcontractor's instalment invoice, VAT reverse-charged (btw verlegd), with a G-account (G-rekening)
    for the wage-tax share beside its ordinary account."""
    rng = d.rng
    supplier = d.supplier or with_form(random_supplier(rng, "NL", sector="construction"),
                                       rng.choice(("B.V.", "B.V.", "V.O.F.")))
    contract = Decimal(rng.randrange(40_000, 900_000))
    parts = rng.choice((4, 5, 6, 8))
    term = rng.randint(1, parts)
    share = Decimal(100) / parts
    instalment = (contract * share / 100).quantize(Decimal("0.01"))
    lines = [SampleLine(f"Termijn {term} van {parts}: {share:.1f}% van de aanneemsom", d.sign, instalment,
                        Decimal(21), reverse_charge=True)]
    if rng.random() < 0.5:
        extra = draw_lines(d, (("Meerwerk volgens opdracht", (350, 4800), 21), ("Stelpost materialen", (400, 2600), 21),
                               ("Uren timmerman", (48, 62), 21)), rng.choice((1, 2)), reverse_charge=True,
                           quantities=("1", "8", "16", "24"))
        lines += list(extra)
    g_iban, _ = iban_for(rng, "NL")
    city = Faker("nl_NL")
    city.seed_instance(rng.randrange(2**32))
    number = rng.choice((f"{d.issue.year}{rng.randrange(1, 999):03d}", f"T{d.issue:%y}-{rng.randrange(1, 9999):04d}",
                         f"{d.issue:%y}/{rng.randrange(1, 999):03d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 30)),
                   extras={"g_iban": g_iban, "g_share": rng.choice((25, 30, 35, 40)),
                           "project": f"Nieuwbouw {rng.randint(4, 48)} woningen te {city.city()}",
                           "work_number": f"W{d.issue:%y}-{rng.randrange(1, 300):03d}", "contract": str(contract),
                           "buyer_label": rng.choice(("Btw-nummer afnemer", "Btw-id klant", "Uw btw-nummer"))})


def construction_verlegd(doc: Doc) -> None:
    """Letterhead left, "Opdrachtgever" block with the buyer's VAT id (required when VAT is reverse-charged),
    project and instalment data, "Btw verlegd" in the totals, and two IBANs: ordinary and G-rekening."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    s.text(MARGIN, 56, party.name, size=16, bold=True, color=doc.style.accent)
    s.text(MARGIN, 70, "Aannemersbedrijf voor woning- en utiliteitsbouw", size=8, color=GREY)
    s.block(W - MARGIN, 44, [party.street, f"{party.postcode} {party.city}", party.phone, party.email], size=8,
            leading=10, align="right")
    doc.printed.add("supplier_name")
    addressee(doc, MARGIN, 120, "Opdrachtgever:", str(spec.extras.get("buyer_label", "Btw-nummer afnemer")),
              heading_bold=True, vat_size=8.5)
    meta = [("Factuurnummer", spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    meta += [("Werknummer", str(spec.extras.get("work_number", "")))]
    pairs(doc, W / 2 + 30, 120, meta, value_x=W - MARGIN, value_align="right", size=9, leading=13)
    doc.printed |= {"invoice_number", "invoice_date"}
    title = "CREDITNOTA" if spec.kind == "credit_note" else "TERMIJNFACTUUR"
    s.text(MARGIN, 230, title, size=15, bold=True)
    s.text(MARGIN, 248, f"Project: {spec.extras.get('project', '')}", size=9)
    contract = Decimal(str(spec.extras.get("contract", "0")))
    s.text(MARGIN, 261, f"Aanneemsom excl. btw: {doc.money(contract, symbol=True)}", size=9)
    table = columns([("Omschrijving", 0, "left"), ("Aantal", 45, "right"), ("Prijs", 80, "right"),
                     ("Bedrag", 85, "right")], W - 2 * MARGIN)
    rows = [[line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
             doc.money(line.amount, symbol=False)] for line in spec.lines]
    y = doc.table(MARGIN, 280, table, rows, bottom=H - 220)
    y = totals(doc, W / 2 + 20, W - MARGIN, y + 14, excl="Totaal excl. btw", reverse="Btw verlegd",
               total="Totaal te betalen")
    text = (f"Btw verlegd naar {spec.buyer.name} op grond van art. 12 lid 5 Wet OB 1968 "
            f"(btw-nummer afnemer {spec.buyer.vat_id}).")
    y = paragraph(doc, MARGIN, y + 10, text, W - 2 * MARGIN, size=8.5)
    if spec.kind == "invoice":
        g_share = int(spec.extras.get("g_share", 30))
        g_amount = (spec.total_incl_vat * g_share / 100).quantize(Decimal("0.01"))
        text = (f"Gelieve {doc.money(g_amount, symbol=True)} ({g_share}%) over te maken op onze G-rekening "
                f"{format_iban(str(spec.extras.get('g_iban', '')))} en het restant op {format_iban(party.iban or '')}, "
                f"binnen {spec.payment_term_days} dagen, onder vermelding van het factuurnummer.")
        paragraph(doc, MARGIN, y + 6, text, W - 2 * MARGIN, size=8.5)
        doc.printed.add("iban")
    s.rule(MARGIN, W - MARGIN, H - 56, width=0.4)
    s.text(W / 2, H - 42, ids_text(doc, party, sep="  ·  ") + f"  ·  G-rekening {format_iban(str(spec.extras.get('g_iban', '')))}",
           size=6.8, align="center")


# --- transport_zero --------------------------------------------------------------------------------------------

ROUTES = (("Rotterdam (NL)", "Milano (IT)"), ("Venlo (NL)", "Poznań (PL)"), ("Moerdijk (NL)", "Lyon (FR)"),
          ("Rotterdam (NL)", "Felixstowe (GB)"), ("Tilburg (NL)", "Barcelona (ES)"))


def build_transport_zero(d: Draft) -> InvoiceSpec:
    """A Dutch freight forwarder invoicing international transport at 0 % in English (amounts and dates in
    English or Dutch formats)."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="office")
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"{brand(rng)} {rng.choice(('Logistics', 'Transport', 'Forwarding'))} B.V.")
    freight = Decimal(rng.randrange(650_00, 3_900_00)) / 100
    surcharge = rng.choice((8, 10, 12, 14))
    lines = [SampleLine("Road freight FTL", d.sign, freight, Decimal(0)),
             SampleLine(f"Fuel surcharge {surcharge}%", d.sign, (freight * surcharge / 100).quantize(Decimal("0.01")),
                        Decimal(0))]
    lines += draw_lines(d, (("Customs documents (T1)", (35, 95), 0), ("Waiting time per hour", (45, 75), 0),
                            ("Tail lift delivery", (25, 60), 0)), rng.choice((0, 1, 2)), quantities=("1", "2", "3"),
                        unique=True)
    origin, destination = rng.choice(ROUTES)
    language = "en" if rng.random() < 0.5 else "nl"
    number = rng.choice((f"EXP{d.issue:%y}/{rng.randrange(1, 99999):05d}", f"{d.issue.year}{rng.randrange(1, 99999):05d}",
                         f"INV-{rng.randrange(10000, 99999)}"))
    return compose(d, supplier=supplier, lines=lines, number=number, language=language, term=rng.choice((30, 45, 60)),
                   order_reference=f"PO {digits(rng, 6)}" if rng.random() < 0.5 else "",
                   extras={"route": f"{origin} - {destination}", "cmr": f"CMR {digits(rng, 7)}",
                           "shipment": f"SHP{digits(rng, 8)}", "customer": digits(rng, 6)})


def transport_zero(doc: Doc) -> None:
    """English labels on a Dutch forwarder's invoice: shipment, CMR and route beside the invoice number,
    "VAT 0% - international transport", payment with IBAN and BIC."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    s.box(0, 0, W, 86, fill=LIGHT, stroke=False)
    s.text(MARGIN, 46, party.name, size=17, bold=True, color=doc.style.accent)
    s.text(MARGIN, 62, f"{party.street}, {party.postcode} {party.city}, The Netherlands", size=8)
    title = "CREDIT NOTE" if spec.kind == "credit_note" else "INVOICE"
    s.text(W - MARGIN, 52, title, size=22, bold=True, align="right")
    doc.printed.add("supplier_name")
    addressee(doc, MARGIN, 120, "Invoice to:", "Customer VAT no.", heading_bold=True, size=9.5, leading=12,
              country="The Netherlands")
    meta = [("Invoice number", spec.number), ("Invoice date", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Due date", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    meta += [("Customer no.", str(spec.extras.get("customer", ""))), ("Shipment", str(spec.extras.get("shipment", ""))),
             ("Document", str(spec.extras.get("cmr", "")))]
    if spec.order_reference:
        meta.append(("Your reference", spec.order_reference))
    pairs(doc, W / 2 + 20, 120, meta, value_x=W / 2 + 120, size=8.5, leading=12)
    doc.printed |= {"invoice_number", "invoice_date"}
    s.text(MARGIN, 236, f"Route: {spec.extras.get('route', '')}", size=9, bold=True)
    if spec.kind == "credit_note":
        s.text(MARGIN, 250, f"Credit for invoice {spec.credited_invoice}", size=9)
    table = columns([("Description", 0, "left"), ("Qty", 40, "right"), ("Rate", 75, "right"), ("VAT", 40, "right"),
                     ("Amount", 80, "right")], W - 2 * MARGIN)
    rows = [[line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
             "0%", doc.money(line.amount, symbol=False)] for line in spec.lines]
    y = doc.table(MARGIN, 262, table, rows, bottom=H - 200)
    y = totals(doc, W / 2 - 20, W - MARGIN, y + 14, excl="Subtotal", total="Total EUR",
               vat="VAT {rate} (international transport)")
    text = ("VAT 0% - transport of goods to another country, art. 9 par. 2 sub b Dutch VAT Act. "
            f"Payment within {spec.payment_term_days or 30} days to IBAN {format_iban(party.iban or '')} "
            f"(BIC {party.bic}), stating the invoice number.")
    doc.printed.add("iban")
    paragraph(doc, MARGIN, y + 14, text, W - 2 * MARGIN, size=8.5)
    s.rule(MARGIN, W - MARGIN, H - 50, width=0.4)
    s.text(W / 2, H - 38, ids_text(doc, party, kvk="Chamber of Commerce", vat="VAT no.", sep="  ·  "), size=7,
           align="center")


# --- belgian_intra_eu ------------------------------------------------------------------------------------------

BE_LINES = (("Onderhoud installatie (forfait)", (350, 1900), 21), ("Wisselstukken", (80, 1200), 21),
            ("Verplaatsingskosten", (45, 120), 21), ("Consultancy per dag", (650, 1100), 21),
            ("Softwarelicentie (jaar)", (400, 2400), 21))


def structured_communication(rng_value: int) -> str:
    """A Belgian structured payment reference ``+++123/4567/89012+++``: ten digits and their mod-97 check."""
    base = rng_value % 10**10
    check = base % 97 or 97
    text = f"{base:010d}{check:02d}"
    return f"+++{text[:3]}/{text[3:7]}/{text[7:]}+++"


def build_belgian_intra_eu(d: Draft) -> InvoiceSpec:
    """A Flemish supplier invoicing a Dutch business: VAT reverse-charged across the border (intra-EU)."""
    rng = d.rng
    supplier = d.supplier or random_supplier(rng, "BE", sector=rng.choice(("energy", "software", "construction")))
    lines = draw_lines(d, BE_LINES, rng.choice((1, 2, 3, 4)), reverse_charge=True, quantities=("1", "1", "2", "3"),
                       unique=True)
    number = rng.choice((f"{d.issue.year}/{rng.randrange(1, 9999):04d}", f"VF-{d.issue:%y}-{rng.randrange(1, 9999):04d}",
                         f"{d.issue:%y}{rng.randrange(1, 99999):05d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((30, 30, 60)),
                   extras={"ogm": structured_communication(rng.randrange(10**9, 10**10)), "customer": digits(rng, 6),
                           "suffix": rng.random() < 0.5})


def _be_vat(vat_id: str) -> str:
    return f"BE {vat_id[2:6]}.{vat_id[6:9]}.{vat_id[9:]}"


def belgian_intra_eu(doc: Doc) -> None:
    """Belgian conventions: addressee on the right, "Vervaldag", dates dd/mm/yyyy, the VAT id as ``BE 0123.456.789``
    (the enterprise number), RPR instead of KvK, a structured payment reference, "Btw verlegd" for intra-EU."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    doc.style.date_style = "dd/mm/yyyy"
    s.logo(MARGIN, 30, party.name)
    s.text(MARGIN, 92, party.name, size=13, bold=True)
    s.block(MARGIN, 106, [party.street, f"{party.postcode} {party.city}", "België", f"Tel. {party.phone}", party.email],
            size=8, leading=10)
    doc.printed.add("supplier_name")
    buyer = spec.buyer
    s.block(W / 2 + 30, 120, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}", "Nederland"], size=10,
            leading=13)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(W / 2 + 30, 180, f"Btw-nr. klant: {buyer.vat_id}", size=8.5)
        doc.printed.add("buyer_vat")
    title = "CREDITNOTA" if spec.kind == "credit_note" else "FACTUUR"
    s.text(MARGIN, 222, title, size=16, bold=True, color=doc.style.accent)
    meta = [("Factuurnummer", spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldag", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    meta.append(("Klantnummer", str(spec.extras.get("customer", ""))))
    for i, (label, value) in enumerate(meta):
        cell = (W - 2 * MARGIN) / len(meta)
        s.text(MARGIN + i * cell, 244, label, size=7.5, color=GREY)
        s.text(MARGIN + i * cell, 257, value, size=9.5, bold=i == 0)
    doc.printed |= {"invoice_number", "invoice_date"}
    table = columns([("Omschrijving", 0, "left"), ("Aantal", 45, "right"), ("Eenheidsprijs", 80, "right"),
                     ("Btw", 45, "right"), ("Totaal", 80, "right")], W - 2 * MARGIN)
    rows = [[line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
             "IC", doc.money(line.amount, symbol=False)] for line in spec.lines]
    y = doc.table(MARGIN, 280, table, rows, bottom=H - 220)
    suffix = bool(spec.extras.get("suffix"))

    def amount(value: Decimal) -> str:
        return f"{doc.money(value, symbol=False)} EUR" if suffix else doc.money(value, symbol=True)

    rows2 = [("Totaal excl. btw", amount(spec.total_excl_vat)), ("Btw 0% - verlegd", amount(spec.vat_total)),
             ("Te betalen", amount(spec.total_incl_vat))]
    y = pairs(doc, W / 2 + 20, y + 14, rows2, value_x=W - MARGIN, value_align="right", size=9.5, leading=14)
    doc.printed |= {"total_excl_vat", "vat_total", "total_incl_vat", "vat_lines"}
    y = paragraph(doc, MARGIN, y + 10, "Btw verlegd - intracommunautaire levering, art. 138 / art. 196 Richtlijn "
                  "2006/112/EG. Btw te voldoen door de medecontractant.", W - 2 * MARGIN, size=8.5)
    if spec.due_date:
        text = (f"Gelieve te betalen vóór {doc.date(spec.due_date)} op rekening {format_iban(party.iban or '')} "
                f"(BIC {party.bic}) met vermelding van {spec.extras.get('ogm', '')}.")
        paragraph(doc, MARGIN, y + 6, text, W - 2 * MARGIN, size=8.5)
    s.rule(MARGIN, W - MARGIN, H - 56, width=0.4)
    footer = f"Ondernemingsnummer / btw {_be_vat(party.vat_id or '')}  ·  {party.register or ''}  ·  IBAN " \
             f"{format_iban(party.iban or '')}  ·  BIC {party.bic}"
    s.text(W / 2, H - 42, footer, size=7, align="center")
    doc.printed |= {"supplier_vat", "iban"}


# --- staffing_timesheet ----------------------------------------------------------------------------------------

ROLES = ("Orderpicker", "Heftruckchauffeur", "Productiemedewerker", "Magazijnmedewerker", "Schoonmaker",
         "Monteur", "Administratief medewerker")


def build_staffing_timesheet(d: Draft) -> InvoiceSpec:
    """A staffing agency's weekly invoice: one line per worker and week (hours x rate), sometimes a G-account."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="consulting")
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"{brand(rng)} {rng.choice(('Uitzendbureau', 'Personeelsdiensten', 'Flexwerk'))} B.V.")
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    week = d.issue.isocalendar().week
    rows = []
    lines = []
    for _ in range(rng.randint(2, 7)):
        worker = f"{fake.first_name()[0]}. {fake.last_name()}"
        role = rng.choice(ROLES)
        hours = Decimal(rng.choice(("16", "24", "32", "36", "38", "40", "7.5", "38.5")))
        rate = Decimal(rng.randrange(2600, 4800)) / 100
        rows.append([worker, f"{max(1, week - 1)}", role])
        lines.append(SampleLine(f"{worker}, week {max(1, week - 1)}, {role}", d.sign * hours, rate, Decimal(21)))
    if rng.random() < 0.35:  # hired out to a builder: the VAT is reverse-charged ("inlening bouw")
        lines = [dataclasses.replace(line, reverse_charge=True) for line in lines]
    g_iban = iban_for(rng, "NL")[0] if rng.random() < 0.5 else ""
    number = rng.choice((f"UZ-{d.issue.year}-{rng.randrange(1, 99999):05d}", f"{d.issue:%y}{rng.randrange(1, 99999):05d}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((14, 21, 30)),
                   extras={"rows": rows, "g_iban": g_iban, "cost_centre": f"KP{digits(rng, 3)}",
                           "relation": digits(rng, 6)})


def staffing_timesheet(doc: Doc) -> None:
    """Name top right, data top left; "Inlener" (the hirer: the buyer) with "Btw-id inlener"; a table whose
    columns run worker, week, role, hours, rate, amount; total hours above the money totals."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    s.text(W - MARGIN, 56, party.name, size=15, bold=True, align="right", color=doc.style.accent)
    s.text(W - MARGIN, 70, f"{party.street} · {party.postcode} {party.city} · {party.phone}", size=7.5, align="right")
    doc.printed.add("supplier_name")
    meta = [("Factuurnr.", spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    meta += [("Relatienr.", str(spec.extras.get("relation", ""))), ("Kostenplaats", str(spec.extras.get("cost_centre", "")))]
    pairs(doc, MARGIN, 110, meta, value_x=MARGIN + 85, size=9, leading=12.5)
    doc.printed |= {"invoice_number", "invoice_date"}
    buyer = spec.buyer
    s.text(W / 2 + 20, 110, "Inlener", size=8, bold=True, color=GREY)
    y = s.block(W / 2 + 20, 124, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=10, leading=13)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(W / 2 + 20, y + 4, f"Btw-id inlener: {buyer.vat_id}", size=8)
        doc.printed.add("buyer_vat")
    s.text(MARGIN, 232, "CREDITNOTA" if spec.kind == "credit_note" else "FACTUUR", size=15, bold=True)
    table = columns([("Medewerker", 0, "left"), ("Week", 40, "right"), ("Functie", 130, "left"), ("Uren", 50, "right"),
                     ("Tarief", 60, "right"), ("Bedrag", 75, "right")], W - 2 * MARGIN)
    rows = [[*extra, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
             doc.money(line.amount, symbol=False)]
            for extra, line in zip(spec.extras.get("rows", []), spec.lines, strict=True)]
    y = doc.table(MARGIN, 250, table, rows, bottom=H - 210)
    hours = sum((line.quantity for line in spec.lines), Decimal(0))
    s.text(MARGIN, y + 14, f"Totaal uren: {format_quantity(hours, doc.lang)}", size=9)
    y = totals(doc, W / 2 + 20, W - MARGIN, y + 14, excl="Subtotaal", vat="Btw {rate}", total="Totaal")
    if spec.reverse_charge:
        s.text(MARGIN, y + 6, "Btw verlegd op grond van art. 12 lid 5 Wet OB 1968 (inlening in de bouw).", size=8.5)
        y += 14
    g_iban = str(spec.extras.get("g_iban", ""))
    if spec.kind == "invoice":
        text = (f"Betaling binnen {spec.payment_term_days} dagen op {format_iban(party.iban or '')} o.v.v. het "
                "factuurnummer.")
        if g_iban:
            text += f" Conform de inlenersaansprakelijkheid 25% van het factuurbedrag op G-rekening {format_iban(g_iban)}."
        paragraph(doc, MARGIN, y + 14, text, W - 2 * MARGIN, size=8.5)
        doc.printed.add("iban")
    s.rule(MARGIN, W - MARGIN, H - 52, width=0.4)
    s.text(W / 2, H - 40, ids_text(doc, party, sep=" | "), size=7, align="center")


# --- webshop ---------------------------------------------------------------------------------------------------

SHOP = (("Bureaulamp LED dimbaar", (24.95, 89.95), 21), ("Draadloze muis", (14.99, 49.99), 21),
        ("USB-C dockingstation", (79.0, 189.0), 21), ("Monitor 27 inch", (179.0, 399.0), 21),
        ("Koffiebonen espresso 1 kg", (12.99, 24.99), 9), ("Vakboek boekhouden", (29.95, 64.5), 9),
        ("Printpapier A4 (5 pakken)", (21.99, 34.99), 21), ("Thee biologisch 100 zakjes", (6.49, 12.99), 9))


def build_webshop(d: Draft) -> InvoiceSpec:
    """An online shop's invoice: prices incl. VAT (21 % and 9 %), shipping, paid at checkout; credit notes for
    returns cite the order and the invoice."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="office")
    family = brand(rng)
    word = family.split()[-1].lower()
    shop = f"{word}{rng.choice(('shop', 'store', 'direct', 'online'))}.nl"
    supplier = base if d.supplier else dataclasses.replace(base, name=f"{family} E-commerce B.V.",
                                                          trade_name=shop, website=f"www.{shop}")
    if d.supplier:
        supplier = dataclasses.replace(supplier, trade_name=strip_form(supplier.name).lower().replace(" ", "") + ".nl")
    lines = list(draw_lines(d, SHOP, rng.randint(1, 5), quantities=("1", "1", "1", "2", "3"), unique=True))
    shipping = Decimal(rng.choice(("0.00", "4.95", "6.95")))
    if shipping and d.kind == "invoice":
        lines.append(SampleLine("Verzendkosten", Decimal(1), shipping, Decimal(21)))
    number = rng.choice((f"NL{d.issue.year}{rng.randrange(1, 9999999):07d}", f"INV-{digits(rng, 8)}"))
    return compose(d, supplier=supplier, lines=lines, number=number, prices_include_vat=True,
                   extras={"order": digits(rng, 10), "customer": digits(rng, 7),
                           "method": rng.choice(("iDEAL", "iDEAL", "creditcard", "achteraf betalen")),
                           "order_date": (d.issue - dt.timedelta(days=rng.randrange(0, 4))).isoformat()},
                   term=14 if rng.random() < 0.3 else None)


def webshop(doc: Doc) -> None:
    """Shop name in lower case as a logo, "Factuuradres" and "Afleveradres" side by side, an order-data box
    (order number and date beside the invoice's), prices incl. VAT, "paid with iDEAL"."""
    s, spec = doc.sheet, doc.spec
    party = spec.supplier
    s.text(MARGIN, 56, _trade(party), size=20, bold=True, color=doc.style.accent)
    title = "Creditfactuur" if spec.kind == "credit_note" else "Factuur"
    s.text(W - MARGIN, 56, title, size=18, align="right")
    doc.printed.add("supplier_name")
    buyer = spec.buyer
    for x, heading, rows in ((MARGIN, "Factuuradres", [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"]),
                             (W / 2, "Afleveradres", [buyer.name, "t.a.v. de receptie", buyer.street,
                                                       f"{buyer.postcode} {buyer.city}"])):
        s.text(x, 104, heading, size=8, bold=True)
        s.block(x, 118, rows, size=9.5, leading=12)
    doc.printed.add("buyer_name")
    order_date = dt.date.fromisoformat(str(spec.extras.get("order_date", spec.issue_date.isoformat())))
    info = [("Bestelnummer", str(spec.extras.get("order", ""))), ("Besteldatum", doc.date(order_date)),
            ("Factuurnummer", spec.number), ("Factuurdatum", doc.date(spec.issue_date)),
            ("Klantnummer", str(spec.extras.get("customer", "")))]
    s.box(MARGIN, 186, W - 2 * MARGIN, 40, fill=LIGHT, stroke=False)
    cell = (W - 2 * MARGIN) / len(info)
    for i, (label, value) in enumerate(info):
        s.text(MARGIN + 6 + i * cell, 200, label, size=7, color=GREY)
        s.text(MARGIN + 6 + i * cell, 215, value, size=9)
    doc.printed |= {"invoice_number", "invoice_date"}
    if spec.kind == "credit_note":
        s.text(MARGIN, 244, f"Retour bij bestelling {spec.extras.get('order', '')}, factuur {spec.credited_invoice}",
               size=9)
    table = columns([("Artikel", 0, "left"), ("Aantal", 45, "right"), ("Prijs incl. btw", 85, "right"),
                     ("Btw", 40, "right"), ("Totaal", 75, "right")], W - 2 * MARGIN)
    rows = [[line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
             doc.rate(line), doc.money(line.amount, symbol=False)] for line in spec.lines]
    y = doc.table(MARGIN, 258, table, rows, bottom=H - 200)
    y = totals(doc, W / 2 + 10, W - MARGIN, y + 14, excl="Totaal excl. btw", vat="Btw {rate} over {base}",
               vat_sum=None, total="Totaal incl. btw")
    if spec.due_date:
        text = f"Betaal het bedrag vóór {doc.date(spec.due_date)} op {format_iban(party.iban or '')} o.v.v. {spec.number}."
        doc.printed |= {"due_date", "iban"}
    elif spec.kind == "invoice":
        text = f"Betaald met {spec.extras.get('method', 'iDEAL')} op {doc.date(order_date)}. U hoeft niets meer te betalen."
    else:
        text = "Het bedrag wordt binnen 5 werkdagen teruggestort via de oorspronkelijke betaalmethode."
    s.text(MARGIN, y + 14, text, size=8.5)
    s.rule(MARGIN, W - MARGIN, H - 50, width=0.4)
    s.text(W / 2, H - 38, f"{_trade(party)} is een handelsnaam van {party.name}  ·  {party.street}, {party.postcode} "
                          f"{party.city}", size=6.8, align="center")
    s.text(W / 2, H - 28, ids_text(doc, party, sep="  ·  "), size=6.8, align="center")


# --- garage ----------------------------------------------------------------------------------------------------

LABOUR = (("Onderhoudsbeurt volgens fabrieksvoorschrift", (1.0, 3.5)), ("APK-keuring", (0.5, 1.0)),
          ("Remblokken voor vervangen", (1.0, 1.5)), ("Distributieriem vervangen", (3.0, 5.0)),
          ("Diagnose motormanagement", (0.5, 1.5)))
PARTS = (("Oliefilter", (8, 19)), ("Motorolie 5W-30 (liter)", (9, 16)), ("Luchtfilter", (14, 35)),
         ("Remblokkenset voor", (45, 120)), ("Ruitenwisserset", (19, 39)), ("Distributieset compleet", (180, 420)),
         ("Bougie", (9, 22)))
CARS = ("Volkswagen Golf 1.5 TSI", "Toyota Corolla Hybrid", "Renault Clio TCe", "Ford Transit Custom 2.0 TDCi",
        "Peugeot 308 SW", "Mercedes-Benz Vito 114 CDI", "Kia Niro EV")


def build_garage(d: Draft) -> InvoiceSpec:
    """A garage's workshop invoice: labour (hours x rate) and parts (with part numbers), vehicle data, 21 %."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="garage")
    supplier = dataclasses.replace(with_form(base, rng.choice(("V.O.F.", "B.V."))) if not d.supplier else base,
                                   trade_name=None)
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    rate = Decimal(rng.randrange(6500, 9800)) / 100
    lines = []
    for description, (low, high) in rng.sample(LABOUR, rng.randint(1, 2)):
        hours = Decimal(str(rng.choice([x / 4 for x in range(int(low * 4), int(high * 4) + 1)])))
        lines.append(SampleLine(description, d.sign * hours, rate, Decimal(21)))
    for description, (low, high) in rng.sample(PARTS, rng.randint(1, 4)):
        code = f"{rng.choice(('VAG', 'BOS', 'MAN', 'TRW', 'FEB'))}{digits(rng, 6)}"
        quantity = Decimal(rng.choice(("1", "1", "2", "4", "5")))
        lines.append(SampleLine(f"{code} {description}", d.sign * quantity,
                                Decimal(rng.randrange(low * 100, high * 100)) / 100, Decimal(21)))
    lines.append(SampleLine("Milieutoeslag", d.sign, Decimal(rng.choice(("3.50", "4.95", "7.50"))), Decimal(21)))
    pinned = rng.random() < 0.35
    number = rng.choice((f"{d.issue:%y}-{rng.randrange(1, 9999):04d}", f"{rng.randrange(10000, 99999)}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=None if pinned else rng.choice((8, 14)),
                   extras={"plate": fake.license_plate(), "car": rng.choice(CARS), "km": rng.randrange(8_000, 290_000),
                           "work_order": digits(rng, 4), "pinned": pinned, "customer": digits(rng, 4),
                           "labour_lines": sum(1 for line in lines if line.unit_price == rate)})


def garage(doc: Doc) -> None:
    """A dot-matrix-like workshop invoice (Courier): "AUTOBEDRIJF ..." in capitals, vehicle box (licence plate,
    km, work order), labour and parts as sections, "Factuurnr.", paid by PIN or to be transferred."""
    s, spec = doc.sheet, doc.spec
    doc.style.font = "Courier"
    s.bold = "Courier-Bold"
    party = spec.supplier
    s.text(W / 2, 50, _trade(party).upper(), size=16, bold=True, align="center")
    s.text(W / 2, 64, "Erkend APK-keuringsstation · Onderhoud · Reparatie", size=8, align="center")
    s.text(W / 2, 76, f"{party.street}, {party.postcode} {party.city} · tel. {party.phone}", size=8, align="center")
    doc.printed.add("supplier_name")
    buyer = spec.buyer
    s.box(MARGIN, 100, 250, 76, stroke=True)
    s.text(MARGIN + 6, 113, f"Klant: {spec.extras.get('customer', '')}", size=8.5)
    s.block(MARGIN + 6, 127, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=9, leading=11.5)
    doc.printed.add("buyer_name")
    s.box(W - MARGIN - 210, 100, 210, 76, stroke=True)
    vehicle = [("Kenteken", str(spec.extras.get("plate", ""))), ("Merk/type", str(spec.extras.get("car", ""))[:22]),
               ("Km-stand", f"{int(spec.extras.get('km', 0)):,}".replace(",", ".")),
               ("Werkorder", str(spec.extras.get("work_order", "")))]
    pairs(doc, W - MARGIN - 204, 113, vehicle, value_x=W - MARGIN - 130, size=8.5, leading=12.5)
    meta = [("Factuurnr.", spec.number), ("Datum", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    pairs(doc, MARGIN, 196, meta, value_x=MARGIN + 95, size=9, leading=12.5, bold_values=True)
    doc.printed |= {"invoice_number", "invoice_date"}
    labour_count = int(spec.extras.get("labour_lines", 1))
    table = columns([("Omschrijving", 0, "left"), ("Aantal", 55, "right"), ("Prijs", 70, "right"),
                     ("Bedrag", 80, "right")], W - 2 * MARGIN)
    rows: list[list[str]] = [["ARBEID", "", "", ""]]
    rows += [[line.description, format_quantity(line.quantity, doc.lang), doc.money(line.unit_price, symbol=False),
              doc.money(line.amount, symbol=False)] for line in spec.lines[:labour_count]]
    rows.append(["ONDERDELEN", "", "", ""])
    rows += [[fit(line.description, table[0].width - 8, "Courier", 8.5), format_quantity(line.quantity, doc.lang),
              doc.money(line.unit_price, symbol=False), doc.money(line.amount, symbol=False)]
             for line in spec.lines[labour_count:]]
    doc.style.table = "rules"
    y = doc.table(MARGIN, 250, table, rows, bottom=H - 190)
    labour = sum((line.amount for line in spec.lines[:labour_count]), Decimal(0))
    parts = sum((line.amount for line in spec.lines[labour_count:]), Decimal(0))
    y = pairs(doc, W / 2, y + 12, [("Totaal arbeid", doc.money(labour, symbol=False)),
                                   ("Totaal onderdelen", doc.money(parts, symbol=False))],
              value_x=W - MARGIN, value_align="right", size=8.5, leading=12)
    y = totals(doc, W / 2, W - MARGIN, y + 6, excl="Subtotaal", vat="BTW {rate} over {base}", total="TOTAAL",
               size=9)
    if spec.extras.get("pinned"):
        s.text(MARGIN, y + 12, f"Voldaan per PIN d.d. {doc.date(spec.issue_date)}. Hartelijk dank!", size=8.5)
    else:
        paragraph(doc, MARGIN, y + 12, pay_sentence(doc, days=True), W - 2 * MARGIN)
    s.text(W / 2, H - 40, f"{party.name} · " + ids_text(doc, party, sep=" · "), size=7, align="center")
