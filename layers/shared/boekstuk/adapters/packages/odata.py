"""OData ``$filter`` expressions, written once for the packages that read them.

Exact Online speaks OData v3 and SnelStart OData v4; the two differ exactly where the protocol versions
differ, and nowhere else:

- a guid literal is ``guid'…'`` in v3 and bare in v4 (mark guids with :class:`Guid`);
- "contains" is ``substringof('x', Field) eq true`` in v3 and ``contains(Field,'x')`` in v4.

String literals (single quotes doubled), ``eq`` and ``and`` are the same in both. Sources: OData v3 URL
conventions (https://www.odata.org/documentation/odata-version-3-0/url-conventions/) and OData v4.01 URL
conventions (https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


class Guid(str):
    """A guid value: OData v3 writes it ``guid'…'``, v4 bare."""

    __slots__ = ()


Value = str | Guid | bool | int | Decimal | None
"""What a filter compares with. No floats: a float literal would lose cents; pass a ``Decimal``."""


@dataclass(frozen=True)
class ODataDialect:
    """Filter expressions in one OData version (``ODATA_V3`` for Exact Online, ``ODATA_V4`` for SnelStart)."""

    version: int

    def literal(self, value: Value) -> str:
        """``value`` as a literal in this dialect."""
        if value is None:
            return "null"
        if isinstance(value, Guid):
            return f"guid'{value}'" if self.version < 4 else str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, bool):  # before int: bool is an int
            return "true" if value else "false"
        if isinstance(value, int | Decimal):
            return str(value)
        raise TypeError(f"no OData literal for {type(value).__name__}")

    def eq(self, field: str, value: Value) -> str:
        """``field eq value``."""
        return f"{field} eq {self.literal(value)}"

    def contains(self, field: str, text: str) -> str:
        """Whether ``field`` contains ``text`` (v3 ``substringof``, v4 ``contains``)."""
        if self.version < 4:
            return f"substringof({self.literal(text)}, {field}) eq true"
        return f"contains({field},{self.literal(text)})"

    def each(self, *, eq: Mapping[str, Value] | None = None, contains: Mapping[str, str | None] | None = None
             ) -> list[str]:
        """One clause per field given a value (the ``eq`` ones first), for a search on any of several keys."""
        return [self.eq(field, value) for field, value in (eq or {}).items() if value not in (None, "")] + [
            self.contains(field, text) for field, text in (contains or {}).items() if text]

    @staticmethod
    def all_of(*clauses: str | None) -> str:
        """The clauses that are there, joined with ``and``."""
        return " and ".join(clause for clause in clauses if clause)

    def key(self, entity_set: str, value: Value) -> str:
        """The path of one entity by its key: ``entity_set(literal)``."""
        return f"{entity_set}({self.literal(value)})"


ODATA_V3 = ODataDialect(3)
ODATA_V4 = ODataDialect(4)
