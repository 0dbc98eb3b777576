"""The invoice behind every sample: parties, lines, VAT and totals, built deterministically from a seed.

Everything is ``Decimal`` and computed once here; the renderers (PDF, image, UBL) only print it, so the
ground truth cannot drift from what a document shows.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from faker import Faker
from schwifty import IBAN
from stdnum.be import vat as be_vat
from stdnum.de import vat as de_vat
from stdnum.iso7064 import mod_11_10
from stdnum.nl import bsn
from stdnum.nl import btw as nl_btw

from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS, SUPPLIERS, SeedAdministration, SeedSupplier

from .formats import Language

Kind = Literal["invoice", "credit_note", "receipt"]
VatKind = Literal["standard", "reverse_charge", "intra_eu", "zero"]
"""How a document treats VAT: charged (at one or more rates), reverse-charged within the Netherlands
("btw verlegd"), reverse-charged across an EU border (intra-community), or not charged at all (0 %, exempt)."""
CENT = Decimal("0.01")

NL_BANKS = ("ABNA", "INGB", "RABO", "TRIO", "BUNQ", "SNSB", "KNAB", "ASNB")
# Real German bank codes (BLZ) so schwifty can derive the BIC.
DE_BANKS = ("37040044", "10070000", "50010517", "70150000", "20050550")
BE_BANKS = ("001", "068", "363", "734", "751")  # BNP Paribas Fortis, Belfius, ING, KBC, AXA


@dataclass(frozen=True)
class Party:
    """A supplier or buyer as printed on a document."""

    name: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166 alpha-2
    vat_id: str | None
    kvk: str | None
    iban: str | None = None
    bic: str | None = None
    email: str = ""
    phone: str = ""
    website: str = ""
    register: str | None = None  # German "Handelsregister" line, where a Dutch party has its KvK
    seed_code: str | None = None  # creditor code when the party is a seeded supplier
    trade_name: str | None = None  # the name a letterhead prints when it is not the legal ``name``


@dataclass(frozen=True)
class SampleLine:
    """One invoice line. ``quantity`` carries the sign (negative on credit notes)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    reverse_charge: bool = False
    exempt: bool = False  # no VAT because the supply is exempt (KOR, rent), not because the rate is 0 %

    @property
    def amount(self) -> Decimal:
        """Line amount, rounded to cents: excluding VAT, or including it when the document prices incl. VAT."""
        return money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class VatGroup:
    """The VAT of one rate (or of the reverse-charged lines)."""

    rate: Decimal
    base: Decimal
    amount: Decimal
    category: str  # UNCL5305: S standard, Z zero rated, E exempt, AE reverse charge, K intra-community

    @property
    def reverse_charge(self) -> bool:
        """True for verlegd (reverse-charged) lines."""
        return self.category in ("AE", "K")


@dataclass(frozen=True)
class InvoiceSpec:
    """Everything one generated document states."""

    kind: Kind
    language: Language
    number: str
    issue_date: dt.date
    due_date: dt.date | None
    payment_term_days: int | None
    currency: str
    supplier: Party
    buyer: Party
    lines: tuple[SampleLine, ...]
    order_reference: str = ""
    credited_invoice: str | None = None  # credit notes: the invoice they correct
    paid_with: str | None = None  # receipts: "PIN", "contant"
    prices_include_vat: bool = False
    """Line prices include VAT (till receipts, webshops, hotels): the VAT per rate is then taken out of each
    rate's gross sum (``gross x rate / (100 + rate)``), so the lines add up to the total incl. VAT exactly."""
    tendered: Decimal | None = None  # cash receipts: what the customer handed over (change = tendered - total)
    credited_date: dt.date | None = None  # credit notes: the date of the invoice they correct
    extras: dict[str, Any] = field(default_factory=dict)
    """What a layout family prints besides the invoice itself (meter readings, licence plate, room number, a
    second bank account): drawn from the seed with the rest, so the page and the truth agree."""
    vat_groups: tuple[VatGroup, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vat_groups", _vat_groups(self.lines, self.supplier.country,
                                                           gross=self.prices_include_vat))

    @property
    def total_excl_vat(self) -> Decimal:
        """Sum of the line amounts (of the bases per rate, when prices include VAT)."""
        if self.prices_include_vat:
            return sum((group.base for group in self.vat_groups), Decimal("0.00"))
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def vat_total(self) -> Decimal:
        """Sum of the VAT per rate (rounded per rate, as Dutch invoices do)."""
        return sum((group.amount for group in self.vat_groups), Decimal("0.00"))

    @property
    def total_incl_vat(self) -> Decimal:
        """What the buyer pays (or gets back, on a credit note)."""
        if self.prices_include_vat:
            return sum((line.amount for line in self.lines), Decimal("0.00"))
        return self.total_excl_vat + self.vat_total

    @property
    def change(self) -> Decimal | None:
        """Cash receipts: the change given back."""
        return None if self.tendered is None else self.tendered - self.total_incl_vat

    @property
    def vat_kind(self) -> VatKind:
        """The document's VAT treatment (see ``VatKind``), from its VAT categories."""
        categories = {group.category for group in self.vat_groups}
        if "K" in categories:
            return "intra_eu"
        if "AE" in categories:
            return "reverse_charge"
        if all(group.rate == 0 for group in self.vat_groups):
            return "zero"
        return "standard"

    @property
    def reverse_charge(self) -> bool:
        """True when any line is reverse charged (the page then says "BTW verlegd")."""
        return any(group.reverse_charge for group in self.vat_groups)


def money(value: Decimal) -> Decimal:
    """Round to cents, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_category(rate: Decimal, reverse_charge: bool, supplier_country: str, *, exempt: bool = False) -> str:
    """The UNCL5305 VAT category of a line or group."""
    if reverse_charge:
        # Cross-border reverse charge is "K" (intra-community); domestic verlegd is "AE".
        return "K" if supplier_country != "NL" else "AE"
    if exempt:
        return "E"
    return "S" if rate > 0 else "Z"


def _vat_groups(lines: tuple[SampleLine, ...], supplier_country: str, *, gross: bool = False) -> tuple[VatGroup, ...]:
    sums: dict[tuple[Decimal, bool, bool], Decimal] = {}
    for line in lines:
        key = (Decimal("0") if line.reverse_charge else line.vat_rate, line.reverse_charge, line.exempt)
        sums[key] = sums.get(key, Decimal("0.00")) + line.amount
    groups = []
    for (rate, reverse, exempt), total in sorted(sums.items(), key=lambda item: (item[0][1], -item[0][0], item[0][2])):
        category = vat_category(rate, reverse, supplier_country, exempt=exempt)
        if gross:  # the VAT is inside the prices: take it out of the rate's gross sum
            amount = money(total * rate / (100 + rate))
            groups.append(VatGroup(rate, total - amount, amount, category))
        else:
            groups.append(VatGroup(rate, total, money(total * rate / 100), category))
    return tuple(groups)


# --- identifiers with valid check digits ---------------------------------------------------------------------


def nl_vat_id(rng: random.Random) -> str:
    """A Dutch BTW-id (``NL123456782B01``) whose number passes the 11-proof."""
    while True:
        head = f"{rng.randrange(10_000_000, 99_999_999)}"
        for last in range(10):
            number = f"NL{head}{last}B{rng.choice(('01', '01', '01', '02'))}"
            if bsn.checksum(head + str(last)) == 0 and nl_btw.is_valid(number):
                return number


def de_vat_id(rng: random.Random) -> str:
    """A German USt-IdNr. (``DE123456789``) with its ISO 7064 check digit."""
    head = f"{rng.randrange(10_000_000, 99_999_999)}"
    number = f"DE{head}{mod_11_10.calc_check_digit(head)}"
    assert de_vat.is_valid(number)
    return number


def be_vat_id(rng: random.Random) -> str:
    """A Belgian VAT number (``BE0123456749``): the enterprise number, its last two digits 97 - (first 8 mod 97)."""
    head = rng.randrange(2_000_000, 9_999_999)  # "0" + 7 digits: enterprise numbers start with 0 or 1
    number = f"BE0{head}{97 - (head % 97):02d}"
    assert be_vat.is_valid(number)
    return number


def kvk_number(rng: random.Random) -> str:
    """A KvK number: eight digits, no check digit exists."""
    return f"{rng.randrange(10_000_000, 99_999_999)}"


def iban_for(rng: random.Random, country: str) -> tuple[str, str]:
    """An IBAN with valid check digits at a real bank, and that bank's BIC."""
    if country == "DE":
        iban = IBAN.generate("DE", bank_code=rng.choice(DE_BANKS), account_code=f"{rng.randrange(10**9, 10**10)}")
    elif country == "BE":
        iban = IBAN.generate("BE", bank_code=rng.choice(BE_BANKS), account_code=f"{rng.randrange(10**6, 10**7)}")
    else:
        iban = IBAN.generate("NL", bank_code=rng.choice(NL_BANKS), account_code=f"{rng.randrange(10**8, 10**10)}")
    return str(iban.compact), str(iban.bic.compact) if iban.bic else ""


# --- parties -------------------------------------------------------------------------------------------------

SECTORS: dict[str, tuple[str, ...]] = {
    # sector -> words that make a company name sound like it belongs there
    "office": ("Kantoorartikelen", "Office Supplies", "Kantoorinrichting"),
    "telecom": ("Telecom", "ICT Diensten", "Connect"),
    "food": ("Groothandel", "Versservice", "Horecagroothandel"),
    "energy": ("Energie", "Installatietechniek"),
    "garage": ("Autobedrijf", "Garage", "Bandenservice"),
    "consulting": ("Advies", "Consultancy", "Administratiekantoor"),
    "print": ("Drukwerk", "Grafische Diensten", "Reclame"),
    "construction": ("Bouw", "Aannemersbedrijf", "Schilderwerken"),
    "software": ("Software", "Cloud Services", "IT Solutions"),
    "hotel": ("Hotel", "Catering", "Congrescentrum"),
}
SEED_SECTORS = {"4300": "office", "4310": "telecom", "7000": "food", "4410": "energy", "4400": "rent",
                "4500": "garage", "4800": "consulting", "4320": "print", "4200": "construction"}
LEGAL_FORMS = ("B.V.", "B.V.", "B.V.", "V.O.F.", "", "N.V.")
BE_LEGAL_FORMS = ("BV", "BV", "NV", "BVBA", "CommV")
DE_LEGAL_FORMS = ("GmbH", "GmbH", "AG", "GmbH & Co. KG", "e.K.")
DE_SECTOR_WORDS = ("Maschinenbau", "Handelsgesellschaft", "Technik", "Hotelbetriebe", "Logistik", "Messebau")


def _postcode(raw: str) -> str:
    digits, letters = raw.replace(" ", "")[:4], raw.replace(" ", "")[4:]
    return f"{digits} {letters.upper()}"


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:18] or "bedrijf"


def party_from_seed(supplier: SeedSupplier) -> Party:
    """The party a seeded supplier prints on its invoices (exactly the simulators' values)."""
    domain = supplier.email.split("@", 1)[1] if "@" in supplier.email else f"{_slug(supplier.name)}.test"
    return Party(supplier.name, supplier.street, supplier.postcode, supplier.city, supplier.country, supplier.vat_id,
                 supplier.kvk, supplier.iban, supplier.bic, supplier.email, "", f"www.{domain}",
                 seed_code=supplier.code)


def random_supplier(rng: random.Random, country: str = "NL", sector: str | None = None) -> Party:
    """A new, random supplier (not in the seed) with valid identifiers (NL, DE or BE)."""
    if country == "BE":
        return _belgian_supplier(rng, sector or rng.choice(sorted(SECTORS)))
    fake = Faker("de_DE" if country == "DE" else "nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    sector = sector or rng.choice(sorted(SECTORS))
    family = fake.last_name()
    form = rng.choice(DE_LEGAL_FORMS if country == "DE" else LEGAL_FORMS)
    words = DE_SECTOR_WORDS if country == "DE" else SECTORS[sector]
    name = f"{family} {rng.choice(words)} {form}".strip()
    iban, bic = iban_for(rng, country)
    domain = f"{_slug(family + words[0])}.test"
    if country == "DE":
        return Party(name, fake.street_address(), fake.postcode(), fake.city(), "DE", de_vat_id(rng), None, iban, bic,
                     f"rechnung@{domain}", f"+49 {rng.randrange(30, 899)} {rng.randrange(100000, 9999999)}",
                     f"www.{domain}", register=f"HRB {rng.randrange(1000, 99999)}, Amtsgericht {fake.city()}")
    return Party(name, fake.street_address(), _postcode(fake.postcode()), fake.city(), "NL", nl_vat_id(rng),
                 kvk_number(rng), iban, bic, f"{rng.choice(('facturen', 'administratie', 'info'))}@{domain}",
                 f"0{rng.randrange(10, 99)}-{rng.randrange(1000000, 9999999)}", f"www.{domain}")


def _belgian_supplier(rng: random.Random, sector: str) -> Party:
    """A Flemish supplier: BE VAT id (= its enterprise number), RPR register line instead of a KvK number."""
    fake = Faker("nl_BE")
    fake.seed_instance(rng.randrange(2**32))
    family = fake.last_name()
    name = f"{family} {rng.choice(SECTORS[sector])} {rng.choice(BE_LEGAL_FORMS)}"
    iban, bic = iban_for(rng, "BE")
    vat_id = be_vat_id(rng)
    enterprise = f"{vat_id[2:6]}.{vat_id[6:9]}.{vat_id[9:]}"
    domain = f"{_slug(family + SECTORS[sector][0])}.test"
    return Party(name, fake.street_address(), fake.postcode(), fake.city(), "BE", vat_id, None, iban, bic,
                 f"facturatie@{domain}", f"+32 {rng.randrange(2, 99)} {rng.randrange(100, 999)} {rng.randrange(10, 99)} "
                 f"{rng.randrange(10, 99)}", f"www.{domain}",
                 register=f"RPR {rng.choice(('Antwerpen', 'Gent', 'Brussel', 'Leuven', 'Brugge'))} {enterprise}")


def buyer_for_administration(administration: SeedAdministration) -> Party:
    """The seeded administration as the buyer, with identifiers that are stable per administration."""
    rng = random.Random(f"buyer-{administration.index}")
    fake = Faker("nl_NL")
    fake.seed_instance(administration.index)
    iban, bic = iban_for(rng, "NL")
    return Party(administration.name, fake.street_address(), _postcode(fake.postcode()), fake.city(), "NL",
                 nl_vat_id(rng), kvk_number(rng), iban, bic)


BUYERS: tuple[Party, ...] = tuple(buyer_for_administration(a) for a in ADMINISTRATIONS if a.accessible)
"""The accessible seeded administrations as buyers."""


def pick_supplier(rng: random.Random) -> Party:
    """Half seeded suppliers (the three named ones twice as likely), half new random ones."""
    roll = rng.random()
    if roll < 0.25:
        return party_from_seed(rng.choice(NAMED_SUPPLIERS))
    if roll < 0.5:
        return party_from_seed(rng.choice(SUPPLIERS))
    return random_supplier(rng, "NL")


# --- lines ---------------------------------------------------------------------------------------------------

CatalogueEntry = tuple[str, tuple[int, int], int]  # description, unit price range in euro, VAT rate

# sector -> what it sells; several sectors mix 9 % and 21 %.
CATALOGUE: dict[str, tuple[CatalogueEntry, ...]] = {
    "office": (("Kopieerpapier A4 80 gr (doos 5 pak)", (18, 32), 21), ("Balpennen blauw (doos 50)", (9, 25), 21),
               ("Bureaustoel ergonomisch", (189, 449), 21), ("Toner HP 305A zwart", (59, 119), 21),
               ("Ordners A4 80 mm", (2, 6), 21), ("Koffie bonen 1 kg", (14, 24), 9), ("Thee assortiment", (4, 9), 9)),
    "telecom": (("Zakelijk mobiel abonnement", (15, 45), 21), ("Glasvezel internet 1 Gbit/s", (45, 120), 21),
                ("Vaste telefonie VoIP per toestel", (6, 15), 21), ("Eenmalige aansluitkosten", (25, 99), 21)),
    "food": (("Tarwebloem type 405, 25 kg", (14, 26), 9), ("Roggemeel 25 kg", (17, 29), 9),
             ("Biologische spelt 25 kg", (28, 45), 9), ("Roomboter 10 kg", (55, 89), 9), ("Gist 500 g", (3, 6), 9),
             ("Bezorgkosten", (15, 35), 21), ("Pallethuur", (8, 15), 21)),
    "energy": (("Levering elektriciteit normaal tarief", (80, 420), 21), ("Levering gas", (60, 380), 21),
               ("Vastrecht elektriciteit", (6, 12), 21), ("Netbeheerkosten", (20, 45), 21)),
    "rent": (("Huur bedrijfsruimte", (850, 4200), 0), ("Servicekosten", (75, 350), 0), ("Huur parkeerplaats", (60, 150), 0)),
    "garage": (("Onderhoudsbeurt klein", (149, 289), 21), ("APK keuring", (35, 65), 21), ("Winterbanden (4 st.)", (320, 690), 21),
               ("Motorolie 5W-30 5 l", (35, 59), 21), ("Arbeidsloon per uur", (65, 95), 21)),
    "consulting": (("Samenstellen jaarrekening", (950, 2900), 21), ("Aangifte omzetbelasting Q", (125, 325), 21),
                   ("Advieswerkzaamheden per uur", (95, 165), 21), ("Loonadministratie per maand", (45, 150), 21)),
    "print": (("Visitekaartjes 500 st.", (39, 89), 21), ("Flyers A5 2500 st.", (120, 290), 21),
              ("Briefpapier 1000 vel", (95, 190), 21), ("Ontwerpkosten", (75, 250), 21)),
    "construction": (("Metselwerk gevel", (1200, 6800), 21), ("Stelpost materialen", (400, 2600), 21),
                     ("Uren timmerman", (48, 62), 21), ("Steigerhuur per week", (180, 420), 21)),
    "software": (("Licentie boekhoudsoftware per jaar", (240, 960), 21), ("Cloud hosting maandbundel", (29, 199), 21),
                 ("Support uren", (85, 125), 21), ("Gebruikersabonnement", (8, 25), 21)),
    "hotel": (("Overnachting eenpersoonskamer", (89, 179), 9), ("Ontbijtbuffet", (15, 25), 9),
              ("Vergaderzaal dagdeel", (120, 350), 21), ("Lunch zakelijk", (18, 35), 9), ("Parkeren", (12, 25), 21)),
    "shop": (("Melk halfvol 1 l", (1, 2), 9), ("Brood volkoren", (2, 4), 9), ("Koffie 500 g", (4, 9), 9),
             ("Schoonmaakmiddel", (2, 6), 21), ("Batterijen AA 8 st.", (6, 12), 21), ("Vuilniszakken 20 st.", (2, 5), 21),
             ("Frisdrank 1,5 l", (1, 3), 9), ("Printpapier 500 vel", (5, 9), 21)),
}
EN_NAMES = {"Zakelijk mobiel abonnement": "Business mobile subscription", "Glasvezel internet 1 Gbit/s": "Fibre internet 1 Gbit/s",
            "Licentie boekhoudsoftware per jaar": "Accounting software licence (annual)",
            "Cloud hosting maandbundel": "Cloud hosting monthly bundle", "Support uren": "Support hours",
            "Gebruikersabonnement": "User subscription", "Advieswerkzaamheden per uur": "Advisory services per hour",
            "Ontwerpkosten": "Design fee", "Eenmalige aansluitkosten": "One-off connection fee"}
DE_LINES: tuple[CatalogueEntry, ...] = (("Übernachtung Einzelzimmer", (79, 169), 7), ("Frühstück", (12, 22), 19), ("Tagungspauschale", (45, 89), 19),
            ("Maschinenteile Satz", (120, 890), 19), ("Montage vor Ort, Stunde", (65, 95), 19),
            ("Versandkosten", (9, 39), 19), ("Messestand Miete", (900, 3900), 19))


def sector_of(supplier: Party, rng: random.Random) -> str:
    """The catalogue a supplier sells from."""
    if supplier.seed_code:
        seeded = next(s for s in SUPPLIERS if s.code == supplier.seed_code)
        return SEED_SECTORS.get(seeded.default_gl, "office")
    for sector, words in SECTORS.items():
        if any(word in supplier.name for word in words):
            return sector
    return rng.choice(sorted(SECTORS))


def random_lines(rng: random.Random, supplier: Party, kind: Kind, count: int, *, reverse_charge: bool,
                 language: Language) -> tuple[SampleLine, ...]:
    """``count`` plausible lines for this supplier; negative quantities on credit notes."""
    catalogue: tuple[CatalogueEntry, ...]
    if supplier.country == "DE":
        catalogue = DE_LINES
    elif kind == "receipt":
        catalogue = CATALOGUE["shop"] if rng.random() < 0.6 else CATALOGUE["hotel"]
    else:
        catalogue = CATALOGUE.get(sector_of(supplier, rng), CATALOGUE["office"])
    sign = Decimal(-1) if kind == "credit_note" else Decimal(1)
    lines = []
    for _ in range(count):
        description, (low, high), rate = rng.choice(catalogue)
        if language == "en":
            description = EN_NAMES.get(description, description)
        unit = Decimal(rng.randrange(low * 100, high * 100 + 1)) / 100
        quantity = Decimal(rng.choice((1, 1, 1, 2, 3, 4, 5, 6, 10, 12, 24))) if high < 400 else Decimal(1)
        if "uur" in description.lower() or "Stunde" in description or "hour" in description:
            quantity = Decimal(rng.choice(("1", "2", "3.5", "4", "7.25", "8", "12")))
        lines.append(SampleLine(description, sign * quantity, unit, Decimal(rate), reverse_charge))
    return tuple(lines)


# --- invoice numbers -----------------------------------------------------------------------------------------


def invoice_number(rng: random.Random, kind: Kind, date: dt.date) -> str:
    """A number in one of the styles Dutch bookkeeping packages print."""
    n = rng.randrange(1, 99999)
    if kind == "receipt":
        return rng.choice((f"{rng.randrange(1, 30):02d}-{n:05d}", f"{n:06d}", f"B{date:%y%m%d}-{n % 1000:03d}"))
    prefix = "C" if kind == "credit_note" else rng.choice(("F", "INV-", "", "VF"))
    style = rng.randrange(5)
    if style == 0:
        return f"{prefix}{date.year}-{n:05d}"
    if style == 1:
        return f"{date.year}.{n:05d}" if prefix == "" else f"{prefix}{date.year}.{n:05d}"
    if style == 2:
        return f"{prefix}{date:%y}{n:05d}"
    if style == 3:
        return f"{prefix or 'NR'}/{date.year}/{n:04d}"
    return f"{rng.randrange(100000, 999999)}" if kind == "invoice" else f"CN{rng.randrange(10000, 99999)}"
