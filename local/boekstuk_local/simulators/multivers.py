"""Unit4 Multivers / Boekhoud Gemak simulator: the Multivers Web API.

API: https://sandbox-api.boekhoudgemak.nl/V21/Documentation/Guide/Environments

REST with JSON in camelCase:

- OAuth2 code flow: ``GET/POST /OAuth/Authorize`` (login form; demo user ``demo@multivers.test`` /
  ``Multivers-Demo-2026!``), ``POST /OAuth/Token`` (``authorization_code`` and ``refresh_token`` grants,
  form-encoded, client id and secret in the form); access tokens live 3600 s.
- ``GET /api/AdministrationInfoList`` (7 databases ``MVL00001`` … ``MVL00007``), ``GET /api/AdministrationInfo/{db}``.
- Inside a database (``/api/{db}/…``): ``SupplierInfoList``, ``Supplier`` (POST) and ``Supplier/{id}``
  (GET/PUT), ``BankAccountInfoList/BySupplierId/{id}``, ``BankAccount`` (POST), ``AccountInfoList/{fiscalYear}``,
  ``VatCodeInfoList`` (integer ``vatCodeId``), ``JournalInfoList``, ``PaymentConditionInfoList``,
  ``GetNextJournalTransactionCommand?fiscalYear=&journalId=`` (POST), ``SupplierInvoice`` (POST, dates
  ``d-M-yyyy``, the field limits and required fields of the API's contracts as
  https://github.com/nielswitte/multivers-mock-server has them), ``SupplierInvoice/{invoiceId}``,
  ``SupplierInvoiceInfoList/BySupplierId/{id}`` and ``DmDocument`` (POST).
- Errors: ``{"messages":[{"exceptionId","message","messageType","path"}]}`` with a non-2xx status; rule
  violations on an entity also come back in its ``brokenRulesCollection`` (``ruleName``, ``priority``,
  ``messageText``). No or an expired token: 401 ``{"Message": "Authorization has been denied for this
  request."}`` (ASP.NET Web API's own answer).

Inferred choices ([I], configurable where it matters):

- [I] The seventh database ("Holding (geen toegang)") answers 403 with a ``messages`` body; unknown
  databases 404.
- [I] Refresh tokens do not rotate and do not expire (lifetime unknown; laveto keeps one for long).
- [I] Rate limit: ``requests_per_minute`` per token (default 300); over it: 429 with ``Retry-After`` and a
  ``messages`` body.
- [I] Supplier fields beyond the Customer model: ``defaultAccountId`` (default cost account), ``vatCodeId``
  (default VAT code), ``blocked``; IBANs live in bank accounts linked by ``organizationId``; a supplier
  created without ``supplierId`` gets the next free number.
- [I] Payment conditions carry ``expirationDays``.
- [I] VAT codes: 0 "BTW 0%", 1 "BTW laag 9%", 2 "BTW hoog 21%", 3 "BTW verlegd", 4 "Intracommunautaire
  verwerving"; reverse charge and EU acquisition add no VAT payable to the supplier.
- [I] Duplicates: the same ``reference`` for the same supplier is refused (``duplicate_mode="error"``,
  the default; ``"allow"`` accepts), as is a reused ``invoiceId`` or (``fiscalYear``, ``journalId``,
  ``journalTransaction``). ``invoiceId`` is assigned as ``YY`` + six digits of the transaction when empty.
- [I] ``SupplierInfoList`` honours OData ``$top``/``$skip`` (prepared in the public client
  https://github.com/omniboost/go-unit4-multivers; unverified per endpoint);
  without them the list comes whole, unless the simulator is built with a server-side ``page_size``.
- [I] ``SupplierInvoiceInfoList/BySupplierId/{id}`` exists (modelled on ``BankAccountInfoList/BySupplierId``).
- [I] ``DmDocument`` takes ``{"invoiceId", "fileName", "content": base64, "description"}``; accepted and stored.
  From then on the invoice (``GET SupplierInvoice/{invoiceId}``) carries a ``documentLink`` object (its
  fields as in the DocumentLink of the public clients go-unit4-multivers and
  Seacommerce/multivers-sdk-php; ``documentLink`` holds the document's id); until then it is ``null``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import (
    CENT,
    JsonDict,
    OAuthSettings,
    OAuthSimulator,
    RateLimiter,
    Refusal,
    SimClock,
    cents,
    decode_base64,
    json_response,
    request_json,
)
from boekstuk_local.simulators.odata import ODataError, skip_top

DEMO_USERNAME = "demo@multivers.test"
DEMO_PASSWORD = "Multivers-Demo-2026!"
CLIENT_ID = "boekstuk-multivers"
CLIENT_SECRET = "multivers-sim-client-secret"
SCOPE = "http://UNIT4.Multivers.API/Web/WebApi/*"

PURCHASE_JOURNAL = "I"
VAT_IDS: dict[str, int] = {"zero": 0, "low": 1, "high": 2, "reverse_charge": 3, "eu": 4}
NO_PAYABLE_VAT = {3, 4}
PAYMENT_TERMS = (0, 7, 14, 21, 30, 45, 60, 90)
DATE_RE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def database_id(index: int) -> str:
    """The Multivers database id of seed administration ``index`` (1..7)."""
    return f"MVL{index:05d}"


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    match = DATE_RE.match(value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _money(value: Decimal) -> float:
    return float(cents(value))


def _net(line: JsonDict) -> Decimal:
    """A supplier invoice line's net amount: debit minus credit."""
    debit, credit = _decimal(line.get("debitAmountCur")), _decimal(line.get("creditAmountCur"))
    return (debit or Decimal("0")) - (credit or Decimal("0"))


def _message(message: str, path: str = "", message_type: str = "Error") -> JsonDict:
    return {"exceptionId": str(uuid.uuid4()), "message": message, "messageType": message_type, "path": path}


def _errors(status: int, messages: list[JsonDict], **extra: Any) -> Response:
    return json_response({"messages": messages, **extra}, status)


class MultiversError(Refusal):
    """A Multivers error answer with one message: ``{"messages": [{"message", "path", ...}]}``."""

    def __init__(self, status: int, message: str, path: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.path = path

    def response(self) -> Response:
        """The ``messages`` body."""
        response = _errors(self.status, [_message(self.message, self.path)])
        response.headers.update(self.headers)
        return response


class AccessDenied(Refusal):
    """ASP.NET Web API's own 401, answered before Multivers' code runs: ``{"Message": ...}``."""

    def response(self) -> Response:
        """``{"Message": ...}``."""
        return json_response({"Message": self.message}, self.status)


class MultiversSimulator(OAuthSimulator):
    """The Multivers Web API with the seed (seed.py)."""

    package_id = "multivers"
    title = "Boekhoud Gemak / Multivers"
    app_registration: ClassVar[dict[str, str]] = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    demo_login: ClassVar[dict[str, str]] = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    token_prefix = "mv"

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        hang_seconds: float = 2.0,
        duplicate_mode: str = "error",
        requests_per_minute: int = 300,
        access_ttl: int = 3600,
        page_size: int | None = None,
    ) -> None:
        if duplicate_mode not in {"error", "allow"}:
            raise ValueError("duplicate_mode must be error or allow")
        self.duplicate_mode = duplicate_mode
        self.page_size = page_size
        oauth = OAuthSettings(access_ttl=access_ttl, refresh_ttl=None, rotate_refresh=False, scope=SCOPE)
        super().__init__(oauth=oauth, clock=clock, hang_seconds=hang_seconds)
        self.limiter = RateLimiter(requests_per_minute, 60.0, self.clock)

    # --- seed ------------------------------------------------------------------------------------------

    def initial_state(self) -> JsonDict:
        """Seven databases with accounts, VAT codes, journals, payment conditions, suppliers and bank accounts."""
        administrations: JsonDict = {}
        for adm in seed.ADMINISTRATIONS:
            db = database_id(adm.index)
            suppliers: JsonDict = {}
            bank_accounts: list[JsonDict] = []
            for number, s in enumerate(seed.SUPPLIERS, start=1):
                organization_id = 1000 + number
                suppliers[s.code] = {
                    "supplierId": s.code,
                    "shortName": re.sub(r"[^A-Z0-9]", "", s.name.upper())[:8],
                    "name": s.name,
                    "street1": s.street,
                    "zipCode": s.postcode,
                    "city": s.city,
                    "countryId": s.country,
                    "email": s.email,
                    "telephone": "",
                    "vatNumber": s.vat_id,
                    "cocRegistration": s.kvk,
                    "paymentConditionId": str(s.payment_term_days),
                    "currencyId": "EUR",
                    "organizationId": organization_id,
                    "defaultAccountId": s.default_gl,
                    "vatCodeId": VAT_IDS[s.vat_kind],
                    "blocked": False,
                }
                bank_accounts.append(
                    {
                        "bankAccountId": number,
                        "organizationId": organization_id,
                        "accountNumber": s.iban[8:].lstrip("0"),
                        "iban": s.iban,
                        "bic": s.bic,
                        "preferred": True,
                        "blocked": False,
                        "name": s.name[:20],
                    }
                )
            administrations[db] = {
                "description": adm.name,
                "shortName": re.sub(r"[^A-Za-z0-9]", "", adm.name)[:10],
                "accessible": adm.accessible,
                "suppliers": suppliers,
                "bankAccounts": bank_accounts,
                "accounts": {
                    g.code: {"accountId": g.code, "description": g.name, "accountType": "B" if g.balance else "W"}
                    for g in seed.GL_ACCOUNTS
                },
                "vatCodes": {
                    str(VAT_IDS[v.kind]): {
                        "vatCodeId": VAT_IDS[v.kind],
                        "description": v.name,
                        "vatPercentage": float(v.rate),
                        "vatPercentagesByDate": [{"startDate": "1-1-2019", "vatPercentage": float(v.rate)}],
                    }
                    for v in seed.VAT_RATES
                },
                "journals": {
                    PURCHASE_JOURNAL: {"journalId": PURCHASE_JOURNAL, "description": "Inkoopboek", "journalType": "I"},
                    "M": {"journalId": "M", "description": "Memoriaal", "journalType": "M"},
                },
                "paymentConditions": {
                    str(days): {
                        "paymentConditionId": str(days),
                        "description": "Direct" if days == 0 else f"{days} dagen",
                        "expirationDays": days,
                    }
                    for days in PAYMENT_TERMS
                },
                "invoices": {},
                "documents": [],
            }
        return {"administrations": administrations}

    def rules(self) -> Iterable[Rule]:
        """OAuth, administration and per-database routes."""
        db = "/api/<db>"
        return [
            Rule("/OAuth/Authorize", endpoint="authorize", methods=["GET", "POST"]),
            Rule("/OAuth/Token", endpoint="token", methods=["POST"]),
            Rule("/api/AdministrationInfoList", endpoint="administration_list", methods=["GET"]),
            Rule("/api/AdministrationInfo/<db>", endpoint="administration_info", methods=["GET"]),
            Rule(f"{db}/SupplierInfoList", endpoint="supplier_list", methods=["GET"]),
            Rule(f"{db}/Supplier", endpoint="supplier_create", methods=["POST"]),
            Rule(f"{db}/Supplier/<supplier_id>", endpoint="supplier_item", methods=["GET", "PUT"]),
            Rule(f"{db}/BankAccountInfoList/BySupplierId/<supplier_id>", endpoint="bank_accounts", methods=["GET"]),
            Rule(f"{db}/BankAccount", endpoint="bank_account_create", methods=["POST"]),
            # GL accounts are per fiscal year (the same chart every year here); journal "I" is purchases.
            Rule(f"{db}/AccountInfoList/<int:fiscal_year>", endpoint="master_data", methods=["GET"],
                 defaults={"table": "accounts"}),
            Rule(f"{db}/VatCodeInfoList", endpoint="master_data", methods=["GET"], defaults={"table": "vatCodes"}),
            Rule(f"{db}/JournalInfoList", endpoint="master_data", methods=["GET"], defaults={"table": "journals"}),
            Rule(f"{db}/PaymentConditionInfoList", endpoint="master_data", methods=["GET"],
                 defaults={"table": "paymentConditions"}),
            Rule(f"{db}/GetNextJournalTransactionCommand", endpoint="next_transaction", methods=["POST"]),
            Rule(f"{db}/SupplierInvoice", endpoint="supplier_invoice_create", methods=["POST"]),
            Rule(f"{db}/SupplierInvoice/<invoice_id>", endpoint="supplier_invoice_get", methods=["GET"]),
            Rule(
                f"{db}/SupplierInvoiceInfoList/BySupplierId/<supplier_id>",
                endpoint="supplier_invoice_list",
                methods=["GET"],
            ),
            Rule(f"{db}/DmDocument", endpoint="document_create", methods=["POST"]),
        ]

    def fault_body(self, status: int) -> Response:
        """Injected failures in the package's ``messages`` shape."""
        return _errors(status, [_message(f"The service answered {status}.")])

    def not_found(self, request: Request) -> Response:
        """ASP.NET Web API's answer for an unknown route."""
        return json_response(
            {"Message": f"No HTTP resource was found that matches the request URI '{request.url}'."}, 404
        )

    # --- guards ----------------------------------------------------------------------------------------

    def _posted(self, request: Request, db: str) -> tuple[JsonDict, JsonDict]:
        """A write call's database and posted JSON object, after the guard."""
        adm = self._guard(request, db)
        return adm, self._object(request)

    @staticmethod
    def _object(request: Request) -> JsonDict:
        body = request_json(request)
        if not isinstance(body, dict):
            raise MultiversError(400, "The request is invalid.", "body")
        return body

    def _guard(self, request: Request, db: str | None = None) -> JsonDict:
        """Token, rate limit and database access; the database (``{}`` without one), or the refusal."""
        user = self.oauth.bearer_user(request)
        if user is None:
            raise AccessDenied(401, "Authorization has been denied for this request.")
        status = self.limiter.hit(request.headers.get("Authorization", ""))
        if not status.allowed:
            raise MultiversError(429, "Too many requests; try again later.", headers=self.limiter.retry_after(status))
        if db is None:
            return {}
        adm: JsonDict | None = self.administrations.get(db)
        if adm is None:
            raise MultiversError(404, f"Administratie {db} bestaat niet.", "database")
        if not adm["accessible"]:
            raise MultiversError(403, f"Geen toegang tot administratie {db}.", "database")
        return adm

    @staticmethod
    def _supplier(adm: JsonDict, supplier_id: str) -> JsonDict:
        supplier: JsonDict | None = adm["suppliers"].get(supplier_id)
        if supplier is None:
            raise MultiversError(404, f"Leverancier {supplier_id} bestaat niet.", "supplierId")
        return supplier

    # --- administrations -------------------------------------------------------------------------------

    def _administration_info(self, db: str, adm: JsonDict) -> JsonDict:
        return {
            "administrationId": db,
            "code": db,
            "description": adm["description"],
            "shortName": adm["shortName"],
            "groupId": "DEMO",
            "onlineState": 1,
            "version": "22.1",
            "users": [DEMO_USERNAME] if adm["accessible"] else [],
        }

    def administration_list(self, request: Request) -> Response:
        """Every database of the account."""
        self._guard(request)
        return json_response([self._administration_info(db, adm) for db, adm in self.administrations.items()])

    def administration_info(self, request: Request, db: str) -> Response:
        """One database."""
        return json_response(self._administration_info(db, self._guard(request, db)))

    # --- suppliers -------------------------------------------------------------------------------------

    def supplier_list(self, request: Request, db: str) -> Response:
        """Summary rows of every supplier (the whole list; no paging)."""
        adm = self._guard(request, db)
        keys = ("supplierId", "shortName", "name", "city", "vatNumber", "cocRegistration", "blocked")
        rows = [{k: s[k] for k in keys} for s in adm["suppliers"].values()]
        try:
            return json_response(skip_top(rows, request.args, max_top=self.page_size))
        except ODataError as exc:
            raise MultiversError(400, str(exc), "$top") from None

    def supplier_item(self, request: Request, db: str, supplier_id: str) -> Response:
        """Read (GET) or update (PUT) one supplier."""
        adm = self._guard(request, db)
        supplier = self._supplier(adm, supplier_id)
        if request.method == "GET":
            return json_response({**supplier, "brokenRulesCollection": [], "messages": []})
        body = self._object(request)
        updated = {
            **supplier,
            **{k: v for k, v in body.items() if k in supplier and k not in {"supplierId", "organizationId"}},
        }
        problems = self._supplier_problems(adm, updated)
        if problems:
            return _errors(400, problems)
        adm["suppliers"][supplier_id] = updated
        return json_response({**updated, "brokenRulesCollection": [], "messages": []})

    def supplier_create(self, request: Request, db: str) -> Response:
        """Create a supplier; ``supplierId`` is assigned when absent."""
        adm, body = self._posted(request, db)
        supplier_id = str(body.get("supplierId") or "")
        if supplier_id and supplier_id in adm["suppliers"]:
            return _errors(400, [_message(f"Leverancier {supplier_id} bestaat al.", "supplierId")])
        if not supplier_id:
            numbers = [int(k) for k in adm["suppliers"] if k.isdigit()]
            supplier_id = str(max([2000, *numbers]) + 1)
        organization_id = max([1000, *(int(x["organizationId"]) for x in adm["suppliers"].values())]) + 1
        record: JsonDict = {
            "supplierId": supplier_id,
            "shortName": "",
            "name": "",
            "street1": "",
            "zipCode": "",
            "city": "",
            "countryId": "NL",
            "email": "",
            "telephone": "",
            "vatNumber": "",
            "cocRegistration": "",
            "paymentConditionId": "30",
            "currencyId": "EUR",
            "organizationId": organization_id,
            "defaultAccountId": "",
            "vatCodeId": None,
            "blocked": False,
        }
        record.update({k: v for k, v in body.items() if k in record and k not in {"supplierId", "organizationId"}})
        problems = self._supplier_problems(adm, record)
        if problems:
            return _errors(400, problems)
        adm["suppliers"][supplier_id] = record
        return json_response({**record, "brokenRulesCollection": [], "messages": []})

    def _supplier_problems(self, adm: JsonDict, s: JsonDict) -> list[JsonDict]:
        problems = []
        for field, limit in (("supplierId", 8), ("shortName", 8), ("paymentConditionId", 3), ("currencyId", 3)):
            value = s.get(field)
            if not isinstance(value, str) or not value:
                problems.append(_message(f"The {field} field is required.", field))
            elif len(value) > limit:
                problems.append(
                    _message(f"The field {field} must be a string with a maximum length of {limit}.", field)
                )
        if not s.get("name"):
            problems.append(_message("The name field is required.", "name"))
        if s.get("paymentConditionId") and s["paymentConditionId"] not in adm["paymentConditions"]:
            problems.append(
                _message(f"Betalingsconditie {s['paymentConditionId']} bestaat niet.", "paymentConditionId")
            )
        if s.get("defaultAccountId") and s["defaultAccountId"] not in adm["accounts"]:
            problems.append(_message(f"Grootboekrekening {s['defaultAccountId']} bestaat niet.", "defaultAccountId"))
        if s.get("vatCodeId") is not None and str(s["vatCodeId"]) not in adm["vatCodes"]:
            problems.append(_message(f"Btw-code {s['vatCodeId']} bestaat niet.", "vatCodeId"))
        return problems

    def bank_accounts(self, request: Request, db: str, supplier_id: str) -> Response:
        """The bank accounts of one supplier (through its organisation)."""
        adm = self._guard(request, db)
        supplier = self._supplier(adm, supplier_id)
        return json_response([b for b in adm["bankAccounts"] if b["organizationId"] == supplier["organizationId"]])

    def bank_account_create(self, request: Request, db: str) -> Response:
        """Add a bank account to an organisation (``organizationId``); the IBAN must be valid."""
        adm, body = self._posted(request, db)
        organization_id = body.get("organizationId")
        if organization_id not in {s["organizationId"] for s in adm["suppliers"].values()}:
            return _errors(400, [_message(f"Organisatie {organization_id} bestaat niet.", "organizationId")])
        iban = str(body.get("iban") or "").replace(" ", "").upper()
        try:
            IBAN(iban)
        except SchwiftyException:
            return _errors(400, [_message(f"IBAN {iban} is ongeldig.", "iban")])
        record = {
            "bankAccountId": len(adm["bankAccounts"]) + 1,
            "organizationId": organization_id,
            "accountNumber": str(body.get("accountNumber") or ""),
            "iban": iban,
            "bic": str(body.get("bic") or ""),
            "preferred": bool(body.get("preferred", True)),
            "blocked": False,
            "name": str(body.get("name") or "")[:20],
        }
        if record["preferred"]:  # one preferred account per organisation: the newest one wins
            for other in adm["bankAccounts"]:
                if other["organizationId"] == organization_id:
                    other["preferred"] = False
        adm["bankAccounts"].append(record)
        return json_response({**record, "messages": []})

    # --- master data -----------------------------------------------------------------------------------

    def master_data(self, request: Request, db: str, table: str, fiscal_year: int | None = None) -> Response:
        """GL accounts, VAT codes (integer ids), journals or payment conditions of one database."""
        return json_response(list(self._guard(request, db)[table].values()))

    def next_transaction(self, request: Request, db: str) -> Response:
        """Reserve the next ``journalTransaction`` of a journal and fiscal year."""
        adm = self._guard(request, db)
        journal = request.args.get("journalId", "")
        year = request.args.get("fiscalYear", "")
        if journal not in adm["journals"] or not year.isdigit():
            return _errors(400, [_message("fiscalYear en een bestaand journalId zijn verplicht.", "journalId")])
        number = self.state.next_number(f"{db}:{year}:{journal}")
        return json_response({"nextJournalTransaction": number, "messages": []})

    # --- supplier invoices -----------------------------------------------------------------------------

    def supplier_invoice_create(self, request: Request, db: str) -> Response:
        """Post a purchase invoice after the field, rule and duplicate checks."""
        adm, body = self._posted(request, db)
        problems = self._invoice_field_problems(body)
        if problems:
            return _errors(400, problems)
        rules: list[JsonDict] = []

        def broken(rule: str, text: str) -> None:
            rules.append({"ruleName": rule, "priority": "Error", "messageText": text})

        year = int(body["fiscalYear"])
        journal, transaction = str(body["journalId"]), int(body["journalTransaction"])
        supplier = adm["suppliers"].get(str(body["supplierId"]))
        if supplier is None:
            broken("SupplierExists", f"Leverancier {body['supplierId']} bestaat niet.")
        elif supplier["blocked"]:
            broken("SupplierBlocked", f"Leverancier {body['supplierId']} is geblokkeerd.")
        if journal not in adm["journals"]:
            broken("JournalExists", f"Dagboek {journal} bestaat niet.")
        if str(body["paymentConditionId"]) not in adm["paymentConditions"]:
            broken("PaymentConditionExists", f"Betalingsconditie {body['paymentConditionId']} bestaat niet.")
        if body.get("invoiceType", 1) not in (1, 3):
            broken("InvoiceType", "Alleen inkoopfacturen (1) en inkoopcreditnota's (3) zijn toegestaan.")
        net = Decimal("0")
        for index, line in enumerate(body.get("supplierInvoiceLines") or []):
            if str(line.get("accountId")) not in adm["accounts"]:
                broken("AccountExists", f"Regel {index + 1}: grootboekrekening {line.get('accountId')} bestaat niet.")
            if line.get("vatCodeId") is not None and str(line.get("vatCodeId")) not in adm["vatCodes"]:
                broken("VatCodeExists", f"Regel {index + 1}: btw-code {line.get('vatCodeId')} bestaat niet.")
            net += _net(line)
        vat_amount = _decimal(body.get("vatAmountCur", body.get("vatAmount", 0))) or Decimal("0")
        vat_lines_total = Decimal("0")
        for line in body.get("vatTransactionLines") or []:
            code = str(line.get("vatCodeId"))
            if code not in adm["vatCodes"]:
                broken("VatCodeExists", f"Btw-code {code} bestaat niet.")
                continue
            amount = _decimal(line.get("vatAmountCur")) or Decimal("0")
            turnover = _decimal(line.get("amountTurnoverCur")) or Decimal("0")
            expected = Decimal("0")
            if int(code) not in NO_PAYABLE_VAT:
                rate = Decimal(str(adm["vatCodes"][code]["vatPercentage"]))
                expected = (turnover * rate / 100).quantize(CENT, ROUND_HALF_UP)
            if abs(amount - expected) > CENT:
                broken("VatAmount", f"Btw-bedrag {amount} bij code {code} wijkt af van {expected}.")
            vat_lines_total += amount
        if vat_lines_total != vat_amount:
            broken("VatTotal", f"vatAmount {vat_amount} is niet gelijk aan de som van de btw-regels {vat_lines_total}.")
        if not body.get("supplierInvoiceLines"):
            broken("Lines", "Een factuur heeft ten minste één regel nodig.")
        invoice_id = str(body.get("invoiceId") or f"{year % 100:02d}{transaction:06d}")
        if invoice_id in adm["invoices"]:
            broken("InvoiceIdUnique", f"Factuur {invoice_id} bestaat al.")
        for stored in adm["invoices"].values():
            if (stored["fiscalYear"], stored["journalId"], stored["journalTransaction"]) == (
                year,
                journal,
                transaction,
            ):
                broken("JournalTransactionUnique", f"Boeking {year}/{journal}/{transaction} bestaat al.")
            reference = str(body.get("reference") or "")
            if (
                self.duplicate_mode == "error"
                and reference
                and stored["supplierId"] == str(body["supplierId"])
                and stored["reference"] == reference
            ):
                broken(
                    "ReferenceUnique",
                    f"Factuur met referentie {reference} bestaat al voor leverancier {stored['supplierId']}.",
                )
        if rules:
            return _errors(
                400,
                [_message(r["messageText"], r["ruleName"]) for r in rules],
                brokenRulesCollection=rules,
                allBrokenRulesCollection=rules,
            )
        total = net + vat_amount
        stored = {
            **body,
            "invoiceId": invoice_id,
            "fiscalYear": year,
            "journalId": journal,
            "journalTransaction": transaction,
            "supplierId": str(body["supplierId"]),
            "reference": str(body.get("reference") or ""),
            "journalSection": f"{year}-{int(body['periodNumber'])}",
            "amountTotal": _money(total),
            "totalAmountVatExcl": _money(net),
            "brokenRulesCollection": [],
            "messages": [],
            "canChange": False,
            "context": {"administrationId": db, "fiscalYear": year},
            "documentLink": None,  # set by DmDocument
        }
        adm["invoices"][invoice_id] = stored
        invoice_date = _parse_date(body["invoiceDate"])
        assert invoice_date is not None
        self.state.add_entry(
            db,
            entry_id=invoice_id,
            supplier_code=stored["supplierId"],
            invoice_number=stored["reference"],
            invoice_date=invoice_date.isoformat(),
            total_incl_vat=f"{total.quantize(CENT)}",
            lines=[
                {
                    "gl_account": str(line.get("accountId")),
                    "description": str(line.get("description") or ""),
                    "amount_excl_vat": str(_net(line).quantize(CENT)),
                    "vat_code": str(line.get("vatCodeId")),
                    "vat_amount": str(self._line_vat(adm, line)),
                }
                for line in body.get("supplierInvoiceLines") or []
            ],
        )
        return json_response(stored)

    @staticmethod
    def _line_vat(adm: JsonDict, line: JsonDict) -> Decimal:
        """The VAT of one line at its code's rate (for the inspection view; Multivers keeps VAT per code)."""
        code = str(line.get("vatCodeId"))
        if code not in adm["vatCodes"] or int(code) in NO_PAYABLE_VAT:
            return Decimal("0.00")
        net = _net(line)
        rate = Decimal(str(adm["vatCodes"][code]["vatPercentage"]))
        return (net * rate / 100).quantize(CENT, ROUND_HALF_UP)

    def _invoice_field_problems(self, body: JsonDict) -> list[JsonDict]:
        """ASP.NET model validation: required fields, lengths, ranges and ``d-M-yyyy`` dates."""
        problems = []
        for field in (
            "fiscalYear",
            "invoiceDate",
            "invoiceExpirationDate",
            "journalId",
            "journalTransaction",
            "paymentConditionId",
            "periodNumber",
            "rebateExpirationDate",
            "supplierId",
        ):
            if body.get(field) in (None, ""):
                problems.append(_message(f"The {field} field is required.", field))
        for field, limit in (
            ("journalId", 3),
            ("paymentConditionId", 3),
            ("paymentReference", 16),
            ("supplierId", 8),
            ("invoiceId", 8),
            ("currencyId", 3),
        ):
            value = body.get(field)
            if value is not None and len(str(value)) > limit:
                problems.append(
                    _message(f"The field {field} must be a string with a maximum length of {limit}.", field)
                )
        for field in ("fiscalYear", "periodNumber", "journalTransaction"):
            value = body.get(field)
            if value not in (None, "") and (isinstance(value, bool) or not isinstance(value, int)):
                problems.append(_message(f"The value '{value}' is not valid for {field}.", field))
        transaction = body.get("journalTransaction")
        if isinstance(transaction, int) and not 0 <= transaction <= 9999:
            problems.append(_message("The field journalTransaction must be between 0 and 9999.", "journalTransaction"))
        period = body.get("periodNumber")
        if isinstance(period, int) and not 1 <= period <= 12:
            problems.append(_message("The field periodNumber must be between 1 and 12.", "periodNumber"))
        for field in ("invoiceDate", "invoiceExpirationDate", "rebateExpirationDate"):
            if body.get(field) not in (None, "") and _parse_date(body.get(field)) is None:
                problems.append(_message(f"The value '{body.get(field)}' is not valid for {field} (d-M-yyyy).", field))
        for index, line in enumerate(body.get("supplierInvoiceLines") or []):
            if not isinstance(line, dict):
                problems.append(_message("A line must be an object.", f"supplierInvoiceLines[{index}]"))
                continue
            if len(str(line.get("description") or "")) > 30:
                problems.append(
                    _message(
                        "The field description must be a string with a maximum length of 30.",
                        f"supplierInvoiceLines[{index}].description",
                    )
                )
            for amount in ("debitAmountCur", "creditAmountCur"):
                value = _decimal(line.get(amount, 0))
                if value is None or value < 0:
                    problems.append(
                        _message(f"The value is not valid for {amount}.", f"supplierInvoiceLines[{index}].{amount}")
                    )
            if line.get("transactionDate") not in (None, "") and _parse_date(line.get("transactionDate")) is None:
                problems.append(
                    _message(
                        "The value is not valid for transactionDate (d-M-yyyy).",
                        f"supplierInvoiceLines[{index}].transactionDate",
                    )
                )
        return problems

    def supplier_invoice_get(self, request: Request, db: str, invoice_id: str) -> Response:
        """One posted invoice."""
        stored = self._guard(request, db)["invoices"].get(invoice_id)
        if stored is None:
            return _errors(404, [_message(f"Factuur {invoice_id} bestaat niet.", "invoiceId")])
        return json_response(stored)

    def supplier_invoice_list(self, request: Request, db: str, supplier_id: str) -> Response:
        """Summary rows of one supplier's invoices."""
        adm = self._guard(request, db)
        keys = (
            "invoiceId",
            "fiscalYear",
            "journalId",
            "journalTransaction",
            "reference",
            "invoiceDate",
            "amountTotal",
            "supplierId",
        )
        return json_response(
            [
                {k: inv.get(k) for k in keys}
                for inv in adm["invoices"].values()
                if inv["supplierId"] == supplier_id
            ]
        )

    def document_create(self, request: Request, db: str) -> Response:
        """Store a document for an invoice (accept-and-store: the real payload is not in our sources)."""
        adm, body = self._posted(request, db)
        invoice_id = str(body.get("invoiceId") or "")
        if invoice_id not in adm["invoices"]:
            return _errors(400, [_message(f"Factuur {invoice_id} bestaat niet.", "invoiceId")])
        content = decode_base64(body.get("content"))
        if content is None:
            return _errors(400, [_message("content is geen geldige base64.", "content")])
        if not content:
            return _errors(400, [_message("The content field is required.", "content")])
        filename = str(body.get("fileName") or "document.pdf")
        document_id = len(adm["documents"]) + 1
        adm["documents"].append(
            {"documentId": document_id, "invoiceId": invoice_id, "fileName": filename, "size": len(content)}
        )
        # The invoice's documentLink points at the stored document from now on (what a client reads back).
        adm["invoices"][invoice_id]["documentLink"] = {
            "documentLink": str(document_id), "documentType": "DmDocument",
            "description": str(body.get("description") or filename), "linkId": document_id,
            "linkType": "SupplierInvoice", "reference": invoice_id, "subject": filename,
        }
        self.state.set_entry_attachment(db, invoice_id, filename, len(content))
        return json_response({"documentId": document_id, "fileName": filename, "messages": []})
