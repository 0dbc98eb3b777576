"""Unit4 Multivers / Boekhoud Gemak connector: the Multivers Web API.

API: https://sandbox-api.boekhoudgemak.nl/V21/Documentation/Guide/Environments

OAuth2 authorization-code flow on ``{auth_url}/OAuth/Authorize`` and ``/OAuth/Token`` (scope
``http://UNIT4.Multivers.API/Web/WebApi/*``); tokens are kept by the shared ``TokenKeeper``, refreshed
before they expire and after a 401, and every new pair goes to the ``token_store`` at once. Data calls
are ``{base_url}/api/{database}/…`` with ``Authorization: Bearer``.

Booking a purchase invoice: reserve the journal transaction (``GetNextJournalTransactionCommand``), read
the supplier for its payment condition, ``POST SupplierInvoice`` with ``d-M-yyyy`` dates, net lines on
their GL accounts and one VAT transaction line per VAT code, then ``POST DmDocument`` with the PDF.
The supplier's invoice number goes in ``reference`` (``invoiceId`` is capped at 8 characters, [I]) and in
``paymentReference`` (cut to its 16-character limit); line descriptions are cut to their 30-character limit.

Errors: ``{"messages":[{"message", "path", …}]}`` and ``brokenRulesCollection`` texts become the detail of
``PackageRejected``; 403 is ``PackageAccessDenied``; 401 after a refresh is ``InvalidPackageCredentials``;
429, 5xx and timeouts as the shared HTTP client maps them.

Inferred choices ([I]):

- [I] Supplier fields ``defaultAccountId`` (default cost account) and ``vatCodeId`` (default VAT code); the
  IBAN comes from ``BankAccountInfoList/BySupplierId`` and is added with ``POST BankAccount``
  (``organizationId`` of the supplier). The payment term is the ``expirationDays`` of the supplier's
  payment condition; a supplier created with a term gets the condition of exactly that many days, or the
  default condition when the administration has none (the booking carries the invoice's own due date).
- [I] VAT codes are classified by their description ("verlegd" → reverse charge, "intracommunautair" or
  "EU" → EU acquisition), otherwise by rate; reverse charge and EU acquisition carry no VAT payable.
- [I] ``find_booking`` reads ``SupplierInvoiceInfoList/BySupplierId/{supplier}`` and matches ``reference``;
  then ``SupplierInvoice/{invoiceId}``, whose ``documentLink`` (a field of Multivers invoices) is filled
  once a ``DmDocument`` was stored for the invoice: that is how an invoice whose PDF upload failed after the
  post is recognised (and ``attach_document`` posts the ``DmDocument`` again).
- [I] ``DmDocument`` takes ``{"invoiceId", "fileName", "description", "content": base64}``.
- [I] ``find_suppliers`` filters the supplier list client-side (OData filters are not verified per endpoint).
- [I] ``SupplierInfoList`` is paged with OData ``$top``/``$skip`` (``page_size``) until a page brings no
  new supplier, so a server that caps pages below ``$top`` or ignores ``$skip`` is still read exactly once.
- [I] The entry id is ``invoiceId``; the entry number is ``{fiscalYear}/{journalId}/{journalTransaction}``.
- [I] ``shortName`` (required, ≤ 8) of a new supplier is derived from its name (letters and digits, upper case).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests

from boekstuk.adapters.packages.base import ConnectorOptions, OAuthPackageConnector, default_error_message, json_body
from boekstuk.adapters.packages.ibans import iban_for_package, normalise_iban
from boekstuk.domain.errors import PackageAccessDenied, PackageRejected, PackageUnavailable
from boekstuk.domain.links import normalise_identifier
from boekstuk.domain.money import to_money
from boekstuk.domain.packages import (
    Address,
    Attachment,
    BookingResult,
    GLAccount,
    PackageAdministration,
    PackageApp,
    PackageSupplier,
    PurchaseBooking,
    SupplierDraft,
    VatCode,
    VatKind,
)
from boekstuk.observability import logger

if TYPE_CHECKING:
    from typing_extensions import Unpack

SCOPE = "http://UNIT4.Multivers.API/Web/WebApi/*"
PURCHASE_INVOICE, PURCHASE_CREDIT = 1, 3
VAT_TYPE_GOODS = 0
MAX_LINE_DESCRIPTION = 30
MAX_PAYMENT_REFERENCE = 16


def multivers_error_message(response: requests.Response) -> str:
    """The ``messages``/``brokenRulesCollection`` texts of a Multivers error answer."""
    body = json_body(response)
    if isinstance(body, dict):
        texts: list[str] = []
        for item in body.get("messages") or []:
            if isinstance(item, dict) and item.get("message"):
                path = f" ({item['path']})" if item.get("path") else ""
                texts.append(f"{item['message']}{path}")
        for rule in body.get("brokenRulesCollection") or []:
            if isinstance(rule, dict) and rule.get("messageText") and rule["messageText"] not in " ".join(texts):
                texts.append(str(rule["messageText"]))
        if texts:
            return " ".join(texts)
    return default_error_message(response)


def mv_date(value: dt.date) -> str:
    """Multivers' ``d-M-yyyy`` date (no leading zeros)."""
    return f"{value.day}-{value.month}-{value.year}"


def classify_vat(description: str, rate: Decimal | None) -> VatKind:
    """The domain kind of a Multivers VAT code from its description and rate."""
    text = description.lower()
    if "verlegd" in text:
        return "reverse_charge"
    if "intracommunautair" in text or re.search(r"\beu\b", text):
        return "eu"
    if rate is None or rate == 0:
        return "zero"
    return "low" if rate < 15 else "high"


def short_name(name: str) -> str:
    """A supplier ``shortName`` (required, at most 8 characters) derived from the name."""
    return re.sub(r"[^A-Z0-9]", "", name.upper())[:8] or "LEV"


def supplier_from_json(record: Mapping[str, Any], iban: str | None, term_days: int | None) -> PackageSupplier:
    """A Multivers supplier (``GET Supplier/{id}``) as the domain's creditor."""
    vat_code = record.get("vatCodeId")
    return PackageSupplier(
        code=str(record["supplierId"]),
        name=str(record.get("name") or ""),
        vat_id=record.get("vatNumber") or None,
        kvk=record.get("cocRegistration") or None,
        iban=normalise_iban(iban, package="multivers", supplier=str(record["supplierId"])),
        address=Address(
            street=record.get("street1") or None,
            postcode=record.get("zipCode") or None,
            city=record.get("city") or None,
            country=record.get("countryId") or None,
        ),
        email=record.get("email") or None,
        default_gl_account=record.get("defaultAccountId") or None,
        default_vat_code=None if vat_code is None else str(vat_code),
        payment_term_days=term_days,
        blocked=bool(record.get("blocked")),
    )


def supplier_invoice_payload(
    booking: PurchaseBooking,
    *,
    journal_id: str,
    journal_transaction: int,
    payment_condition_id: str,
    due_date: dt.date,
) -> dict[str, Any]:
    """The ``SupplierInvoice`` body: net lines (debit, or credit when negative) plus VAT lines per code."""
    fiscal_year = booking.invoice_date.year
    credit_note = booking.total_incl_vat < 0
    vat_by_code: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    lines = []
    for line in booking.lines:
        vat_by_code[line.vat_code][0] += line.amount_excl_vat
        vat_by_code[line.vat_code][1] += line.vat_amount
        lines.append(
            {
                "accountId": line.gl_account,
                "description": line.description[:MAX_LINE_DESCRIPTION],
                "debitAmountCur": float(max(line.amount_excl_vat, Decimal("0"))),
                "creditAmountCur": float(max(-line.amount_excl_vat, Decimal("0"))),
                "vatCodeId": int(line.vat_code),
                "vatType": VAT_TYPE_GOODS,
                "transactionDate": mv_date(booking.invoice_date),
                "costCentreId": line.cost_centre,
                "projectId": None,
            }
        )
    vat_total = sum((v[1] for v in vat_by_code.values()), Decimal("0"))
    return {
        "fiscalYear": fiscal_year,
        "periodNumber": booking.invoice_date.month,
        "journalId": journal_id,
        "journalTransaction": journal_transaction,
        "invoiceType": PURCHASE_CREDIT if credit_note else PURCHASE_INVOICE,
        "supplierId": booking.supplier_code,
        "reference": booking.invoice_number,
        "paymentReference": booking.invoice_number[:MAX_PAYMENT_REFERENCE],
        "invoiceDate": mv_date(booking.invoice_date),
        "invoiceExpirationDate": mv_date(due_date),
        "rebateExpirationDate": mv_date(booking.invoice_date),
        "paymentConditionId": payment_condition_id,
        "currencyId": booking.currency,
        "vatAmount": float(vat_total),
        "vatAmountCur": float(vat_total),
        "supplierInvoiceLines": lines,
        "vatTransactionLines": [
            {
                "vatCodeId": int(code),
                "vatType": VAT_TYPE_GOODS,
                "vatAmountCur": float(amounts[1]),
                "amountTurnoverCur": float(amounts[0]),
                "currencyId": booking.currency,
                "fiscalYear": fiscal_year,
            }
            for code, amounts in vat_by_code.items()
        ],
    }


class MultiversConnector(OAuthPackageConnector):
    """``AccountingPackage`` for Multivers / Boekhoud Gemak over the Multivers Web API."""

    package_id = "multivers"
    authorize_path = "/OAuth/Authorize"  # client id and secret go in the token form
    token_path = "/OAuth/Token"
    authorize_params = {"scope": SCOPE}  # noqa: RUF012 - a class constant, never mutated
    error_message = staticmethod(multivers_error_message)

    def __init__(self, app: PackageApp, credentials: Mapping[str, Any], *, journal_id: str = "I",
                 page_size: int = 100, **options: Unpack[ConnectorOptions]) -> None:
        super().__init__(app, credentials, **options)
        self.journal_id = journal_id
        self.page_size = page_size
        self._conditions: dict[str, dict[str, int]] = {}

    # --- plumbing --------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        return json_body(self.authorized(method, f"{self.root}{path}", json=json, params=params))

    def _db(self, administration: str) -> str:
        return f"/api/{administration}"

    def _payment_conditions(self, administration: str) -> dict[str, int]:
        if administration not in self._conditions:
            rows = self._request("GET", f"{self._db(administration)}/PaymentConditionInfoList") or []
            self._conditions[administration] = {
                str(r["paymentConditionId"]): int(r.get("expirationDays") or 0) for r in rows if isinstance(r, dict)
            }
        return self._conditions[administration]

    def _supplier(self, administration: str, code: str) -> PackageSupplier:
        record = self._request("GET", f"{self._db(administration)}/Supplier/{code}")
        banks = self._request("GET", f"{self._db(administration)}/BankAccountInfoList/BySupplierId/{code}") or []
        preferred = sorted(banks, key=lambda b: not b.get("preferred"))
        iban = next((str(b["iban"]) for b in preferred if b.get("iban") and not b.get("blocked")), None)
        term = self._payment_conditions(administration).get(str(record.get("paymentConditionId") or ""))
        return supplier_from_json(record, iban, term)

    # --- AccountingPackage -----------------------------------------------------------------------------

    def verify(self) -> None:
        """One call with the stored tokens (refreshing them first when they expired)."""
        self._request("GET", "/api/AdministrationInfoList")

    def list_administrations(self) -> list[PackageAdministration]:
        """Every database of the account, each checked for access."""
        rows = self._request("GET", "/api/AdministrationInfoList") or []
        return [
            PackageAdministration(
                code=str(r["administrationId"]),
                name=str(r.get("description") or r["administrationId"]),
                accessible=self.check_access(str(r["administrationId"])),
            )
            for r in rows
        ]

    def check_access(self, administration: str) -> bool:
        """Whether the journals of ``administration`` can be read."""
        try:
            self._request("GET", f"{self._db(administration)}/JournalInfoList")
        except PackageAccessDenied:
            return False
        except PackageRejected as exc:
            if exc.extra.get("status") == 404:
                return False
            raise
        return True

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """Every supplier, paged with OData ``$top``/``$skip``, each read in full with its bank accounts."""
        seen: set[str] = set()
        skip = 0
        while True:
            rows = (
                self._request(
                    "GET",
                    f"{self._db(administration)}/SupplierInfoList",
                    params={"$top": self.page_size, "$skip": skip},
                )
                or []
            )
            new_codes = [str(row["supplierId"]) for row in rows if str(row["supplierId"]) not in seen]
            for code in new_codes:
                seen.add(code)
                yield self._supplier(administration, code)
            # Only a page with nothing new ends the list: a server may cap pages below $top (a short page
            # is then no end), and one that ignores $skip answers the same rows again.
            if not new_codes:
                return
            skip += len(rows)

    def find_suppliers(
        self,
        administration: str,
        *,
        vat_id: str | None = None,
        kvk: str | None = None,
        iban: str | None = None,
        name: str | None = None,
    ) -> list[PackageSupplier]:
        """Suppliers matching any of the given keys (filtered here, from the package's current list)."""
        wanted_vat, wanted_iban = normalise_identifier(vat_id), iban_for_package(iban)
        wanted_name = (name or "").strip().lower()
        return [
            s
            for s in self.list_suppliers(administration)
            if (wanted_vat and normalise_identifier(s.vat_id) == wanted_vat)
            or (kvk and s.kvk == kvk.strip())
            or (wanted_iban and s.iban == wanted_iban)
            or (wanted_name and wanted_name in s.name.lower())
        ]

    def _condition_for(self, administration: str, days: int) -> str | None:
        """The payment condition of exactly ``days`` days; None when the administration has none (the supplier
        then gets Multivers's default condition: the booking carries the invoice's own due date anyway)."""
        for condition, term in self._payment_conditions(administration).items():
            if term == days:
                return condition
        logger.info("no payment condition of this term; the supplier gets the default", days=days)
        return None

    def _supplier_fields(self, administration: str, draft: SupplierDraft) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": draft.name,
            "vatNumber": draft.vat_id,
            "cocRegistration": draft.kvk,
            "street1": draft.address.street,
            "zipCode": draft.address.postcode,
            "city": draft.address.city,
            "countryId": draft.address.country,
            "email": draft.email,
            "defaultAccountId": draft.default_gl_account,
            "vatCodeId": int(draft.default_vat_code) if draft.default_vat_code else None,
        }
        if draft.payment_term_days is not None:
            fields["paymentConditionId"] = self._condition_for(administration, draft.payment_term_days)
        return {k: v for k, v in fields.items() if v not in (None, "")}

    def _add_iban(self, administration: str, record: Mapping[str, Any], iban: str) -> None:
        self._request(
            "POST",
            f"{self._db(administration)}/BankAccount",
            json={
                "organizationId": record["organizationId"],
                "iban": iban_for_package(iban),
                "preferred": True,
                "name": str(record.get("name") or "")[:20],
            },
        )

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """Create the supplier (Multivers assigns ``supplierId``), then its bank account."""
        body = {
            "shortName": short_name(supplier.name),
            "currencyId": "EUR",
            **self._supplier_fields(administration, supplier),
        }
        record = self._request("POST", f"{self._db(administration)}/Supplier", json=body)
        if not isinstance(record, dict) or not record.get("supplierId"):
            raise PackageUnavailable("Multivers created the supplier but returned no supplierId")
        if supplier.iban:
            self._add_iban(administration, record, supplier.iban)
        return self._supplier(administration, str(record["supplierId"]))

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """Merge the supplement's non-empty fields into the supplier; add its IBAN when it is new."""
        current = self._request("GET", f"{self._db(administration)}/Supplier/{code}")
        fields = self._supplier_fields(administration, supplement)
        body = {k: v for k, v in current.items() if k not in {"brokenRulesCollection", "messages"}} | fields
        record = self._request("PUT", f"{self._db(administration)}/Supplier/{code}", json=body)
        if supplement.iban:
            existing = self._supplier(administration, code)
            if existing.iban != iban_for_package(supplement.iban):
                self._add_iban(administration, record, supplement.iban)
        return self._supplier(administration, code)

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """The chart of accounts of the current fiscal year."""
        year = dt.date.fromtimestamp(self.http.clock()).year
        rows = self._request("GET", f"{self._db(administration)}/AccountInfoList/{year}") or []
        return [
            GLAccount(
                code=str(r["accountId"]),
                name=str(r.get("description") or ""),
                balance_sheet=r.get("accountType") == "B",
            )
            for r in rows
        ]

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """VAT codes (integer ids as strings), classified by description and rate."""
        rows = self._request("GET", f"{self._db(administration)}/VatCodeInfoList") or []
        result = []
        for r in rows:
            rate = None if r.get("vatPercentage") is None else Decimal(str(r["vatPercentage"]))
            description = str(r.get("description") or "")
            result.append(
                VatCode(
                    code=str(r["vatCodeId"]),
                    name=description,
                    rate=None if rate is None else format(rate.normalize(), "f"),
                    kind=classify_vat(description, rate),
                )
            )
        return result

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """Reserve a journal transaction, post the supplier invoice, then store the PDF."""
        net = sum((line.amount_excl_vat + line.vat_amount for line in booking.lines), Decimal("0"))
        if to_money(net) != booking.total_incl_vat:
            raise PackageRejected(f"the lines add up to {to_money(net)}, not to the total {booking.total_incl_vat}")
        db = self._db(administration)
        supplier = self._request("GET", f"{db}/Supplier/{booking.supplier_code}")
        condition = str(supplier.get("paymentConditionId") or "")
        term = self._payment_conditions(administration).get(condition, 0)
        due_date = booking.due_date or booking.invoice_date + dt.timedelta(days=term)
        reserved = self._request(
            "POST",
            f"{db}/GetNextJournalTransactionCommand",
            params={"fiscalYear": booking.invoice_date.year, "journalId": self.journal_id},
        )
        transaction = int(reserved["nextJournalTransaction"])
        payload = supplier_invoice_payload(
            booking,
            journal_id=self.journal_id,
            journal_transaction=transaction,
            payment_condition_id=condition,
            due_date=due_date,
        )
        posted = self._request("POST", f"{db}/SupplierInvoice", json=payload)
        invoice_id = str(posted.get("invoiceId") or "") if isinstance(posted, dict) else ""
        if not invoice_id:
            raise PackageUnavailable("Multivers posted the invoice but returned no invoiceId")
        result = BookingResult(
            entry_id=invoice_id, entry_number=f"{payload['fiscalYear']}/{self.journal_id}/{transaction}"
        )
        if booking.attachment is not None:
            self.attach_document(administration, result, booking.attachment)
            result = result.model_copy(update={"has_attachment": True})
        return result

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """``POST DmDocument`` with the PDF for the invoice ``entry.entry_id`` (its ``invoiceId``)."""
        self._request(
            "POST",
            f"{self._db(administration)}/DmDocument",
            json={
                "invoiceId": entry.entry_id,
                "fileName": attachment.filename,
                "description": attachment.filename,
                "content": base64.b64encode(attachment.content).decode("ascii"),
            },
        )

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The supplier invoice already posted with this ``reference``, if any; read whole, its ``documentLink``
        tells whether the PDF is attached."""
        db = self._db(administration)
        rows = self._request("GET", f"{db}/SupplierInvoiceInfoList/BySupplierId/{supplier_code}") or []
        for row in rows:
            if str(row.get("reference") or "") == invoice_number:
                invoice = self._request("GET", f"{db}/SupplierInvoice/{row['invoiceId']}")
                link = invoice.get("documentLink") if isinstance(invoice, dict) else None
                return BookingResult(
                    entry_id=str(row["invoiceId"]),
                    entry_number=f"{row.get('fiscalYear')}/{row.get('journalId')}/{row.get('journalTransaction')}",
                    has_attachment=isinstance(link, dict) and bool(link.get("documentLink")),
                )
        return None
