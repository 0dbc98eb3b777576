"""Inbox addresses: readable name, unguessable token, and recognising our own addresses in an envelope."""

from __future__ import annotations

import pytest

from boekstuk.domain import inbox


@pytest.mark.parametrize(("name", "expected"), [
    ("Bakkerij De Vries B.V.", "bakkerij-de-vries"),
    ("Café 't Hoekje BV", "cafe-t-hoekje"),
    ("Müller & Söhne GmbH", "muller-sohne"),
    ("Holding (geen toegang)", "holding-geen-toegang"),
    ("B.V.", "administratie"),
    ("数字", "administratie"),
    ("Een heel erg lange naam van een administratie die maar doorgaat", "een-heel-erg-lange-naam-van-ee"),
])
def test_the_name_part_is_ascii_lower_case_without_the_legal_form(name: str, expected: str) -> None:
    assert inbox.name_part(name) == expected


def test_a_local_part_is_the_name_and_a_random_token_of_forty_bits() -> None:
    tokens = {inbox.new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(len(t) == inbox.TOKEN_LENGTH == 8 for t in tokens)
    assert all(set(t) <= set("abcdefghijklmnopqrstuvwxyz234567") for t in tokens)
    local = inbox.local_part("Bakkerij De Vries B.V.", "k7f3q6ab")
    assert local == "bakkerij-de-vries.k7f3q6ab" and inbox.is_local_part(local)
    assert inbox.address(local, "inbox.boekstuk.nl") == "bakkerij-de-vries.k7f3q6ab@inbox.boekstuk.nl"
    for other in ("bakkerij-de-vries", "bakkerij.k7f3q9", "../etc.k7f3q6ab", "-x.k7f3q6ab", "x.K7F3Q6AB", ""):
        assert not inbox.is_local_part(other), other


@pytest.mark.parametrize(("recipient", "expected"), [
    ("bakkerij.k7f3q6ab@inbox.boekstuk.nl", "bakkerij.k7f3q6ab"),
    ("Bakkerij.K7F3Q6AB@INBOX.Boekstuk.NL", "bakkerij.k7f3q6ab"),
    ("<bakkerij.k7f3q6ab@inbox.boekstuk.nl>", "bakkerij.k7f3q6ab"),
    ("bakkerij.k7f3q6ab@boekstuk.nl", None),
    ("bakkerij.k7f3q6ab@inbox.boekstuk.nl.evil.com", None),
    ("no-at-sign", None),
])
def test_only_addresses_at_the_inbox_domain_are_ours(recipient: str, expected: str | None) -> None:
    assert inbox.inbox_local_part(recipient, "inbox.boekstuk.nl") == expected
