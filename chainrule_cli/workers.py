"""A batch's lines worked out in worker processes: on every core, each stoppable.

A worker is a fork of the command-line process, so it has the work's closure and SymPy already
imported; it takes line numbers from a pipe and sends back what each produced. A line that runs
past its deadline has its worker killed (SIGKILL: nothing of it keeps running, its memory is
returned) and a fresh worker takes the next line. Results come back in input order, whatever
the order they finish in. When the run ends in any way (done, Ctrl-C, SIGTERM, an exception)
every worker is killed and waited for; a worker whose parent dies is killed by the kernel.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import TypeVar

R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
_FAILED = 70  # a worker's exit status when its own code raised (EX_SOFTWARE)


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL); if the parent
    died already, before the request was made, leave now."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def _serve(
    connection: Connection,
    inherited: list[Connection],
    compute: Callable[[int], R],
    parent: int,
) -> None:
    """A worker's loop: a line's index in, its result out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    # the parent's ends of every pipe, this worker's own included: only the parent may hold
    # them open, so that a worker sees the end of its pipe when the parent is gone
    for end in inherited:
        end.close()
    while True:
        try:
            index = connection.recv()
        except (EOFError, OSError):
            os._exit(0)
        if index is None:
            os._exit(0)
        try:
            result = compute(index)
            connection.send((index, result))
        except BaseException:  # noqa: BLE001 - the parent reports the line as lost
            if os.environ.get("CHAINRULE_DEBUG", "0") not in ("", "0"):
                traceback.print_exc()
            sys.stderr.flush()
            os._exit(_FAILED)


class _Worker:
    def __init__(self, context, compute, others: list[Connection]) -> None:
        self.connection, child = context.Pipe()
        inherited = [*others, self.connection]
        self.process = context.Process(
            target=_serve,
            args=(child, inherited, compute, os.getpid()),
            name="chainrule-worker",
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            child.close()
        self.index: int | None = None
        self.deadline = 0.0

    def give(self, index: int, timeout: float | None) -> None:
        self.index = index
        self.deadline = time.monotonic() + timeout if timeout is not None else float("inf")
        self.connection.send(index)

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()
        with contextlib.suppress(OSError, ValueError, AssertionError):
            self.process.join()
        self.connection.close()

    def stop(self) -> None:
        """Ask an idle worker to leave; kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(None)
        self.process.join(1.0)
        if self.process.is_alive():
            self.kill()
        else:
            self.connection.close()


def in_workers(
    count: int,
    compute: Callable[[int], R],
    timeout: float | None,
    jobs: int,
    lost: Callable[[int, str, int | None], R],
) -> Iterator[R]:
    """compute(i) for i in 0..count-1 in up to `jobs` worker processes, yielded in order of i.

    A line past `timeout` seconds gives lost(i, "timeout", None); a worker that dies gives
    lost(i, "died", its exit code); a worker that cannot be started, lost(i, "died", None).
    """
    if count == 0:
        return
    context = multiprocessing.get_context("fork")
    sys.stdout.flush()
    sys.stderr.flush()
    workers: list[_Worker] = []
    done: dict[int, R] = {}
    pending = collections.deque(range(count))
    following = 0  # the next index to yield

    def fire(worker: _Worker) -> None:
        worker.kill()
        workers.remove(worker)

    def feed(worker: _Worker | None) -> None:
        """Give the next line to worker (None: a new one), if a line is left. A worker that
        cannot take it (it died after its last result) is replaced; a line no new worker can
        be started for is lost."""
        while pending:
            index = pending.popleft()
            if worker is None:
                try:
                    worker = _Worker(context, compute, [w.connection for w in workers])
                except OSError:  # no fork: out of memory or processes
                    done[index] = lost(index, "died", None)
                    continue
                workers.append(worker)
            try:
                worker.give(index, timeout)
                return
            except OSError:
                pending.appendleft(index)
                fire(worker)
                worker = None

    def lose(worker: _Worker, why: str) -> None:
        """Kill worker, record its line as lost, and let a new worker take the next line."""
        index = worker.index
        fire(worker)
        done[index] = lost(index, why, worker.process.exitcode if why == "died" else None)
        feed(None)

    try:
        for _ in range(min(jobs, count)):
            feed(None)
        while following < count:
            if following in done:
                yield done.pop(following)
                following += 1
                continue
            running = [w for w in workers if w.index is not None]
            if not running:  # every worker failed to start: each line is lost, in turn
                if not pending:
                    raise AssertionError("a line is neither done, waiting nor running")
                feed(None)
                continue
            soonest = min(w.deadline for w in running)
            left = None if soonest == float("inf") else max(0.0, soonest - time.monotonic())
            ready = wait([w.connection for w in running], left)
            now = time.monotonic()
            for worker in running:
                if worker.connection in ready:
                    try:
                        index, result = worker.connection.recv()
                    except (EOFError, OSError):
                        lose(worker, "died")
                        continue
                    done[index] = result
                    worker.index = None
                    feed(worker)
                elif worker.deadline <= now:
                    lose(worker, "timeout")
    finally:
        for worker in workers:
            if worker.index is None and worker.process.is_alive():
                worker.stop()
            else:
                worker.kill()
