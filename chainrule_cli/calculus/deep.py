"""Run work on deep expressions: a thread with a large stack, a high recursion limit, a deadline."""

from __future__ import annotations

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


def run_deep(work: Callable[[], T], timeout: float | None = None) -> T:
    """Call work() where 1,000-deep recursion in SymPy and in our code is safe."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    old_stack = threading.stack_size()
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, FRAMES))
    threading.stack_size(STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="chainrule-work", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old_stack)
    thread.join(timeout)
    if thread.is_alive():
        # The work goes on in its daemon thread until the process ends; lowering the limit
        # under its feet would turn its deep recursion into a fatal stack-overflow abort.
        raise TimeoutError_(f"gave up after {timeout:g} seconds (raise it with --timeout)")
    sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
