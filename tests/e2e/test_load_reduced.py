"""The reduced form of bench/load.py: five offices, one per package, 40 documents under injected package faults;
none lost, none booked twice (the full run's figures are in bench/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def test_under_load_and_faults_nothing_is_lost_and_nothing_booked_twice(tmp_path: Path) -> None:
    report_path = tmp_path / "load.json"
    # Its own process: Locust's gevent patches the standard library of whoever imports it.
    done = subprocess.run([sys.executable, str(LOAD), "--documents", "40", "--offices", "5", "--max-minutes", "8",
                           "--fault-every", "3", "--out", str(report_path)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert report_path.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert done.returncode == 0, (report["failures"], done.stdout[-3000:])
    assert report["failures"] == [] and report["secret_audit"] == "clean"
    assert report["documents"] == 40 and len(report["packages"]) == 5
    assert sum(report["faults_injected"].values()) > 0
    # every document went somewhere final or to a person, and people decided: some were booked, some rejected
    assert set(report["statuses"]) <= {"booked", "rejected", "duplicate", "unreadable", "failed", "awaiting_approval"}
    assert report["statuses"].get("booked", 0) > 0 and report["statuses"].get("rejected", 0) > 0
    assert {"POST /documents (upload slot)", "PUT presigned upload (S3)"} <= set(report["endpoints"])
