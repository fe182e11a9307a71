"""Shared test helpers: real symbols, as the parser makes them; the command line in process."""

from __future__ import annotations

import os
import shlex
import signal
import sys

import sympy
from hypothesis import settings
from typer.testing import CliRunner, Result

# CI is derandomized: the same examples every run, so a green run stays green; `dev` explores.
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("release", max_examples=50_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def R(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


class CommandLine(CliRunner):
    """The one way the tests run the command line in process: `chainrule_cli.cli.main()` with
    sys.argv set, as the `chainrule` program runs it (so the handling of argv is covered: bytes
    that are not UTF-8, an expression that starts with a minus sign, the one command built),
    with Click's isolation of the standard streams, the environment and the input."""

    def invoke(self, args, input=None, env=None, **extra) -> Result:  # noqa: A002
        from chainrule_cli.cli import main

        if isinstance(args, str):
            args = shlex.split(args)
        with self.isolation(input=input, env=env) as streams:
            saved_argv, saved_term = sys.argv, signal.getsignal(signal.SIGTERM)
            sys.argv = ["chainrule", *args]
            exit_code, exception = 0, None
            try:
                main()
            except SystemExit as exc:
                code = exc.code if exc.code is not None else 0
                if not isinstance(code, int):
                    sys.stdout.write(f"{code}\n")
                    code = 1
                exit_code, exception = code, exc if code else None
            except Exception as exc:  # noqa: BLE001 - reported as CliRunner reports it
                exit_code, exception = 1, exc
            finally:
                sys.argv = saved_argv
                signal.signal(signal.SIGTERM, saved_term)
                sys.stdout.flush()
                sys.stderr.flush()
                out, err, both = (s.getvalue() for s in streams)
        return Result(
            runner=self, stdout_bytes=out, stderr_bytes=err, output_bytes=both,
            return_value=None, exit_code=exit_code, exception=exception, exc_info=None,
        )  # fmt: skip


runner = CommandLine()
