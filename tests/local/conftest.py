"""Fixtures for the local-stack tests: the small SAM template next to this file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from boekstuk_local.testing import LocalAws, local_aws

TEMPLATE = Path(__file__).parent / "sam" / "template.yaml"


@pytest.fixture()
def aws() -> Iterator[LocalAws]:
    """The test template provisioned under mock_aws, handlers in-process."""
    with local_aws(TEMPLATE) as harness:
        yield harness
