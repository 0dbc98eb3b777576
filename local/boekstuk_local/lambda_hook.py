"""Run our Lambda handlers in-process whenever the AWS emulator invokes a function.

moto sends every invocation (Invoke API, Step Functions tasks, S3 notifications, stream mappings) through
``moto.awslambda.models.LambdaFunction._invoke_lambda``; replacing that one method makes all of them run
the real handler, imported from the repository, instead of a Docker container. ``use_docker`` stays at its
default: with ``use_docker=False`` moto's simple backend would echo payloads and bypass this method.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import importlib.util
import itertools
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

log = logging.getLogger(__name__)

_lock = threading.Lock()
_targets: dict[str, str] = {}  # Lambda function name -> "dotted.module.attribute"
_original: Callable[..., tuple[str, bool, str]] | None = None
_original_invoke: Callable[..., Any] | None = None
_async_events = False
_running: contextvars.ContextVar[str | None] = contextvars.ContextVar("boekstuk_running_function", default=None)
_logical_ids: dict[str, str] = {}  # Lambda function name -> logical id (for the call recorder)
_state_machines: list[str] = []  # logical ids of the provisioned state machines
_resolver: Any = None  # the provisioned stack's resolver (physical names of the recorded calls' resources)
_recorded: list[AwsCall] | None = None
# moto's Step Functions engine calls AWS (Lambda tasks) with boto3 clients it signs with this access key; the
# handlers sign with the environment's. On AWS such calls are made with the state machine's role.
_STATE_MACHINE_ACCESS_KEY = "ak"


@dataclass
class LambdaContext:
    """The context object the Python runtime hands a handler (the attributes Powertools reads)."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"
    timeout_seconds: float = 3.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self.log_stream_name = self.log_stream_name or f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's configured timeout (not enforced locally)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class AwsCall:
    """One AWS API call (or presigned URL) made by a function's code or by a state machine.

    ``principal`` is the logical id of the function (or state machine) whose role AWS would check it against;
    ``resolver`` resolves the template's intrinsics to the physical names the call used.
    """

    principal: str
    service: str  # boto3's service name ("dynamodb", "sesv2", ...)
    operation: str  # API operation ("PutItem")
    params: dict[str, Any]
    presigned: bool
    resolver: Any


def record_aws_calls(enabled: bool = True) -> None:
    """Start (or stop) recording every AWS call the handlers and state machines make (the IAM test's input).

    Installs a botocore hook on every session created from now on (and on boto3's default session): clients
    created before stay unrecorded, which is fine as handlers create theirs lazily.
    """
    global _recorded
    import boto3
    from botocore.handlers import BUILTIN_HANDLERS

    with _lock:
        _recorded = [] if enabled else None
        entry = ("before-parameter-build", _record_call)
        if enabled and entry not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append(entry)
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register("before-parameter-build", _record_call)


def recorded_calls() -> list[AwsCall]:
    """The calls recorded since the last call of this function (which forgets them)."""
    global _recorded
    with _lock:
        if _recorded is None:
            return []
        calls, _recorded = _recorded, []
        return calls


def _calling_client() -> Any:
    """The botocore client whose call emitted the event being handled (found on the stack)."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name in ("_emit_api_params", "_make_api_call", "generate_presigned_url"):
            return frame.f_locals.get("self")
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _record_call(params: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
    """botocore ``before-parameter-build`` hook: remember who made the call (function or state machine)."""
    if _recorded is None or model is None or _resolver is None:
        return  # not recording, or no stack registered (a stopped stack's leftover threads)
    client = _calling_client()
    credentials = getattr(getattr(client, "_request_signer", None), "_credentials", None)
    if credentials is not None and getattr(credentials, "access_key", None) == _STATE_MACHINE_ACCESS_KEY:
        principal = _state_machines[0] if len(_state_machines) == 1 else "<state machine>"
    else:
        running = _running.get()
        if running is None:
            return  # the test or the local stack itself, not a function
        principal = _logical_ids.get(running, running)
    call = AwsCall(principal=principal, service=model.service_model.service_name, operation=model.name,
                   params=dict(params or {}), presigned=bool((context or {}).get("is_presign_request")),
                   resolver=_resolver)
    with _lock:
        if _recorded is not None:
            _recorded.append(call)


def register(function_name: str, target: str) -> None:
    """Route invocations of ``function_name`` to ``target`` ("package.module.attribute")."""
    with _lock:
        _targets[function_name] = target


def unregister_all() -> None:
    """Forget every registered function (between test stacks)."""
    global _resolver
    with _lock:
        _targets.clear()
        _logical_ids.clear()
        _state_machines.clear()
        _resolver = None


def error_document(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error payload the AWS Python runtime returns for an exception raised by a handler."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


class HandlerGate:
    """Handlers run side by side; a snapshot of the state waits until none runs and holds new ones back meanwhile.

    The saved state is then one the system was in between handler runs (a document's write and its package's
    booking are both in it or both not), never half of a handler's work. A handler that synchronously invokes
    another cannot finish while the gate is closed: ``closed`` gives up after ``timeout`` and opens again.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._closed = False

    @contextlib.contextmanager
    def handler(self) -> Iterator[None]:
        """Around one handler run: waits while the gate is closed."""
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def closed(self, timeout: float, *, reopen: bool = True) -> Iterator[bool]:
        """Hold new handler runs back and wait up to ``timeout`` seconds for the running ones to finish; yields
        whether none runs. ``reopen=False`` keeps the gate closed afterwards (the stack is stopping)."""
        with self._changed:
            self._closed = True
            quiet = self._changed.wait_for(lambda: self._running == 0, timeout)
        try:
            yield quiet
        finally:
            if reopen:
                self.open()

    def open(self) -> None:
        """Let handlers run again."""
        with self._changed:
            self._closed = False
            self._changed.notify_all()


GATE = HandlerGate()

# Each event runs on an instance of its own, as in Lambda: an instance is a copy of the handler's module, and
# handles one event at a time. Handler modules keep per-request state in globals (Powertools' resolver keeps the
# route's context on ``app``; its current event is per thread, see ``powertools_patches``); two events run side by
# side on one module would share it. Events that arrive while every instance is busy get a new one, so events still
# run concurrently (races between requests stay as real as in AWS).
_idle: dict[str, list[Callable[..., Any]]] = {}
_copies = itertools.count(1)


def _instance(target: str) -> Callable[..., Any]:
    """An idle instance of ``target``'s handler, or a new one: the module itself first, then fresh copies."""
    with _lock:
        idle = _idle.setdefault(target, [])
        if idle:
            return idle.pop()
        first = target not in _created
        _created.add(target)
    module_name, _, attribute = target.rpartition(".")
    if first:
        return cast(Callable[..., Any], getattr(importlib.import_module(module_name), attribute))
    found = importlib.util.find_spec(module_name)
    name = f"{module_name}__instance{next(_copies)}"
    spec = importlib.util.spec_from_file_location(name, found.origin) if found and found.origin else None
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load another instance of {module_name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic and typing resolve a module's names through sys.modules
    spec.loader.exec_module(module)
    return cast(Callable[..., Any], getattr(module, attribute))


_created: set[str] = set()


def _release(target: str, handler: Callable[..., Any]) -> None:
    with _lock:
        _idle.setdefault(target, []).append(handler)


def run_handler(function_name: str, event: Any, *, function_arn: str | None = None, memory_size: int = 128,
                timeout: float = 3.0) -> tuple[Any, BaseException | None, str]:
    """Import and call the handler registered for ``function_name`` (once the ``GATE`` lets it).

    Returns ``(result, exception, request_id)``; exactly one of result/exception is meaningful.
    """
    with _lock:
        target = _targets.get(function_name)
    with GATE.handler():
        context = LambdaContext(  # its clock starts when the handler does, as in AWS
            function_name=function_name,
            invoked_function_arn=function_arn or f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}",
            memory_limit_in_mb=int(memory_size),
            timeout_seconds=float(timeout),
        )
        running = _running.set(function_name)  # the AWS calls made from here on are this function's
        handler: Callable[..., Any] | None = None
        try:
            if target is None:
                raise ImportError(f"no local handler registered for Lambda function {function_name}")
            handler = _instance(target)
            return handler(event, context), None, context.aws_request_id
        except Exception as exc:  # noqa: BLE001 - every handler failure becomes the runtime's error document
            log.warning("handler %s raised %s: %s", function_name, type(exc).__name__, exc)
            return None, exc, context.aws_request_id
        finally:
            if handler is not None and target is not None:
                _release(target, handler)
            _running.reset(running)


def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    """Replacement for ``LambdaFunction._invoke_lambda``: ``(payload JSON, errored, logs)``."""
    if isinstance(event, (str, bytes)):
        with contextlib.suppress(ValueError):  # a non-JSON payload reaches the handler as it came
            event = json.loads(event or "{}")
    elif event is None:
        event = {}
    result, exc, request_id = run_handler(
        self.function_name, event, function_arn=self.function_arn,
        memory_size=getattr(self, "memory_size", 128), timeout=float(getattr(self, "timeout", 3) or 3),
    )
    if exc is not None:
        return json.dumps(error_document(exc, request_id)), True, ""
    try:
        return json.dumps(result), False, ""
    except (TypeError, ValueError) as err:
        # The real runtime fails the invocation when the result is not JSON serialisable.
        doc = {"errorMessage": f"Unable to marshal response: {err}", "errorType": "Runtime.MarshalError",
               "requestId": request_id}
        return json.dumps(doc), True, ""


def set_async_events(enabled: bool) -> None:
    """Run ``InvocationType=Event`` invocations in a background thread, as AWS does (moto runs them inline).

    The running stack turns this on so an API call that starts a job answers at once; the in-process test
    harness leaves it off so a test sees the job's effects as soon as the call returns.
    """
    global _async_events
    _async_events = enabled


def _invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> Any:
    """Replacement for ``LambdaFunction.invoke`` that hands Event invocations to a thread when asked."""
    invocation_type = (request_headers or {}).get("x-amz-invocation-type", "RequestResponse")
    if _async_events and invocation_type == "Event":
        event = json.loads(body) if body else {}
        threading.Thread(target=self._invoke_lambda, args=(event,), daemon=True,
                         name=f"lambda-event-{self.function_name}").start()
        return b""
    assert _original_invoke is not None
    return _original_invoke(self, body, request_headers, response_headers)


def _notify_lambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
    """Replacement for moto's S3-to-Lambda notification: asynchronous, as S3 events are in AWS, when asked.

    moto calls the function inline in the request that stored the object, so an upload's PUT would wait for the
    whole intake (recognition included) and a stopped handler would hold the client's upload hostage.
    """
    assert _original_notify is not None
    if _async_events:
        threading.Thread(target=_original_notify, args=(account_id, event_body, fn_arn, region_name), daemon=True,
                         name="s3-event").start()
    else:
        _original_notify(account_id, event_body, fn_arn, region_name)


_original_notify: Callable[..., None] | None = None


def install() -> None:
    """Patch moto so every Lambda invocation runs in-process (idempotent)."""
    global _original, _original_invoke, _original_notify
    import moto.s3.notifications as s3_notifications
    from moto.awslambda.models import LambdaFunction

    from boekstuk_local import powertools_patches

    powertools_patches.install()  # handlers on threads of one process: each its own current event

    with _lock:
        if _original is None:
            _original = LambdaFunction._invoke_lambda
            _original_invoke = LambdaFunction.invoke
            LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
            LambdaFunction.invoke = _invoke  # type: ignore[method-assign]
        if _original_notify is None:
            _original_notify = s3_notifications._invoke_awslambda
            s3_notifications._invoke_awslambda = _notify_lambda


def uninstall() -> None:
    """Restore moto's own ``_invoke_lambda``, ``invoke`` and S3 notification."""
    global _original, _original_invoke, _original_notify
    from moto.awslambda.models import LambdaFunction

    with _lock:
        if _original is not None and _original_invoke is not None:
            LambdaFunction._invoke_lambda = _original  # type: ignore[method-assign]
            LambdaFunction.invoke = _original_invoke  # type: ignore[method-assign]
            _original = _original_invoke = None
        if _original_notify is not None:
            import moto.s3.notifications as s3_notifications

            s3_notifications._invoke_awslambda = _original_notify
            _original_notify = None


def register_provisioned(functions: dict[str, Any], *, state_machines: Any = (), resolver: Any = None) -> None:
    """Register every provisioned ``FunctionSpec`` (its ``module`` holds "dotted.module.attribute").

    ``state_machines`` (logical ids) and ``resolver`` let the call recorder name who made a call and which
    resources it named.
    """
    global _resolver
    for fn in functions.values():
        if fn.module:
            register(fn.name, fn.module)
    with _lock:
        _logical_ids.update({fn.name: fn.logical_id for fn in functions.values()})
        _state_machines[:] = list(state_machines)
        _resolver = resolver
