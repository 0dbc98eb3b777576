"""What the layout families build their invoices from: the request (``Draft``), buyers, lines and ``compose``.

A family's builder draws everything from the draft's ``rng`` in a fixed order, so one seed gives one invoice;
the caller's overrides (supplier, buyer, lines, number, date) win over chance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from faker import Faker

from .formats import Language
from .model import BUYERS, InvoiceSpec, Kind, Party, SampleLine, random_supplier

Entry = tuple[str, tuple[float, float], int]
"""A catalogue entry: description, unit price range in euro, VAT rate in percent."""

LEGAL_FORM_RE = re.compile(r"\s+(?:B\.V\.|N\.V\.|V\.O\.F\.|BV|NV|BVBA|CommV|GmbH(?: & Co\. KG)?|AG|e\.K\.)$")


@dataclass
class Draft:
    """One request to a family's builder: the seed's random stream and the caller's overrides."""

    seed: int
    kind: Kind
    rng: random.Random
    supplier: Party | None = None
    buyer: Party | None = None
    lines: tuple[SampleLine, ...] | None = None
    number: str | None = None
    date: dt.date | None = None
    _issue: dt.date | None = field(default=None, repr=False)

    @property
    def issue(self) -> dt.date:
        """The issue date: the override, else drawn once from the seed (2023-01-02 plus up to 1000 days)."""
        if self._issue is None:
            self._issue = self.date or dt.date(2023, 1, 2) + dt.timedelta(days=self.rng.randrange(0, 1000))
        return self._issue

    @property
    def sign(self) -> Decimal:
        """-1 on credit notes (their quantities are negative), else 1."""
        return Decimal(-1) if self.kind == "credit_note" else Decimal(1)


def strip_form(name: str) -> str:
    """A company name without its legal form (``Jansen Bouw B.V.`` -> ``Jansen Bouw``)."""
    return LEGAL_FORM_RE.sub("", name).strip()


def with_form(party: Party, form: str) -> Party:
    """The same party under ``form`` as its legal form."""
    return dataclasses.replace(party, name=f"{strip_form(party.name)} {form}".strip())


def brand(rng: random.Random) -> str:
    """A Dutch family name as the first word of a company name (``Van der Linden``, ``Jansen``)."""
    fake = Faker("nl_NL")
    fake.seed_instance(rng.randrange(2**32))
    name = fake.last_name()
    return name[:1].upper() + name[1:]


def pick_buyer(rng: random.Random) -> Party:
    """Half the seeded administrations, half companies of their own (mostly B.V.s): the buyer's name must not
    be learnable from a list of six."""
    if rng.random() < 0.5:
        return rng.choice(BUYERS)
    company = random_supplier(rng, "NL")
    return with_form(company, rng.choice(("B.V.", "B.V.", "B.V.", "V.O.F.", "N.V.")))


def draw_lines(draft: Draft, catalogue: Sequence[Entry], count: int, *, reverse_charge: bool = False,
               exempt: bool = False, quantities: Sequence[str] = ("1", "1", "1", "2", "3", "4", "5", "6", "10", "12"),
               unique: bool = False) -> tuple[SampleLine, ...]:
    """``count`` lines from ``catalogue`` (negative quantities on credit notes); ``unique``: no entry twice."""
    rng = draft.rng
    pool = list(catalogue)
    lines = []
    for _ in range(count):
        entry = pool.pop(rng.randrange(len(pool))) if unique and pool else rng.choice(catalogue)
        description, (low, high), rate = entry
        unit = Decimal(rng.randrange(int(low * 100), int(high * 100) + 1)) / 100
        quantity = Decimal(rng.choice(quantities)) if high < 400 else Decimal(1)
        lines.append(SampleLine(description, draft.sign * quantity, unit, Decimal(rate), reverse_charge,
                                exempt=exempt))
    return tuple(lines)


def compose(draft: Draft, *, supplier: Party, lines: Sequence[SampleLine], number: str, language: Language = "nl",
            term: int | None = None, credited: str | None = None, credited_date: dt.date | None = None,
            paid_with: str | None = None, tendered: Decimal | None = None, prices_include_vat: bool = False,
            order_reference: str = "", extras: dict[str, Any] | None = None) -> InvoiceSpec:
    """The ``InvoiceSpec`` of a draft; the overrides of the draft win over what the builder drew."""
    rng = draft.rng
    issue = draft.issue
    buyer = draft.buyer or pick_buyer(rng)
    due = issue + dt.timedelta(days=term) if term and draft.kind == "invoice" else None
    if draft.kind == "credit_note" and credited is None:
        credited = f"{issue.year}-{rng.randrange(100, 9999):04d}"
    if draft.kind == "credit_note" and credited_date is None:
        credited_date = issue - dt.timedelta(days=rng.randrange(5, 60))
    return InvoiceSpec(
        kind=draft.kind,
        language=language,
        number=draft.number or number,
        issue_date=issue,
        due_date=due,
        payment_term_days=term if draft.kind == "invoice" else None,
        currency="EUR",
        supplier=supplier,
        buyer=buyer,
        lines=tuple(draft.lines if draft.lines is not None else lines),
        order_reference=order_reference,
        credited_invoice=credited if draft.kind == "credit_note" else None,
        paid_with=paid_with,
        prices_include_vat=prices_include_vat,
        tendered=tendered,
        credited_date=credited_date if draft.kind == "credit_note" else None,
        extras=extras or {},
    )


def side_faker(draft: Draft, purpose: str) -> Faker:
    """A Dutch ``Faker`` seeded from the draft's seed and ``purpose`` (a server's or cashier's name, a number
    plate): deterministic per seed without taking draws from the draft's ``rng``."""
    fake = Faker("nl_NL")
    fake.seed_instance(f"{purpose}-{draft.seed}")
    return fake


def cash_tendered(rng: random.Random, total: Decimal) -> Decimal:
    """What a customer paying cash hands over: the total rounded up to a coin or note (sometimes exact)."""
    if rng.random() < 0.15:
        return total
    for note in (Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100), Decimal(200)):
        if note >= total:
            options = [note, note * 2] if note < 100 else [note]
            return rng.choice(options)
    return (total / 50).to_integral_value(rounding="ROUND_CEILING") * 50


def digits(rng: random.Random, count: int) -> str:
    """A number of ``count`` digits that does not start with 0."""
    return str(rng.randrange(10 ** (count - 1), 10**count))
