"""Recognition in a separate Python process with a memory limit and a deadline per document.

Parsing and rendering hostile files (pdfium, pdfminer, Pillow, lxml, OCR) is where a small upload turns into
gigabytes or minutes. The intake checks refuse the bombs they know; this bounds the ones they do not: the
worker process runs under ``RLIMIT_DATA`` (its heap and private memory), so a document that needs more fails
there and the calling process (a 2 GB Lambda, or the local stack) never holds it. A document that takes
longer than the deadline has its worker killed. Either way it ends ``unreadable`` with a sentence that says why.

Memory is budgeted per document: each document may add ``document_bytes`` to what the worker already holds,
within the worker's overall ``memory_bytes``. The OCR models' memory is the worker's, not the document's
(``model_memory`` lifts the budget while they load and run), so a PDF bomb gets the same 1 GB in AWS, where
the worker holds 100 MB, as locally, where it also holds 1.3 GB of OCR models.

How it runs, in Lambda and locally alike: one worker per process and configuration, started on first use and
then reused (spawned with ``subprocess``: no fork of a process with threads, no ``/dev/shm``, which Lambda
lacks for ``multiprocessing`` queues and pools). Requests and replies are length-prefixed JSON headers with a
binary body over the worker's stdin and stdout; JSON, not pickle, because the worker reads hostile files and
its replies must not be able to run code here. A worker that died, timed out or grew past three quarters of
its limit is replaced for the next document; a document that fails for memory in a worker that had read
others first is tried once more in a fresh one (the earlier documents' leftovers may have been the cause).

``RLIMIT_DATA`` rather than ``RLIMIT_AS``: the OCR engine reserves about 2.5 GB of address space for 1.3 GB
of memory actually used (thread stacks and arenas), so an address-space limit would refuse ordinary scans.
Where the kernel does not enforce ``RLIMIT_DATA`` (macOS) only the deadline applies.

Measured overhead per document (text PDFs, warm worker): see ``bench/README.md`` ("Isolation").
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from boekstuk.adapters.recognition.limits import MB
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.observability import logger

_FRAME: Final = struct.Struct(">IQ")  # header length, body length
_MAX_HEADER: Final = 64 * MB  # a recognition is kilobytes; anything near this is a broken worker
_START_SECONDS: Final = 120.0
"""How long a new worker may take to import its libraries (a cold Lambda on a busy host: seconds)."""
_RECYCLE_SHARE: Final = 0.75


@dataclass(frozen=True)
class WorkerLimits:
    """What the worker process, and one document in it, may cost."""

    memory_bytes: int
    """The worker's ``RLIMIT_DATA``: its whole heap, OCR models included."""
    document_bytes: int
    """What reading one document may add to the heap the worker holds when the document arrives."""
    seconds: float
    """Wall-clock time for one document, from sending it to the answer."""


TEXTRACT_WORKER: Final = WorkerLimits(memory_bytes=1024 * MB, document_bytes=1024 * MB, seconds=60.0)
"""AWS: the worker reads e-invoices and text layers only (Textract reads scans, from this process). The 2 GB
process-invoice Lambda keeps about 1 GB for itself."""
LOCAL_WORKER: Final = WorkerLimits(memory_bytes=2560 * MB, document_bytes=1024 * MB, seconds=300.0)
"""Local stack: the worker also runs OCR, whose models and arena settle at about 1.3 GB (1.6 GB of heap); 50
scanned pages take a few minutes on two cores."""


class _Died(Exception):
    """The worker ended without an answer."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class RecognitionWorker:
    """A reusable worker process that answers one request at a time (thread-safe; one per process is enough)."""

    def __init__(self, limits: WorkerLimits, *, python: str | None = None) -> None:
        """``python`` is the interpreter to start (this one by default)."""
        self.limits = limits
        self._python = python or sys.executable
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()
        self._answered = 0  # documents the running process has answered
        self._resident = 0  # what the running process held after its last answer
        self._largest = 0  # the most it was seen holding while reading the current document
        self._peak = 0
        self.last_exit: tuple[int, int] | None = None
        """Exit status of the last worker that ended without an answer, and how much it was seen growing while it
        read that document (for logs and tests)."""
        self._lock = threading.Lock()
        _workers.add(self)

    @property
    def peak_bytes(self) -> int:
        """The most memory the running worker has held since it started (0 before its first answer)."""
        return self._peak

    @property
    def pid(self) -> int | None:
        """The running worker's process id (``None`` before the first document or after it was replaced)."""
        process = self._current()
        return process.pid if process is not None else None

    def warm(self) -> None:
        """Start the worker now rather than with the first document (its imports take about a second)."""
        with self._lock:
            self._start()

    def run(self, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
        """Send one request; return the worker's reply. Raises ``UnreadableDocument`` when the worker gave out."""
        with self._lock:
            fresh = self._current() is None or self._answered == 0
            try:
                reply, data = self._exchange(header, body)
            except _Died as died:
                if fresh or died.reason == "too_slow":
                    raise UnreadableDocument(died.detail, reason=died.reason) from None
                logger.warning("recognition worker gave out after earlier documents; trying a fresh one",
                               reason=died.reason)
                reply, data = self._retry(header, body)
            else:
                unreadable = reply.get("unreadable") or {}
                if unreadable.get("reason") == "too_much_memory" and not fresh:
                    reply, data = self._retry(header, body)
            return reply, data

    def close(self) -> None:
        """Stop the worker (it also stops by itself when this process ends)."""
        with self._lock:
            self._stop()

    # --- the process ---------------------------------------------------------------------------------

    def _retry(self, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
        self._stop()
        try:
            return self._exchange(header, body)
        except _Died as died:
            raise UnreadableDocument(died.detail, reason=died.reason) from None

    def _current(self) -> subprocess.Popen[bytes] | None:
        if self._owner != os.getpid():
            # This process was forked from the one that started the worker: the pipes are shared with the
            # parent, so this copy starts its own worker and leaves the parent's alone.
            self._process, self._owner, self._answered = None, os.getpid(), 0
        return self._process

    def _start(self) -> subprocess.Popen[bytes]:
        process = self._current()
        if process is not None:
            return process
        environment = dict(os.environ)
        # The worker imports boekstuk from wherever this process does (the Lambda layer, a checkout, a venv).
        environment["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        process = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed module, no shell
            [self._python, "-m", "boekstuk.adapters.recognition.isolation", str(self.limits.memory_bytes),
             str(self.limits.document_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
        assert process.stdin is not None and process.stdout is not None
        os.set_blocking(process.stdin.fileno(), False)
        os.set_blocking(process.stdout.fileno(), False)
        self._process, self._answered, self._peak = process, 0, 0
        try:
            ready, _ = _receive(process.stdout.fileno(), time.monotonic() + _START_SECONDS)
        except (TimeoutError, EOFError) as exc:
            self._stop()
            raise RuntimeError(f"the recognition worker did not start ({type(exc).__name__})") from exc
        if not ready.get("ready"):
            self._stop()
            raise RuntimeError(f"the recognition worker did not start: {ready}")
        self._resident = int(ready.get("rss", 0))
        return process

    def _exchange(self, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        deadline = time.monotonic() + self.limits.seconds
        self._largest = self._resident

        def sample() -> None:
            self._largest = max(self._largest, _resident_of(process.pid))

        try:
            _send(process.stdin.fileno(), header, body, deadline, sample)
            reply, data = _receive(process.stdout.fileno(), deadline, sample)
        except TimeoutError:
            self._stop(wait=0)  # it is busy with the document: it would not notice its input closing
            raise _Died("too_slow", f"Reading the document took longer than {self.limits.seconds:g} seconds; "
                                    "it was stopped and refused for safety.") from None
        except (EOFError, OSError):
            raise self._died() from None
        self._answered += 1
        self._resident = int(reply.pop("rss", 0))
        self._peak = int(reply.pop("peak", 0))
        if reply.pop("retire", False) or self._resident > _RECYCLE_SHARE * self.limits.memory_bytes:
            self._stop()  # the next document gets a fresh worker
        return reply, data

    def _died(self) -> _Died:
        """Reap a worker that ended without answering and say why, as far as its exit shows."""
        process = self._process
        self._process = None
        assert process is not None
        status = _discard(process, wait=0)
        grown = self._largest - self._resident
        self.last_exit = (status, grown)
        logger.warning("recognition worker ended without an answer", exit_status=status, grown_bytes=grown)
        # pdfium, like most C libraries, aborts when an allocation fails under the limit: a worker seen growing
        # by half its document budget or more before it died ran out of memory.
        if grown >= self.limits.document_bytes // 2:
            return _Died("too_much_memory", f"Reading the document needed more than the "
                                            f"{self.limits.document_bytes // MB} MB of memory allowed (it expands to "
                                            "far more than an invoice holds); refused for safety.")
        return _Died("reader_crashed", "The document reader stopped on this document (it is damaged, or made to "
                                       "crash readers); refused for safety.")

    def _stop(self, *, wait: float = 1.0) -> None:
        """End the worker: it stops when its input closes; after ``wait`` seconds it is killed."""
        process = self._current()
        self._process = None
        if process is not None:
            _discard(process, wait=wait)


def _discard(process: subprocess.Popen[bytes], *, wait: float) -> int:
    """Close a worker's pipes, give it ``wait`` seconds to end by itself, then kill it; its exit status."""
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()  # the worker ends when its input ends
    try:
        return process.wait(timeout=wait) if wait else _killed(process)
    except subprocess.TimeoutExpired:
        return _killed(process)


def _killed(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.kill()
    return process.wait()


_workers: weakref.WeakSet[RecognitionWorker] = weakref.WeakSet()
_shared: dict[WorkerLimits, RecognitionWorker] = {}
_shared_lock = threading.Lock()


def shared_worker(limits: WorkerLimits) -> RecognitionWorker:
    """The process-wide worker for ``limits`` (recognizers built again and again share one process)."""
    with _shared_lock:
        worker = _shared.get(limits)
        if worker is None:
            worker = _shared[limits] = RecognitionWorker(limits)
        return worker


@atexit.register
def _stop_all() -> None:
    for worker in list(_workers):
        worker.close()


# --- framing -------------------------------------------------------------------------------------------


_TICK: Final = 0.05
"""While waiting for an answer, how often the worker's memory is looked at (its growth tells why it died)."""


def _send(fd: int, header: dict[str, Any], body: bytes, deadline: float,
          tick: Callable[[], None] | None = None) -> None:
    encoded = json.dumps(header, separators=(",", ":")).encode()
    data = memoryview(_FRAME.pack(len(encoded), len(body)) + encoded + body)
    while data:
        _wait(fd, deadline, write=True, tick=tick)
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            continue
        data = data[written:]


def _receive(fd: int, deadline: float | None,
             tick: Callable[[], None] | None = None) -> tuple[dict[str, Any], bytes]:
    head = _read_exactly(fd, _FRAME.size, deadline, tick)
    header_length, body_length = _FRAME.unpack(head)
    if header_length > _MAX_HEADER:
        raise EOFError("oversized header")
    header = json.loads(_read_exactly(fd, header_length, deadline, tick))
    if not isinstance(header, dict):
        raise EOFError("header is not an object")
    return header, _read_exactly(fd, body_length, deadline, tick)


def _read_exactly(fd: int, size: int, deadline: float | None, tick: Callable[[], None] | None) -> bytes:
    parts: list[bytes] = []
    missing = size
    while missing:
        _wait(fd, deadline, write=False, tick=tick)
        try:
            chunk = os.read(fd, min(missing, 1 * MB))
        except BlockingIOError:
            continue
        if not chunk:
            raise EOFError("the other side closed the pipe")
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def _wait(fd: int, deadline: float | None, *, write: bool, tick: Callable[[], None] | None) -> None:
    """Until ``fd`` is ready; ``TimeoutError`` at the deadline; ``tick`` every ``_TICK`` seconds meanwhile.

    ``poll``, not ``select``: a long-running process (the local stack) may hold descriptors above 1024.
    """
    poller = select.poll()
    poller.register(fd, select.POLLOUT if write else select.POLLIN)
    while True:
        timeout = None if deadline is None else deadline - time.monotonic()
        if timeout is not None and timeout <= 0:
            raise TimeoutError
        if tick is not None:
            timeout = _TICK if timeout is None else min(timeout, _TICK)
        if poller.poll(None if timeout is None else max(1, round(timeout * 1000))):
            return  # ready, or closed (the read or write that follows says which)
        if tick is not None:
            tick()


def _resident_of(pid: int) -> int:
    """A process's resident memory now (0 where ``/proc`` is missing or the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# --- the worker side -----------------------------------------------------------------------------------


class _MemoryBudget:
    """The worker's memory limit: a hard cap for the process, and a soft one for the document being read."""

    def __init__(self, hard: int, per_document: int) -> None:
        self.hard = hard
        self.per_document = per_document

    def start(self) -> None:
        """Cap this process; no core files either (a crash on a bomb is expected, not something to debug)."""
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_DATA, (self.hard, self.hard))
        except (ValueError, OSError) as exc:
            logger.warning("recognition worker runs without a memory limit", error=str(exc))

    def renew(self) -> None:
        """Allow ``per_document`` bytes more than the process holds now (never more than the hard cap)."""
        self._set(min(self.hard, _data_bytes() + self.per_document))

    def lift(self) -> None:
        """Allow up to the hard cap (while OCR models load or run)."""
        self._set(self.hard)

    def _set(self, soft: int) -> None:
        import resource

        with contextlib.suppress(ValueError, OSError):  # not enforced on this system; start() said so once
            resource.setrlimit(resource.RLIMIT_DATA, (soft, self.hard))


_budget: _MemoryBudget | None = None
"""Set in the worker process only."""


@contextlib.contextmanager
def model_memory() -> Iterator[None]:
    """Lift the per-document memory budget while an OCR model loads or runs (outside a worker: nothing).

    The models and their arena stay for the next documents: that memory is the worker's, not the document's.
    """
    budget = _budget
    if budget is None:
        yield
        return
    budget.lift()
    try:
        yield
    finally:
        budget.renew()


def _data_bytes() -> int:
    """This process's heap and private writable memory (``VmData``, what ``RLIMIT_DATA`` counts)."""
    return _own_status(b"VmData:")


def _own_status(field: bytes) -> int:
    """A ``kB`` line of ``/proc/self/status`` in bytes (0 where there is no ``/proc``)."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _peak_bytes() -> int:
    """The most this process has held since it started (``VmHWM``: unlike ``ru_maxrss``, it does not carry over
    the size of the process that started it, which Linux keeps across ``fork`` and ``exec``)."""
    return _own_status(b"VmHWM:")


def main(argv: list[str]) -> int:
    """The worker: answer requests from stdin on the original stdout until stdin ends."""
    global _budget
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it closes our stdin
    replies = os.dup(1)
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    # Imported here, not at the top: the chain imports this module, in the calling process too.
    from boekstuk.adapters.recognition.chain import handle_request, warm_up

    budget = _budget = _MemoryBudget(int(argv[0]), int(argv[1]))
    budget.start()
    warm_up()
    _send_blocking(replies, {"ready": True, "rss": _resident_of(os.getpid())}, b"")
    while True:
        try:
            header, body = _receive(0, None)
        except EOFError:
            return 0
        budget.renew()
        reply, data = handle_request(header, body)
        reply["rss"] = _resident_of(os.getpid())
        reply["peak"] = _peak_bytes()
        _send_blocking(replies, reply, data)


def _send_blocking(fd: int, header: dict[str, Any], body: bytes) -> None:
    encoded = json.dumps(header, separators=(",", ":")).encode()
    with os.fdopen(os.dup(fd), "wb", closefd=True) as out:
        out.write(_FRAME.pack(len(encoded), len(body)) + encoded + body)


if __name__ == "__main__":
    # Run as the imported module rather than as __main__, so that the chain and the OCR engine, which import
    # this module by name, see the budget main() sets.
    from boekstuk.adapters.recognition.isolation import main as _main

    sys.exit(_main(sys.argv[1:]))
