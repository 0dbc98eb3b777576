"""Booking proposals that learn: how the share of proposals a bookkeeper need not edit grows with history.

    python bench/proposals.py [--count 60] [--package snelstart] [--formats pdf,ubl] [--seed 1] [--no-readme]

In-process local stack (moto + the five package simulators via ``local_aws``): an office is onboarded through
the API, one administration of ``--package`` is linked and synced. A stream of generated Dutch invoices from
seeded suppliers (and three suppliers the package does not know) is read by ``LocalRecognizer`` and proposed
by ``ProposalService``. For each proposal a bookkeeper's truth decides whether it needed an edit; the
bookkeeper's correction is applied through ``ProposalService.edit``, the supplier provisioned through
``SupplierProvisioning.ensure_supplier`` and the booking recorded with ``record_booked`` - so the next
proposal of that supplier can learn. The bookkeeper books some suppliers on another account than the
package default (Telecom Noord on 4330 instead of 4310, Garage Van den Berg on 4510 instead of 4500).

"No edit" means: the right creditor (or ``new`` with the invoice's VAT id for a first-time supplier), the
invoice number, invoice and due date, the total, every line's GL account, and per VAT code the same
amounts as the invoice's VAT breakdown. Recognition errors count against the proposal too: this measures
what the bookkeeper sees. The Markdown table goes into bench/README.md between the proposals markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
README = REPO / "bench" / "README.md"
MARK_BEGIN, MARK_END = "<!-- proposals-results:begin -->", "<!-- proposals-results:end -->"
SECTION_TITLE = "## `proposals.py`"
PASSWORD = "correct horse battery staple"

# The bookkeeper's truth per seeded supplier code: the account they really book on.
TRUE_ACCOUNTS = {"2001": "4300", "2002": "4330", "2003": "7000", "2004": "4410", "2006": "4510", "2008": "4320"}
NEW_SUPPLIER_ACCOUNTS = ("4600", "4900", "4330")
KIND_BY_CATEGORY = {"AE": "reverse_charge", "K": "eu", "Z": "zero", "E": "zero"}


@dataclass
class Creditor:
    """One supplier of the stream and what the bookkeeper knows about it."""

    party: Any  # boekstuk_local.samples.Party
    account: str
    seed_code: str | None
    package_code: str | None = None  # known after the first booking of a new supplier
    booked: int = 0


@dataclass
class Result:
    index: int
    supplier: str
    prior: int
    ok: bool
    wrong: list[str]


def onboard(aws: Any, package: str) -> tuple[str, str]:
    """Signup, confirm, activate, log in, link ``package``, add its first administration; (office, adm id)."""
    from boekstuk_local.simulators.base import complete_oauth_login
    from boekstuk_local.simulators.registry import DEMO_LOGINS

    office = f"bench-{uuid.uuid4().hex[:6]}"
    email = f"{office}@example.nl"
    status, _, body = aws.api_call("POST", "/v1/signups", {
        "company_name": "Bakkerij De Vries B.V.", "contact_name": "Anna", "email": email, "phone": "+31 20 123 4567",
        "plan": "trial", "plan_confirmation": "trial", "accept_terms": True})
    assert status == 201, body
    code = re.search(r"\b(\d{6})\b", aws.mail(email)[-1].body).group(1)  # type: ignore[union-attr]
    _, _, confirmed = aws.api_call("POST", f"/v1/signups/{body['signup_id']}/confirmation", {"code": code})
    status, _, _ = aws.api_call("POST", "/v1/activations", {"activation_token": confirmed["activation_token"],
                                                            "office_code": office, "username": "sync",
                                                            "password": PASSWORD})
    assert status == 201
    _, _, session = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync",
                                                          "password": PASSWORD})
    token = session["access_token"]
    login = DEMO_LOGINS[package]
    if package in ("twinfield", "snelstart"):
        _, _, conn = aws.api_call("POST", f"/v1/offices/{office}/connections",
                                  {"package": package, "description": "bench", "credentials": login}, token=token)
    else:
        _, _, conn = aws.api_call("POST", f"/v1/offices/{office}/connections",
                                  {"package": package, "description": "bench"}, token=token)
        oauth_code, state = complete_oauth_login(conn["authorize_url"], login["username"], login["password"])
        query = urllib.parse.urlencode({"code": oauth_code, "state": state})
        aws.api_call("GET", f"/v1/oauth/callback?{query}", headers={"Accept": "application/json"})
    base = f"/v1/offices/{office}/connections/{conn['connection_id']}/administrations"
    _, _, listed = aws.api_call("GET", base, token=token)
    first = next(a for a in listed["administrations"] if a["accessible"])
    status, _, added = aws.api_call("POST", base, {"codes": [first["code"]]}, token=token)
    assert status == 201, added
    return office, added["added"][0]["administration_id"]


def creditors(rng: random.Random) -> list[Creditor]:
    """Six seeded suppliers (two booked off their package default) and three the package does not know."""
    from boekstuk_local.samples import party_from_seed
    from boekstuk_local.samples.model import random_supplier
    from boekstuk_local.simulators.seed import SUPPLIERS

    known = [Creditor(party_from_seed(s), TRUE_ACCOUNTS[s.code], s.code) for s in SUPPLIERS if s.code in TRUE_ACCOUNTS]
    new = [Creditor(random_supplier(rng, "NL"), account, None) for account in NEW_SUPPLIER_ACCOUNTS]
    return known + new


def truth_groups(spec: Any, codes_by_kind: dict[str, str]) -> dict[str, tuple[Decimal, Decimal]]:
    """VAT code -> (base, VAT) as the invoice states them, in the package's coding."""
    groups: dict[str, tuple[Decimal, Decimal]] = {}
    for g in spec.vat_groups:
        kind = KIND_BY_CATEGORY.get(g.category) or {Decimal(21): "high", Decimal(9): "low", Decimal(0): "zero"}[g.rate]
        code = codes_by_kind[kind]
        base, vat = groups.get(code, (Decimal("0.00"), Decimal("0.00")))
        groups[code] = (base + g.base, vat + g.amount)
    return groups


def run(count: int, package: str, formats: list[str], seed: int, verbose: bool = False,
        learn: bool = True) -> tuple[list[Result], dict[str, Any]]:
    """Feed the stream; one result per invoice and run facts. ``learn=False``: bookings are not recorded
    (the baseline: every proposal relies on the package defaults alone)."""
    from boekstuk.adapters.recognition.chain import LocalRecognizer
    from boekstuk.bootstrap import components
    from boekstuk.domain.documents import Document
    from boekstuk.services.proposals import ProposalEdit
    from boekstuk_local import moto_patches
    from boekstuk_local.samples import make_document
    from boekstuk_local.simulators.seed import ADMINISTRATIONS
    from boekstuk_local.testing import local_aws

    rng = random.Random(f"bench-proposals-{seed}")
    moto_patches.install()
    results: list[Result] = []
    started = time.perf_counter()
    with local_aws(simulators=True) as aws:
        office, adm_id = onboard(aws, package)
        svc = components()
        adm = svc.administrations.get(office, adm_id)
        assert adm is not None
        buyer = next(a for a in ADMINISTRATIONS if a.name == adm.name)
        cached = {s.vat_id: s for s in svc.administrations.suppliers(adm_id)}
        codes_by_kind: dict[str, str] = {}
        for v in sorted(svc.administrations.vat_codes(adm_id), key=lambda v: v.code):
            codes_by_kind.setdefault(v.kind, v.code)
        stream = creditors(rng)
        for c in stream:
            if c.seed_code:
                c.package_code = cached[c.party.vat_id].code
        recognizer = LocalRecognizer()
        today = dt.date.today()
        for index in range(count):
            creditor = rng.choice(stream)
            fmt = formats[index % len(formats)]
            issued = today - dt.timedelta(days=(count - index) * 2)
            sample = make_document(seed * 10_000 + index, supplier=creditor.party, buyer=buyer, fmt=fmt,  # type: ignore[arg-type]
                                   invoice_date=issued)
            recognition = recognizer.recognize(sample.content, sample.filename, sample.content_type)
            now = dt.datetime.now(dt.UTC)
            doc = Document(document_id=uuid.uuid4().hex, office_code=office, administration_id=adm_id,
                           kind="purchase_invoice", filename=sample.filename, status="awaiting_approval",
                           source="api", s3_key=f"bench/{index}", uploaded_by="sync", created_at=now, updated_at=now)
            proposal = svc.proposals.propose(doc, recognition).proposal
            spec = sample.spec
            term = next((s.payment_term_days for s in cached.values() if s.code == creditor.package_code), None)
            due = spec.due_date or (issued + dt.timedelta(days=term) if term else None)
            groups = truth_groups(spec, codes_by_kind)
            wrong: list[str] = []
            if creditor.package_code:
                if proposal.supplier.code != creditor.package_code:
                    wrong.append("supplier")
            elif proposal.supplier.match != "new" or proposal.supplier.vat_id != creditor.party.vat_id:
                wrong.append("supplier")
            if proposal.invoice_number != spec.number:
                wrong.append("invoice_number")
            if proposal.invoice_date != spec.issue_date or proposal.due_date != due:
                wrong.append("dates")
                if verbose:
                    print(f"#{index} {creditor.party.name}: dates {proposal.invoice_date}/{proposal.due_date} "
                          f"!= {spec.issue_date}/{due}", file=sys.stderr)
            if proposal.total_incl_vat != spec.total_incl_vat:
                wrong.append("total")
            if any(line.gl_account != creditor.account for line in proposal.lines) or not proposal.lines:
                wrong.append("gl_account")
                if verbose:
                    print(f"#{index} {creditor.party.name} (booked {creditor.booked}x): GL "
                          f"{[ln.gl_account for ln in proposal.lines]} != {creditor.account} "
                          f"({proposal.provenance.get('lines[0].gl_account')})", file=sys.stderr)
            got: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (Decimal("0.00"), Decimal("0.00")))
            for line in proposal.lines:
                base, vat = got[line.vat_code or "?"]
                got[line.vat_code or "?"] = (base + line.amount_excl_vat, vat + line.vat_amount)
            if dict(got) != groups:
                wrong.append("vat_lines")
                if verbose:
                    print(f"#{index} {creditor.party.name}: VAT {dict(got)} != {groups}", file=sys.stderr)
            results.append(Result(index, creditor.party.name, creditor.booked, not wrong, wrong))

            # The bookkeeper corrects what is wrong, approves, and the document is booked.
            edit = ProposalEdit(
                supplier_code=creditor.package_code, invoice_number=spec.number, invoice_date=spec.issue_date,
                due_date=due, currency="EUR", description=proposal.description,
                lines=[{"gl_account": creditor.account, "description": f"{creditor.party.name} {spec.number}",
                        "amount_excl_vat": base, "vat_code": code, "vat_amount": vat}
                       for code, (base, vat) in groups.items()],
                total_incl_vat=spec.total_incl_vat)
            edited = svc.proposals.edit(doc.model_copy(update={"proposal": proposal}), edit, "bookkeeper")
            booked = doc.model_copy(update={"proposal": edited, "status": "approved"})
            code = svc.supplier_provisioning.ensure_supplier(booked)
            creditor.package_code = creditor.package_code or code
            if learn:
                svc.proposals.record_booked(booked.model_copy(update={"status": "booked"}), supplier_code=code)
            creditor.booked += 1
    facts = {"package": package, "count": count, "formats": ",".join(formats), "seed": seed,
             "seconds": round(time.perf_counter() - started, 1), "suppliers": len(stream)}
    return results, facts


def table(results: list[Result], baseline: list[Result], facts: dict[str, Any]) -> str:
    """The Markdown section body: share of proposals needing no edit, with learning and without."""
    def share(rows: list[Result]) -> str:
        return f"{sum(r.ok for r in rows) / len(rows):.0%}" if rows else "-"

    def bucket(prior: int) -> str:
        return "0 (first invoice)" if prior == 0 else str(prior) if prior < 3 else "3+"

    lines = [f"Run: {dt.date.today().isoformat()}, package `{facts['package']}`, {facts['count']} invoices "
             f"({facts['formats']}), {facts['suppliers']} suppliers (3 new to the package), seed {facts['seed']}, "
             f"{facts['seconds']} s in-process. Baseline: the same stream without `record_booked`.", "",
             "| bookings of this supplier before the invoice | invoices | no edit needed | baseline (no learning) |",
             "|---|---:|---:|---:|"]
    by_bucket: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(results):
        by_bucket[bucket(r.prior)].append(i)
    for name in ("0 (first invoice)", "1", "2", "3+"):
        idx = by_bucket[name]
        lines.append(f"| {name} | {len(idx)} | {share([results[i] for i in idx])} | "
                     f"{share([baseline[i] for i in idx])} |")
    lines += ["", "| position in the stream | invoices | no edit needed | baseline (no learning) |",
              "|---|---:|---:|---:|"]
    size = max(1, len(results) // 3)
    for start in range(0, len(results), size):
        chunk = results[start:start + size]
        lines.append(f"| {start + 1}-{start + len(chunk)} | {len(chunk)} | {share(chunk)} | "
                     f"{share(baseline[start:start + size])} |")
    lines.append(f"| all | {len(results)} | {share(results)} | {share(baseline)} |")
    for label, rows in (("with learning", results), ("baseline", baseline)):
        reasons = Counter(w for r in rows for w in r.wrong)
        lines += ["", f"What needed an edit, {label} (invoices): "
                  + (", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "nothing") + "."]
    return "\n".join(lines)


SECTION_INTRO = f"""{SECTION_TITLE}

```
python bench/proposals.py                 # 60 invoices, SnelStart, text PDFs and SI-UBL, under a minute
python bench/proposals.py --count 120 --package exact_online --formats pdf
```

Feeds a stream of generated invoices (six seeded suppliers, three the package does not know) through
`LocalRecognizer` and `ProposalService` on the in-process local stack (moto + simulators), lets a bookkeeper
correct each proposal (`edit`), provisions the supplier (`ensure_supplier`) and records the booking
(`record_booked`). The bookkeeper books Telecom Noord on 4330 and Garage Van den Berg on 4510 (not their package
defaults 4310/4500) and each new supplier on its own account. "No edit" = right creditor (or `new` with the
invoice's VAT id the first time), number, dates, total, every GL account, and the VAT codes with the invoice's
amounts per code. The baseline column runs the same stream without `record_booked`, so only the
package defaults (and the recognised VAT rates) decide; a new supplier is created with the approved
account as its package default, so the baseline, too, knows it after one booking. See the docstring of
`bench/proposals.py`. For comparison, `--count 30 --package exact_online --formats pdf` (2026-11-28): 73 % of
the proposals needed no edit with learning, 50 % without (it takes about 80 s: Exact's 60 calls a minute).

"""


def write_readme(body: str) -> None:
    """Replace only our section (between the markers); append it when absent."""
    block = f"{MARK_BEGIN}\n{body}\n{MARK_END}"
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + SECTION_INTRO + block + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--package", default="snelstart",
                        choices=["exact_online", "twinfield", "snelstart", "accountview", "multivers"])
    parser.add_argument("--formats", default="pdf,ubl", help="comma-separated: pdf, png, jpeg, ubl (png/jpeg use OCR)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print why each proposal needed an edit")
    args = parser.parse_args(argv)
    # The services log every sync and creation at INFO; the table is what this run is for.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    results, facts = run(args.count, args.package, args.formats.split(","), args.seed, args.verbose)
    baseline, _ = run(args.count, args.package, args.formats.split(","), args.seed, learn=False)
    body = table(results, baseline, facts)
    print(body)
    if not args.no_readme:
        write_readme(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
