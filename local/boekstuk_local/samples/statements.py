"""Statement-like layout families: a utility's energy bill, a telecom provider's monthly bill, a hotel folio and
a wholesaler's multi-page invoice. Their invoice number sits among many other numbers (customer, contract,
EAN codes, meters, folio, order and delivery notes)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from decimal import Decimal

from faker import Faker
from reportlab.lib.colors import HexColor

from .blocks import addressee, columns, fit, ids_text, pairs, paragraph, totals, vat_cells, vat_table
from .drafts import Draft, brand, compose, digits, side_faker, with_form
from .formats import format_iban, format_quantity, format_rate
from .model import InvoiceSpec, SampleLine, random_supplier
from .pdf import MARGIN, Doc, H, W

GREY = HexColor("#666666")
LIGHT = HexColor("#F1F1F1")


def _period(issue: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before the issue date."""
    end = issue.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _price(rng_value: int, digits_after: int = 5) -> Decimal:
    return Decimal(rng_value) / 10**digits_after


# --- utility_statement -----------------------------------------------------------------------------------------


def build_utility_statement(d: Draft) -> InvoiceSpec:
    """An energy supplier's monthly bill: electricity (normal and low tariff) and gas at five-decimal unit
    prices, energy tax, standing charges and the tax reduction as a negative line; direct debit mostly."""
    rng = d.rng
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    base = d.supplier or random_supplier(rng, "NL", sector="energy")
    supplier = base if d.supplier else dataclasses.replace(
        with_form(base, rng.choice(("B.V.", "N.V."))),
        name=f"{brand(rng)} {rng.choice(('Energie', 'Stroom & Gas'))} {rng.choice(('B.V.', 'N.V.'))}")
    start, end = _period(d.issue)
    normal, low, gas = rng.randrange(180, 4200), rng.randrange(90, 3100), rng.randrange(40, 1600)
    lines = [
        SampleLine(f"Levering elektriciteit normaal ({start:%d-%m} t/m {end:%d-%m})", Decimal(normal),
                   _price(rng.randrange(19000, 34000)), Decimal(21)),
        SampleLine("Levering elektriciteit dal", Decimal(low), _price(rng.randrange(15000, 26000)), Decimal(21)),
        SampleLine("Energiebelasting elektriciteit", Decimal(normal + low), Decimal("0.10880"), Decimal(21)),
        SampleLine("Levering gas", Decimal(gas), _price(rng.randrange(110000, 160000)), Decimal(21)),
        SampleLine("Energiebelasting gas", Decimal(gas), Decimal("0.58301"), Decimal(21)),
        SampleLine("Vaste leveringskosten", Decimal(1), Decimal(rng.randrange(500, 900)) / 100, Decimal(21)),
        SampleLine("Netbeheerkosten", Decimal(1), Decimal(rng.randrange(2200, 4200)) / 100, Decimal(21)),
        SampleLine("Vermindering energiebelasting", Decimal(1), -Decimal(rng.randrange(4800, 5300)) / 100, Decimal(21)),
    ]
    if d.kind == "credit_note":
        lines = [dataclasses.replace(line, quantity=-line.quantity) for line in lines]
    meter_e, meter_g = rng.randrange(10_000, 90_000), rng.randrange(1_000, 9_000)
    number = rng.choice((digits(rng, 10), digits(rng, 12), f"{d.issue.year}{digits(rng, 7)}"))
    debit = rng.random() < 0.7
    return compose(d, supplier=supplier, lines=lines, number=number, term=14,
                   extras={"customer": digits(rng, 8), "contract": f"{rng.choice(('CO', 'CT', ''))}{digits(rng, 8)}",
                           "ean_e": f"871687{digits(rng, 12)}", "ean_g": f"871694{digits(rng, 12)}",
                           "meters": [(f"E{digits(rng, 8)}", "Normaal", meter_e, meter_e + normal),
                                      (f"E{digits(rng, 8)}", "Dal", meter_e // 2, meter_e // 2 + low),
                                      (f"G{digits(rng, 8)}", "Gas", meter_g, meter_g + gas)],
                           "address": f"{fake.street_address()}, {fake.city()}", "debit": debit,
                           "own_iban": not debit or rng.random() < 0.5,
                           "label": rng.choice(("Factuurnummer", "Notanummer", "Nota nr.")),
                           "period": (start.isoformat(), end.isoformat())})


def utility_statement(doc: Doc) -> None:
    """The number inside a block of customer data (Klantnummer, Contractnummer, Leveringsadres, EAN codes),
    a meter table, costs at five-decimal rates, and a direct-debit sentence naming the buyer's own IBAN."""
    s, spec = doc.sheet, doc.spec
    party, buyer, x = spec.supplier, spec.buyer, spec.extras
    s.logo(W - MARGIN, 30, party.name, align="right")
    s.text(W - MARGIN - (54 if doc.style.logo != "none" else 0), 58, party.name, size=14, bold=True, align="right",
           color=doc.style.accent)
    s.text(W - MARGIN, 86, f"Postbus {int(x['customer']) % 9000 + 100}, {party.postcode} {party.city}", size=7.5,
           align="right")
    doc.printed.add("supplier_name")
    s.block(MARGIN, 120, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=10, leading=13)
    doc.printed.add("buyer_name")
    start, end = (dt.date.fromisoformat(v) for v in x["period"])
    s.text(MARGIN, 212, "CREDITNOTA ENERGIE" if spec.kind == "credit_note" else "Uw energiefactuur", size=16,
           bold=True)
    s.text(MARGIN, 228, f"Periode {doc.date(start)} t/m {doc.date(end)}", size=9)
    s.box(MARGIN, 240, W - 2 * MARGIN, 84, fill=LIGHT, stroke=False)
    left = [("Klantnummer", str(x["customer"])), ("Contractnummer", str(x["contract"])),
            (str(x["label"]), spec.number), ("Factuurdatum", doc.date(spec.issue_date))]
    right = [("Leveringsadres", str(x["address"])), ("EAN-code elektriciteit", str(x["ean_e"])),
             ("EAN-code gas", str(x["ean_g"]))]
    pairs(doc, MARGIN + 8, 256, left, value_x=MARGIN + 105, size=8.5, leading=12.5)
    pairs(doc, W / 2 + 6, 256, right, value_x=W / 2 + 110, size=8.5, leading=12.5)
    doc.printed |= {"invoice_number", "invoice_date"}
    y = vat_table(doc, MARGIN, 346, [("Meternummer", 100, "left"), ("Telwerk", 80, "left"),
                                     ("Beginstand", 80, "right"), ("Eindstand", 80, "right"),
                                     ("Verbruik", 90, "right")],
                  [[m, kind, f"{a:,}".replace(",", "."), f"{b:,}".replace(",", "."),
                    f"{b - a:,}".replace(",", ".") + (" m³" if kind == "Gas" else " kWh")]
                   for m, kind, a, b in x["meters"]], size=8)
    table = columns([("Omschrijving", 0, "left"), ("Hoeveelheid", 75, "right"), ("Tarief", 80, "right"),
                     ("Bedrag", 80, "right")], W - 2 * MARGIN)
    rows = []
    for line in spec.lines:
        unit = "" if abs(line.quantity) == 1 else (" m³" if "gas" in line.description.lower() else " kWh")
        places = 2 if abs(line.quantity) == 1 else 5
        rate = f"€ {line.unit_price:.{places}f}".replace(".", ",")
        rows.append([line.description, format_quantity(line.quantity, doc.lang) + unit, rate,
                     doc.money(line.amount, symbol=False)])
    doc.style.table = "rules"
    y = doc.table(MARGIN, y + 14, table, rows, bottom=H - 170, size=8)
    y = totals(doc, W / 2 + 20, W - MARGIN, y + 12, excl="Totaal excl. btw", vat="Btw {rate}", total="Te betalen",
               size=9)
    if spec.kind == "invoice" and spec.due_date:
        doc.printed.add("due_date")
        if x["debit"]:
            text = (f"Wij schrijven {doc.money(spec.total_incl_vat, symbol=True)} op of rond {doc.date(spec.due_date)} "
                    f"automatisch af van uw rekening {format_iban(buyer.iban or '')}.")
        else:
            text = (f"Uiterste betaaldatum: {doc.date(spec.due_date)}. Maak het bedrag over naar "
                    f"{format_iban(party.iban or '')} t.n.v. {party.name} o.v.v. uw klantnummer.")
            doc.printed.add("iban")
        paragraph(doc, MARGIN, y + 12, text, W - 2 * MARGIN, size=8.5)
    s.rule(MARGIN, W - MARGIN, H - 54, width=0.4)
    footer = f"{party.name} · KvK {party.kvk} · Btw {party.vat_id}"
    doc.printed |= {"supplier_kvk", "supplier_vat"}
    if x["own_iban"]:
        footer += f" · IBAN {format_iban(party.iban or '')}"
        doc.printed.add("iban")
    s.text(W / 2, H - 42, footer, size=7, align="center")


# --- telecom ---------------------------------------------------------------------------------------------------

PLANS = (("Zakelijk Onbeperkt", (25, 45)), ("Zakelijk 10 GB", (15, 25)), ("Zakelijk Basis", (9, 15)))


def build_telecom(d: Draft) -> InvoiceSpec:
    """A telecom provider's monthly bill: a subscription per mobile number, fixed internet, usage outside the
    bundle itemised per call on a second page."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="telecom")
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"{brand(rng)} {rng.choice(('Telecom', 'Mobiel', 'Connect'))} B.V.")
    numbers = [f"06-{digits(rng, 8)}" for _ in range(rng.randint(1, 4))]
    lines = []
    for number in numbers:
        plan, (low, high) = rng.choice(PLANS)
        lines.append(SampleLine(f"{plan} {number}", Decimal(1), Decimal(rng.randrange(low * 100, high * 100)) / 100,
                                Decimal(21)))
    if rng.random() < 0.6:
        lines.append(SampleLine("Glasvezel Zakelijk 1 Gbit/s", Decimal(1), Decimal(rng.randrange(4500, 12000)) / 100,
                                Decimal(21)))
    calls = []
    start, end = _period(d.issue)
    for _ in range(rng.randint(8, 40)):
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        calls.append((day.isoformat(), f"{rng.randrange(7, 20):02d}:{rng.randrange(60):02d}", rng.choice(numbers),
                      rng.choice(("+32 ", "+49 ", "0800-", "090", "+44 ")) + digits(rng, 7),
                      f"{rng.randrange(0, 40)}:{rng.randrange(60):02d}", rng.randrange(5, 450)))
    calls.sort()
    usage = sum((Decimal(c[5]) / 100 for c in calls), Decimal(0))
    lines.append(SampleLine("Gebruik buiten de bundel", Decimal(1), usage, Decimal(21)))
    number = rng.choice((f"F{digits(rng, 9)}", digits(rng, 10)))
    return compose(d, supplier=supplier, lines=lines, number=number, term=14,
                   extras={"customer": f"{rng.randrange(1, 9)}.{digits(rng, 8)}", "calls": calls,
                           "period": (start.isoformat(), end.isoformat()), "contract": f"K{digits(rng, 7)}"})


def telecom(doc: Doc) -> None:
    """Page 1: a summary box (Klantnummer, Factuurnummer, period), costs per group and the total, the direct
    debit; page 2: the specification per subscription and every call outside the bundle."""
    s, spec = doc.sheet, doc.spec
    party, buyer, x = spec.supplier, spec.buyer, spec.extras
    start, end = (dt.date.fromisoformat(v) for v in x["period"])

    def header() -> None:
        s.box(0, 0, W, 70, fill=doc.style.accent, stroke=False)
        s.text(MARGIN, 44, party.name, size=18, bold=True, color=HexColor("#FFFFFF"))
        s.text(W - MARGIN, H - 24, f"Pagina {doc.pages} van {doc.total_pages or doc.pages}", size=7, align="right")

    header()
    doc.printed.add("supplier_name")
    s.block(MARGIN, 112, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=10, leading=13)
    doc.printed.add("buyer_name")
    month = calendar.month_name[start.month] if doc.lang == "en" else format_month(start)
    s.text(MARGIN, 200, f"Uw factuur van {month}", size=17, bold=True)
    box = [("Klantnummer", str(x["customer"])), ("Factuurnummer", spec.number),
           ("Factuurdatum", doc.date(spec.issue_date)), ("Factuurperiode", f"{doc.date(start)} - {doc.date(end)}"),
           ("Contractnummer", str(x["contract"]))]
    pairs(doc, W / 2 + 10, 100, box, value_x=W / 2 + 105, size=8.5, leading=12.5)
    doc.printed |= {"invoice_number", "invoice_date"}
    plans = [line for line in spec.lines if line.description.startswith(("Zakelijk", "Glasvezel"))]
    usage = spec.lines[-1]
    summary = [("Abonnementen", doc.money(sum((p.amount for p in plans), Decimal(0)), symbol=False)),
               ("Gebruik buiten de bundel", doc.money(usage.amount, symbol=False))]
    s.text(MARGIN, 240, "Overzicht van uw kosten", size=11, bold=True)
    y = pairs(doc, MARGIN, 260, summary, value_x=W - MARGIN, value_align="right", size=9.5, leading=14)
    s.rule(MARGIN, W - MARGIN, y - 6, width=0.4)
    y = totals(doc, MARGIN, W - MARGIN, y + 8, excl="Totaal excl. btw", vat="Btw {rate}", total="Totaal te betalen",
               size=9.5, total_size=11)
    if spec.due_date:
        text = (f"Wij schrijven het bedrag op of rond {doc.date(spec.due_date)} af van rekening "
                f"{format_iban(buyer.iban or '')}. Betaalt u liever zelf? Maak het bedrag dan over naar "
                f"{format_iban(party.iban or '')} t.n.v. {party.name} o.v.v. uw klantnummer.")
        doc.printed |= {"due_date", "iban"}
        paragraph(doc, MARGIN, y + 16, text, W - 2 * MARGIN, size=8.5)
    s.text(W / 2, H - 40, f"{party.name} · {party.street}, {party.postcode} {party.city} · "
                          + ids_text(doc, party, bic=None), size=6.5, align="center")
    doc.new_page()
    header()
    s.text(MARGIN, 100, "Specificatie", size=14, bold=True)
    table = columns([("Omschrijving", 0, "left"), ("Bedrag", 90, "right")], W - 2 * MARGIN)
    y = doc.table(MARGIN, 114, table, [[line.description, doc.money(line.amount, symbol=False)] for line in plans],
                  bottom=H - 60, size=8)
    calls = columns([("Datum", 70, "left"), ("Tijd", 45, "left"), ("Van", 90, "left"), ("Gebeld nummer", 0, "left"),
                     ("Duur", 50, "right"), ("Kosten", 60, "right")], W - 2 * MARGIN)
    rows = [[doc.date(dt.date.fromisoformat(c[0])), c[1], c[2], c[3], c[4], doc.money(Decimal(c[5]) / 100, symbol=False)]
            for c in x["calls"]]

    def on_break(_: int) -> float:
        header()
        return 100

    doc.table(MARGIN, y + 16, calls, rows, bottom=H - 50, size=7.5, on_break=on_break)


def format_month(day: dt.date) -> str:
    """The Dutch month and year (``maart 2024``)."""
    from .formats import MONTHS

    return f"{MONTHS['nl'][day.month - 1]} {day.year}"


# --- hotel_folio -----------------------------------------------------------------------------------------------


def build_hotel_folio(d: Draft) -> InvoiceSpec:
    """A hotel bill for a business stay, prices incl. VAT: lodging and breakfast at 9 %, parking and bar at 21 %,
    tourist tax outside VAT (0 %); paid by card at check-out or sent to the company."""
    rng = d.rng
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    base = d.supplier or random_supplier(rng, "NL", sector="hotel")
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"Hotel {base.city} Exploitatie B.V.", trade_name=f"Hotel {rng.choice(('De Gouden', 'Het Witte'))} "
                                                              f"{rng.choice(('Leeuw', 'Zwaan', 'Paard', 'Hert'))}")
    nights = rng.randint(1, 4)
    guests = rng.choice((1, 1, 2))
    room = Decimal(rng.randrange(8900, 18900)) / 100
    lines = [SampleLine("Logies", d.sign * nights, room, Decimal(9)),
             SampleLine("Ontbijtbuffet", d.sign * nights * guests, Decimal(rng.randrange(1500, 2600)) / 100, Decimal(9))]
    extras_pool = (("Diner restaurant", (2800, 8900), 9), ("Dranken bar", (650, 4800), 21), ("Parkeren", (1250, 2500), 21),
                   ("Vergaderzaal dagdeel", (12000, 35000), 21), ("Wasserette", (800, 2200), 21))
    for description, (low, high), rate in rng.sample(extras_pool, rng.randint(1, 3)):
        lines.append(SampleLine(description, d.sign, Decimal(rng.randrange(low, high)) / 100, Decimal(rate)))
    lines.append(SampleLine("Toeristenbelasting p.p.p.n.", d.sign * nights * guests,
                            Decimal(rng.randrange(180, 650)) / 100, Decimal(0)))
    departure = d.issue
    paid = rng.random() < 0.55
    return compose(d, supplier=supplier, lines=lines, number=f"{d.issue:%y}{digits(rng, 5)}",
                   prices_include_vat=True, term=None if paid else 14,
                   extras={"guest": fake.name(), "room": str(rng.randrange(101, 520)), "nights": nights,
                           "arrival": (departure - dt.timedelta(days=nights)).isoformat(),
                           "folio": f"{rng.randrange(10, 99)}-{digits(rng, 5)}", "reservation": f"R{digits(rng, 7)}",
                           "paid": paid, "card": rng.choice(("Mastercard", "Visa", "American Express")),
                           "last4": digits(rng, 4)})


def hotel_folio(doc: Doc) -> None:
    """Centred hotel name, bilingual labels, a guest box (guest, room, arrival, departure, folio, reservation),
    charges per day incl. VAT, and a VAT table with 21 %, 9 % and 0 % (net, VAT, gross)."""
    s, spec = doc.sheet, doc.spec
    party, x = spec.supplier, spec.extras
    s.text(W / 2, 52, party.trade_name or party.name, size=18, bold=True, align="center", color=doc.style.accent)
    s.text(W / 2, 66, f"{party.street} · {party.postcode} {party.city} · {party.phone}", size=8, align="center")
    doc.printed.add("supplier_name")
    addressee(doc, MARGIN, 110, "Factuur aan / Bill to", "Btw-nummer klant / VAT no.", heading_size=7.5,
              heading_color=GREY)
    arrival = dt.date.fromisoformat(str(x["arrival"]))
    guest = [("Gast / Guest", str(x["guest"])), ("Kamer / Room", str(x["room"])),
             ("Aankomst / Arrival", doc.date(arrival)), ("Vertrek / Departure", doc.date(spec.issue_date)),
             ("Folio", str(x["folio"])), ("Reservering", str(x["reservation"]))]
    pairs(doc, W / 2 + 10, 110, guest, value_x=W / 2 + 115, size=8.5, leading=12)
    title = "Creditnota / Credit note" if spec.kind == "credit_note" else "Nota / Invoice"
    s.text(MARGIN, 216, title, size=14, bold=True)
    meta = [("Factuurnummer / Invoice no.", spec.number), ("Datum / Date", doc.date(spec.issue_date))]
    if spec.due_date:
        meta.append(("Vervaldatum / Due date", doc.date(spec.due_date)))
        doc.printed.add("due_date")
    pairs(doc, MARGIN, 234, meta, value_x=MARGIN + 150, size=8.5, leading=12)
    doc.printed |= {"invoice_number", "invoice_date"}
    table = columns([("Datum", 70, "left"), ("Omschrijving / Description", 0, "left"), ("Aantal", 45, "right"),
                     ("Prijs", 65, "right"), ("Bedrag", 75, "right")], W - 2 * MARGIN)
    rows = []
    for i, line in enumerate(spec.lines):
        day = arrival + dt.timedelta(days=min(i, int(x["nights"])))
        rows.append([doc.date(day), line.description, format_quantity(line.quantity, doc.lang),
                     doc.money(line.unit_price, symbol=False), doc.money(line.amount, symbol=False)])
    y = doc.table(MARGIN, 276, table, rows, bottom=H - 230, size=8)
    s.text(W / 2 + 10, y + 14, "Totaal / Total", size=11, bold=True)
    s.text(W - MARGIN, y + 14, doc.money(spec.total_incl_vat, symbol=True), size=11, bold=True, align="right")
    doc.printed.add("total_incl_vat")
    y = vat_table(doc, W / 2 + 10, y + 36, [("Btw / VAT", 60, "left"), ("Netto", 60, "right"), ("Btw", 50, "right"),
                                            ("Bruto", 66, "right")],
                  vat_cells(doc, spec.vat_groups, gross=True), size=8)
    y = vat_table(doc, W / 2 + 10, y + 2, [("Totaal", 60, "left"), (doc.money(spec.total_excl_vat, symbol=False), 60, "right"),
                                          (doc.money(spec.vat_total, symbol=False), 50, "right"),
                                          (doc.money(spec.total_incl_vat, symbol=False), 66, "right")], [], size=8,
                  rule=False)
    doc.printed |= {"total_excl_vat", "vat_total"}
    if x["paid"] and spec.kind == "invoice":
        text = f"Voldaan met {x['card']} **** {x['last4']} op {doc.date(spec.issue_date)}. Hartelijk dank voor uw verblijf."
    elif spec.due_date:
        text = (f"Gelieve het bedrag vóór {doc.date(spec.due_date)} over te maken op {format_iban(party.iban or '')} "
                f"t.n.v. {party.name} o.v.v. het factuurnummer.")
        doc.printed.add("iban")
    else:
        text = "Het bedrag wordt teruggeboekt op de gebruikte betaalkaart."
    paragraph(doc, MARGIN, y + 12, text, W - 2 * MARGIN, size=8.5)
    s.text(W / 2, H - 40, f"{party.name} · " + ids_text(doc, party, sep=" · ", bic=None), size=6.8, align="center")


# --- wholesaler ------------------------------------------------------------------------------------------------

ARTICLES = (("Frituurolie 10 l", (18, 32), 9, "can"), ("Friet 10 mm 4 x 2,5 kg", (14, 22), 9, "doos"),
            ("Kipfilet 2,5 kg", (19, 34), 9, "zak"), ("Mayonaise emmer 10 l", (16, 29), 9, "emmer"),
            ("Cola 24 x 33 cl", (11, 19), 9, "tray"), ("Bier krat 24 x 30 cl", (14, 22), 21, "krat"),
            ("Koffiebonen 6 x 1 kg", (62, 99), 9, "doos"), ("Servetten 3-laags (2000)", (19, 34), 21, "doos"),
            ("Vaatwastabletten (200)", (28, 49), 21, "emmer"), ("Handzeep 5 l", (9, 17), 21, "can"),
            ("Suikerzakjes (1000)", (7, 13), 9, "doos"), ("Rode wijn 6 x 75 cl", (29, 59), 21, "doos"),
            ("Aluminiumfolie 30 cm", (6, 12), 21, "rol"), ("Kaas jong belegen 4 kg", (29, 45), 9, "stuk"),
            ("Slagroom 12 x 1 l", (24, 39), 9, "doos"), ("Schoonmaakazijn 6 x 1 l", (5, 11), 21, "doos"))
DEPOSITS = (("Statiegeld krat", (3.9, 3.9), 0, "krat"), ("Statiegeld fust", (30.0, 30.0), 0, "fust"))


def build_wholesaler(d: Draft) -> InvoiceSpec:
    """A wholesaler's invoice (food 9 %, non-food 21 %, deposits 0 %) with article numbers and units, long
    enough to run onto a second page with its totals and VAT table."""
    rng = d.rng
    base = d.supplier or random_supplier(rng, "NL", sector="food")
    supplier = base if d.supplier else dataclasses.replace(
        base, name=f"{brand(rng)} {rng.choice(('Groothandel', 'Horecagroothandel', 'Foodservice'))} B.V.")
    lines = []
    units = []
    for description, (low, high), rate, unit in (rng.choice(ARTICLES) for _ in range(rng.randint(40, 75))):
        quantity = Decimal(rng.choice((1, 1, 2, 2, 3, 4, 6, 10)))
        price = Decimal(rng.randrange(low * 100, high * 100)) / 100
        lines.append(SampleLine(f"{digits(rng, 6)} {description}", d.sign * quantity, price, Decimal(rate)))
        units.append(unit)
    for description, (price, _), rate, unit in rng.sample(DEPOSITS, rng.randint(1, 2)):
        lines.append(SampleLine(f"{digits(rng, 6)} {description}", d.sign * rng.randint(1, 12), Decimal(str(price)),
                                Decimal(rate)))
        units.append(unit)
    number = rng.choice((f"VF{d.issue:%y}{digits(rng, 6)}", digits(rng, 8), f"{d.issue.year}/{digits(rng, 5)}"))
    return compose(d, supplier=supplier, lines=lines, number=number, term=rng.choice((8, 14, 14, 30)),
                   extras={"units": units, "debtor": digits(rng, 6), "order": f"ORD{digits(rng, 7)}",
                           "packing": f"PB{digits(rng, 7)}", "route": f"R{rng.randrange(1, 40):02d}",
                           "rep": side_faker(d, "rep").first_name(), "label": rng.choice(("Btw-id klant", "Btw-nr. klant"))})


def wholesaler(doc: Doc) -> None:
    """An ERP print: a data box (Debiteurnr., Factuurnr., Ordernr., Pakbonnr., Route), "Factuuradres" and
    "Afleveradres", an article table carried over pages ("Blad n/N"), totals and the VAT table on the last
    page, ids in the footer of every page."""
    s, spec = doc.sheet, doc.spec
    party, buyer, x = spec.supplier, spec.buyer, spec.extras
    if doc.style.font == "Times-Roman":
        doc.style.font, s.bold = "Courier", "Courier-Bold"
    title = "CREDITFACTUUR" if spec.kind == "credit_note" else "FACTUUR"

    def page_frame() -> None:
        s.text(MARGIN, 46, party.name, size=13, bold=True)
        s.text(W - MARGIN, 46, f"{title} {spec.number}", size=9, align="right")
        s.text(W - MARGIN, 58, f"Blad {doc.pages}/{doc.total_pages or doc.pages}", size=8, align="right")
        s.text(W / 2, H - 30, f"{party.street} · {party.postcode} {party.city} · "
                              + ids_text(doc, party, sep=" · ", bic=None), size=6.5, align="center")

    page_frame()
    s.text(MARGIN, 60, "Groothandel voor horeca, instellingen en bedrijven", size=7.5, color=GREY)
    doc.printed.add("supplier_name")
    s.text(MARGIN, 96, "Factuuradres", size=7.5, bold=True)
    s.block(MARGIN, 108, [buyer.name, buyer.street, f"{buyer.postcode} {buyer.city}"], size=9, leading=11.5)
    s.text(MARGIN + 175, 96, "Afleveradres", size=7.5, bold=True)
    s.block(MARGIN + 175, 108, [fit(buyer.name, 135, doc.style.font, 9), "Laadperron achterzijde", buyer.street],
            size=9, leading=11.5)
    doc.printed.add("buyer_name")
    if buyer.vat_id:
        s.text(MARGIN, 162, f"{x['label']}: {buyer.vat_id}", size=8)
        doc.printed.add("buyer_vat")
    box = [("Debiteurnr.", str(x["debtor"])), ("Factuurnr.", spec.number), ("Factuurdatum", doc.date(spec.issue_date)),
           ("Ordernr.", str(x["order"])), ("Pakbonnr.", str(x["packing"])), ("Route", str(x["route"])),
           ("Vertegenwoordiger", str(x["rep"]))]
    s.box(W - MARGIN - 165, 86, 165, len(box) * 11 + 8, stroke=True)
    pairs(doc, W - MARGIN - 160, 97, box, value_x=W - MARGIN - 5, value_align="right", size=7.5, leading=11)
    doc.printed |= {"invoice_number", "invoice_date"}
    codes = {group.rate: str(i + 1) for i, group in enumerate(spec.vat_groups)}
    table = columns([("Artikel", 50, "left"), ("Omschrijving", 0, "left"), ("Eenh.", 40, "left"), ("Aantal", 40, "right"),
                     ("Prijs", 55, "right"), ("Bedrag", 65, "right"), ("Btw", 28, "right")], W - 2 * MARGIN)
    rows = []
    for line, unit in zip(spec.lines, x["units"], strict=True):
        code, _, description = line.description.partition(" ")
        rows.append([code, description, unit, format_quantity(line.quantity, doc.lang),
                     doc.money(line.unit_price, symbol=False), doc.money(line.amount, symbol=False),
                     codes[line.vat_rate]])
    doc.style.table = "rules"

    def on_break(_: int) -> float:
        page_frame()
        return 80

    y = doc.table(MARGIN, 190, table, rows, bottom=H - 60, size=7.5, on_break=on_break)
    if y > H - 230:
        doc.new_page()
        page_frame()
        y = 90
    cells = [[codes[g.rate], format_rate(g.rate, doc.lang), doc.money(g.base, symbol=False),
              doc.money(g.amount, symbol=False)] for g in spec.vat_groups]
    doc.printed.add("vat_lines")
    end = vat_table(doc, MARGIN, y + 16, [("Btw-code", 50, "left"), ("Btw %", 50, "right"), ("Grondslag", 80, "right"),
                                          ("Btw-bedrag", 80, "right")], cells, size=8)
    y = pairs(doc, W / 2 + 40, y + 16, [("Totaal excl. btw", doc.money(spec.total_excl_vat)),
                                        ("Totaal btw", doc.money(spec.vat_total)),
                                        ("Te betalen", doc.money(spec.total_incl_vat, symbol=True))],
              value_x=W - MARGIN, value_align="right", size=9, leading=14, bold_labels=False)
    doc.printed |= {"total_excl_vat", "vat_total", "total_incl_vat"}
    y = max(y, end)
    if spec.due_date:
        text = (f"Betaling binnen {spec.payment_term_days} dagen na factuurdatum, uiterlijk {doc.date(spec.due_date)}, op "
                f"{format_iban(party.iban or '')}. Bij betaling graag debiteurnummer en factuurnummer vermelden.")
        doc.printed |= {"due_date", "iban"}
        paragraph(doc, MARGIN, y + 14, text, W - 2 * MARGIN, size=8)
    elif spec.credited_invoice:
        s.text(MARGIN, y + 14, f"Creditering van factuur {spec.credited_invoice}.", size=8)
