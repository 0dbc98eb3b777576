"""Powertools' REST resolver keeps the event being handled in a class attribute (``BaseRouter.current_event =
...`` in ``resolve``), shared by every resolver of the process. A Lambda process handles one event at a time, so
that is sound in AWS; the local stack runs many handlers in one process, on threads, and two requests resolving at
once read each other's event (the load test saw a listing answered 404 "No such office" with another office's
claims). Copies of the handler modules do not help: the attribute lives on Powertools' own class.

``install`` gives ``current_event`` and ``lambda_context`` one value per thread, for reads and writes through the
class and through its instances alike, so each handler sees its own event as it would in its own Lambda process.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

_state = threading.local()
_lock = threading.Lock()
PER_THREAD = ("current_event", "lambda_context")


class _PerThread:
    """A data descriptor with one value per thread."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        try:
            return getattr(_state, self.name)
        except AttributeError:
            raise AttributeError(self.name) from None

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(_state, self.name, value)


class _PerThreadRouterMeta(ABCMeta):
    """``BaseRouter``'s metaclass from ``install`` on: class-level writes (``BaseRouter.current_event = ...``)
    reach a metaclass data descriptor before the class's own dict."""

    current_event = _PerThread("current_event")
    lambda_context = _PerThread("lambda_context")


def install() -> None:
    """Make Powertools' resolver state per thread (idempotent)."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    with _lock:
        if type(BaseRouter) is _PerThreadRouterMeta:
            return
        # Instance reads and writes (``app.current_event``) find these in the class's dict; the metaclass swap comes
        # after, since from then on a class-level assignment would go to the thread's value instead.
        for name in PER_THREAD:
            setattr(BaseRouter, name, _PerThread(name))
        BaseRouter.__class__ = _PerThreadRouterMeta
