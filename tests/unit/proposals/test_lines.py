"""GL account and VAT code per line (rule > history > default), VAT mapping, dates, amounts, provenance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from boekstuk.domain.documents import BookedHistory, ProposalLine
from boekstuk.domain.links import PostingRule
from boekstuk.domain.proposing import render_description
from tests.unit.proposals.fakes import ADM, GRAAN, TELECOM, World, recognition


def booked(world: World, code: str, gl: str, vat: str = "H21", days_ago: int = 10) -> None:
    world.memory.record_booked(ADM.administration_id, BookedHistory(
        supplier_code=code, booked_at=world.clock.now() - dt.timedelta(days=days_ago), document_id="old",
        lines=[ProposalLine(gl_account=gl, description="x", amount_excl_vat=Decimal("1.00"), vat_code=vat,
                            vat_amount=Decimal("0.21"), vat_rate="21")]))


def test_package_default_then_history_then_rule() -> None:
    world = World()
    first = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="A1")).proposal
    assert (first.lines[0].gl_account, first.lines[0].vat_code) == ("4310", "H21")
    assert first.provenance["lines[0].gl_account"] == "package default"
    assert first.provenance["lines[0].vat_code"] == "package default"

    booked(world, "2002", "4330")
    second = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="A2")).proposal
    assert second.lines[0].gl_account == "4330"
    assert second.provenance["lines[0].gl_account"] == "history"

    world.administrations.rule_map["2002"] = PostingRule(gl_account="4400", vat_code="H21", cost_centre="KP1",
                                                         description_template="[supplier] [month-1] [year]")
    third = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="A3")).proposal
    line = third.lines[0]
    assert (line.gl_account, line.vat_code, line.cost_centre) == ("4400", "H21", "KP1")
    assert third.provenance["lines[0].gl_account"] == "supplier rule"
    assert third.provenance["lines[0].vat_code"] == "supplier rule"
    assert third.description == line.description == "Telecom Noord B.V. januari 2026"


def test_history_older_than_six_months_no_longer_counts() -> None:
    world = World()
    booked(world, "2002", "4330", days_ago=200)
    stale = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="B1")).proposal
    assert stale.lines[0].gl_account == "4310" and stale.provenance["lines[0].gl_account"] == "package default"
    booked(world, "2002", "4330", days_ago=170)
    fresh = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="B2")).proposal
    assert fresh.lines[0].gl_account == "4330"


def test_record_booked_teaches_the_next_proposal() -> None:
    world = World()
    doc = world.document(status="awaiting_approval")
    proposal = world.service.propose(doc, recognition(vat_id=TELECOM.vat_id, number="C1")).proposal
    corrected = proposal.model_copy(update={"lines": [proposal.lines[0].model_copy(update={"gl_account": "4330"})]})
    world.service.record_booked(doc.model_copy(update={"proposal": corrected, "status": "booked"}))
    nxt = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id, number="C2")).proposal
    assert nxt.lines[0].gl_account == "4330" and nxt.provenance["lines[0].gl_account"] == "history"


def test_description_template_month_and_year() -> None:
    assert render_description("[supplier] [month-1] [year]", "Telecom", dt.date(2026, 1, 15), None) == \
        "Telecom december 2025"
    assert render_description("[supplier] [month] [year] [invoice_number]", "T", dt.date(2026, 3, 1), "F1") == \
        "T maart 2026 F1"


@pytest.mark.parametrize(("rate", "kwargs", "code"), [
    ("21", {}, "H21"), ("9", {}, "L9"), ("0", {}, "N0"),
    ("0", {"reverse": True}, "VL"),
    ("0", {"category": "K", "vat_id": "DE123456789"}, "EU"),
    ("0", {"reverse": True, "vat_id": "DE123456789"}, "EU"),
    ("0", {"vat_id": "DE123456789"}, "EU"),
])
def test_vat_lines_map_to_the_package_codes(rate: str, kwargs: dict[str, object], code: str) -> None:
    world = World(cached=[])
    tax = str((Decimal(100) * Decimal(rate) / 100).quantize(Decimal("0.01")))
    args = {"name": "Nieuw B.V.", "vat_id": None, "vat": [(rate, "100.00", tax)], **kwargs}
    proposal = world.service.propose(world.document(), recognition(**args)).proposal  # type: ignore[arg-type]
    assert proposal.lines[0].vat_code == code
    assert proposal.provenance["lines[0].vat_code"].startswith("recognised vat rate")


def test_a_rate_without_a_package_code_is_a_warning_not_a_guess() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(vat=[("19", "100.00", "19.00")])).proposal
    assert proposal.lines[0].vat_code is None
    assert [w.code for w in proposal.warnings if w.code == "unknown_vat_rate"] == ["unknown_vat_rate"]
    # Not even the supplier's default (21 %) is used for a 19 % line.
    assert "lines[0].vat_code" not in proposal.provenance


def test_invoice_rate_beats_an_incompatible_default() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(vat_id=GRAAN.vat_id, vat=[
        ("9", "100.00", "9.00"), ("21", "50.00", "10.50")])).proposal
    assert [(ln.vat_code, ln.gl_account) for ln in proposal.lines] == [("L9", "7000"), ("H21", "7000")]
    assert proposal.provenance["lines[0].vat_code"] == "package default"
    assert proposal.provenance["lines[1].vat_code"] == "recognised vat rate (21 %)"


def test_due_date_recognised_else_invoice_date_plus_term() -> None:
    world = World()
    given = world.service.propose(world.document(), recognition(number="D1", due="2026-04-01")).proposal
    assert given.due_date == dt.date(2026, 4, 1) and given.provenance["due_date"] == "recognised"
    derived = world.service.propose(world.document(), recognition(number="D2", date="2026-02-10")).proposal
    assert derived.due_date == dt.date(2026, 3, 12)
    assert derived.provenance["due_date"] == "supplier payment term (30 days)"


def test_line_items_are_used_when_they_add_up() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(
        vat=[("21", "100.00", "21.00")], items=[("Papier", "33.33", "21"), ("Pennen", "66.67", "21")])).proposal
    assert [(ln.description, ln.amount_excl_vat, ln.vat_amount) for ln in proposal.lines] == [
        ("Papier", Decimal("33.33"), Decimal("7.00")), ("Pennen", Decimal("66.67"), Decimal("14.00"))]
    assert sum(ln.amount_excl_vat + ln.vat_amount for ln in proposal.lines) == proposal.total_incl_vat
    assert proposal.provenance["lines[1].amount_excl_vat"] == "recognised"


def test_items_that_do_not_add_up_give_way_to_the_vat_breakdown() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(
        vat=[("21", "100.00", "21.00"), ("9", "10.00", "0.90")], items=[("Papier", "95.00", "21")])).proposal
    assert [(ln.amount_excl_vat, ln.vat_code) for ln in proposal.lines] == [
        (Decimal("100.00"), "H21"), (Decimal("10.00"), "L9")]
    assert proposal.provenance["lines[0].amount_excl_vat"] == "vat breakdown"
    assert proposal.total_incl_vat == Decimal("131.90")
    assert not [w for w in proposal.warnings if w.code == "totals_mismatch"]


def test_recognised_totals_that_do_not_add_up_warn() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(total="125.00")).proposal
    assert "totals_mismatch" in {w.code for w in proposal.warnings}
    assert proposal.total_incl_vat == Decimal("125.00")


def test_only_a_total_is_split_by_the_chosen_vat_code() -> None:
    world = World()
    rec = recognition(vat=[], total="121.00")
    rec.fields.total_excl_vat = None
    rec.fields.vat_total = None
    line = world.service.propose(world.document(), rec).proposal.lines[0]
    assert (line.amount_excl_vat, line.vat_amount, line.vat_code) == (Decimal("100.00"), Decimal("21.00"), "H21")


def test_credit_notes_are_negative() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(kind="credit_note", number="CN1")).proposal
    assert proposal.total_incl_vat == Decimal("-121.00")
    assert (proposal.lines[0].amount_excl_vat, proposal.lines[0].vat_amount) == (Decimal("-100.00"), Decimal("-21.00"))


def test_foreign_currency_is_kept_with_a_warning() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(currency="usd")).proposal
    assert proposal.currency == "USD"
    assert "foreign_currency" in {w.code for w in proposal.warnings}


def test_low_confidence_fields_warn() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(
        confidence={"invoice_number": 0.41, "total_incl_vat": 0.97})).proposal
    low = [w for w in proposal.warnings if w.code == "low_confidence"]
    assert len(low) == 1 and "invoice_number" in low[0].detail


def test_every_field_says_where_it_came_from() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(vat_id=TELECOM.vat_id)).proposal
    assert proposal.provenance == {
        "supplier": "vat_id match", "invoice_number": "recognised", "invoice_date": "recognised",
        "due_date": "supplier payment term (14 days)", "currency": "recognised", "total_incl_vat": "recognised",
        "lines[0].gl_account": "package default", "lines[0].vat_code": "package default",
        "lines[0].amount_excl_vat": "vat breakdown"}


def test_a_rule_for_reverse_charge_beats_a_zero_rate_read_without_the_verlegd_note() -> None:
    world = World()
    world.administrations.rule_map["2001"] = PostingRule(gl_account="4300", vat_code="VL")
    proposal = world.service.propose(world.document(), recognition(vat=[("0", "100.00", "0.00")])).proposal
    assert proposal.lines[0].vat_code == "VL" and proposal.provenance["lines[0].vat_code"] == "supplier rule"
    # But a rule's 0 % code never hides VAT the invoice does charge.
    world.administrations.rule_map["2001"] = PostingRule(gl_account="4300", vat_code="N0")
    charged = world.service.propose(world.document(), recognition(number="R-2")).proposal
    assert charged.lines[0].vat_code == "H21"


def test_before_the_first_sync_the_vat_codes_come_from_the_package() -> None:
    world = World()
    world.administrations.vat = []
    proposal = world.service.propose(world.document(), recognition(vat=[("9", "100.00", "9.00")])).proposal
    assert proposal.lines[0].vat_code == "L9" and "vat_codes" in world.package.calls
    world.package.down = True
    unknown = world.service.propose(world.document(), recognition(number="Z-2")).proposal
    assert unknown.lines[0].vat_code is None
    assert "master_data_unavailable" in {w.code for w in unknown.warnings}


def test_a_file_with_active_content_warns_with_what_was_found() -> None:
    world = World()
    found = "The PDF contains JavaScript. It was read as usual; open the original only as a download."
    read = recognition().model_copy(update={"suspicious_content": found})
    proposal = world.service.propose(world.document(), read).proposal
    assert [w.detail for w in proposal.warnings if w.code == "suspicious_content"] == [found]
    clean = world.service.propose(world.document(), recognition(number="F2026-002")).proposal
    assert "suspicious_content" not in {w.code for w in clean.warnings}
