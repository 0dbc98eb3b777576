"""Till-receipt layout families: a café's bill, a supermarket receipt with a PIN slip, a petrol station's
receipt. Prices include VAT; payment, change and the VAT specification sit right under the total, and the
receipt's number is labelled "Bonnr.", "Bon", "Transactie" or "Kassabon nr."."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from faker import Faker
from reportlab.lib.units import mm

from .blocks import fit
from .drafts import Draft, cash_tendered, compose, digits, side_faker
from .formats import format_quantity, format_rate
from .model import InvoiceSpec, Party, SampleLine, random_supplier
from .pdf import Align, Doc

TILL_80 = 80 * mm
TILL_58 = 58 * mm


class Till:
    """Rows down a till roll: ``y`` grows as rows are printed; ``Doc.end_y`` tells the page height needed."""

    def __init__(self, doc: Doc, *, size: float = 7.5, pad: float = 9) -> None:
        self.doc, self.size, self.pad = doc, size, pad
        self.y = 22.0
        self.x0, self.x1 = pad, doc.sheet.width - pad

    def center(self, text: str, *, size: float | None = None, bold: bool = False, gap: float = 1.3) -> None:
        """One centred row."""
        size = size or self.size
        self.doc.sheet.text(self.doc.sheet.width / 2, self.y, text, size=size, bold=bold, align="center")
        self.y += size * gap

    def row(self, left: str, right: str = "", *, size: float | None = None, bold: bool = False,
            mark: str = "") -> None:
        """A row with text on the left and an amount on the right (and a VAT code beside it)."""
        size = size or self.size
        right_edge = self.x1 - (10 if mark else 0)
        font = self.doc.sheet.bold if bold else self.doc.style.font
        width = right_edge - self.x0 - (len(right) + 2) * size * 0.6
        self.doc.sheet.text(self.x0, self.y, fit(left, width, font, size), size=size, bold=bold)
        if right:
            self.doc.sheet.text(right_edge, self.y, right, size=size, bold=bold, align="right")
        if mark:
            self.doc.sheet.text(self.x1, self.y, mark, size=size, align="right")
        self.y += size * 1.35

    def cells(self, values: list[str], positions: list[tuple[float, Align]], *, bold: bool = False) -> None:
        """Values at fractions of the width (a small table)."""
        width = self.x1 - self.x0
        for value, (where, align) in zip(values, positions, strict=True):
            self.doc.sheet.text(self.x0 + where * width, self.y, value, size=self.size, bold=bold, align=align)
        self.y += self.size * 1.35

    def rule(self, *, dashed: bool = True) -> None:
        """A separator (dashes, as thermal printers print them)."""
        if dashed:
            count = int((self.x1 - self.x0) / (self.size * 0.6))
            self.doc.sheet.text(self.x0, self.y, "-" * count, size=self.size)
            self.y += self.size * 1.2
        else:
            self.doc.sheet.rule(self.x0, self.x1, self.y - self.size * 0.4, width=0.4)
            self.y += self.size * 0.6

    def gap(self, points: float = 5) -> None:
        """Empty space."""
        self.y += points

    def finish(self) -> None:
        """Tell the renderer how long the roll is."""
        self.doc.end_y = self.y + 16


def _vat_rows(till: Till, spec: InvoiceSpec, *, style: int) -> None:
    """The VAT specification of a receipt, in one of three common shapes; records the VAT split as printed."""
    doc = till.doc
    positions: list[tuple[float, Align]] = [(0, "left"), (0.52, "right"), (0.75, "right"), (1, "right")]
    if style == 0:
        till.cells(["BTW", "Over", "BTW", "Incl."], positions, bold=True)
    for g in spec.vat_groups:
        rate = format_rate(g.rate, "nl")
        if style == 0:
            till.cells([rate, doc.money(g.base, symbol=False), doc.money(g.amount, symbol=False),
                        doc.money(g.base + g.amount, symbol=False)], positions)
        elif style == 1:
            till.row(f"Btw {rate} over {doc.money(g.base, symbol=False)}", doc.money(g.amount, symbol=False))
        else:
            till.row(f"Waarvan btw {rate}", doc.money(g.amount, symbol=False))
            till.row(f"  Netto {rate}", doc.money(g.base, symbol=False))
    if len(spec.vat_groups) > 1:
        till.row("Totaal btw", doc.money(spec.vat_total, symbol=False))
        till.row("Totaal excl. btw", doc.money(spec.total_excl_vat, symbol=False))
    doc.printed |= {"vat_total", "vat_lines", "total_excl_vat"}


def _payment(till: Till, spec: InvoiceSpec, *, cash: str = "Contant", change: str = "Wisselgeld") -> None:
    doc = till.doc
    if spec.tendered is not None:
        till.row(cash, doc.money(spec.tendered, symbol=False))
        till.row(change, doc.money(spec.change or Decimal(0), symbol=False))
    else:
        till.row(f"Betaald {spec.paid_with or 'PIN'}", doc.money(spec.total_incl_vat, symbol=False))


def _paid(d: Draft, spec: InvoiceSpec, cash_share: float) -> InvoiceSpec:
    """Pay the receipt: cash (with change) or by card."""
    if d.rng.random() < cash_share:
        return dataclasses.replace(spec, paid_with="contant", tendered=cash_tendered(d.rng, spec.total_incl_vat))
    return dataclasses.replace(spec, paid_with=d.rng.choice(("PIN", "PIN", "PIN", "Creditcard", "Contactloos")))


def _shop_supplier(d: Draft, words: tuple[str, ...], legal: str, sector: str) -> Party:
    """A shop under a trade name (``Eetcafé Zwolle``) whose legal name (``Jansen Horeca V.O.F.``) is in small
    print at the bottom."""
    rng = d.rng
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    base = d.supplier or random_supplier(rng, "NL", sector=sector)
    family = fake.last_name()
    trade = f"{rng.choice(words)} {fake.city() if sector != 'hotel' else family}"
    if d.supplier:
        return base
    return dataclasses.replace(base, name=f"{family} {legal}", trade_name=trade)


# --- cafe_receipt ----------------------------------------------------------------------------------------------

MENU = (("Koffie", (2.6, 3.6), 9), ("Cappuccino", (3.1, 4.2), 9), ("Thee", (2.5, 3.2), 9), ("Verse jus", (3.9, 5.2), 9),
        ("Appeltaart met slagroom", (4.2, 5.9), 9), ("Tosti ham/kaas", (4.5, 6.9), 9), ("Uitsmijter", (8.9, 12.5), 9),
        ("Bitterballen (8)", (6.9, 8.9), 9), ("Spa rood", (2.7, 3.4), 9), ("Bier van de tap", (3.2, 4.6), 21),
        ("Glas huiswijn", (4.5, 6.5), 21), ("Dagschotel", (14.5, 21.5), 9), ("Speciaalbier", (4.9, 7.5), 21))


def build_cafe_receipt(d: Draft) -> InvoiceSpec:
    """A café's bill: drinks and food incl. VAT (9 % and, for alcohol, 21 %), table and server, paid cash
    (with change) or by card."""
    rng = d.rng
    supplier = _shop_supplier(d, ("Eetcafé", "Grand Café", "Brasserie", "Lunchroom", "Café"), "Horeca V.O.F.", "hotel")
    lines = []
    for description, (low, high), rate in rng.sample(MENU, rng.randint(2, 7)):
        price = Decimal(rng.randrange(int(low * 10), int(high * 10) + 1)) / 10
        lines.append(SampleLine(description, Decimal(rng.choice((1, 1, 2, 2, 3, 4))), price, Decimal(rate)))
    number = rng.choice((digits(rng, 4), digits(rng, 6), f"T{rng.randrange(1, 30)}-{digits(rng, 4)}"))
    spec = compose(d, supplier=supplier, lines=lines, number=number, prices_include_vat=True,
                   extras={"table": rng.randrange(1, 40), "server": side_faker(d, "server").first_name(),
                           "time": f"{rng.randrange(11, 23)}:{rng.randrange(60):02d}",
                           "label": rng.choice(("Bonnr.", "Bon", "Bonnummer", "Rekening nr.")),
                           "vat_style": rng.randrange(3)})
    return _paid(d, spec, 0.4)


def cafe_receipt(doc: Doc) -> None:
    """Trade name centred, table and server, the receipt number with its label, items with amounts incl. VAT,
    TOTAAL, then cash and change (or the card), the VAT per rate, and the legal name with its ids last."""
    spec, x = doc.spec, doc.spec.extras
    till = Till(doc)
    party = spec.supplier
    till.center(party.trade_name or party.name, size=10, bold=True, gap=1.5)
    till.center(party.street)
    till.center(f"{party.postcode} {party.city}")
    till.center(f"Tel. {party.phone}")
    doc.printed.add("supplier_name")
    till.gap()
    till.row(f"Tafel {x['table']}", f"Bediende: {x['server']}")
    till.row(f"{doc.date(spec.issue_date)} {x['time']}", f"{x['label']} {spec.number}")
    doc.printed |= {"invoice_date", "invoice_number"}
    till.rule()
    for line in spec.lines:
        till.row(f"{format_quantity(line.quantity, 'nl')} x {line.description}", doc.money(line.amount, symbol=False))
    till.rule()
    till.row("TOTAAL", doc.money(spec.total_incl_vat, symbol=True), size=10, bold=True)
    doc.printed.add("total_incl_vat")
    _payment(till, spec)
    till.gap()
    _vat_rows(till, spec, style=int(x.get("vat_style", 0)))
    till.gap(8)
    till.center("Bedankt en graag tot ziens!")
    till.center(party.name, size=6.5)
    till.center(f"KvK {party.kvk}  Btw {party.vat_id}", size=6.5)
    doc.printed |= {"supplier_kvk", "supplier_vat"}
    till.finish()


# --- supermarket_receipt ---------------------------------------------------------------------------------------

GROCERIES = (("Halfvolle melk 1 l", (1.09, 1.39), 9), ("Volkorenbrood", (1.99, 3.49), 9), ("Bananen", (1.29, 2.19), 9),
             ("Kaas jong belegen plakken", (2.79, 4.49), 9), ("Koffie snelfilter 500 g", (4.49, 7.99), 9),
             ("Eieren 10 st.", (2.59, 3.69), 9), ("Appels Elstar 1 kg", (1.99, 2.99), 9), ("Yoghurt 1 l", (1.19, 1.99), 9),
             ("Vaatwasmiddel", (3.49, 6.99), 21), ("Keukenrol 4 st.", (2.49, 4.29), 21), ("Batterijen AA 4 st.", (3.99, 6.99), 21),
             ("Frisdrank 1,5 l", (1.29, 2.49), 9), ("Chips naturel", (1.19, 2.29), 9), ("Afwasborstel", (1.49, 2.99), 21),
             ("Vuilniszakken 20 st.", (1.79, 3.29), 21), ("Tomaten 500 g", (1.49, 2.49), 9), ("Pindakaas", (2.29, 3.79), 9))


def build_supermarket_receipt(d: Draft) -> InvoiceSpec:
    """A supermarket receipt: many items incl. VAT, bonus discounts as negative lines, PIN slip or cash."""
    rng = d.rng
    supplier = _shop_supplier(d, ("Buurtsuper", "VersMarkt", "Dagwinkel", "Supervers"), "Supermarkten B.V.",
                                 "office")
    lines = []
    for description, (low, high), rate in (rng.choice(GROCERIES) for _ in range(rng.randint(5, 22))):
        price = Decimal(rng.randrange(int(low * 100), int(high * 100) + 1)) / 100
        quantity = Decimal(rng.choice((1, 1, 1, 2, 3)))
        lines.append(SampleLine(description.upper(), quantity, price, Decimal(rate)))
        if rng.random() < 0.15:
            discount = (price * quantity * Decimal(rng.choice(("0.25", "0.5", "0.35")))).quantize(Decimal("0.01"))
            lines.append(SampleLine(f"BONUS {description.upper()}", Decimal(1), -discount, Decimal(rate)))
    number = rng.choice((f"{digits(rng, 4)}-{digits(rng, 4)}", digits(rng, 6), f"{rng.randrange(1, 9)}/{digits(rng, 5)}"))
    spec = compose(d, supplier=supplier, lines=lines, number=number, prices_include_vat=True,
                   extras={"store": digits(rng, 4), "till": rng.randrange(1, 12), "cashier": side_faker(d, "cashier").first_name(),
                           "time": f"{rng.randrange(8, 22)}:{rng.randrange(60):02d}",
                           "label": rng.choice(("Kassabon nr.", "Transactie", "Bonnr.", "Bon")),
                           "terminal": f"T{digits(rng, 7)}", "merchant": digits(rng, 6), "period": digits(rng, 4),
                           "auth": f"{digits(rng, 2)}{rng.choice('ABCDEF')}{digits(rng, 3)}", "card": digits(rng, 4),
                           "vat_style": rng.randrange(3)})
    return _paid(d, spec, 0.25)


def supermarket_receipt(doc: Doc) -> None:
    """Items in capitals with VAT codes, BONUS lines, SUBTOTAAL and UW VOORDEEL, TOTAAL, a PIN slip (terminal,
    merchant, period, authorisation code), the VAT table and a store/till/number line at the very bottom."""
    spec, x = doc.spec, doc.spec.extras
    doc.style.font, doc.sheet.bold = "Courier", "Courier-Bold"
    till = Till(doc, size=7)
    party = spec.supplier
    till.center((party.trade_name or party.name).upper(), size=10, bold=True, gap=1.5)
    till.center(party.street)
    till.center(f"{party.postcode} {party.city}")
    doc.printed.add("supplier_name")
    till.rule()
    codes = {g.rate: "AB"[i] if i < 2 else "C" for i, g in enumerate(spec.vat_groups)}
    for line in spec.lines:
        left = line.description if line.quantity == 1 else f"{format_quantity(line.quantity, 'nl')} X {line.description}"
        till.row(left, doc.money(line.amount, symbol=False), mark=codes[line.vat_rate])
    till.rule()
    savings = -sum((line.amount for line in spec.lines if line.amount < 0), Decimal(0))
    till.row("SUBTOTAAL", doc.money(spec.total_incl_vat + savings, symbol=False))
    if savings:
        till.row("UW VOORDEEL", doc.money(savings, symbol=False))
    till.row("TOTAAL", doc.money(spec.total_incl_vat, symbol=False), size=9, bold=True)
    doc.printed.add("total_incl_vat")
    _payment(till, spec, cash="CONTANT", change="TERUG")
    if spec.tendered is None:
        till.gap()
        for left, right in (("Terminal", str(x["terminal"])), ("Merchant", str(x["merchant"])),
                            ("Periode", str(x["period"])), ("Kaart", "Maestro" if spec.paid_with == "PIN" else "Mastercard"),
                            ("Kaartnummer", f"xxxxxxxxxxxx{x['card']}"), ("Autorisatiecode", str(x["auth"])),
                            ("Bedrag", f"EUR {doc.money(spec.total_incl_vat, symbol=False)}")):
            till.row(left, right)
        till.center("AKKOORD")
    till.gap()
    _vat_rows(till, spec, style=int(x.get("vat_style", 0)))
    till.gap()
    till.row(f"Filiaal {x['store']}  Kassa {x['till']}", str(x["cashier"]))
    till.row(f"{doc.date(spec.issue_date)} {x['time']}", f"{x['label']} {spec.number}")
    doc.printed |= {"invoice_date", "invoice_number"}
    till.gap(6)
    till.center(f"{party.name} KvK {party.kvk}", size=6)
    till.center(f"BTW {party.vat_id}", size=6)
    doc.printed |= {"supplier_kvk", "supplier_vat"}
    till.finish()


# --- fuel_receipt ----------------------------------------------------------------------------------------------

FUELS = (("Euro 95 E10", (1.85, 2.19)), ("Diesel B7", (1.62, 1.99)), ("Super Plus 98", (2.01, 2.35)))
SHOP_ITEMS = (("Koffie to go", (2.2, 3.5), 9), ("Autowas Premium", (12.5, 19.5), 21), ("Ruitensproeiervloeistof", (4.5, 7.9), 21),
              ("Broodje kaas", (3.2, 4.9), 9))


def build_fuel_receipt(d: Draft) -> InvoiceSpec:
    """A petrol station's receipt: litres at a three-decimal price, maybe a shop item, paid by card."""
    rng = d.rng
    supplier = _shop_supplier(d, ("Tankstation", "Tankservice", "Pompstation"), "Brandstoffen B.V.", "garage")
    fuel, (low, high) = rng.choice(FUELS)
    litres = Decimal(rng.randrange(1500, 7200)) / 100
    price = Decimal(rng.randrange(int(low * 1000), int(high * 1000))) / 1000
    lines = [SampleLine(fuel, litres, price, Decimal(21))]
    for description, (a, b), rate in rng.sample(SHOP_ITEMS, rng.choice((0, 0, 1, 2))):
        lines.append(SampleLine(description, Decimal(1), Decimal(rng.randrange(int(a * 10), int(b * 10))) / 10,
                                Decimal(rate)))
    number = rng.choice((digits(rng, 6), f"{rng.randrange(1, 99):02d}/{digits(rng, 4)}", digits(rng, 8)))
    spec = compose(d, supplier=supplier, lines=lines, number=number, prices_include_vat=True,
                   extras={"pump": rng.randrange(1, 12), "time": f"{rng.randrange(6, 23)}:{rng.randrange(60):02d}",
                           "label": rng.choice(("Transactie nr.", "Transactie", "Bon:", "Bonnummer")),
                           "plate": side_faker(d, "plate").license_plate() if rng.random() < 0.3 else "",
                           "vat_style": rng.randrange(3)})
    return _paid(d, spec, 0.1)


def fuel_receipt(doc: Doc) -> None:
    """A 58 mm roll: station name, pump and litres x price per litre, shop items, total, card, the VAT, and the
    transaction number near the bottom."""
    spec, x = doc.spec, doc.spec.extras
    till = Till(doc, size=6.5, pad=6)
    party = spec.supplier
    till.center(party.trade_name or party.name, size=8.5, bold=True, gap=1.5)
    till.center(party.street, size=6)
    till.center(f"{party.postcode} {party.city}", size=6)
    doc.printed.add("supplier_name")
    till.rule()
    till.row(doc.date(spec.issue_date), str(x["time"]))
    doc.printed.add("invoice_date")
    fuel = spec.lines[0]
    till.row(f"Pomp {x['pump']} {fuel.description}")
    till.row(f"{format_quantity(fuel.quantity, 'nl')} L x {format_quantity(fuel.unit_price, 'nl')}",
             doc.money(fuel.amount, symbol=False))
    for line in spec.lines[1:]:
        till.row(line.description, doc.money(line.amount, symbol=False))
    till.rule()
    till.row("Totaal EUR", doc.money(spec.total_incl_vat, symbol=False), size=8, bold=True)
    doc.printed.add("total_incl_vat")
    _payment(till, spec)
    if x.get("plate"):
        till.row("Kenteken", str(x["plate"]))
    till.gap(4)
    _vat_rows(till, spec, style=int(x.get("vat_style", 0)))
    till.gap(4)
    till.row(str(x["label"]), spec.number)
    doc.printed.add("invoice_number")
    till.center(party.name, size=5.5)
    till.center(f"KvK {party.kvk} BTW {party.vat_id}", size=5.5)
    doc.printed |= {"supplier_kvk", "supplier_vat"}
    till.finish()
