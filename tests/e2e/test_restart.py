"""The local stack killed or stopped in the middle of work and started again on its ``--data-dir``: every document
ends where it should (booked, or waiting for a person who can then approve it), none is lost, none is booked twice.

A stopped stack (Ctrl-C) saves what it holds; a killed one (SIGKILL) comes back as it was at its last save, the
package simulators included, so work done after that save is done again, once.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Api, SnelStartOffice, snelstart_office, wait_for
from tests.e2e.documents import approval_requested, approve, document, invoice, upload
from tests.e2e.processes import boekstuk_up, interrupt

pytestmark = pytest.mark.e2e


def _ledger(api: Api, setup: SnelStartOffice) -> Counter[str]:
    """How often each invoice number is booked in the simulator's administration."""
    listed = api.ok("GET", f"/_local/packages/{setup.package}/administrations/{setup.administration_code}/entries",
                    auth=False)["entries"]
    return Counter(str(e["invoice_number"]) for e in listed)


def _where_it_should_be(api: Api, setup: SnelStartOffice, document_id: str, approved: bool) -> dict[str, Any]:
    """Wait until the document is booked (approved before) or parked for a person (not approved yet)."""

    def arrived() -> dict[str, Any] | None:
        doc = document(api, setup, document_id)
        if approved:
            return doc if doc["status"] in ("booked", "failed") else None
        return doc if doc["status"] == "awaiting_approval" and doc["approval"] is not None else None

    return dict(wait_for(arrived, f"document {document_id} {'booked' if approved else 'waiting'}"))


def _saved_after(data_dir: Path, moment: float) -> None:
    """Wait until the stack wrote its state after ``moment`` (a periodic save)."""
    state = data_dir / "state.json"
    wait_for(lambda: state.is_file() and state.stat().st_mtime > moment, "a save of the state")


def _finish_and_check(api: Api, setup: SnelStartOffice, approved: list[str], waiting: list[str]) -> None:
    """Every document where it should be; then the waiting ones approved and booked; each booked exactly once."""
    for doc in approved:
        booked = _where_it_should_be(api, setup, doc, approved=True)
        assert booked["status"] == "booked", booked.get("error")
    for doc in waiting:
        _where_it_should_be(api, setup, doc, approved=False)
        assert approve(api, setup, doc) == "approved"
    numbers = []
    for doc in approved + waiting:
        booked = _where_it_should_be(api, setup, doc, approved=True)
        assert booked["status"] == "booked", booked.get("error")
        numbers.append(booked["proposal"]["invoice_number"])
    ledger = _ledger(api, setup)
    assert {number: ledger[number] for number in numbers} == dict.fromkeys(numbers, 1), ledger
    listed = api.ok("GET", f"/v1/offices/{setup.office}/documents?administration_id={setup.administration_id}"
                           "&limit=200")["documents"]
    assert sorted(d["document_id"] for d in listed) == sorted(approved + waiting)


def test_killed_mid_run_it_comes_back_from_its_last_save_and_books_each_document_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    with boekstuk_up("--data-dir", str(data_dir), "--save-every", "1") as (process, url):
        api = Api(url)
        setup = snelstart_office(api)
        first = [upload(api, setup, invoice(f"{110 + i}.00"))[0] for i in range(4)]
        for doc in first:
            approval_requested(api, setup, doc)
        for doc in first[:2]:
            assert approve(api, setup, doc) == "approved"
        _where_it_should_be(api, setup, first[0], approved=True)
        # Work in flight at the kill: two approvals being booked, three uploads being read.
        for doc in first[2:]:
            assert approve(api, setup, doc) == "approved"
        second = [upload(api, setup, invoice(f"{210 + i}.00"))[0] for i in range(3)]
        _saved_after(data_dir, time.time())  # the last save knows every upload (its processing may be unfinished)
        process.kill()
        process.communicate(timeout=30)
    token = api.token
    with boekstuk_up("--data-dir", str(data_dir)) as (process, url):
        api = Api(url, token)  # a token from before the kill still works
        _finish_and_check(api, setup, approved=first, waiting=second)
        code, _ = interrupt(process)
        assert code == 0


def test_stopped_while_documents_are_read_and_booked_nothing_is_lost_after_the_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    with boekstuk_up("--data-dir", str(data_dir)) as (process, url):
        api = Api(url)
        setup = snelstart_office(api)
        first = [upload(api, setup, invoice(f"{310 + i}.00"))[0] for i in range(2)]
        for doc in first:
            approval_requested(api, setup, doc)
            assert approve(api, setup, doc) == "approved"
        second = [upload(api, setup, invoice(f"{410 + i}.00"))[0] for i in range(6)]
        # Ctrl-C at once, while they are read: the stop waits for running handlers, holds the rest back and saves.
        code, output = interrupt(process)
        assert code == 0, output
    token = api.token
    with boekstuk_up("--data-dir", str(data_dir)) as (process, url):
        api = Api(url, token)
        _finish_and_check(api, setup, approved=first, waiting=second)
        code, _ = interrupt(process)
        assert code == 0
