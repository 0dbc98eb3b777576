"""Exact Online simulator: REST/OData v3 JSON.

API: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx; request and answer shapes as
picqer/exact-php-client reads and writes them, https://github.com/picqer/exact-php-client.

Verified behaviour it reproduces: OAuth2 code flow at ``/api/oauth2/auth`` (``force_login`` accepted and
ignored) + ``/api/oauth2/token`` (``expires_in`` as the string ``"600"``, rotating refresh tokens, a refresh
made before 570 s answers 401 "Access Token not expired", refresh tokens die after 30 days unused);
``/api/v1/current/Me``; the
division in every other path; the ``{"d": {"results": [...], "__next": url}}`` envelope with 60 records
a page and ``$skiptoken``; ``Code`` padded to 18 characters with leading spaces; guid references to GL
accounts and suppliers; dates as ``/Date(ms)/``; the error body
``{"error": {"code": "", "message": {"lang": "", "value": "..."}}}``; 60 calls/minute and 5000/day per
app per division with the six ``X-RateLimit-*`` headers (resets in epoch **ms**; only the minutely ones
once the minutely budget is gone) and 429; the duplicate rule (same Account + YourRef + date + amount);
``Accept: application/json`` required (otherwise an Atom XML answer, as Exact does).

Inferred choices ([I]):
- A division without rights answers **403** with ``"Forbidden - WrongDivision"`` (whether Exact answers 401
  or 403 is not documented). ``system/Divisions`` lists the 6 reachable divisions, ``system/AllDivisions`` all 7.
- Division numbers are ``300001`` .. ``300007`` in the order of ``seed.ADMINISTRATIONS``; ``Me`` reports
  ``300001`` as ``CurrentDivision``.
- VAT codes: ``"2"`` 21 %, ``"5"`` 9 %, ``"0"`` 0 %, ``"7"`` verlegd, ``"8"`` EU acquisition.
  ``Percentage`` is a fraction (0.21). Reverse charge is marked by ``Charged: true`` and EU acquisition by
  ``EUSalesListing: "L"`` (field names from Exact's VATCodes entity, not seen in the client library).
- Purchase journal ``"60"`` (Type 22); ``EntryNumber`` is ``yy`` + journal + a 4-digit counter.
- ``$select`` is required on ``crm/Accounts`` lists (unless ``$top=1``), with Exact's own wording.
- The duplicate error text is ours (Exact's wording is unknown). A supplier or GL guid that is not in
  the division is refused with 400 instead of Exact's reported silent nulling.
- ``$filter`` supports ``eq`` comparisons joined with ``and`` (all our connector sends), plus
  ``substringof('x', Field) eq true`` (OData v3, see odata.py).
- The 10-errors-per-hour block and the 200 token calls/day limit are not simulated.
- Document ``Type`` 20 (purchase invoice) is accepted like any other integer.
- ``PUT purchaseentry/PurchaseEntries(guid'…')`` may change only the entry's ``Document`` (to link a PDF
  to an entry posted without one); an attachment added to a document later shows on every entry linked to
  it in the inspection record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import (
    JsonDict,
    OAuthSettings,
    OAuthSimulator,
    RateLimiter,
    RateStatus,
    Refusal,
    SimClock,
    cents,
    decode_base64,
    guid_factory,
    json_response,
    parse_iso_date,
)
from boekstuk_local.simulators.odata import ODATA_V3, ODataError

guid = guid_factory("6f1f5a52-4d8a-4a8e-9b1e-0e7c3c2a1001")

VAT_CODES = {"high": "2", "low": "5", "zero": "0", "reverse_charge": "7", "eu": "8"}


def padded(code: str) -> str:
    """Exact's supplier ``Code``: 18 characters, right-aligned with leading spaces."""
    return code.strip().rjust(18)


def odata_date(value: dt.date | dt.datetime) -> str:
    """``/Date(ms)/`` for a date or UTC datetime."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return f"/Date({int(value.timestamp() * 1000)})/"


class ExactError(Refusal):
    """An Exact error answer."""

    def response(self) -> Response:
        """``{"error": {"message": {"value": ...}}}``."""
        return exact_error(self.status, self.message, self.headers)


def exact_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Exact's error body."""
    body = {"error": {"code": "", "message": {"lang": "", "value": message}}}
    return json_response(body, status, headers)


# --- the simulator ---------------------------------------------------------------------------------------


def _division_code(index: int) -> int:
    return 300000 + index


def _seed_division(division: int) -> JsonDict:
    gl = [
        {
            "ID": guid(division, "gl", g.code),
            "Code": g.code,
            "Description": g.name,
            "Type": 12 if g.balance else 110,
            "BalanceType": "B" if g.balance else "W",
            "VATCode": "" if g.balance else VAT_CODES["high"],
            "IsBlocked": False,
        }
        for g in seed.GL_ACCOUNTS
    ]
    vat = [
        {
            "ID": guid(division, "vat", v.kind),
            "Code": VAT_CODES[v.kind],
            "Description": v.name,
            "Percentage": float(v.rate / 100),
            "Type": "B",
            "VATTransactionType": "B",
            "Charged": v.kind == "reverse_charge",
            "EUSalesListing": "L" if v.kind == "eu" else "N",
            "IsBlocked": False,
        }
        for v in seed.VAT_RATES
    ]
    gl_by_code = {g["Code"]: g["ID"] for g in gl}
    accounts: list[JsonDict] = []
    banks: list[JsonDict] = []
    for s in seed.SUPPLIERS:
        account_id = guid(division, "account", s.code)
        accounts.append(
            {
                "ID": account_id,
                "Code": padded(s.code),
                "Name": s.name,
                "SearchCode": s.name[:10].upper(),
                "VATNumber": s.vat_id,
                "ChamberOfCommerce": s.kvk,
                "AddressLine1": s.street,
                "AddressLine2": None,
                "AddressLine3": None,
                "Postcode": s.postcode,
                "City": s.city,
                "Country": s.country,
                "Email": s.email,
                "Phone": None,
                "GLAccountPurchase": gl_by_code[s.default_gl],
                "PurchaseVATCode": VAT_CODES[s.vat_kind],
                "PaymentConditionPurchase": str(s.payment_term_days),
                "IsSupplier": True,
                "Blocked": False,
            }
        )
        banks.append(
            {
                "ID": guid(division, "bank", s.code),
                "Account": account_id,
                "BankAccount": s.iban,
                "BICCode": s.bic,
                "Main": True,
                "BankAccountHolderName": s.name,
            }
        )
    journals = [
        {"ID": guid(division, "journal", "10"), "Code": "10", "Description": "Kas", "Type": 10},
        {"ID": guid(division, "journal", "20"), "Code": "20", "Description": "Bank", "Type": 12},
        {"ID": guid(division, "journal", "60"), "Code": "60", "Description": "Inkoopboek", "Type": 22},
        {"ID": guid(division, "journal", "70"), "Code": "70", "Description": "Verkoopboek", "Type": 20},
    ]
    return {
        "accounts": accounts,
        "bank_accounts": banks,
        "gl_accounts": gl,
        "vat_codes": vat,
        "journals": journals,
        "documents": [],
        "attachments": [],
        "purchase_entries": [],
    }


ENTITIES: dict[str, tuple[str, str]] = {
    # resource path -> (state collection, Exact model type)
    "crm/Accounts": ("accounts", "Account"),
    "crm/BankAccounts": ("bank_accounts", "BankAccount"),
    "financial/GLAccounts": ("gl_accounts", "GLAccount"),
    "vat/VATCodes": ("vat_codes", "VATCode"),
    "financial/Journals": ("journals", "Journal"),
    "documents/Documents": ("documents", "Document"),
    "documents/DocumentAttachments": ("attachments", "DocumentAttachment"),
    "purchaseentry/PurchaseEntries": ("purchase_entries", "PurchaseEntry"),
}
KEYS = {"purchase_entries": "EntryID"}
_ENTITY_BY_ID = re.compile(r"^(?P<path>[A-Za-z]+/[A-Za-z]+)\(guid'(?P<id>[0-9a-fA-F-]+)'\)$")


class ExactOnlineSimulator(OAuthSimulator):
    """Exact Online on loopback. ``page_size`` (60 in Exact) and the rate limits are configurable."""

    package_id = "exact_online"
    title = "Exact Online"
    app_registration: ClassVar[dict[str, str]] = {
        "client_id": "6f0c2a10-boekstuk-exact-demo",
        "client_secret": "exact-demo-client-secret",
    }
    demo_login: ClassVar[dict[str, str]] = {"username": "demo@exact.test", "password": "Exact-Demo-2026!"}
    token_prefix = "exact"

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        hang_seconds: float = 2.0,
        page_size: int = 60,
        minutely_limit: int = 60,
        daily_limit: int = 5000,
    ) -> None:
        oauth = OAuthSettings(access_ttl=600, refresh_ttl=30 * 86400, rotate_refresh=True,
                              min_access_age_for_refresh=570, expires_in_as_string=True)
        super().__init__(oauth=oauth, clock=clock, hang_seconds=hang_seconds)
        self.page_size = page_size
        self.minutely = RateLimiter(minutely_limit, 60, self.clock)
        self.daily = RateLimiter(daily_limit, 86400, self.clock)

    # -- seed --

    def initial_state(self) -> JsonDict:
        """Seven divisions, 6 reachable, each with the seed's master data."""
        divisions = {
            str(_division_code(a.index)): {
                "name": a.name,
                "accessible": a.accessible,
                **_seed_division(_division_code(a.index)),
            }
            for a in seed.ADMINISTRATIONS
        }
        return {"administrations": divisions}

    def rules(self) -> list[Rule]:
        """OAuth, Me, and everything under a division."""
        return [
            Rule("/api/oauth2/auth", endpoint="authorize", methods=["GET", "POST"]),
            Rule("/api/oauth2/token", endpoint="token", methods=["POST"]),
            Rule("/api/v1/current/Me", endpoint="me", methods=["GET"]),
            Rule("/api/v1/<int:division>/<path:resource>", endpoint="division_call", methods=["GET", "POST", "PUT"]),
        ]

    def fault_body(self, status: int) -> Response:
        """Exact's error shape for injected faults."""
        texts = {500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout",
                 429: "Too many requests"}
        return exact_error(status, texts.get(status, f"Error {status}"))

    def not_found(self, request: Request) -> Response:
        """Unknown route."""
        return exact_error(404, "Not found")

    # -- helpers --

    def _guard(self, request: Request) -> Response | None:
        if "application/json" not in request.headers.get("Accept", ""):
            atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                    "<title type=\"text\">Exact Online</title></feed>")
            return Response(atom, status=200, content_type="application/atom+xml;type=feed;charset=utf-8")
        if self.oauth.bearer_user(request) is None:
            return exact_error(401, "Unauthorized", {"WWW-Authenticate": "Bearer"})
        return None

    def _rate_headers(self, minutely: RateStatus, daily: RateStatus | None) -> dict[str, str]:
        headers = {
            "X-RateLimit-Minutely-Limit": str(minutely.limit),
            "X-RateLimit-Minutely-Remaining": str(minutely.remaining),
            "X-RateLimit-Minutely-Reset": str(int(minutely.reset_at * 1000)),
        }
        if daily is not None:
            headers.update(
                {
                    "X-RateLimit-Limit": str(daily.limit),
                    "X-RateLimit-Remaining": str(daily.remaining),
                    "X-RateLimit-Reset": str(int(daily.reset_at * 1000)),
                }
            )
        return headers

    def _base(self, request: Request, division: int) -> str:
        return f"{request.host_url.rstrip('/')}/api/v1/{division}/"

    def _render(self, request: Request, division: int, resource: str, record: JsonDict, select: list[str] | None,
                collection: str) -> JsonDict:
        key = KEYS.get(collection, "ID")
        model = ENTITIES[resource][1]
        out: JsonDict = {
            "__metadata": {
                "uri": f"{self._base(request, division)}{resource}(guid'{record[key]}')",
                "type": f"Exact.Web.Api.Models.{model}",
            }
        }
        for name, value in record.items():
            if name.startswith("_") or (select and name not in select):
                continue
            out[name] = value
        return out

    # -- routes --

    def me(self, request: Request) -> Response:
        """``current/Me``: the user and their current division."""
        refused = self._guard(request)
        if refused is not None:
            return refused
        current = _division_code(1)
        user = self.oauth.bearer_user(request) or ""
        me = {
            "__metadata": {"uri": f"{request.host_url}api/v1/current/Me(guid'{guid('user', user)}')",
                           "type": "Exact.Web.Api.System.Me"},
            "CurrentDivision": current,
            "UserID": guid("user", user),
            "UserName": user,
            "FullName": "Demo Gebruiker",
            "Email": user,
            "DivisionCustomerName": self.state.data["administrations"][str(current)]["name"],
            "LanguageCode": "nl-NL",
        }
        return json_response({"d": {"results": [me]}})

    def division_call(self, request: Request, division: int, resource: str) -> Response:
        """Every ``/api/v1/{division}/...`` call: auth, rate limits, division rights, then the entity."""
        refused = self._guard(request)
        if refused is not None:
            return refused
        key = f"{self.oauth.bearer_user(request)}:{division}"
        minutely = self.minutely.hit(key)
        if not minutely.allowed:
            return exact_error(429, "API rate limit exceeded.", self._rate_headers(minutely, None))
        daily = self.daily.hit(key)
        headers = self._rate_headers(minutely, daily)
        if not daily.allowed:
            return exact_error(429, "API rate limit exceeded.", headers)
        admin = self.state.data["administrations"].get(str(division))
        if admin is None:
            return exact_error(404, f"Division {division} does not exist.", headers)
        if not admin["accessible"]:
            return exact_error(403, "Forbidden - WrongDivision", headers)
        try:
            response = self._entity_call(request, division, admin, resource)
        except ExactError as refusal:  # answered here, not by dispatch: it carries the rate-limit headers too
            response = refusal.response()
        response.headers.update(headers)
        return response

    def _entity_call(self, request: Request, division: int, admin: JsonDict, resource: str) -> Response:
        if resource in ("system/Divisions", "system/AllDivisions") and request.method == "GET":
            return self._divisions(request, division, only_accessible=resource == "system/Divisions")
        by_id = _ENTITY_BY_ID.match(resource)
        if by_id is not None and request.method == "PUT" and by_id["path"] in ENTITIES:
            return self._put(request, division, admin, by_id["path"], by_id["id"].lower())
        if resource not in ENTITIES:
            raise ExactError(404, f"Resource not found: {resource}")
        if request.method == "GET":
            return self._list(request, division, admin, resource)
        if request.method == "POST":
            body = self._json(request)
            handler = {
                "crm/Accounts": self._post_account,
                "crm/BankAccounts": self._post_bank_account,
                "documents/Documents": self._post_document,
                "documents/DocumentAttachments": self._post_attachment,
                "purchaseentry/PurchaseEntries": self._post_purchase_entry,
            }.get(resource)
            if handler is None:
                raise ExactError(405, f"POST is not allowed on {resource}")
            record = handler(division, admin, body)
            collection = ENTITIES[resource][0]
            return json_response({"d": self._render(request, division, resource, record, None, collection)}, 201)
        raise ExactError(405, f"{request.method} is not allowed on {resource}")

    def _json(self, request: Request) -> JsonDict:
        try:
            body = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
        except ValueError:
            raise ExactError(400, "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise ExactError(400, "A JSON object is expected.")
        return body

    def _divisions(self, request: Request, division: int, *, only_accessible: bool) -> Response:
        results = []
        for code, admin in self.state.data["administrations"].items():
            if only_accessible and not admin["accessible"]:
                continue
            results.append(
                {
                    "__metadata": {"uri": f"{self._base(request, division)}system/Divisions({code})",
                                   "type": "Exact.Web.Api.Models.SystemDivision"},
                    "Code": int(code),
                    "Description": admin["name"],
                    "CustomerName": admin["name"],
                    "VATNumber": None,
                    "ChamberOfCommerceNumber": None,
                    "Status": 1,
                    "Current": int(code) == _division_code(1),
                }
            )
        return json_response({"d": {"results": results}})

    def _list(self, request: Request, division: int, admin: JsonDict, resource: str) -> Response:
        collection = ENTITIES[resource][0]
        args = request.args
        select = [f.strip() for f in args.get("$select", "").split(",") if f.strip()] or None
        top_text = args.get("$top")
        try:
            top = int(top_text) if top_text is not None else None
        except ValueError:
            raise ExactError(400, "$top must be an integer.") from None
        if resource == "crm/Accounts" and select is None and top != 1:
            raise ExactError(400, "Error 400: Please add a $select or a $top=1 statement to the query string.")
        try:
            records: list[JsonDict] = ODATA_V3.select(admin[collection], args.get("$filter"))
        except ODataError as exc:
            raise ExactError(400, str(exc)) from None
        key = KEYS.get(collection, "ID")
        start = 0
        skiptoken = args.get("$skiptoken")
        if skiptoken:
            match = re.fullmatch(r"guid'([0-9a-fA-F-]+)'", skiptoken)
            if match is None:
                raise ExactError(400, "Invalid $skiptoken.")
            ids = [r[key] for r in records]
            start = ids.index(match.group(1).lower()) + 1 if match.group(1).lower() in ids else len(ids)
        if top is not None:
            page = records[start:start + min(top, self.page_size)]
            more = False
        else:
            page = records[start:start + self.page_size]
            more = start + self.page_size < len(records)
        body: JsonDict = {"results": [self._render(request, division, resource, r, select, collection) for r in page]}
        if more:
            query = {k: v for k, v in args.items() if k != "$skiptoken"}
            query["$skiptoken"] = f"guid'{page[-1][key]}'"
            body["__next"] = f"{self._base(request, division)}{resource}?{urlencode(query)}"
        return json_response({"d": body})

    def _find(self, admin: JsonDict, collection: str, record_id: Any) -> JsonDict | None:
        if not isinstance(record_id, str):
            return None
        key = KEYS.get(collection, "ID")
        return next((r for r in admin[collection] if r[key] == record_id.lower()), None)

    _ACCOUNT_FIELDS = ("Name", "Code", "VATNumber", "ChamberOfCommerce", "AddressLine1", "AddressLine2",
                       "AddressLine3", "Postcode", "City", "Country", "Email", "Phone", "GLAccountPurchase",
                       "PurchaseVATCode", "PaymentConditionPurchase", "IsSupplier", "Blocked", "SearchCode")

    def _check_account_refs(self, admin: JsonDict, body: JsonDict) -> None:
        gl = body.get("GLAccountPurchase")
        if gl and self._find(admin, "gl_accounts", gl) is None:
            raise ExactError(400, "GLAccountPurchase: the general ledger account does not exist.")
        vat = body.get("PurchaseVATCode")
        if vat and not any(v["Code"] == vat for v in admin["vat_codes"]):
            raise ExactError(400, f"PurchaseVATCode: VAT code {vat} does not exist.")

    def _post_account(self, division: int, admin: JsonDict, body: JsonDict) -> JsonDict:
        if not str(body.get("Name") or "").strip():
            raise ExactError(400, "Name: mandatory field.")
        self._check_account_refs(admin, body)
        code = str(body.get("Code") or "").strip()
        if not code:
            code = str(self.state.next_number(f"exact:{division}:account", start=3001))
        if any(a["Code"].strip() == code for a in admin["accounts"]):
            raise ExactError(400, f"Code: the code {code} is already in use.")
        record: JsonDict = dict.fromkeys(self._ACCOUNT_FIELDS)
        record.update({k: body[k] for k in self._ACCOUNT_FIELDS if k in body})
        record.update({"ID": str(uuid.uuid4()), "Code": padded(code), "Blocked": bool(body.get("Blocked", False)),
                       "IsSupplier": bool(body.get("IsSupplier", False))})
        admin["accounts"].append(record)
        return record

    def _post_bank_account(self, division: int, admin: JsonDict, body: JsonDict) -> JsonDict:
        account = self._find(admin, "accounts", body.get("Account"))
        if account is None:
            raise ExactError(400, "Account: the account does not exist.")
        iban = str(body.get("BankAccount") or "").replace(" ", "").upper()
        if not iban:
            raise ExactError(400, "BankAccount: mandatory field.")
        record = {"ID": str(uuid.uuid4()), "Account": account["ID"], "BankAccount": iban,
                  "BICCode": body.get("BICCode"), "Main": bool(body.get("Main", False)),
                  "BankAccountHolderName": body.get("BankAccountHolderName") or account["Name"]}
        if record["Main"]:
            for other in admin["bank_accounts"]:
                if other["Account"] == account["ID"]:
                    other["Main"] = False
        admin["bank_accounts"].append(record)
        return record

    def _put(self, request: Request, division: int, admin: JsonDict, path: str, record_id: str) -> Response:
        collection = ENTITIES[path][0]
        if collection not in ("accounts", "bank_accounts", "purchase_entries"):
            raise ExactError(405, f"PUT is not allowed on {path}")
        record = self._find(admin, collection, record_id)
        if record is None:
            raise ExactError(404, "Not found")
        body = self._json(request)
        if collection == "purchase_entries":
            self._link_document(division, admin, record, body)
        elif collection == "accounts":
            self._check_account_refs(admin, body)
            for name in self._ACCOUNT_FIELDS:
                if name in body and name != "Code":
                    record[name] = body[name]
        else:
            for name in ("BankAccount", "BICCode", "Main", "BankAccountHolderName"):
                if name in body:
                    record[name] = body[name]
        return Response(status=204)  # Exact answers an update without a body

    def _link_document(self, division: int, admin: JsonDict, entry: JsonDict, body: JsonDict) -> None:
        """[I] A posted entry's ``Document`` may change (its amounts and lines may not)."""
        refused = sorted(set(body) - {"Document", "EntryID"})
        if refused:
            raise ExactError(400, f"{', '.join(refused)}: cannot be changed on a posted purchase entry.")
        document = self._find(admin, "documents", body.get("Document"))
        if document is None:
            raise ExactError(400, "Document: the document does not exist.")
        entry["Document"] = document["ID"]
        self._sync_attachment(division, admin, document["ID"])

    def _sync_attachment(self, division: int, admin: JsonDict, document_id: str) -> None:
        """The inspection record of every entry linked to ``document_id`` shows its first attachment."""
        first = next((a for a in admin["attachments"] if a["Document"] == document_id), None)
        if first is None:
            return
        for entry in admin["purchase_entries"]:
            if entry["Document"] == document_id:
                self.state.set_entry_attachment(str(division), entry["EntryID"], first["FileName"],
                                                first["FileSize"])

    def _post_document(self, division: int, admin: JsonDict, body: JsonDict) -> JsonDict:
        if not str(body.get("Subject") or "").strip():
            raise ExactError(400, "Subject: mandatory field.")
        if not isinstance(body.get("Type"), int):
            raise ExactError(400, "Type: mandatory field.")
        if body.get("Account") and self._find(admin, "accounts", body["Account"]) is None:
            raise ExactError(400, "Account: the account does not exist.")
        now = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC)
        record = {"ID": str(uuid.uuid4()), "Subject": body["Subject"], "Type": body["Type"],
                  "Account": body.get("Account"), "Created": odata_date(now)}
        admin["documents"].append(record)
        return record

    def _post_attachment(self, division: int, admin: JsonDict, body: JsonDict) -> JsonDict:
        document = self._find(admin, "documents", body.get("Document"))
        if document is None:
            raise ExactError(400, "Document: the document does not exist.")
        content = decode_base64(body.get("Attachment"))
        if content is None:
            raise ExactError(400, "Attachment: not valid base64.")
        filename = str(body.get("FileName") or "").strip()
        if not filename or not content:
            raise ExactError(400, "FileName and Attachment are mandatory.")
        attachment_id = str(uuid.uuid4())
        record = {"ID": attachment_id, "Document": document["ID"], "FileName": filename, "FileSize": len(content),
                  "Url": f"/docs/DocumentAttachment.aspx?ID={attachment_id}"}
        admin["attachments"].append(record)
        self._sync_attachment(division, admin, document["ID"])
        return record

    def _post_purchase_entry(self, division: int, admin: JsonDict, body: JsonDict) -> JsonDict:
        journal = next((j for j in admin["journals"] if j["Code"] == str(body.get("Journal") or "")), None)
        if journal is None or journal["Type"] != 22:
            raise ExactError(400, "Journal: this is not a purchase journal.")
        supplier = self._find(admin, "accounts", body.get("Supplier"))
        if supplier is None:
            raise ExactError(400, "Supplier: the account does not exist.")
        entry_date = parse_iso_date(body.get("EntryDate"))
        if entry_date is None:
            raise ExactError(400, "EntryDate: mandatory field.")
        document = None
        if body.get("Document"):
            document = self._find(admin, "documents", body["Document"])
            if document is None:
                raise ExactError(400, "Document: the document does not exist.")
        raw_lines = body.get("PurchaseEntryLines")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise ExactError(400, "PurchaseEntryLines: at least one line is required.")
        lines: list[JsonDict] = []
        inspection_lines: list[JsonDict] = []
        total = Decimal("0")
        vat_total = Decimal("0")
        for number, raw in enumerate(raw_lines, start=1):
            if not isinstance(raw, dict):
                raise ExactError(400, f"PurchaseEntryLines[{number}]: an object is expected.")
            gl = self._find(admin, "gl_accounts", raw.get("GLAccount"))
            if gl is None:
                raise ExactError(400, f"PurchaseEntryLines[{number}].GLAccount: the account does not exist.")
            vat_code = str(raw.get("VATCode") or gl["VATCode"] or "")
            vat = next((v for v in admin["vat_codes"] if v["Code"] == vat_code), None)
            if vat is None:
                raise ExactError(400, f"PurchaseEntryLines[{number}].VATCode: VAT code {vat_code} does not exist.")
            try:
                amount = cents(raw.get("AmountFC"))
                vat_amount = (cents(raw["VATAmountFC"]) if raw.get("VATAmountFC") is not None
                              else cents(amount * Decimal(str(vat["Percentage"]))))
            except ValueError:
                raise ExactError(400, f"PurchaseEntryLines[{number}].AmountFC: not an amount.") from None
            # Reverse-charged (verlegd / EU) VAT is not part of what the supplier is paid.
            reverse = vat["Charged"] or vat["EUSalesListing"] == "L"
            vat_amount_payable = Decimal("0") if reverse else vat_amount
            total += amount + vat_amount_payable
            vat_total += vat_amount
            lines.append({"LineNumber": number, "GLAccount": gl["ID"], "GLAccountCode": gl["Code"],
                          "Description": raw.get("Description"), "AmountFC": float(amount), "VATCode": vat["Code"],
                          "VATAmountFC": float(vat_amount), "CostCenter": raw.get("CostCenter")})
            inspection_lines.append({"gl_account": gl["Code"], "description": raw.get("Description") or "",
                                     "amount_excl_vat": str(amount), "vat_code": vat["Code"],
                                     "vat_amount": str(vat_amount)})
        your_ref = str(body.get("YourRef") or "")
        for existing in admin["purchase_entries"]:
            if (existing["Supplier"] == supplier["ID"] and existing["YourRef"] == your_ref
                    and existing["_entry_date"] == entry_date.isoformat()
                    and Decimal(str(existing["AmountDC"])) == total):
                raise ExactError(
                    400,
                    f"Er bestaat al een inkoopboeking voor deze leverancier met hetzelfde factuurnummer "
                    f"({your_ref}), dezelfde factuurdatum en hetzelfde bedrag (boekstuk {existing['EntryNumber']}).",
                )
        counter = self.state.next_number(f"exact:{division}:entry:{entry_date.year}:{journal['Code']}")
        entry_number = int(f"{entry_date.year % 100:02d}{journal['Code']}{counter:04d}")
        due = parse_iso_date(body.get("DueDate"))
        amount_sign = -1 if total < 0 else 1
        record: JsonDict = {
            "EntryID": str(uuid.uuid4()),
            "EntryNumber": entry_number,
            "Journal": journal["Code"],
            "Supplier": supplier["ID"],
            "EntryDate": odata_date(entry_date),
            "DueDate": odata_date(due) if due else None,
            "YourRef": your_ref,
            "Description": body.get("Description"),
            "Document": document["ID"] if document else None,
            "PaymentCondition": body.get("PaymentCondition"),
            "AmountDC": float(total),
            "VATAmountDC": float(vat_total),
            "Currency": body.get("Currency") or "EUR",
            "Status": 20,
            "Type": 31 if amount_sign < 0 else 30,
            "PurchaseEntryLines": {"__deferred": {"uri": "PurchaseEntryLines"}},
            "_entry_date": entry_date.isoformat(),
            "_lines": lines,
        }
        admin["purchase_entries"].append(record)
        attachment = None
        if document is not None:
            first = next((a for a in admin["attachments"] if a["Document"] == document["ID"]), None)
            if first is not None:
                attachment = {"filename": first["FileName"], "size": first["FileSize"]}
        self.state.add_entry(
            str(division),
            entry_id=record["EntryID"],
            supplier_code=supplier["Code"].strip(),
            invoice_number=your_ref,
            invoice_date=entry_date.isoformat(),
            total_incl_vat=str(total),
            lines=inspection_lines,
            attachment=attachment,
        )
        return record
