"""``recognition.locations`` over HTTP: a generated PDF uploaded through the API shows, per field, where its page
shows it (what the web app draws over the rendered page); an e-invoice shows none."""

from __future__ import annotations

from boekstuk.domain.recognition import FieldLocation
from boekstuk_local.simulators.seed import NAMED_SUPPLIERS
from boekstuk_local.testing import LocalAws
from tests.integration import test_documents_api as documents_suite
from tests.unit.visual.drawn import generated, shows

# The documents suite's harness (one office with SnelStart linked) and its upload helper, as they are.
aws = documents_suite.aws
office = documents_suite.office
upload = documents_suite.upload


def test_get_document_shows_where_each_field_is_on_the_page(aws: LocalAws, office: dict[str, str]) -> None:
    sample, drawn = generated(404, supplier=NAMED_SUPPLIERS[0], layout="footer_block", fmt="pdf")
    doc = upload(aws, office, sample.content, sample.filename, sample.content_type)
    recognition = doc["recognition"]
    assert recognition["fields"]["invoice_number"] == sample.spec.number
    locations = recognition["locations"]
    assert set(locations) == set(recognition["source"])  # every field read from the page, and no other
    for location in locations.values():
        assert set(location) == {"page", "box"} and location["page"] == 1 and len(location["box"]) == 4
        assert all(isinstance(v, float | int) and 0 <= v <= 1 for v in location["box"])
    assert shows(FieldLocation.model_validate(locations["invoice_number"]), drawn, sample.spec.number)


def test_an_e_invoice_has_no_locations(aws: LocalAws, office: dict[str, str]) -> None:
    sample, _ = generated(405, supplier=NAMED_SUPPLIERS[1], fmt="ubl")
    doc = upload(aws, office, sample.content, sample.filename, "application/xml")
    assert doc["recognition"]["engine"] == "ubl" and doc["recognition"]["locations"] == {}
