"""AccountView (Visma AccountView Net gateway) simulator.

API: https://www.accountview.net/api/v3, with the shapes the public clients use:
https://github.com/omniboost/go-accountview.net and https://github.com/ForecastXL/accountview-ruby.

Verified behaviour it reproduces: OAuth2 code flow with ``POST /api/v3/token`` (form-encoded,
``authorization_code`` and ``refresh_token`` grants, client id/secret in the body); ``GET /api/v3/companies``
→ ``[{"Id", "Description", "Code"}]`` whose ``Id`` is the ``x-company`` header of every data call;
``GET /api/v3/accountviewdata?BusinessObject=AP1|GL1|VA1|DJ2`` with ``PageNumber``/``PageSize``,
``Fields`` and ``FilterControlSource1``/``FilterOperator1``/``FilterValueType1``/``FilterValue1``/
``FilterIsListOfValues1`` filters, answering ``{"CONTACT": [...]}`` / ``{"LEDGER": [...]}`` / ``{"VAT": [...]}``;
``POST /api/v3/accountviewdata`` with the self-describing ``Table``/``TableData`` shape (rows linked to
their header by ``HeaderId`` = header ``RowId``); errors ``{"ErrorType", "ErrorNumbers", "ErrorMessage"}``
with a non-2xx status; ``Content-Type: application/json`` required on POST.

Inferred choices ([I]):
- Authorize page at ``GET/POST /api/v3/authorize`` (the real URL is not in our sources). Access tokens
  live 3600 s; refresh tokens do not rotate and expire after 30 days unused (both configurable).
- Company ``Id`` values are deterministic guids; ``Code`` is ``ADM01`` .. ``ADM07``. All 7 companies are
  listed; the one without rights answers data calls with 403 ``"Geen toegang tot deze onderneming."``.
- CONTACT carries two fields not seen on it in our sources: ``EXP_ACCT`` (default cost account) and
  ``CRED_DAYS`` (payment term; seen on DJ_PAGE). ``ACCT_NR`` is the control account 1600.
- VAT codes: ``"2"`` hoog 21 %, ``"1"`` laag 9 %, ``"0"`` geen, ``"4"`` verlegd (``IS_REVERSE``), ``"5"``
  EU acquisition (``IS_REVERSE`` and ``VAT_TYPE: "E"``). LEDGER ``ACCT_TYPE`` is ``B`` (balance) or ``W``.
- Daybooks ``100`` kas, ``110`` bank, ``600`` inkoop, ``700`` verkoop; DJ2 posts to a purchase daybook only.
  Line ``AMOUNT`` is net and positive for a cost (debit); the creditor total is derived from ``SUB_NR``
  and equals the lines plus their ``VAT_AMT`` (reverse-charged VAT excluded).
- A POST answers 200 and echoes the rows with the assigned ``SUB_NR`` / ``PAGE_NR`` keyed by table name.
  Posting AP1 with an existing ``SUB_NR`` updates that creditor (upsert); without one, a number is given.
- Duplicate supplier invoice numbers (same ``SUB_NR`` + ``INV_NR``) answer 400 (switch ``reject_duplicates``).
- PDF: ``POST /api/v3/documents`` ``{"FileName", "ContentType", "Content": base64}`` → ``{"DocumentId"}``,
  linked by the DJ_PAGE field ``DOC_ID`` (a DJ_PAGE field in go-accountview.net; the real upload is unknown). A DJ2 post
  with DJ_PAGE rows only (no ``DetailDefinitions``), each naming a posted page by its ``RowId`` and carrying
  nothing but ``DOC_ID``, links a document to that page afterwards (an update, like AP1's upsert).
- Filters support the operators ``Equal`` and ``Contains`` (case-insensitive); ``PageSize`` defaults to 100,
  at most 1000. ``GET`` of ``DJ2`` answers ``DJ_PAGE`` rows with their ``DJ_LINE`` rows.
- Rate limit: ``rate_limit`` calls per ``rate_window`` seconds per client (300/60 s by default), 429 with
  ``Retry-After``.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import (
    JsonDict,
    OAuthSettings,
    OAuthSimulator,
    RateLimiter,
    Refusal,
    SimClock,
    cents,
    decode_base64,
    guid_factory,
    iso_datetime,
    json_response,
    parse_iso_date,
)

guid = guid_factory("2c9a7e55-1b3f-4c0d-9a77-5d2e8f1b3a03")
VAT_CODES = {"high": "2", "low": "1", "zero": "0", "reverse_charge": "4", "eu": "5"}
TABLES = {"AP1": "CONTACT", "GL1": "LEDGER", "VA1": "VAT", "DJ2": "DJ_PAGE"}
PURCHASE_DAYBOOKS = {"600"}
DAYBOOKS = {"100": "Kas", "110": "Bank", "600": "Inkoop", "700": "Verkoop"}


class AccountViewError(Refusal):
    """An AccountView error answer."""

    def response(self) -> Response:
        """``{"ErrorType", "ErrorNumbers", "ErrorMessage"}``."""
        return av_error(self.status, self.message, self.headers)


def av_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """AccountView's error body."""
    return json_response({"ErrorType": "AccountViewError", "ErrorNumbers": None, "ErrorMessage": message},
                         status, headers)


def _money(value: Any, field: str) -> Decimal:
    try:
        return cents(value)
    except ValueError:
        raise AccountViewError(400, f"Veld {field}: ongeldig bedrag.") from None


def _seed_company(company_id: str) -> JsonDict:
    contacts = [
        {
            "SUB_NR": s.code, "ACCT_NAME": s.name, "ACCT_NR": seed.PAYABLES_ACCOUNT, "ADDRESS1": s.street,
            "POST_CODE": s.postcode, "CITY": s.city, "CNT_CODE": s.country, "VAT_NR": s.vat_id, "COC_CODE": s.kvk,
            "IBAN_NR": s.iban, "IBAN_NR2": "", "BANK_ACCT": "", "MAIL_BUS": s.email, "TEL_BUS": "",
            "VAT_CODE": VAT_CODES[s.vat_kind], "REC_BLK": False, "EXP_ACCT": s.default_gl,
            "CRED_DAYS": s.payment_term_days,
        }
        for s in seed.SUPPLIERS
    ]
    ledger = [
        {"ACCT_NR": g.code, "ACCT_NAME": g.name, "ACCT_TYPE": "B" if g.balance else "W",
         "VAT_CODE": "" if g.balance else VAT_CODES["high"], "VAT_MAND": False, "REC_BLK": False,
         "COST_MAND": False}
        for g in seed.GL_ACCOUNTS
    ]
    vat = [
        {"VAT_CODE": VAT_CODES[v.kind], "VAT_NAME": v.name, "VAT_PCT": float(v.rate),
         "VAT_TYPE": "E" if v.kind == "eu" else "B", "VAT_ACCT": "1500",
         "IS_REVERSE": v.kind in ("reverse_charge", "eu")}
        for v in seed.VAT_RATES
    ]
    return {"CONTACT": contacts, "LEDGER": ledger, "VAT": vat, "DJ_PAGE": [], "DJ_LINE": [], "documents": {}}


class AccountViewSimulator(OAuthSimulator):
    """AccountView Net on loopback; page size, rate limit, duplicates and token lifetimes configurable."""

    package_id = "accountview"
    title = "AccountView"
    app_registration: ClassVar[dict[str, str]] = {
        "client_id": "boekstuk-accountview-demo",
        "client_secret": "accountview-demo-client-secret",
    }
    demo_login: ClassVar[dict[str, str]] = {"username": "demo@accountview.test", "password": "AccountView-Demo-2026!"}
    token_prefix = "av"

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        hang_seconds: float = 2.0,
        default_page_size: int = 100,
        rate_limit: int = 300,
        rate_window: float = 60.0,
        reject_duplicates: bool = True,
        access_ttl: int = 3600,
        rotate_refresh: bool = False,
    ) -> None:
        oauth = OAuthSettings(access_ttl=access_ttl, refresh_ttl=30 * 86400, rotate_refresh=rotate_refresh)
        super().__init__(oauth=oauth, clock=clock, hang_seconds=hang_seconds)
        self.default_page_size = default_page_size
        self.reject_duplicates = reject_duplicates
        self.limiter = RateLimiter(rate_limit, rate_window, self.clock)

    def initial_state(self) -> JsonDict:
        """Seven companies (one without rights), each with the seed."""
        companies = {}
        for a in seed.ADMINISTRATIONS:
            company_id = guid("company", a.index)
            companies[company_id] = {"name": a.name, "code": f"ADM{a.index:02d}", "accessible": a.accessible,
                                     **_seed_company(company_id)}
        return {"administrations": companies}

    def rules(self) -> list[Rule]:
        """OAuth, companies, the generic data endpoint and documents."""
        return [
            Rule("/api/v3/authorize", endpoint="authorize", methods=["GET", "POST"]),
            Rule("/api/v3/token", endpoint="token", methods=["POST"]),
            Rule("/api/v3/companies", endpoint="companies", methods=["GET"]),
            Rule("/api/v3/accountviewdata", endpoint="data", methods=["GET", "POST"]),
            Rule("/api/v3/documents", endpoint="documents", methods=["POST"]),
        ]

    def fault_body(self, status: int) -> Response:
        """Injected faults in AccountView's error shape."""
        return av_error(status, {429: "Too many requests.", 503: "Service unavailable."}.get(status, "Server error."))

    def not_found(self, request: Request) -> Response:
        """Unknown route."""
        return av_error(404, f"Onbekende resource {request.path}.")

    # -- guards --

    def _guard(self, request: Request) -> None:
        """A valid bearer token within the rate limit, or the refusal."""
        user = self.oauth.bearer_user(request)
        if user is None:
            raise AccountViewError(401, "Authorization has been denied for this request.")
        status = self.limiter.hit(user)
        if not status.allowed:
            raise AccountViewError(429, "Too many requests.", self.limiter.retry_after(status))

    def _company(self, request: Request) -> tuple[str, JsonDict]:
        company_id = request.headers.get("x-company", "")
        if not company_id:
            raise AccountViewError(400, "De header x-company ontbreekt.")
        company = self.administrations.get(company_id)
        if company is None:
            raise AccountViewError(404, f"Onderneming {company_id} bestaat niet.")
        if not company["accessible"]:
            raise AccountViewError(403, "Geen toegang tot deze onderneming.")
        return company_id, company

    def _json(self, request: Request) -> JsonDict:
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            raise AccountViewError(415, "Content-Type moet application/json zijn.")
        try:
            body = json.loads(request.get_data(as_text=True) or "null", parse_float=Decimal)
        except ValueError:
            raise AccountViewError(400, "Ongeldige JSON.") from None
        if not isinstance(body, dict):
            raise AccountViewError(400, "Een JSON-object wordt verwacht.")
        return body

    # -- routes --

    def companies(self, request: Request) -> Response:
        """Every company of the linked user."""
        self._guard(request)
        return json_response([{"Id": cid, "Description": c["name"], "Code": c["code"]}
                              for cid, c in self.administrations.items()])

    def documents(self, request: Request) -> Response:
        """Store a document [I]; DJ_PAGE.DOC_ID links it."""
        self._guard(request)
        _, company = self._company(request)
        body = self._json(request)
        content = decode_base64(body.get("Content"))
        if content is None:
            raise AccountViewError(400, "Content is geen geldige base64.")
        filename = str(body.get("FileName") or "").strip()
        if not filename or not content:
            raise AccountViewError(400, "FileName en Content zijn verplicht.")
        document_id = str(uuid.uuid4())
        company["documents"][document_id] = {"FileName": filename, "Size": len(content),
                                             "ContentType": body.get("ContentType")}
        return json_response({"DocumentId": document_id, "FileName": filename, "Size": len(content)})

    def data(self, request: Request) -> Response:
        """The generic business-object endpoint."""
        self._guard(request)
        company_id, company = self._company(request)
        if request.method == "GET":
            return self._read(request, company)
        return self._write(company_id, company, self._json(request))

    # -- reading --

    def _read(self, request: Request, company: JsonDict) -> Response:
        args = {k.lower(): v for k, v in request.args.items()}
        business_object = args.get("businessobject", "").upper()
        table = TABLES.get(business_object)
        if table is None:
            raise AccountViewError(400, f"Onbekend BusinessObject '{business_object}'.")
        rows: list[JsonDict] = company[table]
        for n in range(1, 6):
            source = args.get(f"filtercontrolsource{n}")
            if not source:
                continue
            operator = args.get(f"filteroperator{n}", "Equal").lower()
            value = args.get(f"filtervalue{n}", "")
            field = source.split(".")[-1].upper()
            if operator == "equal":
                rows = [r for r in rows if str(r.get(field, "")).lower() == value.lower()]
            elif operator == "contains":
                rows = [r for r in rows if value.lower() in str(r.get(field, "")).lower()]
            else:
                raise AccountViewError(400, f"FilterOperator{n} '{operator}' wordt niet ondersteund.")
        try:
            size = min(int(args.get("pagesize", self.default_page_size)), 1000)
            number = int(args.get("pagenumber", 1))
        except ValueError:
            raise AccountViewError(400, "PageSize en PageNumber moeten gehele getallen zijn.") from None
        if size < 1 or number < 1:
            raise AccountViewError(400, "PageSize en PageNumber moeten positief zijn.")
        page = rows[(number - 1) * size:number * size]
        fields = [f.split(".")[-1].upper() for f in args.get("fields", "").split(",") if f.strip()]
        if fields:
            page = [{k: v for k, v in r.items() if k in fields} for r in page]
        body: JsonDict = {table: page}
        if business_object == "DJ2":
            page_ids = {r.get("RowId") for r in page}
            body["DJ_LINE"] = [line for line in company["DJ_LINE"] if line["HeaderId"] in page_ids]
        return json_response(body)

    # -- writing --

    def _rows(self, definition: Any, data: Any, what: str) -> list[JsonDict]:
        if not isinstance(definition, dict) or not isinstance(definition.get("Fields"), list):
            raise AccountViewError(400, f"{what}: Definition.Fields ontbreekt.")
        names = [str(f.get("Name", "")).upper() if str(f.get("Name", "")) not in ("RowId", "HeaderId")
                 else str(f["Name"]) for f in definition["Fields"] if isinstance(f, dict)]
        rows = (data or {}).get("Rows") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise AccountViewError(400, f"{what}: Rows ontbreekt.")
        parsed = []
        for number, row in enumerate(rows, start=1):
            values = row.get("Values") if isinstance(row, dict) else None
            if not isinstance(values, list) or len(values) != len(names):
                raise AccountViewError(400, f"{what}: rij {number} heeft {len(values or [])} waarden, "
                                            f"verwacht {len(names)}.")
            parsed.append(dict(zip(names, values, strict=True)))
        return parsed

    def _write(self, company_id: str, company: JsonDict, body: JsonDict) -> Response:
        business_object = str(body.get("BusinessObject", "")).upper()
        table = body.get("Table") or {}
        table_data = body.get("TableData") or {}
        definition = table.get("Definition") if isinstance(table, dict) else None
        expected = TABLES.get(business_object)
        if expected is None or business_object in ("GL1", "VA1"):
            raise AccountViewError(400, f"BusinessObject '{business_object}' kan niet worden geschreven.")
        if not isinstance(definition, dict) or str(definition.get("Name", "")).upper() != expected:
            raise AccountViewError(400, f"Table.Definition.Name moet {expected} zijn.")
        rows = self._rows(definition, table_data.get("Data"), expected)
        if business_object == "AP1":
            return json_response({"CONTACT": [self._upsert_contact(company, row) for row in rows]})
        details = table.get("DetailDefinitions") or []
        detail_data = table_data.get("DetailData") or []
        if not details and not detail_data:
            return self._relink_pages(company_id, company, rows)
        if len(details) != 1 or str(details[0].get("Name", "")).upper() != "DJ_LINE" or len(detail_data) != 1:
            raise AccountViewError(400, "DJ2 verwacht precies één DetailDefinition DJ_LINE met DetailData.")
        lines = self._rows(details[0], detail_data[0], "DJ_LINE")
        return self._post_pages(company_id, company, rows, lines)

    _CONTACT_FIELDS = ("ACCT_NAME", "ACCT_NR", "ADDRESS1", "POST_CODE", "CITY", "CNT_CODE", "VAT_NR", "COC_CODE",
                       "IBAN_NR", "IBAN_NR2", "BANK_ACCT", "MAIL_BUS", "TEL_BUS", "VAT_CODE", "REC_BLK", "EXP_ACCT",
                       "CRED_DAYS")

    def _upsert_contact(self, company: JsonDict, row: JsonDict) -> JsonDict:
        sub_nr = str(row.get("SUB_NR") or "").strip()
        existing = next((c for c in company["CONTACT"] if c["SUB_NR"] == sub_nr), None) if sub_nr else None
        if existing is None and not str(row.get("ACCT_NAME") or "").strip():
            raise AccountViewError(400, "ACCT_NAME is verplicht.")
        for field, table, key in (("EXP_ACCT", "LEDGER", "ACCT_NR"), ("VAT_CODE", "VAT", "VAT_CODE")):
            value = row.get(field)
            if value and not any(r[key] == str(value) for r in company[table]):
                raise AccountViewError(400, f"{field} {value} bestaat niet.")
        if existing is None:
            if not sub_nr:
                numbers = [int(c["SUB_NR"]) for c in company["CONTACT"] if c["SUB_NR"].isdigit()]
                sub_nr = str(max(numbers, default=2000) + 1)
            existing = {"SUB_NR": sub_nr, **dict.fromkeys(self._CONTACT_FIELDS, ""), "REC_BLK": False,
                        "ACCT_NR": seed.PAYABLES_ACCOUNT, "CRED_DAYS": None}
            company["CONTACT"].append(existing)
        for field in self._CONTACT_FIELDS:
            if field in row:
                value = float(row[field]) if isinstance(row[field], Decimal) else row[field]
                existing[field] = int(value) if field == "CRED_DAYS" and value not in (None, "") else value
        return dict(existing)

    def _relink_pages(self, company_id: str, company: JsonDict, rows: list[JsonDict]) -> Response:
        """[I] DJ_PAGE rows without lines that name posted pages by ``RowId``: set their ``DOC_ID``."""
        updated = []
        for row in rows:
            page = next((p for p in company["DJ_PAGE"] if p["RowId"] == str(row.get("RowId") or "")), None)
            if page is None:
                raise AccountViewError(400, f"Dagboekblad {row.get('RowId')} bestaat niet; een nieuw blad heeft "
                                            f"DJ_LINE-regels nodig.")
            changed = sorted(set(row) - {"RowId", "DOC_ID"})
            if changed:
                raise AccountViewError(400, f"Van een geboekt dagboekblad kan alleen DOC_ID wijzigen, niet "
                                            f"{', '.join(changed)}.")
            document = company["documents"].get(str(row.get("DOC_ID") or ""))
            if document is None:
                raise AccountViewError(400, f"Document {row.get('DOC_ID')} bestaat niet.")
            page["DOC_ID"] = str(row["DOC_ID"])
            self.state.set_entry_attachment(company_id, page["RowId"], document["FileName"], document["Size"])
            updated.append(page)
        return json_response({"DJ_PAGE": updated, "DJ_LINE": []})

    def _post_pages(self, company_id: str, company: JsonDict, pages: list[JsonDict], lines: list[JsonDict]
                    ) -> Response:
        posted_pages = []
        posted_lines = []
        for page in pages:
            daybook = str(page.get("DJ_CODE") or "")
            if daybook not in DAYBOOKS:
                raise AccountViewError(400, f"Dagboek {daybook} bestaat niet.")
            if daybook not in PURCHASE_DAYBOOKS:
                raise AccountViewError(400, f"Dagboek {daybook} is geen inkoopdagboek.")
            contact = next((c for c in company["CONTACT"] if c["SUB_NR"] == str(page.get("SUB_NR") or "")), None)
            if contact is None:
                raise AccountViewError(400, f"Crediteur {page.get('SUB_NR')} bestaat niet.")
            inv_nr = str(page.get("INV_NR") or "")
            if self.reject_duplicates and inv_nr and any(
                    p["SUB_NR"] == contact["SUB_NR"] and p["INV_NR"] == inv_nr for p in company["DJ_PAGE"]):
                raise AccountViewError(400, f"Factuurnummer {inv_nr} is al geboekt voor crediteur "
                                            f"{contact['SUB_NR']}.")
            trn_date = parse_iso_date(page.get("TRN_DATE"))
            if trn_date is None:
                raise AccountViewError(400, "TRN_DATE is verplicht.")
            document = None
            if page.get("DOC_ID"):
                document = company["documents"].get(str(page["DOC_ID"]))
                if document is None:
                    raise AccountViewError(400, f"Document {page['DOC_ID']} bestaat niet.")
            own_lines = [line for line in lines if str(line.get("HeaderId")) == str(page.get("RowId"))]
            if not own_lines:
                raise AccountViewError(400, "Een dagboekblad heeft minstens één regel nodig.")
            total = Decimal("0")
            inspection_lines = []
            for line in own_lines:
                if not any(a["ACCT_NR"] == str(line.get("ACCT_NR")) for a in company["LEDGER"]):
                    raise AccountViewError(400, f"Grootboekrekening {line.get('ACCT_NR')} bestaat niet.")
                vat = next((v for v in company["VAT"] if v["VAT_CODE"] == str(line.get("VAT_CODE") or "")), None)
                if line.get("VAT_CODE") and vat is None:
                    raise AccountViewError(400, f"Btw-code {line.get('VAT_CODE')} bestaat niet.")
                amount = _money(line.get("AMOUNT"), "AMOUNT")
                vat_amount = _money(line.get("VAT_AMT") or 0, "VAT_AMT")
                total += amount + (Decimal("0") if vat and vat["IS_REVERSE"] else vat_amount)
                inspection_lines.append({"gl_account": str(line["ACCT_NR"]),
                                         "description": str(line.get("TRN_DESC") or ""),
                                         "amount_excl_vat": str(amount), "vat_code": str(line.get("VAT_CODE") or ""),
                                         "vat_amount": str(vat_amount)})
            page_nr = self.state.next_number(f"av:{company_id}:{daybook}:{trn_date.year}", start=1)
            row_id = f"{daybook}-{trn_date.year}-{page_nr}"
            stored_page = {**_floats([page])[0], "SUB_NR": contact["SUB_NR"], "INV_NR": inv_nr, "PAGE_NR": page_nr,
                           "RowId": row_id, "TRN_DATE": iso_datetime(trn_date),
                           "PAGE_TOTAL": float(total)}
            stored_lines = [{**line, "HeaderId": row_id} for line in _floats(own_lines)]
            company["DJ_PAGE"].append(stored_page)
            company["DJ_LINE"].extend(stored_lines)
            posted_pages.append(stored_page)
            posted_lines.extend(stored_lines)
            self.state.add_entry(
                company_id, entry_id=row_id, supplier_code=contact["SUB_NR"], invoice_number=inv_nr,
                invoice_date=trn_date.isoformat(), total_incl_vat=str(total), lines=inspection_lines,
                attachment={"filename": document["FileName"], "size": document["Size"]} if document else None,
            )
        return json_response({"DJ_PAGE": posted_pages, "DJ_LINE": posted_lines})


def _floats(rows: list[JsonDict]) -> list[JsonDict]:
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in rows]
