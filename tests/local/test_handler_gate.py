"""lambda_hook.HandlerGate: a save of the local stack's state happens between handler runs, never inside one."""

from __future__ import annotations

import threading

from boekstuk_local.lambda_hook import HandlerGate


def test_closing_waits_for_the_running_handler_and_holds_new_ones_back() -> None:
    gate = HandlerGate()
    inside, release, entered_late = threading.Event(), threading.Event(), threading.Event()

    def running_handler() -> None:
        with gate.handler():
            inside.set()
            release.wait(10)

    def late_handler() -> None:
        with gate.handler():
            entered_late.set()

    first = threading.Thread(target=running_handler)
    first.start()
    assert inside.wait(10)
    closing: list[bool] = []

    def close() -> None:
        with gate.closed(10) as quiet:
            closing.append(quiet)
            late = threading.Thread(target=late_handler)
            late.start()
            late.join(0.2)
            # while the gate is closed the late handler has not started
            closing.append(entered_late.is_set())
        late.join(10)

    closer = threading.Thread(target=close)
    closer.start()
    closer.join(0.2)
    assert closing == []  # still waiting for the running handler
    release.set()
    closer.join(10)
    first.join(10)
    assert closing == [True, False]
    assert entered_late.is_set()  # reopened: the held-back handler ran


def test_a_handler_that_does_not_finish_in_time_makes_the_close_give_up_and_reopen() -> None:
    gate = HandlerGate()
    inside, release = threading.Event(), threading.Event()

    def stuck() -> None:
        with gate.handler():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=stuck)
    worker.start()
    assert inside.wait(10)
    with gate.closed(0.1) as quiet:
        assert not quiet
    ran = threading.Event()

    def after() -> None:
        with gate.handler():
            ran.set()

    threading.Thread(target=after).start()
    assert ran.wait(10)
    release.set()
    worker.join(10)


def test_a_final_close_stays_closed_until_opened() -> None:
    gate = HandlerGate()
    with gate.closed(1, reopen=False) as quiet:
        assert quiet
    ran = threading.Event()

    def handler() -> None:
        with gate.handler():
            ran.set()

    thread = threading.Thread(target=handler)
    thread.start()
    assert not ran.wait(0.2)
    gate.open()
    assert ran.wait(10)
    thread.join(10)


_inside: dict[str, int] = {}
_most: dict[str, int] = {}
_entered = {"fn-a": threading.Event(), "fn-b": threading.Event()}
_probe_lock = threading.Lock()


def probe(event: dict[str, str], context: object) -> dict[str, int]:
    """A handler that records how many events of its function run at once and waits for ``wait_for`` to enter."""
    name = event["name"]
    with _probe_lock:
        _inside[name] = _inside.get(name, 0) + 1
        _most[name] = max(_most.get(name, 0), _inside[name])
    _entered[name].set()
    seen = _entered[event["wait_for"]].wait(0.5) if event.get("wait_for") else False
    with _probe_lock:
        _inside[name] -= 1
    return {"saw_other": int(seen)}


def test_one_event_at_a_time_per_function_and_functions_side_by_side() -> None:
    from boekstuk_local import lambda_hook

    lambda_hook.register("fn-a", f"{__name__}.probe")
    lambda_hook.register("fn-b", f"{__name__}.probe")
    results: list[object] = []

    def call(function: str, event: dict[str, str]) -> None:
        results.append(lambda_hook.run_handler(function, event)[0])

    # Two events of one function: the second waits for the first (it never sees it inside).
    same = [threading.Thread(target=call, args=("fn-a", {"name": "fn-a", "wait_for": "fn-b"})) for _ in range(3)]
    for thread in same:
        thread.start()
    for thread in same:
        thread.join(10)
    assert _most["fn-a"] == 1
    # Two functions: each sees the other inside at the same time.
    _entered["fn-a"].clear()
    _entered["fn-b"].clear()
    results.clear()
    both = [threading.Thread(target=call, args=("fn-a", {"name": "fn-a", "wait_for": "fn-b"})),
            threading.Thread(target=call, args=("fn-b", {"name": "fn-b", "wait_for": "fn-a"}))]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join(10)
    assert results == [{"saw_other": 1}, {"saw_other": 1}]
