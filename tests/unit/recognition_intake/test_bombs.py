"""Decompression bombs and floods: refused as ``unreadable`` with a reason a person understands, in bounded memory.

The cheap checks come first (before any PDF library inflates a stream): they give the specific reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.adapters.recognition.isolation import RecognitionWorker, WorkerLimits
from boekstuk.adapters.recognition.limits import IntakeLimits
from boekstuk.adapters.recognition.sniff import REASONS, check_intake
from boekstuk.domain.errors import UnreadableDocument
from tests.unit.recognition_intake import bombs, docs


def refusal(content: bytes, filename: str, limits: IntakeLimits | None = None) -> UnreadableDocument:
    with pytest.raises(UnreadableDocument) as caught:
        check_intake(content, filename=filename, limits=limits or IntakeLimits())
    assert caught.value.extra["reason"] in REASONS
    return caught.value


def test_the_generated_zeros_inflate_to_the_size_asked() -> None:
    inflater = zlib.decompressobj()
    size, data = 0, bombs.zeros_deflated(64 * bombs.MIB)
    while data:
        size += len(inflater.decompress(data, 8 * bombs.MIB))
        data = inflater.unconsumed_tail
    assert inflater.eof and size == 64 * bombs.MIB  # eof: the adler-32 at the end checked out


@pytest.mark.parametrize("layers", [1, 2])
def test_a_pdf_stream_that_inflates_to_a_gigabyte_is_refused_before_it_is_read(layers: int) -> None:
    bomb = bombs.flate_bomb_pdf(bombs.GIB, layers=layers)
    assert len(bomb) < 1.1 * bombs.MIB
    refused = refusal(bomb, "factuur.pdf")
    assert refused.extra["reason"] == "decompression_bomb"
    assert "expands to more than 256 MB" in refused.detail and "refused for safety" in refused.detail


def test_all_streams_together_are_limited_too() -> None:
    streams = [bombs.stream(bombs.zeros_deflated(4 * bombs.MIB), b"/Filter /FlateDecode ") for _ in range(4)]
    pdf = bombs.one_page_pdf(bombs.TEXT, extra=streams)
    refused = refusal(pdf, "factuur.pdf", IntakeLimits(max_stream_bytes=8 * bombs.MIB, max_inflated_bytes=12 * bombs.MIB))
    assert refused.extra["reason"] == "decompression_bomb" and "together" in refused.detail
    assert check_intake(pdf, filename="f.pdf", limits=IntakeLimits(max_inflated_bytes=17 * bombs.MIB)).pages == 1


def test_an_ordinary_pdf_passes_the_stream_check() -> None:
    assert check_intake(docs.text_pdf(), filename="factuur.pdf").pages == 1
    assert check_intake(bombs.one_page_pdf(bombs.TEXT), filename="factuur.pdf").pages == 1


@pytest.mark.parametrize("wrapper", [
    b"<html><script>alert(1)</script><!--\n",
    b"<!DOCTYPE html>\n<body onload=alert(1)><!--",
    b"  <SCRIPT>fetch('//evil.example')</SCRIPT>",
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
])
def test_a_pdf_that_is_also_a_web_page_is_refused_even_with_text(wrapper: bytes) -> None:
    refused = refusal(wrapper + docs.text_pdf() + b"\n--></html>", "factuur.pdf")
    assert refused.extra["reason"] == "polyglot" and "web page" in refused.detail


def test_other_data_before_the_header_is_read_with_a_warning_not_refused() -> None:
    # e.g. a mail gateway's few bytes of junk: readers accept the header anywhere in the first KB
    intake = check_intake(b"MIME-Version: 1.0 junk\r\n" + docs.text_pdf(), filename="factuur.pdf")
    assert intake.pages == 1 and any("before the start of the PDF" in w for w in intake.suspicious)


@pytest.fixture(scope="module")
def isolated() -> Iterator[LocalRecognizer]:
    worker = RecognitionWorker(WorkerLimits(memory_bytes=2048 * bombs.MIB, document_bytes=512 * bombs.MIB, seconds=120))
    yield LocalRecognizer(worker=worker)
    worker.close()


@pytest.mark.parametrize(("filename", "content", "reason", "says"), [
    ("gigabyte-stream.pdf", bombs.flate_bomb_pdf(bombs.GIB), "decompression_bomb", "expands to more than 256 MB"),
    ("two-layers.pdf", bombs.flate_bomb_pdf(4 * bombs.GIB, layers=2), "decompression_bomb", "expands to more than"),
    ("scan.png", bombs.png_header_only(100_000, 100_000), "image_too_large", "at most 60 megapixels"),
    ("scan.tiff", bombs.tiff_header_only(100_000, 100_000), "image_too_large", "at most 60 megapixels"),
    ("catalogus.pdf", docs.blank_pdf(5000), "too_many_pages", "5000 pages; at most 50"),
    ("deep.xml", bombs.nested_xml(100_000), "xml_too_large", "nesting too deep"),
    ("wide.xml", bombs.wide_xml(4_000_000), "xml_too_large", "an e-invoice has far fewer"),
], ids=lambda value: value if isinstance(value, str) and "." in value else "")
def test_each_bomb_ends_unreadable_with_its_reason_in_bounded_memory(
        isolated: LocalRecognizer, filename: str, content: bytes, reason: str, says: str) -> None:
    with pytest.raises(UnreadableDocument) as caught:
        isolated.recognize(content, filename)
    assert caught.value.extra["reason"] == reason, caught.value.detail
    assert says in caught.value.detail
    assert isolated.worker is not None
    # What reading it cost, measured in the worker that read it: far below what each would inflate to.
    assert isolated.worker.peak_bytes < 400 * bombs.MIB
    print(f"\nbomb {filename} ({len(content):,} bytes): {reason}, worker peak "
          f"{isolated.worker.peak_bytes / bombs.MIB:.0f} MiB")
