"""The composition root offers use cases only, and every handler calls one of them: no handler reaches a
repository, a client or a setting through ``services()``."""

from __future__ import annotations

import ast
import inspect
from functools import cached_property
from pathlib import Path
from typing import get_type_hints

import pytest

from boekstuk import bootstrap
from boekstuk.bootstrap import Services

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"
HANDLERS = sorted(FUNCTIONS.glob("*/app.py"))
NOT_A_SERVICE_CLASS = {"health_check", "idempotent_intake", "idempotent_mail_intake"}
# a yes/no probe; the intake at most once per object, e-mail-in at most once per message


def annotation_names() -> dict[str, object]:
    """The names ``bootstrap``'s annotations use: its module globals and what it imports for the type checker
    only (it imports each use case where it builds it, so a function loads only its own)."""
    names = dict(vars(bootstrap))
    tree = ast.parse(Path(inspect.getfile(bootstrap)).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            exec(compile(ast.Module(body=node.body, type_ignores=[]), "bootstrap-type-checking", "exec"), names)
    return names


def public_members() -> dict[str, object]:
    return {name: member for name, member in inspect.getmembers(Services) if not name.startswith("_")}


def test_every_public_member_is_a_use_case() -> None:
    members = public_members()
    names = annotation_names()
    assert {"approval_policies", "approvals", "bookings", "document_service"} <= set(members)
    for name, member in members.items():
        if name in NOT_A_SERVICE_CLASS:
            continue
        assert isinstance(member, cached_property), f"Services.{name} is not a use case"
        built = get_type_hints(member.func, names)["return"]
        assert built.__module__.startswith("boekstuk.services."), (
            f"Services.{name} hands out {built.__module__}.{built.__qualname__}, not a use case")


def services_calls(tree: ast.AST) -> list[str]:
    """Every ``services().<name>`` in a handler module."""
    return [node.attr for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "services"]


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda p: p.parent.name)
def test_a_handler_calls_use_cases_and_never_the_test_seam(handler: Path) -> None:
    tree = ast.parse(handler.read_text(encoding="utf-8"))
    used = services_calls(tree)
    assert set(used) <= set(public_members()), f"{handler.parent.name} reaches into services(): {used}"
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "boekstuk.bootstrap" for alias in node.names}
    assert imported <= {"services"}, f"{handler.parent.name} imports {imported} from the composition root"
    assert "settings" not in {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def test_the_checks_see_a_handler_reaching_for_a_repository() -> None:
    tree = ast.parse("def f():\n    return services().documents.get('o', 'd'), services().approvals\n")
    assert sorted(services_calls(tree)) == ["approvals", "documents"]
    assert "documents" not in public_members()
