"""Locations from the extractor: the winning candidate's words, as fractions of the page as displayed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from boekstuk.domain.extraction import extract_fields
from boekstuk.domain.recognition import FieldLocation, PageWords
from tests.unit.extraction.builder import page


def _turn(box: tuple[float, float, float, float], width: float, height: float, quarters: int
          ) -> tuple[tuple[float, float, float, float], float, float]:
    """A box on a width x height page as it lies on that page turned ``quarters`` times clockwise (by turning
    its corners one quarter at a time), with the turned page's size."""
    corners = [(box[0], box[1]), (box[2], box[3])]
    for _ in range(quarters):
        corners = [(height - y, x) for x, y in corners]  # clockwise: the left edge becomes the top
        width, height = height, width
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return (min(xs), min(ys), max(xs), max(ys)), width, height


def test_a_box_becomes_fractions_of_the_page() -> None:
    location = PageWords(page=2, width=595, height=842, words=[]).location(59.5, 84.2, 119, 168.4)
    assert location == FieldLocation(page=2, box=[0.1, 0.1, 0.2, 0.2])


@pytest.mark.parametrize("quarters", [0, 1, 2, 3])
def test_a_turned_page_gives_its_boxes_back_on_the_page_as_displayed(quarters: int) -> None:
    displayed = (60.0, 40.0, 180.0, 80.0)  # on a 600 x 800 page: top left, wider than tall
    box, width, height = _turn(displayed, 600, 800, quarters)
    location = PageWords(page=1, width=width, height=height, words=[], turned=quarters).location(*box)
    assert location.box == pytest.approx([0.1, 0.05, 0.3, 0.1])


def test_boxes_are_clipped_to_the_page() -> None:
    location = PageWords(page=1, width=100, height=100, words=[]).location(-3, 10, 104, 20)
    assert location.box == [0.0, 0.1, 1.0, 0.2]


def test_a_location_is_an_ordered_box_of_fractions() -> None:
    with pytest.raises(ValidationError):
        FieldLocation(page=1, box=[0.5, 0.1, 0.4, 0.2])
    with pytest.raises(ValidationError):
        FieldLocation(page=1, box=[0.1, 0.1, 1.2, 0.2])
    with pytest.raises(ValidationError):
        FieldLocation(page=0, box=[0.1, 0.1, 0.2, 0.2])
    with pytest.raises(ValidationError):
        FieldLocation(page=1, box=[0.1, 0.1, 0.2])


def test_every_field_read_from_the_page_has_the_box_of_its_words() -> None:
    words = page([
        (56, 40, "Drukkerij Van Dijk B.V."),
        (56, 54, "BTW-id: NL810433941B01"),
        (300, 120, "Factuurnummer: 2024-0815"),
        (300, 134, "Factuurdatum: 01-03-2024"),
        (300, 400, "Totaal excl. BTW  € 100,00"),
        (300, 414, "Totaal incl. BTW  € 121,00"),
    ])
    result = extract_fields([words], engine="pdf_text")
    number = result.locations["invoice_number"]
    # builder.page: 0.5 em per character at 10 pt; "Factuurnummer: " is 15 characters from x = 300.
    assert number == FieldLocation(page=1, box=[round(375 / 595, 4), round(120 / 842, 4), round(420 / 595, 4),
                                                round(130 / 842, 4)])
    assert set(result.locations) == set(result.source)
    # The VAT total was computed (incl. minus excl.) and the currency inferred: neither is shown anywhere.
    assert result.fields.vat_total is not None and "vat_total" not in result.locations
    assert result.fields.currency == "EUR" and "currency" not in result.locations


def test_locations_count_pages_from_one() -> None:
    first = page([(56, 40, "Drukkerij Van Dijk B.V."), (300, 120, "Factuurdatum: 01-03-2024")])
    second = page([(300, 400, "Factuurnummer: 2024-0815"), (300, 414, "Totaal incl. BTW  € 121,00")], number=2)
    result = extract_fields([first, second], engine="pdf_text")
    assert result.locations["invoice_number"].page == 2
    assert result.locations["invoice_date"].page == 1
