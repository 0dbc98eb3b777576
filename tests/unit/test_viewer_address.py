"""The viewer's address in CloudFront's ``CloudFront-Viewer-Address`` header (address, colon, port)."""

from __future__ import annotations

import pytest

from boekstuk.api.identity import viewer_address


@pytest.mark.parametrize("header,expected", [
    ("198.51.100.10:46532", "198.51.100.10"),
    ("2001:db8::1:46532", "2001:db8::1"),
    ("[2001:db8::1]:46532", "2001:db8::1"),
    (" 192.0.2.7:1 ", "192.0.2.7"),
    ("198.51.100.10", ""),  # no port: not CloudFront's form
    ("not-an-address:443", ""),
    ("", ""),
    ("198.51.100.10:port", ""),
])
def test_viewer_address(header: str, expected: str) -> None:
    assert viewer_address(header) == expected
