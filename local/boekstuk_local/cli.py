"""The ``boekstuk`` command: ``up`` (local stack), ``demo``, ``recognize``, ``openapi``, ``deploy-web``.

It lives in the local package because ``up`` and ``demo`` do; ``recognize`` and the OpenAPI generator are the
production package's own code, called from here. Subcommands import their modules lazily, so ``boekstuk
recognize`` does not load the AWS emulator, and a command whose dependencies are missing says which extra to
install instead of printing a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from typing import NamedTuple

# The modules the local extra brings: a ModuleNotFoundError naming one of them means that extra is missing.
_LOCAL_EXTRA_MODULES = frozenset({"moto", "werkzeug", "flask", "rapidocr_onnxruntime", "onnxruntime", "reportlab",
                                  "faker", "numpy", "cv2", "croniter", "yaml", "jwt", "tqdm"})


class Command(NamedTuple):
    module: str
    function: str
    help: str
    needs: tuple[str, ...] = ()  # checked before the command starts, so it never fails halfway through


COMMANDS: dict[str, Command] = {
    "up": Command("boekstuk_local.stack", "main_up", "start the local stack (AWS emulator, simulators, API)",
                  ("moto", "werkzeug", "yaml", "jwt", "croniter")),
    "demo": Command("boekstuk_local.demo", "main", "walk the onboarding and a document through a running stack",
                    ("reportlab", "faker", "tqdm")),
    "recognize": Command("boekstuk.adapters.recognition.cli", "main", "recognise invoice files, print JSON"),
    "openapi": Command("boekstuk_local.cli", "openapi_main",
                       "print or --write the OpenAPI document generated from the code"),
    "deploy-web": Command("boekstuk_local.deploy_web", "main",
                          "upload web/ to a deployed stack's web bucket and invalidate its CloudFront cache"),
}


def openapi_main(argv: list[str]) -> int:
    """``boekstuk openapi [--write]``: the OpenAPI document generated from the handlers under ``functions/``."""
    from boekstuk.api.openapi_doc import build_openapi
    from boekstuk_local.paths import api_function_apps, project_root

    parser = argparse.ArgumentParser(prog="boekstuk openapi", description="Generate the OpenAPI document.")
    parser.add_argument("--write", action="store_true", help="write layers/shared/boekstuk/api/openapi.json")
    args = parser.parse_args(argv)
    text = json.dumps(build_openapi(api_function_apps()), indent=2, sort_keys=False) + "\n"
    if args.write:
        target = project_root() / "layers/shared/boekstuk/api/openapi.json"
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    else:
        sys.stdout.write(text)
    return 0


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _load(name: str) -> Callable[[list[str]], int] | None:
    """The command's entry point, or ``None`` (after one line on stderr) when its extra is not installed."""
    command = COMMANDS[name]
    missing = next((m for m in command.needs if not _importable(m)), None)
    try:
        module = importlib.import_module(command.module) if missing is None else None
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in _LOCAL_EXTRA_MODULES:
            raise
        module = None
    if module is None:
        print(f"boekstuk {name}: needs the local stack's dependencies ({missing} is missing): "
              "pip install -e '.[local]' (or ./scripts/setup.sh local)", file=sys.stderr)
        return None
    entry: Callable[[list[str]], int] = getattr(module, command.function)
    return entry


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``boekstuk`` console script."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print("usage: boekstuk {" + ",".join(COMMANDS) + "} [options]\n")
        for name, command in COMMANDS.items():
            print(f"  {name:10} {command.help}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"boekstuk: unknown command {name!r}", file=sys.stderr)
        return 2
    entry = _load(name)
    if entry is None:
        return 2
    return int(entry(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
