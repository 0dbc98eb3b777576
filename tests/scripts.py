"""Load a script of the repository that is not a package module (scripts/*.py, bench/*.py) for its tests."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from boekstuk_local.paths import project_root


def load_script(relative: str) -> ModuleType:
    """The module of ``relative`` (e.g. ``"scripts/smoke.py"``), executed once per call."""
    path = project_root() / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
