"""Recognition accuracy and speed: our local chain (the ``boekstuk recognize`` CLI) against invoice2data.

    python bench/recognition.py [--data DIR] [--count N] [--quick] [--workers 2] [--no-invoice2data] [--no-readme]

Runs over the dev set (``/work/shared/data/dev`` or ``../shared/data/dev`` next to the repo, skipped when
absent) and over a fixed generated Dutch set (``boekstuk_local.samples.generate_set``, seeds from 1000). Scores
each field against the ground truth per source and document type, reports median seconds per document and
per page, writes raw JSON to ``bench/out/`` and the Markdown tables into ``bench/README.md`` between markers.
See bench/README.md for the scoring rules and the invoice2data setup.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
README = REPO / "bench" / "README.md"
DEFAULT_DATA = Path("/work/shared/data/dev")
GENERATED_SOURCE = "boekstuk-samples"
NAME_THRESHOLD = 85  # rapidfuzz ratio (0-100) on normalised names: tolerates an OCR slip or two, not another firm
MARK_BEGIN, MARK_END = "<!-- recognition-results:begin -->", "<!-- recognition-results:end -->"

# Scored fields in the dev set's names; the CLI's names differ for two of them.
FIELDS = ("supplier_name", "supplier_vat", "supplier_kvk", "iban", "invoice_number", "invoice_date", "due_date",
          "currency", "total_incl_vat", "total_excl_vat", "vat_total")
CLI_NAMES = {"supplier_vat": "supplier_vat_id", "iban": "supplier_iban"}
AMOUNTS = {"total_incl_vat", "total_excl_vat", "vat_total"}
VISUAL_TYPES = {"text_pdf", "hybrid_pdf", "raster_image", "scanned_image"}
IMAGE_TYPES = {"raster_image", "scanned_image"}
XML_TYPES = {"ubl_xml", "cii_xml"}
LEGAL_FORMS = {"bv", "b v", "nv", "vof", "gmbh", "ag", "kg", "co", "inc", "ltd", "llc", "sa", "sas", "sarl", "sdn",
               "bhd", "s b", "sb", "ek", "e k", "the", "pvt", "private", "limited", "company", "corp", "corporation"}


# --- documents -----------------------------------------------------------------------------------------------


@dataclass
class Doc:
    """One benchmark document: where it is and what it should say."""

    doc_id: str
    path: Path
    source: str
    doc_type: str
    truth: dict[str, Any]
    pages: int = 1

    @property
    def kind(self) -> str:
        """invoice / credit_note / receipt, from the ground truth."""
        if self.truth.get("kind"):
            return str(self.truth["kind"])
        document_kind = str(self.truth["fields"].get("document_kind") or "")
        if "381" in document_kind:
            return "credit_note"
        return "receipt" if self.source.startswith("sroie") else "invoice"


def find_data_dir(option: str | None) -> Path | None:
    """The dev set: the ``--data`` option, else the shared default, else ``../shared/data/dev`` next to the repo."""
    candidates = [Path(option)] if option else [DEFAULT_DATA, REPO.parent / "shared" / "data" / "dev"]
    return next((c for c in candidates if (c / "README.md").exists() or any(c.glob("*/ground_truth.jsonl"))), None)


def load_dev(data: Path, per_group_limit: int | None) -> list[Doc]:
    """Every document of the dev set with its ground truth (images borrow their PDF's ``visual_check``)."""
    docs: list[Doc] = []
    for truth_file in sorted(data.glob("*/ground_truth.jsonl")):
        entries = [json.loads(line) for line in truth_file.read_text().splitlines() if line.strip()]
        checks = {e["file"]: e.get("visual_check") for e in entries}
        counts: dict[str, int] = defaultdict(int)
        for entry in entries:
            counts[entry["doc_type"]] += 1
            if per_group_limit and counts[entry["doc_type"]] > per_group_limit:
                continue
            if "visual_check" not in entry and entry["doc_type"] in IMAGE_TYPES:
                twin = re.sub(r"\.(png|jpe?g)$", ".pdf", entry["file"])
                if checks.get(twin):
                    entry["visual_check"] = checks[twin]
            path = truth_file.parent / entry["file"]
            if path.exists():
                docs.append(Doc(entry["doc_id"], path, entry["source"], entry["doc_type"], entry, entry.get("pages", 1)))
    return docs


def generate(count: int, folder: Path) -> list[Doc]:
    """Write the fixed generated set to ``folder`` (reusing files already there) and return it."""
    from boekstuk_local.samples import generate_set

    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for sample in generate_set(count, first_seed=1000):
        path = folder / sample.filename
        if not path.exists() or path.read_bytes() != sample.content:
            path.write_bytes(sample.content)
        docs.append(Doc(sample.truth["doc_id"], path, GENERATED_SOURCE, sample.truth["doc_type"], sample.truth,
                        sample.truth.get("pages", 1)))
    (folder / "ground_truth.jsonl").write_text("".join(json.dumps(d.truth) + "\n" for d in docs))
    return docs


# --- normalisation and scoring -------------------------------------------------------------------------------

MONTHS = {m: i % 12 + 1 for i, m in enumerate(
    ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "mrt": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "okt": 10, "nov": 11, "dec": 12, "märz": 3, "mai": 5, "dezember": 12, "oktober": 10})


def norm_date(value: Any) -> str | None:
    """ISO date from ISO, day-first numeric (``11/03/2018``, ``19-03-18``, ``01.03.2024``) or written dates."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    text = str(value).strip().lower()
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        y, m, d = map(int, match.groups())
    elif match := re.search(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})", text):
        d, m, y = map(int, match.groups())
        y += 2000 if y < 100 else 0
        if m > 12 >= d:  # verbatim US order ("12/13/2016"): only when day-first is impossible
            d, m = m, d
    elif match := re.search(r"(\d{1,2})\.?\s*([a-zä]+)\.?\s*(\d{4})", text):
        d, y = int(match.group(1)), int(match.group(3))
        m = MONTHS.get(match.group(2), 0)
    else:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def norm_amount(value: Any) -> Decimal | None:
    """An amount as a two-decimal ``Decimal``; the sign is dropped (credit notes are stored either way)."""
    if value in (None, ""):
        return None
    text = str(value)
    if not isinstance(value, int | float | Decimal):
        # SROIE keeps totals verbatim ("RM 22.90", "$8.20", "1,234.50"): drop the currency, read the separators.
        text = re.sub(r"[^\d.,\-]", "", text)
        if "," in text and "." in text:
            text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
        elif re.search(r",\d{2}$", text):
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
    try:
        return abs(Decimal(text)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def norm_id(value: Any) -> str:
    """VAT ids, IBANs, KvK and invoice numbers compared without spaces, dots, dashes and a leading ``#``."""
    return re.sub(r"[\s.\-]", "", str(value)).lstrip("#").upper()


def norm_name(value: Any) -> str:
    """Lower case, punctuation to spaces, legal forms (B.V., GmbH, Sdn Bhd, ...) dropped."""
    text = re.sub(r"[^\w&]+", " ", str(value).casefold()).strip()
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        text = re.sub(rf"(?:^|\s){re.escape(form)}(?=\s|$)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def same(name: str, truth: Any, predicted: Any, fields: dict[str, Any]) -> bool:
    """Whether one predicted field equals the ground truth, after normalisation."""
    if predicted in (None, "", []):
        return False
    if name in AMOUNTS:
        return norm_amount(truth) == norm_amount(predicted)
    if name in ("invoice_date", "due_date"):
        return norm_date(truth) is not None and norm_date(truth) == norm_date(predicted)
    if name == "iban":
        wanted = truth if isinstance(truth, list) else [truth]
        return norm_id(predicted) in {norm_id(t) for t in wanted}
    if name == "supplier_name":
        names = {norm_name(n) for n in (truth, fields.get("supplier_legal_name")) if n}
        return any(fuzz.ratio(norm_name(predicted), n) >= NAME_THRESHOLD for n in names)
    if name == "currency":
        return str(predicted).upper() == str(truth).upper()
    return norm_id(predicted) == norm_id(truth)


def scored_fields(doc: Doc, path: str) -> list[str]:
    """The fields to score: annotated, present in the truth, and for visual paths shown on the page."""
    truth = doc.truth["fields"]
    skip = set(doc.truth.get("not_annotated", []))
    check = doc.truth.get("visual_check") or {}
    names = []
    for name in FIELDS:
        if name in skip or truth.get(name) in (None, "", []):
            continue
        if path == "visual" and check.get(f"{name}_in_text") is False:
            continue
        names.append(name)
    return names


def score(doc: Doc, path: str, predicted: dict[str, Any] | None) -> dict[str, bool]:
    """field -> correct, for one document on one path (``visual`` or ``xml``); errors score every field wrong."""
    truth = doc.truth["fields"]
    return {name: same(name, truth[name], (predicted or {}).get(name), truth) for name in scored_fields(doc, path)}


# --- running our CLI and invoice2data ------------------------------------------------------------------------


def run_ours(files: Sequence[Path], *, visual_only: bool, workers: int) -> dict[str, dict[str, Any]]:
    """Run ``python -m boekstuk.adapters.recognition.cli --json`` once over all files; results by path."""
    if not files:
        return {}
    command = [sys.executable, "-m", "boekstuk.adapters.recognition.cli", "--json", "--workers", str(workers)]
    if visual_only:
        command.append("--visual-only")
    started = time.perf_counter()
    proc = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, cwd=REPO, check=False)
    results: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and "file" in item:
            results[item["file"]] = item
    missing = [f for f in files if str(f) not in results]
    detail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
    for path in missing:  # no CLI yet, or it crashed: record the error, score as wrong
        results[str(path)] = {"file": str(path), "error": {"code": "cli_failed", "detail": detail}, "seconds": None}
    print(f"  ours{' --visual-only' if visual_only else ''}: {len(files)} files in {time.perf_counter() - started:.0f} s"
          f" ({len(missing)} without a result)", file=sys.stderr)
    return results


def ours_fields(result: dict[str, Any]) -> dict[str, Any] | None:
    """The CLI's fields under the dev set's names."""
    if "error" in result:
        return None
    fields = result.get("fields") or {}
    return {name: fields.get(CLI_NAMES.get(name, name)) for name in FIELDS}


_i2d_templates: list[Any] = []


def _i2d_init(template_dirs: Sequence[str]) -> None:
    from invoice2data.extract.loader import read_templates

    global _i2d_templates
    _i2d_templates = read_templates()  # the bundled templates
    for folder in template_dirs:
        _i2d_templates += read_templates(folder)


def _i2d_one(job: tuple[str, bool]) -> dict[str, Any]:
    import logging

    from invoice2data import extract_data

    logging.disable(logging.CRITICAL)  # invoice2data logs every document no template matches
    path, image = job
    started = time.perf_counter()
    try:
        result = extract_data(path, templates=_i2d_templates, input_module="tesseract" if image else None)
    except Exception as exc:  # a third-party tool: any failure is just "no result" for this file
        return {"file": path, "error": {"code": type(exc).__name__, "detail": str(exc)[:200]},
                "seconds": time.perf_counter() - started}
    return {"file": path, "result": result or {}, "seconds": time.perf_counter() - started}


def run_invoice2data(docs: Sequence[Doc], *, workers: int, template_dirs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """invoice2data over PDFs (its default text readers) and images (tesseract), templates loaded once per worker."""
    jobs = [(str(d.path), d.doc_type in IMAGE_TYPES) for d in docs if d.doc_type in VISUAL_TYPES]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, initializer=_i2d_init, initargs=(list(template_dirs),)) as pool:
        results = {r["file"]: r for r in pool.map(_i2d_one, jobs)}
    print(f"  invoice2data: {len(jobs)} files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return results


def i2d_fields(result: dict[str, Any], *, bundled_only: bool = False) -> dict[str, Any] | None:
    """invoice2data's output keys mapped to the dev set's names (``bundled_only``: ignore our seed templates)."""
    if "error" in result or not result.get("result"):
        return None
    out = result["result"]
    if bundled_only and str(out.get("template_name", "")).startswith("seed-"):
        return None

    def first(*keys: str) -> Any:
        return next((out[k] for k in keys if out.get(k) not in (None, "")), None)

    return {"supplier_name": first("issuer", "partner_name"), "supplier_vat": first("vat", "static_vat"),
            "supplier_kvk": first("kvk", "coc"), "iban": first("iban"), "invoice_number": first("invoice_number"),
            "invoice_date": first("date"), "due_date": first("date_due"), "currency": first("currency"),
            "total_incl_vat": first("amount"), "total_excl_vat": first("amount_untaxed"),
            "vat_total": first("amount_tax")}


# --- templates for the seeded suppliers ----------------------------------------------------------------------

TEMPLATE = """issuer: {name}
keywords:
  - {vat_id}
exclude_keywords: []
fields:
  invoice_number: (?:Factuurnummer|Creditnotanummer|Invoice no\\.|Bon)\\s*:?\\s*([A-Z0-9][\\w./-]*)
  date: (?:Factuurdatum|Invoice date)\\s*:?\\s*(\\d{{1,2}}[-/]\\d{{1,2}}[-/]\\d{{4}}|\\d{{1,2}} \\w+ \\d{{4}})
  amount: (?:Totaal incl\\. BTW|Total incl\\. VAT|TOTAAL)\\s*€?\\s*(-?[\\d.,]+)
  static_vat: {vat_id}
  static_iban: {iban}
options:
  currency: EUR
  date_formats:
    - '%d-%m-%Y'
    - '%d/%m/%Y'
    - '%d %B %Y'
  languages:
    - nl
  decimal_separator: ','
"""


def write_seed_templates(folder: Path) -> Path:
    """One invoice2data template per seeded supplier, keyed on its VAT id (see bench/README.md)."""
    from boekstuk_local.simulators.seed import SUPPLIERS

    folder.mkdir(parents=True, exist_ok=True)
    for supplier in SUPPLIERS:
        text = TEMPLATE.format(name=supplier.name, vat_id=supplier.vat_id, iban=supplier.iban)
        (folder / f"seed-{supplier.code}.yml").write_text(text)
    return folder


# --- report --------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """Accumulated scores and timings for one table row."""

    docs: int = 0
    ours: list[bool] = field(default_factory=list)
    theirs: list[bool] = field(default_factory=list)
    bundled: list[bool] = field(default_factory=list)  # invoice2data without our seed-supplier templates
    ours_seconds: list[float] = field(default_factory=list)
    theirs_seconds: list[float] = field(default_factory=list)
    ours_page_seconds: list[float] = field(default_factory=list)
    theirs_page_seconds: list[float] = field(default_factory=list)
    errors: int = 0
    has_theirs: bool = False


def pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):.1f}%" if values else "–"


def med(values: list[float]) -> str:
    return f"{statistics.median(values):.3f}" if values else "–"


def ratio(row: Row) -> str:
    if not row.ours_seconds or not row.theirs_seconds:
        return "–"
    ours, theirs = statistics.median(row.ours_seconds), statistics.median(row.theirs_seconds)
    return f"{theirs / ours:.1f}×" if ours > 0 else "–"


def evaluate(docs: Sequence[Doc], ours: dict[str, dict[str, Any]], ours_visual: dict[str, dict[str, Any]],
             theirs: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Row],
                                                          dict[str, dict[str, Row]], dict[str, Row]]:
    """Score every document on every path; rows per source x type, generated set by kind and layout, per field."""
    records: list[dict[str, Any]] = []
    rows: dict[str, Row] = defaultdict(Row)
    breakdowns: dict[str, dict[str, Row]] = {"type": defaultdict(Row), "kind": defaultdict(Row),
                                             "layout": defaultdict(Row)}
    per_field: dict[str, Row] = defaultdict(Row)
    for doc in docs:
        paths: list[tuple[str, str, dict[str, Any]]] = []
        if doc.doc_type == "hybrid_pdf":
            paths = [("xml", "hybrid_pdf (xml)", ours), ("visual", "hybrid_pdf (visible)", ours_visual)]
        elif doc.doc_type in XML_TYPES:
            paths = [("xml", doc.doc_type, ours)]
        else:
            paths = [("visual", doc.doc_type, ours)]
        for path, label, results in paths:
            result = results.get(str(doc.path), {"error": {"code": "not_run"}})
            mine = score(doc, path, ours_fields(result))
            key = f"{doc.source} | {label}"
            row = rows[key]
            row.docs += 1
            row.ours += mine.values()
            row.errors += "error" in result
            if result.get("seconds") is not None:
                row.ours_seconds.append(result["seconds"])
                row.ours_page_seconds.append(result["seconds"] / max(1, doc.pages))
            other: dict[str, bool] | None = None
            their = theirs.get(str(doc.path))
            if path == "visual" and their is not None:
                other = score(doc, path, i2d_fields(their))
                row.has_theirs = True
                row.theirs += other.values()
                row.bundled += score(doc, path, i2d_fields(their, bundled_only=True)).values()
                row.theirs_seconds.append(their["seconds"])
                row.theirs_page_seconds.append(their["seconds"] / max(1, doc.pages))
            for name, ok in mine.items():
                per_field[name].ours.append(ok)
                if other is not None:
                    per_field[name].theirs.append(other[name])
            groups = [("type", "all sources")]
            if doc.source == GENERATED_SOURCE:
                groups += [("kind", doc.kind), ("layout", str(doc.truth.get("layout")))]
            for by, value in groups:
                sub = breakdowns[by][f"{value} | {label}"]
                sub.docs += 1
                sub.ours += mine.values()
                sub.ours_seconds += [result["seconds"]] if result.get("seconds") is not None else []
                if other is not None:
                    sub.has_theirs = True
                    sub.theirs += other.values()
                    sub.theirs_seconds.append(their["seconds"] if their else 0.0)
            records.append({"doc_id": doc.doc_id, "source": doc.source, "doc_type": doc.doc_type, "path": path,
                            "kind": doc.kind, "ours": mine, "theirs": other, "ours_result": result,
                            "theirs_result": their if path == "visual" else None})
    return records, rows, breakdowns, per_field


def markdown(rows: dict[str, Row], breakdowns: dict[str, dict[str, Row]], per_field: dict[str, Row],
             meta: dict[str, Any]) -> str:
    """The Markdown tables written into bench/README.md."""
    out = [f"Run {meta['when']} on {meta['machine']}: {meta['docs']} documents ({meta['generated']} generated), "
           f"{meta['workers']} workers, {meta['mode']}; 1-minute load average at start / end {meta['load']} "
           "(the machine is shared: absolute times are inflated by that load, both tools alike). Accuracy = share of scored fields read correctly; "
           "time = median seconds per document (per page in brackets); ratio = their median time / ours "
           "(above 1: we are faster).", "",
           "| source | doc type | docs | fields | ours | invoice2data | i2d bundled only | ours s/doc (s/page) | i2d s/doc (s/page) | ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(rows):
        row = rows[key]
        source, label = key.split(" | ")
        theirs = pct(row.theirs) if row.has_theirs else "n/a"
        errors = f" ({row.errors} err)" if row.errors else ""
        bundled = pct(row.bundled) if row.has_theirs else "n/a"
        out.append(f"| {source} | {label} | {row.docs}{errors} | {len(row.ours)} | {pct(row.ours)} | {theirs} | {bundled} | "
                   f"{med(row.ours_seconds)} ({med(row.ours_page_seconds)}) | "
                   f"{med(row.theirs_seconds) if row.has_theirs else 'n/a'} "
                   f"({med(row.theirs_page_seconds) if row.has_theirs else 'n/a'}) | {ratio(row)} |")
    out += ["", "By document type, all sources (the issue's targets: ahead of invoice2data on every type):", "",
            "| doc type | docs | fields | ours | invoice2data | ours s/doc | i2d s/doc | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(breakdowns["type"]):
        row = breakdowns["type"][key]
        label = key.split(" | ")[1]
        out.append(f"| {label} | {row.docs} | {len(row.ours)} | {pct(row.ours)} | "
                   f"{pct(row.theirs) if row.has_theirs else 'n/a'} | {med(row.ours_seconds)} | "
                   f"{med(row.theirs_seconds) if row.has_theirs else 'n/a'} | {ratio(row)} |")
    for by, title in (("kind", "document kind"), ("layout", "layout family")):
        out += ["", f"Generated Dutch set by {title}:", "",
                f"| {by} | doc type | docs | fields | ours | invoice2data | ours s/doc | i2d s/doc |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        for key in sorted(breakdowns[by]):
            row = breakdowns[by][key]
            value, label = key.split(" | ")
            out.append(f"| {value} | {label} | {row.docs} | {len(row.ours)} | {pct(row.ours)} | "
                       f"{pct(row.theirs) if row.has_theirs else 'n/a'} | {med(row.ours_seconds)} | "
                       f"{med(row.theirs_seconds) if row.has_theirs else 'n/a'} |")
    out += ["", "Per field, all sources (invoice2data only where it ran: visual paths):", "",
            "| field | scored | ours | invoice2data (scored) |", "|---|---:|---:|---:|"]
    for name in FIELDS:
        field_row = per_field.get(name)
        if field_row:
            out.append(f"| {name} | {len(field_row.ours)} | {pct(field_row.ours)} | {pct(field_row.theirs)} "
                       f"({len(field_row.theirs)}) |")
    return "\n".join(out)


def write_readme(table: str) -> None:
    """Replace the text between the result markers in bench/README.md."""
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in text:
        text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    head, rest = text.split(MARK_BEGIN, 1)
    _, tail = rest.split(MARK_END, 1)
    README.write_text(f"{head}{MARK_BEGIN}\n{table}\n{MARK_END}{tail}")


def rescore(raw: Path, args: argparse.Namespace) -> int:
    """Score the stored raw results of an earlier run again (same documents, same seeds) and report."""
    saved = json.loads(raw.read_text())
    meta = saved["meta"]
    quick = str(meta["mode"]).startswith("quick")
    data = find_data_dir(args.data)
    docs = (load_dev(data, 4 if quick else None) if data else []) + generate(int(meta["generated"]), OUT / "generated")
    ours: dict[str, dict[str, Any]] = {}
    ours_visual: dict[str, dict[str, Any]] = {}
    theirs: dict[str, dict[str, Any]] = {}
    for record in saved["documents"]:
        result = record["ours_result"]
        hybrid_visual = record["doc_type"] == "hybrid_pdf" and record["path"] == "visual"
        if "file" in result:
            (ours_visual if hybrid_visual else ours)[result["file"]] = result
        if record.get("theirs_result"):
            theirs[record["theirs_result"]["file"]] = record["theirs_result"]
    records, rows, breakdowns, per_field = evaluate(docs, ours, ours_visual, theirs)
    table = markdown(rows, breakdowns, per_field, meta)
    raw.write_text(json.dumps({"meta": meta, "documents": records}, indent=1, default=str, ensure_ascii=False))
    raw.with_suffix(".md").write_text(table + "\n")
    print(table)
    if not args.no_readme:
        write_readme(table)
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    """Run the benchmark; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help=f"dev set folder (default {DEFAULT_DATA}, else ../shared/data/dev)")
    parser.add_argument("--count", type=int, default=168, help="generated documents (default 168)")
    parser.add_argument("--quick", action="store_true", help="28 generated, at most 4 dev documents per source and type")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-invoice2data", action="store_true")
    parser.add_argument("--no-seed-templates", action="store_true", help="invoice2data with its bundled templates only")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite bench/README.md")
    parser.add_argument("--rescore", metavar="JSON", help="re-score the raw results of an earlier run (no recognition)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.rescore:
        return rescore(Path(args.rescore), args)

    count = 28 if args.quick and args.count == 168 else args.count
    data = find_data_dir(args.data)
    docs = load_dev(data, 4 if args.quick else None) if data else []
    load_before = os.getloadavg()[0]
    print(f"dev set: {data or 'not found, skipped'} ({len(docs)} documents)", file=sys.stderr)
    generated = generate(count, OUT / "generated")
    docs += generated
    print(f"generated: {len(generated)} documents in {OUT / 'generated'}", file=sys.stderr)

    ours = run_ours([d.path for d in docs], visual_only=False, workers=args.workers)
    ours_visual = run_ours([d.path for d in docs if d.doc_type == "hybrid_pdf"], visual_only=True, workers=args.workers)
    theirs: dict[str, dict[str, Any]] = {}
    template_dirs: list[str] = []
    if not args.no_invoice2data:
        if not args.no_seed_templates:
            template_dirs.append(str(write_seed_templates(OUT / "invoice2data-templates")))
        theirs = run_invoice2data(docs, workers=args.workers, template_dirs=template_dirs)

    records, rows, breakdowns, per_field = evaluate(docs, ours, ours_visual, theirs)
    meta = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}",
            "docs": len(docs), "generated": len(generated), "workers": args.workers,
            "load": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
            "mode": ("quick" if args.quick else "full") + (", invoice2data with seed-supplier templates" if template_dirs
                                                            else ("" if args.no_invoice2data else ", invoice2data bundled templates only"))}
    table = markdown(rows, breakdowns, per_field, meta)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = "quick" if args.quick else "full"
    (OUT / f"recognition-{stamp}.json").write_text(json.dumps({"meta": meta, "documents": records}, indent=1,
                                                              default=str, ensure_ascii=False))
    (OUT / f"recognition-{stamp}.md").write_text(table + "\n")
    print(table)
    if not args.no_readme:
        write_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
