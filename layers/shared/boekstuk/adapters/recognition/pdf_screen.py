"""A first look at a PDF's raw bytes, before any PDF library opens it: decompression bombs and active content.

Decompression bombs: every zlib (FlateDecode) stream is inflated and *counted*, never kept, in pieces of a
few MB, through nested Flate layers (``[/FlateDecode /FlateDecode]`` turns a few KB into gigabytes), and
stops as soon as one stream or all streams together pass the intake limits. pdfium would otherwise inflate
a 1 MB file into 1 GB of memory while reading its text. Streams under other filters (LZW, JBIG2, ...) are
not counted here; the memory limit of the worker process that reads documents (``isolation``) bounds those.

Active or hidden content: JavaScript, actions that run by themselves (``/AA``), program launches, embedded
files, and data outside the PDF (before its header or after its last ``%%EOF``: a ZIP appended to a PDF
makes a file that is both). A quick scan of the bytes (including every inflated stream, so names inside
compressed object streams are seen, and names spelled with ``#xx`` escapes) finds candidates; only then does
pdfminer walk the objects to confirm them and say what they do, so an ordinary invoice costs no parse.
Such a document is still read; what was found travels with the recognition as a warning.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from typing import Any, Final

from boekstuk.adapters.recognition.limits import MB, IntakeLimits
from boekstuk.domain.errors import UnreadableDocument

_STREAM: Final = re.compile(rb">>[\x00\t\n\f\r ]*stream(?:\r\n|\n|\r)")
"""The keyword that starts stream data: it always follows the stream's dictionary."""

_IN_PIECE: Final = 64 * 1024
_OUT_PIECE: Final = 4 * MB
_MAX_LAYERS: Final = 8

_DELIMITER: Final = rb"\x00\t\n\f\r /<>\[\]()%{}"
_ACTIVE_NAMES: Final = {"JS", "JavaScript", "AA", "Launch", "FileAttachment"}
_NAME: Final = re.compile(rb"/(JS|JavaScript|AA|Launch|FileAttachment)(?=[" + _DELIMITER + rb"]|\Z)")
_ESCAPED_NAME: Final = re.compile(rb"/([^" + _DELIMITER + rb"]*#[0-9A-Fa-f]{2}[^" + _DELIMITER + rb"]*)")
_NAME_OVERLAP: Final = 256  # a name cut by a piece boundary is seen whole in the next piece

_PDF_SYNTAX: Final = re.compile(rb"\d+\s+\d+\s+obj\b|\bxref\b|\btrailer\b|\bstartxref\b")
_WHITESPACE: Final = b"\x00\t\n\f\r "

_DESCRIPTIONS: Final = {  # in the order a finding is told
    "JS": "JavaScript",
    "JavaScript": "JavaScript",
    "open": "an action that runs as soon as the document is opened (/OpenAction)",
    "AA": "actions that run by themselves when a page or form field is opened or closed (/AA)",
    "Launch": "a command that starts a program or opens a file (/Launch)",
    "FileAttachment": "a file attached to a page (/FileAttachment)",
}


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class _Inflater:
    """One zlib layer of a stream: inflates in bounded pieces, counts, and feeds a nested layer when there is one."""

    def __init__(self, limit: int, depth: int, sink: Callable[[bytes], None]) -> None:
        self._zlib = zlib.decompressobj()
        self._limit = limit
        self._depth = depth
        self._sink = sink
        self._inner: _Inflater | None = None
        self.size = 0

    def feed(self, data: bytes | memoryview) -> None:
        """Inflate ``data``; raises ``zlib.error`` on data that is not (or no longer) zlib, ``_TooLarge`` past the limit."""
        while data and not self._zlib.eof:
            out = self._zlib.decompress(data, _OUT_PIECE)
            data = self._zlib.unconsumed_tail
            if out:
                self._emit(out)

    @property
    def decoded(self) -> int:
        """Bytes out of the innermost layer that still decodes (what a reader ends up holding)."""
        return self._inner.decoded if self._inner is not None else self.size

    def _emit(self, out: bytes) -> None:
        if self.size == 0 and self._depth < _MAX_LAYERS and _is_zlib(out):
            self._inner = _Inflater(self._limit, self._depth + 1, self._sink)
        self.size += len(out)
        if self.size > self._limit:
            raise _TooLarge(self.size)
        if self._inner is not None:
            try:
                self._inner.feed(out)
                return
            except zlib.error:
                self._inner = None  # it only looked like a nested layer; this layer is the content
        self._sink(out)


def _is_zlib(data: bytes) -> bool:
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and (data[0] << 8 | data[1]) % 31 == 0


def _streams(content: bytes) -> list[tuple[int, int]]:
    """(start, end) of every stream's data, end at its ``endstream`` (or the end of the file)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while match := _STREAM.search(content, position):
        start = match.end()
        end = content.find(b"endstream", start)
        end = len(content) if end < 0 else end
        spans.append((start, end))
        position = end
    return spans


def check_streams(content: bytes, limits: IntakeLimits, on_decoded: Callable[[bytes], None] | None = None) -> None:
    """Inflate and count every zlib stream of a PDF; refuse it when one, or all together, expand past the limits.

    ``on_decoded`` sees every inflated piece (for the active-content scan). Memory stays at a few MB.
    """
    view = memoryview(content)
    total = 0
    for start, end in _streams(content):
        if not _is_zlib(content[start:start + 2]):
            continue  # JPEG, CCITT, JBIG2, encrypted or plain data: nothing to inflate here
        budget = min(limits.max_stream_bytes, limits.max_inflated_bytes - total)
        inflater = _Inflater(budget, 1, on_decoded or _ignore)
        try:
            for piece in range(start, end, _IN_PIECE):
                inflater.feed(view[piece:min(piece + _IN_PIECE, end)])
        except zlib.error:
            pass  # damaged or not zlib after all: pdfium decides what it makes of it
        except _TooLarge as exc:
            if budget == limits.max_stream_bytes:
                raise UnreadableDocument(
                    f"A compressed part of the PDF ({_size(end - start)} in the file) expands to more than "
                    f"{_size(limits.max_stream_bytes)}; no invoice holds that much, so the PDF is refused for safety.",
                    reason="decompression_bomb",
                ) from exc
            raise UnreadableDocument(
                f"The compressed parts of the PDF together expand to more than {_size(limits.max_inflated_bytes)}; "
                "no invoice holds that much, so the PDF is refused for safety.",
                reason="decompression_bomb",
            ) from exc
        total += inflater.decoded


def _ignore(_: bytes) -> None:
    return None


def _size(count: int) -> str:
    return f"{count / MB:.0f} MB" if count >= MB else f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"


# --- active and hidden content -----------------------------------------------------------------------


class _NameScan:
    """Collects the candidate active-content names in pieces of bytes (raw file and inflated streams)."""

    def __init__(self) -> None:
        self.found: set[str] = set()
        self._tail = b""

    def __call__(self, piece: bytes) -> None:
        data = self._tail + piece if self._tail else piece
        self.found.update(match.decode("ascii") for match in _NAME.findall(data))
        if b"#" in data:
            for escaped in _ESCAPED_NAME.findall(data):
                name = _unescape(escaped)
                if name in _ACTIVE_NAMES:
                    self.found.add(name)
        self._tail = bytes(data[-_NAME_OVERLAP:])

    def end_of_stream(self) -> None:
        self._tail = b""


def _unescape(name: bytes) -> str:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name).decode("latin-1")


def screen_pdf(content: bytes, limits: IntakeLimits) -> list[str]:
    """Refuse decompression bombs; return what active or hidden content the PDF carries, in plain words.

    An empty list for an ordinary PDF. Refusals are ``UnreadableDocument`` (``decompression_bomb``,
    ``pdf_truncated``, ``polyglot``).
    """
    findings = _outside_the_pdf(content)
    scan = _NameScan()
    scan(content)
    scan.end_of_stream()
    check_streams(content, limits, scan)
    if scan.found:
        confirmed = _confirmed(content)
        findings[:0] = _described(scan.found) if confirmed is None else confirmed
    return list(dict.fromkeys(findings))


# What makes a browser (or a mail client) treat bytes as a web page: tags it renders or runs.
_WEB_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|a\s)", re.I)


def _outside_the_pdf(content: bytes) -> list[str]:
    """Data before the ``%PDF-`` header or after the last ``%%EOF``; refuses a PDF cut off in the middle."""
    findings: list[str] = []
    header = content.find(b"%PDF-")
    before = content[:max(header, 0)]
    if _WEB_MARKUP.search(before):
        # No invoice software writes markup before the header; a browser shown this file renders a page with
        # script. A PDF that is also a web page is made to be both: refused, not read with a warning.
        raise UnreadableDocument("The file is a web page (HTML) and a PDF at once: such a polyglot is refused.",
                                 reason="polyglot")
    if before.strip(_WHITESPACE):
        findings.append(f"{_size(header)} of other data before the start of the PDF")
    end = content.rfind(b"%%EOF")
    tail = content[end + 5:].strip(_WHITESPACE) if end >= 0 else b""
    # pdfium silently rebuilds a cut-off file from what is left; a missing end marker betrays the cut. PDF
    # objects after the last marker are an incremental update that was cut off, not something appended.
    if end < 0 or _PDF_SYNTAX.search(tail):
        raise UnreadableDocument("The PDF is incomplete (truncated): its end-of-file marker is missing.",
                                 reason="pdf_truncated")
    if tail:
        what = "a ZIP archive" if tail.startswith(b"PK\x03\x04") else "other data"
        findings.append(f"{_size(len(content) - end - 5)} after the end of the PDF ({what})")
    return findings


def _confirmed(content: bytes) -> list[str] | None:
    """What the PDF's objects really hold, read by pdfminer; ``None`` when pdfminer cannot read the structure."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(content)))
        found: set[str] = set()
        seen: set[int] = set()
        for xref in document.xrefs:
            for objid in xref.get_objids():
                if objid in seen:
                    continue
                seen.add(objid)
                try:
                    _visit(document.getobj(objid), found, 0)
                except Exception:  # noqa: BLE001 - one damaged object does not hide the others
                    continue
        action = _resolve(document.catalog.get("OpenAction"))
        if isinstance(action, dict) and _name(action.get("S")) in ("JavaScript", "Launch"):
            found.add("open")
    except Exception:  # noqa: BLE001 - pdfminer gives up on damaged files in many ways; the scan stands then
        return None
    return _described(found)


def _described(names: set[str]) -> list[str]:
    return list(dict.fromkeys(text for name, text in _DESCRIPTIONS.items() if name in names))


def _visit(obj: Any, found: set[str], depth: int) -> None:
    from pdfminer.pdftypes import PDFStream

    if depth > 32:
        return
    if isinstance(obj, PDFStream):
        obj = obj.attrs
    if isinstance(obj, dict):
        if "JS" in obj or _name(obj.get("S")) == "JavaScript" or "JavaScript" in obj:
            found.add("JavaScript")
        if _name(obj.get("S")) == "Launch":
            found.add("Launch")
        if "AA" in obj:
            found.add("AA")
        if _name(obj.get("Subtype")) == "FileAttachment":
            found.add("FileAttachment")
        values: Any = obj.values()
    elif isinstance(obj, list):
        values = obj
    else:
        return
    for value in values:
        _visit(value, found, depth + 1)


def _resolve(obj: Any) -> Any:
    from pdfminer.pdftypes import resolve1

    return resolve1(obj)


def _name(obj: Any) -> str | None:
    from pdfminer.psparser import PSLiteral

    return obj.name if isinstance(obj, PSLiteral) and isinstance(obj.name, str) else None
