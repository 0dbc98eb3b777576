"""Recognition accuracy and speed: our local chain (the ``boekstuk recognize`` CLI) against invoice2data.

    python bench/recognition.py [--data DIR] [--pdfs N --scans N --scan-pdfs N --ubl N] [--families SIDE|NAME,...]
                                [--quick] [--workers 2] [--no-invoice2data] [--no-readme]

Runs over the dev set (``/work/shared/data/dev`` or ``../shared/data/dev`` next to the repo, skipped when
absent) and over a fixed generated Dutch set (``boekstuk_local.samples.family_set``: every layout family, seeds
from 1000). Scores the key fields, the buyer, the document type, the VAT kind and the VAT split per rate against
the ground truth; reports the generated set leave-family-out (tune families vs held-out families), per source and
document type, and a confidence calibration table; median seconds per document and per page. Writes raw JSON to
``bench/out/`` and the Markdown tables into ``bench/README.md`` between markers. See bench/README.md for the
scoring rules, the family split and the invoice2data setup.
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
PARTY_FIELDS = ("buyer_name", "buyer_vat", "buyer_kvk", "document_kind", "vat_kind")
"""Scored beside the key fields (issue 13): the buyer, what the document is, and how it treats VAT. Kept apart
from ``FIELDS`` so the key-field accuracy stays comparable with earlier runs."""
BUYER_FIELDS = ("buyer_name", "buyer_vat", "buyer_kvk")
VAT_KINDS = ("standard", "reverse_charge", "intra_eu", "zero")
CONFIDENCE_NAMES = {**CLI_NAMES, "buyer_vat": "buyer_vat_id"}
"""Our confidence keys where they differ from the truth's field names."""
VISUAL_TYPES = {"text_pdf", "hybrid_pdf", "raster_image", "scanned_image", "scanned_pdf"}
IMAGE_TYPES = {"raster_image", "scanned_image"}
OCR_TYPES = {"raster_image", "scanned_image", "scanned_pdf"}
"""Documents without a text layer: invoice2data reads them with its tesseract reader."""
SIDES = ("tune", "held_out")
CALIBRATION_BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
"""Confidence bins of the calibration table: [0, 0.5), [0.5, 0.7), ..., [0.95, 1.0]."""
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

    @property
    def family(self) -> str | None:
        """The layout family of a generated document; ``None`` for the dev set."""
        return str(self.truth.get("family") or self.truth["layout"]) if self.source == GENERATED_SOURCE else None


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
    """Write the original mixed set (``generate_set``: the seven original layouts) to ``folder`` and return it."""
    from boekstuk_local.samples import generate_set

    return write_samples(generate_set(count, first_seed=1000), folder)


def generate_families(folder: Path, *, families: Sequence[str] | None = None, pdfs: int = 6, scans: int = 2,
                      scan_pdfs: int = 2, ubl: int = 1, first_seed: int = 1000) -> list[Doc]:
    """Write the layout-family set (``family_set``, seeds from ``first_seed``) to ``folder`` and return it."""
    from boekstuk_local.samples import family_set

    return write_samples(family_set(families=families, pdfs=pdfs, scans=scans, scan_pdfs=scan_pdfs, ubl=ubl,
                                    first_seed=first_seed), folder)


def write_samples(samples: Iterable[Any], folder: Path) -> list[Doc]:
    """Write generated documents to ``folder`` (reusing identical files already there) with their
    ``ground_truth.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for sample in samples:
        path = folder / sample.filename
        if not path.exists() or path.read_bytes() != sample.content:
            path.write_bytes(sample.content)
        docs.append(Doc(sample.truth["doc_id"], path, GENERATED_SOURCE, sample.truth["doc_type"], sample.truth,
                        sample.truth.get("pages", 1)))
    (folder / "ground_truth.jsonl").write_text("".join(json.dumps(d.truth) + "\n" for d in docs))
    return docs


def select_families(option: str | None) -> list[str] | None:
    """``--families``: ``tune``, ``held_out`` or family names separated by commas; ``None``: every family."""
    from boekstuk_local.samples import FAMILIES, HELD_OUT, TUNE

    if not option:
        return None
    if option in SIDES:
        return list(TUNE if option == "tune" else HELD_OUT)
    names = [name.strip() for name in option.split(",") if name.strip()]
    unknown = [name for name in names if name not in FAMILIES]
    if unknown:
        raise SystemExit(f"unknown families {unknown}; known: {', '.join(FAMILIES)}")
    return names


def leave_family_out(docs: Iterable[Doc]) -> dict[str, list[Doc]]:
    """The generated documents by side of the family split (``tune``, ``held_out``); the dev set is on neither.

    The side is the family's (``boekstuk_local.samples.FAMILIES``), so every document of a family, whatever its
    kind or format, lands on the same side.
    """
    sides: dict[str, list[Doc]] = {side: [] for side in SIDES}
    for doc in docs:
        side = side_of(doc)
        if side is not None:
            sides[side].append(doc)
    return sides


def side_of(doc: Doc) -> str | None:
    """``tune`` or ``held_out`` for a generated document (its family's side), ``None`` for the dev set."""
    from boekstuk_local.samples import FAMILIES

    return None if doc.family is None else FAMILIES[doc.family].split


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
    if name in ("supplier_name", "buyer_name"):
        legal = fields.get("supplier_legal_name") if name == "supplier_name" else None
        names = {norm_name(n) for n in (truth, legal) if n}
        return any(fuzz.ratio(norm_name(predicted), n) >= NAME_THRESHOLD for n in names)
    if name in ("currency", "document_kind", "vat_kind"):
        return str(predicted).casefold() == str(truth).casefold()
    return norm_id(predicted) == norm_id(truth)


def truth_value(doc: Doc, name: str) -> Any:
    """The truth of one scored field; the document kind and VAT kind are derived where the dev set lacks them."""
    fields = doc.truth["fields"]
    if name == "document_kind":
        return doc.kind
    if name == "vat_kind":
        return fields.get("vat_kind") or breakdown_vat_kind(fields.get("vat_breakdown"))
    return fields.get(name)


def breakdown_vat_kind(breakdown: Sequence[dict[str, Any]] | None) -> str | None:
    """The VAT kind a VAT breakdown states: intra-EU (K), reverse charge (AE), zero (every rate 0) or standard."""
    if not breakdown:
        return None
    categories = {str(group.get("category") or "") for group in breakdown}
    if "K" in categories:
        return "intra_eu"
    if "AE" in categories:
        return "reverse_charge"
    return "zero" if all(norm_rate(group.get("rate")) == 0 for group in breakdown) else "standard"


def implied_vat_kind(result: dict[str, Any]) -> str | None:
    """The VAT kind our result states: its own ``vat_kind`` when it reports one, else what its VAT lines imply.

    Reverse-charged lines are intra-EU when the supplier's VAT id is foreign; lines all at 0 % (or no lines and a
    VAT total of 0.00 on a non-zero total) are zero-rated; ``None`` when the result says nothing about VAT.
    """
    if result.get("vat_kind") in VAT_KINDS:
        return str(result["vat_kind"])
    lines = result.get("vat_lines") or []
    fields = result.get("fields") or {}
    if any(line.get("category") == "K" for line in lines):
        return "intra_eu"
    if any(line.get("reverse_charge") or line.get("category") == "AE" for line in lines):
        country = str(fields.get("supplier_vat_id") or "NL")[:2].upper()
        return "intra_eu" if country.isalpha() and country != "NL" else "reverse_charge"
    if lines:
        return "zero" if all(norm_rate(line.get("rate")) == 0 for line in lines) else "standard"
    vat, total = norm_amount(fields.get("vat_total")), norm_amount(fields.get("total_incl_vat"))
    if vat is None:
        return None
    return "zero" if vat == 0 and total else "standard"


def norm_rate(value: Any) -> Decimal | None:
    """A VAT rate as a ``Decimal`` (``"21"``, ``21.0``, ``"9,0"`` and ``"21%"`` alike); no rate at all (category O,
    outside the scope of VAT) counts as 0."""
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value).replace(",", ".").rstrip("%").strip())
    except InvalidOperation:
        return None


def scored_fields(doc: Doc, path: str, names: Sequence[str] = FIELDS) -> list[str]:
    """The fields to score: annotated, present in the truth, and for visual paths shown on the page."""
    skip = set(doc.truth.get("not_annotated", []))
    check = doc.truth.get("visual_check") or {}
    scored = []
    for name in names:
        if name in skip or truth_value(doc, name) in (None, "", []):
            continue
        if path == "visual" and check.get(f"{name}_in_text") is False:
            continue
        scored.append(name)
    return scored


def score(doc: Doc, path: str, predicted: dict[str, Any] | None, names: Sequence[str] = FIELDS) -> dict[str, bool]:
    """field -> correct, for one document on one path (``visual`` or ``xml``); errors score every field wrong."""
    truth = doc.truth["fields"]
    return {name: same(name, truth_value(doc, name), (predicted or {}).get(name), truth)
            for name in scored_fields(doc, path, names)}


@dataclass
class VatSplit:
    """The VAT split of one document against its truth: per truth rate whether base and VAT are right to the
    cent, and how many predicted lines with money on them match no rate of the truth."""

    rates: list[tuple[str, bool, bool]]
    """(rate label, base right, VAT right) per rate of the truth: ``21%``, ``9%``, ``0%``, ``verlegd``."""
    extra: int = 0

    @property
    def right(self) -> bool:
        """Every rate's base and VAT right, and nothing else claimed."""
        return self.extra == 0 and all(base and vat for _, base, vat in self.rates)


def score_vat_split(truth: Sequence[dict[str, Any]] | None, predicted: Sequence[dict[str, Any]] | None) -> VatSplit | None:
    """Match the truth's VAT breakdown (``rate``, ``taxable_amount``, ``tax_amount``, ``category``) to our
    ``vat_lines`` (``rate``, ``base``, ``amount``, ``reverse_charge``) rate by rate; amounts to the cent, sign
    ignored. ``None`` when the truth has no breakdown."""
    if not truth:
        return None
    left = [(norm_rate(line.get("rate")), norm_amount(line.get("base")), norm_amount(line.get("amount")),
             bool(line.get("reverse_charge")) or line.get("category") in ("AE", "K")) for line in predicted or []]
    rates = []
    for group in truth:
        rate = norm_rate(group["rate"])
        reverse = group.get("category") in ("AE", "K")
        base, vat = norm_amount(group["taxable_amount"]), norm_amount(group["tax_amount"])
        label = "verlegd" if reverse else f"{rate.normalize():f}%" if rate is not None else "?"
        candidates = [line for line in left if line[0] == rate]
        if not candidates:
            rates.append((label, False, False))
            continue
        best = max(candidates, key=lambda line: ((line[1] == base) + (line[2] == vat), line[3] == reverse))
        left.remove(best)
        rates.append((label, best[1] == base, best[2] == vat))
    extra = sum(1 for _, base, vat, _ in left if base or vat)
    return VatSplit(rates, extra)


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


def ours_party(result: dict[str, Any]) -> dict[str, Any] | None:
    """The buyer, the document kind and the VAT kind our result states, under the truth's names."""
    if "error" in result:
        return None
    buyer = result.get("buyer") or {}
    return {"buyer_name": buyer.get("name"), "buyer_vat": buyer.get("vat_id"), "buyer_kvk": buyer.get("kvk"),
            "document_kind": result.get("document_kind"), "vat_kind": implied_vat_kind(result)}


def confidences(result: dict[str, Any], names: Iterable[str]) -> dict[str, float]:
    """Our confidence per field (truth names) for the fields our result filled in and gave a confidence for."""
    given = result.get("confidence") or {}
    out = {}
    for name in names:
        value = given.get(CONFIDENCE_NAMES.get(name, name), given.get(name))
        if isinstance(value, int | float):
            out[name] = float(value)
    return out


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
    """invoice2data over PDFs (its default text readers) and images and scanned PDFs (tesseract), templates loaded
    once per worker."""
    jobs = [(str(d.path), d.doc_type in OCR_TYPES) for d in docs if d.doc_type in VISUAL_TYPES]
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
    """Score every document on every path; rows per source x type, by type and (generated set) kind, per field.

    Each record also holds what the leave-family-out, VAT-split and calibration tables need: the family and its
    side, the party fields, the VAT split, and (field, confidence, right) for every field we filled in.
    """
    records: list[dict[str, Any]] = []
    rows: dict[str, Row] = defaultdict(Row)
    breakdowns: dict[str, dict[str, Row]] = {"type": defaultdict(Row), "kind": defaultdict(Row)}
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
            predicted = ours_fields(result)
            mine = score(doc, path, predicted)
            party_predicted = ours_party(result)
            party = score(doc, path, party_predicted, PARTY_FIELDS)
            vat = None
            if path == "xml" or (doc.truth.get("visual_check") or {}).get("vat_lines_in_text") is not False:
                vat = score_vat_split(doc.truth["fields"].get("vat_breakdown"),
                                      None if "error" in result else result.get("vat_lines"))
            filled = {**(predicted or {}), **(party_predicted or {})}
            given = confidences(result, [*mine, *party])
            calibration = [(name, given[name], ok) for name, ok in {**mine, **party}.items()
                           if name in given and filled.get(name) not in (None, "", [])]
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
            for name, ok in {**mine, **party}.items():
                per_field[name].ours.append(ok)
                if other is not None and name in other:
                    per_field[name].theirs.append(other[name])
            groups = [("type", "all sources")]
            if doc.source == GENERATED_SOURCE:
                groups.append(("kind", doc.kind))
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
                            "label": label, "kind": doc.kind, "family": doc.family, "side": side_of(doc),
                            "scan": doc.truth.get("scan") if doc.source == GENERATED_SOURCE else None,
                            "ours": mine, "theirs": other, "party": party,
                            "vat": None if vat is None else {"rates": vat.rates, "extra": vat.extra,
                                                             "right": vat.right},
                            "calibration": calibration, "ours_result": result,
                            "theirs_result": their if path == "visual" else None})
    return records, rows, breakdowns, per_field


METRICS = (("key", "key fields"), ("i2d", "i2d key fields"), ("supplier_name", "supplier name"),
           ("invoice_number", "invoice number"), ("vat_total", "VAT total"), ("vat_split", "VAT split (docs)"),
           ("vat_kind", "VAT kind"), ("document_kind", "doc kind"), ("buyer", "buyer name + ids"))
"""The columns of the leave-family-out and per-family tables: metric key and heading."""


def record_metrics(record: dict[str, Any]) -> dict[str, list[bool]]:
    """One scored record's contribution to each metric of ``METRICS`` (and ``vat_rates``: per rate, both right)."""
    mine, party, vat = record["ours"], record.get("party") or {}, record.get("vat")
    out: dict[str, list[bool]] = {"key": list(mine.values()),
                                  "i2d": list(record["theirs"].values()) if record.get("theirs") is not None else []}
    for name in ("supplier_name", "invoice_number", "vat_total"):
        out[name] = [mine[name]] if name in mine else []
    for name in ("vat_kind", "document_kind"):
        out[name] = [party[name]] if name in party else []
    out["buyer"] = [party[name] for name in BUYER_FIELDS if name in party]
    out["vat_split"] = [bool(vat["right"])] if vat else []
    out["vat_rates"] = [bool(base and tax) for _, base, tax in vat["rates"]] if vat else []
    return out


def tally(records: Iterable[dict[str, Any]]) -> dict[str, list[bool]]:
    """The metrics of several records together."""
    total: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        for name, values in record_metrics(record).items():
            total[name] += values
    return total


def metric_cells(records: Sequence[dict[str, Any]]) -> str:
    """``| docs | metric | metric | ...`` for a table row of ``METRICS``."""
    totals = tally(records)
    return f"| {len(records)} | " + " | ".join(pct(totals[name]) for name, _ in METRICS) + " |"


def leave_family_out_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """The generated set by side of the family split (all / tune / held out) and document type."""
    generated = [r for r in records if r.get("side")]
    labels = sorted({r["label"] for r in generated})
    out = ["| families | doc type | docs | " + " | ".join(title for _, title in METRICS) + " |",
           "|---|---|---:|" + "---:|" * len(METRICS)]
    for side, title in ((None, "all"), ("tune", "tune"), ("held_out", "**held out**")):
        chosen = [r for r in generated if side is None or r["side"] == side]
        out.append(f"| {title} | all types " + metric_cells(chosen))
        for label in labels:
            subset = [r for r in chosen if r["label"] == label]
            if subset:
                out.append(f"| {title} | {label} " + metric_cells(subset))
    return out


def family_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """The generated set per layout family (every format together), tune families first."""
    generated = [r for r in records if r.get("side")]
    order = {side: i for i, side in enumerate(SIDES)}
    families = sorted({(r["side"], r["family"]) for r in generated}, key=lambda item: (order[item[0]], item[1]))
    out = ["| family | side | docs | " + " | ".join(title for _, title in METRICS) + " |",
           "|---|---|---:|" + "---:|" * len(METRICS)]
    for side, family in families:
        out.append(f"| {family} | {side} " + metric_cells([r for r in generated if r["family"] == family]))
    return out


def scan_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """The generated scans by scan profile (flatbed, skewed, rotated, thermal) and document type."""
    scans = [r for r in records if r.get("side") and r.get("scan")]
    out = ["| scan | doc type | docs | " + " | ".join(title for _, title in METRICS) + " |",
           "|---|---|---:|" + "---:|" * len(METRICS)]
    for profile, label in sorted({(r["scan"], r["label"]) for r in scans}):
        subset = [r for r in scans if r["scan"] == profile and r["label"] == label]
        out.append(f"| {profile} | {label} " + metric_cells(subset))
    return out


def vat_rate_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """The VAT split per rate: base and VAT right to the cent, over all sources and on the held-out families."""
    by_rate: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for record in records:
        for label, base, tax in (record.get("vat") or {}).get("rates", []):
            by_rate[label].append((bool(base), bool(tax), record.get("side") == "held_out"))
    out = ["| rate | scored | base right | VAT right | both right | held out: scored | held out: both right |",
           "|---|---:|---:|---:|---:|---:|---:|"]

    def order(label: str) -> tuple[int, Decimal]:
        return (1, Decimal(0)) if label == "verlegd" else (0, -(norm_rate(label) or Decimal(0)))

    for label in sorted(by_rate, key=order):
        items = by_rate[label]
        held = [base and tax for base, tax, held_out in items if held_out]
        out.append(f"| {label} | {len(items)} | {pct([b for b, _, _ in items])} | {pct([t for _, t, _ in items])} | "
                   f"{pct([b and t for b, t, _ in items])} | {len(held)} | {pct(held)} |")
    return out


def calibration_bin(confidence: float) -> int:
    """The index of ``confidence``'s bin in ``CALIBRATION_BINS`` (1.0 falls in the last bin)."""
    for i in range(len(CALIBRATION_BINS) - 1):
        if confidence < CALIBRATION_BINS[i + 1]:
            return i
    return len(CALIBRATION_BINS) - 2


def calibration_row(points: Sequence[tuple[float, bool]]) -> tuple[list[str], str]:
    """Per bin ``accuracy (n)`` and the expected calibration error (weighted |accuracy - mean confidence|)."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in CALIBRATION_BINS[:-1]]
    for confidence, ok in points:
        bins[calibration_bin(confidence)].append((confidence, ok))
    cells = [f"{pct([ok for _, ok in b])} ({len(b)})" if b else "–" for b in bins]
    if not points:
        return cells, "–"
    error = sum(len(b) * abs(sum(ok for _, ok in b) / len(b) - sum(c for c, _ in b) / len(b)) for b in bins if b)
    return cells, f"{error / len(points):.3f}"


def calibration_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """Confidence bins vs observed accuracy, per field and over all fields (all sources, held-out families)."""
    edges = CALIBRATION_BINS
    heads = [f"[{edges[i]:.2f}, {edges[i + 1]:.2f}{']' if i == len(edges) - 2 else ')'}" for i in range(len(edges) - 1)]
    out = ["| field | " + " | ".join(heads) + " | ECE |", "|---|" + "---:|" * (len(heads) + 1)]
    points: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for record in records:
        for name, confidence, ok in record.get("calibration") or []:
            points[name].append((confidence, ok))
            points["all fields"].append((confidence, ok))
            if record.get("side") == "held_out":
                points["all fields, held-out families"].append((confidence, ok))
    for name in [*FIELDS, *PARTY_FIELDS, "all fields", "all fields, held-out families"]:
        if points.get(name):
            cells, error = calibration_row(points[name])
            out.append(f"| {name} | " + " | ".join(cells) + f" | {error} |")
    return out


REVIEW_TARGET = 0.9
"""The fields not flagged for review must be right at least this often (``review_thresholds``)."""
REVIEW_DEFAULT = 0.6
"""The lowest threshold (``weights.REVIEW_BELOW``): a field read less surely is always flagged."""
REVIEW_CANDIDATES = (0.6, 0.7, 0.8, 0.9, 0.95)
"""The thresholds ``review_thresholds`` chooses from (the calibration table's bin edges)."""


def review_thresholds(records: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Per key field, the confidence below which the proposal flags it for review, from the **tune** families only
    (the held-out side only checks it): the lowest of ``REVIEW_CANDIDATES`` at which the fields read at least that
    surely are right ``REVIEW_TARGET`` of the time or more, else the highest. A field left unflagged is then one
    a bookkeeper may trust nine times in ten. Keys are the CLI's field names."""
    points: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for record in records:
        if record.get("side") == "tune":
            for name, confidence, ok in record.get("calibration") or []:
                if name in FIELDS:
                    points[name].append((confidence, ok))
    thresholds = {}
    for name in FIELDS:
        chosen = REVIEW_CANDIDATES[-1]
        for threshold in REVIEW_CANDIDATES:
            kept = [ok for confidence, ok in points[name] if confidence >= threshold]
            if kept and sum(kept) / len(kept) >= REVIEW_TARGET:
                chosen = threshold
                break
        thresholds[CLI_NAMES.get(name, name)] = chosen
    return thresholds


def review_table(records: Sequence[dict[str, Any]]) -> list[str]:
    """The review thresholds ``review_thresholds`` derives, and what they do on each side: the share of filled-in
    fields flagged, and the share right of those not flagged (what a bookkeeper trusts without looking)."""
    thresholds = review_thresholds(records)
    out = ["| field | review below | tune: flagged | tune: right when not flagged | held out: flagged | "
           "held out: right when not flagged |", "|---|---:|---:|---:|---:|---:|"]
    for name in FIELDS:
        threshold = thresholds[CLI_NAMES.get(name, name)]
        cells = []
        for side in SIDES:
            given = [(confidence, ok) for record in records if record.get("side") == side
                     for field, confidence, ok in record.get("calibration") or [] if field == name]
            flagged = [confidence < threshold for confidence, _ in given]
            kept = [ok for confidence, ok in given if confidence >= threshold]
            cells += [pct(flagged), pct(kept)]
        out.append(f"| {name} | {threshold:.2f} | " + " | ".join(cells) + " |")
    return out


def markdown(rows: dict[str, Row], breakdowns: dict[str, dict[str, Row]], per_field: dict[str, Row],
             meta: dict[str, Any], records: Sequence[dict[str, Any]] = ()) -> str:
    """The Markdown tables written into bench/README.md."""
    out = [f"Run {meta['when']} on {meta['machine']}: {meta['docs']} documents ({meta['generated']} generated"
           f"{', ' + meta['set'] if meta.get('set') else ''}), "
           f"{meta['workers']} workers, {meta['mode']}; 1-minute load average at start / end {meta['load']} "
           "(the machine is shared: absolute times are inflated by that load, both tools alike). Accuracy = share of scored fields read correctly; "
           "time = median seconds per document (per page in brackets); ratio = their median time / ours "
           "(above 1: we are faster).", ""]
    if any(r.get("side") for r in records):
        out += ["**Leave-family-out**, generated Dutch set (tune families: the extractor may be developed on them; "
                "held-out families: only measured). Key fields = share of scored key fields; supplier name, invoice "
                "number, VAT total: share of documents where the page shows it; VAT split = share of documents whose "
                "every rate has base and VAT right to the cent; buyer = buyer name, VAT id and KvK together:", "",
                *leave_family_out_table(records), "", "Per layout family (all formats):", "",
                *family_table(records), "", "Generated scans by scan profile (all families):", "",
                *scan_table(records), ""]
    if any(r.get("vat") for r in records):
        out += ["VAT split per rate, all sources (dev set e-invoices included; base and VAT each to the cent):", "",
                *vat_rate_table(records), ""]
    if any(r.get("calibration") for r in records):
        out += ["Confidence calibration, all sources: per bin of our reported confidence, the share right "
                "(number of fields); ECE = expected calibration error (0 = a 0.9 is right 90 % of the time):", "",
                *calibration_table(records), ""]
    if any(r.get("side") == "tune" and r.get("calibration") for r in records):
        out += [f"Review thresholds, from the tune families only (per field the lowest of {REVIEW_CANDIDATES} at which "
                f"the fields read at least that surely are right {REVIEW_TARGET:.0%} of the time; held out only checks "
                "them; `weights.REVIEW_THRESHOLDS` holds them), with the share of filled-in fields flagged and the "
                "share right of the fields not flagged:", "", *review_table(records), ""]
    out += ["By source and document type, key fields:", "",
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
    out += ["", "By document type, all sources, key fields:", "",
            "| doc type | docs | fields | ours | invoice2data | ours s/doc | i2d s/doc | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(breakdowns["type"]):
        row = breakdowns["type"][key]
        label = key.split(" | ")[1]
        out.append(f"| {label} | {row.docs} | {len(row.ours)} | {pct(row.ours)} | "
                   f"{pct(row.theirs) if row.has_theirs else 'n/a'} | {med(row.ours_seconds)} | "
                   f"{med(row.theirs_seconds) if row.has_theirs else 'n/a'} | {ratio(row)} |")
    out += ["", "Generated Dutch set by document kind, key fields:", "",
            "| kind | doc type | docs | fields | ours | invoice2data | ours s/doc | i2d s/doc |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(breakdowns["kind"]):
        row = breakdowns["kind"][key]
        value, label = key.split(" | ")
        out.append(f"| {value} | {label} | {row.docs} | {len(row.ours)} | {pct(row.ours)} | "
                   f"{pct(row.theirs) if row.has_theirs else 'n/a'} | {med(row.ours_seconds)} | "
                   f"{med(row.theirs_seconds) if row.has_theirs else 'n/a'} |")
    out += ["", "Per field, all sources (invoice2data only where it ran: visual paths; it reads no buyer, kind or "
            "VAT kind):", "", "| field | scored | ours | invoice2data (scored) |", "|---|---:|---:|---:|"]
    for name in (*FIELDS, *PARTY_FIELDS):
        field_row = per_field.get(name)
        if field_row:
            theirs = f"{pct(field_row.theirs)} ({len(field_row.theirs)})" if field_row.theirs else "n/a"
            out.append(f"| {name} | {len(field_row.ours)} | {pct(field_row.ours)} | {theirs} |")
    return "\n".join(out)


def write_readme(table: str) -> None:
    """Replace the text between the result markers in bench/README.md."""
    text = README.read_text() if README.exists() else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in text:
        text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    head, rest = text.split(MARK_BEGIN, 1)
    _, tail = rest.split(MARK_END, 1)
    README.write_text(f"{head}{MARK_BEGIN}\n{table}\n{MARK_END}{tail}")


def documents(args: argparse.Namespace, settings: dict[str, Any], quick: bool) -> tuple[list[Doc], list[Doc]]:
    """The dev set (if found) and the generated set ``settings`` describes (written to ``bench/out/generated``)."""
    data = find_data_dir(args.data)
    dev = load_dev(data, 4 if quick else None) if data else []
    print(f"dev set: {data or 'not found, skipped'} ({len(dev)} documents)", file=sys.stderr)
    folder = OUT / "generated"
    if settings.get("mixed"):  # the original mixed set of seven layouts (runs before issue 13, --mixed)
        generated = generate(int(settings["mixed"]), folder)
    else:
        generated = generate_families(folder, families=settings.get("families"), pdfs=settings["pdfs"],
                                      scans=settings["scans"], scan_pdfs=settings["scan_pdfs"], ubl=settings["ubl"])
    print(f"generated: {len(generated)} documents in {folder}", file=sys.stderr)
    return dev, generated


def describe(settings: dict[str, Any]) -> str:
    """The generated set in a few words, for the report."""
    if settings.get("mixed"):
        return f"the original mixed set of {settings['mixed']}"
    families = settings.get("families")
    which = f"{len(families)} families" if families else "every family"
    return (f"{which} x ({settings['pdfs']} text PDFs, {settings['scans']} scans, {settings['scan_pdfs']} scanned "
            f"PDFs, {settings['ubl']} UBL on original invoice layouts)")


def rescore(raw: Path, args: argparse.Namespace) -> int:
    """Score the stored raw results of an earlier run again (same documents, same seeds) and report."""
    saved = json.loads(raw.read_text())
    meta = saved["meta"]
    quick = str(meta["mode"]).startswith("quick")
    settings = meta.get("settings") or {"mixed": int(meta["generated"])}
    dev, generated = documents(args, settings, quick)
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
    records, rows, breakdowns, per_field = evaluate(dev + generated, ours, ours_visual, theirs)
    table = markdown(rows, breakdowns, per_field, meta, records)
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
    parser.add_argument("--pdfs", type=int, default=6, help="text PDFs per family (default 6)")
    parser.add_argument("--scans", type=int, default=2, help="scanned JPEGs per family (default 2)")
    parser.add_argument("--scan-pdfs", type=int, default=2, help="scanned (image-only) PDFs per family (default 2)")
    parser.add_argument("--ubl", type=int, default=1, help="UBL invoices per original invoice layout (default 1)")
    parser.add_argument("--families", metavar="SIDE|NAMES", help="tune, held_out or family names (default: all)")
    parser.add_argument("--mixed", type=int, metavar="N", help="the original mixed set of N instead of the families")
    parser.add_argument("--quick", action="store_true",
                        help="per family 1 text PDF and 1 scan, no scanned PDFs or UBL; at most 4 dev documents per "
                             "source and type")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-invoice2data", action="store_true")
    parser.add_argument("--no-seed-templates", action="store_true", help="invoice2data with its bundled templates only")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite bench/README.md")
    parser.add_argument("--rescore", metavar="JSON", help="re-score the raw results of an earlier run (no recognition)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.rescore:
        return rescore(Path(args.rescore), args)

    settings: dict[str, Any] = {"families": select_families(args.families), "pdfs": args.pdfs, "scans": args.scans,
                                "scan_pdfs": args.scan_pdfs, "ubl": args.ubl}
    if args.quick:
        settings.update(pdfs=1, scans=1, scan_pdfs=0, ubl=0)
    if args.mixed:
        settings = {"mixed": args.mixed}
    load_before = os.getloadavg()[0]
    dev, generated = documents(args, settings, args.quick)
    docs = dev + generated

    ours = run_ours([d.path for d in docs], visual_only=False, workers=args.workers)
    ours_visual = run_ours([d.path for d in docs if d.doc_type == "hybrid_pdf"], visual_only=True, workers=args.workers)
    theirs: dict[str, dict[str, Any]] = {}
    template_dirs: list[str] = []
    if not args.no_invoice2data:
        if not args.no_seed_templates:
            template_dirs.append(str(write_seed_templates(OUT / "invoice2data-templates")))
        theirs = run_invoice2data(docs, workers=args.workers, template_dirs=template_dirs)

    OUT.mkdir(parents=True, exist_ok=True)
    stamp = "quick" if args.quick else "full"
    meta = {"when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}",
            "docs": len(docs), "generated": len(generated), "workers": args.workers, "settings": settings,
            "set": describe(settings), "load": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
            "mode": ("quick" if args.quick else "full") + (", invoice2data with seed-supplier templates" if template_dirs
                                                            else ("" if args.no_invoice2data else ", invoice2data bundled templates only"))}
    # The raw results first: a scoring change (or a scoring crash) is then re-scored with --rescore, not re-run.
    raw = [{"doc_type": d.doc_type, "path": path, "ours_result": results.get(str(d.path)),
            "theirs_result": theirs.get(str(d.path)) if path == "visual" else None}
           for d in docs for path, results in (("xml" if d.doc_type in XML_TYPES or d.doc_type == "hybrid_pdf"
                                                else "visual", ours), ("visual", ours_visual))
           if str(d.path) in results]
    (OUT / f"recognition-{stamp}.json").write_text(json.dumps({"meta": meta, "documents": raw}, indent=1,
                                                              default=str, ensure_ascii=False))
    records, rows, breakdowns, per_field = evaluate(docs, ours, ours_visual, theirs)
    table = markdown(rows, breakdowns, per_field, meta, records)
    (OUT / f"recognition-{stamp}.json").write_text(json.dumps({"meta": meta, "documents": records}, indent=1,
                                                              default=str, ensure_ascii=False))
    (OUT / f"recognition-{stamp}.md").write_text(table + "\n")
    print(table)
    if not args.no_readme:
        write_readme(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
