"""Reminders: documents waiting for people longer than 48 hours are found by an index Query, and each approver the
document still waits for gets one digest per Amsterdam working day, never on a weekend."""

from __future__ import annotations

import datetime as dt
from typing import Any

from boekstuk.domain.approvals import ApprovalPolicy
from boekstuk.services.approvals import ApproveRequest, RejectRequest
from boekstuk.services.reminders import OFFICE_TIMEZONE
from tests.unit.workflow.fakes import EXAMPLE, OFFICE, World

# The world starts on Sunday 1 March 2026, 10:00 in Amsterdam.


def set_policy(world: World, body: dict[str, Any] = EXAMPLE) -> None:
    world.policies.put_policy(OFFICE, "kim", "adm1", ApprovalPolicy.model_validate(body))


def requested(world: World, total: str, document_id: str) -> None:
    world.document(total=total, document_id=document_id, number=f"F-{document_id}")
    assert world.approvals.request_approval(OFFICE, document_id, f"tok-{document_id}") == "awaiting_approval"


def reminders(world: World) -> list[tuple[str, str, str]]:
    """(to, subject, body) of the reminder digests sent so far."""
    return [(m.to, m.subject, m.body) for m in world.mailer.sent if m.subject.startswith("Herinnering")]


def local_day(world: World) -> str:
    return world.clock.now().astimezone(OFFICE_TIMEZONE).strftime("%A")


def test_one_digest_per_approver_once_a_working_day(world: World) -> None:
    set_policy(world)
    requested(world, "100.00", "doc1")
    world.clock.advance(hours=1)
    requested(world, "200.00", "doc2")
    world.clock.advance(hours=46, minutes=59)  # Tuesday: doc1 waited not quite 48 hours: not yet
    assert world.reminders.send_due().sent == 0 and reminders(world) == []
    world.clock.advance(minutes=2)  # doc1 just over 48 hours, doc2 47
    run = world.reminders.send_due()
    assert local_day(world) == "Tuesday" and (run.waiting, run.sent) == (1, 2)
    world.clock.advance(hours=1, minutes=1)  # doc2 is due now too, but today's digest went out
    assert world.reminders.send_due().sent == 0
    assert sorted(to for to, _, _ in reminders(world)) == ["anna@devries.test", "piet@devries.test"]
    [(_, subject, body)] = [r for r in reminders(world) if r[0] == "piet@devries.test"]
    assert subject == "Herinnering: een document wacht op uw goedkeuring"
    assert "F-doc1" in body and "F-doc2" not in body and "https://app.boekstuk.test/#/documents/doc1" in body
    assert "Bedrag: € 100,00" in body and "Wacht sinds: 01-03-2026" in body

    world.clock.advance(days=1)  # Wednesday: one digest with both
    assert world.reminders.send_due().sent == 2
    digest = [(s, b) for to, s, b in reminders(world) if to == "piet@devries.test"][-1]
    assert digest[0] == "Herinnering: 2 documenten wachten op uw goedkeuring"
    assert "F-doc1" in digest[1] and "F-doc2" in digest[1]


def test_never_on_a_weekend_in_amsterdam(world: World) -> None:
    requested(world, "100.00", "doc1")
    world.clock.advance(days=5, hours=13, minutes=59)  # Friday 23:59 in Amsterdam
    assert local_day(world) == "Friday" and world.reminders.send_due().sent == 4  # anna, kim, piet, sync
    world.clock.advance(minutes=2)  # Saturday 00:01 in Amsterdam, still Friday in UTC
    run = world.reminders.send_due()
    assert run.weekend and run.sent == 0
    world.clock.advance(days=1)
    assert local_day(world) == "Sunday" and world.reminders.send_due().sent == 0
    world.clock.advance(days=1)
    assert local_day(world) == "Monday" and world.reminders.send_due().sent == 4


def test_only_who_the_document_still_waits_for_is_reminded(world: World) -> None:
    set_policy(world)
    requested(world, "6050.00", "big")  # needs piet and anna
    requested(world, "100.00", "small")  # piet or anna
    world.approvals.approve(OFFICE, "piet", "big", ApproveRequest(comment="ok"))
    requested(world, "300.00", "gone")
    world.approvals.reject(OFFICE, "anna", "gone", RejectRequest(reason="niet van ons"))
    world.clock.advance(hours=49)
    world.reminders.send_due()
    sent = {to: body for to, _, body in reminders(world)}
    assert "F-big" not in sent["piet@devries.test"] and "F-small" in sent["piet@devries.test"]
    assert "F-big" in sent["anna@devries.test"] and "F-small" in sent["anna@devries.test"]
    assert all("F-gone" not in body for body in sent.values())


def test_an_edit_asks_again_and_the_48_hours_start_again(world: World) -> None:
    requested(world, "100.00", "doc1")
    world.clock.advance(hours=40)
    world.edit("110.00")
    world.clock.advance(hours=9)  # 49 hours after the request, 9 after the edit asked everyone again
    assert world.reminders.send_due().waiting == 0


def test_a_digest_that_could_not_be_sent_goes_out_on_the_next_run(world: World) -> None:
    class Down:
        def send(self, to: str, subject: str, body: str) -> None:
            raise ConnectionError("email.eu-west-1.amazonaws.com")

    requested(world, "100.00", "doc1")
    world.clock.advance(hours=49)
    working, world.reminders._mailer = world.reminders._mailer, Down()  # type: ignore[attr-defined]
    assert world.reminders.send_due().sent == 0
    world.reminders._mailer = working  # type: ignore[attr-defined]
    assert world.reminders.send_due().sent == 4


def test_the_waiting_documents_come_from_the_index(world: World) -> None:
    requested(world, "100.00", "doc1")
    later = world.clock.now() + dt.timedelta(hours=1)
    assert [d.document_id for d in world.documents.awaiting_approval(later)] == ["doc1"]
    world.approvals.approve(OFFICE, "piet", "doc1", ApproveRequest(comment="ok"))
    assert world.documents.awaiting_approval(later) == []  # approved: out of the sparse index
