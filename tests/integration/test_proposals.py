"""Proposals and supplier provisioning against the five package simulators (moto + simulators in-process).

One office links every package once (module scope); each package's first administration is synced by the
linking itself. Documents are stored nowhere: the services take a ``Document`` and a ``Recognition``.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from boekstuk.adapters.packages.gateway import RegistryPackageGateway
from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.bootstrap import Components, components
from boekstuk.domain import errors
from boekstuk.domain.documents import Document
from boekstuk.domain.links import Administration
from boekstuk.domain.packages import SupplierDraft
from boekstuk.domain.recognition import Buyer, RecognisedFields, Recognition, VatLine
from boekstuk.services.connections import PackageConnections
from boekstuk.services.proposals import ProposalEdit, SupplierProvisioning
from boekstuk_local import moto_patches
from boekstuk_local.samples import SampleLine, make_document
from boekstuk_local.samples.model import iban_for, kvk_number, nl_vat_id
from boekstuk_local.simulators import registry
from boekstuk_local.simulators.seed import ADMINISTRATIONS, NAMED_SUPPLIERS, SeedSupplier
from boekstuk_local.testing import LocalAws, local_aws
from tests.integration.conftest import link, onboarded_office
from tests.integration.test_packages_api import PACKAGES


@dataclass
class Linked:
    package: str
    administration: Administration
    second: Administration  # its own rate-limit budget (Exact: 60 calls per minute per division)


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    moto_patches.install()
    with local_aws(simulators=True) as harness:
        yield harness


@pytest.fixture(scope="module")
def linked(aws: LocalAws) -> dict[str, Linked]:
    office, token = onboarded_office(aws)
    result: dict[str, Linked] = {}
    for package in PACKAGES:
        connection = link(aws, office, token, package)
        base = f"/v1/offices/{office}/connections/{connection}/administrations"
        _, _, listed = aws.api_call("GET", base, token=token)
        codes = [a["code"] for a in listed["administrations"] if a["accessible"]][:2]
        status, _, added = aws.api_call("POST", base, {"codes": codes}, token=token)
        assert status == 201, added
        adms = [components().administrations.get(office, a["administration_id"]) for a in added["added"]]
        assert all(a is not None and a.synced_at is not None for a in adms)  # the sync ran on linking
        result[package] = Linked(package, adms[0], adms[1])  # type: ignore[arg-type]
    return result


_RECOGNISED: dict[str, Recognition] = {}


def recognised(supplier: SeedSupplier, administration_name: str) -> Recognition:
    """A generated PDF invoice of ``supplier`` to the administration, read by the local recognizer (cached)."""
    if supplier.code not in _RECOGNISED:
        buyer = next(a for a in ADMINISTRATIONS if a.name == administration_name)
        rate = {"high": Decimal(21), "low": Decimal(9)}[supplier.vat_kind]
        sample = make_document(7, supplier=supplier, buyer=buyer, fmt="pdf", layout="classic",
                               invoice_date=dt.date.today() - dt.timedelta(days=5),
                               lines=[SampleLine("Levering volgens order", Decimal(2), Decimal("61.25"), rate),
                                      SampleLine("Bezorgkosten", Decimal(1), Decimal("12.50"), rate)])
        _RECOGNISED[supplier.code] = LocalRecognizer().recognize(sample.content, sample.filename, sample.content_type)
    return _RECOGNISED[supplier.code]


def document(adm: Administration, status: str = "recognizing", kind: str = "purchase_invoice") -> Document:
    now = dt.datetime.now(dt.UTC)
    doc_id = uuid.uuid4().hex
    return Document(document_id=doc_id, office_code=adm.office_code, administration_id=adm.administration_id,
                    kind=kind, filename="f.pdf", status=status, source="api", s3_key=f"x/{doc_id}",
                    uploaded_by="sync", created_at=now, updated_at=now)


def numbered(recognition: Recognition) -> Recognition:
    """The same invoice under a fresh number (each test its own, so none is a duplicate of another)."""
    fields = recognition.fields.model_copy(update={"invoice_number": f"T-{uuid.uuid4().hex[:8]}"})
    return recognition.model_copy(update={"fields": fields})


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("named", NAMED_SUPPLIERS, ids=lambda s: s.name.split()[0])
def test_named_supplier_matches_by_vat_id_with_its_defaults(linked: dict[str, Linked], package: str,
                                                            named: SeedSupplier) -> None:
    adm = linked[package].administration
    cached = next(s for s in components().administrations.suppliers(adm.administration_id) if s.vat_id == named.vat_id)
    outcome = components().proposals.propose(document(adm), numbered(recognised(named, adm.name)))
    proposal = outcome.proposal
    assert outcome.duplicate_of is None
    assert (proposal.supplier.code, proposal.supplier.match) == (cached.code, "vat_id")
    assert proposal.provenance["supplier"] == "vat_id match"
    assert proposal.lines and all(line.gl_account == named.default_gl for line in proposal.lines)
    assert all(line.vat_code == cached.default_vat_code for line in proposal.lines)
    assert proposal.provenance["lines[0].gl_account"] == "package default"
    assert sum(line.amount_excl_vat + line.vat_amount for line in proposal.lines) == proposal.total_incl_vat
    assert proposal.due_date == proposal.invoice_date + dt.timedelta(days=named.payment_term_days)  # type: ignore[operator]
    assert proposal.supplier_update is None


@pytest.mark.parametrize("package", ["exact_online", "snelstart"])
def test_a_corrected_booking_teaches_the_next_proposal(linked: dict[str, Linked], package: str) -> None:
    adm = linked[package].administration
    telecom = NAMED_SUPPLIERS[1]
    svc = components().proposals
    first_doc = document(adm, status="awaiting_approval")
    first = svc.propose(first_doc, numbered(recognised(telecom, adm.name))).proposal
    assert first.lines[0].gl_account == "4310"
    # The bookkeeper books Telecom Noord on 4330 (software and subscriptions), not the package default.
    body = {"supplier_code": first.supplier.code, "invoice_number": first.invoice_number,
            "invoice_date": first.invoice_date.isoformat(),  # type: ignore[union-attr]
            "due_date": first.due_date.isoformat() if first.due_date else None, "currency": "EUR",
            "lines": [{"gl_account": "4330", "description": ln.description, "amount_excl_vat": str(ln.amount_excl_vat),
                       "vat_code": ln.vat_code, "vat_amount": str(ln.vat_amount)} for ln in first.lines],
            "total_incl_vat": str(first.total_incl_vat)}
    edited = svc.edit(first_doc.model_copy(update={"proposal": first}), ProposalEdit.parse(body), "anna")
    assert edited.provenance["lines[0].gl_account"] == "edited by anna"
    svc.record_booked(first_doc.model_copy(update={"proposal": edited, "status": "booked"}))

    nxt = svc.propose(document(adm), numbered(recognised(telecom, adm.name))).proposal
    assert [ln.gl_account for ln in nxt.lines] == ["4330"] * len(nxt.lines)
    assert nxt.provenance["lines[0].gl_account"] == "history"


def test_edit_is_validated_against_the_package_master_data(linked: dict[str, Linked]) -> None:
    adm = linked["twinfield"].administration
    doc = document(adm, status="awaiting_approval")
    proposal = components().proposals.propose(doc, numbered(recognised(NAMED_SUPPLIERS[0], adm.name))).proposal
    body = {"invoice_number": "X1", "invoice_date": "2026-02-01", "currency": "EUR",
            "lines": [{"gl_account": "9999", "amount_excl_vat": "10.00", "vat_code": "NOPE", "vat_amount": "2.10"}],
            "total_incl_vat": "12.10"}
    with pytest.raises(errors.ValidationFailed) as caught:
        components().proposals.edit(doc.model_copy(update={"proposal": proposal}), body, "anna")
    assert {e["field"] for e in caught.value.extra["errors"]} == {"lines[0].gl_account", "lines[0].vat_code"}


def test_duplicates_are_claimed_in_dynamodb(linked: dict[str, Linked]) -> None:
    adm = linked["exact_online"].administration
    svc = components().proposals
    sha = uuid.uuid4().hex
    original = document(adm).model_copy(update={"sha256": sha})
    assert svc.check_file_duplicate(original) is None
    assert svc.check_file_duplicate(document(adm).model_copy(update={"sha256": sha})) == original.document_id
    rec = numbered(recognised(NAMED_SUPPLIERS[2], adm.name))
    assert svc.propose(original, rec).duplicate_of is None
    assert svc.propose(document(adm), rec).duplicate_of == original.document_id


def new_supplier_recognition(seed: int, administration_name: str) -> Recognition:
    rng = random.Random(f"new-supplier-{seed}-{uuid.uuid4().hex}")
    iban, _ = iban_for(rng, "NL")
    return Recognition(
        engine="pdf_text",
        fields=RecognisedFields(supplier_name=f"Nieuwe Leverancier {uuid.uuid4().hex[:6]} B.V.",
                                supplier_vat_id=nl_vat_id(rng), supplier_kvk=kvk_number(rng), supplier_iban=iban,
                                invoice_number=f"NL-{seed}", invoice_date=dt.date.today().isoformat(),
                                currency="EUR", total_incl_vat=Decimal("121.00"), total_excl_vat=Decimal("100.00"),
                                vat_total=Decimal("21.00")),
        vat_lines=[VatLine(rate="21", base=Decimal("100.00"), amount=Decimal("21.00"))],
        buyer=Buyer(name=administration_name), supplier_address="Dorpsstraat 1, 1234 AB Ergens")


def short_timeout_provisioning(aws: LocalAws, svc: Components) -> SupplierProvisioning:
    """Provisioning whose connectors give up after 0.5 s, so a hanging simulator looks like a timeout."""
    apps = {pid: registry.app_config(pid, server, timeout_seconds=0.5) for pid, server in aws.simulators.items()}
    packages = PackageConnections(svc.secrets, RegistryPackageGateway(apps))
    return SupplierProvisioning(svc.administrations, svc.connections, packages, svc.proposal_memory)


def a_minute_passes(aws: LocalAws, package: str) -> None:
    """Bookings do not all fall in one minute: let the simulated clock move past the package's rate window
    (Exact allows 60 calls a minute per division, and Multivers reads every creditor on each lookup)."""
    aws.simulators[package].simulator.clock.advance(61)


@pytest.mark.parametrize("package", PACKAGES)
def test_provisioning_creates_a_new_supplier_exactly_once(aws: LocalAws, linked: dict[str, Linked],
                                                          package: str) -> None:
    adm = linked[package].administration
    a_minute_passes(aws, package)
    svc = components()
    rec = new_supplier_recognition(1, adm.name)
    doc = document(adm, status="approved")
    proposal = svc.proposals.propose(doc, rec).proposal
    assert proposal.supplier.match == "new"
    doc = doc.model_copy(update={"proposal": proposal})
    code = svc.supplier_provisioning.ensure_supplier(doc)
    assert svc.supplier_provisioning.ensure_supplier(doc) == code
    connector = svc.package_connections.open(svc.connections.get(adm.office_code, adm.connection_id))  # type: ignore[arg-type]
    found = connector.find_suppliers(adm.code, vat_id=rec.fields.supplier_vat_id)
    assert [s.code for s in found] == [code]
    assert (found[0].name, found[0].iban) == (rec.fields.supplier_name, rec.fields.supplier_iban)

    # The package creates the next one but the answer is lost: the retry finds it instead of creating twice.
    rec2 = new_supplier_recognition(2, adm.name)
    doc2 = document(adm, status="approved")
    doc2 = doc2.model_copy(update={"proposal": svc.proposals.propose(doc2, rec2).proposal})
    slow = short_timeout_provisioning(aws, svc)
    aws.simulators[package].simulator.faults.inject(timeout=True, method="POST", after_processing=True,
                                                    hang_seconds=1.5)
    try:
        with pytest.raises(errors.PackageUnavailable):
            slow.ensure_supplier(doc2)
    finally:
        aws.simulators[package].simulator.faults.clear()
    code2 = svc.supplier_provisioning.ensure_supplier(doc2)
    assert [s.code for s in connector.find_suppliers(adm.code, vat_id=rec2.fields.supplier_vat_id)] == [code2]

    # Booked once: the next invoice of the new supplier is found in the package (the cache has not synced yet).
    again = svc.proposals.propose(document(adm), rec.model_copy(update={"fields": rec.fields.model_copy(
        update={"invoice_number": "NL-next"})})).proposal
    assert (again.supplier.code, again.supplier.match, again.provenance["supplier"]) == (
        code, "vat_id", "vat_id match (package)")


@pytest.mark.parametrize("package", PACKAGES)
def test_provisioning_applies_a_supplement(aws: LocalAws, linked: dict[str, Linked], package: str) -> None:
    adm = linked[package].second
    a_minute_passes(aws, package)
    svc = components()
    connector = svc.package_connections.open(svc.connections.get(adm.office_code, adm.connection_id))  # type: ignore[arg-type]
    rng = random.Random(uuid.uuid4().hex)
    bare = connector.create_supplier(adm.code, SupplierDraft(name=f"Zonder IBAN {uuid.uuid4().hex[:6]} B.V.",
                                                             vat_id=nl_vat_id(rng)))
    assert not bare.iban
    iban, _ = iban_for(rng, "NL")
    rec = Recognition(engine="pdf_text", fields=RecognisedFields(
        supplier_name=bare.name, supplier_vat_id=bare.vat_id, supplier_iban=iban, invoice_number="S-1",
        invoice_date=dt.date.today().isoformat(), total_incl_vat=Decimal("121.00"),
        total_excl_vat=Decimal("100.00"), vat_total=Decimal("21.00")),
        vat_lines=[VatLine(rate="21", base=Decimal("100.00"), amount=Decimal("21.00"))])
    doc = document(adm, status="approved")
    proposal = svc.proposals.propose(doc, rec).proposal
    assert proposal.supplier.code == bare.code and proposal.supplier_update == {"iban": iban}
    assert svc.supplier_provisioning.ensure_supplier(doc.model_copy(update={"proposal": proposal})) == bare.code
    updated = [s for s in connector.find_suppliers(adm.code, vat_id=bare.vat_id) if s.code == bare.code]
    assert updated and updated[0].iban == iban and updated[0].name == bare.name
