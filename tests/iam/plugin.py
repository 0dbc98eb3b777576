"""pytest plugin (``-p tests.iam.plugin``, set in pyproject.toml): every test's AWS calls are checked against the
calling function's role as it will be in AWS. A call the role does not allow fails the test that caused it
(as an error in its teardown). With ``BOEKSTUK_IAM_USED_DIR`` set, the grants that were used are written there
at the end (one file per process) for ``tests/contract/test_iam_least_privilege.py``'s coverage check."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.iam.check import Checker

CHECKER = Checker()
_late: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    from boekstuk_local import lambda_hook

    lambda_hook.record_aws_calls(True)


@functools.cache
def _principals() -> frozenset[str]:
    """The functions and state machines of template.yaml: the roles this check is about."""
    from boekstuk_local.template import load_template_file
    from boekstuk_local.testing import default_template

    resources = load_template_file(default_template())["Resources"]
    return frozenset(k for k, v in resources.items()
                     if v["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"))


def _check_recorded() -> list[str]:
    from boekstuk_local import lambda_hook

    # The harness's own tests (tests/local) run stacks of small templates of their own, without roles to check.
    calls = [c for c in lambda_hook.recorded_calls() if c.principal in _principals()]
    return [str(v) for v in CHECKER.check(calls)]


@pytest.fixture(autouse=True)
def _least_privilege() -> Iterator[None]:
    """After each test: every AWS call a function or state machine made must be allowed by its role."""
    yield
    violations = sorted(set(_check_recorded()))
    if violations:
        pytest.fail("AWS would deny these calls (template.yaml):\n  " + "\n  ".join(violations), pytrace=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Calls that background work made after the last test ended.
    late = sorted(set(_check_recorded()))
    if late:
        print("\nAWS would deny these calls (template.yaml), made after the last test:\n  " + "\n  ".join(late))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    directory = os.environ.get("BOEKSTUK_IAM_USED_DIR")
    if directory:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        CHECKER.write(Path(directory) / f"used-{worker}-{os.getpid()}.json")
