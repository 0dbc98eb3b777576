"""Documents: upload slots (presigned PUT), list, detail, content, proposal edits."""

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
from boekstuk.domain.documents import DocumentStatus, Proposal
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.documents import CreateDocumentRequest, DocumentPage, DocumentView, UploadSlot
from boekstuk.services.proposals import ProposalEdit

app = make_resolver()


@app.post(
    "/v1/offices/<office>/administrations/<administration_id>/documents",
    summary="Request an upload slot (presigned PUT) for a document",
    tags=["documents"],
    responses={201: {"description": "Upload slot: PUT the bytes to upload.url with upload.headers"},
               **responses(errors.UnsupportedContentType, errors.NotFound, success=None)},
)
def handle_create_document(office: str, administration_id: str, body: CreateDocumentRequest) -> Response[UploadSlot]:
    caller = current_caller(app)
    caller.require_office(office)
    slot = services().document_service.create_upload(caller.office_code, caller.username, administration_id, body)
    return Response(status_code=201, content_type="application/json", body=slot)


@app.get("/v1/offices/<office>/documents", summary="The office's documents, newest first", tags=["documents"],
         responses=responses(errors.NotFound))
def handle_list_documents(
    office: str,
    administration_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[DocumentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    next: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: A002 - the API's parameter name
) -> DocumentPage:
    caller = current_caller(app)
    caller.require_office(office)
    return services().document_service.list(caller.office_code, caller.username, administration_id, status, limit, next)


@app.get("/v1/offices/<office>/documents/<document_id>", summary="One document: recognition, proposal, history",
         tags=["documents"], responses=responses(errors.NotFound, validates_input=False))
def handle_get_document(office: str, document_id: str) -> DocumentView:
    caller = current_caller(app)
    caller.require_office(office)
    return services().document_service.get(caller.office_code, caller.username, document_id)


@app.get("/v1/offices/<office>/documents/<document_id>/content", summary="Redirect to the original file",
         tags=["documents"], responses={302: {"description": "Short-lived presigned URL"},
                                        **responses(errors.NotFound, validates_input=False, success=None)})
def handle_get_content(office: str, document_id: str) -> Response[str]:
    caller = current_caller(app)
    caller.require_office(office)
    url = services().document_service.content_url(caller.office_code, caller.username, document_id)
    return Response(status_code=302, content_type="text/plain", body="", headers={"Location": url})


@app.put("/v1/offices/<office>/documents/<document_id>/proposal", summary="Edit the proposal while awaiting approval",
         tags=["documents"], responses=responses(errors.NotFound, errors.InvalidStatus, errors.DocumentLocked))
def handle_edit_proposal(office: str, document_id: str, body: ProposalEdit) -> Proposal:
    caller = current_caller(app)
    caller.require_office(office)
    return services().document_service.edit_proposal(caller.office_code, caller.username, document_id, body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
