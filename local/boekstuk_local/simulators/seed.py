"""The seed every local stack holds: identical in every fresh simulator (and in the README's table of logins).

Package-neutral here; each simulator renders it in its package's own coding (division numbers, office
codes, database ids, VAT codes, padded supplier codes, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

VatKind = Literal["high", "low", "zero", "reverse_charge", "eu"]


@dataclass(frozen=True)
class SeedAdministration:
    index: int  # 1..7: every simulator numbers its administrations (divisions, offices, databases) in this order
    name: str
    accessible: bool


@dataclass(frozen=True)
class SeedGLAccount:
    code: str
    name: str
    balance: bool  # True: balance sheet; False: profit and loss


@dataclass(frozen=True)
class SeedVat:
    kind: VatKind
    name: str
    rate: Decimal


@dataclass(frozen=True)
class SeedSupplier:
    code: str  # neutral creditor number; simulators render it in their own style
    name: str
    vat_id: str
    kvk: str
    iban: str
    bic: str
    street: str
    postcode: str
    city: str
    country: str
    default_gl: str
    vat_kind: VatKind
    payment_term_days: int
    email: str = ""
    extra: dict[str, str] = field(default_factory=dict)


ADMINISTRATIONS: tuple[SeedAdministration, ...] = (
    SeedAdministration(1, "Bakkerij De Vries B.V.", True),
    SeedAdministration(2, "De Vries Vastgoed B.V.", True),
    SeedAdministration(3, "Hoveniersbedrijf Groen", True),
    SeedAdministration(4, "Café Het Hoekje", True),
    SeedAdministration(5, "Installatiebedrijf Van Dam", True),
    SeedAdministration(6, "Fietsenmaker Jansen", True),
    SeedAdministration(7, "Holding (geen toegang)", False),
)

GL_ACCOUNTS: tuple[SeedGLAccount, ...] = (
    SeedGLAccount("0100", "Gebouwen", True),
    SeedGLAccount("0200", "Inventaris", True),
    SeedGLAccount("0300", "Vervoermiddelen", True),
    SeedGLAccount("1000", "Kas", True),
    SeedGLAccount("1100", "Bank", True),
    SeedGLAccount("1300", "Debiteuren", True),
    SeedGLAccount("1500", "Te vorderen btw", True),
    SeedGLAccount("1510", "Af te dragen btw", True),
    SeedGLAccount("1600", "Crediteuren", True),
    SeedGLAccount("1700", "Nog te betalen kosten", True),
    SeedGLAccount("4000", "Lonen en salarissen", False),
    SeedGLAccount("4100", "Sociale lasten", False),
    SeedGLAccount("4200", "Huisvestingskosten", False),
    SeedGLAccount("4300", "Kantoorbenodigdheden", False),
    SeedGLAccount("4310", "Telefoon en internet", False),
    SeedGLAccount("4320", "Drukwerk en porti", False),
    SeedGLAccount("4330", "Software en abonnementen", False),
    SeedGLAccount("4400", "Huur", False),
    SeedGLAccount("4410", "Energie", False),
    SeedGLAccount("4500", "Autokosten", False),
    SeedGLAccount("4510", "Brandstof", False),
    SeedGLAccount("4600", "Reis- en verblijfkosten", False),
    SeedGLAccount("4610", "Representatiekosten", False),
    SeedGLAccount("4700", "Verzekeringen", False),
    SeedGLAccount("4800", "Accountantskosten", False),
    SeedGLAccount("4900", "Algemene kosten", False),
    SeedGLAccount("7000", "Inkoop grondstoffen", False),
    SeedGLAccount("7100", "Inkoop handelsgoederen", False),
    SeedGLAccount("8000", "Omzet", False),
)

PAYABLES_ACCOUNT = "1600"

VAT_RATES: tuple[SeedVat, ...] = (
    SeedVat("high", "BTW hoog 21%", Decimal("21")),
    SeedVat("low", "BTW laag 9%", Decimal("9")),
    SeedVat("zero", "BTW 0%", Decimal("0")),
    SeedVat("reverse_charge", "BTW verlegd", Decimal("21")),
    SeedVat("eu", "Intracommunautaire verwerving", Decimal("21")),
)

SUPPLIERS: tuple[SeedSupplier, ...] = (
    # The three named suppliers (NAMED_SUPPLIERS) acceptance checks read back, with exactly these values.
    SeedSupplier("2001", "Kantoorhuis Utrecht B.V.", "NL853746333B01", "30276543", "NL91ABNA0417164300", "ABNANL2A",
                 "Stationsplein 12", "3511 ED", "Utrecht", "NL", "4300", "high", 30, "facturen@kantoorhuis.test"),
    SeedSupplier("2002", "Telecom Noord B.V.", "NL812345678B01", "01098765", "NL69INGB0123456789", "INGBNL2A",
                 "Zuiderdiep 40", "9711 HL", "Groningen", "NL", "4310", "high", 14, "billing@telecomnoord.test"),
    SeedSupplier("2003", "Graanhandel Zuid B.V.", "NL860123452B01", "17012345", "NL93RABO0987654321", "RABONL2U",
                 "Havenweg 7", "5201 AB", "'s-Hertogenbosch", "NL", "7000", "low", 30, "administratie@graanzuid.test"),
    # Five more, with valid check digits as well.
    SeedSupplier("2004", "Energiebedrijf Delta N.V.", "NL081234569B01", "20145678", "NL20INGB0001234567", "INGBNL2A",
                 "Energieweg 1", "4331 AA", "Middelburg", "NL", "4410", "high", 14, "klantenservice@delta.test"),
    SeedSupplier("2005", "Vastgoedbeheer Centrum B.V.", "NL085512345B01", "33221144", "NL44RABO0123456789", "RABONL2U",
                 "Keizersgracht 100", "1015 AA", "Amsterdam", "NL", "4400", "zero", 30, "huur@vgcentrum.test"),
    SeedSupplier("2006", "Garage Van den Berg", "NL080445573B01", "54321876", "NL02ABNA0123456789", "ABNANL2A",
                 "Industrieweg 22", "3044 AS", "Rotterdam", "NL", "4500", "high", 30, "werkplaats@vdberg.test"),
    SeedSupplier("2007", "Accountantskantoor Bos & Partners", "NL086677895B01", "61234509", "NL12TRIO0198765432",
                 "TRIONL2U", "Maliebaan 50", "3581 CS", "Utrecht", "NL", "4800", "high", 30, "info@bospartners.test"),
    SeedSupplier("2008", "Drukkerij Het Noorden", "NL082211334B01", "02030405", "NL16BUNQ2034567890", "BUNQNL2A",
                 "Drukkersweg 3", "8912 AX", "Leeuwarden", "NL", "4320", "high", 30, "orders@hetnoorden.test"),
    SeedSupplier("2009", "Bouwbedrijf De Steiger B.V.", "NL084455676B01", "27654321", "NL22SNSB0912345678", "SNSBNL2A",
                 "Steigerweg 9", "2491 BD", "Den Haag", "NL", "4200", "reverse_charge", 30, "facturatie@desteiger.test"),
)

NAMED_SUPPLIERS = SUPPLIERS[:3]
"""The three suppliers acceptance checks read back."""
