"""Test handler for Step Functions: fails with custom error names the ASL retries or catches."""

import os
import threading

ATTEMPTS: dict[str, int] = {}
TOKENS: dict[str, str] = {}  # id -> the task token of a parked execution
GATE = threading.Event()  # tests hold a "wait_gate" invocation here to prove it runs in the background


class TransientError(Exception):
    """Retried by the state machine."""


class BookingRefused(Exception):
    """Caught by the state machine."""


def lambda_handler(event, context):
    key = event.get("id", "x")
    if "token" in event:  # the Park state: remember the token, like request_approval stores it
        TOKENS[key] = event["token"]
        return {"parked": key}
    if event.get("wait_gate"):
        GATE.wait(10)
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if event.get("refuse"):
        raise BookingRefused("package said no")
    if ATTEMPTS[key] <= int(event.get("fail_times", 0)):
        raise TransientError(f"attempt {ATTEMPTS[key]}")
    return {"id": key, "attempts": ATTEMPTS[key], "task_only": os.environ.get("TASK_ONLY")}
