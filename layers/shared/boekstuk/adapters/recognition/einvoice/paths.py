"""Namespace-agnostic paths into UBL and CII documents, and the readable XPath ``source`` of an element.

Paths are written with the usual prefixes (``cac:``, ``cbc:``, ``ram:``, ``rsm:``, ``udt:``) but matched on
local names, so one path serves every namespace version (ZUGFeRD 1 uses ``urn:ferd:...`` and RAM version 12,
CII D16B version 100; UBL Invoice and CreditNote). ``ram:{A|B}`` matches either name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree


def _name_test(step: str) -> str:
    """``ram:{A|B}`` -> ``*[local-name()='A' or local-name()='B']``; ``.``, ``..`` and ``@x`` pass unchanged."""
    if step in (".", "..") or step.startswith("@"):
        return step
    match = re.fullmatch(r"(?:\w+:)?(\{[^}]+\}|[\w.-]+)", step)
    if not match:
        raise ValueError(f"bad path step {step!r}")
    names = match.group(1).strip("{}").split("|")
    return "*[" + " or ".join(f"local-name()='{name}'" for name in names) + "]"


@lru_cache(maxsize=512)
def _compiled(path: str) -> etree.XPath:
    """Compile a readable prefixed path into a namespace-agnostic XPath. Prefixed names inside predicates are
    translated too."""
    steps: list[str] = []
    depth, current = 0, ""
    for char in path:  # split on '/' outside predicates
        depth += (char == "[") - (char == "]")
        if char == "/" and depth == 0:
            steps.append(current)
            current = ""
        else:
            current += char
    steps.append(current)
    translated: list[str] = []
    for step in steps:
        head, bracket, predicate = step.partition("[")
        predicate = re.sub(
            r"\b(?:cac|cbc|ram|rsm|udt|qdt):(\w+)", lambda m: f"*[local-name()='{m.group(1)}']", bracket + predicate
        )
        translated.append(_name_test(head) + predicate)
    return etree.XPath("/".join(translated))


def find_all(context: etree._Element | None, path: str) -> list[etree._Element]:
    """Every element ``path`` matches under ``context`` (none under ``None``)."""
    if context is None:
        return []
    result = _compiled(path)(context)
    return [el for el in result if isinstance(el, etree._Element)] if isinstance(result, list) else []


def first(context: etree._Element | None, *paths: str) -> etree._Element | None:
    """The first element with text matching any path, trying the paths in order."""
    if context is None:
        return None
    for path in paths:
        for element in find_all(context, path):
            if (element.text or "").strip():
                return element
    return None


def node(context: etree._Element | None, *paths: str) -> etree._Element | None:
    """The first element matching any path, text or not (a container)."""
    if context is None:
        return None
    for path in paths:
        found = find_all(context, path)
        if found:
            return found[0]
    return None


def text(element: etree._Element | None) -> str | None:
    """An element's text with its whitespace collapsed; ``None`` for no element or no text."""
    if element is None:
        return None
    collapsed = " ".join((element.text or "").split())
    return collapsed or None


def xpath_of(element: etree._Element) -> str:
    """A readable absolute XPath with the document's own prefixes, e.g. ``/Invoice/cbc:ID``."""
    parts: list[str] = []
    current: etree._Element | None = element
    while current is not None:
        qname = etree.QName(current)
        name = f"{current.prefix}:{qname.localname}" if current.prefix else qname.localname
        parent = current.getparent()
        if parent is not None:
            same = [sib for sib in parent if isinstance(sib.tag, str) and sib.tag == current.tag]
            if len(same) > 1:
                name += f"[{same.index(current) + 1}]"
        parts.append(name)
        current = parent
    return "/" + "/".join(reversed(parts))
