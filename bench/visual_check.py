"""Dev tool: accuracy and speed of the visual path (PDF text layer, local OCR + the field extractor).

Reads the dev set's third-party ground truth (``/work/shared/data/dev/*/ground_truth.jsonl`` by default) and
scores the key fields per source and document type. Hybrid PDFs are read through their visible layer only
(the embedded XML is ignored). Fields the ground truth does not annotate, or that the page does not show
(``visual_check.<field>_in_text == false``), are not scored.

    .venv/bin/python bench/visual_check.py                 # text PDFs + PNG renderings + SROIE receipts
    .venv/bin/python bench/visual_check.py --only text     # just the text-layer path (fast)
    .venv/bin/python bench/visual_check.py --speed         # pypdfium2 vs pdfplumber words per page
    .venv/bin/python bench/visual_check.py --ocr-pdfs      # also OCR the rendered text PDFs
    .venv/bin/python bench/visual_check.py -v              # print every miss
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from boekstuk.adapters.recognition.local_ocr import LocalOcr
from boekstuk.adapters.recognition.pdf_text import extract_words
from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.extraction.parse import parse_date
from boekstuk.domain.recognition import PageWords, Recognition

DATA = Path("/work/shared/data/dev")
SOURCES = ("invoice2data", "zugferd-corpus", "sroie-icdar2019")
# ground-truth key -> (our field, kind)
FIELDS = {
    "supplier_name": ("supplier_name", "name"),
    "supplier_vat": ("supplier_vat_id", "id"),
    "invoice_number": ("invoice_number", "id"),
    "invoice_date": ("invoice_date", "date"),
    "due_date": ("due_date", "date"),
    "total_incl_vat": ("total_incl_vat", "money"),
    "total_excl_vat": ("total_excl_vat", "money"),
    "vat_total": ("vat_total", "money"),
    "iban": ("supplier_iban", "iban"),
    "currency": ("currency", "id"),
}
SROIE_FIELDS = ("supplier_name", "invoice_date", "total_incl_vat")
CPU: dict[str, list[float]] = {"pdf_text": [], "local": []}
"""CPU seconds per page (all threads): on a shared, loaded machine wall time says little; CPU / cores does."""


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _money(value: Any) -> Decimal | None:
    if value is None:
        return None
    text = re.sub(r"[^0-9.,-]", "", str(value))
    return Decimal(text.replace(",", "")).quantize(Decimal("0.01")) if text else None


def matches(kind: str, expected: Any, got: str | None) -> bool:
    """Whether a recognised value equals the ground truth (names: normalised, fuzzy >= 90)."""
    if got is None:
        return False
    if kind == "name":
        return _norm(str(expected)) == _norm(got) or fuzz.token_set_ratio(str(expected).lower(), got.lower()) >= 90
    if kind == "date":
        iso = str(expected) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(expected)) else None
        if iso is None:
            parsed = parse_date(str(expected))
            iso = parsed.isoformat() if parsed else None
        return iso == got
    if kind == "money":
        return _money(expected) == _money(got)
    if kind == "iban":
        options = expected if isinstance(expected, list) else [expected]
        return any(_norm(str(o)) == _norm(got) for o in options)
    return _norm(str(expected)) == _norm(got)


def load(sources: tuple[str, ...]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for source in sources:
        for row in (DATA / source / "ground_truth.jsonl").read_text().splitlines():
            doc = json.loads(row)
            doc["path"] = DATA / source / doc["file"]
            docs.append(doc)
    return docs


def recognise(doc: dict[str, Any], ocr: LocalOcr, ocr_pdfs: bool) -> tuple[Recognition, float, int, str]:
    content = doc["path"].read_bytes()
    start = time.perf_counter()
    cpu_start = time.process_time()
    pages: list[PageWords]
    if doc["doc_type"] in ("text_pdf", "hybrid_pdf") and not ocr_pdfs:
        pages, engine = extract_words(content, max_pages=10), "pdf_text"
    elif doc["doc_type"] in ("text_pdf", "hybrid_pdf"):
        pages, engine = ocr.words_from_pdf(content, max_pages=10), "local"
    else:
        pages, engine = [ocr.words_from_image(content)], "local"
    words_time = time.perf_counter() - start
    CPU[engine].append((time.process_time() - cpu_start) / max(len(pages), 1))
    recognition = extract_fields(pages, engine=engine)
    return recognition, words_time, len(pages), engine


def score(docs: list[dict[str, Any]], ocr_pdfs: bool, verbose: bool) -> None:
    ocr = LocalOcr()
    per_group: dict[str, list[int]] = {}
    per_field: dict[str, list[int]] = {}
    times: dict[str, list[float]] = {"pdf_text": [], "local": []}
    for doc in docs:
        if doc["doc_type"] not in ("text_pdf", "hybrid_pdf", "raster_image", "scanned_image"):
            continue
        recognition, words_time, pages, engine = recognise(doc, ocr, ocr_pdfs)
        times[engine].append(words_time / max(pages, 1))
        group = f"{doc['source']} {doc['doc_type']}{' (ocr)' if engine == 'local' else ''}"
        hits = per_group.setdefault(group, [0, 0])
        fields = recognition.fields.model_dump(mode="json")
        visual = doc.get("visual_check") or {}
        for gt_key, (ours, kind) in FIELDS.items():
            expected = doc["fields"].get(gt_key)
            if expected in (None, [], "") or gt_key in doc.get("not_annotated", []):
                continue
            if doc["source"] == "sroie-icdar2019" and ours not in SROIE_FIELDS:
                continue
            if visual.get(f"{gt_key}_in_text") is False:
                continue
            ok = matches(kind, expected, fields.get(ours))
            hits[0] += ok
            hits[1] += 1
            field_hits = per_field.setdefault(f"{doc['source']}:{ours}", [0, 0])
            field_hits[0] += ok
            field_hits[1] += 1
            if verbose and not ok:
                print(f"  MISS {doc['path'].name:45} {ours:16} expected {expected!r:40} got {fields.get(ours)!r}")
        if verbose:
            print(f"{doc['path'].name}: kind={recognition.document_kind} warnings={recognition.warnings}")
    print("\naccuracy per source and document type (key fields the page shows)")
    total = [0, 0]
    for group, (ok, n) in sorted(per_group.items()):
        print(f"  {group:42} {ok:4}/{n:<4} {100 * ok / max(n, 1):5.1f} %")
        total[0] += ok
        total[1] += n
    print(f"  {'all':42} {total[0]:4}/{total[1]:<4} {100 * total[0] / max(total[1], 1):5.1f} %")
    print("\naccuracy per field")
    for name, (ok, n) in sorted(per_field.items()):
        print(f"  {name:42} {ok:4}/{n:<4} {100 * ok / max(n, 1):5.1f} %")
    print("\nspeed (wall seconds per page, words only; extractor separately)")
    for engine, values in times.items():
        if values:
            print(f"  {engine:10} wall median {statistics.median(values):.3f}  max {max(values):.3f}  n={len(values)}"
                  f"   cpu median {statistics.median(CPU[engine]):.3f}  max {max(CPU[engine]):.3f}")


def speed(docs: list[dict[str, Any]]) -> None:
    """Words per page: pypdfium2 (what we use) against pdfplumber."""
    import pdfplumber

    ours: list[float] = []
    plumber: list[float] = []
    for doc in docs:
        if doc["doc_type"] not in ("text_pdf", "hybrid_pdf"):
            continue
        content = doc["path"].read_bytes()
        start = time.perf_counter()
        pages = extract_words(content, max_pages=10)
        ours.append((time.perf_counter() - start) / max(len(pages), 1))
        start = time.perf_counter()
        import io

        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages[:10]:
                page.extract_words()
            count = min(len(pdf.pages), 10)
        plumber.append((time.perf_counter() - start) / max(count, 1))
    print(f"pypdfium2  median {1000 * statistics.median(ours):.1f} ms/page  max {1000 * max(ours):.1f}")
    print(f"pdfplumber median {1000 * statistics.median(plumber):.1f} ms/page  max {1000 * max(plumber):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("text", "ocr", "all"), default="all")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--ocr-pdfs", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    docs = load(SOURCES)
    if args.speed:
        speed(docs)
        return 0
    if args.only == "text":
        docs = [d for d in docs if d["doc_type"] in ("text_pdf", "hybrid_pdf")]
    elif args.only == "ocr":
        docs = [d for d in docs if d["doc_type"] in ("raster_image", "scanned_image")]
    score(docs, args.ocr_pdfs, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
