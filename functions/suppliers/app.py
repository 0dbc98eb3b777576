"""Synced suppliers (search), posting rules, GL accounts and VAT codes, sync on request."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import current_caller
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.domain.links import PostingRule
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.administrations import GLAccountList, SupplierList, SyncAccepted, VatCodeList

app = make_resolver()
BASE = "/v1/offices/<office>/administrations/<administration_id>"


@app.get(f"{BASE}/suppliers", summary="Suppliers synced from the package, with search", tags=["suppliers"],
         responses=responses(errors.NotFound))
def handle_list_suppliers(
    office: str,
    administration_id: str,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    next: Annotated[str | None, Query(max_length=200)] = None,  # noqa: A002 - the API's parameter name
) -> SupplierList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().supplier_service.search(caller.office_code, caller.username, administration_id, q, limit, next)


@app.post(f"{BASE}/supplier-sync", summary="Sync suppliers from the package now", tags=["suppliers"],
          responses={202: {"description": "Sync started"}, **responses(errors.NotFound, validates_input=False, success=None)})
def handle_request_sync(office: str, administration_id: str) -> Response[SyncAccepted]:
    caller = current_caller(app)
    caller.require_office(office)
    accepted = services().supplier_service.request_sync(caller.office_code, caller.username, administration_id)
    return Response(status_code=202, content_type="application/json", body=accepted)


@app.put(f"{BASE}/suppliers/<code>/rule", summary="Save a posting rule for a supplier", tags=["suppliers"],
         responses=responses(errors.NotFound, errors.NotAnApprover))
def handle_put_rule(office: str, administration_id: str, code: str, body: PostingRule) -> PostingRule:
    caller = current_caller(app)
    caller.require_office(office)
    return services().supplier_service.put_rule(caller.office_code, caller.username, administration_id, code, body)


@app.delete(f"{BASE}/suppliers/<code>/rule", summary="Remove a supplier's posting rule", tags=["suppliers"],
            responses={204: {"description": "Removed"},
                       **responses(errors.NotFound, errors.NotAnApprover, validates_input=False, success=None)})
def handle_delete_rule(office: str, administration_id: str, code: str) -> Response[str]:
    caller = current_caller(app)
    caller.require_office(office)
    services().supplier_service.delete_rule(caller.office_code, caller.username, administration_id, code)
    return Response(status_code=204, content_type="application/json", body="")


@app.get(f"{BASE}/gl-accounts", summary="GL accounts for pick lists", tags=["suppliers"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_gl_accounts(office: str, administration_id: str) -> GLAccountList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().supplier_service.gl_accounts(caller.office_code, caller.username, administration_id)


@app.get(f"{BASE}/vat-codes", summary="VAT codes for pick lists", tags=["suppliers"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_vat_codes(office: str, administration_id: str) -> VatCodeList:
    caller = current_caller(app)
    caller.require_office(office)
    return services().supplier_service.vat_codes(caller.office_code, caller.username, administration_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
