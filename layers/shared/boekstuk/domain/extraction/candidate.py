"""The named parts every field family passes around: where a value sits on the page, and a candidate value.

A family (parties, invoice number, dates, totals, ...) turns what it finds into ``Candidate``s, picks the
winner, and hands it to ``ChosenFields``; the winner's ``Span`` is what ``source`` (and a field's place on
the page) is made from. A value worked out from others (a total computed from two more) has no span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from boekstuk.domain.extraction import weights as W
from boekstuk.domain.extraction.layout import Line

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start:end`` of one line's text: the words a value was read from."""

    line: Line
    start: int
    end: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of those words, in the page's own unit (top-left origin)."""
        return self.line.box(self.start, self.end)

    def source(self) -> str:
        """``page N (x0,y0)-(x1,y1)``, as ``Recognition.source`` gives it."""
        return self.line.source(self.start, self.end)

    def word_confidence(self) -> float:
        """The engine's lowest confidence among those words."""
        return self.line.confidence(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Candidate(Generic[V]):
    """A value one rule read for a field, how sure that rule is (``score``), and where it was read."""

    value: V
    score: float
    rule: str
    """Which rule produced it (``"label"``, ``"column header"``, ``"legal form"``, ...): for whoever debugs a miss."""
    span: Span | None = None
    """The words it was read from; ``None`` for a value worked out from others."""

    @property
    def line(self) -> Line:
        """The line it was read from (only for candidates read from the page)."""
        if self.span is None:
            raise ValueError(f"a computed {self.rule!r} candidate has no line")
        return self.span.line


class ChosenFields:
    """The winning candidate of each key field, its value as text and its score turned into a confidence."""

    def __init__(self) -> None:
        self._chosen: dict[str, Candidate[str]] = {}

    def put(self, name: str, winner: Candidate[Any]) -> None:
        """Record ``winner`` as field ``name``: the engine's confidence in its words scales the rule's score."""
        confidence = winner.score
        if winner.span is not None:
            confidence *= max(W.WORD_CONFIDENCE_FLOOR, winner.span.word_confidence())
        self._chosen[name] = Candidate(str(winner.value), max(0.0, min(1.0, confidence)), winner.rule, winner.span)

    def get(self, name: str) -> Candidate[str] | None:
        """The chosen candidate of ``name``, if any."""
        return self._chosen.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._chosen

    def items(self) -> list[tuple[str, Candidate[str]]]:
        """``(field, chosen candidate)`` in the order they were chosen."""
        return list(self._chosen.items())
