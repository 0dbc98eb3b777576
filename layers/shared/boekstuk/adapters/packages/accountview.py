"""AccountView (Visma AccountView Net) connector: the ``AccountingPackage`` and ``OAuthFlow`` ports.

API: https://www.accountview.net/api/v3 (shapes as in https://github.com/omniboost/go-accountview.net)

Everything goes through one generic endpoint, ``/api/v3/accountviewdata``, with a ``BusinessObject``
(AP1 creditors, GL1 ledger, VA1 VAT, DJ2 journal pages) and the company in the ``x-company`` header.
Reads page with ``PageNumber``/``PageSize`` until a short page; writes post a self-describing
``Table``/``TableData`` payload. AccountView sometimes reports an ``ErrorMessage`` inside a 200 answer,
so every answer is checked for one.

[I] (see the simulator): the authorize page is ``/api/v3/authorize``; the PDF goes to
``/api/v3/documents`` first and the journal page links it with ``DOC_ID``; the purchase daybook is
``600`` unless configured; the creditor's default cost account and payment term are ``EXP_ACCT`` and
``CRED_DAYS``. Because the PDF goes up before the page, a failed upload leaves no page (only, after a page
post that failed, an unlinked document). ``find_booking`` reports the PDF from the page's ``DOC_ID``;
``attach_document`` (a page posted without one) uploads the PDF and posts a ``DJ_PAGE`` row with the page's
``RowId`` and the new ``DOC_ID`` and no ``DJ_LINE``: the simulator treats that as an update of the page's
document link, as an AP1 post with an existing ``SUB_NR`` updates a creditor.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests

from boekstuk.adapters.packages.base import ConnectorOptions, OAuthPackageConnector, default_error_message, json_body
from boekstuk.adapters.packages.dates import iso_midnight
from boekstuk.adapters.packages.ibans import iban_for_package, normalise_iban
from boekstuk.domain.errors import PackageAccessDenied, PackageRejected, PackageUnavailable
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

if TYPE_CHECKING:
    from typing_extensions import Unpack

AUTHORIZE_PATH = "/api/v3/authorize"
TOKEN_PATH = "/api/v3/token"
CONTACT_FIELDS = ("SUB_NR", "ACCT_NAME", "ADDRESS1", "POST_CODE", "CITY", "CNT_CODE", "VAT_NR", "COC_CODE",
                  "IBAN_NR", "MAIL_BUS", "VAT_CODE", "REC_BLK", "EXP_ACCT", "CRED_DAYS")


def accountview_error_message(response: requests.Response) -> str:
    """``ErrorMessage`` of AccountView's error body."""
    body = json_body(response)
    if isinstance(body, dict) and body.get("ErrorMessage"):
        return str(body["ErrorMessage"])
    return default_error_message(response)


def classify_vat(record: Mapping[str, Any]) -> VatKind:
    """high/low/zero/reverse_charge/eu from a VAT row."""
    if record.get("VAT_TYPE") == "E":
        return "eu"
    if record.get("IS_REVERSE"):
        return "reverse_charge"
    percentage = Decimal(str(record.get("VAT_PCT") or 0))
    if percentage == 0:
        return "zero"
    return "low" if percentage < 15 else "high"


def _field_type(value: Any) -> str:
    if isinstance(value, bool):
        return "L"
    if isinstance(value, int):
        return "I"
    if isinstance(value, float):
        return "N"
    return "C"


def table_payload(business_object: str, table: str, rows: Sequence[Mapping[str, Any]], *,
                  detail_table: str | None = None, detail_rows: Sequence[Mapping[str, Any]] = (),
                  book_date: str | None = None) -> dict[str, Any]:
    """The self-describing POST body: field definitions from the first row, then the rows' values."""

    def definition(name: str, sample: Mapping[str, Any]) -> dict[str, Any]:
        return {"Name": name, "Fields": [{"Name": k, "FieldType": _field_type(v)} for k, v in sample.items()]}

    body: dict[str, Any] = {
        "BusinessObject": business_object,
        "Table": {"Definition": definition(table, rows[0])},
        "TableData": {"Data": {"Rows": [{"Values": list(r.values())} for r in rows]}},
    }
    if book_date:
        body["BookDate"] = book_date
    if detail_table is not None:
        body["Table"]["DetailDefinitions"] = [definition(detail_table, detail_rows[0])]
        body["TableData"]["DetailData"] = [{"Rows": [{"Values": list(r.values())} for r in detail_rows]}]
    return body


class AccountViewConnector(OAuthPackageConnector):
    """One linked AccountView Net user (all their companies)."""

    package_id = "accountview"
    api_path = "/api/v3"
    authorize_path = AUTHORIZE_PATH  # (scope ``*``)
    token_path = TOKEN_PATH
    authorize_params = {"scope": "*"}  # noqa: RUF012 - a class constant, never mutated
    error_message = staticmethod(accountview_error_message)

    def __init__(self, app: PackageApp, credentials: Mapping[str, Any], *, page_size: int = 100,
                 purchase_daybook: str = "600", **options: Unpack[ConnectorOptions]) -> None:
        super().__init__(app, credentials, **options)
        self.page_size = page_size
        self.purchase_daybook = purchase_daybook

    # -- HTTP --

    def _call(self, method: str, path: str, company: str | None = None, *, params: Mapping[str, Any] | None = None,
              json: Any = None) -> Any:
        headers = {"x-company": company} if company else {}
        response = self.authorized(method, f"{self.root}/{path}", params=params, json=json, headers=headers)
        body = json_body(response)
        if isinstance(body, dict) and body.get("ErrorMessage"):  # AccountView also reports errors with 200
            raise PackageRejected(str(body["ErrorMessage"]))
        if body is None:
            raise PackageUnavailable("AccountView answered without JSON")
        return body

    def _read(self, company: str, business_object: str, table: str,
              filters: Sequence[tuple[str, str, str]] = (), *, page_size: int | None = None,
              single_page: bool = False) -> Iterator[dict[str, Any]]:
        """Rows of one business object, page by page; ``filters`` are (field, operator, value)."""
        size = page_size or self.page_size
        number = 1
        while True:
            params: dict[str, Any] = {"BusinessObject": business_object, "PageSize": size, "PageNumber": number}
            for n, (field, operator, value) in enumerate(filters, start=1):
                params.update({f"FilterControlSource{n}": field, f"FilterOperator{n}": operator,
                               f"FilterValueType{n}": "C", f"FilterValue{n}": value,
                               f"FilterIsListOfValues{n}": "false"})
            body = self._call("GET", "accountviewdata", company, params=params)
            rows = body.get(table, []) if isinstance(body, dict) else []
            yield from rows
            if single_page or len(rows) < size:
                return
            number += 1

    # -- connection and administrations --

    def verify(self) -> None:
        """``/companies`` answers with these tokens."""
        self._call("GET", "companies")

    def list_administrations(self) -> list[PackageAdministration]:
        """Every company, with ``accessible`` from one cheap read in each."""
        companies = self._call("GET", "companies")
        return [PackageAdministration(code=str(c["Id"]), name=str(c.get("Description") or c.get("Code") or ""),
                                      accessible=self.check_access(str(c["Id"])))
                for c in companies]

    def check_access(self, administration: str) -> bool:
        """``GL1`` with ``PageSize=1`` in that company."""
        try:
            list(self._read(administration, "GL1", "LEDGER", page_size=1, single_page=True))
        except PackageAccessDenied:
            return False
        return True

    # -- master data --

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """``GL1`` → ``LEDGER``."""
        return [GLAccount(code=str(r["ACCT_NR"]), name=str(r.get("ACCT_NAME") or ""),
                          balance_sheet=r.get("ACCT_TYPE") == "B")
                for r in self._read(administration, "GL1", "LEDGER") if not r.get("REC_BLK")]

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """``VA1`` → ``VAT``."""
        return [VatCode(code=str(r["VAT_CODE"]), name=str(r.get("VAT_NAME") or ""),
                        rate=format(Decimal(str(r.get("VAT_PCT") or 0)).normalize(), "f"), kind=classify_vat(r))
                for r in self._read(administration, "VA1", "VAT")]

    # -- suppliers --

    def _supplier(self, row: Mapping[str, Any]) -> PackageSupplier:
        term = row.get("CRED_DAYS")
        return PackageSupplier(
            code=str(row["SUB_NR"]),
            name=str(row.get("ACCT_NAME") or ""),
            vat_id=row.get("VAT_NR") or None,
            kvk=row.get("COC_CODE") or None,
            iban=normalise_iban(row.get("IBAN_NR"), package=self.package_id, supplier=str(row["SUB_NR"])),
            address=Address(street=row.get("ADDRESS1") or None, postcode=row.get("POST_CODE") or None,
                            city=row.get("CITY") or None, country=row.get("CNT_CODE") or None),
            email=row.get("MAIL_BUS") or None,
            default_gl_account=row.get("EXP_ACCT") or None,
            default_vat_code=row.get("VAT_CODE") or None,
            payment_term_days=int(term) if isinstance(term, int | float) and not isinstance(term, bool) else None,
            blocked=bool(row.get("REC_BLK")),
        )

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """``AP1`` → ``CONTACT``."""
        for row in self._read(administration, "AP1", "CONTACT"):
            yield self._supplier(row)

    def find_suppliers(self, administration: str, *, vat_id: str | None = None, kvk: str | None = None,
                       iban: str | None = None, name: str | None = None) -> list[PackageSupplier]:
        """Creditors matching any of the given keys (one filtered read per key)."""
        searches = [("VAT_NR", "Equal", vat_id), ("COC_CODE", "Equal", kvk),
                    ("IBAN_NR", "Equal", iban_for_package(iban)),
                    ("ACCT_NAME", "Contains", name)]
        found: dict[str, PackageSupplier] = {}
        for field, operator, value in searches:
            if value:
                for row in self._read(administration, "AP1", "CONTACT", [(f"contact.{field.lower()}", operator,
                                                                          value)]):
                    supplier = self._supplier(row)
                    found.setdefault(supplier.code, supplier)
        return list(found.values())

    def _contact_row(self, draft: SupplierDraft, sub_nr: str | None) -> dict[str, Any]:
        values: dict[str, Any] = {
            "ACCT_NAME": draft.name or None, "ADDRESS1": draft.address.street, "POST_CODE": draft.address.postcode,
            "CITY": draft.address.city, "CNT_CODE": draft.address.country, "VAT_NR": draft.vat_id,
            "COC_CODE": draft.kvk, "IBAN_NR": iban_for_package(draft.iban),
            "MAIL_BUS": draft.email, "VAT_CODE": draft.default_vat_code, "EXP_ACCT": draft.default_gl_account,
            "CRED_DAYS": draft.payment_term_days,
        }
        row: dict[str, Any] = {"RowId": "1"}
        if sub_nr:
            row["SUB_NR"] = sub_nr
        row.update({k: v for k, v in values.items() if v})
        return row

    def _post_contact(self, administration: str, row: dict[str, Any]) -> PackageSupplier:
        body = self._call("POST", "accountviewdata", administration, json=table_payload("AP1", "CONTACT", [row]))
        contacts = body.get("CONTACT") if isinstance(body, dict) else None
        if not contacts:
            raise PackageUnavailable("AccountView answered the creditor post without the creditor")
        return self._supplier(contacts[0])

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """POST ``AP1``/``CONTACT`` without ``SUB_NR``: AccountView numbers the creditor."""
        return self._post_contact(administration, self._contact_row(supplier, None))

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """POST ``AP1``/``CONTACT`` with the existing ``SUB_NR`` and only the non-empty fields."""
        existing = list(self._read(administration, "AP1", "CONTACT", [("contact.sub_nr", "Equal", code)]))
        if not existing:
            raise PackageRejected(f"creditor {code} does not exist in this AccountView company")
        return self._post_contact(administration, self._contact_row(supplement, code))

    # -- bookings --

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """The PDF to ``/documents`` (when present), then one ``DJ2`` page with its lines."""
        page: dict[str, Any] = {
            "RowId": "1",
            "DJ_CODE": self.purchase_daybook,
            "SUB_NR": booking.supplier_code,
            "INV_NR": booking.invoice_number,
            "HDR_DESC": booking.description,
            "TRN_DATE": iso_midnight(booking.invoice_date),
            "CUR_CODE": booking.currency,
        }
        if booking.due_date:
            page["CRED_DAYS"] = (booking.due_date - booking.invoice_date).days
        if booking.attachment is not None:
            page["DOC_ID"] = self._upload_document(administration, booking.attachment)
        lines = [
            {"RowId": str(n), "HeaderId": "1", "ACCT_NR": line.gl_account, "AMOUNT": float(line.amount_excl_vat),
             "VAT_CODE": line.vat_code, "VAT_AMT": float(line.vat_amount), "TRN_DESC": line.description}
            for n, line in enumerate(booking.lines, start=1)
        ]
        body = self._call("POST", "accountviewdata", administration, json=table_payload(
            "DJ2", "DJ_PAGE", [page], detail_table="DJ_LINE", detail_rows=lines,
            book_date=iso_midnight(booking.invoice_date) + ".000Z"))
        pages = body.get("DJ_PAGE") if isinstance(body, dict) else None
        if not pages:
            raise PackageUnavailable("AccountView answered the journal post without the page")
        return BookingResult(entry_id=str(pages[0]["RowId"]), entry_number=str(pages[0].get("PAGE_NR") or "") or None,
                             has_attachment=bool(pages[0].get("DOC_ID")))

    def _upload_document(self, company: str, attachment: Attachment) -> str:
        """``POST /documents`` with the PDF; the ``DocumentId`` a journal page links with ``DOC_ID``."""
        document = self._call("POST", "documents", company, json={
            "FileName": attachment.filename, "ContentType": attachment.content_type,
            "Content": base64.b64encode(attachment.content).decode("ascii")})
        return str(document["DocumentId"])

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """Upload the PDF, then post the page again by its ``RowId`` with only ``DOC_ID`` (no lines)."""
        document_id = self._upload_document(administration, attachment)
        self._call("POST", "accountviewdata", administration, json=table_payload(
            "DJ2", "DJ_PAGE", [{"RowId": entry.entry_id, "DOC_ID": document_id}]))

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The ``DJ2`` page with this ``SUB_NR`` and ``INV_NR``, if any; its ``DOC_ID`` is its PDF."""
        pages = list(self._read(administration, "DJ2", "DJ_PAGE", [("dj_page.sub_nr", "Equal", supplier_code),
                                                                   ("dj_page.inv_nr", "Equal", invoice_number)]))
        if not pages:
            return None
        return BookingResult(entry_id=str(pages[0]["RowId"]), entry_number=str(pages[0].get("PAGE_NR") or "") or None,
                             has_attachment=bool(pages[0].get("DOC_ID")))
