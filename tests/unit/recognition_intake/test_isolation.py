"""Recognition in a worker process: the same answers as in this process, and a hard stop for what the checks miss.

The worker's memory limit and deadline bound any document, whatever it does inside pdfium, Pillow or lxml:
what runs out ends ``unreadable`` with a reason, the worker is replaced, and this process never holds it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from boekstuk.adapters.recognition.chain import LocalRecognizer, TextractRecognizer
from boekstuk.adapters.recognition.isolation import RecognitionWorker, WorkerLimits
from boekstuk.adapters.recognition.limits import IntakeLimits
from boekstuk.domain.errors import UnreadableDocument
from tests.unit.recognition_intake import bombs, docs
from tests.unit.recognition_intake.test_chain import INVOICE_LINES
from tests.unit.recognition_intake.test_textract_chain import LINES, detect_response

EINVOICE = Path(__file__).parent.parent / "einvoice" / "fixtures" / "nlcius_invoice.xml"
MIB = bombs.MIB
NO_STREAM_CHECK = IntakeLimits(max_stream_bytes=1 << 40, max_inflated_bytes=1 << 40)
"""Limits that let any stream through the intake, to show what the worker alone does."""


@pytest.fixture(scope="module")
def worker() -> Iterator[RecognitionWorker]:
    started = RecognitionWorker(WorkerLimits(memory_bytes=2048 * MIB, document_bytes=256 * MIB, seconds=120))
    yield started
    started.close()


def refusal(recognizer: Any, content: bytes, filename: str) -> UnreadableDocument:
    with pytest.raises(UnreadableDocument) as caught:
        recognizer.recognize(content, filename)
    return caught.value


def test_the_worker_reads_documents_as_this_process_does(worker: RecognitionWorker) -> None:
    for content, filename in [(docs.text_pdf(INVOICE_LINES), "factuur.pdf"), (EINVOICE.read_bytes(), "factuur.xml")]:
        isolated = LocalRecognizer(worker=worker).recognize(content, filename)
        assert isolated == LocalRecognizer().recognize(content, filename)
    assert isolated.engine == "ubl" and isolated.fields.invoice_number


def test_refusals_come_back_with_their_reason_and_sentence(worker: RecognitionWorker) -> None:
    encrypted = docs.text_pdf(password="geheim")
    isolated = refusal(LocalRecognizer(worker=worker), encrypted, "factuur.pdf")
    here = refusal(LocalRecognizer(), encrypted, "factuur.pdf")
    assert (isolated.extra["reason"], isolated.detail) == (here.extra["reason"], here.detail) == \
        ("pdf_encrypted", here.detail)


def test_a_bomb_the_intake_checks_miss_ends_at_the_document_memory_budget() -> None:
    fresh = RecognitionWorker(WorkerLimits(memory_bytes=2048 * MIB, document_bytes=256 * MIB, seconds=120))
    try:
        bomb = bombs.hex_flate_bomb_pdf(bombs.GIB)  # hex first: the stream check sees no zlib data
        refused = refusal(LocalRecognizer(worker=fresh), bomb, "factuur.pdf")
        assert refused.extra["reason"] == "too_much_memory", (refused.detail, fresh.last_exit)
        assert "more than the 256 MB of memory allowed" in refused.detail
        assert fresh.last_exit is not None
        status, grown = fresh.last_exit
        assert status < 0 and 128 * MIB <= grown <= 320 * MIB, fresh.last_exit  # its budget, not the bomb's 2 GB
        print(f"\nbomb past the intake checks: worker stopped at {grown / MIB:.0f} MiB (signal {-status})")
        # The next document gets a new worker.
        assert LocalRecognizer(worker=fresh).recognize(docs.text_pdf(INVOICE_LINES), "f.pdf").engine == "pdf_text"
    finally:
        fresh.close()


def test_a_document_that_reads_too_long_is_stopped_and_refused() -> None:
    slow = RecognitionWorker(WorkerLimits(memory_bytes=1024 * MIB, document_bytes=512 * MIB, seconds=0.5))
    try:
        slow.warm()
        first = slow.pid
        # Counting 8 GB of inflated zeros takes seconds, whatever the machine.
        bomb = bombs.flate_bomb_pdf(8 * bombs.GIB, layers=2)
        refused = refusal(LocalRecognizer(limits=NO_STREAM_CHECK, worker=slow), bomb, "factuur.pdf")
        assert refused.extra["reason"] == "too_slow"
        assert refused.detail.startswith("Reading the document took longer than 0.5 seconds")
        assert first is not None and slow.pid is None  # killed; the next document starts a new one
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)
    finally:
        slow.close()


def test_a_worker_killed_between_documents_is_replaced_and_the_document_read(worker: RecognitionWorker) -> None:
    recognizer = LocalRecognizer(worker=worker)
    content = docs.text_pdf(INVOICE_LINES)
    recognizer.recognize(content, "factuur.pdf")
    killed = worker.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    assert recognizer.recognize(content, "factuur.pdf").fields.invoice_number == "F2024-0815"
    assert worker.pid not in (None, killed)


def test_the_textract_chain_reads_up_to_the_scan_in_the_worker_and_calls_textract_here(
        worker: RecognitionWorker) -> None:
    client = boto3.client("textract", region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test")
    staged: list[bytes] = []

    def stage(content: bytes, filename: str) -> tuple[str, str]:
        staged.append(content)
        return "documents", f"textract/{filename}"

    recognizer = TextractRecognizer(client, stage_in_s3=stage, worker=worker)
    image = docs.image("PNG", (300, 400))
    location = {"S3Object": {"Bucket": "documents", "Name": "textract/scan.pdf"}}
    with Stubber(client) as stub:
        assert recognizer.recognize(EINVOICE.read_bytes(), "f.xml").engine == "ubl"  # no Textract call
        stub.add_response("detect_document_text", detect_response(LINES), {"Document": {"Bytes": image}})
        stub.add_response("analyze_expense", {"ExpenseDocuments": []}, {"Document": {"Bytes": image}})
        assert recognizer.recognize(image, "bon.png").fields.invoice_number == "F2024-0815"
        # A multi-page TIFF is decoded in the worker (hostile pixels) and comes back as a PDF to stage.
        stub.add_response("start_document_text_detection", {"JobId": "t1"}, {"DocumentLocation": location})
        stub.add_response("start_expense_analysis", {"JobId": "e1"}, {"DocumentLocation": location})
        stub.add_response("get_document_text_detection", {"JobStatus": "SUCCEEDED", **detect_response(LINES)},
                          {"JobId": "t1"})
        stub.add_response("get_expense_analysis", {"JobStatus": "SUCCEEDED", "ExpenseDocuments": []}, {"JobId": "e1"})
        recognition = recognizer.recognize(docs.tiff(2), "scan.tiff")
        stub.assert_no_pending_responses()
    assert recognition.engine == "textract" and recognition.pages == 2
    assert len(staged) == 1 and staged[0].startswith(b"%PDF-")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_the_composition_root_keeps_a_bomb_out_of_the_calling_process(tmp_path: Path) -> None:
    """Through ``Components().recognizer``, as process_invoice runs it: this process stays small whatever the file."""
    bomb = tmp_path / "factuur.pdf"
    bomb.write_bytes(bombs.hex_flate_bomb_pdf(bombs.GIB))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forked copy of this (large) test process.
    script = (
        "import sys\n"
        "from boekstuk.bootstrap import Components\n"
        "from boekstuk.domain.errors import UnreadableDocument\n"
        "from boekstuk.settings import Settings\n"
        "recognizer = Components(Settings(recognizer='local')).recognizer\n"
        "try:\n"
        "    recognizer.recognize(open(sys.argv[1], 'rb').read(), 'factuur.pdf', 'application/pdf')\n"
        "    print('read')\n"
        "except UnreadableDocument as exc:\n"
        "    print(exc.extra['reason'])\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()\n"
        "print(int(status[0]) * 1024)\n"
    )
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, timeout=280,
                          env=environment, check=True)
    outcome, peak = done.stdout.split()[-2:]
    assert outcome == "too_much_memory", done.stdout + done.stderr
    assert int(peak) < 400 * MIB, done.stdout + done.stderr  # the bomb inflates to 1 GB in pdfium (2 GB at its peak) when read in-process
    print(f"\ncomposition root, 1 GB bomb: {outcome}, calling process peak {int(peak) / MIB:.0f} MiB")
