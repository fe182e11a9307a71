"""Run work on deep expressions: a thread with a large stack, a high recursion limit, a deadline."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

from chainrule_cli.errors import ChainruleError

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
FRAMES = 250_000


class TimeoutError_(ChainruleError):  # noqa: N801 - not the builtin
    """The work did not finish within --timeout seconds."""

    kind = "timeout"


# The process-wide settings the work needs, made while any work runs and put back when the
# last piece of work ends (in its own thread: work that outlived its --timeout puts them back
# when it finishes, never under its own feet):
#  - a recursion limit for 1,000-deep expressions, in SymPy and in our code;
#  - no limit on the digits of an integer printed: Python refuses more than 4,300, and
#    chainrule's own limits (--max-length, --max-digits, --timeout) bound the numbers it makes
#    (the derivative of (10^2999·x)^2 has 6,000 digits).
_settings_lock = threading.Lock()
_working = 0
_saved: tuple[int, int] = (0, 0)


def _settings_for_work() -> None:
    global _working, _saved  # noqa: PLW0603 - the process's settings, counted under the lock
    with _settings_lock:
        if _working == 0:
            _saved = (sys.getrecursionlimit(), sys.get_int_max_str_digits())
            sys.setrecursionlimit(max(_saved[0], FRAMES))
            sys.set_int_max_str_digits(0)
        _working += 1


def _settings_after_work() -> None:
    global _working  # noqa: PLW0603
    with _settings_lock:
        _working -= 1
        if _working == 0:
            sys.setrecursionlimit(_saved[0])
            sys.set_int_max_str_digits(_saved[1])


def _fresh_count_in_a_fork() -> None:
    """A batch worker is forked perhaps while a work thread held the lock or was counted: the
    fork has no such thread."""
    global _settings_lock, _working  # noqa: PLW0603 - the fork's own
    _settings_lock = threading.Lock()
    _working = 0


os.register_at_fork(after_in_child=_fresh_count_in_a_fork)


def run_deep(work: Callable[[], T], timeout: float | None = None) -> T:
    """Call work() where 1,000-deep recursion in SymPy and in our code is safe: a thread with a
    large stack, the settings above; within `timeout` seconds, or TimeoutError_ (the work goes
    on in its daemon thread until it ends: a thread cannot be stopped; a batch's lines run in
    worker processes instead, which can, chainrule_cli/workers.py)."""
    outcome: dict[str, object] = {}

    def target() -> None:
        # counted in the thread itself: a thread that never starts counts nothing, and one
        # that outlives its deadline puts the settings back when it ends
        _settings_for_work()
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            _settings_after_work()

    old_stack = threading.stack_size()
    threading.stack_size(STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="chainrule-work", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old_stack)
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError_(f"gave up after {timeout:g} seconds (raise it with --timeout)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
