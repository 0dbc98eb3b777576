"""Logger, tracer and metrics singletons (Powertools), shared by handlers and adapters.

Constructed at import on purpose: Powertools' objects are cheap and read their own POWERTOOLS_* variables;
they open no connections.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="boekstuk")
tracer = Tracer(service="boekstuk")
metrics = Metrics(namespace="Boekstuk", service="boekstuk")

# Read-only routes publish no business metric; Powertools warns about that on every call.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No application metrics to publish")
