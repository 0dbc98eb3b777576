"""A function's cold start imports what that function uses, and no more (bench/README.md, "Cold starts").

Structural, never timed: each function's ``app`` is imported in a fresh interpreter with the layer on the path,
as Lambda would, and the modules it loaded are compared with what its source names:

- at import: no AWS SDK session or client (boto3 clients are created at first use), no X-Ray SDK when tracing is
  off, no recognition or extraction code, and of the use cases only the service modules the handler itself
  imports (its request and response models) with what they import: the composition root adds none;
- at the first request (the use cases the handler calls are built): the service modules that the builders of
  those use cases in ``boekstuk.bootstrap`` import, with what they import, and still no extraction code.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "shared"
FUNCTIONS = sorted(p.parent for p in (ROOT / "functions").glob("*/app.py"))
ENVIRONMENT = {  # what the template sets, with harmless values; building a use case makes no AWS call with these
    "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "TABLE_NAME": "t", "IDEMPOTENCY_TABLE_NAME": "i", "DOCUMENTS_BUCKET": "b", "USER_POOL_ID": "eu-west-1_x",
    "USER_POOL_CLIENT_ID": "c", "RECOGNIZER": "textract", "WEB_APP_URL": "https://app.example",
    "STATE_MACHINE_ARN": "arn:aws:states:eu-west-1:123456789012:stateMachine:s",
    "PACKAGE_APPS": json.dumps([{"package": "snelstart", "base_url": "https://api.example"}]),
    "AWS_LAMBDA_FUNCTION_NAME": "cold-start-test",
}
NEVER_AT_IMPORT = (
    "aws_xray_sdk.core",  # tracing is off here: Powertools' tracer gets a provider that records nothing
    "boto3", "botocore.session", "botocore.client",  # clients are created at first use
    "boekstuk.adapters",  # adapters are built by the composition root, on first use
    "boekstuk.domain.extraction", "boekstuk.adapters.recognition", "pypdfium2", "PIL", "lxml",
    "requests",  # the package connectors' HTTP client: only where a connection is opened
)
NEVER_AT_FIRST_USE = ("boekstuk.domain.extraction",)  # read by recognising a document, not by building its use case
SERVICE_CALL = re.compile(r"services\(\)\.([a-z_]+)")
_PROBE = """
import json, sys
import app
at_import = sorted(sys.modules)
from boekstuk.bootstrap import services
for name in sys.argv[1:]:
    getattr(services(), name)
print("MODULES " + json.dumps({"import": at_import, "first_use": sorted(sys.modules)}))
"""


def loaded(function: Path, *, tracing: bool = False, traced: str | None = None) -> dict[str, set[str]]:
    """The modules loaded by ``import app`` and then by building the use cases the handler calls (``traced``: the
    function's ``TRACED_LIBRARIES``)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POWERTOOLS_", "LAMBDA_TASK_ROOT", "AWS_", "TRACED_LIBRARIES"))}
    env.update({**ENVIRONMENT, "PYTHONPATH": os.pathsep.join([str(function), str(LAYER)])})
    if traced is not None:
        env["TRACED_LIBRARIES"] = traced
    if tracing:
        env["LAMBDA_TASK_ROOT"] = str(function)  # in Lambda, where Powertools keeps its tracer on
    else:
        env["POWERTOOLS_TRACE_DISABLED"] = "1"
    use_cases = sorted(set(SERVICE_CALL.findall((function / "app.py").read_text(encoding="utf-8"))) - {"health_check"})
    done = subprocess.run([sys.executable, "-c", _PROBE, *use_cases], cwd=function, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith("MODULES "))
    return {k: set(v) for k, v in json.loads(line.removeprefix("MODULES ")).items()}


# --- what the source names ----------------------------------------------------------------------------


def source_of(module: str) -> Path | None:
    """The layer's file for a ``boekstuk`` module (a package's ``__init__.py``)."""
    base = LAYER.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_by(tree: ast.AST, body: list[ast.stmt] | None = None) -> set[str]:
    """The ``boekstuk`` modules imported by the statements of ``body`` (a module's top level by default, where
    ``if TYPE_CHECKING:`` blocks do not count), ``from boekstuk.x import name`` counting ``boekstuk.x.name`` when
    that is a module."""
    found: set[str] = set()
    statements = body if body is not None else tree.body  # type: ignore[attr-defined]
    for node in statements:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("boekstuk"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if source_of(f"{node.module}.{a.name}"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("boekstuk"))
    return found


@functools.cache
def closure(start: frozenset[str]) -> frozenset[str]:
    """``start``, their parent packages and everything they import at module level, transitively."""
    seen: set[str] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        path = source_of(module)
        if path is not None:
            todo.extend(imported_by(ast.parse(path.read_text(encoding="utf-8"))))
    return frozenset(seen)


def builders() -> dict[str, tuple[set[str], set[str]]]:
    """Per member of ``Services`` and ``Components``: the modules its body imports, and the members it uses."""
    tree = ast.parse((LAYER / "boekstuk" / "bootstrap.py").read_text(encoding="utf-8"))
    members: dict[str, tuple[set[str], set[str]]] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in ("Services", "Components")):
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            body = [n for n in ast.walk(fn) if isinstance(n, ast.ImportFrom | ast.Import)]
            used = {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name) and n.value.id in ("self", "c")}
            used |= {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                     and isinstance(n.value, ast.Attribute) and n.value.attr == "_components"}
            members[fn.name] = (imported_by(tree, body), used)  # type: ignore[arg-type]
    return members


def built_modules(use_cases: set[str]) -> set[str]:
    """What building ``use_cases`` imports: their builders' imports and those of every member they use."""
    table = builders()
    modules: set[str] = set()
    seen: set[str] = set()
    todo = list(use_cases | {"__init__"})
    while todo:
        name = todo.pop()
        if name in seen or name not in table:
            continue
        seen.add(name)
        imports, used = table[name]
        modules |= imports
        todo.extend(used)
    return modules


def app_imports(function: Path) -> set[str]:
    """What the handler module imports at its top, but the composition root: whatever ``boekstuk.bootstrap``
    imports at its own top is what this file checks, so it does not count as named."""
    return imported_by(ast.parse((function / "app.py").read_text(encoding="utf-8"))) - {"boekstuk.bootstrap"}


def service_modules(modules: set[str] | frozenset[str]) -> set[str]:
    return {m for m in modules if m.startswith("boekstuk.services.")}


def loads(modules: set[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(f"{prefix}.") for m in modules)


# --- the checks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda p: p.name)
def test_a_function_imports_what_it_uses_and_builds_the_rest_on_first_use(function: Path) -> None:
    modules = loaded(function)
    at_import, first_use = modules["import"], modules["first_use"]
    for prefix in NEVER_AT_IMPORT:
        assert not loads(at_import, prefix), f"{function.name}: import app loads {prefix}"
    named = closure(frozenset(app_imports(function)))
    extra = service_modules(at_import) - named
    assert not extra, f"{function.name}: import app loads use cases its handler does not import: {sorted(extra)}"

    use_cases = set(SERVICE_CALL.findall((function / "app.py").read_text(encoding="utf-8"))) - {"health_check"}
    built = closure(frozenset(app_imports(function) | built_modules(use_cases)))
    extra = service_modules(first_use) - built
    assert not extra, f"{function.name}: its first request loads use cases it does not call: {sorted(extra)}"
    for prefix in NEVER_AT_FIRST_USE:
        assert not loads(first_use, prefix), f"{function.name}: building its use cases loads {prefix}"


def test_signup_loads_neither_the_proposals_nor_the_extraction() -> None:
    """The example of the issue, spelled out: signing up needs onboarding, not the document domain."""
    modules = loaded(ROOT / "functions" / "signup")
    everything = modules["first_use"]
    assert loads(everything, "boekstuk.services.onboarding")
    for prefix in ("boekstuk.services.proposals", "boekstuk.services.documents", "boekstuk.domain.proposing",
                   "boekstuk.domain.extraction", "boekstuk.adapters.recognition", "boekstuk.adapters.packages"):
        assert not loads(everything, prefix), prefix


def test_with_tracing_on_the_x_ray_sdk_is_loaded_and_patches_at_import() -> None:
    """In Lambda (``Tracing: Active``) nothing is deferred: the tracer records, as before."""
    modules = loaded(ROOT / "functions" / "api_docs", tracing=True)["import"]
    assert loads(modules, "aws_xray_sdk.core")


def traced_libraries_in_template() -> dict[str, set[str]]:
    """Per function folder, the ``TRACED_LIBRARIES`` template.yaml gives it (Globals merged in, as SAM does)."""
    from boekstuk_local.template import SamApp

    app = SamApp.load(ROOT / "template.yaml")
    return {Path(spec.code_uri).name: {name.strip() for name in str(spec.environment["TRACED_LIBRARIES"]).split(",")}
            for spec in app.functions.values()}


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda p: p.name)
def test_x_ray_patches_requests_exactly_where_a_package_connection_can_be_opened(function: Path) -> None:
    """Patching requests imports it (30-45 ms of a cold start): only a function whose use cases build the package
    connectors (and so import requests) has it in ``TRACED_LIBRARIES``; botocore is traced everywhere."""
    traced = traced_libraries_in_template()[function.name]
    assert "botocore" in traced
    assert ("requests" in traced) == loads(loaded(function)["first_use"], "requests"), sorted(traced)


@pytest.mark.parametrize(("traced", "requests_at_import"), [("botocore", False), ("botocore,requests", True)])
def test_with_tracing_on_x_ray_patches_only_the_libraries_named(traced: str, requests_at_import: bool) -> None:
    modules = loaded(ROOT / "functions" / "sessions", tracing=True, traced=traced)["import"]
    assert loads(modules, "aws_xray_sdk.ext.botocore")
    assert loads(modules, "requests") is requests_at_import
    assert loads(modules, "aws_xray_sdk.ext.requests") is requests_at_import
    assert loads(modules, "aws_xray_sdk.ext.botocore.patch")


def test_the_checks_see_a_composition_root_that_imports_everything() -> None:
    """What the first test would catch: a service imported by bootstrap at module level lies outside the
    closure of what a handler names, and bootstrap imports none at its top."""
    signup = ROOT / "functions" / "signup"
    assert not service_modules(closure(frozenset({"boekstuk.bootstrap"})))
    assert "boekstuk.services.proposals" not in closure(frozenset(app_imports(signup)))
    assert "boekstuk.services.onboarding" in built_modules({"onboarding"})
    assert "boekstuk.services.proposals" in built_modules({"intake"})
    assert "boekstuk.services.proposals" not in built_modules({"onboarding", "sessions", "users"})


def test_an_untraced_handler_answers_and_raises_as_a_traced_one() -> None:
    """With tracing off (as in these tests) the tracer's provider records nothing and changes nothing."""
    from boekstuk.observability import UntracedProvider, tracer

    assert isinstance(tracer.provider, UntracedProvider)

    @tracer.capture_lambda_handler(capture_response=True)
    def answer(event: dict[str, str], context: object) -> dict[str, str]:
        tracer.put_annotation("key", "value")
        tracer.put_metadata("key", {"value": 1})
        return {"echo": event["say"]}

    @tracer.capture_lambda_handler
    def fail(event: dict[str, str], context: object) -> None:
        raise ValueError(event["say"])

    assert answer({"say": "hi"}, None) == {"echo": "hi"}
    with pytest.raises(ValueError, match="no"):
        fail({"say": "no"}, None)
