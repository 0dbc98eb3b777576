"""Logger, tracer and metrics singletons (Powertools), shared by handlers and adapters.

Constructed at import on purpose: Powertools' objects are cheap and read their own POWERTOOLS_* variables;
they open no connections.

The tracer loads the X-Ray SDK only when tracing is on. Powertools' ``Tracer`` builds its X-Ray provider even
when it is disabled (``aws_xray_sdk.core``, which imports botocore's session: ~0.15-0.2 s of a cold start); it
decides by its own rules (``POWERTOOLS_TRACE_DISABLED``, not in Lambda, SAM local) whether tracing is off, and
then it is handed a provider that records nothing. In Lambda with tracing on the X-Ray SDK is loaded and patches,
at import, the libraries that the function's ``TRACED_LIBRARIES`` names (template.yaml: botocore everywhere,
requests only where a package connection can be opened; patching requests imports it, ~30-45 ms of a cold start
a function without package calls would pay for nothing). Unset, X-Ray patches all it knows
(``bench/README.md``, "Cold starts").
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment


class _Untraced(BaseSegment):
    """The segment of a disabled tracer: takes everything, keeps nothing."""

    def close(self, end_time: int | None = None) -> None:
        """Nothing to close."""

    def add_subsegment(self, subsegment: Any) -> None:
        """Nothing is recorded."""

    def remove_subsegment(self, subsegment: Any) -> None:
        """Nothing is recorded."""

    def put_annotation(self, key: str, value: Any) -> None:
        """Nothing is recorded."""

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        """Nothing is recorded."""

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        """Nothing is recorded."""


class UntracedProvider(BaseProvider):
    """The tracing provider when tracing is off: what the X-Ray SDK does when disabled, without importing it."""

    @contextlib.contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _Untraced()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _Untraced()

    def put_annotation(self, key: str, value: Any) -> None:
        """Nothing is recorded."""

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        """Nothing is recorded."""

    def patch(self, modules: Sequence[str]) -> None:
        """Nothing is patched."""

    def patch_all(self) -> None:
        """Nothing is patched."""


def tracing_disabled() -> bool:
    """Whether Powertools' Tracer would run disabled here (its own rules, read from the environment)."""
    return bool(Tracer._is_tracer_disabled())


def traced_libraries() -> tuple[str, ...] | None:
    """The libraries the X-Ray SDK patches (``TRACED_LIBRARIES``, comma-separated); ``None``, all it knows, when
    unset."""
    named = os.environ.get("TRACED_LIBRARIES")
    if named is None:
        return None
    return tuple(name.strip() for name in named.split(",") if name.strip())


logger = Logger(service="boekstuk")
tracer = Tracer(service="boekstuk", provider=UntracedProvider() if tracing_disabled() else None,
                patch_modules=traced_libraries())
metrics = Metrics(namespace="Boekstuk", service="boekstuk")

# Read-only routes publish no business metric; Powertools warns about that on every call.
warnings.filterwarnings("ignore", message="No application metrics to publish")
