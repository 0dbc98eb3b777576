"""The ``boekstuk`` command: ``up`` (local stack), ``demo``, ``recognize``, ``openapi``.

Subcommands import their modules lazily, so ``boekstuk recognize`` does not load the AWS emulator.
"""

from __future__ import annotations

import argparse
import json
import sys


def _openapi(argv: list[str]) -> int:
    from boekstuk.api.openapi_doc import build_openapi
    from boekstuk.paths import api_function_apps, project_root

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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``boekstuk`` console script."""
    args = sys.argv[1:] if argv is None else argv
    commands = {
        "up": ("boekstuk.local.stack", "main_up", "start the local stack (AWS emulator, simulators, API)"),
        "demo": ("boekstuk.local.demo", "main", "walk the onboarding and a document through a running stack"),
        "recognize": ("boekstuk.adapters.recognition.cli", "main", "recognise invoice files, print JSON"),
    }
    if not args or args[0] in ("-h", "--help"):
        print("usage: boekstuk {up,demo,recognize,openapi} [options]\n")
        for name, (_, _, text) in commands.items():
            print(f"  {name:10} {text}")
        print(f"  {'openapi':10} print or --write the OpenAPI document generated from the code")
        return 0
    name, rest = args[0], args[1:]
    if name == "openapi":
        return _openapi(rest)
    if name not in commands:
        print(f"boekstuk: unknown command {name!r}", file=sys.stderr)
        return 2
    import importlib

    module_name, function, _ = commands[name]
    entry = getattr(importlib.import_module(module_name), function)
    return int(entry(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
