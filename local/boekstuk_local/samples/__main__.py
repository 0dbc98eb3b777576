"""``python -m boekstuk_local.samples OUT_DIR [--count N] [--first-seed S]``: write a sample set with its truth."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .sets import generate_set


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``count`` generated documents and a ``ground_truth.jsonl`` (dev-set schema) into a folder."""
    parser = argparse.ArgumentParser(prog="python -m boekstuk_local.samples", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=14)
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "ground_truth.jsonl").open("w") as truth:
        for doc in generate_set(args.count, first_seed=args.first_seed):
            (args.out / doc.filename).write_bytes(doc.content)
            truth.write(json.dumps(doc.truth, ensure_ascii=False) + "\n")
            print(doc.filename)
    return 0


if __name__ == "__main__":
    sys.exit(main())
