"""The recognizer chain: intake checks, then the most exact engine that can read the document.

Order (DESIGN.md "Recognition"): structured e-invoice (UBL/CII XML, or the XML embedded in a Factur-X /
ZUGFeRD / Odoo PDF) -> the PDF's own text layer when it has enough words -> OCR for images and scanned PDFs
(local OCR, or Textract in AWS) -> the one shared Dutch-aware field extractor on the words.

Failure contract: every failure is ``UnreadableDocument`` with a reason. An unexpected exception inside an
engine is logged with its traceback (programming errors must stay visible) and then also becomes
``UnreadableDocument`` (reason ``engine_error``), so a document never crashes the pipeline or vanishes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, Protocol

from PIL import Image

from boekstuk.adapters.recognition.einvoice import embedded_invoice_xml, parse_einvoice, read_einvoice
from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS, IntakeLimits
from boekstuk.adapters.recognition.sniff import EINVOICE_KINDS, FileKind, Intake, check_intake, refuse
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import Engine, PageWords, Recognition
from boekstuk.observability import logger


class OcrEngine(Protocol):
    """What the chain needs from an OCR engine (``LocalOcr``, ``TextractEngine``)."""

    def words_from_image(self, content: bytes) -> PageWords:
        """The words of one image (one page)."""
        ...

    def words_from_pdf(self, content: bytes, *, max_pages: int) -> list[PageWords]:
        """The words of the first ``max_pages`` pages of a scanned PDF."""
        ...


class FieldExtractor(Protocol):
    """The shared field extractor (``boekstuk.domain.extraction.extract_fields``)."""

    def __call__(self, pages: list[PageWords], *, engine: str) -> Recognition:
        """Turn positioned words into a ``Recognition`` attributed to ``engine``."""
        ...


def _default_extractor() -> FieldExtractor:
    from boekstuk.domain.extraction import extract_fields

    return extract_fields


class _Chain:
    """Shared logic of the local and AWS chains; subclasses only say which OCR engine to use."""

    ocr_engine_name: Engine = "local"

    def __init__(
        self,
        *,
        ocr: Callable[[], OcrEngine],
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        extractor: FieldExtractor | None = None,
    ) -> None:
        self._ocr_factory = ocr
        self._ocr: OcrEngine | None = None
        self.limits = limits
        self.ignore_embedded_xml = ignore_embedded_xml
        self._extractor = extractor

    # --- the port ------------------------------------------------------------------------------------

    def recognize(self, content: bytes, filename: str, content_type: str | None = None) -> Recognition:
        """Read one document; raise ``UnreadableDocument`` (with ``extra["reason"]``) when it cannot be read."""
        intake = check_intake(content, filename=filename, content_type=content_type, limits=self.limits)
        stage = intake.kind.value
        try:
            return self._read(intake, content)
        except UnreadableDocument:
            raise
        except Exception as exc:
            # Not a bad document but a bug or an engine failure: keep the traceback in the logs.
            logger.exception("recognition engine failed", extra={"file_name": filename, "file_kind": stage})
            raise UnreadableDocument(
                f"The document could not be read: the {stage} reader failed ({type(exc).__name__}).",
                reason="engine_error",
            ) from exc

    # --- engines -------------------------------------------------------------------------------------

    @property
    def ocr(self) -> OcrEngine:
        """The OCR engine, created on first use and then kept (its models load once)."""
        if self._ocr is None:
            self._ocr = self._ocr_factory()
        return self._ocr

    @property
    def extractor(self) -> FieldExtractor:
        """The shared field extractor (imported on first use)."""
        if self._extractor is None:
            self._extractor = _default_extractor()
        return self._extractor

    def _read(self, intake: Intake, content: bytes) -> Recognition:
        if intake.kind in EINVOICE_KINDS and intake.xml_root is not None:
            return read_einvoice(intake.xml_root)
        if intake.kind is FileKind.PDF:
            return self._read_pdf(content, intake.pages)
        return self._read_image(content, intake)

    def _read_pdf(self, content: bytes, pages: int) -> Recognition:
        warnings: list[str] = []
        if not self.ignore_embedded_xml:
            embedded = embedded_invoice_xml(content, limits=self.limits)
            if embedded is not None:
                try:
                    recognition = parse_einvoice(embedded.content, origin=embedded.name)
                    recognition.pages = pages
                    return recognition
                except UnreadableDocument as exc:
                    warnings.append(
                        f"The embedded {embedded.name} could not be read ({exc.detail}); the page was read instead."
                    )
        from boekstuk.adapters.recognition.pdf_text import extract_words, has_text_layer

        words = extract_words(content, max_pages=self.limits.max_pages)
        if has_text_layer(words):
            return self._extract(words, "pdf_text", pages, warnings)
        scanned = self.ocr.words_from_pdf(content, max_pages=self.limits.max_pages)
        return self._extract(scanned, self.ocr_engine_name, pages, warnings)

    def _read_image(self, content: bytes, intake: Intake) -> Recognition:
        if intake.pages <= 1:
            return self._extract([self.ocr.words_from_image(content)], self.ocr_engine_name, 1, [])
        pages: list[PageWords] = []
        for number, frame in enumerate(_tiff_frames(content), start=1):
            words = self.ocr.words_from_image(frame)
            pages.append(words.model_copy(update={"page": number}))
        return self._extract(pages, self.ocr_engine_name, len(pages), [])

    def _extract(self, pages: list[PageWords], engine: Engine, count: int, warnings: list[str]) -> Recognition:
        if not any(page.words for page in pages):
            raise refuse("no_text", "No text was found on the document (a blank page, or a scan too poor to read).")
        recognition = self.extractor(pages, engine=engine)
        recognition.pages = count
        recognition.warnings.extend(warnings)
        return recognition


def _tiff_frames(content: bytes) -> list[bytes]:
    """Every frame of a multi-page TIFF as PNG bytes (the OCR engines read one image per call)."""
    frames: list[bytes] = []
    with Image.open(io.BytesIO(content)) as image:
        for index in range(int(getattr(image, "n_frames", 1))):
            image.seek(index)
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="PNG")
            frames.append(buffer.getvalue())
    return frames


def _local_ocr() -> OcrEngine:
    from boekstuk.adapters.recognition.local_ocr import LocalOcr

    engine: OcrEngine = LocalOcr()
    return engine


class LocalRecognizer(_Chain):
    """The local stack's ``Recognizer``: e-invoice, PDF text layer, then local OCR (RapidOCR/Tesseract)."""

    ocr_engine_name: Engine = "local"

    def __init__(
        self,
        *,
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        ocr: OcrEngine | None = None,
        extractor: FieldExtractor | None = None,
    ) -> None:
        """``ignore_embedded_xml`` reads hybrid PDFs visually (to measure that path); ``ocr`` overrides the engine."""
        super().__init__(
            ocr=_local_ocr if ocr is None else (lambda: ocr),
            limits=limits,
            ignore_embedded_xml=ignore_embedded_xml,
            extractor=extractor,
        )


class TextractRecognizer(_Chain):
    """The AWS ``Recognizer``: e-invoice, PDF text layer, then Amazon Textract for images and scans."""

    ocr_engine_name: Engine = "textract"

    def __init__(
        self,
        client: Any,
        *,
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        extractor: FieldExtractor | None = None,
    ) -> None:
        """``client`` is a boto3 Textract client, injected by the composition root."""

        def textract() -> OcrEngine:
            from boekstuk.adapters.recognition.textract import TextractEngine

            engine: OcrEngine = TextractEngine(client)
            return engine

        super().__init__(ocr=textract, limits=limits, ignore_embedded_xml=ignore_embedded_xml, extractor=extractor)
