"""Score the field extractor on stored OCR words: extractor changes measured in seconds, not in a 13-minute run.

    python bench/extractor_replay.py [--data DIR] [--count 168] [--only SOURCE] [--misses] [--workers 2]
                                     [--ocr KEY=VALUE ...] [--dump FILE.jsonl] [--families tune|held_out|NAMES]

Every visual document of ``bench/recognition.py`` (the dev set's text PDFs, hybrid PDFs read visually, images
and scans, plus the generated Dutch set) goes through ``LocalRecognizer`` with the real ``LocalOcr`` behind a
cache: the words OCR returns for a file are stored in ``bench/out/ocr-cache/<settings>/<sha256>.json`` the first
time and read back afterwards. Text PDFs are never cached (their words come from pdfium in milliseconds). The
scoring is ``bench/recognition.py``'s, so the accuracy printed here is the accuracy the full benchmark reports
for the same OCR output; the full benchmark stays the measure of record (it also times and runs invoice2data).

``--ocr dpi=200 --ocr max_side=2000`` passes settings to ``LocalOcr`` (each setting combination has its own
cache) to compare OCR settings on accuracy. ``--misses`` lists every wrong field with what was read.
``--dump FILE.jsonl`` writes every document's whole ``Recognition`` (fields, confidence, sources, VAT lines, line
items, buyer, warnings; or its refusal), one JSON line per document in a fixed order and without timings, so two
runs can be compared field by field (``diff``) before and after a change that must not change results.

``--families tune`` replaces the generated set by the layout-family set of those families (the full run's
documents and seeds, ``bench/recognition.py --families``) and also scores the VAT split per document; a
held-out family's misses are not listed (``--misses`` lists tune families' only): they are measured, not read.
``--first-seed 90000 --shape 2,4,2`` draws other documents of the same families (a development set: new misses
to learn from without reading the benchmark's own documents again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recognition import (  # noqa: E402  (bench scripts import each other by path)
    CLI_NAMES,
    OUT,
    VISUAL_TYPES,
    Doc,
    find_data_dir,
    generate,
    generate_families,
    load_dev,
    ours_fields,
    score,
    score_vat_split,
    select_families,
    side_of,
)

from boekstuk.adapters.recognition.chain import LocalRecognizer  # noqa: E402
from boekstuk.adapters.recognition.cli import recognize_file  # noqa: E402
from boekstuk.adapters.recognition.local_ocr import LocalOcr  # noqa: E402
from boekstuk.domain.recognition import PageWords  # noqa: E402

CACHE = OUT / "ocr-cache"


class CachedOcr:
    """``LocalOcr`` with its words stored per file content and settings (an ``OcrEngine`` for the chain)."""

    def __init__(self, settings: dict[str, Any], threads: int) -> None:
        self.engine = LocalOcr(**{"threads": threads, **settings})
        label = ",".join(f"{k}={v}" for k, v in sorted(settings.items()) if k != "threads") or "default"
        # The reading's version too: words cached before a change to how pages are read would replay old OCR.
        self.folder = CACHE / f"reading-{LocalOcr.READING}" / label
        self.folder.mkdir(parents=True, exist_ok=True)

    def _cached(self, content: bytes, read: Any) -> list[PageWords]:
        path = self.folder / f"{hashlib.sha256(content).hexdigest()}.json"
        if path.exists():
            return [PageWords.model_validate(page) for page in json.loads(path.read_text())]
        pages: list[PageWords] = read()
        path.write_text(json.dumps([page.model_dump(mode="json") for page in pages]))
        return pages

    def words_from_image(self, content: bytes) -> PageWords:
        """The cached words of one image."""
        return self._cached(content, lambda: [self.engine.words_from_image(content)])[0]

    def words_from_pdf(self, content: bytes, *, max_pages: int) -> list[PageWords]:
        """The cached words of a scanned PDF."""
        return self._cached(content, lambda: self.engine.words_from_pdf(content, max_pages=max_pages))


class _Recording:
    """A recognizer that keeps the last ``Recognition`` it returned (the CLI's JSON leaves sources and buyer out)."""

    def __init__(self, recognizer: LocalRecognizer) -> None:
        self.recognizer = recognizer
        self.last: dict[str, Any] | None = None

    def recognize(self, content: bytes, filename: str, content_type: str | None = None) -> Any:
        """Recognise and remember the whole result."""
        self.last = None
        recognition = self.recognizer.recognize(content, filename, content_type)
        self.last = recognition.model_dump(mode="json")
        return recognition


_recognizers: dict[bool, _Recording] = {}


def _init(settings: dict[str, Any], threads: int) -> None:
    ocr = CachedOcr(settings, threads)
    _recognizers[False] = _Recording(LocalRecognizer(ocr=ocr))
    _recognizers[True] = _Recording(LocalRecognizer(ocr=ocr, ignore_embedded_xml=True))


def _one(job: tuple[str, bool]) -> dict[str, Any]:
    path, visual_only = job
    recording = _recognizers[visual_only]
    result = recognize_file(recording, path)  # type: ignore[arg-type]  # duck-typed: only recognize() is used
    result["recognition"] = recording.last
    return result


def dump_line(doc: Doc, visual_only: bool, result: dict[str, Any]) -> str:
    """One document's whole result as a JSON line, without timings (``--dump``)."""
    outcome = {"recognition": result["recognition"]} if "error" not in result else {"error": result["error"]}
    return json.dumps({"source": doc.source, "file": doc.path.name, "visual_only": visual_only, **outcome},
                      sort_keys=True, ensure_ascii=False)


def _setting(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def main(argv: Iterable[str] | None = None) -> int:
    """Replay the extractor over the cached OCR words and print accuracy per source and type."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="dev set folder")
    parser.add_argument("--count", type=int, default=168, help="generated documents (default 168, as the full run)")
    parser.add_argument("--only", help="only sources whose name contains this")
    parser.add_argument("--misses", action="store_true", help="list every wrong field")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ocr", action="append", default=[], metavar="KEY=VALUE", help="a LocalOcr setting")
    parser.add_argument("--dump", type=Path, metavar="FILE", help="write every document's whole result (JSON lines)")
    parser.add_argument("--families", metavar="SIDE|NAMES", help="the layout-family set of these families instead")
    parser.add_argument("--first-seed", type=int, default=1000,
                        help="with --families: other seeds (a development set of tune families: 90000)")
    parser.add_argument("--shape", default="6,2,2", metavar="PDFS,SCANS,SCAN_PDFS",
                        help="with --families: documents per family (default as the full run)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    settings = dict(_setting(s) for s in args.ocr)

    data = find_data_dir(args.data)
    pdfs, scans, scan_pdfs = (int(n) for n in args.shape.split(","))
    generated = (generate_families(OUT / f"generated-families-{args.first_seed}", families=select_families(args.families),
                                   pdfs=pdfs, scans=scans, scan_pdfs=scan_pdfs, first_seed=args.first_seed)
                 if args.families else generate(args.count, OUT / "generated"))
    docs: list[Doc] = (load_dev(data, None) if data and not args.families else []) + generated
    docs = [d for d in docs if d.doc_type in VISUAL_TYPES and (not args.only or args.only in d.source)]
    jobs = [(str(d.path), d.doc_type == "hybrid_pdf") for d in docs]
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init,
                             initargs=(settings, max(1, (os.cpu_count() or 1) // args.workers))) as pool:
        results = list(pool.map(_one, jobs, chunksize=4))

    totals: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    for doc, result in zip(docs, results, strict=True):
        predicted = ours_fields(result)
        marks = score(doc, "visual", predicted)
        totals[f"{doc.source} | {doc.doc_type}"] += marks.values()
        totals[f"all | {doc.doc_type}"] += marks.values()
        vat = score_vat_split(doc.truth["fields"].get("vat_breakdown"),
                              None if "error" in result else result.get("vat_lines"))
        visible = (doc.truth.get("visual_check") or {}).get("vat_lines_in_text") is not False
        if vat is not None and visible:
            totals[f"VAT split | {doc.doc_type}"].append(vat.right)
        listed = side_of(doc) != "held_out"  # held-out families are measured, never read
        if vat is not None and visible and not vat.right and listed:
            got = [(v["rate"], v["base"], v["amount"]) for v in result.get("vat_lines") or []]
            misses.append(f"{doc.path.name:40} {'vat split':15} truth={doc.truth['fields'].get('vat_breakdown')!r} "
                          f"got={got!r}")
        for name, ok in marks.items():
            if not ok and listed:
                got = (predicted or {}).get(name) if predicted else result.get("error", {}).get("code")
                misses.append(f"{doc.path.name:40} {name:15} truth={doc.truth['fields'][name]!r:40} got={got!r}")
    if args.misses:
        print("\n".join(misses))
    if args.dump:
        args.dump.write_text("".join(dump_line(doc, visual_only, result) + "\n"
                                     for doc, (_, visual_only), result in zip(docs, jobs, results, strict=True)))
    for key in sorted(totals):
        marks_list = totals[key]
        print(f"{key:50} {sum(marks_list):5}/{len(marks_list):<5} {100 * sum(marks_list) / len(marks_list):6.1f}%")
    print(f"settings: {settings or 'default'}; fields named as in the dev set ({CLI_NAMES})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
