"""Run our Lambda handlers in-process whenever the AWS emulator invokes a function.

moto sends every invocation (Invoke API, Step Functions tasks, S3 notifications, stream mappings) through
``moto.awslambda.models.LambdaFunction._invoke_lambda``; replacing that one method makes all of them run
the real handler, imported from the repository, instead of a Docker container. ``use_docker`` stays at its
default: with ``use_docker=False`` moto's simple backend would echo payloads and bypass this method.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()
_targets: dict[str, str] = {}  # Lambda function name -> "dotted.module.attribute"
_original: Callable[..., tuple[str, bool, str]] | None = None
_original_invoke: Callable[..., Any] | None = None
_async_events = False


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


def register(function_name: str, target: str) -> None:
    """Route invocations of ``function_name`` to ``target`` ("package.module.attribute")."""
    with _lock:
        _targets[function_name] = target


def unregister_all() -> None:
    """Forget every registered function (between test stacks)."""
    with _lock:
        _targets.clear()


def error_document(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error payload the AWS Python runtime returns for an exception raised by a handler."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def run_handler(function_name: str, event: Any, *, function_arn: str | None = None, memory_size: int = 128,
                timeout: float = 3.0) -> tuple[Any, BaseException | None, str]:
    """Import and call the handler registered for ``function_name``.

    Returns ``(result, exception, request_id)``; exactly one of result/exception is meaningful.
    """
    with _lock:
        target = _targets.get(function_name)
    context = LambdaContext(
        function_name=function_name,
        invoked_function_arn=function_arn or f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}",
        memory_limit_in_mb=int(memory_size),
        timeout_seconds=float(timeout),
    )
    try:
        if target is None:
            raise ImportError(f"no local handler registered for Lambda function {function_name}")
        module_name, _, attribute = target.rpartition(".")
        handler = getattr(importlib.import_module(module_name), attribute)
        return handler(event, context), None, context.aws_request_id
    except Exception as exc:  # noqa: BLE001 - every handler failure becomes the runtime's error document
        log.warning("handler %s raised %s: %s", function_name, type(exc).__name__, exc)
        return None, exc, context.aws_request_id


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


def install() -> None:
    """Patch moto so every Lambda invocation runs in-process (idempotent)."""
    global _original, _original_invoke
    from moto.awslambda.models import LambdaFunction

    with _lock:
        if _original is None:
            _original = LambdaFunction._invoke_lambda
            _original_invoke = LambdaFunction.invoke
            LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
            LambdaFunction.invoke = _invoke  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own ``_invoke_lambda`` and ``invoke``."""
    global _original, _original_invoke
    from moto.awslambda.models import LambdaFunction

    with _lock:
        if _original is not None and _original_invoke is not None:
            LambdaFunction._invoke_lambda = _original  # type: ignore[method-assign]
            LambdaFunction.invoke = _original_invoke  # type: ignore[method-assign]
            _original = _original_invoke = None


def register_provisioned(functions: dict[str, Any]) -> None:
    """Register every provisioned ``FunctionSpec`` (its ``module`` holds "dotted.module.attribute")."""
    for fn in functions.values():
        if fn.module:
            register(fn.name, fn.module)
