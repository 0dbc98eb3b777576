"""Fidelity fixes for moto 5.2.5 that the local stack and tests install.

DynamoDB: moto's backend is not thread-safe. ``transact_write_items`` deep-copies the tables to roll back
on failure while another request thread may be writing, which raises ``RuntimeError: dictionary changed
size during iteration`` (seen with concurrent activations). Real DynamoDB serialises conflicting writes,
so we serialise every operation of moto's DynamoDB backend behind one re-entrant lock.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_installed = False

_DYNAMODB_OPERATIONS = (
    "put_item", "get_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
    "batch_write_item", "transact_write_items", "transact_get_items", "create_table", "delete_table",
    "update_table", "describe_table",
)


def _locked(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return wrapper


def install() -> None:
    """Patch moto once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in _DYNAMODB_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is not None:
            setattr(DynamoDBBackend, name, _locked(original))
    _installed = True
