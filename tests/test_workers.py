"""A batch on every core (--jobs), each line stoppable: results in input order and byte for byte
those of --jobs 1; a timed-out or dying line kills only its own worker; nothing of a run is left
running after it ends, however it ends (chainrule_cli/workers.py)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_diff_cli import chainrule

from chainrule_cli.workers import default_jobs, in_workers

DATA = Path(__file__).parent / "data"
CORPUS_X = [
    line.split("\t")[1]
    for line in (DATA / "corpus.tsv").read_text().splitlines()[1:]
    if line.split("\t")[2] == "x"
]


def lost(index: int, why: str, code: int | None) -> tuple:
    return ("lost", index, why, code)


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.mark.parametrize("jobs", [1, 2, 3, 8])
def test_results_come_in_input_order_whatever_order_they_finish_in(jobs):
    delays = [0.2, 0.0, 0.1, 0.0, 0.05, 0.0, 0.15, 0.0]

    def compute(i: int):
        time.sleep(delays[i])
        return ("done", i, os.getpid())

    results = list(in_workers(len(delays), compute, None, jobs, lost))
    assert [r[:2] for r in results] == [("done", i) for i in range(len(delays))]
    assert len({r[2] for r in results}) <= jobs
    assert os.getpid() not in {r[2] for r in results}  # never in this process
    assert multiprocessing.active_children() == []


def test_a_timed_out_line_is_killed_and_the_next_starts_at_once():
    def compute(i: int):
        if i in (1, 3):
            spin(60)  # would hold a core for a minute
        return ("done", i)

    start = time.monotonic()
    results = list(in_workers(6, compute, 0.5, 2, lost))
    elapsed = time.monotonic() - start
    assert results == [
        ("done", 0), ("lost", 1, "timeout", None), ("done", 2),
        ("lost", 3, "timeout", None), ("done", 4), ("done", 5),
    ]  # fmt: skip
    assert elapsed < 30
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_loses_only_its_own_line():
    def compute(i: int):
        if i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        if i == 4:
            os._exit(3)
        return ("done", i)

    results = list(in_workers(7, compute, None, 2, lost))
    assert results == [
        ("done", 0), ("done", 1), ("lost", 2, "died", -signal.SIGKILL), ("done", 3),
        ("lost", 4, "died", 3), ("done", 5), ("done", 6),
    ]  # fmt: skip


def test_an_empty_batch_starts_no_worker():
    assert list(in_workers(0, lambda i: i, None, 4, lost)) == []
    assert multiprocessing.active_children() == []


def test_leaving_early_kills_every_worker():
    def compute(i: int):
        if i > 0:
            spin(60)
        return i

    results = in_workers(5, compute, None, 3, lost)
    assert next(results) == 0
    results.close()  # the consumer stops (an exception, Ctrl-C) while two lines run
    assert multiprocessing.active_children() == []


def test_the_default_is_one_job_per_core():
    assert default_jobs() == len(os.sched_getaffinity(0))


# ---- the command line -------------------------------------------------------------------------

BATCHES = [
    # (arguments, the lines)
    (["diff", "-", "x"], CORPUS_X),
    (["grad", "-"], ["x^2*y + sin(y)", "x*y*z", "exp(x*y)", "x +", "sqrt(x^2 + y^2)"]),
    (["jacobian", "-"], ["[x*y, x + y]", "[sin(x), cos(y)]", "[1/(", "[r*cos(t), r*sin(t)]"]),
    (["graph", "-"], ["1/(1+exp(-(w*x+b)))", "x*y + sin(x)", "(x + y)*z", "x y)"]),
    (["check", "-"], (DATA / "check_sheet.tsv").read_text().splitlines()),
    (["tangent", "-", "--at", "x=1"], ["x^2", "sin(x)", "x^3 - x", "ln(x)", "1/("]),
]


@pytest.mark.parametrize("args, lines", BATCHES, ids=[b[0][0] for b in BATCHES])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_batch_command_prints_the_same_bytes_with_any_number_of_jobs(args, lines, fmt):
    stdin = "\n".join(lines) + "\n"
    serial = chainrule(*args, "--format", fmt, "--jobs", "1", stdin=stdin, env={"NO_COLOR": "1"})
    parallel = chainrule(*args, "--format", fmt, "--jobs", "3", stdin=stdin, env={"NO_COLOR": "1"})
    assert serial.stdout and "Traceback" not in serial.stderr
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr
    assert parallel.returncode == serial.returncode
    if fmt == "json":
        inputs = [json.loads(line)["input"] for line in parallel.stdout.splitlines()]
        expected = [line for line in lines if line.strip() and not line.startswith("#")]
        assert inputs == expected


def test_latex_and_html_batches_are_the_same_whole_document_with_any_number_of_jobs():
    stdin = "\n".join(CORPUS_X[:40]) + "\n"
    for fmt in (["latex", "--standalone"], ["html"], ["markdown"]):
        serial = chainrule("diff", "-", "x", "--format", *fmt, "--jobs", "1", stdin=stdin)
        parallel = chainrule("diff", "-", "x", "--format", *fmt, "--jobs", "2", stdin=stdin)
        assert serial.returncode == parallel.returncode == 0, parallel.stderr
        assert parallel.stdout == serial.stdout


def test_jobs_is_a_positive_number():
    result = chainrule("diff", "-", "x", "--jobs", "0", stdin="x\n")
    assert result.returncode == 2
    assert "--jobs" in result.stderr and "Traceback" not in result.stderr


def busy_cores() -> list[subprocess.Popen]:
    """One busy loop per core: the machine under load."""
    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(default_jobs())
    ]


@pytest.mark.slow
def test_slow_lines_among_quick_ones_under_load():
    slow = "+".join(f"sin({i}x)*cos(x^{i})" for i in range(1, 300))  # ~6 s of work each
    lines = []
    for i in range(12):
        lines += [f"sin({i}x)", slow, f"x^{i} + exp(x)"]
    stdin = "\n".join(lines) + "\n"
    load = busy_cores()
    try:
        result = chainrule("diff", "-", "x", "--format", "json", "--timeout", "2", stdin=stdin)
    finally:
        for process in load:
            process.kill()
            process.wait()
    kinds = [
        o["error"]["kind"] if not o["ok"] else "ok"
        for o in map(json.loads, result.stdout.splitlines())
    ]
    assert kinds == ["ok", "timeout", "ok"] * 12, result.stderr
    assert result.returncode == 1


def processes_with(marker: str) -> list[int]:
    """The pids whose command line holds marker (a fork keeps its parent's command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.slow
def test_a_stopped_batch_leaves_no_worker_and_no_file(tmp_path, sig):
    marker = "--max-length=9876"  # finds the run's processes in /proc
    slow = "+".join(f"sin({i}x)*cos(x^{i})" for i in range(1, 300))
    target = tmp_path / "out.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule_cli", "diff", "-", "x", "-f", "json", "--jobs", "2",
         marker, "-o", str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    process.stdin.write(("x^2\n" + f"{slow}\n" * 4).encode())
    process.stdin.close()
    deadline = time.monotonic() + 30
    while len(processes_with(marker)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # the command and its two workers
    assert len(processes_with(marker)) == 3
    time.sleep(0.5)
    process.send_signal(sig)
    process.wait(timeout=30)
    assert process.returncode in (130, 128 + signal.SIGTERM)
    time.sleep(0.5)
    assert processes_with(marker) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_killed_command_takes_its_workers_with_it():
    marker = "--max-length=9875"
    slow = "+".join(f"sin({i}x)*cos(x^{i})" for i in range(1, 300))
    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule_cli", "diff", "-", "x", "--jobs", "2", marker],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    process.stdin.write(f"{slow}\n".encode() * 4)
    process.stdin.close()
    deadline = time.monotonic() + 30
    while len(processes_with(marker)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.kill()  # SIGKILL: nothing in the command can react; the kernel ends the workers
    process.wait()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == []


def test_a_worker_that_raises_loses_its_line_quietly(capfd):
    def compute(i: int):
        if i == 1:
            raise RuntimeError("a bug")
        return ("done", i)

    results = list(in_workers(3, compute, None, 2, lost))
    assert results == [("done", 0), ("lost", 1, "died", 70), ("done", 2)]
    assert "Traceback" not in capfd.readouterr().err  # CHAINRULE_DEBUG=1 prints it


def test_a_worker_sees_the_end_of_its_pipe_when_the_parent_closes_it():
    # found in review: the worker held the parent's end of its own pipe too, so it never saw
    # the end of it; now it leaves as soon as the parent's end is closed
    from chainrule_cli.workers import _Worker

    worker = _Worker(multiprocessing.get_context("fork"), lambda i: i, [])
    worker.connection.close()  # as when the command is gone
    worker.process.join(10)
    assert not worker.process.is_alive()
    assert worker.process.exitcode == 0
