"""The recognizer chain: intake checks, then the most exact engine that can read the document.

Order (DESIGN.md "Recognition"): structured e-invoice (UBL/CII XML, or the XML embedded in a Factur-X /
ZUGFeRD / Odoo PDF) -> the PDF's own text layer when it has enough words -> OCR for images and scanned PDFs
(local OCR, or Amazon Textract in AWS) -> the one shared Dutch-aware field extractor on the words.

Failure contract: every failure is ``UnreadableDocument`` with a reason in ``extra["reason"]``. An
unexpected exception inside an engine is logged with its traceback (programming errors must stay visible)
and then also becomes ``UnreadableDocument`` (reason ``engine_error``), so a document never crashes the
pipeline and never vanishes. The one exception is ``RecognitionUnavailable``: Textract throttled, failed on its
side or timed out, which says nothing about the document; it passes through, so the document is read again.

Isolation: given a ``RecognitionWorker`` (the composition root gives one), a chain reads in that worker
process, under its memory limit and deadline (``isolation``). The local chain sends the whole document
there; the Textract chain sends everything up to the visual step (intake, e-invoice, text layer, a TIFF's
conversion to PDF) and calls Textract from this process with what comes back. Without a worker everything
runs here, as the tests with test doubles and the worker itself do.

Active content: a PDF with JavaScript, automatic actions, embedded files or data appended to it is read as
usual, and its ``Recognition`` carries ``suspicious_content`` and a ``suspicious_content: ...`` warning.
"""

from __future__ import annotations

import hashlib
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PIL import Image

from boekstuk.adapters.recognition.einvoice import embedded_invoice_xml, parse_einvoice, read_einvoice
from boekstuk.adapters.recognition.isolation import RecognitionWorker
from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS, IntakeLimits
from boekstuk.adapters.recognition.pdf_text import extract_words, has_text_layer
from boekstuk.adapters.recognition.sniff import EINVOICE_KINDS, FileKind, Intake, check_intake, refuse
from boekstuk.domain.errors import RecognitionUnavailable, UnreadableDocument
from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.recognition import Engine, PageWords, ReadingHints, Recognition
from boekstuk.observability import logger

if TYPE_CHECKING:
    from boekstuk.adapters.recognition.local_ocr import LocalOcr
    from boekstuk.adapters.recognition.textract import TextractEngine


class OcrEngine(Protocol):
    """What the local chain needs from an OCR engine that yields words (``LocalOcr``)."""

    def words_from_image(self, content: bytes) -> PageWords:
        """The words of one image (one page)."""
        ...

    def words_from_pdf(self, content: bytes, *, max_pages: int) -> list[PageWords]:
        """The words of the first ``max_pages`` pages of a scanned PDF."""
        ...


class FieldExtractor(Protocol):
    """The shared field extractor (``boekstuk.domain.extraction.extract_fields``)."""

    def __call__(self, pages: list[PageWords], *, engine: str, hints: ReadingHints | None = None) -> Recognition:
        """Turn positioned words into a ``Recognition`` attributed to ``engine`` (``hints``: the parties known)."""
        ...


S3Stager = Callable[[bytes, str], tuple[str, str]]
"""Puts a document's bytes in S3 for Textract's asynchronous API: ``(content, filename) -> (bucket, key)``."""


def s3_stager(s3_client: Any, bucket: str, prefix: str = "textract-staging/") -> S3Stager:
    """An ``S3Stager`` that writes the bytes under ``prefix`` + their SHA-256 (the same scan is stored once).

    Give the prefix an S3 lifecycle rule in template.yaml: Textract only needs the object while it reads it.
    """

    def stage(content: bytes, filename: str) -> tuple[str, str]:
        suffix = "." + filename.rsplit(".", 1)[1].lower() if "." in filename else ""
        key = f"{prefix}{hashlib.sha256(content).hexdigest()}{suffix}"
        s3_client.put_object(Bucket=bucket, Key=key, Body=content)
        return bucket, key

    return stage


class VisualNeeded(Exception):
    """Raised by a chain that leaves images and scans to its caller (the worker side of ``TextractRecognizer``)."""

    def __init__(self, kind: Literal["pdf", "image"], pages: int, content: bytes | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.pages = pages
        self.content = content
        """What to send to the visual engine; ``None``: the document as it came."""
        self.warnings: list[str] = []
        self.suspicious: tuple[str, ...] = ()


class _Chain(ABC):
    """The engine order shared by the local and the AWS chain; subclasses read images and scans."""

    def __init__(
        self,
        *,
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        extractor: FieldExtractor | None = None,
        worker: RecognitionWorker | None = None,
    ) -> None:
        if worker is not None and extractor is not None:
            raise ValueError("a recognition worker runs the shared extractor; it cannot run an injected one")
        self.limits = limits
        self.ignore_embedded_xml = ignore_embedded_xml
        self._extractor = extractor
        self.worker = worker

    # --- the port ------------------------------------------------------------------------------------

    def recognize(self, content: bytes, filename: str, content_type: str | None = None,
                  hints: ReadingHints | None = None) -> Recognition:
        """Read one document; raise ``UnreadableDocument`` (with ``extra["reason"]``) when it cannot be read.

        ``hints`` (the administration and its synced suppliers) go to the field extractor of a visual read.
        """
        if self.worker is None:
            return self.read(content, filename, content_type, hints)
        request = {"filename": filename, "content_type": content_type, "chain": self._worker_chain(),
                   "hints": hints.model_dump(mode="json") if hints is not None else None}
        reply, data = self.worker.run(request, content)
        return self._from_worker(reply, data, content, filename, hints)

    def read(self, content: bytes, filename: str, content_type: str | None = None,
             hints: ReadingHints | None = None) -> Recognition:
        """``recognize`` in this process, whatever the worker setting (the worker process itself calls this)."""
        intake = check_intake(content, filename=filename, content_type=content_type, limits=self.limits)
        try:
            recognition = self._read(intake, content, filename, hints)
        except VisualNeeded as needed:
            needed.suspicious = intake.suspicious
            raise
        except UnreadableDocument as exc:
            # Engines (pdfium, OCR, Textract) refuse documents too; every refusal carries a reason code.
            exc.extra.setdefault("reason", "engine_refused")
            raise
        except MemoryError as exc:
            raise too_much_memory() from exc
        except RecognitionUnavailable:
            raise  # the service, not the document: read again later
        except Exception as exc:
            raise self._engine_failed(exc, intake.kind.value, filename) from exc
        return flag_suspicious(recognition, intake.suspicious)

    # --- the worker ----------------------------------------------------------------------------------

    def _worker_chain(self) -> dict[str, Any]:
        """How the worker builds its own chain like this one (JSON)."""
        return {"limits": self.limits.model_dump(mode="json"), "ignore_embedded_xml": self.ignore_embedded_xml}

    def _from_worker(self, reply: dict[str, Any], data: bytes, content: bytes, filename: str,
                     hints: ReadingHints | None) -> Recognition:
        if "recognition" in reply:
            return Recognition.model_validate(reply["recognition"])
        if "unreadable" in reply:
            raise UnreadableDocument(str(reply["unreadable"]["detail"]), reason=str(reply["unreadable"]["reason"]))
        if "visual" in reply:
            visual = reply["visual"]
            needed = VisualNeeded(visual["kind"], int(visual["pages"]), data if visual["converted"] else content)
            try:
                recognition = self._read_visual(needed, filename, hints)
            except UnreadableDocument as exc:
                exc.extra.setdefault("reason", "engine_refused")
                raise
            except RecognitionUnavailable:
                raise  # the service, not the document: read again later
            except Exception as exc:
                raise self._engine_failed(exc, needed.kind, filename) from exc
            recognition.warnings.extend(str(warning) for warning in visual["warnings"])
            return flag_suspicious(recognition, tuple(str(finding) for finding in visual["suspicious"]))
        raise RuntimeError(f"unexpected reply from the recognition worker: {sorted(reply)}")

    def _read_visual(self, needed: VisualNeeded, filename: str, hints: ReadingHints | None) -> Recognition:
        """Read what a worker left for this process (only the Textract chain leaves anything)."""
        raise RuntimeError(f"{type(self).__name__} reads scans in its worker; it got one back")

    @staticmethod
    def _engine_failed(exc: Exception, kind: str, filename: str) -> UnreadableDocument:
        # Not a bad document but a bug or an engine failure: keep the traceback in the logs.
        logger.exception("recognition engine failed", extra={"file_name": filename, "file_kind": kind})
        return UnreadableDocument(
            f"The document could not be read: the {kind} reader failed ({type(exc).__name__}).", reason="engine_error"
        )

    # --- shared steps --------------------------------------------------------------------------------

    @property
    def extractor(self) -> FieldExtractor:
        """The shared field extractor (``extract_fields`` unless one was injected)."""
        if self._extractor is None:
            self._extractor = extract_fields
        return self._extractor

    def _read(self, intake: Intake, content: bytes, filename: str, hints: ReadingHints | None) -> Recognition:
        if intake.kind in EINVOICE_KINDS and intake.xml_root is not None:
            return read_einvoice(intake.xml_root)
        if intake.kind is FileKind.PDF:
            return self._read_pdf(content, intake.pages, filename, hints)
        return self._read_image(content, intake.pages, filename, hints)

    def _read_pdf(self, content: bytes, pages: int, filename: str, hints: ReadingHints | None) -> Recognition:
        warnings: list[str] = []
        if not self.ignore_embedded_xml:
            embedded = embedded_invoice_xml(content, limits=self.limits)
            if embedded is not None:
                try:
                    recognition = parse_einvoice(embedded.content, origin=embedded.name)
                except UnreadableDocument as exc:
                    warnings.append(
                        f"The embedded {embedded.name} could not be read ({exc.detail}); the page was read instead."
                    )
                else:
                    recognition.pages = pages
                    recognition.warnings.extend(self._page_disagrees(content, recognition, embedded.name))
                    return recognition
        words = extract_words(content, max_pages=self.limits.max_pages)
        if has_text_layer(words):
            recognition = self._extract(words, "pdf_text", pages, hints)
        else:
            try:
                recognition = self._read_scanned_pdf(content, pages, filename, hints)
            except VisualNeeded as needed:
                needed.warnings.extend(warnings)
                raise
        recognition.warnings.extend(warnings)
        return recognition

    def _page_disagrees(self, content: bytes, recognition: Recognition, name: str) -> list[str]:
        """A warning when a hybrid PDF's page shows neither the XML's invoice number nor its total.

        An attached XML does not always describe the page it travels with (public corpora hold such files);
        the XML still wins, but a person should look. Scanned pages (no text layer) are not judged.
        """
        words = extract_words(content, max_pages=self.limits.max_pages)
        if not has_text_layer(words):
            return []
        text = "".join(word.text for page in words for word in page.words)
        number = recognition.fields.invoice_number
        total = recognition.fields.total_incl_vat
        if number and "".join(number.split()) in text:
            return []
        if total is not None and any(form in text for form in _amount_forms(total)):
            return []
        return [
            f"The page does not show the invoice number or total of the embedded {name}; check that they belong together."
        ]

    def _extract(self, pages: list[PageWords], engine: Engine, count: int, hints: ReadingHints | None) -> Recognition:
        if not any(page.words for page in pages):
            raise refuse("no_text", "No text was found on the document (a blank page, or a scan too poor to read).")
        recognition = self.extractor(pages, engine=engine, hints=hints)
        recognition.pages = count
        return recognition

    # --- what differs per deployment -----------------------------------------------------------------

    @abstractmethod
    def _read_scanned_pdf(self, content: bytes, pages: int, filename: str,
                          hints: ReadingHints | None) -> Recognition:
        """Read a PDF without a usable text layer."""

    @abstractmethod
    def _read_image(self, content: bytes, pages: int, filename: str, hints: ReadingHints | None) -> Recognition:
        """Read a JPEG, PNG or (multi-page) TIFF."""


def flag_suspicious(recognition: Recognition, findings: tuple[str, ...]) -> Recognition:
    """Mark a recognition whose file carries active or hidden content: ``suspicious_content`` and a warning."""
    if not findings:
        return recognition
    listed = findings[0] if len(findings) == 1 else ", ".join(findings[:-1]) + " and " + findings[-1]
    detail = (f"The PDF contains {listed}. It was read as usual; open the original only as a download, "
              "never in a browser or a PDF viewer that runs scripts.")
    recognition.suspicious_content = detail
    recognition.warnings.append(f"suspicious_content: {detail}")
    return recognition


def too_much_memory() -> UnreadableDocument:
    """The refusal of a document whose reading ran out of the memory it may use."""
    return UnreadableDocument("Reading the document needed more memory than allowed (it expands to far more than an "
                              "invoice holds); refused for safety.", reason="too_much_memory")


def _amount_forms(amount: Decimal) -> set[str]:
    """How an amount may be printed, without spaces: 1234.56 -> 1234.56, 1234,56, 1.234,56, 1,234.56."""
    plain = f"{abs(amount):.2f}"
    grouped = f"{abs(amount):,.2f}"
    return {plain, plain.replace(".", ","), grouped, grouped.replace(",", "_").replace(".", ",").replace("_", ".")}


def _tiff_frames(content: bytes) -> list[bytes]:
    """Every frame of a multi-page TIFF as PNG bytes (the OCR engines read one image per call)."""
    frames: list[bytes] = []
    for page in _decoded_frames(content):
        buffer = io.BytesIO()
        page.save(buffer, format="PNG")
        frames.append(buffer.getvalue())
    return frames


def _tiff_as_pdf(content: bytes) -> bytes:
    """A multi-page TIFF as one PDF, for Textract's multi-page API (which reads PDFs and single TIFF pages)."""
    pages = _decoded_frames(content)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=200)
    return buffer.getvalue()


def _decoded_frames(content: bytes) -> list[Image.Image]:
    """Decode every frame (the intake already bounded their number and size); damaged pixel data is unreadable."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            pages = []
            for index in range(int(getattr(image, "n_frames", 1))):
                image.seek(index)
                pages.append(image.convert("RGB"))
            return pages
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # The header was fine at intake; the pixel data is cut off or corrupt ("image file is truncated").
        raise refuse("image_corrupt", f"The image is damaged: {exc}.") from exc


def _local_ocr() -> OcrEngine:
    # Imported when first needed: onnxruntime is heavy, and e-invoices and text PDFs never need it.
    from boekstuk.adapters.recognition.local_ocr import LocalOcr

    engine: OcrEngine = LocalOcr()
    return engine


class LocalRecognizer(_Chain):
    """The local stack's ``Recognizer``: e-invoice, PDF text layer, then local OCR (RapidOCR)."""

    def __init__(
        self,
        *,
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        ocr: OcrEngine | None = None,
        extractor: FieldExtractor | None = None,
        worker: RecognitionWorker | None = None,
    ) -> None:
        """``ignore_embedded_xml`` reads hybrid PDFs visually (to measure that path); ``ocr`` overrides the engine.

        With a ``worker``, ``ocr`` may only be a ``LocalOcr`` (the worker builds one with the same settings).
        """
        super().__init__(limits=limits, ignore_embedded_xml=ignore_embedded_xml, extractor=extractor, worker=worker)
        if worker is not None and ocr is not None and _ocr_settings(ocr) is None:
            raise ValueError("a recognition worker runs its own LocalOcr; it cannot run an injected OCR engine")
        self._ocr = ocr

    @property
    def ocr(self) -> OcrEngine:
        """The OCR engine, created on first use and then kept (its models load once per recognizer)."""
        if self._ocr is None:
            self._ocr = _local_ocr()
        return self._ocr

    def _worker_chain(self) -> dict[str, Any]:
        return {**super()._worker_chain(), "visual": "local",
                "ocr": _ocr_settings(self._ocr) if self._ocr is not None else None}

    def _read_scanned_pdf(self, content: bytes, pages: int, filename: str,
                          hints: ReadingHints | None) -> Recognition:
        return self._extract(self.ocr.words_from_pdf(content, max_pages=self.limits.max_pages), "local", pages, hints)

    def _read_image(self, content: bytes, pages: int, filename: str, hints: ReadingHints | None) -> Recognition:
        if pages <= 1:
            return self._extract([self.ocr.words_from_image(content)], "local", 1, hints)
        words = [
            self.ocr.words_from_image(frame).model_copy(update={"page": number})
            for number, frame in enumerate(_tiff_frames(content), start=1)
        ]
        return self._extract(words, "local", len(words), hints)


class TextractRecognizer(_Chain):
    """The AWS ``Recognizer``: e-invoice, PDF text layer, then Amazon Textract for images and scans.

    Textract's synchronous API reads one image or one PDF page from bytes; more pages must come from S3,
    so multi-page scans are handed to ``stage_in_s3`` first (the composition root passes a function that
    writes to the documents bucket). ``TextractEngine`` itself (words + AnalyzeExpense, merged by the shared
    extractor) is the sibling adapter in ``textract.py``; this class only decides when to call it.
    """

    def __init__(
        self,
        client: Any,
        *,
        stage_in_s3: S3Stager | None = None,
        limits: IntakeLimits = DEFAULT_LIMITS,
        ignore_embedded_xml: bool = False,
        extractor: FieldExtractor | None = None,
        engine: TextractEngine | None = None,
        worker: RecognitionWorker | None = None,
    ) -> None:
        """``client`` is a boto3 Textract client; ``engine`` overrides the ``TextractEngine`` built from it."""
        super().__init__(limits=limits, ignore_embedded_xml=ignore_embedded_xml, extractor=extractor, worker=worker)
        self._client = client
        self._engine = engine
        self._stage_in_s3 = stage_in_s3

    @property
    def engine(self) -> TextractEngine:
        """The Textract adapter, built on first use."""
        if self._engine is None:
            # Imported when first needed: trp and botocore are only wanted in the AWS deployment.
            from boekstuk.adapters.recognition.textract import TextractEngine

            self._engine = TextractEngine(self._client)
        return self._engine

    def _multi_page(self, content: bytes, filename: str, hints: ReadingHints | None) -> Recognition:
        if self._stage_in_s3 is None:
            # A wiring mistake, not a bad document: it is logged with a traceback by recognize().
            raise RuntimeError("TextractRecognizer needs stage_in_s3 to read scanned documents of several pages")
        bucket, key = self._stage_in_s3(content, filename)
        return self.engine.recognize_s3(bucket, key, hints=hints)

    def _worker_chain(self) -> dict[str, Any]:
        return {**super()._worker_chain(), "visual": "return"}

    def _read_scanned_pdf(self, content: bytes, pages: int, filename: str,
                          hints: ReadingHints | None) -> Recognition:
        recognition = (self.engine.recognize_bytes(content, hints=hints) if pages == 1
                       else self._multi_page(content, filename, hints))
        recognition.pages = pages
        return recognition

    def _read_image(self, content: bytes, pages: int, filename: str, hints: ReadingHints | None) -> Recognition:
        if pages <= 1:
            return self.engine.recognize_bytes(content, hints=hints)
        recognition = self._multi_page(_tiff_as_pdf(content), filename.rsplit(".", 1)[0] + ".pdf", hints)
        recognition.pages = pages
        return recognition

    def _read_visual(self, needed: VisualNeeded, filename: str, hints: ReadingHints | None) -> Recognition:
        content = needed.content or b""
        if needed.kind == "image":
            return self.engine.recognize_bytes(content, hints=hints)
        if needed.content is not None and not filename.lower().endswith(".pdf"):
            filename = filename.rsplit(".", 1)[0] + ".pdf"  # a multi-page TIFF the worker turned into a PDF
        return self._read_scanned_pdf(content, needed.pages, filename, hints)


class _VisualReturned(_Chain):
    """The worker side of ``TextractRecognizer``: everything up to the visual step, which is handed back."""

    def _read_scanned_pdf(self, content: bytes, pages: int, filename: str,
                          hints: ReadingHints | None) -> Recognition:
        raise VisualNeeded("pdf", pages)

    def _read_image(self, content: bytes, pages: int, filename: str, hints: ReadingHints | None) -> Recognition:
        if pages <= 1:
            raise VisualNeeded("image", 1)
        # Decoding the frames is work on hostile pixels: it happens here, in the worker.
        raise VisualNeeded("pdf", pages, _tiff_as_pdf(content))


def _ocr_settings(ocr: OcrEngine) -> dict[str, Any] | None:
    """The constructor arguments of a ``LocalOcr`` (``None`` for any other engine)."""
    from boekstuk.adapters.recognition.local_ocr import LocalOcr

    return ocr.settings() if isinstance(ocr, LocalOcr) else None


# --- the worker process's side -----------------------------------------------------------------------

_worker_chains: dict[str, _Chain] = {}


def _chain_for(spec: dict[str, Any]) -> _Chain:
    """The chain a worker request describes, built once per description (OCR models load once per worker)."""
    key = json.dumps(spec, sort_keys=True)
    chain = _worker_chains.get(key)
    if chain is None:
        limits = IntakeLimits.model_validate(spec["limits"])
        ignore = bool(spec["ignore_embedded_xml"])
        if spec["visual"] == "local":
            ocr: LocalOcr | None = None
            if spec.get("ocr") is not None:
                from boekstuk.adapters.recognition.local_ocr import LocalOcr

                ocr = LocalOcr(**spec["ocr"])
            chain = LocalRecognizer(limits=limits, ignore_embedded_xml=ignore, ocr=ocr)
        else:
            chain = _VisualReturned(limits=limits, ignore_embedded_xml=ignore)
        _worker_chains[key] = chain
    return chain


def handle_request(header: dict[str, Any], content: bytes) -> tuple[dict[str, Any], bytes]:
    """Answer one request in the worker process: a recognition, a refusal, or the visual step handed back."""
    try:
        hints = ReadingHints.model_validate(header["hints"]) if header.get("hints") else None
        recognition = _chain_for(header["chain"]).read(content, str(header["filename"]), header.get("content_type"),
                                                       hints)
    except VisualNeeded as needed:
        visual = {"kind": needed.kind, "pages": needed.pages, "converted": needed.content is not None,
                  "warnings": needed.warnings, "suspicious": list(needed.suspicious)}
        return {"visual": visual}, needed.content or b""
    except UnreadableDocument as exc:
        reason = exc.extra.get("reason", "engine_refused")
        # After running out of memory a process may be left in any state: this one is replaced.
        return {"unreadable": {"detail": exc.detail, "reason": reason}, "retire": reason == "too_much_memory"}, b""
    except MemoryError:
        return {"unreadable": {"detail": too_much_memory().detail, "reason": "too_much_memory"}, "retire": True}, b""
    except Exception as exc:  # noqa: BLE001 - a bug in the intake checks: logged here, a reason there
        failed = _Chain._engine_failed(exc, "document", str(header.get("filename")))
        return {"unreadable": {"detail": failed.detail, "reason": "engine_error"}}, b""
    return {"recognition": recognition.model_dump(mode="json")}, b""


def warm_up() -> None:
    """Load what the first document would otherwise wait for (the worker calls this before it says it is ready)."""
    from boekstuk.domain.extraction import warm_up as warm_up_extractor

    warm_up_extractor()
