"""What straightening pages costs the local OCR: the reading with it against RapidOCR's pipeline as the page lies.

    python bench/straightening.py [--pages 4] [--threads 1] [--rounds 2]

For ``--pages`` generated scans per scan profile (``flatbed``, ``skewed``, ``rotated``; tune families, own seeds
from 90000, never the benchmark's documents), each page image as ``LocalOcr`` bounds it is read ``--rounds``
times both ways, alternating which goes first:

- **as it lies**: ``engine(array, use_cls=False, return_word_box=True)``, RapidOCR's own pipeline, which is what
  ``LocalOcr`` ran for an upright page before issue 13 (a page whose lines came out vertical was then read two
  more times, turned each way; an upside-down page was not noticed);
- **straightened**: ``local_ocr.read_upright`` (one detection, the direction classifier on up to 24 lines, the
  page turned by whole quarters when needed, recognition) plus measuring and levelling the skew.

Printed: per profile the median and p90 seconds per page of each and the median per-page ratio straightened /
as it lies, of wall-clock time and of the process's CPU time (the peer measured on the same page in the same
minute; on a shared machine the CPU-time ratio is the steadier one, the absolute seconds are the load's).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _pages(per_profile: int) -> list[tuple[str, bytes]]:
    from boekstuk_local.samples import FAMILIES, TUNE, make_document
    from boekstuk_local.samples.families import family_kind

    out = []
    a4 = [name for name in TUNE if "rotated" in FAMILIES[name].scans]
    for p, profile in enumerate(("flatbed", "skewed", "rotated")):
        for i in range(per_profile):
            name = a4[(i * 5 + p) % len(a4)]
            seed = 90000 + 100 * p + i
            sample = make_document(seed, kind=family_kind(FAMILIES[name], seed), layout=name, fmt="jpeg",
                                   scan=profile)
            out.append((profile, sample.content))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4, help="scans per profile (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads (default 1)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    import numpy as np
    from PIL import Image

    from boekstuk.adapters.recognition import local_ocr

    ocr = local_ocr.LocalOcr(threads=args.threads)
    engine = ocr._get_engine()
    seconds: dict[tuple[str, str], list[float]] = defaultdict(list)
    ratios: dict[str, list[float]] = defaultdict(list)
    cpu_ratios: dict[str, list[float]] = defaultdict(list)

    def as_it_lies(array: np.ndarray) -> None:
        engine(array, use_cls=False, return_word_box=True)

    def straightened(array: np.ndarray) -> None:
        lines, _ = local_ocr.read_upright(engine, array)
        skew = local_ocr.line_skew(lines)
        if abs(skew) >= local_ocr.MIN_SKEW:
            [local_ocr.level_line(line, skew, 0.0, 0.0) for line in lines]

    for profile, content in _pages(args.pages):
        image = local_ocr._bounded(Image.open(io.BytesIO(content)).convert("RGB"), ocr.max_side)
        array = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
        as_it_lies(array)  # warm the models' arena for this page's shapes
        for round_ in range(args.rounds):
            order = [("as it lies", as_it_lies), ("straightened", straightened)]
            if round_ % 2:
                order.reverse()
            taken, cpu = {}, {}
            for label, read in order:
                started, started_cpu = time.perf_counter(), time.process_time()
                read(array)
                taken[label] = time.perf_counter() - started
                cpu[label] = time.process_time() - started_cpu
                seconds[(profile, label)].append(taken[label])
            ratios[profile].append(taken["straightened"] / taken["as it lies"])
            cpu_ratios[profile].append(cpu["straightened"] / cpu["as it lies"])
        print(f"  {profile}: {image.size} {taken}", file=sys.stderr)

    def p90(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]

    print("| profile | pages | as it lies s/page (p90) | straightened s/page (p90) | straightened / as it lies: "
          "wall | CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for profile in ratios:
        plain, straight = seconds[(profile, "as it lies")], seconds[(profile, "straightened")]
        print(f"| {profile} | {args.pages} | {statistics.median(plain):.2f} ({p90(plain):.2f}) | "
              f"{statistics.median(straight):.2f} ({p90(straight):.2f}) | {statistics.median(ratios[profile]):.2f} | "
              f"{statistics.median(cpu_ratios[profile]):.2f} |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
