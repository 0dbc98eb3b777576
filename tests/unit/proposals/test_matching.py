"""Supplier matching: VAT id, KvK, IBAN, fuzzy name; never the buyer; cache miss asks the package."""

from __future__ import annotations

import pytest

from boekstuk.domain.links import Supplier
from boekstuk.domain.proposing import BuyerIdentity, Identifiers, match_supplier, name_score
from boekstuk.domain.recognition import Buyer
from tests.unit.proposals.fakes import ADM, BUYER_KVK, BUYER_VAT, GRAAN, KANTOORHUIS, SELF, TELECOM, World, recognition


def test_vat_id_wins_over_the_other_identifiers() -> None:
    world = World()
    # The name and IBAN point at Telecom Noord, the VAT id at Graanhandel Zuid: the VAT id decides.
    proposal = world.service.propose(world.document(), recognition(
        name="Telecom Noord B.V.", vat_id=GRAAN.vat_id, iban=TELECOM.iban)).proposal
    assert (proposal.supplier.code, proposal.supplier.match) == ("2003", "vat_id")
    assert proposal.provenance["supplier"] == "vat_id match"


@pytest.mark.parametrize(("kwargs", "kind"), [
    ({"vat_id": None, "kvk": "0109 8765"}, "kvk"),
    ({"vat_id": None, "iban": "NL69 INGB 0123 4567 89"}, "iban"),
    ({"vat_id": None, "name": "Telecom Noord BV"}, "name"),
])
def test_each_match_kind_in_order(kwargs: dict[str, str | None], kind: str) -> None:
    world = World()
    args = {"name": "Iets Anders", **kwargs}
    proposal = world.service.propose(world.document(), recognition(**args)).proposal  # type: ignore[arg-type]
    assert (proposal.supplier.code, proposal.supplier.match) == ("2002", kind)
    assert proposal.provenance["supplier"] == f"{kind} match"
    assert world.package.calls == []  # found in the cache: the package is not asked


def test_fuzzy_name_needs_a_close_name_and_a_clear_winner() -> None:
    assert name_score("Kantoorhuis Utrecht BV", "Kantoorhuis Utrecht B.V.") == 100
    ids = Identifiers.of(None, None, None, "Telecom Zuid B.V.", BuyerIdentity())
    assert match_supplier(ids, [TELECOM], BuyerIdentity()) is None
    twins = [TELECOM, Supplier(code="9", name="Telecom Noord")]
    assert match_supplier(Identifiers.of(None, None, None, "Telecom Noordd", BuyerIdentity()), twins,
                          BuyerIdentity()) is None


def test_never_matches_the_buyer() -> None:
    # The extractor took the buyer's VAT id, KvK and name as the supplier's; the package even holds a creditor
    # for the administration itself. That creditor must not be proposed.
    world = World()
    outcome = world.service.propose(world.document(), recognition(
        name=ADM.name, vat_id=BUYER_VAT, kvk=BUYER_KVK, iban=None))
    assert outcome.proposal.supplier.match == "new"
    assert outcome.proposal.supplier.code is None
    assert outcome.proposal.supplier.vat_id is None and outcome.proposal.supplier.kvk is None
    # The buyer's identifiers are ignored, the supplier's real IBAN still matches.
    proposal = world.service.propose(world.document(), recognition(
        name=ADM.name, vat_id=BUYER_VAT, iban=GRAAN.iban, number="X-2")).proposal
    assert (proposal.supplier.code, proposal.supplier.match) == ("2003", "iban")
    assert SELF.code not in {proposal.supplier.code}


def test_buyer_named_on_the_invoice_is_never_a_supplier_even_without_the_administration_name() -> None:
    world = World(cached=[KANTOORHUIS, Supplier(code="7", name="Holding Jansen B.V.", vat_id="NL999999999B01")])
    proposal = world.service.propose(world.document(), recognition(
        name="Holding Jansen B.V.", vat_id="NL999999999B01",
        buyer=Buyer(name="Holding Jansen B.V.", vat_id="NL999999999B01"))).proposal
    assert proposal.supplier.match == "new" and proposal.supplier.code is None


def test_cache_miss_is_looked_up_in_the_package_before_calling_it_new() -> None:
    world = World(cached=[KANTOORHUIS], in_package=[KANTOORHUIS, TELECOM])
    proposal = world.service.propose(world.document(), recognition(name="Telecom Noord", vat_id=TELECOM.vat_id)).proposal
    assert (proposal.supplier.code, proposal.supplier.match) == ("2002", "vat_id")
    assert proposal.provenance["supplier"] == "vat_id match (package)"
    assert proposal.lines[0].gl_account == "4310"  # the package record's default
    assert world.package.calls == ["find"]


def test_unknown_supplier_is_new_with_the_recognised_data() -> None:
    world = World()
    proposal = world.service.propose(world.document(), recognition(
        name="Nieuwe Leverancier B.V.", vat_id="NL123456782B01", kvk="87654321", iban="NL20INGB0001234567",
        address="Dorpsstraat 1, 1234 AB Ergens")).proposal
    assert proposal.supplier.model_dump() == {
        "code": None, "name": "Nieuwe Leverancier B.V.", "match": "new", "vat_id": "NL123456782B01",
        "kvk": "87654321", "iban": "NL20INGB0001234567", "address": "Dorpsstraat 1, 1234 AB Ergens"}
    assert proposal.provenance["supplier"] == "new supplier (recognised)"
    assert world.package.calls == ["find"]  # one lookup with VAT id, KvK, IBAN and name
    assert {w.code for w in proposal.warnings} >= {"missing_gl_account"}


def test_package_down_still_proposes_with_a_warning() -> None:
    world = World(cached=[])
    world.package.down = True
    proposal = world.service.propose(world.document(), recognition()).proposal
    assert proposal.supplier.match == "new"
    assert "supplier_lookup_failed" in {w.code for w in proposal.warnings}


def test_known_supplier_lacking_data_gets_a_supplement() -> None:
    bare = KANTOORHUIS.model_copy(update={"iban": None, "kvk": None, "address": KANTOORHUIS.address.model_copy(
        update={"street": None, "city": None, "postcode": None})})
    world = World(cached=[bare])
    proposal = world.service.propose(world.document(), recognition(
        iban="NL91ABNA0417164300", kvk="30276543", address="Stationsplein 12, 3511 ED Utrecht")).proposal
    assert proposal.supplier.match == "vat_id"
    assert proposal.supplier_update == {"iban": "NL91ABNA0417164300", "kvk": "30276543",
                                        "address": "Stationsplein 12, 3511 ED Utrecht"}
    # Nothing to add for a complete supplier; never overwrite what the package has.
    full = World().service.propose(World().document(), recognition(iban="NL02ABNA0123456789")).proposal
    assert full.supplier_update is None


def test_a_creditor_record_of_the_administration_itself_is_never_matched() -> None:
    # No buyer block was recognised, but the VAT id read as the supplier's is the administration's own (it is
    # printed on the invoice as the addressee's): the creditor for the administration itself is not proposed.
    world = World()
    rec = recognition(name="Onleesbaar", vat_id=BUYER_VAT, number="S-1")
    rec.buyer = None
    proposal = world.service.propose(world.document(), rec).proposal
    assert proposal.supplier.code != SELF.code and proposal.supplier.match == "new"
    # The administration's own creditor record tells its VAT id: it is not proposed as the new supplier's either.
    assert proposal.supplier.vat_id is None


def test_supplement_and_new_supplier_carry_identifiers_without_spaces() -> None:
    bare = KANTOORHUIS.model_copy(update={"iban": None})
    world = World(cached=[bare])
    proposal = world.service.propose(world.document(), recognition(iban="NL91 ABNA 0417 1643 00")).proposal
    assert proposal.supplier_update == {"iban": "NL91ABNA0417164300"}
    new = world.service.propose(world.document(), recognition(
        name="Nieuw B.V.", vat_id="nl 1234.56782 b01", number="Q-2")).proposal
    assert (new.supplier.match, new.supplier.vat_id) == ("new", "NL123456782B01")


def test_a_connection_that_is_gone_still_gives_a_proposal() -> None:
    world = World(cached=[])
    world.administrations.adm = world.administrations.adm.model_copy(update={"connection_id": "gone"})
    proposal = world.service.propose(world.document(), recognition()).proposal
    assert proposal.supplier.match == "new"
    assert "supplier_lookup_failed" in {w.code for w in proposal.warnings}
