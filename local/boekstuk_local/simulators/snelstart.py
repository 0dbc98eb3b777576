"""SnelStart B2B API v2 simulator (REST, JSON).

API: https://b2bapi-developer.snelstart.nl/ (authentication, error codes); models as in SnelStart's own client,
https://github.com/SnelStartSoftware/B2B.client.v2.net.

Verified behaviour it reproduces: ``POST /b2b/token`` with ``grant_type=clientkey`` (no refresh token,
``expires_in`` 3599); ``Ocp-Apim-Subscription-Key`` on every ``/v2`` call (401 without or with a wrong one,
in Azure API Management's words); ``/v2/companyInfo``; ``/v2/echo/{text}``; ``/v2/relaties`` with OData
``$filter``/``$top``/``$skip`` answering bare arrays; ``/v2/grootboeken`` (guid refs, ``nummer`` an int);
``/v2/btwtarieven``; ``/v2/dagboeken``; ``POST /v2/inkoopboekingen`` with gross ``factuurbedrag``, net
``boekingsregels`` and ``btw[]`` totals; ``POST /v2/documenten/Inkoopboekingen`` (base64); error arrays
``[{"errorCode": "ALG-0104", "message": "..."}]``; 429 with ``Retry-After``.

Inferred choices ([I]):
- **Administrations.** A real koppelsleutel opens one administration. The demo key here is modelled as an
  *accountant's* key: ``GET /v2/administraties`` lists the administrations it knows
  (``[{"administratieIdentifier", "administratieNaam", "toegang"}]``) and a call picks one with the
  header ``X-Administratie-Identifier``; without that header the key's first administration is used,
  so a single-administration key behaves exactly like the real API (``accountant_keys=False`` makes
  every key such a plain key: no list, no selection header). An administration without
  ``toegang`` answers 403 ``{"Message": "..."}``; an unknown identifier 404.
- The token endpoint does not ask for the subscription key (it lives on the auth host). A wrong client
  key answers 400 ``{"error": "invalid_grant"}``.
- Relaties carry two fields not seen in our sources: ``standaardInkoopGrootboek`` (``{"id": guid}``, the
  default cost account) and ``standaardBtwSoort`` (``Hoog|Laag|Geen|Verlegd|EU``).
- ``$top`` is capped at ``max_page_size`` (500); no ``$top`` means one page of that size.
  ``$filter`` supports ``eq`` and ``contains(Field,'x')`` joined with ``and``, navigation paths such as
  ``Leverancier/Id``, and ``Relatiesoort/any(soort:soort eq 'Leverancier')``. Field names compare
  case-insensitively.
- Line ``btwSoort`` is ``Geen|Laag|Hoog|Overig``; header ``btw[].btwSoort`` is ``InkopenLaag|InkopenHoog|
  InkopenOverig|InkopenVerlegd|InkopenBinnenEU`` (the last one ours, for EU acquisitions).
- Balance rule: ``factuurbedrag`` = sum of ``bedrag`` + sum of ``btwBedrag`` except the reverse-charged
  types (``InkopenVerlegd``, ``InkopenBinnenEU``); otherwise 400 ``BOE-0001``. A repeated
  ``factuurnummer`` for the same leverancier answers 400 ``BOE-0002`` (switch ``reject_duplicates``).
- A created inkoopboeking answers 201; ``boekstuk`` is numbered by the simulator when null.
- ``GET /v2/inkoopboekingen`` accepts the same OData as relaties (exactly-once checks use it).
- Rate limit: ``rate_limit`` calls per ``rate_window`` seconds per subscription key (600/60 s by default).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from boekstuk_local.simulators import seed
from boekstuk_local.simulators.base import (
    JsonDict,
    RateLimiter,
    Refusal,
    SimClock,
    Simulator,
    cents,
    decode_base64,
    guid_factory,
    iso_datetime,
    json_response,
    parse_iso_date,
)
from boekstuk_local.simulators.odata import ODATA_V4_IGNORE_CASE, ODataError, skip_top

guid = guid_factory("0b7d2c4e-5a61-4f39-8e0a-3c1d2b4a5e02")
ADMIN_HEADER = "X-Administratie-Identifier"
LINE_VAT = {"high": "Hoog", "low": "Laag", "zero": "Geen", "reverse_charge": "Geen", "eu": "Geen"}
DEFAULT_VAT = {"high": "Hoog", "low": "Laag", "zero": "Geen", "reverse_charge": "Verlegd", "eu": "EU"}
LINE_SOORTEN = {"Geen", "Laag", "Hoog", "Overig"}
HEADER_SOORTEN = {"InkopenLaag", "InkopenHoog", "InkopenOverig", "InkopenVerlegd", "InkopenBinnenEU"}
REVERSE_SOORTEN = {"InkopenVerlegd", "InkopenBinnenEU"}


class SnelStartError(Refusal):
    """A SnelStart error answer: ``{RESOURCE}-{nnnn}`` code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, message)
        self.code = code

    def response(self) -> Response:
        """The error array."""
        return error_array(self.status, self.code, self.message)


def error_array(status: int, code: str, message: str) -> Response:
    """SnelStart's ``[{"errorCode", "message"}]`` body."""
    return json_response([{"errorCode": code, "message": message}], status)


def _money(value: Any, field: str) -> Decimal:
    try:
        return cents(value)
    except ValueError:
        raise SnelStartError(400, "ALG-0106", f"{field}: geen geldig bedrag.") from None


# --- seed ------------------------------------------------------------------------------------------------


def _seed_administration(admin_id: str) -> JsonDict:
    grootboeken = [
        {
            "id": guid(admin_id, "gb", g.code),
            "nummer": int(g.code),
            "omschrijving": g.name,
            "grootboekfunctie": "Crediteuren" if g.code == seed.PAYABLES_ACCOUNT else "Overig",
            "rekeningCode": "Balans" if g.balance else "VerliesEnWinst",
            "btwSoort": [] if g.balance else ["Hoog"],
            "nonactief": False,
            "kostenplaatsVerplicht": False,
            "rgsCode": [],
            "uri": f"/grootboeken/{guid(admin_id, 'gb', g.code)}",
        }
        for g in seed.GL_ACCOUNTS
    ]
    gl_ids = {g["nummer"]: g["id"] for g in grootboeken}
    relaties = []
    for s in seed.SUPPLIERS:
        relatie_id = guid(admin_id, "rel", s.code)
        relaties.append(
            {
                "id": relatie_id,
                "relatiecode": int(s.code),
                "naam": s.name,
                "relatiesoort": ["Leverancier"],
                "vestigingsAdres": {"contactpersoon": None, "straat": s.street, "postcode": s.postcode,
                                    "plaats": s.city, "land": {"id": guid("land", s.country),
                                                               "uri": f"/landen/{guid('land', s.country)}"}},
                "correspondentieAdres": None,
                "telefoon": None,
                "email": s.email,
                "btwNummer": s.vat_id,
                "kvkNummer": s.kvk,
                "iban": s.iban,
                "bic": s.bic,
                "kredietTermijn": s.payment_term_days,
                "nonactief": False,
                "standaardInkoopGrootboek": {"id": gl_ids[int(s.default_gl)]},
                "standaardBtwSoort": DEFAULT_VAT[s.vat_kind],
                "modifiedOn": "2024-01-02T09:00:00",
                "uri": f"/relaties/{relatie_id}",
            }
        )
    dagboeken = [
        {"id": guid(admin_id, "dagboek", nummer), "omschrijving": naam, "soort": soort, "nummer": nummer,
         "nonactief": False}
        for nummer, naam, soort in ((10, "Kas", "Kas"), (20, "Bank", "Bank"), (60, "Inkoop", "Inkoop"),
                                    (70, "Verkoop", "Verkoop"), (90, "Memoriaal", "Memoriaal"))
    ]
    return {"relaties": relaties, "grootboeken": grootboeken, "dagboeken": dagboeken, "inkoopboekingen": [],
            "documenten": []}


class SnelStartSimulator(Simulator):
    """SnelStart on loopback; ``rate_limit``/``rate_window``, ``max_page_size`` and duplicates configurable."""

    package_id = "snelstart"
    title = "SnelStart"
    app_registration: ClassVar[dict[str, str]] = {"subscription_key": "snelstart-demo-subscription-key-0001"}
    demo_login: ClassVar[dict[str, str]] = {"client_key": "snelstart-demo-koppelsleutel-0001"}

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        hang_seconds: float = 2.0,
        rate_limit: int = 600,
        rate_window: float = 60.0,
        max_page_size: int = 500,
        reject_duplicates: bool = True,
        token_ttl: int = 3599,
        accountant_keys: bool = True,
    ) -> None:
        super().__init__(clock=clock, hang_seconds=hang_seconds)
        self.limiter = RateLimiter(rate_limit, rate_window, self.clock)
        self.max_page_size = max_page_size
        self.reject_duplicates = reject_duplicates
        self.token_ttl = token_ttl
        # False: keys behave like real single-administration keys (no /v2/administraties, no selection)
        self.accountant_keys = accountant_keys
        with self.state.lock:
            self.state.data.setdefault("tokens", {})

    def initial_state(self) -> JsonDict:
        """Seven administrations behind the demo key (one without access), each with the seed."""
        administrations = {}
        for a in seed.ADMINISTRATIONS:
            admin_id = guid("administratie", a.index)
            administrations[admin_id] = {"name": a.name, "accessible": a.accessible, "index": a.index,
                                         **_seed_administration(admin_id)}
        return {"administrations": administrations,
                "keys": {self.demo_login["client_key"]: list(administrations)}}

    def rules(self) -> list[Rule]:
        """Token endpoint and the ``/v2`` API."""
        return [
            Rule("/b2b/token", endpoint="token", methods=["POST"]),
            Rule("/v2/<path:resource>", endpoint="api", methods=["GET", "POST", "PUT"]),
        ]

    def fault_body(self, status: int) -> Response:
        """Injected faults in APIM / SnelStart style."""
        if status == 429:
            return json_response({"statusCode": 429, "message": "Rate limit is exceeded. Try again later."}, 429)
        return json_response({"Message": "An error has occurred."}, status)

    def not_found(self, request: Request) -> Response:
        """Unknown route."""
        return json_response({"Message": f"No HTTP resource was found that matches the request URI "
                                         f"'{request.url}'."}, 404)

    # -- token --

    def token(self, request: Request) -> Response:
        """``grant_type=clientkey&clientkey=...`` -> a bearer token for that key; no refresh token."""
        if request.form.get("grant_type") != "clientkey":
            return json_response({"error": "unsupported_grant_type"}, 400)
        key = request.form.get("clientkey", "")
        if key not in self.state.data["keys"]:
            return json_response({"error": "invalid_grant", "error_description": "De koppelsleutel is ongeldig."},
                                 400)
        access = f"snelstart-at-{uuid.uuid4().hex}"
        self.state.data["tokens"][access] = {"key": key, "expires_at": self.clock.now() + self.token_ttl}
        return json_response({"access_token": access, "token_type": "bearer", "expires_in": self.token_ttl})

    # -- API --

    def api(self, request: Request, resource: str) -> Response:
        """Subscription key, rate limit, bearer token, administration, then the resource."""
        subscription = request.headers.get("Ocp-Apim-Subscription-Key")
        if not subscription:
            return json_response({"statusCode": 401, "message": "Access denied due to missing subscription key. "
                                  "Make sure to include subscription key when making requests to an API."}, 401)
        if subscription != self.app_registration["subscription_key"]:
            return json_response({"statusCode": 401, "message": "Access denied due to invalid subscription key. "
                                  "Make sure to provide a valid key for an active subscription."}, 401)
        status = self.limiter.hit(subscription)
        if not status.allowed:
            wait = self.limiter.retry_after(status)
            return json_response({"statusCode": 429, "message": f"Rate limit is exceeded. Try again in "
                                  f"{wait['Retry-After']} seconds."}, 429, wait)
        header = request.headers.get("Authorization", "")
        token = self.state.data["tokens"].get(header[7:].strip()) if header.lower().startswith("bearer ") else None
        if token is None or token["expires_at"] <= self.clock.now():
            return json_response({"Message": "Authorization has been denied for this request."}, 401)
        key_admins: list[str] = self.state.data["keys"][token["key"]]
        if not self.accountant_keys:
            if resource == "administraties":
                return self.not_found(request)
            key_admins = key_admins[:1]
        if resource == "administraties" and request.method == "GET":
            return json_response([
                {"administratieIdentifier": a, "administratieNaam": self.state.data["administrations"][a]["name"],
                 "toegang": self.state.data["administrations"][a]["accessible"]}
                for a in key_admins
            ])
        # A plain key ignores the selection header, as the real API ignores headers it does not know.
        selected = request.headers.get(ADMIN_HEADER) if self.accountant_keys else None
        admin_id = selected or key_admins[0]
        if admin_id not in key_admins:
            return json_response({"Message": f"Administratie {admin_id} is niet gevonden."}, 404)
        admin = self.state.data["administrations"][admin_id]
        if not admin["accessible"]:
            return json_response({"Message": "U heeft geen toegang tot deze administratie."}, 403)
        return self._resource(request, admin_id, admin, resource)

    def _body(self, request: Request) -> Any:
        data = request.get_data(as_text=True)
        if not data:
            raise SnelStartError(400, "ALG-0106", "Het verzoek is leeg.")
        try:
            return json.loads(data, parse_float=Decimal)
        except ValueError:
            raise SnelStartError(400, "ALG-0106", "Het verzoek bevat geen geldige JSON.") from None

    def _resource(self, request: Request, admin_id: str, admin: JsonDict, resource: str) -> Response:
        method = request.method
        parts = resource.strip("/").split("/")
        head = parts[0].lower()
        if head == "companyinfo" and method == "GET":
            return json_response({"administratieIdentifier": admin_id, "administratieNaam": admin["name"],
                                  "bedrijfsnaam": admin["name"], "btwNummer": None, "kvKNummer": None,
                                  "iban": None, "huidigBoekjaar": 2024})
        if head == "echo" and method == "GET" and len(parts) == 2:
            return json_response(parts[1])
        if head == "relaties":
            if len(parts) == 1:
                if method == "GET":
                    return self._list(request, admin["relaties"])
                if method == "POST":
                    return self._save_relatie(admin, None, self._body(request))
            elif len(parts) == 2:
                relatie = self._by_id(admin["relaties"], parts[1])
                if method == "GET":
                    return json_response(relatie)
                if method == "PUT":
                    return self._save_relatie(admin, relatie, self._body(request))
        if head == "grootboeken" and method == "GET" and len(parts) == 1:
            return self._list(request, admin["grootboeken"])
        if head == "dagboeken" and method == "GET" and len(parts) == 1:
            return self._list(request, admin["dagboeken"])
        if head == "btwtarieven" and method == "GET" and len(parts) == 1:
            return json_response([
                {"btwSoort": "Hoog", "btwPercentage": 21.0, "datumVanaf": "2019-01-01T00:00:00",
                 "datumTotEnMet": None},
                {"btwSoort": "Laag", "btwPercentage": 9.0, "datumVanaf": "2019-01-01T00:00:00",
                 "datumTotEnMet": None},
                {"btwSoort": "Laag", "btwPercentage": 6.0, "datumVanaf": "2001-01-01T00:00:00",
                 "datumTotEnMet": "2018-12-31T00:00:00"},
                {"btwSoort": "Geen", "btwPercentage": 0.0, "datumVanaf": "2001-01-01T00:00:00",
                 "datumTotEnMet": None},
            ])
        if head == "inkoopboekingen":
            if len(parts) == 1 and method == "POST":
                return self._post_inkoopboeking(admin_id, admin, self._body(request))
            if len(parts) == 1 and method == "GET":
                return self._list(request, [self._public(b) for b in admin["inkoopboekingen"]])
            if len(parts) == 2 and method == "GET":
                return json_response(self._public(self._by_id(admin["inkoopboekingen"], parts[1])))
        if head == "documenten" and len(parts) >= 2 and parts[1].lower() == "inkoopboekingen":
            if len(parts) == 2 and method == "POST":
                return self._post_document(admin_id, admin, self._body(request))
            if len(parts) == 3 and method == "GET":
                return json_response([{k: v for k, v in d.items() if k != "content"}
                                      for d in admin["documenten"] if d["parentIdentifier"] == parts[2].lower()])
        return self.not_found(request)

    def _by_id(self, records: list[JsonDict], record_id: str) -> JsonDict:
        try:
            wanted = str(uuid.UUID(record_id))
        except ValueError:
            raise SnelStartError(400, "ALG-0103", f"Het id '{record_id}' is ongeldig.") from None
        for record in records:
            if record["id"] == wanted:
                return record
        raise SnelStartError(404, "ALG-0404", f"Het object met id '{record_id}' is niet gevonden.")

    def _list(self, request: Request, records: list[JsonDict]) -> Response:
        args = request.args
        try:
            records = ODATA_V4_IGNORE_CASE.select(records, args.get("$filter"))
        except ODataError:
            raise SnelStartError(400, "ALG-0104", f"De OData-filter is ongeldig: '{args['$filter']}'.") from None
        try:
            return json_response(skip_top(records, args, max_top=self.max_page_size))
        except ODataError:
            raise SnelStartError(400, "ALG-0104", "$top en $skip moeten gehele getallen zijn.") from None

    _RELATIE_FIELDS = ("naam", "relatiesoort", "vestigingsAdres", "correspondentieAdres", "telefoon", "email",
                       "btwNummer", "kvkNummer", "iban", "bic", "kredietTermijn", "nonactief",
                       "standaardInkoopGrootboek", "standaardBtwSoort", "relatiecode")

    def _save_relatie(self, admin: JsonDict, existing: JsonDict | None, body: Any) -> Response:
        if not isinstance(body, dict):
            raise SnelStartError(400, "ALG-0106", "Het verzoek is leeg.")
        if existing is None and body.get("id"):
            raise SnelStartError(400, "ALG-0100", "Het ID dient leeg te zijn.")
        if existing is not None and body.get("id") and str(body["id"]).lower() != existing["id"]:
            raise SnelStartError(400, "ALG-0101", "Het ID in de url komt niet overeen met het ID in de body.")
        if not str(body.get("naam") or "").strip():
            raise SnelStartError(400, "REL-0001", "Naam is verplicht.")
        soorten = body.get("relatiesoort") or []
        if not isinstance(soorten, list) or not soorten:
            raise SnelStartError(400, "REL-0002", "Relatiesoort is verplicht.")
        gb = body.get("standaardInkoopGrootboek")
        if gb and not any(g["id"] == str(gb.get("id", "")).lower() for g in admin["grootboeken"]):
            raise SnelStartError(400, "REL-0003", "Het standaard inkoopgrootboek bestaat niet.")
        code = body.get("relatiecode")
        if code is None:
            code = existing["relatiecode"] if existing else max((r["relatiecode"] for r in admin["relaties"]),
                                                                 default=1000) + 1
        if any(r["relatiecode"] == code and r is not existing for r in admin["relaties"]):
            raise SnelStartError(400, "REL-0004", f"Relatiecode {code} is al in gebruik.")
        record: JsonDict = existing if existing is not None else {"id": str(uuid.uuid4())}
        for name in self._RELATIE_FIELDS:
            record[name] = body.get(name)
        record["relatiecode"] = int(code)
        record["nonactief"] = bool(body.get("nonactief", False))
        record["modifiedOn"] = iso_datetime(dt.datetime.fromtimestamp(self.clock.now(), dt.UTC))
        record["uri"] = f"/relaties/{record['id']}"
        if existing is None:
            admin["relaties"].append(record)
            return json_response(record, 201)
        return json_response(record)

    def _public(self, boeking: JsonDict) -> JsonDict:
        return {k: v for k, v in boeking.items() if not k.startswith("_")}

    def _post_inkoopboeking(self, admin_id: str, admin: JsonDict, body: Any) -> Response:
        if not isinstance(body, dict):
            raise SnelStartError(400, "ALG-0106", "Het verzoek is leeg.")
        if body.get("id"):
            raise SnelStartError(400, "ALG-0100", "Het ID dient leeg te zijn.")
        leverancier = body.get("leverancier") or {}
        relatie = next((r for r in admin["relaties"] if r["id"] == str(leverancier.get("id", "")).lower()), None)
        if relatie is None or "Leverancier" not in relatie["relatiesoort"]:
            raise SnelStartError(400, "BOE-0003", "De leverancier bestaat niet.")
        if relatie["nonactief"]:
            raise SnelStartError(400, "ALG-0105", "De leverancier is non-actief.")
        factuurdatum = parse_iso_date(body.get("factuurdatum"))
        if factuurdatum is None:
            raise SnelStartError(400, "BOE-0004", "Factuurdatum is verplicht.")
        factuurnummer = str(body.get("factuurnummer") or "")
        regels = body.get("boekingsregels")
        if not isinstance(regels, list) or not regels:
            raise SnelStartError(400, "BOE-0005", "Een boeking heeft minstens één boekingsregel.")
        lines: list[JsonDict] = []
        netto = Decimal("0")
        for number, regel in enumerate(regels, start=1):
            if not isinstance(regel, dict):
                raise SnelStartError(400, "BOE-0005", f"Boekingsregel {number} is ongeldig.")
            grootboek = next((g for g in admin["grootboeken"]
                              if g["id"] == str((regel.get("grootboek") or {}).get("id", "")).lower()), None)
            if grootboek is None:
                raise SnelStartError(400, "BOE-0006", f"Boekingsregel {number}: het grootboek bestaat niet.")
            if regel.get("btwSoort") not in LINE_SOORTEN:
                raise SnelStartError(400, "BOE-0007", f"Boekingsregel {number}: ongeldige btwSoort.")
            bedrag = _money(regel.get("bedrag"), f"boekingsregels[{number}].bedrag")
            netto += bedrag
            lines.append({"gl_account": str(grootboek["nummer"]), "description": regel.get("omschrijving") or "",
                          "amount_excl_vat": str(bedrag), "vat_code": regel["btwSoort"], "vat_amount": "0.00"})
        btw_payable = Decimal("0")
        btw_regels = body.get("btw") or []
        for item in btw_regels:
            if not isinstance(item, dict) or item.get("btwSoort") not in HEADER_SOORTEN:
                raise SnelStartError(400, "BOE-0008", "Ongeldige btwSoort in btw.")
            amount = _money(item.get("btwBedrag"), "btw.btwBedrag")
            if item["btwSoort"] not in REVERSE_SOORTEN:
                btw_payable += amount
        factuurbedrag = _money(body.get("factuurbedrag"), "factuurbedrag")
        if factuurbedrag != netto + btw_payable:
            raise SnelStartError(400, "BOE-0001", f"De boeking is niet in balans: factuurbedrag {factuurbedrag} "
                                                  f"is niet gelijk aan {netto + btw_payable}.")
        if self.reject_duplicates and factuurnummer:
            for other in admin["inkoopboekingen"]:
                if other["leverancier"]["id"] == relatie["id"] and other["factuurnummer"] == factuurnummer:
                    raise SnelStartError(400, "BOE-0002", f"Factuurnummer {factuurnummer} is al geboekt voor "
                                                          f"deze leverancier (boekstuk {other['boekstuk']}).")
        # SnelStart keeps VAT per type on the header; the inspection record shows it on the first line.
        if lines and btw_regels:
            total_vat = sum((_money(i.get("btwBedrag"), "btw") for i in btw_regels), Decimal("0"))
            lines[0]["vat_amount"] = str(total_vat)
        boeking_id = str(uuid.uuid4())
        boekstuk = body.get("boekstuk") or str(self.state.next_number(f"snelstart:{admin_id}:boekstuk",
                                                                       start=24000001))
        verval = parse_iso_date(body.get("vervalDatum"))
        record = {
            "id": boeking_id,
            "boekstuk": boekstuk,
            "factuurnummer": factuurnummer,
            "factuurdatum": iso_datetime(factuurdatum),
            "vervalDatum": iso_datetime(verval) if verval else None,
            "leverancier": {"id": relatie["id"], "uri": relatie["uri"]},
            "omschrijving": body.get("omschrijving"),
            "factuurbedrag": float(factuurbedrag),
            "boekingsregels": [
                {"omschrijving": r.get("omschrijving"), "grootboek": r.get("grootboek"),
                 "kostenplaats": r.get("kostenplaats"), "bedrag": float(_money(r.get("bedrag"), "bedrag")),
                 "btwSoort": r.get("btwSoort")}
                for r in regels
            ],
            "btw": [{"btwSoort": i["btwSoort"], "btwBedrag": float(_money(i.get("btwBedrag"), "btw"))}
                    for i in btw_regels],
            "uri": f"/inkoopboekingen/{boeking_id}",
        }
        admin["inkoopboekingen"].append(record)
        self.state.add_entry(admin_id, entry_id=boeking_id, supplier_code=str(relatie["relatiecode"]),
                             invoice_number=factuurnummer, invoice_date=factuurdatum.isoformat(),
                             total_incl_vat=str(factuurbedrag), lines=lines, attachment=None)
        return json_response(record, 201)

    def _post_document(self, admin_id: str, admin: JsonDict, body: Any) -> Response:
        if not isinstance(body, dict):
            raise SnelStartError(400, "ALG-0106", "Het verzoek is leeg.")
        parent = str(body.get("parentIdentifier") or "").lower()
        if not any(b["id"] == parent for b in admin["inkoopboekingen"]):
            raise SnelStartError(400, "BLG-0001", "De inkoopboeking waar de bijlage bij hoort bestaat niet.")
        content = decode_base64(body.get("content"))
        if content is None:
            raise SnelStartError(400, "BLG-0002", "De inhoud van de bijlage is geen geldige base64.")
        filename = str(body.get("fileName") or "").strip()
        if not filename or not content:
            raise SnelStartError(400, "BLG-0003", "Bestandsnaam en inhoud zijn verplicht.")
        record = {"id": str(uuid.uuid4()), "parentIdentifier": parent, "fileName": filename,
                  "readOnly": bool(body.get("readOnly", False)), "size": len(content),
                  "uri": f"/documenten/Inkoopboekingen/{parent}"}
        admin["documenten"].append(record)
        self.state.set_entry_attachment(admin_id, parent, filename, len(content))
        return json_response(record, 201)
