"""pytest fixtures for the local stack. Register with ``pytest_plugins = ["boekstuk_local.pytest_plugin"]``.

- ``boekstuk_aws``: the repository's template.yaml under mock_aws, handlers in-process (no sockets).
- ``boekstuk_aws_with_simulators``: the same plus the package simulators on loopback (``PACKAGE_APPS`` set).
- ``boekstuk_stack``: one real local stack per session (moto server, simulators, API on a free port).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boekstuk_local.stack import StackHandle, start_stack_in_thread, wait_until_healthy
from boekstuk_local.testing import LocalAws, local_aws


@pytest.fixture()
def boekstuk_aws() -> Iterator[LocalAws]:
    """The whole template in-process; use ``.api_call``, ``.access_token``, ``.fire_schedule``, ``.mail``."""
    with local_aws() as harness:
        yield harness


@pytest.fixture()
def boekstuk_aws_with_simulators() -> Iterator[LocalAws]:
    """``boekstuk_aws`` with the five package simulators running."""
    with local_aws(simulators=True) as harness:
        yield harness


@pytest.fixture(scope="session")
def boekstuk_stack() -> Iterator[StackHandle]:
    """A running local stack for end-to-end tests over HTTP (``.url``, ``.simulators``)."""
    handle = start_stack_in_thread(port=0)
    try:
        wait_until_healthy(handle.url, timeout=60)
        yield handle
    finally:
        handle.stop()
