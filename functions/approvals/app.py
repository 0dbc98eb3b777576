"""Approve, reject (completes the workflow's task token server-side), retry booking, approval policies."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from boekstuk.api.identity import current_caller
from boekstuk.api.openapi import responses
from boekstuk.api.resolver import make_resolver
from boekstuk.bootstrap import services
from boekstuk.domain import errors
from boekstuk.domain.approvals import ApprovalPolicy
from boekstuk.observability import logger, metrics, tracer
from boekstuk.services.approval_policies import ApprovalPolicyView
from boekstuk.services.approvals import ApproveRequest, DecisionResult, RejectRequest
from boekstuk.services.bookings import RetryResult

app = make_resolver()


@app.post("/v1/offices/<office>/documents/<document_id>/approve", summary="Approve a document", tags=["approvals"],
          responses=responses(errors.NotFound, errors.NotAnApprover, errors.AlreadyDecided, errors.InvalidStatus,
                              errors.DocumentLocked))
def handle_approve(office: str, document_id: str, body: ApproveRequest) -> DecisionResult:
    caller = current_caller(app)
    caller.require_office(office)
    return services().approvals.approve(caller.office_code, caller.username, document_id, body)


@app.post("/v1/offices/<office>/documents/<document_id>/reject", summary="Reject a document", tags=["approvals"],
          responses=responses(errors.NotFound, errors.NotAnApprover, errors.AlreadyDecided, errors.InvalidStatus,
                              errors.DocumentLocked))
def handle_reject(office: str, document_id: str, body: RejectRequest) -> DecisionResult:
    caller = current_caller(app)
    caller.require_office(office)
    return services().approvals.reject(caller.office_code, caller.username, document_id, body)


@app.post("/v1/offices/<office>/documents/<document_id>/retry-booking", summary="Re-queue a failed booking",
          tags=["approvals"],
          responses={202: {"description": "Booking re-queued"},
                     **responses(errors.NotFound, errors.NotAnApprover, errors.InvalidStatus, errors.DocumentLocked,
                                 validates_input=False, success=None)})
def handle_retry_booking(office: str, document_id: str) -> Response[RetryResult]:
    caller = current_caller(app)
    caller.require_office(office)
    result = services().bookings.retry_booking(caller.office_code, caller.username, document_id)
    return Response(status_code=202, content_type="application/json", body=result)


@app.put("/v1/offices/<office>/administrations/<administration_id>/approval-policy",
         summary="Set the administration's approval policy (office admins)", tags=["approvals"],
         responses=responses(errors.NotFound, errors.NotAnAdmin))
def handle_put_policy(office: str, administration_id: str, body: ApprovalPolicy) -> ApprovalPolicyView:
    caller = current_caller(app)
    caller.require_office(office)
    return services().approval_policies.put_policy(caller.office_code, caller.username, administration_id, body)


@app.get("/v1/offices/<office>/administrations/<administration_id>/approval-policy",
         summary="The administration's approval policy (or the default)", tags=["approvals"],
         responses=responses(errors.NotFound, validates_input=False))
def handle_get_policy(office: str, administration_id: str) -> ApprovalPolicyView:
    caller = current_caller(app)
    caller.require_office(office)
    return services().approval_policies.get_policy(caller.office_code, caller.username, administration_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
