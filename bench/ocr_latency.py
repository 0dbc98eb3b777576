"""How long one scanned page takes to recognise, one document at a time on both cores, with Tesseract beside it.

    python bench/ocr_latency.py [--data DIR] [--receipts 30] [--scans 2] [--rounds 1]

Issue 13's target is latency, not throughput: "OCR <= 1.5 s per page at p90 on two cores". So the documents are
read one after another in one process (the models loaded once, before the clock starts; onnxruntime uses both
cores), by ``LocalRecognizer`` (the local stack's whole chain: straightening, RapidOCR, the extractor), and each
page also by the peer, ``tesseract PAGE stdout`` (Tesseract 5's CLI, Debian's package, its default page
segmentation), alternating which goes first, so both see the machine in the same minute.

Pages: the first ``--receipts`` SROIE receipts of the dev set (when it is there) and the generated Dutch scans of
the benchmark (``family_set``: every layout family, ``--scans`` JPEGs each, the full run's seeds). Printed per set:
median, p90 and max seconds per page of each, and the median of the per-page ratio Tesseract / ours (above 1: we
are faster). The 1-minute load average before and after is printed too: on a shared machine the absolute seconds
are the load's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from recognition import find_data_dir  # noqa: E402  (bench scripts import each other by path)


def generated_scans(scans: int) -> list[tuple[str, bytes]]:
    """The benchmark's generated scanned JPEGs (every family, ``scans`` each)."""
    from boekstuk_local.samples import family_set

    return [(doc.filename, doc.content) for doc in family_set(pdfs=0, scans=scans, scan_pdfs=0, ubl=0)]


def sroie_receipts(data: Path | None, count: int) -> list[tuple[str, bytes]]:
    """The first ``count`` SROIE receipt images of the dev set, if there is one."""
    if data is None:
        return []
    images = sorted((data / "sroie-icdar2019").rglob("*.jpg"))[:count]
    return [(path.name, path.read_bytes()) for path in images]


def tesseract_seconds(content: bytes) -> float:
    """Seconds for Tesseract's CLI to read one image (its process start included, as a user would run it)."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as image:
        image.write(content)
        image.flush()
        start = time.perf_counter()
        subprocess.run(["tesseract", image.name, "stdout"], capture_output=True, check=True)
        return time.perf_counter() - start


def p90(values: list[float]) -> float:
    """The 90th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]


def main() -> int:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="dev set folder")
    parser.add_argument("--receipts", type=int, default=30)
    parser.add_argument("--scans", type=int, default=2, help="generated scans per layout family")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    from boekstuk.adapters.recognition.chain import LocalRecognizer

    recognizer = LocalRecognizer()
    sets = {"SROIE receipts": sroie_receipts(find_data_dir(args.data), args.receipts),
            "generated Dutch scans": generated_scans(args.scans)}
    warm = next(content for pages in sets.values() for _, content in pages)
    recognizer.recognize(warm, "warm-up.jpg", "image/jpeg")  # loads the models: not a page's latency
    print(f"load average at the start: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| set | pages | ours median s | ours p90 | ours max | Tesseract median s | Tesseract p90 | "
          "Tesseract / ours (median of per-page ratios) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, pages in sets.items():
        if not pages:
            continue
        ours: list[float] = []
        peer: list[float] = []
        for round_ in range(args.rounds):
            for index, (filename, content) in enumerate(pages):
                def read_ours(content: bytes = content, filename: str = filename) -> float:
                    start = time.perf_counter()
                    recognizer.recognize(content, filename, "image/jpeg")
                    return time.perf_counter() - start

                if (index + round_) % 2:
                    peer.append(tesseract_seconds(content))
                    ours.append(read_ours())
                else:
                    ours.append(read_ours())
                    peer.append(tesseract_seconds(content))
        ratio = statistics.median(p / o for p, o in zip(peer, ours, strict=True))
        print(f"| {name} | {len(ours)} | {statistics.median(ours):.2f} | {p90(ours):.2f} | {max(ours):.2f} | "
              f"{statistics.median(peer):.2f} | {p90(peer):.2f} | {ratio:.2f} |")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
