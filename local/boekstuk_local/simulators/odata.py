"""OData query options as the simulated packages read them: ``$filter`` (parsed and matched) and ``$skip``/``$top``.

Exact Online speaks OData v3 and SnelStart OData v4, and they differ where the real packages differ
(https://www.odata.org/documentation/odata-version-3-0/url-conventions/,
https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html):

- v3: guids are written ``guid'…'``, "contains" is ``substringof('x', Field) eq true``; field names and
  strings compare as written (Exact Online);
- v4: guids are bare, "contains" is ``contains(Field,'x')``, a collection is searched with
  ``Field/any(x:x eq 'y')``, and navigation paths (``Leverancier/Id``) reach into objects; SnelStart compares
  field names and strings without regard to case.

Both support what the connectors send and no more: ``eq`` comparisons and those functions, joined with
``and``. Anything else raises :class:`ODataError`, which each simulator answers in its own error shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

T = TypeVar("T")

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TOKEN = re.compile(
    rf"\s*(?:(?P<guid3>guid'{_GUID}')|(?P<str>'(?:[^']|'')*')|(?P<guid4>{_GUID})(?![\w-])"
    r"|(?P<num>-?\d+(?:\.\d+)?)(?![\w-])|(?P<word>[A-Za-z_][A-Za-z0-9_/]*)|(?P<punct>[(),:]))"
)
_LOOKS_LIKE_GUID = re.compile(_GUID)


class ODataError(ValueError):
    """A query option the simulated package does not understand."""


@dataclass(frozen=True)
class Clause:
    """One condition: ``eq`` (value), ``contains`` (lower-case text) or ``any`` (a collection holds the value)."""

    op: Literal["eq", "contains", "any"]
    path: str
    value: Any


@dataclass(frozen=True)
class ODataDialect:
    """``$filter`` of one OData version, as one package reads it."""

    version: int
    ignore_case: bool = False

    # -- parsing --

    def parse(self, text: str) -> list[Clause]:
        """The clauses of a ``$filter``, all of which must hold; ``ODataError`` when it is not understood."""
        tokens = self._tokens(text)
        clauses: list[Clause] = []
        i = 0
        while i < len(tokens):
            clause, i = self._clause(tokens, i)
            clauses.append(clause)
            if i < len(tokens):
                if tokens[i] != ("word", "and"):
                    raise ODataError("Only 'and' is supported between $filter clauses.")
                i += 1
                if i == len(tokens):
                    raise ODataError("$filter ends with 'and'.")
        if not clauses:
            raise ODataError("$filter is empty.")
        return clauses

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise ODataError(f"Invalid $filter near '{text[pos:pos + 20]}'.")
            kind = match.lastgroup or ""
            if (kind == "guid3" and self.version >= 4) or (kind == "guid4" and self.version < 4):
                raise ODataError(f"Invalid literal {match.group(kind)} in $filter.")
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        return tokens

    def _clause(self, tokens: list[tuple[str, str]], i: int) -> tuple[Clause, int]:
        kind, word = tokens[i]
        if kind != "word":
            raise ODataError(f"Invalid $filter near '{word}'.")
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        try:
            if word.lower() == "substringof" and nxt == "(" and self.version < 4:
                # substringof ( 'needle' , Field ) eq true
                self._expect(tokens, i + 3, ",", i + 5, ")", i + 6, "eq", i + 7, "true")
                return Clause("contains", self._field(tokens[i + 4]), self._text(tokens[i + 2]).lower()), i + 8
            if word.lower() == "contains" and nxt == "(" and self.version >= 4:
                # contains ( Field , 'needle' )
                self._expect(tokens, i + 3, ",", i + 5, ")")
                return Clause("contains", self._field(tokens[i + 2]), self._text(tokens[i + 4]).lower()), i + 6
            if word.lower().endswith("/any") and nxt == "(" and self.version >= 4:
                # Field/any ( x : x eq 'value' )
                variable = self._field(tokens[i + 2])
                self._expect(tokens, i + 3, ":", i + 4, variable, i + 5, "eq", i + 7, ")")
                return Clause("any", word[: -len("/any")], self._text(tokens[i + 6])), i + 8
        except IndexError:
            raise ODataError(f"Incomplete {word} in $filter.") from None
        if nxt != "eq" or i + 2 >= len(tokens):
            raise ODataError(f"Only 'eq' comparisons are supported near '{word}'.")
        return Clause("eq", word, self._literal(*tokens[i + 2])), i + 3

    @staticmethod
    def _expect(tokens: list[tuple[str, str]], *pairs: Any) -> None:
        for index, wanted in zip(pairs[::2], pairs[1::2], strict=True):
            if tokens[index][1] != wanted:
                raise ODataError(f"Expected '{wanted}' in $filter, found '{tokens[index][1]}'.")

    @staticmethod
    def _field(token: tuple[str, str]) -> str:
        kind, raw = token
        if kind != "word":
            raise ODataError(f"A field name is expected, not {raw}.")
        return raw

    @staticmethod
    def _text(token: tuple[str, str]) -> str:
        kind, raw = token
        if kind != "str":
            raise ODataError(f"A string literal is expected, not {raw}.")
        return raw[1:-1].replace("''", "'")

    def _literal(self, kind: str, raw: str) -> Any:
        if kind == "guid3":
            return raw[5:-1].lower()
        if kind == "guid4":
            return raw.lower()
        if kind == "str":
            return self._text((kind, raw))
        if kind == "num":
            return Decimal(raw)
        if raw in ("true", "false"):
            return raw == "true"
        if raw == "null":
            return None
        raise ODataError(f"Invalid literal {raw} in $filter.")

    # -- matching --

    def matches(self, record: Mapping[str, Any], clauses: Sequence[Clause]) -> bool:
        """Whether ``record`` meets every clause."""
        return all(self._holds(self._resolve(record, clause.path), clause) for clause in clauses)

    def select(self, records: Sequence[Mapping[str, Any]], text: str | None) -> list[Any]:
        """The records a ``$filter`` (``None``: no filter) lets through."""
        if text is None:
            return list(records)
        clauses = self.parse(text)
        return [r for r in records if self.matches(r, clauses)]

    def _resolve(self, record: Any, path: str) -> Any:
        for part in path.split("/"):
            if not isinstance(record, Mapping):
                return None
            if self.ignore_case:
                record = next((v for k, v in record.items() if k.lower() == part.lower()), None)
            else:
                record = record.get(part)
        return record

    def _holds(self, actual: Any, clause: Clause) -> bool:
        expected = clause.value
        if clause.op == "any":
            return isinstance(actual, list) and expected in actual
        if clause.op == "contains":
            return expected in str(actual or "").lower()
        if isinstance(expected, Decimal):
            if actual is None or isinstance(actual, bool):
                return False
            try:
                return Decimal(str(actual)) == expected
            except InvalidOperation:
                return False
        # Guids are case-blind in every package; other text only where the package says so.
        if isinstance(expected, str) and isinstance(actual, str) and (
                self.ignore_case or _LOOKS_LIKE_GUID.fullmatch(expected)):
            return actual.lower() == expected.lower()
        return bool(actual == expected)


ODATA_V3 = ODataDialect(3)  # Exact Online
ODATA_V4_IGNORE_CASE = ODataDialect(4, ignore_case=True)  # SnelStart


def skip_top(records: Sequence[T], args: Mapping[str, str], *, max_top: int | None = None) -> list[T]:
    """The page ``$skip``/``$top`` ask for; ``max_top`` caps a page (and is the page without ``$top``).

    ``ODataError`` when either is not a whole number.
    """
    try:
        skip = int(args.get("$skip", "0"))
        top = int(args["$top"]) if "$top" in args else None
    except ValueError:
        raise ODataError("$top and $skip must be whole numbers.") from None
    if max_top is not None:
        top = max_top if top is None else min(top, max_top)
    start = max(skip, 0)
    return list(records[start:]) if top is None else list(records[start:start + max(top, 0)])
