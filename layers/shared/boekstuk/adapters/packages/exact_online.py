"""Exact Online connector (REST/OData v3): the ``AccountingPackage`` and ``OAuthFlow`` ports.

API: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx

Administrations are divisions. Suppliers are ``crm/Accounts`` with ``IsSupplier eq true``; their IBAN
lives in ``crm/BankAccounts`` and their default cost account is a GL guid, so listing suppliers reads
three collections. A booking is three calls: ``documents/Documents``, ``documents/DocumentAttachments``
(the PDF, base64), then ``purchaseentry/PurchaseEntries`` linked to that document. The PDF goes up first, so
a failure before the entry leaves no entry at all (only an unlinked document; the retry makes a new one).
``find_booking`` reports the PDF when the entry's ``Document`` has a ``DocumentAttachments`` record.
[I] ``attach_document`` (for an entry found without its PDF, e.g. one posted without a document) adds the
attachment to the entry's document, or creates a document and links it with ``PUT
purchaseentry/PurchaseEntries(guid'…')`` ``{"Document": …}``: PUT on an entity is Exact's update (as
picqer/exact-php-client's Storable does it, https://github.com/picqer/exact-php-client); that Exact
accepts a new ``Document`` on a posted purchase entry is not verified.

Tokens: the access token lives 600 s and may only be refreshed after 570 s, so the keeper refreshes in
the last 25 s; refresh tokens rotate, so refreshes happen inside the ``token_store``'s lease and every
new pair is stored at once.
Rate limits: 429 waits until ``X-RateLimit-Minutely-Reset`` (epoch ms) when the minute budget is gone;
a spent daily budget raises ``PackageRateLimited`` at once.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import requests

from boekstuk.adapters.packages.base import (
    OAuthPackageConnector,
    default_error_message,
    json_body,
    parse_retry_after,
)
from boekstuk.adapters.packages.dates import iso_midnight
from boekstuk.adapters.packages.ibans import iban_for_package, normalise_iban
from boekstuk.adapters.packages.odata import ODATA_V3, Guid
from boekstuk.domain.errors import PackageAccessDenied, PackageRejected, PackageUnavailable
from boekstuk.domain.packages import (
    Address,
    Attachment,
    BookingResult,
    GLAccount,
    PackageAdministration,
    PackageSupplier,
    PurchaseBooking,
    SupplierDraft,
    VatCode,
    VatKind,
)

F = ODATA_V3  # Exact Online's filters are OData v3 (guid'…', substringof)
ACCOUNT_FIELDS = (
    "ID,Code,Name,VATNumber,ChamberOfCommerce,AddressLine1,Postcode,City,Country,Email,"
    "GLAccountPurchase,PurchaseVATCode,PaymentConditionPurchase,Blocked"
)
PURCHASE_DOCUMENT_TYPE = 20  # [I] "purchase invoice"; verify with GET documents/DocumentTypes
REFRESH_MARGIN = 25.0  # Exact refuses a refresh before 570 s of a 600 s token
# Exact's reset is a millisecond instant on its clock, not ours: arriving exactly on it (or a clock skew early)
# earns another 429, so a client waits a little past it.
RESET_MARGIN = 1.0


def exact_error_message(response: requests.Response) -> str:
    """``error.message.value`` of Exact's error body."""
    body = json_body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message")
        if isinstance(message, dict) and message.get("value"):
            return str(message["value"])
        if isinstance(message, str) and message:
            return message
    return default_error_message(response)


def exact_retry_after(response: requests.Response, now: float) -> float | None:
    """Seconds until Exact lets us in again: ``Retry-After``, else the minutely or daily reset (epoch ms)."""
    explicit = parse_retry_after(response, now)
    if explicit is not None:
        return explicit
    headers = response.headers
    if headers.get("X-RateLimit-Remaining") == "0" and headers.get("X-RateLimit-Reset"):
        reset = headers["X-RateLimit-Reset"]  # daily budget gone
    elif headers.get("X-RateLimit-Minutely-Reset"):
        reset = headers["X-RateLimit-Minutely-Reset"]
    else:
        return None
    try:
        return max(0.0, int(reset) / 1000.0 - now) + RESET_MARGIN
    except ValueError:
        return None


def _money(value: Decimal) -> float:
    # Exact takes JSON numbers; two-decimal values survive the float round-trip and Exact rounds to cents.
    return float(value)


def _rate_text(fraction: Any) -> str | None:
    if fraction is None:
        return None
    percentage = (Decimal(str(fraction)) * 100).normalize()
    return format(percentage, "f")


def classify_vat(record: Mapping[str, Any]) -> VatKind:
    """high/low/zero/reverse_charge/eu from an Exact VAT code."""
    if record.get("Charged"):
        return "reverse_charge"
    if record.get("EUSalesListing") == "L":
        return "eu"
    percentage = Decimal(str(record.get("Percentage") or 0))
    if percentage == 0:
        return "zero"
    return "low" if percentage < Decimal("0.15") else "high"


class ExactOnlineConnector(OAuthPackageConnector):
    """One linked Exact Online user (all their divisions)."""

    package_id = "exact_online"
    api_path = "/api/v1"
    authorize_path = "/api/oauth2/auth"
    token_path = "/api/oauth2/token"
    refresh_margin = REFRESH_MARGIN
    error_message = staticmethod(exact_error_message)
    retry_after = staticmethod(exact_retry_after)

    def setup(self, credentials: Mapping[str, Any]) -> None:
        """The tokens, and empty caches of GL guids and the purchase journal per division."""
        super().setup(credentials)
        self._gl_cache: dict[str, dict[str, str]] = {}  # division -> GL code -> guid
        self._journal_cache: dict[str, str] = {}

    # -- HTTP --

    def _call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
              accept_statuses: tuple[int, ...] = ()) -> requests.Response:
        url = path if path.startswith("http") else f"{self.root}/{path}"
        return self.authorized(method, url, params=params, json=json, accept_statuses=accept_statuses)

    def _d(self, response: requests.Response) -> Any:
        body = json_body(response)
        if not isinstance(body, dict) or "d" not in body:
            raise PackageUnavailable("Exact Online answered without a 'd' envelope")
        return body["d"]

    def _list(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every record of a list, following ``__next`` links."""
        response = self._call("GET", path, params=params)
        while True:
            d = self._d(response)
            results = d.get("results", []) if isinstance(d, dict) else d
            yield from results
            next_url = d.get("__next") if isinstance(d, dict) else None
            if not next_url:
                return
            response = self._call("GET", next_url)

    def _created(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        d = self._d(self._call("POST", path, json=body))
        if not isinstance(d, dict):
            raise PackageUnavailable("Exact Online answered a create without the record")
        return d

    # -- connection and administrations --

    def verify(self) -> None:
        """``current/Me`` works with these tokens."""
        self._current_division()

    def _current_division(self) -> int:
        results = self._d(self._call("GET", "current/Me", params={"$select": "CurrentDivision,UserID"}))
        me = results["results"][0] if isinstance(results, dict) else results[0]
        return int(me["CurrentDivision"])

    def list_administrations(self) -> list[PackageAdministration]:
        """All divisions of the license, ``accessible`` where the user has rights (``system/Divisions``)."""
        current = self._current_division()
        select = {"$select": "Code,Description"}
        reachable = {str(d["Code"]): str(d["Description"]) for d in self._list(f"{current}/system/Divisions", select)}
        try:
            everything = {str(d["Code"]): str(d["Description"])
                          for d in self._list(f"{current}/system/AllDivisions", select)}
        except (PackageAccessDenied, PackageRejected):
            everything = dict(reachable)
        return [PackageAdministration(code=code, name=name, accessible=code in reachable)
                for code, name in everything.items()]

    def check_access(self, administration: str) -> bool:
        """One cheap call in the division (``financial/Journals?$top=1``)."""
        try:
            self._call("GET", f"{administration}/financial/Journals", params={"$top": "1", "$select": "Code"})
        except PackageAccessDenied:
            return False
        return True

    # -- suppliers --

    def _gl_codes(self, division: str) -> dict[str, str]:
        if division not in self._gl_cache:
            self._gl_cache[division] = {
                str(g["Code"]).strip(): str(g["ID"])
                for g in self._list(f"{division}/financial/GLAccounts", {"$select": "ID,Code"})
            }
        return self._gl_cache[division]

    def _main_ibans(self, division: str, params: Mapping[str, Any] | None = None) -> dict[str, str]:
        ibans: dict[str, str] = {}
        query = {"$select": "Account,BankAccount,Main", **(params or {})}
        for bank in self._list(f"{division}/crm/BankAccounts", query):
            account = str(bank.get("Account") or "")
            if bank.get("BankAccount") and (bank.get("Main") or account not in ibans):
                ibans[account] = str(bank["BankAccount"])
        return ibans

    def _supplier(self, record: Mapping[str, Any], gl_by_id: Mapping[str, str], ibans: Mapping[str, str]
                  ) -> PackageSupplier:
        term = str(record.get("PaymentConditionPurchase") or "").strip()
        code = str(record["Code"]).strip()
        return PackageSupplier(
            code=code,
            name=str(record.get("Name") or ""),
            vat_id=record.get("VATNumber") or None,
            kvk=record.get("ChamberOfCommerce") or None,
            iban=normalise_iban(ibans.get(str(record["ID"])), package=self.package_id, supplier=code),
            address=Address(street=record.get("AddressLine1"), postcode=record.get("Postcode"),
                            city=record.get("City"), country=record.get("Country")),
            email=record.get("Email") or None,
            default_gl_account=gl_by_id.get(str(record.get("GLAccountPurchase") or "")),
            default_vat_code=record.get("PurchaseVATCode") or None,
            payment_term_days=int(term) if term.isdigit() else None,
            blocked=bool(record.get("Blocked")),
            package_ref=str(record["ID"]),
        )

    def _suppliers(self, division: str, filter_text: str, ibans: Mapping[str, str] | None = None
                   ) -> list[PackageSupplier]:
        gl_by_id = {guid: code for code, guid in self._gl_codes(division).items()}
        records = list(self._list(f"{division}/crm/Accounts", {"$filter": filter_text, "$select": ACCOUNT_FIELDS}))
        if ibans is None:
            ibans = self._main_ibans(division) if len(records) > 1 else {}
            if len(records) == 1:
                ibans = self._main_ibans(division, {"$filter": F.eq("Account", Guid(records[0]["ID"]))})
        return [self._supplier(r, gl_by_id, ibans) for r in records]

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """All accounts with ``IsSupplier eq true``, with main IBAN and default GL code."""
        yield from self._suppliers(administration, F.eq("IsSupplier", True))

    def find_suppliers(self, administration: str, *, vat_id: str | None = None, kvk: str | None = None,
                       iban: str | None = None, name: str | None = None) -> list[PackageSupplier]:
        """Suppliers matching any of the given keys (VAT id, KvK, IBAN, part of the name)."""
        found: dict[str, PackageSupplier] = {}
        for clause in F.each(eq={"VATNumber": vat_id, "ChamberOfCommerce": kvk}, contains={"Name": name}):
            for supplier in self._suppliers(administration, F.all_of(F.eq("IsSupplier", True), clause)):
                found.setdefault(supplier.code, supplier)
        compact = iban_for_package(iban)
        if compact:
            owners = self._main_ibans(administration, {"$filter": F.eq("BankAccount", compact)})
            for account_id in owners:
                for supplier in self._suppliers(administration, F.eq("ID", Guid(account_id))):
                    found.setdefault(supplier.code, supplier)
        return list(found.values())

    def _account_body(self, division: str, draft: SupplierDraft) -> dict[str, Any]:
        body: dict[str, Any] = {}
        values = {
            "Name": draft.name or None,
            "VATNumber": draft.vat_id,
            "ChamberOfCommerce": draft.kvk,
            "AddressLine1": draft.address.street,
            "Postcode": draft.address.postcode,
            "City": draft.address.city,
            "Country": draft.address.country,
            "Email": draft.email,
            "PaymentConditionPurchase": str(draft.payment_term_days) if draft.payment_term_days else None,
            "PurchaseVATCode": draft.default_vat_code,
        }
        body.update({k: v for k, v in values.items() if v})
        if draft.default_gl_account:
            body["GLAccountPurchase"] = self._gl_guid(division, draft.default_gl_account)
        return body

    def _gl_guid(self, division: str, code: str) -> str:
        guid = self._gl_codes(division).get(code.strip())
        if guid is None:
            self._gl_cache.pop(division, None)  # maybe created since we cached
            guid = self._gl_codes(division).get(code.strip())
        if guid is None:
            raise PackageRejected(f"GL account {code} does not exist in division {division}")
        return guid

    def _account_by_code(self, division: str, code: str) -> dict[str, Any] | None:
        records = list(self._list(f"{division}/crm/Accounts", {
            "$filter": F.eq("Code", code.strip().rjust(18)), "$select": "ID,Code", "$top": "1"}))
        return records[0] if records else None

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """POST ``crm/Accounts`` (Exact numbers it), then the IBAN as the main ``crm/BankAccounts`` record."""
        body = {"IsSupplier": True, **self._account_body(administration, supplier)}
        created = self._created(f"{administration}/crm/Accounts", body)
        iban = iban_for_package(supplier.iban)
        if iban:
            self._created(f"{administration}/crm/BankAccounts", {"Account": created["ID"], "BankAccount": iban,
                                                                 "Main": True})
        return self._suppliers(administration, F.eq("ID", Guid(created["ID"])))[0]

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """PUT the non-empty fields on the account; add the IBAN as a bank account when it is new."""
        account = self._account_by_code(administration, code)
        if account is None:
            raise PackageRejected(f"supplier {code} does not exist in division {administration}")
        body = self._account_body(administration, supplement)
        if body:
            self._call("PUT", f"{administration}/{F.key('crm/Accounts', Guid(account['ID']))}", json=body)
        compact = iban_for_package(supplement.iban)
        if compact:
            owner = F.eq("Account", Guid(account["ID"]))
            existing = self._main_ibans(administration, {"$filter": owner})
            known = list(self._list(f"{administration}/crm/BankAccounts", {
                "$filter": F.all_of(owner, F.eq("BankAccount", compact)), "$select": "ID"}))
            if not known:
                self._created(f"{administration}/crm/BankAccounts",
                              {"Account": account["ID"], "BankAccount": compact, "Main": not existing})
        return self._suppliers(administration, F.eq("ID", Guid(account["ID"])))[0]

    # -- master data --

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """``financial/GLAccounts`` (``BalanceType`` B = balance sheet)."""
        records = list(self._list(f"{administration}/financial/GLAccounts",
                                  {"$select": "ID,Code,Description,BalanceType,IsBlocked"}))
        self._gl_cache[administration] = {str(r["Code"]).strip(): str(r["ID"]) for r in records}
        return [GLAccount(code=str(r["Code"]).strip(), name=str(r.get("Description") or ""),
                          balance_sheet=r.get("BalanceType") == "B") for r in records if not r.get("IsBlocked")]

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """Purchase (``P``) and both-ways (``B``) VAT codes, classified."""
        records = self._list(f"{administration}/vat/VATCodes", {
            "$select": "ID,Code,Description,Percentage,Type,VATTransactionType,Charged,EUSalesListing,IsBlocked"})
        return [
            VatCode(code=str(r["Code"]).strip(), name=str(r.get("Description") or ""),
                    rate=_rate_text(r.get("Percentage")), kind=classify_vat(r))
            for r in records
            if r.get("VATTransactionType", "B") in ("P", "B") and not r.get("IsBlocked")
        ]

    # -- bookings --

    def _purchase_journal(self, division: str) -> str:
        if division not in self._journal_cache:
            journals = [j for j in self._list(f"{division}/financial/Journals", {"$select": "Code,Type"})
                        if j.get("Type") == 22]
            if not journals:
                raise PackageRejected(f"division {division} has no purchase journal")
            self._journal_cache[division] = str(journals[0]["Code"])
        return self._journal_cache[division]

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """Document + attachment (when there is a PDF), then the purchase entry linked to it."""
        account = self._account_by_code(administration, booking.supplier_code)
        if account is None:
            raise PackageRejected(f"supplier {booking.supplier_code} does not exist in division {administration}")
        lines = [
            {
                "GLAccount": self._gl_guid(administration, line.gl_account),
                "Description": line.description,
                "AmountFC": _money(line.amount_excl_vat),
                "VATCode": line.vat_code,
                "VATAmountFC": _money(line.vat_amount),
                **({"CostCenter": line.cost_centre} if line.cost_centre else {}),
            }
            for line in booking.lines
        ]
        entry: dict[str, Any] = {
            "Journal": self._purchase_journal(administration),
            "Supplier": account["ID"],
            "EntryDate": iso_midnight(booking.invoice_date),
            "YourRef": booking.invoice_number,
            "Description": booking.description,
            "Currency": booking.currency,
            "Type": 31 if booking.kind == "credit_note" else 30,
            "PurchaseEntryLines": lines,
        }
        if booking.due_date:
            entry["DueDate"] = iso_midnight(booking.due_date)
        if booking.attachment is not None:
            entry["Document"] = self._upload_document(administration, str(account["ID"]), booking.invoice_number,
                                                      booking.attachment)
        created = self._created(f"{administration}/purchaseentry/PurchaseEntries", entry)
        return BookingResult(entry_id=str(created["EntryID"]), entry_number=str(created.get("EntryNumber") or "")
                             or None, has_attachment=booking.attachment is not None)

    def _upload_document(self, division: str, account_id: str, invoice_number: str, attachment: Attachment) -> str:
        """A ``documents/Documents`` record of the supplier with the PDF as its attachment; the document's ID."""
        document = self._created(f"{division}/documents/Documents", {
            "Subject": f"Inkoopfactuur {invoice_number}", "Type": PURCHASE_DOCUMENT_TYPE, "Account": account_id})
        self._add_attachment(division, str(document["ID"]), attachment)
        return str(document["ID"])

    def _add_attachment(self, division: str, document_id: str, attachment: Attachment) -> None:
        self._created(f"{division}/documents/DocumentAttachments", {
            "Document": document_id, "FileName": attachment.filename,
            "Attachment": base64.b64encode(attachment.content).decode("ascii")})

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """The PDF on the entry's document; an entry without one gets a new document, linked with a PUT."""
        records = list(self._list(f"{administration}/purchaseentry/PurchaseEntries", {
            "$filter": F.eq("EntryID", Guid(entry.entry_id)), "$select": "EntryID,Supplier,YourRef,Document",
            "$top": 1}))
        if not records:
            raise PackageRejected(f"purchase entry {entry.entry_id} does not exist in division {administration}")
        record = records[0]
        if record.get("Document"):
            self._add_attachment(administration, str(record["Document"]), attachment)
            return
        document_id = self._upload_document(administration, str(record["Supplier"]), str(record.get("YourRef") or ""),
                                            attachment)
        self._call("PUT", f"{administration}/{F.key('purchaseentry/PurchaseEntries', Guid(entry.entry_id))}",
                   json={"Document": document_id})

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The purchase entry with this supplier and ``YourRef``, if any; it has its PDF when its ``Document``
        has an attachment."""
        account = self._account_by_code(administration, supplier_code)
        if account is None:
            return None
        entries = list(self._list(f"{administration}/purchaseentry/PurchaseEntries", {
            "$filter": F.all_of(F.eq("Supplier", Guid(account["ID"])), F.eq("YourRef", invoice_number)),
            "$select": "EntryID,EntryNumber,Document"}))
        if not entries:
            return None
        document = entries[0].get("Document")
        attached = bool(document) and any(True for _ in self._list(f"{administration}/documents/DocumentAttachments", {
            "$filter": F.eq("Document", Guid(document)), "$select": "ID", "$top": 1}))
        return BookingResult(entry_id=str(entries[0]["EntryID"]),
                             entry_number=str(entries[0].get("EntryNumber") or "") or None, has_attachment=attached)
