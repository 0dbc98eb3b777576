"""Build a booking proposal from a recognition and what is known about the supplier.

Pure: the service gathers the inputs (matched supplier, saved rule, booked history, the package's VAT
codes) and this module decides every field and says where each came from (``provenance``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from boekstuk.domain.documents import BookedHistory, Proposal, ProposalLine, ProposalSupplier, ProposalWarning
from boekstuk.domain.links import PostingRule, Supplier, TaxCode
from boekstuk.domain.money import to_money
from boekstuk.domain.packages import VatKind
from boekstuk.domain.proposing.vat import code_for, compatible, country_of_vat_id, rate_value, vat_kind
from boekstuk.domain.recognition import Recognition

HISTORY_WINDOW = dt.timedelta(days=183)
"""What a supplier was booked on counts for six months; older bookings no longer teach the proposal."""

ZERO = Decimal("0.00")

DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                "oktober", "november", "december")


@dataclass(frozen=True)
class SupplierChoice:
    """The supplier decided by matching (or the creditor convention for receipts and expense claims)."""

    proposal: ProposalSupplier
    provenance: str  # "vat_id match", "kvk match (package)", "new supplier (recognised)", ...
    known: Supplier | None = None  # the matched record: its defaults and payment term
    update: dict[str, str] | None = None


@dataclass(frozen=True)
class ProposalInputs:
    """Everything ``build_proposal`` needs besides the recognition."""

    document_id: str
    document_kind: str  # purchase_invoice | receipt | expense_claim
    supplier: SupplierChoice
    vat_codes: Sequence[TaxCode]
    rule: PostingRule | None = None
    history: BookedHistory | None = None  # already limited to the window by the caller
    warnings: Sequence[ProposalWarning] = ()
    line_description: str | None = None  # receipts/claims: "<shop> <date>" instead of the supplier name


@dataclass
class _RawLine:
    description: str
    amount: Decimal
    vat_amount: Decimal | None
    rate: str | None
    kind: VatKind | None
    source: str  # "recognised" (a line item) or "vat breakdown" or "totals"
    gross: bool = False  # only a total incl. VAT is known: the chosen VAT code splits it


@dataclass
class _Draft:
    warnings: list[ProposalWarning] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)

    def warn(self, code: str, detail: str, about: str | None = None) -> None:
        """Add a warning (``about``: the field it concerns) unless the same one was given already."""
        if not any(w.code == code and w.detail == detail for w in self.warnings):
            self.warnings.append(ProposalWarning(code=code, detail=detail, field=about))


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date or None (a recognised date that is not one is treated as absent)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def render_description(template: str, supplier_name: str, invoice_date: dt.date | None,
                       invoice_number: str | None) -> str:
    """Fill ``[supplier] [month-1] [year]`` and friends.

    ``[month]``/``[month-1]``/``[month+1]`` are Dutch month names relative to the invoice date; ``[year]``
    follows the month offset used in the same template (a January invoice for "[month-1] [year]" reads
    "december 2025": the period the invoice is about). ``[year-1]``, ``[date]``, ``[invoice_number]`` too.
    """
    when = invoice_date or dt.date.today()
    offsets = [int(m) for m in re.findall(r"\[month([+-]\d+)\]", template)]
    period_shift = offsets[0] if offsets else 0

    def month(shift: int) -> tuple[int, int]:
        index = when.year * 12 + when.month - 1 + shift
        return index // 12, index % 12 + 1

    def replace(match: re.Match[str]) -> str:
        key, sign, number = match.group(1).lower(), match.group(2), match.group(3)
        shift = int(f"{sign}{number}") if sign else 0
        if key == "supplier":
            return supplier_name
        if key == "month":
            return DUTCH_MONTHS[month(shift)[1] - 1]
        if key == "year":
            return str(month(period_shift)[0] + shift)
        if key == "date":
            return when.isoformat()
        if key == "invoice_number":
            return invoice_number or ""
        return match.group(0)

    text = re.sub(r"\[(supplier|month|year|date|invoice_number)(?:([+-])(\d+))?\]", replace, template,
                  flags=re.IGNORECASE)
    return " ".join(text.split())


def build_proposal(recognition: Recognition, inputs: ProposalInputs) -> Proposal:
    """The complete proposal: supplier, dates, lines with GL account and VAT code, warnings, provenance."""
    draft = _Draft(warnings=list(inputs.warnings))
    f = recognition.fields
    choice = inputs.supplier
    draft.provenance["supplier"] = choice.provenance
    credit = recognition.document_kind == "credit_note"
    paid_on_the_spot = inputs.document_kind in ("receipt", "expense_claim") or recognition.document_kind == "receipt"

    invoice_number = (f.invoice_number or "").strip() or None
    if invoice_number:
        draft.provenance["invoice_number"] = "recognised"
    elif paid_on_the_spot:
        # Packages refuse an entry without a number; receipts rarely carry one.
        invoice_number = f"BON-{inputs.document_id[:8].upper()}"
        draft.provenance["invoice_number"] = "generated (receipt without number)"
    else:
        draft.warn("missing_invoice_number", "No invoice number was found on the document: fill it in.")

    invoice_date = parse_date(f.invoice_date)
    if invoice_date:
        draft.provenance["invoice_date"] = "recognised"
    else:
        draft.warn("missing_invoice_date", "No invoice date was found on the document: fill it in.")
    due_date = _due_date(f.due_date, invoice_date, choice.known, paid_on_the_spot, draft)

    currency = (f.currency or "EUR").upper()
    draft.provenance["currency"] = "recognised" if f.currency else "default (EUR)"
    if currency != "EUR":
        draft.warn("foreign_currency", f"The invoice is in {currency}; amounts are kept in {currency}, "
                                       "check the exchange rate the package will use.")

    country = country_of_vat_id(choice.proposal.vat_id) or country_of_vat_id(f.supplier_vat_id)
    totals_ok = _totals_consistent(recognition, draft)
    raw, total = _raw_lines(recognition, country, totals_ok, draft)

    description_template = inputs.rule.description_template if inputs.rule else None
    description = (render_description(description_template, choice.proposal.name, invoice_date, invoice_number)
                   if description_template else None)
    if description:
        draft.provenance["description"] = "supplier rule"
    fallback_description = description or inputs.line_description or " ".join(
        part for part in (choice.proposal.name, invoice_number) if part)

    lines: list[ProposalLine] = []
    for index, line in enumerate(raw):
        lines.append(_account_line(index, line, inputs, description, fallback_description, draft))

    sign = Decimal(-1) if credit else Decimal(1)
    lines = [ln.model_copy(update={"amount_excl_vat": sign * abs(ln.amount_excl_vat),
                                   "vat_amount": sign * abs(ln.vat_amount)}) for ln in lines]
    total = sign * abs(total)
    draft.provenance["total_incl_vat"] = "recognised" if f.total_incl_vat is not None else "sum of lines"

    _low_confidence(recognition, draft)
    if recognition.suspicious_content:
        draft.warn("suspicious_content", recognition.suspicious_content)
    return Proposal(
        supplier=choice.proposal, invoice_number=invoice_number, invoice_date=invoice_date, due_date=due_date,
        currency=currency, description=description, lines=lines, total_incl_vat=total,
        warnings=draft.warnings, provenance=draft.provenance, supplier_update=choice.update,
    )


def _due_date(recognised: str | None, invoice_date: dt.date | None, known: Supplier | None,
              paid_on_the_spot: bool, draft: _Draft) -> dt.date | None:
    due = parse_date(recognised)
    if due:
        draft.provenance["due_date"] = "recognised"
        return due
    if invoice_date is None:
        return None
    if known is not None and known.payment_term_days is not None and not paid_on_the_spot:
        draft.provenance["due_date"] = f"supplier payment term ({known.payment_term_days} days)"
        return invoice_date + dt.timedelta(days=known.payment_term_days)
    if paid_on_the_spot:
        draft.provenance["due_date"] = "receipt: paid on the invoice date"
        return invoice_date
    return None


def _totals_consistent(recognition: Recognition, draft: _Draft) -> bool:
    """Do the recognised totals and VAT breakdown add up? Warn ``totals_mismatch`` when not."""
    f = recognition.fields
    problems: list[str] = []
    if f.total_excl_vat is not None and f.vat_total is not None and f.total_incl_vat is not None \
            and abs(f.total_excl_vat) + abs(f.vat_total) != abs(f.total_incl_vat):
        problems.append(f"excl. VAT {f.total_excl_vat} + VAT {f.vat_total} is not the total {f.total_incl_vat}")
    if recognition.vat_lines and f.total_incl_vat is not None:
        base = sum((abs(v.base) for v in recognition.vat_lines), ZERO)
        vat = sum((abs(v.amount) for v in recognition.vat_lines), ZERO)
        if base + vat != abs(f.total_incl_vat):
            problems.append(f"the VAT breakdown ({base} + {vat}) does not add up to the total {f.total_incl_vat}")
    for problem in problems:
        draft.warn("totals_mismatch", f"The recognised totals do not add up: {problem}.")
    return not problems


def _kind(rate: str | None, reverse: bool, category: str | None, country: str | None) -> VatKind | None:
    return vat_kind(rate, reverse_charge=reverse, category=category, supplier_country=country)


def _norm_rate(rate: str | None) -> str | None:
    value = rate_value(rate)
    return None if value is None else format(value.normalize(), "f")


def _raw_lines(recognition: Recognition, country: str | None, totals_ok: bool,
               draft: _Draft) -> tuple[list[_RawLine], Decimal]:
    """Amounts per line and the total: line items when they add up, else the VAT breakdown, else the totals."""
    f = recognition.fields
    vat_lines = recognition.vat_lines
    breakdown = [_RawLine("", abs(v.base), abs(v.amount), _norm_rate(v.rate),
                          _kind(v.rate, v.reverse_charge, v.category, country), "vat breakdown") for v in vat_lines]
    breakdown_total = sum((ln.amount + (ln.vat_amount or ZERO) for ln in breakdown), ZERO)
    total = abs(f.total_incl_vat) if f.total_incl_vat is not None else None

    items = _from_line_items(recognition, country)
    if items is not None:
        items_total = sum((ln.amount + (ln.vat_amount or ZERO) for ln in items), ZERO)
        if total is None or items_total == total:
            return items, total if total is not None else items_total
    if breakdown:
        if total is not None and breakdown_total != total and totals_ok:
            draft.warn("totals_mismatch", f"The VAT breakdown adds up to {breakdown_total}, not to the total {total}.")
        return breakdown, total if total is not None else breakdown_total
    # No breakdown: one line from the totals, the rate derived from them when it is a Dutch one.
    if total is None and f.total_excl_vat is None:
        draft.warn("missing_total", "No total was found on the document: fill in the lines.")
        return [], ZERO
    vat = abs(f.vat_total) if f.vat_total is not None else None
    excl = abs(f.total_excl_vat) if f.total_excl_vat is not None else None
    if excl is None and total is not None:
        excl = total - vat if vat is not None else None
    if vat is None and total is not None and excl is not None:
        vat = total - excl
    rate: str | None = None
    if excl is not None and vat is not None:
        for candidate in ("21", "9", "0"):
            if to_money(excl * Decimal(candidate) / 100) == vat:
                rate = candidate
                break
    gross = excl is None
    if excl is None:
        # Only a total: the VAT code (rule/history/default) decides the split later.
        excl, vat = total, None
    assert excl is not None
    line = _RawLine("", excl, vat, rate, _kind(rate, False, None, country), "totals", gross=gross)
    return [line], total if total is not None else excl + (vat or ZERO)


def _from_line_items(recognition: Recognition, country: str | None) -> list[_RawLine] | None:
    """One line per recognised item, the VAT per rate spread over the items of that rate; None if unusable."""
    items = recognition.line_items
    if not items or any(i.amount_excl_vat is None for i in items):
        return None
    single_rate = recognition.vat_lines[0] if len(recognition.vat_lines) == 1 else None
    by_rate = {_norm_rate(v.rate): v for v in recognition.vat_lines}
    lines: list[_RawLine] = []
    for item in items:
        rate = _norm_rate(item.vat_rate) if item.vat_rate else (_norm_rate(single_rate.rate) if single_rate else None)
        if rate is None:
            return None
        vat_line = by_rate.get(rate)
        reverse = bool(vat_line and vat_line.reverse_charge)
        category = vat_line.category if vat_line else None
        assert item.amount_excl_vat is not None
        lines.append(_RawLine(item.description.strip(), abs(item.amount_excl_vat), None, rate,
                              _kind(rate, reverse, category, country), "recognised"))
    # Spread each rate's recognised VAT over its items so the VAT per rate stays exactly what the invoice says.
    for rate, group in _groups(lines).items():
        vat_line = by_rate.get(rate)
        base = sum((ln.amount for ln in group), ZERO)
        if vat_line is None:
            if recognition.vat_lines:
                return None  # an item rate the breakdown does not know: the items are not trustworthy
            for ln in group:
                ln.vat_amount = to_money(ln.amount * (rate_value(rate) or ZERO) / 100)
            continue
        if base != abs(vat_line.base):
            return None
        remaining = abs(vat_line.amount)
        for ln in group[:-1]:
            share = to_money(abs(vat_line.amount) * ln.amount / base) if base else ZERO
            ln.vat_amount = share
            remaining -= share
        group[-1].vat_amount = remaining
    if len(_groups(lines)) != len(recognition.vat_lines) and recognition.vat_lines:
        return None
    return lines


def _groups(lines: list[_RawLine]) -> dict[str | None, list[_RawLine]]:
    groups: dict[str | None, list[_RawLine]] = {}
    for ln in lines:
        groups.setdefault(ln.rate, []).append(ln)
    return groups


def _history_line(history: BookedHistory | None, index: int, mapped: TaxCode | None) -> ProposalLine | None:
    if history is None or not history.lines:
        return None
    if mapped is not None:
        same = [h for h in history.lines if h.vat_code == mapped.code]
        if same:
            return same[min(index, len(same) - 1)] if len(same) > 1 else same[0]
    return history.lines[min(index, len(history.lines) - 1)]


def _account_line(index: int, raw: _RawLine, inputs: ProposalInputs, description: str | None,
                  fallback_description: str, draft: _Draft) -> ProposalLine:
    """GL account and VAT code for one line: saved rule, then history, then the package default."""
    codes = {c.code: c for c in inputs.vat_codes}
    known = inputs.supplier.known
    mapped = code_for(raw.kind, raw.rate, inputs.vat_codes, prefer=known.default_vat_code if known else None) \
        if (raw.kind or raw.rate) else None
    past = _history_line(inputs.history, index, mapped)
    sources: list[tuple[str, str | None, str | None, str | None]] = []
    if inputs.rule:
        sources.append(("supplier rule", inputs.rule.gl_account, inputs.rule.vat_code, inputs.rule.cost_centre))
    if past is not None:
        sources.append(("history", past.gl_account, past.vat_code, past.cost_centre))
    if known is not None:
        sources.append(("package default", known.default_gl_account, known.default_vat_code, None))
    key = f"lines[{index}]"

    gl, cost_centre = None, None
    for label, account, _, centre in sources:
        if account:
            gl, cost_centre = account, centre
            draft.provenance[f"{key}.gl_account"] = label
            if centre:
                draft.provenance[f"{key}.cost_centre"] = label
            break
    if gl is None:
        draft.warn("missing_gl_account", f"No GL account is known for line {index + 1}: choose one.")

    chosen: TaxCode | None = None
    for label, _, vat_code, _ in sources:
        candidate = codes.get(vat_code or "")
        if candidate is not None and compatible(candidate, raw.kind, raw.rate):
            chosen = candidate
            draft.provenance[f"{key}.vat_code"] = label
            break
    if chosen is None and mapped is not None:
        chosen = mapped
        draft.provenance[f"{key}.vat_code"] = f"recognised vat rate ({_rate_label(raw)})"
    if chosen is None:
        if raw.kind is None and raw.rate is not None:
            draft.warn("unknown_vat_rate", f"The package has no VAT code for {raw.rate} % (line {index + 1}): "
                                           "choose the VAT code.")
        elif raw.kind is not None:
            draft.warn("unknown_vat_rate", f"The package has no VAT code for {_rate_label(raw)} "
                                           f"(line {index + 1}): choose the VAT code.")
        else:
            draft.warn("missing_vat_code", f"No VAT rate is known for line {index + 1}: choose the VAT code.")

    vat_amount = raw.vat_amount
    if vat_amount is None:
        rate = rate_value(chosen.rate) if chosen is not None and chosen.kind in ("high", "low") else None
        if rate is not None and raw.gross:
            # Only a total was found: split it with the chosen code's rate.
            gross = raw.amount
            excl = to_money(gross * 100 / (100 + rate))
            raw.amount, vat_amount = excl, gross - excl
        elif rate is not None:
            vat_amount = to_money(raw.amount * rate / 100)
        else:
            vat_amount = ZERO
    draft.provenance[f"{key}.amount_excl_vat"] = raw.source
    text = raw.description or description or fallback_description
    if raw.description:
        draft.provenance[f"{key}.description"] = "recognised"
    elif description:
        draft.provenance[f"{key}.description"] = "supplier rule"
    return ProposalLine(gl_account=gl, description=text[:200], amount_excl_vat=raw.amount,
                        vat_code=chosen.code if chosen else None, vat_amount=vat_amount,
                        vat_rate=raw.rate if raw.rate is not None else (chosen.rate if chosen else None),
                        cost_centre=cost_centre)


def _rate_label(raw: _RawLine) -> str:
    if raw.kind == "reverse_charge":
        return "verlegd"
    if raw.kind == "eu":
        return "EU acquisition"
    return f"{raw.rate} %"


def _low_confidence(recognition: Recognition, draft: _Draft) -> None:
    """One ``low_confidence`` warning per recognised field read less surely than its review threshold: the
    field's own in ``extraction.weights.REVIEW_THRESHOLDS``, where the extractor's scores are kept, else
    ``REVIEW_BELOW`` (the bookkeeper checks them).

    Imported here, not at the top: the extraction package loads the whole extractor (~75 ms), which only the
    intake needs; the documents and approval functions import this package for edits and claims."""
    from boekstuk.domain.extraction.weights import REVIEW_BELOW, REVIEW_THRESHOLDS

    for name, value in sorted(recognition.confidence.items()):
        if value < REVIEW_THRESHOLDS.get(name, REVIEW_BELOW):
            draft.warn("low_confidence", f"'{name}' was read with low confidence ({value:.2f}): check it.", about=name)
