"""Where the project's files are, for the CLI and the local stack (an editable install from the repo)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any


def project_root() -> Path:
    """The repository root: the folder holding template.yaml above this package (local/boekstuk_local)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "template.yaml").is_file() and (parent / "functions").is_dir():
            return parent
    raise FileNotFoundError("template.yaml not found: run boekstuk from a clone of the repository (pip install -e .)")


def api_function_apps() -> list[Any]:
    """The resolver (``app``) of every API function under ``functions/``, in folder order."""
    import sys

    root = project_root()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    apps: list[Any] = []
    for app_file in sorted((root / "functions").glob("*/app.py")):
        module = importlib.import_module(f"functions.{app_file.parent.name}.app")
        resolver = getattr(module, "app", None)
        if resolver is not None and hasattr(resolver, "get_openapi_json_schema"):
            apps.append(resolver)
    return apps
