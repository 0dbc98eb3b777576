"""Each dependency failed in turn, at the worst moment: nothing lost, nothing booked twice.

The package losing its answer after it booked, the same S3 event twice at the same moment, and handlers that crash
after their write and before their answer (the intake, an approval, the booking task). What the package ledger
holds is read from the simulator, what the document says from the API.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from boekstuk.adapters.stepfunctions import StepFunctionsWorkflow
from boekstuk.services.bookings import Bookings
from boekstuk_local.testing import LocalAws
from tests.integration import test_workflow
from tests.integration.conftest import assert_problem
from tests.integration.test_workflow import (
    Office,
    awaiting,
    decide,
    entries,
    execution_status,
    parked,
    upload,
    wait_for,
)

# The workflow tests' module fixtures: a harness with 1 s booking retries and a SnelStart office.
aws = test_workflow.aws
office = test_workflow.office


class Crash(RuntimeError):
    """What a handler dies of in these tests (never a domain error the state machine would retry)."""


@pytest.fixture
def crash_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``crash_once(cls, name)``: the next call of ``cls.name`` does its work, then raises ``Crash``."""
    crashed: list[str] = []

    def install(cls: type, name: str) -> None:
        original = getattr(cls, name)

        def after_the_work(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if not crashed:
                crashed.append(name)
                raise Crash(f"{name} died after its write, before its answer")
            return result

        monkeypatch.setattr(cls, name, after_the_work)

    yield install
    assert crashed, "the crash was never reached: the test proves nothing"


def booked(aws: LocalAws, office: Office, document_id: str) -> dict[str, Any]:
    done = wait_for(aws, office, document_id, lambda d: d["status"] in ("booked", "failed"))
    assert done["status"] == "booked", done.get("error")
    return done


def test_an_answer_lost_after_the_package_booked_is_found_not_posted_again(aws: LocalAws, office: Office) -> None:
    faults = aws.simulators["snelstart"].simulator.faults
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    # The package books, then the answer never arrives (the gateway in between times out).
    faults.inject(timeout=True, hang_seconds=0.2, count=1, path_contains="inkoopboekingen", method="POST",
                  after_processing=True)
    try:
        decide(aws, office, doc, "approve", {"comment": ""})
        done = booked(aws, office, doc)
        assert faults.pending() == 0
    finally:
        faults.clear()
    [entry] = entries(aws, office, office.approvers, done["proposal"]["invoice_number"])
    assert done["bookings"][0]["entry_id"] == entry["entry_id"]
    assert any("found in the package" in h["detail"] for h in done["history"] if h["event"] == "booked")


def s3_event(aws: LocalAws, key: str) -> dict[str, Any]:
    """The ObjectCreated event S3 sends for ``key`` as it is stored now."""
    head = aws.client("s3").head_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=key)
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "awsRegion": "eu-west-1", "eventTime": "2026-03-01T10:00:00.000Z",
                         "s3": {"s3SchemaVersion": "1.0", "configurationId": "x",
                                "bucket": {"name": aws.environment["DOCUMENTS_BUCKET"], "arn": "arn:aws:s3:::b"},
                                "object": {"key": key, "size": head["ContentLength"], "eTag": head["ETag"].strip('"'),
                                           "versionId": head.get("VersionId"), "sequencer": "1"}}}]}


def deliver(aws: LocalAws, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke the intake with ``event`` as S3 would (the answer: the function's result or its error)."""
    answer = aws.client("lambda").invoke(FunctionName=aws.provisioned.functions["ProcessInvoiceFunction"].name,
                                         Payload=json.dumps(event).encode())
    return dict(json.loads(answer["Payload"].read() or b"{}"))


def upload_key(aws: LocalAws, office: Office, document_id: str) -> str:
    listed = aws.client("s3").list_objects_v2(Bucket=aws.environment["DOCUMENTS_BUCKET"],
                                              Prefix=f"uploads/{office.code}/{office.approvers.administration_id}/"
                                                     f"{document_id}/")
    [obj] = listed["Contents"]
    return str(obj["Key"])


def test_the_same_s3_event_twice_at_the_same_moment_makes_one_document_and_one_workflow(
        aws: LocalAws, office: Office) -> None:
    doc = upload(aws, office, office.approvers)
    first = awaiting(aws, office, doc)
    event = s3_event(aws, upload_key(aws, office, doc))
    answers: list[dict[str, Any]] = []
    start = threading.Barrier(2)

    def redeliver() -> None:
        start.wait()
        answers.append(deliver(aws, event))

    threads = [threading.Thread(target=redeliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2 and all("errorType" not in a for a in answers), answers
    status, _, page = aws.api_call("GET", f"/v1/offices/{office.code}/documents?administration_id="
                                          f"{office.approvers.administration_id}&limit=200", token=office.token)
    assert status == 200
    assert [d["document_id"] for d in page["documents"] if d["filename"] == first["filename"]].count(doc) == 1
    again = awaiting(aws, office, doc)
    assert again["history"] == first["history"], "a repeated event rewrote the document"
    assert len(parked(aws, doc)) == 1
    decide(aws, office, doc, "approve", {"comment": ""})
    done = booked(aws, office, doc)
    assert len(entries(aws, office, office.approvers, done["proposal"]["invoice_number"])) == 1


def test_an_intake_that_dies_after_its_proposal_is_finished_by_the_redelivered_event(
        aws: LocalAws, office: Office, crash_once: Any) -> None:
    # The proposal is stored, then starting the workflow's execution dies with the invocation: S3 (or Lambda's
    # async retry) delivers the event again, and that run starts the workflow the first one never started.
    crash_once(StepFunctionsWorkflow, "_start")
    doc = upload(aws, office, office.approvers)
    event = s3_event(aws, upload_key(aws, office, doc))
    answer = deliver(aws, event)  # the first delivery's run already died inside put_object; this one finishes
    assert "errorType" not in answer, answer
    body = awaiting(aws, office, doc)
    assert body["status"] == "awaiting_approval" and body["approval"] is not None, body
    assert execution_status_running(aws, doc)
    decide(aws, office, doc, "approve", {"comment": ""})
    done = booked(aws, office, doc)
    assert len(entries(aws, office, office.approvers, done["proposal"]["invoice_number"])) == 1


def execution_status_running(aws: LocalAws, document_id: str) -> bool:
    """The document's one execution exists and waits (for its approval)."""
    sfn = aws.client("stepfunctions")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":doc-{document_id}"
    return str(sfn.describe_execution(executionArn=arn)["status"]) == "RUNNING"


def test_an_approval_that_dies_before_it_tells_the_workflow_is_completed_by_the_approvers_retry(
        aws: LocalAws, office: Office, crash_once: Any) -> None:
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    # The decision and the approved document are written; the call that hands the outcome to the parked
    # workflow task does its work or not, and the handler dies: the approver sees an error and tries again.
    crash_once(StepFunctionsWorkflow, "succeed")
    status, _, _ = decide(aws, office, doc, "approve", {"comment": ""})
    assert status >= 500
    assert_problem(decide(aws, office, doc, "approve", {"comment": ""}), 409, "already_decided")
    done = booked(aws, office, doc)
    assert len(entries(aws, office, office.approvers, done["proposal"]["invoice_number"])) == 1
    assert [d["user"] for d in done["approval"]["decisions"]] == ["sync"]
    assert execution_status(aws, doc) == "SUCCEEDED"


def test_an_approval_whose_outcome_never_left_is_sent_again_on_the_retry(
        aws: LocalAws, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    original = StepFunctionsWorkflow.succeed
    calls: list[str] = []

    def dies_before_sending(self: StepFunctionsWorkflow, task_token: str, output: dict[str, object]) -> None:
        calls.append(task_token)
        if len(calls) == 1:
            raise Crash("died before SendTaskSuccess")
        original(self, task_token, output)

    monkeypatch.setattr(StepFunctionsWorkflow, "succeed", dies_before_sending)
    status, _, _ = decide(aws, office, doc, "approve", {"comment": ""})
    assert status >= 500
    assert_problem(decide(aws, office, doc, "approve", {"comment": ""}), 409, "already_decided")
    done = booked(aws, office, doc)
    assert len(calls) == 2 and calls[0] == calls[1]
    assert len(entries(aws, office, office.approvers, done["proposal"]["invoice_number"])) == 1


def test_a_booking_task_that_dies_after_it_booked_leaves_the_document_booked_once(
        aws: LocalAws, office: Office, crash_once: Any) -> None:
    crash_once(Bookings, "book")
    doc = upload(aws, office, office.approvers)
    awaiting(aws, office, doc)
    decide(aws, office, doc, "approve", {"comment": ""})
    done = booked(aws, office, doc)
    assert execution_status(aws, doc) == "SUCCEEDED"
    assert booked(aws, office, doc) == done  # the caught crash never turned it into a failure afterwards
    assert len(entries(aws, office, office.approvers, done["proposal"]["invoice_number"])) == 1
