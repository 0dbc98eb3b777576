"""SnelStart B2B API v2 connector: the ``AccountingPackage`` port (credentials package, no OAuth).

API: https://b2bapi-developer.snelstart.nl/

The user's koppelsleutel (``client_key``) buys a bearer token at ``/b2b/token`` (``grant_type=clientkey``,
no refresh token: a new one is asked with the key again); every ``/v2`` call also carries this system's
``Ocp-Apim-Subscription-Key``. Lists page with OData ``$top``/``$skip`` until a short page.

Administrations [I, see the simulator]: an accountant key lists its administrations at
``/v2/administraties`` and a call selects one with ``X-Administratie-Identifier``; a plain key (one
administration, 404 on that list) falls back to ``/v2/companyInfo``.

PDF: ``POST /v2/documenten/Inkoopboekingen`` with the boeking as ``parentIdentifier`` after the boeking is
posted; ``GET /v2/documenten/Inkoopboekingen/{id}`` lists a boeking's bijlagen, which is how ``find_booking``
tells whether a boeking found again still lacks its PDF (an upload that failed after the post).

VAT: SnelStart books VAT *types*. Our codes are ``Hoog``, ``Laag``, ``Geen`` (from ``btwtarieven``) plus
``Verlegd`` and ``EU``; a line books the type on the regel and its VAT amount on the header ``btw[]``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests

from boekstuk.adapters.packages.base import (
    ConnectorOptions,
    PackageConnector,
    default_error_message,
    json_body,
    oauth_error_message,
    require_fields,
)
from boekstuk.adapters.packages.dates import iso_midnight, package_date
from boekstuk.adapters.packages.ibans import iban_for_package, normalise_iban
from boekstuk.adapters.packages.odata import ODATA_V4, Guid
from boekstuk.domain.errors import (
    InvalidPackageCredentials,
    PackageAccessDenied,
    PackageRejected,
    PackageUnavailable,
)
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

F = ODATA_V4  # SnelStart's filters are OData v4 (bare guids, contains)
ADMIN_HEADER = "X-Administratie-Identifier"
SUPPLIER_FILTER = "Relatiesoort/any(soort:soort eq 'Leverancier')"
TOKEN_MARGIN = 60.0
# our VAT code -> (regel btwSoort, header btw[] btwSoort or None)
VAT_BOOKING: dict[str, tuple[str, str | None]] = {
    "Hoog": ("Hoog", "InkopenHoog"),
    "Laag": ("Laag", "InkopenLaag"),
    "Geen": ("Geen", None),
    "Verlegd": ("Geen", "InkopenVerlegd"),
    "EU": ("Geen", "InkopenBinnenEU"),
}
RATE_KINDS: dict[str, VatKind] = {"Hoog": "high", "Laag": "low", "Geen": "zero"}


def snelstart_error_message(response: requests.Response) -> str:
    """``[{"errorCode", "message"}]``, ``{"modelState": ...}`` or ``{"message"}`` as one sentence."""
    body = json_body(response)
    if isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
        return "; ".join(f"{item.get('errorCode', '')}: {item.get('message', '')}".strip(": ") for item in body)
    if isinstance(body, dict) and isinstance(body.get("modelState"), dict):
        return "; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in body["modelState"].items())
    return default_error_message(response)


def _money(value: Decimal) -> float:
    # SnelStart takes JSON numbers; two-decimal amounts survive the float round-trip.
    return float(value)


class SnelStartConnector(PackageConnector):
    """One SnelStart koppelsleutel (no OAuth: the ``token_store`` goes unused, there are no refresh tokens)."""

    package_id = "snelstart"
    api_path = "/v2"
    error_message = staticmethod(snelstart_error_message)

    def __init__(self, app: PackageApp, credentials: Mapping[str, Any], *, page_size: int = 100,
                 **options: Unpack[ConnectorOptions]) -> None:
        if not app.subscription_key:
            raise ValueError("snelstart: the app's subscription_key is required")
        super().__init__(app, credentials, **options)
        self.token_url = (app.auth_url or app.base_url).rstrip("/") + "/b2b/token"
        self.page_size = page_size
        self._token: tuple[str, float] | None = None
        self._gl_cache: dict[str, dict[str, str]] = {}

    def setup(self, credentials: Mapping[str, Any]) -> None:
        """The koppelsleutel (``client_key``) that buys the bearer tokens."""
        self.client_key = require_fields(credentials, "client_key")["client_key"]

    # -- token and HTTP --

    def _fetch_token(self) -> str:
        response = self.http.request("POST", self.token_url,
                                     data={"grant_type": "clientkey", "clientkey": self.client_key},
                                     accept_statuses=(400, 401, 403))
        if response.status_code >= 400:
            raise InvalidPackageCredentials(f"SnelStart refused the koppelsleutel: {oauth_error_message(response)}")
        body = json_body(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise PackageUnavailable("SnelStart answered the token call without a token")
        self._token = (str(body["access_token"]), self.clock() + float(body.get("expires_in", 3599)))
        return self._token[0]

    def _bearer(self) -> dict[str, str]:
        if self._token is None or self.clock() >= self._token[1] - TOKEN_MARGIN:
            self._fetch_token()
        assert self._token is not None
        return {"Authorization": f"Bearer {self._token[0]}"}

    def _reauthenticate(self) -> bool:
        self._fetch_token()
        return True

    def _call(self, method: str, path: str, administration: str | None = None, *,
              params: Mapping[str, Any] | None = None, json: Any = None,
              accept_statuses: tuple[int, ...] = ()) -> requests.Response:
        headers = {"Ocp-Apim-Subscription-Key": self.app.subscription_key or ""}
        if administration:
            headers[ADMIN_HEADER] = administration
        return self.http.request(method, f"{self.root}/{path}", params=params, json=json, headers=headers,
                                 auth_headers=self._bearer, on_unauthorized=self._reauthenticate,
                                 accept_statuses=accept_statuses)

    def _json(self, response: requests.Response) -> Any:
        body = json_body(response)
        if body is None:
            raise PackageUnavailable("SnelStart answered without JSON")
        return body

    def _pages(self, path: str, administration: str, filter_text: str | None = None) -> Iterator[dict[str, Any]]:
        """Every record of an OData list, ``$top``/``$skip`` until a short page."""
        skip = 0
        while True:
            params: dict[str, Any] = {"$top": self.page_size, "$skip": skip}
            if filter_text:
                params["$filter"] = filter_text
            page = self._json(self._call("GET", path, administration, params=params))
            if not isinstance(page, list):
                raise PackageUnavailable(f"SnelStart answered {path} without a list")
            yield from page
            if len(page) < self.page_size:
                return
            skip += len(page)

    # -- connection and administrations --

    def verify(self) -> None:
        """The key buys a token and ``/v2/echo`` answers."""
        self._fetch_token()
        self._call("GET", "echo/boekstuk")

    def list_administrations(self) -> list[PackageAdministration]:
        """The key's administrations (``/v2/administraties``), or its single one (``companyInfo``)."""
        response = self._call("GET", "administraties", accept_statuses=(404,))
        if response.status_code == 404:
            info = self._json(self._call("GET", "companyInfo"))
            return [PackageAdministration(code=str(info["administratieIdentifier"]),
                                          name=str(info.get("administratieNaam") or ""), accessible=True)]
        return [PackageAdministration(code=str(a["administratieIdentifier"]), name=str(a["administratieNaam"]),
                                      accessible=bool(a.get("toegang", True)))
                for a in self._json(response)]

    def check_access(self, administration: str) -> bool:
        """``companyInfo`` in that administration answers."""
        try:
            self._call("GET", "companyInfo", administration)
        except PackageAccessDenied:
            return False
        return True

    # -- master data --

    def _grootboeken(self, administration: str) -> list[dict[str, Any]]:
        records = list(self._pages("grootboeken", administration))
        self._gl_cache[administration] = {str(r["nummer"]): str(r["id"]) for r in records}
        return records

    def _gl_ids(self, administration: str) -> dict[str, str]:
        if administration not in self._gl_cache:
            self._grootboeken(administration)
        return self._gl_cache[administration]

    def _gl_id(self, administration: str, code: str) -> str:
        key = str(int(code)) if code.strip().isdigit() else code.strip()
        found = self._gl_ids(administration).get(key)
        if found is None:
            self._grootboeken(administration)
            found = self._gl_cache[administration].get(key)
        if found is None:
            raise PackageRejected(f"grootboek {code} does not exist in this SnelStart administration")
        return found

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """``/v2/grootboeken`` (active ones)."""
        return [GLAccount(code=str(r["nummer"]), name=str(r.get("omschrijving") or ""),
                          balance_sheet=r.get("rekeningCode") == "Balans")
                for r in self._grootboeken(administration) if not r.get("nonactief")]

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """Current ``btwtarieven`` (Hoog/Laag/Geen) plus the reverse-charge types ``Verlegd`` and ``EU``."""
        today = dt.date.fromtimestamp(self.clock())
        tarieven = self._json(self._call("GET", "btwtarieven", administration))
        codes: dict[str, VatCode] = {}
        for t in tarieven:
            soort = str(t.get("btwSoort"))
            until = package_date(t.get("datumTotEnMet"))
            if soort not in RATE_KINDS or (until is not None and until < today):
                continue
            rate = format(Decimal(str(t.get("btwPercentage", 0))).normalize(), "f")
            codes[soort] = VatCode(code=soort, name=f"BTW {soort.lower()} {rate}%", rate=rate, kind=RATE_KINDS[soort])
        codes["Verlegd"] = VatCode(code="Verlegd", name="BTW verlegd", rate=None, kind="reverse_charge")
        codes["EU"] = VatCode(code="EU", name="Intracommunautaire verwerving", rate=None, kind="eu")
        return list(codes.values())

    # -- suppliers --

    def _supplier(self, record: Mapping[str, Any], gl_by_id: Mapping[str, str]) -> PackageSupplier:
        address = record.get("vestigingsAdres") or {}
        default_gl = (record.get("standaardInkoopGrootboek") or {}).get("id")
        term = record.get("kredietTermijn")
        return PackageSupplier(
            code=str(record["relatiecode"]),
            name=str(record.get("naam") or ""),
            vat_id=record.get("btwNummer") or None,
            kvk=record.get("kvkNummer") or None,
            iban=normalise_iban(record.get("iban"), package=self.package_id, supplier=str(record["relatiecode"])),
            address=Address(street=address.get("straat"), postcode=address.get("postcode"),
                            city=address.get("plaats")),
            email=record.get("email") or None,
            default_gl_account=gl_by_id.get(str(default_gl)) if default_gl else None,
            default_vat_code=record.get("standaardBtwSoort") or None,
            payment_term_days=int(term) if isinstance(term, int | float) else None,
            blocked=bool(record.get("nonactief")),
            package_ref=str(record["id"]),
        )

    def _suppliers(self, administration: str, extra_filter: str | None = None) -> list[PackageSupplier]:
        gl_by_id = {guid: code for code, guid in self._gl_ids(administration).items()}
        filter_text = F.all_of(SUPPLIER_FILTER, extra_filter)
        return [self._supplier(r, gl_by_id) for r in self._pages("relaties", administration, filter_text)]

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """Relaties of soort Leverancier."""
        yield from self._suppliers(administration)

    def find_suppliers(self, administration: str, *, vat_id: str | None = None, kvk: str | None = None,
                       iban: str | None = None, name: str | None = None) -> list[PackageSupplier]:
        """Suppliers matching any of the given keys."""
        keys = {"BtwNummer": vat_id, "KvkNummer": kvk, "Iban": iban_for_package(iban)}
        found: dict[str, PackageSupplier] = {}
        for clause in F.each(eq=keys, contains={"Naam": name}):
            for supplier in self._suppliers(administration, clause):
                found.setdefault(supplier.code, supplier)
        return list(found.values())

    def _relatie_by_code(self, administration: str, code: str) -> dict[str, Any] | None:
        if not code.strip().isdigit():
            return None
        page = self._json(self._call("GET", "relaties", administration,
                                     params={"$filter": F.eq("Relatiecode", int(code)), "$top": 1}))
        return page[0] if page else None

    def _apply(self, administration: str, body: dict[str, Any], draft: SupplierDraft) -> dict[str, Any]:
        values = {"naam": draft.name or None, "btwNummer": draft.vat_id, "kvkNummer": draft.kvk,
                  "iban": iban_for_package(draft.iban), "email": draft.email,
                  "kredietTermijn": draft.payment_term_days, "standaardBtwSoort": draft.default_vat_code}
        body.update({k: v for k, v in values.items() if v})
        address = dict(body.get("vestigingsAdres") or {})
        for ours, theirs in (("street", "straat"), ("postcode", "postcode"), ("city", "plaats")):
            value = getattr(draft.address, ours)
            if value:
                address[theirs] = value
        if address:
            body["vestigingsAdres"] = address
        if draft.default_gl_account:
            body["standaardInkoopGrootboek"] = {"id": self._gl_id(administration, draft.default_gl_account)}
        return body

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """POST a relatie of soort Leverancier; SnelStart assigns ``relatiecode``."""
        body = self._apply(administration, {"relatiesoort": ["Leverancier"]}, supplier)
        created = self._json(self._call("POST", "relaties", administration, json=body))
        gl_by_id = {guid: code for code, guid in self._gl_ids(administration).items()}
        return self._supplier(created, gl_by_id)

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """Read the relatie, add the non-empty fields, PUT it back whole."""
        relatie = self._relatie_by_code(administration, code)
        if relatie is None:
            raise PackageRejected(f"supplier {code} does not exist in this SnelStart administration")
        body = self._apply(administration, dict(relatie), supplement)
        updated = self._json(self._call("PUT", f"relaties/{relatie['id']}", administration, json=body))
        gl_by_id = {guid: code for code, guid in self._gl_ids(administration).items()}
        return self._supplier(updated, gl_by_id)

    # -- bookings --

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """POST an inkoopboeking (net regels, VAT per type on the header), then the PDF as its document."""
        relatie = self._relatie_by_code(administration, booking.supplier_code)
        if relatie is None:
            raise PackageRejected(f"supplier {booking.supplier_code} does not exist in this SnelStart administration")
        regels = []
        btw: dict[str, Decimal] = {}
        for line in booking.lines:
            if line.vat_code not in VAT_BOOKING:
                raise PackageRejected(f"unknown SnelStart VAT code {line.vat_code!r}")
            line_soort, header_soort = VAT_BOOKING[line.vat_code]
            regels.append({"omschrijving": line.description, "grootboek": {"id": self._gl_id(administration,
                                                                                              line.gl_account)},
                           "kostenplaats": {"id": line.cost_centre} if line.cost_centre else None,
                           "bedrag": _money(line.amount_excl_vat), "btwSoort": line_soort})
            if header_soort is not None and line.vat_amount:
                btw[header_soort] = btw.get(header_soort, Decimal("0")) + line.vat_amount
        body = {
            "factuurdatum": iso_midnight(booking.invoice_date),
            "factuurnummer": booking.invoice_number,
            "vervalDatum": iso_midnight(booking.due_date) if booking.due_date else None,
            "leverancier": {"id": relatie["id"]},
            "omschrijving": booking.description,
            "boekstuk": None,
            "factuurbedrag": _money(booking.total_incl_vat),
            "boekingsregels": regels,
            "btw": [{"btwSoort": soort, "btwBedrag": _money(amount)} for soort, amount in btw.items()],
        }
        created = self._json(self._call("POST", "inkoopboekingen", administration, json=body))
        result = BookingResult(entry_id=str(created["id"]), entry_number=str(created.get("boekstuk") or "") or None)
        if booking.attachment is not None:
            self.attach_document(administration, result, booking.attachment)
            result = result.model_copy(update={"has_attachment": True})
        return result

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """POST the PDF to ``documenten/Inkoopboekingen`` with the inkoopboeking as its parent."""
        self._call("POST", "documenten/Inkoopboekingen", administration, json={
            "parentIdentifier": entry.entry_id, "fileName": attachment.filename,
            "content": base64.b64encode(attachment.content).decode("ascii"), "readOnly": False})

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The inkoopboeking of this leverancier with this ``factuurnummer``, if any, and whether it has a
        document (``GET documenten/Inkoopboekingen/{id}`` lists the boeking's bijlagen)."""
        relatie = self._relatie_by_code(administration, supplier_code)
        if relatie is None:
            return None
        page = self._json(self._call("GET", "inkoopboekingen", administration, params={
            "$filter": F.all_of(F.eq("Leverancier/Id", Guid(relatie["id"])), F.eq("Factuurnummer", invoice_number)),
            "$top": 1}))
        if not page:
            return None
        entry_id = str(page[0]["id"])
        documents = self._json(self._call("GET", f"documenten/Inkoopboekingen/{entry_id}", administration))
        return BookingResult(entry_id=entry_id, entry_number=str(page[0].get("boekstuk") or "") or None,
                             has_attachment=isinstance(documents, list) and bool(documents))
