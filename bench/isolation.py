"""What reading documents in a worker process costs per text PDF, against reading them in this process.

    python bench/isolation.py [--data DIR] [--generated 40] [--rounds 5] [--no-spawn]

Text PDFs are the case where the worker's overhead shows: they are read in about 10 ms, where OCR takes
seconds. Every PDF (the generated Dutch text PDFs, and the dev set's when there is one) is read ``--rounds``
times in each mode, in turns so that a change of machine load hits every mode alike:

- ``in-process``: ``LocalRecognizer()``, as before isolation (the intake's stream check included);
- ``warm worker``: ``LocalRecognizer(worker=...)`` with one reused worker, as the composition root wires it;
- ``fork per document``: ``os.fork`` of this process (everything imported) for each document, answer over a pipe;
- ``spawn per document``: a new worker process for each document (what a worker that is never reused costs).

Also timed alone: ``screen_pdf``, the raw-byte check (stream inflation counted, active content) every PDF now
passes before pdfium opens it. Prints medians in milliseconds per document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers" / "shared"))

from boekstuk.adapters.recognition.chain import LocalRecognizer  # noqa: E402
from boekstuk.adapters.recognition.isolation import LOCAL_WORKER, RecognitionWorker  # noqa: E402
from boekstuk.adapters.recognition.limits import DEFAULT_LIMITS  # noqa: E402
from boekstuk.adapters.recognition.pdf_screen import screen_pdf  # noqa: E402
from boekstuk.domain.extraction import warm_up  # noqa: E402
from boekstuk_local.samples import make_document  # noqa: E402


def dev_set(option: Path | None) -> Path | None:
    """The dev set: ``--data``, else the shared default, else ``../shared/data/dev`` next to the repository."""
    candidates = [option] if option else [Path("/work/shared/data/dev"), REPO.parent / "shared" / "data" / "dev"]
    return next((path for path in candidates if path.is_dir()), None)


def text_pdfs(data: Path | None, generated: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of the generated text PDFs and the dev set's text and hybrid PDFs."""
    files = [(f"generated-{seed}.pdf", make_document(seed, fmt="pdf").content) for seed in range(2000, 2000 + generated)]
    if data is not None and data.is_dir():
        for truth in sorted(data.glob("*/ground_truth.jsonl")):
            for line in truth.read_text(encoding="utf-8").splitlines():
                record = json.loads(line) if line.strip() else {}
                if record.get("doc_type") in ("text_pdf", "hybrid_pdf"):
                    path = truth.parent / record["file"]
                    files.append((path.name, path.read_bytes()))
    return files


def forked(recognizer: LocalRecognizer, content: bytes, name: str) -> None:
    """Read one document in a forked copy of this process; the parent waits for its JSON answer."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        answer = recognizer.recognize(content, name).model_dump_json().encode()
        os.write(write_end, answer)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        answer.read()
    os.waitpid(pid, 0)


def spawned(content: bytes, name: str) -> None:
    """Read one document in a worker started for it (and stopped after)."""
    worker = RecognitionWorker(LOCAL_WORKER)
    try:
        LocalRecognizer(worker=worker).recognize(content, name)
    finally:
        worker.close()


def main() -> int:
    """Run the comparison and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="dev set folder (default: the shared dev set when there is one)")
    parser.add_argument("--generated", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-spawn", action="store_true", help="skip spawn-per-document (about 1 s each)")
    args = parser.parse_args()

    files = text_pdfs(dev_set(args.data), args.generated)
    warm_up()
    here = LocalRecognizer()
    worker = RecognitionWorker(LOCAL_WORKER)
    worker.warm()
    isolated = LocalRecognizer(worker=worker)
    modes: dict[str, Callable[[bytes, str], object]] = {
        "in-process": lambda content, name: here.recognize(content, name),
        "warm worker": lambda content, name: isolated.recognize(content, name),
        "fork per document": lambda content, name: forked(here, content, name),
        "screen_pdf alone": lambda content, name: screen_pdf(content, DEFAULT_LIMITS),
    }
    if not args.no_spawn:
        modes["spawn per document"] = spawned
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    for name, content in files:  # one untimed read each: pdfium's and the extractor's first-use costs
        here.recognize(content, name)
        isolated.recognize(content, name)
    for round_number in range(args.rounds):
        for name, content in files:
            for mode, run in modes.items():
                if mode == "spawn per document" and round_number > 0:
                    continue  # a second a document: one round says enough
                started = time.perf_counter()
                run(content, name)
                times[mode].append(time.perf_counter() - started)
    worker.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(files)} text PDFs, {args.rounds} rounds, {os.cpu_count()} CPUs, load average {load:.1f}")
    for mode, measured in times.items():
        median = statistics.median(measured)
        extra = ""
        if mode not in ("in-process", "screen_pdf alone"):
            # Paired: the same document in the same round, so load changes between documents cancel out.
            paired = [b - a for a, b in zip(times["in-process"], measured, strict=False)]
            extra = f"  (paired difference to in-process: median {statistics.median(paired) * 1000:+.2f} ms)"
        print(f"{mode:>20}: median {median * 1000:7.2f} ms per document{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
