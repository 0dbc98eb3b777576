"""Approvers are told: one Dutch e-mail per approver per request (proposal version), never to someone who already
decided, with the supplier, the amount, the due date and a link to the document in the web app."""

from __future__ import annotations

from typing import Any

from boekstuk.domain.approvals import ApprovalPolicy
from boekstuk.services.approvals import ApproveRequest
from tests.fakes import Mail
from tests.unit.workflow.fakes import EXAMPLE, OFFICE, World


def set_policy(world: World, body: dict[str, Any] = EXAMPLE) -> None:
    world.policies.put_policy(OFFICE, "kim", "adm1", ApprovalPolicy.model_validate(body))


def sent_to(world: World) -> list[str]:
    return sorted(m.to for m in world.mailer.sent)


def test_the_request_names_supplier_amount_due_date_and_links_the_web_app(world: World) -> None:
    set_policy(world)
    world.document(total="6050.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    mail: Mail = world.mailer.sent[0]
    assert mail.subject == "Ter goedkeuring: Kantoorhuis Utrecht B.V. F-1"
    for fact in ("Leverancier: Kantoorhuis Utrecht B.V.", "Factuurnummer: F-1", "Bedrag: € 6.050,00",
                 "Vervaldatum: 22-03-2026", "https://app.boekstuk.test/#/documents/doc1"):
        assert fact in mail.body, (fact, mail.body)


def test_a_repeated_request_of_the_same_version_mails_nobody_twice(world: World) -> None:
    set_policy(world)
    world.document(total="6050.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.approvals.request_approval(OFFICE, "doc1", "tok-again")  # the task delivered again
    assert sent_to(world) == ["anna@devries.test", "piet@devries.test"]


def test_who_decided_before_the_request_is_not_asked(world: World) -> None:
    set_policy(world)
    world.document(total="6050.00")  # needs piet and anna
    world.approvals.approve(OFFICE, "anna", "doc1", ApproveRequest(comment="ok"))  # before the workflow asks
    assert world.approvals.request_approval(OFFICE, "doc1", "tok") == "awaiting_approval"
    assert sent_to(world) == ["piet@devries.test"]


def test_an_edit_that_changes_what_is_approved_asks_everyone_again_once(world: World) -> None:
    set_policy(world)
    world.document(total="100.00")
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    assert sent_to(world) == ["anna@devries.test", "piet@devries.test"]
    world.edit("110.00")  # version 1: earlier decisions no longer count, everyone is asked again
    world.approvals.request_approval(OFFICE, "doc1", "tok")  # and a late repeat of the request changes nothing
    assert sent_to(world) == ["anna@devries.test", "anna@devries.test", "piet@devries.test", "piet@devries.test"]
    world.edit("110.00", description="Papier en toner")  # not what is approved: nobody is asked again
    assert len(world.mailer.sent) == 4


def test_a_mail_that_could_not_be_sent_is_sent_by_a_later_request(world: World) -> None:
    class Down:
        def send(self, to: str, subject: str, body: str) -> None:
            raise ConnectionError("email.eu-west-1.amazonaws.com")

    set_policy(world)
    world.document(total="100.00")
    working, world.approvals._mailer = world.approvals._mailer, Down()  # type: ignore[attr-defined]
    world.approvals.request_approval(OFFICE, "doc1", "tok")
    world.approvals._mailer = working  # type: ignore[attr-defined]
    world.approvals.request_approval(OFFICE, "doc1", "tok-again")
    assert sent_to(world) == ["anna@devries.test", "piet@devries.test"]
