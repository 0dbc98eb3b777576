"""lambda_hook.HandlerGate: a save of the local stack's state happens between handler runs, never inside one."""

from __future__ import annotations

import sys
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



CURRENT: dict[str, str] = {}  # like Powertools' app.current_event: a module global set per event
# Shared by every instance (each instance executes this module again): kept on the package, not in the module.
_both_in: threading.Barrier = vars(sys.modules["tests.local"]).setdefault("probe_barrier", threading.Barrier(2))


def probe(event: dict[str, str], context: object) -> dict[str, str]:
    """Keep the event in a module global, wait until the other event is in too, then read the global back."""
    CURRENT["event"] = event["name"]
    _both_in.wait(10)
    _both_in.wait(10)  # both have written before either reads
    return {"mine": event["name"], "seen": CURRENT["event"]}


def test_events_of_one_function_run_at_once_each_on_its_own_instance() -> None:
    from boekstuk_local import lambda_hook

    lambda_hook.register("fn-probe", f"{__name__}.probe")
    results: list[object] = []

    def call(name: str) -> None:
        results.append(lambda_hook.run_handler("fn-probe", {"name": name})[0])

    threads = [threading.Thread(target=call, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # Both ran at the same time (the barrier needs both), and neither read the other's event.
    assert sorted(results, key=str) == [{"mine": "first", "seen": "first"}, {"mine": "second", "seen": "second"}]
