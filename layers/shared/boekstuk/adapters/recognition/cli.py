"""``boekstuk recognize [--json] [--visual-only] [--workers N] [hints] FILE...``: read documents with the local chain.

Hints, as the pipeline gives them (they mark the parties; a page that does not show them reads as without):
``--buyer-name``, ``--buyer-vat``, ``--buyer-kvk``, ``--buyer-iban`` (the administration itself) and
``--suppliers FILE`` (its creditors: a JSON list of ``{"name", "vat_id", "kvk", "iban", "code"}``, or the API's
``GET .../suppliers`` answer ``{"suppliers": [...]}`` saved as it came).

With ``--json`` every file gives one JSON object on its own line of stdout, in the order given::

    {"file", "engine", "document_kind", "fields": {supplier_name, ..., vat_total}, "vat_lines", "line_items",
     "confidence", "buyer", "pages", "warnings", "seconds"}

and a file that cannot be read gives ``{"file", "error": {"code", "reason", "detail"}, "seconds"}`` while the
other files still run. Without ``--json`` a short human summary is printed. Exit code 0 unless the command
line itself is wrong (2). The recognizer (and so the OCR models) is built once per process.
Also runnable as ``python -m boekstuk.adapters.recognition.cli``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.extraction import warm_up
from boekstuk.domain.recognition import FIELD_NAMES, KnownParty, ReadingHints, Recognition

_worker_recognizer: LocalRecognizer | None = None  # one per worker process, built by the pool initializer
_worker_hints: ReadingHints | None = None


def result_json(file: str, recognition: Recognition, seconds: float) -> dict[str, Any]:
    """The CLI's JSON object for one recognised file."""
    data = recognition.model_dump(mode="json")
    return {
        "file": file,
        "engine": recognition.engine,
        "document_kind": recognition.document_kind,
        "fields": {name: data["fields"][name] for name in FIELD_NAMES},
        "vat_lines": data["vat_lines"],
        "line_items": data["line_items"],
        "confidence": data["confidence"],
        "amount_due": data["amount_due"],
        "buyer": data["buyer"],  # {name, vat_id, kvk} or null: the benchmark scores the buyer too
        "pages": recognition.pages,
        "warnings": recognition.warnings,
        "seconds": round(seconds, 3),
    }


def error_json(file: str, code: str, detail: str, reason: str | None, seconds: float) -> dict[str, Any]:
    """The CLI's JSON object for a file it could not read."""
    return {"file": file, "error": {"code": code, "reason": reason, "detail": detail}, "seconds": round(seconds, 3)}


def recognize_file(recognizer: LocalRecognizer, path: str, hints: ReadingHints | None = None) -> dict[str, Any]:
    """Read one file from disk and recognise it (with ``hints``, if any); never raises for a bad file."""
    started = time.perf_counter()
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        return error_json(path, "file_not_readable", f"The file cannot be opened: {exc.strerror or exc}.", None, 0.0)
    try:
        # Without hints the recognizer is called as any ``Recognizer`` is (wrappers may not take hints).
        recognition = (recognizer.recognize(content, Path(path).name) if hints is None
                       else recognizer.recognize(content, Path(path).name, None, hints))
    except UnreadableDocument as exc:
        return error_json(path, exc.code, exc.detail, exc.extra.get("reason"), time.perf_counter() - started)
    return result_json(path, recognition, time.perf_counter() - started)


def _recognizer(visual_only: bool, workers: int) -> LocalRecognizer:
    # The workers share the cores: one OCR thread each unless there are cores to spare. More threads than
    # cores makes onnxruntime's threads spin against each other (measured: about 3x slower per document).
    from boekstuk.adapters.recognition.local_ocr import LocalOcr

    threads = max(1, (os.cpu_count() or 1) // workers)
    # Load the extractor's lazy imports before the first file is timed (as invoice2data loads its templates
    # before its first file); the OCR models still load on the first scan.
    warm_up()
    return LocalRecognizer(ignore_embedded_xml=visual_only, ocr=LocalOcr(threads=threads))


def _init_worker(visual_only: bool, workers: int, hints: ReadingHints | None) -> None:
    global _worker_recognizer, _worker_hints
    _worker_recognizer = _recognizer(visual_only, workers)
    _worker_hints = hints


def _recognize_in_worker(path: str) -> dict[str, Any]:
    assert _worker_recognizer is not None, "pool initializer did not run"
    return recognize_file(_worker_recognizer, path, _worker_hints)


def _results(files: Sequence[str], *, visual_only: bool, workers: int,
             hints: ReadingHints | None = None) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(files) <= 1:
        recognizer = _recognizer(visual_only, 1)
        for path in files:
            yield recognize_file(recognizer, path, hints)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(visual_only, workers, hints)) as pool:
        # map() keeps the input order, so the output lines follow the command line.
        yield from pool.map(_recognize_in_worker, files)


def _summary(result: dict[str, Any]) -> str:
    if "error" in result:
        error = result["error"]
        return f"{result['file']}: UNREADABLE ({error.get('reason') or error['code']}) {error['detail']}"
    f = result["fields"]
    parts = [
        f"[{result['engine']}]",
        f"{result['document_kind']}",
        f"supplier={f['supplier_name'] or '?'}",
        f"number={f['invoice_number'] or '?'}",
        f"date={f['invoice_date'] or '?'}",
        f"total={f['total_incl_vat'] or '?'} {f['currency'] or ''}".rstrip(),
        f"vat={f['vat_total'] or '?'}",
        f"({result['seconds']:.2f} s)",
    ]
    return f"{result['file']}: " + " ".join(parts)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``boekstuk recognize``."""
    parser = argparse.ArgumentParser(prog="boekstuk recognize", description="Recognise invoices and receipts locally.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="PDF, JPEG, PNG, TIFF or UBL/CII XML files")
    parser.add_argument("--json", action="store_true", help="one JSON object per file per line")
    parser.add_argument(
        "--visual-only", action="store_true", help="ignore XML embedded in PDFs (measure the text/OCR path)"
    )
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="files in parallel processes (default 1)")
    hints = parser.add_argument_group("hints", "what the pipeline knows: the administration (buyer) and its suppliers")
    hints.add_argument("--buyer-name", metavar="NAME", help="the administration's own name")
    hints.add_argument("--buyer-vat", metavar="VAT_ID", help="the administration's own VAT id")
    hints.add_argument("--buyer-kvk", metavar="KVK", help="the administration's own KvK number")
    hints.add_argument("--buyer-iban", metavar="IBAN", help="the administration's own IBAN")
    hints.add_argument("--suppliers", type=Path, metavar="FILE",
                       help='JSON: [{"name", "vat_id", "kvk", "iban", "code"}, ...] or {"suppliers": [...]}')
    return parser


def hints_from(args: argparse.Namespace) -> ReadingHints | None:
    """The hints the command line gives (``None`` for none); ``ValueError`` for a suppliers file it cannot use."""
    buyer = KnownParty(name=args.buyer_name, vat_id=args.buyer_vat, kvk=args.buyer_kvk, iban=args.buyer_iban)
    suppliers: list[KnownParty] = []
    if args.suppliers is not None:
        try:
            data = json.loads(args.suppliers.read_text(encoding="utf-8"))
            listed = data["suppliers"] if isinstance(data, dict) else data
            suppliers = [KnownParty.model_validate(item, strict=False) for item in listed]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"--suppliers {args.suppliers}: {exc}") from exc
    has_buyer = any(getattr(buyer, f) for f in ("name", "vat_id", "kvk", "iban"))
    if not has_buyer and not suppliers:
        return None
    return ReadingHints(buyer=buyer if has_buyer else None, suppliers=suppliers)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run ``boekstuk recognize``; ``argv`` may start with the word ``recognize``. Returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "recognize":
        args_list = args_list[1:]
    stream = out or sys.stdout
    try:
        args = build_parser().parse_args(args_list)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    if args.workers < 1:
        print("boekstuk recognize: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        hints = hints_from(args)
    except ValueError as exc:
        print(f"boekstuk recognize: {exc}", file=sys.stderr)
        return 2
    for result in _results(args.files, visual_only=args.visual_only, workers=args.workers, hints=hints):
        line = json.dumps(result, ensure_ascii=False) if args.json else _summary(result)
        print(line, file=stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
