"""The hints the pipeline reads a document with: the administration marks the buyer, its synced suppliers are
the dictionary the page is searched for."""

from __future__ import annotations

from typing import Any

from boekstuk.adapters.recognition.chain import LocalRecognizer, handle_request
from boekstuk.domain.recognition import KnownParty, PageWords, ReadingHints, Recognition
from tests.unit.proposals.fakes import BUYER_KVK, BUYER_VAT, KANTOORHUIS, SELF, TELECOM, World


def test_the_administration_is_the_buyer_and_its_own_creditor_record_gives_its_ids() -> None:
    world = World(cached=[KANTOORHUIS, TELECOM, SELF])
    hints = world.service.reading_hints(world.document())
    assert hints.buyer == KnownParty(name="Bakkerij De Vries B.V.", vat_id=BUYER_VAT, kvk=BUYER_KVK)
    assert [(s.code, s.name, s.vat_id, s.kvk, s.iban) for s in hints.suppliers] == [
        (s.code, s.name, s.vat_id, s.kvk, s.iban) for s in (KANTOORHUIS, TELECOM)]


class _Capture:
    """An extractor that records the hints it was given."""

    def __init__(self) -> None:
        self.hints: list[ReadingHints | None] = []

    def __call__(self, pages: list[PageWords], *, engine: str, hints: ReadingHints | None = None) -> Recognition:
        self.hints.append(hints)
        return Recognition(engine="pdf_text")


def _text_pdf() -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    for row in range(12):
        pdf.drawString(60, 800 - 14 * row, f"Factuurregel {row} met tekst genoeg voor een tekstlaag")
    pdf.save()
    return buffer.getvalue()


HINTS = ReadingHints(buyer=KnownParty(name="Bakkerij De Vries B.V."), suppliers=[KnownParty(name="Telecom Noord B.V.")])


def test_the_recognizer_hands_the_hints_to_the_field_extractor() -> None:
    capture = _Capture()
    LocalRecognizer(extractor=capture).recognize(_text_pdf(), "factuur.pdf", "application/pdf", HINTS)
    assert capture.hints == [HINTS]


def test_the_hints_cross_into_the_recognition_worker(monkeypatch: Any) -> None:
    seen: list[ReadingHints | None] = []
    monkeypatch.setattr(LocalRecognizer, "read", lambda self, content, filename, content_type=None, hints=None: (
        seen.append(hints) or Recognition(engine="pdf_text")))
    chain = LocalRecognizer()._worker_chain()
    reply, _ = handle_request({"filename": "f.pdf", "content_type": "application/pdf", "chain": chain,
                               "hints": HINTS.model_dump(mode="json")}, b"%PDF-")
    assert "recognition" in reply and seen == [HINTS]
