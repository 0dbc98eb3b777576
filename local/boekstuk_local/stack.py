"""``boekstuk up``: the whole system in one process on loopback.

A moto server (AWS emulator, Step Functions executing), every resource of template.yaml, the handlers
running in-process, the five package simulators, and the local API Gateway on ``port``. Schedules fire
on a timer as declared (and on request). State lives in memory unless ``data_dir`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import requests
from werkzeug.serving import BaseWSGIServer, make_server

from boekstuk_local import lambda_hook, persistence
from boekstuk_local.clock import LocalClock
from boekstuk_local.events import EVENTS
from boekstuk_local.gateway import Gateway
from boekstuk_local.mail import MAILBOX
from boekstuk_local.provision import Provisioned, provision
from boekstuk_local.schedules import next_fire
from boekstuk_local.secret_audit import AuditRecorder
from boekstuk_local.testing import (
    FAKE_AWS_ENV,
    LOCAL_RUNTIME_ENV,
    RUNNING_STACKS,
    ensure_exclusive,
    fire,
    install_patches,
    load_local_app,
    package_apps_json,
    reset_composition_root,
    start_simulators,
)

log = logging.getLogger(__name__)

SNAPSHOT_EVERY_SECONDS = 30.0
# How long a save waits for running handlers (a scan's OCR takes seconds) before it gives up (periodic) or saves
# anyway (on stop).
QUIET_WAIT_SECONDS = 15.0


def _require_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the local stack listens on loopback only, not {host!r}")


class StackHandle:
    """A running local stack. ``stop()`` is idempotent and quick."""

    def __init__(self) -> None:
        self.url = ""
        self.moto_url = ""
        self.simulators: dict[str, Any] = {}
        self.provisioned: Provisioned | None = None
        self.data_dir: Path | None = None
        self.audit: AuditRecorder | None = None  # with audit_dir: every log line and API answer recorded
        self._moto: Any = None
        self._http: BaseWSGIServer | None = None
        self._http_thread: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stopped = False
        self._env_before: dict[str, str] | None = None
        self._lock = threading.Lock()
        self.schedule_runs: list[tuple[str, str]] = []  # (function, ISO time): what the timer fired
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # tests may move time on
        self.save_every = SNAPSHOT_EVERY_SECONDS
        self.resumed_executions = 0  # workflow executions started again from the data dir
        self.redelivered = (0, 0)  # (objects, workflows) of unfinished work delivered again after a restart
        self._clock: LocalClock | None = None

    def info(self) -> dict[str, str]:
        """What runs where (for the banner and the index page)."""
        rows = {
            "Web app": f"{self.url}/",
            "API": f"{self.url}/v1",
            "API docs": f"{self.url}/v1/docs",
            "Health": f"{self.url}/v1/health",
            "Mail": f"{self.url}/_local/mail?to=",
            "AWS emulator (moto)": self.moto_url,
        }
        for package_id, server in sorted(self.simulators.items()):
            rows[f"Simulator {package_id}"] = server.base_url
        rows["State"] = str(self.data_dir) if self.data_dir else "in memory (use --data-dir to keep it)"
        if self.resumed_executions:
            rows["Resumed workflows"] = f"{self.resumed_executions} (were running at the last stop)"
        if any(self.redelivered):
            objects, workflows = self.redelivered
            rows["Delivered again"] = (f"{objects} upload(s) whose processing had not finished, "
                                       f"{workflows} waiting document(s) without a workflow")
        return rows

    def banner(self) -> str:
        """A readable summary of the URLs."""
        width = max(len(k) for k in self.info())
        lines = ["", "boekstuk local stack is up", ""]
        lines += [f"  {k.ljust(width)}  {v}" for k, v in self.info().items()]
        lines += ["", "  Press Ctrl+C to stop.", ""]
        return "\n".join(lines)

    def fire_schedule(self, logical_id: str) -> tuple[Any, BaseException | None]:
        """Run a function's schedule now."""
        assert self.provisioned is not None
        return fire(self.provisioned, logical_id)

    def save(self, *, final: bool = False) -> Path | None:
        """Write the state to the data dir now (no-op without one), taken between handler runs: a snapshot waits
        up to ``QUIET_WAIT_SECONDS`` for the running handlers and holds new ones back meanwhile. When they do not
        finish in time, a periodic save is skipped (the next tick tries again) and the final one saves anyway.
        ``final``: the stack is stopping, the gate stays closed (no handler starts work that would be lost)."""
        if self.data_dir is None or self.provisioned is None:
            return None
        with self._lock, lambda_hook.GATE.closed(QUIET_WAIT_SECONDS, reopen=not final) as quiet:
            if not quiet and not final:
                log.info("handlers still running; the periodic save waits for the next tick")
                return None
            if not quiet:
                log.warning("saving while handlers still run: their unfinished work is done again after a restart")
            return persistence.save(self.data_dir, persistence.snapshot(self.provisioned, self.simulators))

    def _tick(self) -> None:
        """Fire schedules when due and save the state periodically, until stopped."""
        assert self.provisioned is not None
        now = self.clock()
        due: dict[str, dt.datetime] = {}
        for schedule in self.provisioned.app.schedules:
            if schedule.enabled:
                when = next_fire(schedule.expression, now, schedule.timezone)
                if when is not None:
                    due[schedule.function] = when
        last_save = time.monotonic()
        while not self._stopping.wait(0.2):
            now = self.clock()
            for schedule in self.provisioned.app.schedules:
                when = due.get(schedule.function)
                if when is not None and when <= now:
                    _, exc = self.fire_schedule(schedule.function)
                    self.schedule_runs.append((schedule.function, now.isoformat()))
                    if exc is not None:
                        log.error("schedule %s failed: %s", schedule.function, exc)
                    nxt = next_fire(schedule.expression, now, schedule.timezone)
                    if nxt is None:
                        due.pop(schedule.function, None)
                    else:
                        due[schedule.function] = nxt
            if self.data_dir is not None and time.monotonic() - last_save >= self.save_every:
                try:
                    if self.save() is not None:
                        last_save = time.monotonic()
                except Exception:  # noqa: BLE001 - a failed periodic save must not stop the stack
                    last_save = time.monotonic()
                    log.exception("periodic state save failed")

    def stop(self) -> None:
        """Save (with a data dir), then stop the API, simulators and emulator; restore the environment."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        if self._http is not None:
            if self._http_thread is not None:  # shutdown() waits forever on a server that never served
                self._http.shutdown()
            self._http.server_close()
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
        try:
            self.save(final=True)
        except Exception:  # noqa: BLE001 - still stop everything else
            log.exception("saving the state on stop failed")
        for server in self.simulators.values():
            server.stop()
        if self._moto is not None:
            self._moto.stop()
            if self._moto._server is not None:
                self._moto._server.server_close()
        lambda_hook.unregister_all()
        lambda_hook.set_async_events(False)
        lambda_hook.GATE.open()  # the final save closed it: a later stack or harness in this process runs handlers
        if self.audit is not None:
            self.audit.stop_logs()
        RUNNING_STACKS.discard(id(self))
        if self._env_before is not None:
            os.environ.clear()
            os.environ.update(self._env_before)
        reset_composition_root()
        if self._clock is not None:
            self._clock.close()

    def start_clock(self) -> LocalClock:
        """The system's clock as every handler and schedule sees it (``/_local/clock`` moves it forward): its offset
        lives in the data dir (kept across restarts, like the times stored with it), else in a temporary file."""
        self._clock = LocalClock(self.data_dir)
        self.clock = self._clock.clock.now
        return self._clock

    def __enter__(self) -> StackHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_stack(host: str = "127.0.0.1", port: int = 3000, data_dir: str | Path | None = None,
                template: str | Path | None = None, simulators: bool = True,
                parameters: Mapping[str, str] | None = None, audit_dir: str | Path | None = None) -> StackHandle:
    """Start everything and return once the API answers. ``port=0`` picks a free port.

    ``audit_dir``: record every log line (INFO and up of the handlers) and every API request and answer there,
    for ``secret_audit`` to search for the run's secrets.
    """
    from moto.server import ThreadedMotoServer

    _require_loopback(host)
    # werkzeug logs every request of the emulator and simulators at INFO; keep the console for the banner.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    ensure_exclusive("stack")
    load_local_app(template, parameters)  # a broken template fails here, before anything starts
    handle = StackHandle()
    handle.data_dir = Path(data_dir).resolve() if data_dir else None
    handle._env_before = dict(os.environ)
    RUNNING_STACKS.add(id(handle))
    try:
        if audit_dir is not None:
            handle.audit = AuditRecorder(audit_dir)
            handle.audit.start_logs()
        os.environ.update(FAKE_AWS_ENV)
        handle._moto = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
        handle._moto.start()
        moto_host, moto_port = handle._moto.get_host_and_port()
        handle.moto_url = f"http://{moto_host}:{moto_port}"
        # Step Functions tasks call AWS at localhost:$MOTO_PORT; handlers' boto3 uses AWS_ENDPOINT_URL.
        os.environ.update({"MOTO_PORT": str(moto_port), "AWS_ENDPOINT_URL": handle.moto_url})
        # moto's backends are process-global: start from nothing even if an earlier stack ran in this process.
        requests.post(f"{handle.moto_url}/moto-api/reset", timeout=10).raise_for_status()
        requests.post(f"{handle.moto_url}/moto-api/config",
                      json={"stepfunctions": {"execute_state_machine": True}}, timeout=10).raise_for_status()
        install_patches()
        lambda_hook.set_async_events(True)
        MAILBOX.clear()
        EVENTS.clear()
        if simulators:
            handle.simulators = start_simulators()

        try:
            http = make_server(host, port, _Deferred(), threaded=True)  # bind first: the URL goes into the env
        except SystemExit as exc:  # werkzeug exits the process when the port is taken
            raise OSError(f"cannot listen on {host}:{port}: the address is in use") from exc
        handle._http = http
        handle.url = f"http://{host}:{http.server_port}"
        clock = handle.start_clock()
        extra = {**FAKE_AWS_ENV, **LOCAL_RUNTIME_ENV, "MOTO_PORT": str(moto_port), "AWS_ENDPOINT_URL": handle.moto_url,
                 "API_BASE_URL": handle.url, "CLOCK_OFFSET_FILE": str(clock.path)}
        if handle.simulators:
            extra["PACKAGE_APPS"] = package_apps_json(handle.simulators)
        # The web app is served here, on the API's origin: links in mails, the OAuth callback's way back to the
        # wizard and the documents bucket's CORS origin all name this address.
        app = load_local_app(template, {"WebAppUrl": handle.url, **(parameters or {})})
        prov = provision(app, endpoint_url=handle.moto_url, extra_environment=extra)
        handle.provisioned = prov
        saved = persistence.load(handle.data_dir) if handle.data_dir is not None else None
        if saved is not None:
            persistence.restore(prov, saved, handle.simulators)  # may keep the old user pool ids
        lambda_hook.unregister_all()
        lambda_hook.register_provisioned(prov.functions, state_machines=list(prov.state_machines),
                                         resolver=prov.resolver)
        os.environ.update(prov.environment)
        reset_composition_root()
        if saved is not None:
            handle.resumed_executions = persistence.resume_executions(prov, saved)
            handle.redelivered = persistence.redeliver_unfinished(prov, saved)
        gateway = Gateway(prov, simulator_urls=lambda: {p: s.base_url for p, s in handle.simulators.items()},
                          fire_schedule=handle.fire_schedule, info=handle.info, clock=clock.clock)
        http.app = handle.audit.wrap(gateway) if handle.audit else gateway  # the bound server serves the real app
        handle._http_thread = threading.Thread(target=lambda: http.serve_forever(poll_interval=0.1),
                                               name="boekstuk-api", daemon=True)
        handle._http_thread.start()
        handle._ticker = threading.Thread(target=handle._tick, name="boekstuk-schedules", daemon=True)
        handle._ticker.start()
    except BaseException:
        handle.stop()
        raise
    return handle


class _Deferred:
    """Placeholder WSGI app until the gateway is built (the server is bound early to learn its port)."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"starting"]


def start_stack_in_thread(port: int = 0, data_dir: str | Path | None = None, *,
                          template: str | Path | None = None, simulators: bool = True,
                          parameters: Mapping[str, str] | None = None,
                          audit_dir: str | Path | None = None) -> StackHandle:
    """For tests: a running stack on loopback (servers run in daemon threads); call ``.stop()``. ``parameters``
    are template parameters (e.g. a short ``BookingRetryIntervalSeconds``); ``audit_dir`` records every log line
    and API answer for the secret audit."""
    return start_stack("127.0.0.1", port, data_dir, template=template, simulators=simulators, parameters=parameters,
                       audit_dir=audit_dir)


def wait_until_healthy(url: str, timeout: float = 30.0) -> None:
    """Poll ``url`` (a base URL gets ``/v1/health``) until it answers 200; ``TimeoutError`` otherwise."""
    target = url if "/v1/" in url else url.rstrip("/") + "/v1/health"
    deadline = time.monotonic() + timeout
    last: str = "no answer"
    while time.monotonic() < deadline:
        try:
            answer = requests.get(target, timeout=2)
            if answer.status_code == 200:
                return
            last = f"HTTP {answer.status_code}"
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.1)
    raise TimeoutError(f"{target} not healthy after {timeout} s: {last}")


def serve(host: str = "127.0.0.1", port: int = 3000, data_dir: str | Path | None = None,
          on_ready: Callable[[StackHandle], None] | None = None, template: str | Path | None = None,
          simulators: bool = True, console: TextIO | None = None, audit_dir: str | Path | None = None) -> int:
    """Run the stack until SIGINT/SIGTERM (or ``on_ready``'s handle is stopped); returns an exit code. The banner
    and the stop messages go to ``console`` (default: stdout)."""
    out = console or sys.stdout
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    handle: StackHandle | None = None
    try:
        handle = start_stack(host, port, data_dir, template=template, simulators=simulators, audit_dir=audit_dir)
        print(handle.banner(), file=out, flush=True)
        if on_ready is not None:
            on_ready(handle)
        while not stop.wait(0.2) and not handle._stopped:
            pass
        print("stopping...", file=out, flush=True)
        return 0
    finally:
        if handle is not None:
            handle.stop()
            print("stopped.", file=out, flush=True)
        for sig, old in previous.items():
            signal.signal(sig, old)


def log_to_file(path: str | Path) -> TextIO:
    """From now on the process's stdout and stderr (the handlers' JSON log lines, warnings, tracebacks) are
    appended to ``path``; returns a stream to the terminal the process started on, for what a person reads.

    The file descriptors themselves are redirected, so every writer is caught: Powertools' handler bound to
    ``sys.stdout`` at import, the logging module, and native code.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    console = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    with target.open("a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    return console


def main_up(argv: list[str] | None = None) -> int:
    """``boekstuk up [--host H] [--port N] [--data-dir D] [--save-every S] [--template T] [--no-simulators]
    [--log-file F] [--audit-dir A]``."""
    parser = argparse.ArgumentParser(prog="boekstuk up", description="Start the local stack on loopback.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000; 0 picks a free one)")
    parser.add_argument("--data-dir", default=None, help="keep state here across restarts (default: in memory)")
    parser.add_argument("--template", default=None, help="SAM template (default: the repository's template.yaml)")
    parser.add_argument("--no-simulators", action="store_true", help="do not start the package simulators")
    parser.add_argument("--log-file", default=None,
                        help="append the stack's logs (JSON lines, warnings) to this file instead of the terminal; "
                             "the banner stays on the terminal")
    parser.add_argument("--audit-dir", default=None,
                        help="record every log line and API answer here (python -m boekstuk_local.secret_audit DIR "
                             "searches them for the run's secrets)")
    parser.add_argument("--save-every", type=float, default=SNAPSHOT_EVERY_SECONDS, metavar="SECONDS",
                        help="with --data-dir: save the state this often (default %(default)s); a clean stop saves "
                             "too, a killed process loses what happened since the last save")
    args = parser.parse_args(argv)
    if args.save_every <= 0:
        parser.error("--save-every must be a positive number of seconds")
    console: TextIO = sys.stdout
    errors: TextIO = sys.stderr
    log_path = Path(args.log_file).resolve() if args.log_file else None
    if args.log_file:
        console = errors = log_to_file(args.log_file)

    def on_ready(handle: StackHandle) -> None:
        handle.save_every = args.save_every
        if log_path is not None:
            print(f"  Its logs (JSON lines) go to {log_path}\n", file=console, flush=True)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        code = serve(args.host, args.port, args.data_dir, on_ready, template=args.template,
                     simulators=not args.no_simulators, console=console, audit_dir=args.audit_dir)
    except (ValueError, OSError) as exc:
        print(f"boekstuk up: {exc}", file=errors, flush=True)
        return 2
    # Everything is stopped and saved. Tearing down the interpreter (moto's thousands of objects, native
    # libraries of the OCR engine) took about 5 s more, so leave at once: "stop quickly" is a requirement.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr, console):
        stream.flush()
    os._exit(code)


__all__ = ["StackHandle", "main_up", "serve", "start_stack", "start_stack_in_thread", "wait_until_healthy"]
