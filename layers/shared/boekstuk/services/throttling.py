"""The services' one door to the throttle counters: spend a limited budget, or guard one guess.

A *guess* is an attempt at a secret (a password, an e-mailed code). Its source pays only for failed guesses,
its subject (when it has one) waits with growing delays after repeated failures and starts afresh after a
success. A refusal is raised as the caller's error with the seconds to wait, before the secret is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from boekstuk.domain.errors import DomainError
from boekstuk.domain.throttling import Backoff, WindowClaim, Windows, counter_key
from boekstuk.ports import Clock, ThrottleStore

Refusal = Callable[[int], DomainError]
"""Builds the error to raise from the seconds to wait (the ``Retry-After``)."""


@dataclass(frozen=True)
class Budget:
    """Events of ``subject`` in ``scope`` are limited by ``windows``."""

    scope: str
    subject: str
    windows: Windows


@dataclass(frozen=True)
class Subject:
    """Failed guesses at ``subject`` in ``scope`` back off by ``policy``."""

    scope: str
    subject: str
    policy: Backoff


class Throttle:
    """Budgets and guarded guesses over a ``ThrottleStore``, on the services' clock."""

    def __init__(self, store: ThrottleStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def spend(self, budgets: Sequence[Budget], refused: Refusal) -> list[WindowClaim]:
        """Count one event in every window of every budget, or none at all and raise ``refused``."""
        now = self._clock.now()
        claims: list[WindowClaim] = []
        for budget in budgets:
            key = counter_key(budget.scope, budget.subject)
            for window in budget.windows:
                claim = self._store.claim_window(key, window, now)
                if not claim.allowed:
                    self.refund(claims)
                    raise refused(claim.retry_after)
                claims.append(claim)
        return claims

    def refund(self, claims: Sequence[WindowClaim]) -> None:
        """Give back what ``spend`` counted."""
        for claim in claims:
            self._store.refund_window(claim)

    @contextmanager
    def guess(self, source: Budget, subject: Subject | None, failed: tuple[type[Exception], ...],
              refused: Refusal) -> Iterator[None]:
        """Guard the block that checks one guess; an exception of a ``failed`` type is a wrong guess.

        Wrong: the source keeps its count and the subject waits longer. Right: the source gets its count back
        and the subject starts afresh. Anything else (an outage) is not a guess: both get their count back.
        """
        source_claims = self.spend([source], refused)
        claim = None
        key = ""
        if subject is not None:
            key = counter_key(subject.scope, subject.subject)
            claim = self._store.claim_backoff(key, subject.policy, self._clock.now())
            if not claim.allowed:
                self.refund(source_claims)
                raise refused(claim.retry_after)
        try:
            yield
        except failed:
            if subject is not None and claim is not None:
                self._store.backoff_failed(claim, subject.policy, self._clock.now())
            raise
        except BaseException:
            if claim is not None:
                self._store.backoff_released(claim, self._clock.now())
            self.refund(source_claims)
            raise
        if claim is not None:
            self._store.backoff_reset(key)
        self.refund(source_claims)
