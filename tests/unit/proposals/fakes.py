"""In-memory fakes for the proposal services: an administration with master data, a package, the memory."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from decimal import Decimal
from typing import Any, cast

from boekstuk.domain import errors
from boekstuk.domain.documents import BookedHistory, Document, Proposal
from boekstuk.domain.links import Administration, Connection, LedgerAccount, PostingRule, Supplier, TaxCode
from boekstuk.domain.packages import Address, GLAccount, PackageSupplier, SupplierDraft, VatCode
from boekstuk.domain.recognition import Buyer, LineItem, RecognisedFields, Recognition, VatLine
from boekstuk.ports import AccountingPackage, AdministrationRepository, ConnectionRepository
from boekstuk.services.proposals import ProposalService, SupplierProvisioning
from tests.fakes import FixedClock

ADM = Administration(administration_id="adm1", office_code="devries", connection_id="con1", package="exact_online",
                     code="101", name="Bakkerij De Vries B.V.", linked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
CONNECTION = Connection(connection_id="con1", office_code="devries", package="exact_online", status="verified",
                        secret_name="s", created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), created_by="sync")
BUYER_VAT = "NL001234567B01"
BUYER_KVK = "11223344"

KANTOORHUIS = Supplier(code="2001", name="Kantoorhuis Utrecht B.V.", vat_id="NL853746333B01", kvk="30276543",
                       iban="NL91ABNA0417164300", address=Address(street="Stationsplein 12", postcode="3511 ED",
                                                                  city="Utrecht"),
                       default_gl_account="4300", default_vat_code="H21", payment_term_days=30)
TELECOM = Supplier(code="2002", name="Telecom Noord B.V.", vat_id="NL812345678B01", kvk="01098765",
                   iban="NL69INGB0123456789", default_gl_account="4310", default_vat_code="H21", payment_term_days=14)
GRAAN = Supplier(code="2003", name="Graanhandel Zuid B.V.", vat_id="NL860123452B01", kvk="17012345",
                 iban="NL93RABO0987654321", default_gl_account="7000", default_vat_code="L9", payment_term_days=30)
SELF = Supplier(code="2999", name="Bakkerij De Vries B.V.", vat_id=BUYER_VAT, kvk=BUYER_KVK,
                default_gl_account="4900", default_vat_code="H21")

VAT_CODES = [TaxCode(code="H21", name="BTW hoog", rate="21", kind="high"),
             TaxCode(code="L9", name="BTW laag", rate="9", kind="low"),
             TaxCode(code="N0", name="BTW 0%", rate="0", kind="zero"),
             TaxCode(code="VL", name="BTW verlegd", rate="21", kind="reverse_charge"),
             TaxCode(code="EU", name="ICV", rate="21", kind="eu")]
GL_ACCOUNTS = [LedgerAccount(code=c, name=c) for c in ("1600", "4300", "4310", "4330", "4400", "4900", "7000")]


class FakeAdministrations:
    def __init__(self, suppliers: list[Supplier] | None = None) -> None:
        self.adm = ADM
        self.supplier_list = list(suppliers if suppliers is not None else [KANTOORHUIS, TELECOM, GRAAN, SELF])
        self.rule_map: dict[str, PostingRule] = {}
        self.vat = list(VAT_CODES)

    def get(self, office_code: str, administration_id: str) -> Administration | None:
        ok = (office_code, administration_id) == (self.adm.office_code, self.adm.administration_id)
        return self.adm if ok else None

    def suppliers(self, administration_id: str) -> list[Supplier]:
        return list(self.supplier_list)

    def gl_accounts(self, administration_id: str) -> list[LedgerAccount]:
        return list(GL_ACCOUNTS)

    def vat_codes(self, administration_id: str) -> list[TaxCode]:
        return list(self.vat)

    def rules(self, administration_id: str) -> dict[str, PostingRule]:
        return dict(self.rule_map)


class FakeConnections:
    def get(self, office_code: str, connection_id: str) -> Connection | None:
        return CONNECTION if connection_id == CONNECTION.connection_id else None


class FakePackage:
    """Creditors in 'the package'. ``lose_next_answer``: do the next create/update, then fail like a timeout."""

    package_id = "exact_online"

    def __init__(self, suppliers: list[Supplier] | None = None) -> None:
        self.creditors: dict[str, PackageSupplier] = {
            s.code: PackageSupplier.model_validate(s.model_dump()) for s in (suppliers or [])}
        self.codes = itertools.count(3001)
        self.calls: list[str] = []
        self.down = False
        self.lose_next_answer = False
        self.extra_accounts: list[GLAccount] = []  # created in the package after the last sync
        self.find_delay = 0.0  # widens the window between lookup and creation (concurrency tests)
        self._lock = threading.Lock()

    def _answer(self, value: Any) -> Any:
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise errors.PackageUnavailable("timed out")
        return value

    def find_suppliers(self, administration: str, *, vat_id: str | None = None, kvk: str | None = None,
                       iban: str | None = None, name: str | None = None) -> list[PackageSupplier]:
        self.calls.append("find")
        if self.down:
            raise errors.PackageUnavailable()
        found = [s for s in self.creditors.values()
                 if (vat_id and s.vat_id == vat_id) or (kvk and s.kvk == kvk) or (iban and s.iban == iban)
                 or (name and name.lower() in s.name.lower())]
        time.sleep(self.find_delay)  # the answer is on its way while others act
        return found

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        self.calls.append("gl_accounts")
        if self.down:
            raise errors.PackageUnavailable()
        return [GLAccount(code=g.code, name=g.name) for g in GL_ACCOUNTS] + self.extra_accounts

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        self.calls.append("vat_codes")
        if self.down:
            raise errors.PackageUnavailable()
        return [VatCode.model_validate(v.model_dump()) for v in VAT_CODES]

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        self.calls.append("create")
        with self._lock:
            created = PackageSupplier(code=str(next(self.codes)), **supplier.model_dump())
            self.creditors[created.code] = created
        return self._answer(created)  # type: ignore[no-any-return]

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        self.calls.append("update")
        current = self.creditors[code]
        fields = {k: v for k, v in supplement.model_dump(exclude={"name", "address"}).items() if v}
        if supplement.address.street:
            fields["address"] = supplement.address
        self.creditors[code] = current.model_copy(update=fields)
        return self._answer(self.creditors[code])  # type: ignore[no-any-return]


class FakeOpener:
    def __init__(self, package: FakePackage) -> None:
        self.package = package

    def open(self, connection: Connection) -> AccountingPackage:
        # Only the creditor methods are faked: the services under test call nothing else.
        return cast(AccountingPackage, self.package)


class InMemoryProposalMemory:
    def __init__(self) -> None:
        self.claims: dict[tuple[str, str], str] = {}
        self.prints: dict[tuple[str, str], set[str]] = {}
        self.booked: dict[tuple[str, str], BookedHistory] = {}
        self.provisioned: dict[tuple[str, str], str] = {}
        self.creations: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
        self._lock = threading.Lock()

    def _claim(self, key: tuple[str, str], document_id: str) -> str | None:
        with self._lock:
            holder = self.claims.setdefault(key, document_id)
        return None if holder == document_id else holder

    def claim_file(self, administration_id: str, sha256: str, document_id: str) -> str | None:
        return self._claim((administration_id, f"FILE#{sha256}"), document_id)

    def claim_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                      document_id: str) -> str | None:
        return self._claim((administration_id, f"INVOICE#{supplier_key}#{invoice_number}"), document_id)

    def _release(self, key: tuple[str, str], document_id: str) -> None:
        with self._lock:
            if self.claims.get(key) == document_id:
                del self.claims[key]

    def release_file(self, administration_id: str, sha256: str, document_id: str) -> None:
        self._release((administration_id, f"FILE#{sha256}"), document_id)

    def release_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                        document_id: str) -> None:
        self._release((administration_id, f"INVOICE#{supplier_key}#{invoice_number}"), document_id)

    def remember_fingerprint(self, administration_id: str, supplier_key: str, invoice_date: str, amount: str,
                             document_id: str) -> list[str]:
        with self._lock:
            docs = self.prints.setdefault((administration_id, f"{supplier_key}#{invoice_date}#{amount}"), set())
            docs.add(document_id)
            return sorted(docs - {document_id})

    def record_booked(self, administration_id: str, history: BookedHistory) -> None:
        with self._lock:
            old = self.booked.get((administration_id, history.supplier_code))
            if old is None or old.booked_at <= history.booked_at:
                self.booked[(administration_id, history.supplier_code)] = history

    def last_booked(self, administration_id: str, supplier_code: str) -> BookedHistory | None:
        return self.booked.get((administration_id, supplier_code))

    def provisioned_supplier(self, administration_id: str, key: str) -> str | None:
        return self.provisioned.get((administration_id, key))

    def remember_provisioned(self, administration_id: str, key: str, supplier_code: str) -> None:
        self.provisioned[(administration_id, key)] = supplier_code

    def claim_creation(self, administration_id: str, supplier_key: str, document_id: str, at: dt.datetime,
                       stale_before: dt.datetime) -> str | None:
        with self._lock:
            holder = self.creations.get((administration_id, supplier_key))
            if holder is None or holder[0] == document_id or holder[1] < stale_before:
                self.creations[(administration_id, supplier_key)] = (document_id, at)
                return None
            return holder[0]


class World:
    """One administration with its package, memory and both services."""

    def __init__(self, cached: list[Supplier] | None = None, in_package: list[Supplier] | None = None) -> None:
        self.clock = FixedClock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC))
        self.administrations = FakeAdministrations(cached)
        self.package = FakePackage(in_package if in_package is not None else self.administrations.supplier_list)
        self.memory = InMemoryProposalMemory()
        # The fakes implement what the proposal services read, not every repository method.
        administrations = cast(AdministrationRepository, self.administrations)
        connections = cast(ConnectionRepository, FakeConnections())
        self.service = ProposalService(administrations, connections, FakeOpener(self.package), self.memory,
                                       self.clock)
        self.provisioning = SupplierProvisioning(administrations, connections, FakeOpener(self.package),
                                                 self.memory, self.clock)
        self._ids = itertools.count(1)

    def document(self, kind: str = "purchase_invoice", sha256: str | None = None, uploaded_by: str | None = "piet",
                 proposal: Proposal | None = None, status: str = "recognizing") -> Document:
        n = next(self._ids)
        now = self.clock.now()
        return Document(document_id=f"doc{n:04d}", office_code=ADM.office_code, administration_id=ADM.administration_id,
                        kind=kind, filename="f.pdf", status=status, source="api", s3_key=f"k/{n}", sha256=sha256,
                        uploaded_by=uploaded_by, created_at=now, updated_at=now, proposal=proposal)


def recognition(*, name: str | None = "Kantoorhuis Utrecht B.V.", vat_id: str | None = "NL853746333B01",
                kvk: str | None = None, iban: str | None = None, number: str | None = "F2026-001",
                date: str | None = "2026-02-10", due: str | None = None, currency: str | None = "EUR",
                vat: list[tuple[str, str, str]] | None = None, total: str | None = None,
                excl: str | None = None, vat_total: str | None = None,
                items: list[tuple[str, str, str | None]] | None = None, kind: str = "invoice",
                confidence: dict[str, float] | None = None, buyer: Buyer | None = None,
                address: str | None = None, reverse: bool = False, category: str | None = None) -> Recognition:
    """A recognised document; ``vat`` = [(rate, base, amount)], totals derived from it unless given."""
    vat = [("21", "100.00", "21.00")] if vat is None else vat
    base = sum((Decimal(b) for _, b, _ in vat), Decimal("0"))
    tax = sum((Decimal(a) for _, _, a in vat), Decimal("0"))
    return Recognition(
        engine="pdf_text", document_kind=kind,
        fields=RecognisedFields(supplier_name=name, supplier_vat_id=vat_id, supplier_kvk=kvk, supplier_iban=iban,
                                invoice_number=number, invoice_date=date, due_date=due, currency=currency,
                                total_incl_vat=Decimal(total) if total else base + tax,
                                total_excl_vat=Decimal(excl) if excl else base,
                                vat_total=Decimal(vat_total) if vat_total else tax),
        vat_lines=[VatLine(rate=r, base=Decimal(b), amount=Decimal(a), reverse_charge=reverse, category=category)
                   for r, b, a in vat],
        line_items=[LineItem(description=d, amount_excl_vat=Decimal(a), vat_rate=r) for d, a, r in (items or [])],
        confidence=confidence or {}, buyer=buyer or Buyer(name=ADM.name, vat_id=BUYER_VAT, kvk=BUYER_KVK),
        supplier_address=address,
    )
