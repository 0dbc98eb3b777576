"""Damaged files (truncated, bytes flipped, junk inserted): the answer is a reading or ``UnreadableDocument``.

Deterministic mutations of small valid documents of every kind. Before this test the intake let Pillow's
``TypeError``/``KeyError`` on damaged TIFFs and pdfium's page-size errors escape as crashes, and the chain
called truncated TIFF pixel data an engine error.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import pytest

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.sniff import REASONS, check_intake
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import Recognition
from tests.unit.recognition_intake import docs
from tests.unit.recognition_intake.test_chain import RecordingOcr

CII = (Path(__file__).parent.parent / "einvoice" / "fixtures" / "cii_invoice.xml").read_bytes()
SEEDS: dict[str, bytes] = {
    "pdf": docs.text_pdf(),
    "png": docs.image("PNG", (60, 40)),
    "jpg": docs.image("JPEG", (60, 40)),
    "tif": docs.tiff(2),
    "xml": CII,
    "hybrid.pdf": docs.pdf_with_attachments({"factur-x.xml": CII}),
}


def mutations(count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out: list[tuple[str, bytes]] = []
    for _ in range(count):
        name, base = rng.choice(sorted(SEEDS.items()))
        data = bytearray(base)
        roll = rng.random()
        if roll < 0.3:
            data = data[: rng.randrange(1, len(data))]
        elif roll < 0.8:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            at = rng.randrange(len(data))
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 50)))
        out.append((f"f.{name}", bytes(data)))
    return out


def test_damaged_files_never_crash_the_intake() -> None:
    reasons: set[str] = set()
    for filename, content in mutations(3000, seed=1):
        try:
            check_intake(content, filename=filename)
        except UnreadableDocument as exc:
            reasons.add(exc.extra["reason"])
    assert reasons <= REASONS
    assert {"pdf_truncated", "pdf_corrupt", "image_corrupt", "malformed_xml"} <= reasons


@pytest.mark.filterwarnings("ignore")
def test_damaged_files_never_crash_the_chain() -> None:
    recognizer = LocalRecognizer(ocr=RecordingOcr())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for filename, content in mutations(1000, seed=2):
            try:
                result = recognizer.recognize(content, filename)
            except UnreadableDocument as exc:
                # Damage is named for what it is; "engine_error" would mean a reader crashed on it.
                assert exc.extra["reason"] in REASONS - {"engine_error"}, (filename, exc.detail)
            else:
                assert isinstance(result, Recognition)
