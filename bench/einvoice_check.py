"""Check the e-invoice reader against the dev set's ground truth: every XML field, every e-invoice and hybrid PDF.

    python bench/einvoice_check.py [DATA_DIR] [--verbose] [--samples N] [--dump FILE.jsonl]

DATA_DIR defaults to /work/shared/data/dev. For each folder's ``ground_truth.jsonl`` every ``ubl_xml``,
``cii_xml`` and ``hybrid_pdf`` document is read by the production path (``LocalRecognizer``, which for a
hybrid PDF reads the embedded XML) and each annotated field is compared; ``not_annotated`` fields are never
scored. For hybrid PDFs whose ground truth is a template's output (invoice2data) the ``embedded_xml_fields``
are used when present, since those are what the XML holds. Prints mismatches and a per-source table;
exit code 1 when any field mismatches.

``--samples N`` also reads N SI-UBL 2.0 documents from the sibling generator (``boekstuk_local.samples``,
invoices and credit notes alternating) against the generator's truth, including KvK, buyer and line items.
That truth signs credit notes negative (as its pages print them) while the XML carries positive amounts
with a credit type code, so for credit notes amounts are compared without their sign there.

``--dump FILE.jsonl`` writes every document's whole ``Recognition`` (every field, XPath source, VAT line, line
item, buyer and warning; or its refusal), one JSON line per document in a fixed order, so two runs can be
compared field by field (``diff``) before and after a change that must not change results.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from boekstuk.adapters.recognition.chain import LocalRecognizer
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import Recognition

DOC_TYPES = {"ubl_xml", "cii_xml", "hybrid_pdf"}


def _compact(value: Any) -> str:
    return re.sub(r"[\s.\-]", "", str(value)).upper()


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _rate(value: Any) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value)).normalize()


def _ours(rec: Recognition) -> dict[str, Any]:
    f = rec.fields
    return {
        "supplier_name": f.supplier_name,
        "supplier_legal_name": rec.supplier_legal_name,
        "supplier_vat": f.supplier_vat_id,
        "invoice_number": f.invoice_number,
        "invoice_date": f.invoice_date,
        "due_date": f.due_date,
        "total_incl_vat": f.total_incl_vat,
        "total_excl_vat": f.total_excl_vat,
        "vat_total": f.vat_total,
        "amount_due": rec.amount_due,
        "currency": f.currency,
        "iban": f.supplier_iban,
        "supplier_kvk": f.supplier_kvk,
        "vat_breakdown": [
            {"category": v.category, "rate": Decimal(v.rate), "taxable_amount": v.base, "tax_amount": v.amount}
            for v in rec.vat_lines
        ],
        "document_kind": (rec.document_kind, rec.document_type_code),
    }


def _equal(name: str, truth: Any, ours: Any) -> bool:
    if name in {"total_incl_vat", "total_excl_vat", "vat_total", "amount_due"}:
        return _money(truth) == (None if ours is None else Decimal(ours))
    if name in {"supplier_vat"}:
        return (truth is None and ours is None) or (
            truth is not None and ours is not None and _compact(truth) == _compact(ours)
        )
    if name == "iban":
        if truth is None or truth == []:
            return ours is None
        options = truth if isinstance(truth, list) else [truth]
        return ours is not None and _compact(ours) in {_compact(o) for o in options}
    if name == "vat_breakdown":
        if truth is None:
            return not ours
        with_category = any(t.get("category") for t in truth)
        want = sorted(
            (t.get("category") or "", _rate(t.get("rate")), _money(t["taxable_amount"]), _money(t["tax_amount"]))
            for t in truth
        )
        # ZUGFeRD 1 BASIC states no category: compare without it then.
        got = sorted(
            ((o["category"] or "") if with_category else "", _rate(o["rate"]), o["taxable_amount"], o["tax_amount"])
            for o in ours
        )
        return want == got
    if name == "supplier_kvk":
        return truth == ours
    if name == "document_kind":
        if truth is None:
            return True
        code = str(truth).split()[-1]
        kind, our_code = ours
        is_credit = str(truth).startswith("CreditNote") or code in {"381", "396", "261", "262", "81", "83", "532"}
        return our_code == code and (kind == "credit_note") == is_credit
    return truth == ours


def dump_line(source: str, name: str, outcome: Recognition | UnreadableDocument) -> str:
    """One document's whole result as a JSON line (``--dump``)."""
    if isinstance(outcome, UnreadableDocument):
        result: dict[str, Any] = {"error": {"detail": outcome.detail, "reason": outcome.extra.get("reason")}}
    else:
        result = {"recognition": outcome.model_dump(mode="json")}
    return json.dumps({"source": source, "file": name, **result}, sort_keys=True, ensure_ascii=False)


def check_samples(count: int, recognizer: LocalRecognizer, dump: list[str] | None = None) -> tuple[int, int, int]:
    """Read ``count`` generated SI-UBL documents; return (fields, correct, mismatches) and print mismatches."""
    from boekstuk_local.samples import make_document

    fields = correct = 0
    for seed in range(count):
        kind = "credit_note" if seed % 2 else "invoice"
        doc = make_document(seed, fmt="ubl", kind=kind)
        rec = recognizer.recognize(doc.content, doc.filename, doc.content_type)
        if dump is not None:
            dump.append(dump_line("boekstuk-samples", f"seed={seed} {doc.filename}", rec))
        truth = dict(doc.truth["fields"])
        ours = _ours(rec)
        if kind == "credit_note":
            # The generator's truth is negative for credit notes; the XML (and the dev set) keep them positive.
            for key in ("total_incl_vat", "total_excl_vat", "vat_total", "amount_due"):
                if truth.get(key) is not None:
                    truth[key] = abs(truth[key])
            truth["vat_breakdown"] = [
                {**v, "taxable_amount": abs(v["taxable_amount"]), "tax_amount": abs(v["tax_amount"])}
                for v in truth.get("vat_breakdown") or []
            ]
        checks: dict[str, tuple[Any, Any]] = {name: (want, ours[name]) for name, want in truth.items() if name in ours}
        buyer = doc.truth.get("buyer") or {}
        our_buyer = rec.buyer.model_dump() if rec.buyer else {}
        for key in ("name", "vat_id", "kvk"):
            checks[f"buyer.{key}"] = (buyer.get(key), our_buyer.get(key))
        want_lines = [
            (li["description"], abs(Decimal(li["amount_excl_vat"]))) for li in doc.truth.get("line_items") or []
        ]
        got_lines = [(li.description, abs(li.amount_excl_vat or Decimal(0))) for li in rec.line_items]
        checks["line_items"] = (want_lines, got_lines)
        for name, (want, got) in checks.items():
            fields += 1
            base = name if name in ours else "plain"
            if (base == "plain" and want == got) or (base != "plain" and _equal(base, want, got)):
                correct += 1
            else:
                print(f"MISMATCH samples seed={seed} {kind} {name}: truth={want!r} ours={got!r}")
    return fields, correct, fields - correct


def main(argv: list[str] | None = None) -> int:
    """Run the check; print mismatches and a per-source summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default="/work/shared/data/dev")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--samples", type=int, default=0, metavar="N", help="also check N generated SI-UBL documents")
    parser.add_argument("--dump", type=Path, metavar="FILE", help="write every document's whole result (JSON lines)")
    args = parser.parse_args(argv)
    dump: list[str] | None = [] if args.dump else None
    root = Path(args.data_dir)
    recognizer = LocalRecognizer()
    totals: dict[str, list[int]] = {}
    mismatches = 0
    started = time.perf_counter()
    for gt_file in sorted(root.glob("*/ground_truth.jsonl")):
        for line in gt_file.read_text().splitlines():
            doc = json.loads(line)
            if doc["doc_type"] not in DOC_TYPES:
                continue
            truth = doc.get("embedded_xml_fields") or doc["fields"]
            skip = set(doc.get("not_annotated") or []) if "embedded_xml_fields" not in doc else set()
            path = gt_file.parent / doc["file"]
            content = path.read_bytes()
            stats = totals.setdefault(doc["source"], [0, 0, 0])
            stats[0] += 1
            try:
                rec = recognizer.recognize(content, path.name)
            except UnreadableDocument as exc:
                if dump is not None:
                    dump.append(dump_line(doc["source"], doc["file"], exc))
                print(f"UNREADABLE {doc['doc_id']}: {exc.detail}")
                mismatches += 1
                continue
            if dump is not None:
                dump.append(dump_line(doc["source"], doc["file"], rec))
            if rec.engine not in ("ubl", "cii"):
                print(f"WRONG ENGINE {doc['doc_id']}: {rec.engine}")
                mismatches += 1
                continue
            ours = _ours(rec)
            for name, want in truth.items():
                if name not in ours or name in skip:
                    continue
                stats[1] += 1
                if _equal(name, want, ours[name]):
                    stats[2] += 1
                else:
                    mismatches += 1
                    print(f"MISMATCH {doc['doc_id']} {name}: truth={want!r} ours={ours[name]!r}")
            if args.verbose:
                print(f"ok {doc['doc_id']} engine={rec.engine} kind={rec.document_kind}")
    if args.samples:
        fields, correct, bad = check_samples(args.samples, recognizer, dump)
        totals["boekstuk-samples (generated)"] = [args.samples, fields, correct]
        mismatches += bad
    print()
    print(f"{'source':28} {'docs':>5} {'fields':>7} {'correct':>8}")
    for source, (docs, fields, correct) in sorted(totals.items()):
        print(f"{source:28} {docs:5d} {fields:7d} {correct:8d}  {100 * correct / max(fields, 1):.1f} %")
    print(f"elapsed {time.perf_counter() - started:.2f} s, mismatches {mismatches}")
    if args.dump and dump is not None:
        args.dump.write_text("".join(line + "\n" for line in dump))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
