"""How a command runs on its expressions, whatever declares it: one expression or a batch of
lines (in worker processes), each worked out where deep input is safe and within its deadline,
every failure turned into lines for standard error, a JSON error object and an exit code, the
output written to standard output or atomically to a file. Typer stays in cli.py, which only
declares the commands; this module imports nothing heavy (`--help` never imports SymPy)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path

from chainrule_cli import __version__


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1  # the work failed: a limit, a timeout, a wrong answer in `check`
    BAD_INPUT = 2  # bad input or usage


def error_lines(exc: Exception) -> list[str]:
    """`error: column 7: unexpected ')'`, then the input and a caret under the column."""
    lines = [f"error: {exc}"]
    text = getattr(exc, "text", None)
    column = getattr(exc, "column", None)
    if text is not None and column is not None and "\n" not in text and len(text) <= 200:
        lines.append(f"  {printable(text)}")
        lines.append("  " + " " * (column - 1) + "^")
    return lines


NOTE = "note: "  # before a sentence for the reader on stderr (ui_error translates it)
DIFF_SCHEMA = "chainrule.derivation/1"
GRADIENT_SCHEMA = "chainrule.gradient/1"
JACOBIAN_SCHEMA = "chainrule.jacobian/1"
GRAPH_SCHEMA = "chainrule.graph/1"
CHECK_SCHEMA = "chainrule.check/1"
TANGENT_SCHEMA = "chainrule.tangent/1"
HINT_SCHEMA = "chainrule.hint/1"
STEPS_SCHEMA = "chainrule.check_steps/1"


@dataclass
class Outcome:
    """What one expression produced: the text to print, or an error; and the exit code."""

    output: str | bytes = ""
    errors: list[str] = field(default_factory=list)
    code: ExitStatus = ExitStatus.OK
    verdict: str | None = None  # check: correct, incorrect or undecided; None when not read


def tally(outcomes: list[Outcome], language: str) -> str:
    """A grading sheet's summary: "12 correct of 30 (15 incorrect, 2 undecided, 1 not read)"."""
    from chainrule_cli.api import summary

    count = [sum(o.verdict == v for o in outcomes) for v in ("correct", "incorrect", "undecided")]
    return summary(*count, sum(o.verdict is None for o in outcomes), language)


def internal_error(exc: Exception) -> str:
    """The one line that reports a bug; with CHAINRULE_DEBUG=1 set, the traceback instead."""
    if os.environ.get("CHAINRULE_DEBUG", "0") not in ("", "0"):
        raise exc
    said = " ".join(str(exc).split())
    return (
        f"internal error ({type(exc).__name__}: {said}). This is a bug in chainrule "
        f"{__version__}; please report it with the command you ran."
    )


def worked_out(texts, build, section: bool, schema: str, fmt: str, run: Run, batch: bool):
    """Each text's Outcome, in order. One expression is worked out here (a timeout ends the
    run, and the work with it); a batch's lines in `jobs` worker processes, each killed when
    its line passes the deadline (chainrule_cli/workers.py)."""
    timeout, max_output = run.timeout, run.max_output
    if not batch:
        for _, text in texts:
            yield work_out(
                text, lambda text=text: build(text, section), schema, fmt, timeout, max_output
            )
        return
    import chainrule_cli.api  # noqa: F401 - imported once, before the workers fork
    from chainrule_cli.workers import default_jobs, in_workers

    def compute(i: int) -> Outcome:
        text = texts[i][1]
        return work_out(text, lambda: build(text, section), schema, fmt, None, max_output)

    def lost(i: int, why: str, exit_code: int | None) -> Outcome:
        from chainrule_cli.api import LimitError, TimeoutError_

        if why == "timeout":
            exc = TimeoutError_(f"gave up after {timeout:g} seconds (raise it with --timeout)")
        else:
            how = f"exit status {exit_code}"
            if exit_code is not None and exit_code < 0:
                how = f"signal {-exit_code}"
            exc = LimitError(f"the work on this line ended abnormally ({how})")
        return failure(texts[i][1], schema, fmt, exc)

    yield from in_workers(len(texts), compute, timeout, run.jobs or default_jobs(), lost)


def failure(text: str, schema: str, fmt: str, exc: Exception) -> Outcome:
    """A failed expression's Outcome: lines for stderr, a JSON error object, the exit code."""
    from chainrule_cli.api import ChainruleError

    if isinstance(exc, ChainruleError):
        kind, message, column, lines = exc.kind, exc.message, exc.column, error_lines(exc)
    elif isinstance(exc, (RecursionError, MemoryError)):
        kind, column = "limit", None
        message = f"the expression is too large to work out ({type(exc).__name__})"
        lines = [f"error: {message}"]
    else:  # a bug: say so in one line, not a traceback
        kind, column = "internal", None
        message = internal_error(exc)
        lines = [f"error: {message}"]
    code = ExitStatus.BAD_INPUT
    if kind in ("limit", "timeout", "internal"):
        code = ExitStatus.FAILED
    out = ""
    if fmt == "json":
        obj = error_json(schema, text, kind, message, column, getattr(exc, "line", None))
        out = json.dumps(obj, ensure_ascii=False) + "\n"
    return Outcome(out, lines, code)


def work_out(
    text: str, build, schema: str, fmt: str, timeout: float | None, max_output: int = 100_000_000
) -> Outcome:
    """Run build() for one expression where deep recursion is safe, within the deadline;
    turn every failure into lines for stderr, a JSON error object and an exit code."""
    from chainrule_cli.api import LimitError, run_deep

    try:
        shown, verified, *more = run_deep(build, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none is a traceback
        return failure(text, schema, fmt, exc)
    verdict = [more[0]] if more and more[0] is not None else []
    notes = [f"{NOTE}{line}" for line in (more[1] if len(more) > 1 else ())]
    if len(shown) > max_output:
        message = (
            f"the output would be {len(shown):,} characters long; the limit is {max_output:,}"
            " (raise it with --max-output)"
        )
        return failure(text, schema, fmt, LimitError(message))
    if not verified:
        return Outcome(
            shown,
            [
                *notes,
                "error: verification failed: a step disagrees with SymPy; the result above "
                "is not to be trusted. Please report this with the command you ran.",
            ],
            ExitStatus.FAILED,
            *verdict,
        )
    if verdict and verdict[0] != "correct":  # check: a wrong or undecided answer
        said = []
        if verdict[0] == "undecided":
            said = ["error: could not decide: too few points where both are real numbers"]
        return Outcome(shown, [*notes, *said], ExitStatus.FAILED, verdict[0])
    return Outcome(shown, notes, verdict=verdict[0] if verdict else None)


def error_json(
    schema: str, text: str, kind: str, message: str, column: int | None, line: int | None = None
) -> dict:
    """The `ok: false` object of docs/architecture.md §3; `line`: the line of a file the error
    is in (check --steps), its column in that line."""
    error = {"kind": kind, "message": message, "column": column}
    if line is not None:
        error["line"] = line
    return {"schema": schema, "ok": False, "input": printable(text), "error": error}


def printable(text: str) -> str:
    """text with any lone surrogate (a str from Python, not from a command line, which
    text_arguments has cleaned) as U+FFFD: UTF-8 output cannot carry it."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write the whole file or nothing: a temporary file beside it, then a rename."""
    directory = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        # mkstemp makes the file private (0600): give it the mode a plain open() would,
        # or keep the mode of the file it replaces
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(handle, mode)
        if isinstance(content, bytes):
            with os.fdopen(handle, "wb") as file:
                file.write(content)
        else:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def expressions_not_options(args: list[str], command) -> list[str]:
    """ "-tan(x)" and "-x^2" are expressions, not options: when an argument starts with a minus
    sign and is not one of the command's options, the options go first and the arguments
    after "--" (where nothing is read as an option)."""
    sub = getattr(command, "commands", {}).get(args[0]) if args else None
    if sub is None:
        return args
    takes_value = {"--help": False}
    for param in sub.params:
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not param.is_flag and not param.count
    options: list[str] = []
    arguments: list[str] = []
    i = 1
    while i < len(args):
        token = args[i]
        if token == "--":
            arguments.extend(args[i + 1 :])
            break
        name = token.split("=", 1)[0]
        # -n2, -fjson, -oout.txt: a short option with its value attached (but -f(x) is an
        # expression)
        attached = (
            not token.startswith("--")
            and takes_value.get(token[:2])
            and re.fullmatch(r"[\w.,/~+-]+", token[2:]) is not None
        )
        if attached:
            options.append(token)
        elif token.startswith("--") or (token.startswith("-") and name in takes_value):
            options.append(token)
            if takes_value.get(name) and "=" not in token and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
        else:
            arguments.append(token)
        i += 1
    if not any(a.startswith("-") and a != "-" for a in arguments):
        return args
    return [args[0], *options, "--", *arguments]


def _terminate(signum, frame) -> None:
    """SIGTERM unwinds like Ctrl-C: an output file being written is removed, not left half."""
    raise SystemExit(128 + signum)


def text_arguments(args: list[str]) -> list[str]:
    """Bytes that are not UTF-8 become U+FFFD, as on stdin, so they never reach JSON raw;
    except in the file name of -o/--output, which is the file system's and kept as given."""
    out, path_next = [], False
    for arg in args:
        path = path_next or arg.startswith("--output=") or (arg[:2] == "-o" and len(arg) > 2)
        path_next = arg in ("-o", "--output")
        out.append(arg if path else _text(arg))
    return out


def _text(arg: str) -> str:
    """arg with its undecodable bytes (surrogateescape) as U+FFFD; a lone surrogate, which only a
    Python caller of main() can put in sys.argv, likewise."""
    try:
        raw = arg.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = arg.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def complain(line: str, lang=None) -> None:
    """One line on standard error, in the user's language (--lang, else the locale)."""
    from chainrule_cli import in_language, language_from_environment

    language = getattr(lang, "value", lang) or language_from_environment(os.environ)
    sys.stderr.write(in_language(line, language) + "\n")
    sys.stderr.flush()


def run_lines(expr: str, build, schema: str, fmt: str, standalone: bool, run, language: str,
              show_help, summary: bool = False, comments: bool = False) -> int:  # fmt: skip
    """The shared shape of every command: one expression or a batch from stdin (EXPR is -),
    each worked out by `build(text, section)` in a deep thread with a deadline, errors as lines
    (and JSON objects), output to stdout or atomically to -o FILE; returns the exit code.
    `run` holds the shared options (output, timeout, jobs, max_output); `show_help()` prints
    the command's help, for a batch asked of a terminal."""
    output = run.output
    as_json = fmt == "json"
    if expr == "-":
        if sys.stdin.isatty():
            show_help()
            complain("error: EXPR is - but standard input is a terminal; pipe lines in.", language)
            return ExitStatus.BAD_INPUT
        # bytes that are not UTF-8 become U+FFFD: a line is never lost, never passed on raw
        raw = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        texts = [
            (number, line)
            for number, line in enumerate(raw.splitlines(), start=1)
            if line.strip() and not (comments and line.lstrip().startswith("#"))
        ]
        batch = True
    else:
        texts = [(1, expr)]
        batch = False
    pages = fmt == "html" and batch  # one page holds them all
    # one part of a document: a LaTeX section, a problem of the HTML page (shown as typed)
    section = (fmt == "latex" and standalone and batch) or pages
    outcomes: list[Outcome] = []
    for (number, _), outcome in zip(
        texts,
        worked_out(texts, build, section, schema, fmt, run, batch),
        strict=True,
    ):
        outcomes.append(outcome)
        for i, line in enumerate(outcome.errors):
            complain(f"line {number}: {line}" if batch and i == 0 else line, language)
        if output is None and isinstance(outcome.output, bytes):
            sys.stdout.buffer.write(outcome.output)
            sys.stdout.flush()
        elif output is None and outcome.output and not (section or pages):
            sys.stdout.write(outcome.output + ("\n" if batch and not as_json else ""))
            sys.stdout.flush()
    if summary and batch:
        sys.stderr.write(tally(outcomes, language) + "\n")
    code = max((o.code for o in outcomes), default=ExitStatus.OK)
    if batch and code != ExitStatus.OK:
        code = ExitStatus.FAILED
    body = [o.output for o in outcomes if o.output]
    if section or pages:
        from chainrule_cli.api import one_document

        content = one_document(body, fmt, language)
    elif len(body) == 1 and isinstance(body[0], bytes):
        content = body[0]
    else:
        content = ("\n" if batch and not as_json else "").join(body)
    if output is None and (section or pages):
        sys.stdout.write(content)
    if output is not None and (batch or body) and not written(output, content, language):
        return ExitStatus.BAD_INPUT
    return code


def written(output: Path, content: str | bytes, language) -> bool:
    """-o FILE written atomically; False, and one line on standard error, where it cannot be."""
    try:
        write_atomically(output, content)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        complain(f"error: cannot write {output}: {reason}", language)
        return False
    return True


def refuse(line: str, lang=None, code: int = 2) -> None:
    """A usage error: one line on standard error (`error: …`), then the exit code (2: bad
    input or usage; 1 where the work cannot be done, as without matplotlib)."""
    complain(line, lang)
    raise SystemExit(int(code))


# ---- the options every command shares (cli.py declares them for Typer) -------------------------


class InputKind(StrEnum):
    auto = "auto"
    text = "text"
    latex = "latex"


class Detail(StrEnum):
    """How much of the working is shown: normal folds d/dx (1) = 0 and d/dx (x) = 1 into the
    line that uses them, full shows every step, brief also folds inner derivatives that need
    no working (d/dx (3x + 1) = 3)."""

    normal = "normal"
    full = "full"
    brief = "brief"


class DiffFormat(StrEnum):
    terminal = "terminal"
    text = "text"
    latex = "latex"
    markdown = "markdown"
    json = "json"
    html = "html"


class GraphFormat(StrEnum):
    terminal = "terminal"
    text = "text"
    latex = "latex"
    markdown = "markdown"
    json = "json"
    html = "html"
    dot = "dot"
    python = "python"
    numpy = "numpy"
    jax = "jax"
    svg = "svg"
    png = "png"


class Form(StrEnum):
    auto = "auto"
    factored = "factored"
    expanded = "expanded"
    as_derived = "as-derived"


class Language(StrEnum):
    en = "en"
    zh = "zh"


class HintFormat(StrEnum):
    terminal = "terminal"
    text = "text"
    markdown = "markdown"
    json = "json"


class PracticeFormat(StrEnum):
    terminal = "terminal"
    text = "text"
    markdown = "markdown"
    json = "json"
    latex = "latex"
    html = "html"
    tsv = "tsv"


class PracticeTopic(StrEnum):
    """calculus/practice.py: TOPICS."""

    power = "power"
    product = "product"
    quotient = "quotient"
    chain = "chain"
    exp_log = "exp-log"
    trig = "trig"
    inverse_trig = "inverse-trig"
    implicit = "implicit"
    logarithmic = "logarithmic"
    mixed = "mixed"


class PracticeLevel(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class PracticeKey(StrEnum):
    answers = "answers"
    full = "full"


def key_value(args: list[str]) -> list[str]:
    """practice --key alone is --key answers (--key full: the derivations too)."""
    if not args or args[0] != "practice":
        return args
    out = []
    for i, arg in enumerate(args):
        out.append(arg)
        following = args[i + 1] if i + 1 < len(args) else None
        if arg == "--key" and following not in ("answers", "full"):
            out.append("answers")
    return out


class HintRule(StrEnum):
    """The rules a student may pick for `hint --rule` (calculus/hint.py: PICKABLE)."""

    sum = "sum"
    product = "product"
    quotient = "quotient"
    chain = "chain"
    power = "power"
    constant_multiple = "constant_multiple"
    general_power = "general_power"


class ParseFormat(StrEnum):
    text = "text"
    json = "json"
    latex = "latex"
    srepr = "srepr"


@dataclass(frozen=True)
class Reading:
    """How to read an expression: the options every command that reads one shares."""

    input: InputKind = InputKind.auto
    function: list[str] | None = None
    max_length: int = 10_000
    max_depth: int = 2_000
    max_digits: int = 3_000

    def kwargs(self) -> dict:
        """As the api's functions take them."""
        return {
            "input": self.input.value, "functions": self.function or (),
            "max_length": self.max_length, "max_depth": self.max_depth,
            "max_digits": self.max_digits,
        }  # fmt: skip


@dataclass(frozen=True)
class Run:
    """How to run a command on expressions and where its output goes: the options every
    command that works on expressions shares (a batch, a file, limits, the language)."""

    lang: Language | None = None
    output: Path | None = None
    no_color: bool = False
    timeout: float = 60.0
    jobs: int | None = None
    reading: Reading = Reading()
    max_output: int = 100_000_000


def shared_options(command, reading_options, run_options):
    """The command with its Reading or Run parameter spread into the options it stands for, in
    its place (for Typer, which reads a signature), and gathered again into one value when the
    command runs."""
    import inspect
    import typing

    hints = typing.get_type_hints(command, include_extras=True)
    parameters, blocks = [], {}
    for parameter in inspect.signature(command).parameters.values():
        block = {Reading: reading_options, Run: run_options}.get(hints.get(parameter.name))
        if block is None:
            parameters.append(parameter.replace(annotation=hints.get(parameter.name)))
            continue
        blocks[parameter.name] = hints[parameter.name]
        parameters += [
            inspect.Parameter(name, parameter.kind, default=default, annotation=kind)
            for name, kind, default in block
        ]

    def spread(**given):
        for name, kind in blocks.items():
            reading = Reading(**{n: given.pop(n) for n, _, _ in reading_options})
            if kind is Reading:
                given[name] = reading
            else:
                rest = {n: given.pop(n) for n, _, _ in run_options if n in given}
                given[name] = Run(reading=reading, **rest)
        return command(**given)

    spread.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    spread.__annotations__ = {p.name: p.annotation for p in parameters}
    spread.__name__, spread.__doc__ = command.__name__, command.__doc__
    spread.__module__ = command.__module__
    return spread


def presentation(fmt: str, standalone: bool, run: Run):
    """The language, whether to colour, and the width: from the options and the environment."""
    from chainrule_cli import language_from_environment

    lang = run.lang
    if standalone and fmt not in ("latex", "html"):  # an html page is always whole
        refuse("error: --standalone makes a LaTeX document; add --format latex", lang)
    language = lang.value if lang is not None else language_from_environment(os.environ)
    color = (
        fmt == "terminal"
        and run.output is None
        and not run.no_color
        and not os.environ.get("NO_COLOR")
        and sys.stdout.isatty()
    )
    width = shutil.get_terminal_size((80, 24)).columns if color else 80
    return language, color, width


def end_at_once(main) -> None:
    """main(), then the process ends at once, without the interpreter's teardown (freeing
    SymPy's hundreds of thousands of objects one by one takes a sixth of a short run).
    Everything a run leaves is settled before: its output is written and flushed here, an -o
    file is in place, batch workers are killed and waited for; a work thread still running
    after a --timeout ends with the process."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or 1
    os._exit(code)
