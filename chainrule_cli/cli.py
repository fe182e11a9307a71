"""The command line: options, exit codes, errors as one line. The only module importing typer."""

from __future__ import annotations

import contextlib
import copy
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
from typing import Annotated

import typer

from chainrule_cli import __version__


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1  # the work failed: a limit, a timeout, a wrong answer in `check`
    BAD_INPUT = 2  # bad input or usage


class InputKind(StrEnum):
    auto = "auto"
    text = "text"
    latex = "latex"


class Detail(StrEnum):
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


class ParseFormat(StrEnum):
    text = "text"
    json = "json"
    latex = "latex"
    srepr = "srepr"


app = typer.Typer(
    name="chainrule",
    help="Differentiate expressions symbolically and show every step of the chain rule.",
    invoke_without_command=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chainrule {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Differentiate expressions symbolically and show every step of the chain rule."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help(), err=True)
        names = ", ".join(ctx.command.list_commands(ctx))  # type: ignore[attr-defined]
        complain(f"\nerror: no command given (one of: {names})")
        raise typer.Exit(int(ExitStatus.BAD_INPUT))


def complain(line: str, lang=None) -> None:
    """One line on standard error, in the user's language (--lang, else the locale)."""
    from chainrule_cli import in_language, language_from_environment

    language = getattr(lang, "value", lang) or language_from_environment(os.environ)
    typer.echo(in_language(line, language), err=True)


def error_lines(exc: Exception) -> list[str]:
    """`error: column 7: unexpected ')'`, then the input and a caret under the column."""
    lines = [f"error: {exc}"]
    text = getattr(exc, "text", None)
    column = getattr(exc, "column", None)
    if text is not None and column is not None and "\n" not in text and len(text) <= 200:
        lines.append(f"  {printable(text)}")
        lines.append("  " + " " * (column - 1) + "^")
    return lines


def fail(exc: Exception, *, as_json: bool, schema: str, text: str) -> typer.Exit:
    """Report a library error: JSON on stdout when asked for, one line on stderr, exit code."""
    from chainrule_cli.api import ChainruleError

    kind = exc.kind if isinstance(exc, ChainruleError) else "error"
    if as_json:
        message = getattr(exc, "message", str(exc))
        payload = error_json(schema, text, kind, message, getattr(exc, "column", None))
        typer.echo(json.dumps(payload, ensure_ascii=False))
    for line in error_lines(exc):
        complain(line)
    code = ExitStatus.FAILED if kind in ("limit", "timeout") else ExitStatus.BAD_INPUT
    return typer.Exit(int(code))


NOTE = "note: "  # before a sentence for the reader on stderr (ui_error translates it)
DIFF_SCHEMA = "chainrule.derivation/1"
GRADIENT_SCHEMA = "chainrule.gradient/1"
JACOBIAN_SCHEMA = "chainrule.jacobian/1"
GRAPH_SCHEMA = "chainrule.graph/1"
CHECK_SCHEMA = "chainrule.check/1"
TANGENT_SCHEMA = "chainrule.tangent/1"


@dataclass
class Outcome:
    """What one expression produced: the text to print, or an error; and the exit code."""

    output: str | bytes = ""
    errors: list[str] = field(default_factory=list)
    code: ExitStatus = ExitStatus.OK
    verdict: str | None = None  # check: correct, incorrect or undecided; None when not read


# Options shared by every command that works on expressions: defined once.
ExprArgument = Annotated[
    str,
    typer.Argument(help="The expression, e.g. '1/(1+exp(-(w*x+b)))', or - to read lines."),
]
VarArgument = Annotated[
    str | None, typer.Argument(help="The variable (may be left out when there is only one).")
]
AtOption = Annotated[
    list[str] | None,
    typer.Option("--at", help="Also evaluate at NAME=VALUE[,NAME=VALUE…] (every variable)."),
]
DetailOption = Annotated[
    Detail, typer.Option("--detail", help="brief folds trivial inner derivatives.")
]
FormatOption = Annotated[
    DiffFormat, typer.Option("--format", "-f", help="How to show the derivation.")
]
StandaloneOption = Annotated[
    bool, typer.Option("--standalone", help="LaTeX: a whole document for pdflatex.")
]
LangOption = Annotated[
    Language | None, typer.Option("--lang", help="Language of the words (default: from LANG).")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE (atomically) instead of stdout."),
]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour in the terminal.")]


def _seconds(value: float) -> float:
    if value != value:  # NaN passes any range check
        raise typer.BadParameter("not a number of seconds")
    return value


TimeoutOption = Annotated[
    float,
    typer.Option(
        "--timeout", min=0.1, max=1e6, callback=_seconds, help="Give up after this many seconds."
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        min=1,
        max=1024,
        help="Lines of a batch worked on at once, each in its own process (default: one per"
        " core; 1: one after another).",
    ),
]
InputOption = Annotated[
    InputKind,
    typer.Option("--input", help="Input language (auto: LaTeX when there is a backslash)."),
]
FunctionOption = Annotated[
    list[str] | None,
    typer.Option("--function", help="Declare another unknown function name (repeatable)."),
]
MaxLengthOption = Annotated[int, typer.Option(help="Longest input accepted, in characters.")]
MaxDepthOption = Annotated[int, typer.Option(help="Deepest nesting accepted.")]
MaxDigitsOption = Annotated[
    int, typer.Option(min=1, help="Most digits a power of a number may have (10^100000).")
]
MaxOutputOption = Annotated[
    int, typer.Option(min=1, help="Longest output written, in characters (bytes for png).")
]


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


# Each shared option, declared once: its name, its type and its default, in the order --help
# lists them. A command's parameter annotated Reading or Run stands for its block.
READING_OPTIONS = (
    ("input", InputOption, InputKind.auto),
    ("function", FunctionOption, None),
    ("max_length", MaxLengthOption, 10_000),
    ("max_depth", MaxDepthOption, 2_000),
    ("max_digits", MaxDigitsOption, 3_000),
)
RUN_OPTIONS = (
    ("lang", LangOption, None),
    ("output", OutputOption, None),
    ("no_color", NoColorOption, False),
    ("timeout", TimeoutOption, 60.0),
    ("jobs", JobsOption, None),
    *READING_OPTIONS,
    ("max_output", MaxOutputOption, 100_000_000),
)


def shared_options(command):
    """The command with its Reading or Run parameter spread into the options it stands for, in
    its place (for Typer, which reads a signature), and gathered again into one value when the
    command runs."""
    import inspect
    import typing

    hints = typing.get_type_hints(command, include_extras=True)
    parameters, blocks = [], {}
    for parameter in inspect.signature(command).parameters.values():
        block = {Reading: READING_OPTIONS, Run: RUN_OPTIONS}.get(hints.get(parameter.name))
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
            reading = Reading(**{n: given.pop(n) for n, _, _ in READING_OPTIONS})
            if kind is Reading:
                given[name] = reading
            else:
                rest = {n: given.pop(n) for n, _, _ in RUN_OPTIONS if n in given}
                given[name] = Run(reading=reading, **rest)
        return command(**given)

    spread.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    spread.__annotations__ = {p.name: p.annotation for p in parameters}
    spread.__name__, spread.__doc__ = command.__name__, command.__doc__
    spread.__module__ = command.__module__
    return spread


DependentOption = Annotated[
    str | None,
    typer.Option(
        "--dependent",
        help="An equation's variable that is a function of VAR (default: the other one).",
    ),
]
OrderOption = Annotated[
    int | None,
    typer.Option(
        "--order",
        "-n",
        min=1,
        max=20,
        help="The derivative's order (default 1, or what d²/dx² … or y'' = … says).",
    ),
]
LetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--let", help="Name an intermediate, NAME=EXPR (repeatable): the chain rule by paths."
    ),
]


@app.command("parse")
@shared_options
def parse_command(
    expr: Annotated[
        str, typer.Argument(help="The expression, e.g. '2x^2 + sin x' or '\\frac{1}{x}'.")
    ],
    format: Annotated[  # noqa: A002
        ParseFormat, typer.Option("--format", "-f", help="How to print the parsed expression.")
    ] = ParseFormat.text,
    reading: Reading = Reading(),
) -> None:
    """Read an expression and print what chainrule understood.

    \b
    Examples:
      chainrule parse "2x^2 + sin x"          2*x**2 + sin(x)
      chainrule parse "sin x^2"               sin(x**2)
      chainrule parse "\\frac{1}{1+e^{-x}}"    1/(1 + exp(-x))
      chainrule parse "|x| + ln x" -f json
    """
    from chainrule_cli.api import ChainruleError, parse_expression, run_deep

    def work() -> str:  # where deep input and long numbers can be read and printed
        parsed = parse_expression(expr, **reading.kwargs())
        if format is ParseFormat.json:
            return json.dumps(parsed.to_json(), ensure_ascii=False)
        if format is ParseFormat.latex:
            return parsed.latex
        return parsed.srepr if format is ParseFormat.srepr else parsed.text

    try:
        shown = run_deep(work)
    except ChainruleError as exc:
        raise fail(
            exc, as_json=format is ParseFormat.json, schema="chainrule.parse/1", text=expr
        ) from None
    except Exception as exc:  # noqa: BLE001 - a bug: one line, not a traceback
        complain(f"error: {internal_error(exc)}")
        raise typer.Exit(int(ExitStatus.FAILED)) from None
    typer.echo(shown)


@app.command("diff")
@shared_options
def diff_command(
    ctx: typer.Context,
    expr: ExprArgument,
    var: VarArgument = None,
    order: OrderOption = None,
    at: AtOption = None,
    detail: DetailOption = Detail.full,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
    dependent: DependentOption = None,
    form: Annotated[
        Form,
        typer.Option(
            "--form",
            help="The answer's final form: auto (as a textbook prints it), factored, expanded,"
            " as-derived.",
        ),
    ] = Form.auto,
) -> None:
    """Differentiate EXPR with respect to VAR and show every step.

    \b
    Examples:
      chainrule diff "1/(1+exp(-(w*x+b)))" x
      chainrule diff "d/dx x^2 sin x"
      chainrule diff "f(x) = x^2 sin x" --format latex --standalone -o hw.tex
      chainrule diff "x^2 + y^2 = 25" x --at x=3,y=4
      chainrule diff "tanh(2x)" x --at x=0.5 --format json
      chainrule diff "x^x" --order 2 --detail brief
      printf 'sin x^2\\ncos x^2\\n' | chainrule diff - x --format json
      chainrule diff "u*v" x --let "u=x^2*y" --let "v=sin(x*y)"
    """
    language, color, width = presentation(format.value, standalone, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import differentiate

        derivation = differentiate(
            text, var, order, detail.value, **run.reading.kwargs(), lets=let or (),
            dependent=dependent, form=form.value,
        )  # fmt: skip
        point = derivation.value_at(at) if at else None
        notes = derivation.note_lines(language)
        shown = derivation.render(
            format.value, language, point, text=text, standalone=standalone, section=section,
            color=color, width=width,
        )  # fmt: skip
        return shown, derivation.verified, None, notes

    run_command(ctx, expr, build, DIFF_SCHEMA, format.value, standalone, run, language)


@app.command("grad")
@shared_options
def grad_command(
    ctx: typer.Context,
    expr: ExprArgument,
    vars: Annotated[  # noqa: A002
        list[str] | None,
        typer.Argument(help="The variables (default: every variable of EXPR, by name)."),
    ] = None,
    at: AtOption = None,
    detail: DetailOption = Detail.full,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
) -> None:
    """The gradient of EXPR: every partial derivative with its steps, then the vector.

    \b
    Examples:
      chainrule grad "x^2*y + 3x*y^4"
      chainrule grad "w*x + b" w b --at w=2,x=3,b=1
      chainrule grad "sigmoid(w*x + b)" w b --format latex --standalone -o grad.tex
      chainrule grad "u*v" x y --let "u=x^2*y" --let "v=sin(x*y)"
    """
    language, color, width = presentation(format.value, standalone, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import gradient

        result = gradient(
            text, vars or None, detail.value, **run.reading.kwargs(), lets=let or (),
        )  # fmt: skip
        point = result.value_at(at) if at else None
        shown = result.render(
            format.value, language, point, text=text, standalone=standalone, section=section,
            color=color, width=width,
        )  # fmt: skip
        return shown, result.verified

    run_command(ctx, expr, build, GRADIENT_SCHEMA, format.value, standalone, run, language)


@app.command("jacobian")
@shared_options
def jacobian_command(
    ctx: typer.Context,
    expr: Annotated[
        str,
        typer.Argument(help="The functions, '[f1, f2, …]' (or one), or - to read lines."),
    ],
    vars: Annotated[  # noqa: A002
        list[str] | None,
        typer.Argument(help="The variables (default: every variable, by name)."),
    ] = None,
    at: AtOption = None,
    detail: DetailOption = Detail.full,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
) -> None:
    """The Jacobian matrix of [f1, f2, …]: every entry's steps (--detail full), the matrix, and
    with --let the chain rule J_f(x) = J_f(u) · J_u(x), checked.

    \b
    Examples:
      chainrule jacobian "[r*cos(theta), r*sin(theta)]" r theta
      chainrule jacobian "[u1 + u2, u1*u2, u1]" x y z --let "u1=x*y+z" --let "u2=sin(x)+z"
      chainrule jacobian "[x^2*y, x + y]" --at x=1,y=2 --detail brief --format json
    """
    language, color, width = presentation(format.value, standalone, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import jacobian

        result = jacobian(
            text, vars or None, detail.value, **run.reading.kwargs(), lets=let or (),
        )  # fmt: skip
        point = result.value_at(at) if at else None
        shown = result.render(
            format.value, language, point, text=text, standalone=standalone, section=section,
            color=color, width=width, detail=detail.value,
        )  # fmt: skip
        return shown, result.verified

    run_command(ctx, expr, build, JACOBIAN_SCHEMA, format.value, standalone, run, language)


@app.command("graph")
@shared_options
def graph_command(
    ctx: typer.Context,
    expr: ExprArgument,
    at: AtOption = None,
    wrt: Annotated[
        list[str] | None,
        typer.Option(
            "--wrt", help="The variables whose gradient to compute, VAR[,VAR…] (default: all)."
        ),
    ] = None,
    format: Annotated[  # noqa: A002
        GraphFormat,
        typer.Option("--format", "-f", help="How to show the graph (svg and png need -o)."),
    ] = GraphFormat.terminal,
    standalone: StandaloneOption = False,
    run: Run = Run(),
    name: Annotated[
        str, typer.Option("--name", help="--format python: the name of the function.")
    ] = "f",
) -> None:
    """The computational graph of EXPR: its primitive operations (the forward pass), each
    edge's local derivative, and the backward pass to every input's gradient; with --at, every
    node's value and gradient at the point, in the order backpropagation computes them.

    \b
    Examples:
      chainrule graph "1/(1+exp(-x))"
      chainrule graph "1/(1+exp(-(w0*x0 + w1*x1 + w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3
      chainrule graph "max(x, y) * z" --at x=1,y=2,z=3 --format json
      chainrule graph "tanh(w*x + b)" --format dot -o neuron.dot
      chainrule graph "tanh(w*x + b)" --format svg -o neuron.svg
      chainrule graph "x^2*sin(x)" --format python --name f > f.py
    """
    binary = format in (GraphFormat.svg, GraphFormat.png)
    if expr == "-" and format in (GraphFormat.dot, GraphFormat.python) or expr == "-" and binary:
        complain(f"error: --format {format.value} takes one expression, not lines", run.lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    if format is GraphFormat.png and run.output is None and sys.stdout.isatty():
        complain("error: PNG is binary; write it with -o FILE", run.lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    language, color, width = presentation(format.value, standalone, run)
    wanted = [v.strip() for item in wrt or () for v in item.split(",") if v.strip()]

    def build(text: str, section: bool):
        from chainrule_cli.api import graph

        result = graph(
            text, wanted or None, **run.reading.kwargs(),
        )  # fmt: skip
        point = result.value_at(at) if at else None
        verified = result.verified and (point is None or point.agrees)
        shown = result.render(
            format.value, language, point, text=text, standalone=standalone, section=section,
            color=color, width=width, name=name, timeout=run.timeout,
        )  # fmt: skip
        return shown, verified

    run_command(ctx, expr, build, GRAPH_SCHEMA, format.value, standalone, run, language)


@app.command("check")
@shared_options
def check_command(
    ctx: typer.Context,
    expr: Annotated[
        str,
        typer.Argument(
            help="The function, e.g. 'sin(x^2)', or - to read EXPR<TAB>VAR<TAB>ANSWER lines."
        ),
    ],
    var: Annotated[str | None, typer.Argument(help="The variable.")] = None,
    answer: Annotated[str | None, typer.Argument(help="The derivative to check.")] = None,
    order: OrderOption = None,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: Annotated[
        list[str] | None,
        typer.Option("--let", help="A name the answer may use, NAME=EXPR (repeatable)."),
    ] = None,
    dependent: DependentOption = None,
) -> None:
    """Is ANSWER the derivative of EXPR with respect to VAR? Exit 0 if correct, 1 if it is not
    (with a point where they differ, the likely mistake and the correct derivation) or if it
    cannot be decided.

    \b
    Examples:
      chainrule check "ln(cos(x))" x "-tan(x)"
      chainrule check "sin(x^2)" x "cos(x^2)"
      chainrule check "1/(1+exp(-(w*x+b)))" x "w*y*(1-y)" --let "y=1/(1+exp(-(w*x+b)))"
      chainrule check "x^4" x "12x^2" --order 2
      chainrule check "x^2 + y^2 = 25" x "y' = -x/y"
      chainrule check - --format json < sheet.tsv     (EXPR<TAB>VAR<TAB>ANSWER per line)
    """
    language, color, width = presentation(format.value, standalone, run)
    if expr == "-" and (var is not None or answer is not None):
        complain(
            "error: with - each line gives EXPR<TAB>VAR<TAB>ANSWER; no more arguments", run.lang
        )
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    if expr != "-" and var is not None and answer is None and not var.isidentifier():
        var, answer = None, var  # EXPR ANSWER (3x^2): the variable is the only one, as in diff
    if expr != "-" and answer is None:
        typer.echo(ctx.get_help(), err=True)
        complain("error: give EXPR, VAR and ANSWER (or - to read lines)", run.lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))

    def build(text: str, section: bool):
        from chainrule_cli.api import ParseError, check

        if expr == "-":
            fields = text.split("\t")
            if len(fields) < 3 or not all(f.strip() for f in fields[:3]):
                raise ParseError("a line must be EXPR<TAB>VAR<TAB>ANSWER", text=text)
            function_text, variable, given = fields[:3]  # more columns: the teacher's notes
        else:
            function_text, variable, given = text, var, answer
        result = check(
            function_text, variable, given, order, lets=let or (), **run.reading.kwargs(),
            dependent=dependent,
        )  # fmt: skip
        shown = result.render(
            format.value, language,
            text=text if expr == "-" else f"{function_text}\t{variable}\t{given}",
            standalone=standalone, section=section, color=color, width=width,
        )  # fmt: skip
        return shown, result.expected.verified, result.verdict

    run_command(ctx, expr, build, CHECK_SCHEMA, format.value, standalone, run, language,
                summary=True, comments=True)  # fmt: skip


@app.command("tangent")
@shared_options
def tangent_command(
    ctx: typer.Context,
    expr: ExprArgument,
    var: VarArgument = None,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="The point, NAME=VALUE[,NAME=VALUE…] (x=3,y=4 on a curve)."),
    ] = None,
    detail: DetailOption = Detail.full,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    dependent: DependentOption = None,
) -> None:
    """The tangent and the normal line to y = EXPR (or to an equation's curve) at a point, with
    the derivation of the slope.

    \b
    Examples:
      chainrule tangent "x^3 - 3x" --at x=2
      chainrule tangent "x^2 + y^2 = 25" --at x=3,y=4
      chainrule tangent "sqrt(x)" --at x=4 --format latex --standalone -o tangent.tex
    """
    language, color, width = presentation(format.value, standalone, run)
    if not at:
        complain(
            "error: a tangent needs its point: --at x=VALUE (and y=VALUE on a curve)", run.lang
        )
        raise typer.Exit(int(ExitStatus.BAD_INPUT))

    def build(text: str, section: bool):
        from chainrule_cli.api import tangent

        result = tangent(
            text, var, at, detail.value, **run.reading.kwargs(), dependent=dependent,
        )  # fmt: skip
        shown = result.render(
            format.value, language, text=text, standalone=standalone, section=section,
            color=color, width=width,
        )  # fmt: skip
        return shown, result.derivation.verified

    run_command(ctx, expr, build, TANGENT_SCHEMA, format.value, standalone, run, language)


@app.command("plot")
def plot_command(
    ctx: typer.Context,
    expr: Annotated[
        str,
        typer.Argument(help="The function, e.g. 'x^3 - 3x', or a curve, 'x^2 + y^2 = 25'."),
    ],
    var: VarArgument = None,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at",
            help="Draw the tangent at VAR=VALUE (x=3,y=4 on a curve); other variables' values"
            " too (w=2).",
        ),
    ] = None,
    x_range: Annotated[
        str | None,
        typer.Option("--range", help="The x-axis, A:B (e.g. -pi:pi; default: where it happens)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The file to write: .svg, .png or .pdf (required)."),
    ] = None,
    lang: LangOption = None,
    timeout: TimeoutOption = 60.0,
    input: InputOption = InputKind.auto,  # noqa: A002
    function: FunctionOption = None,
    dependent: DependentOption = None,
    max_length: MaxLengthOption = 10_000,
    max_depth: MaxDepthOption = 2_000,
    max_digits: MaxDigitsOption = 3_000,
) -> None:
    """Draw EXPR and its derivative on one figure (with --at, the tangent line there), or an
    equation's curve, as SVG, PNG or PDF by the extension of -o FILE. Needs matplotlib:
    pip install "chainrule[plot]".

    \b
    Examples:
      chainrule plot "x^3 - 3x" --at x=2 -o plot.png
      chainrule plot "tan x" -o tan.svg
      chainrule plot "sin(x)/x" --range -20:20 -o sinc.pdf
      chainrule plot "x^2 + y^2 = 25" x --at x=3,y=4 -o circle.png
    """
    if output is None:
        complain("error: plot writes a file: give -o FILE ending in .svg, .png or .pdf", lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        complain(f"error: cannot tell the format of {output}: end it in .svg, .png or .pdf", lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    if expr == "-":
        complain("error: plot draws one expression, not lines", lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
    try:
        import matplotlib  # noqa: F401 - the optional extra: is it installed?
    except ImportError:
        complain('error: plotting needs matplotlib: pip install "chainrule[plot]"', lang)
        raise typer.Exit(int(ExitStatus.FAILED)) from None
    reading = Reading(input, function, max_length, max_depth, max_digits)
    plotting = Run(
        lang=lang, output=output, no_color=True, timeout=timeout, jobs=1, reading=reading
    )
    language, _, _ = presentation(fmt, False, plotting)

    def build(text: str, section: bool):
        from chainrule_cli.api import plot

        picture, verified, notes = plot(
            text, var, at or (), x_range, fmt, language, **reading.kwargs(), dependent=dependent,
        )  # fmt: skip
        return picture, verified, None, notes

    run_command(ctx, expr, build, "chainrule.plot/1", fmt, False, plotting, language)


def presentation(fmt: str, standalone: bool, run: Run):
    """The language, whether to colour, and the width: from the options and the environment."""
    from chainrule_cli import language_from_environment

    lang = run.lang
    if standalone and fmt not in ("latex", "html"):  # an html page is always whole
        complain("error: --standalone makes a LaTeX document; add --format latex", lang)
        raise typer.Exit(int(ExitStatus.BAD_INPUT))
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


def run_command(ctx, expr: str, build, schema: str, fmt: str, standalone: bool, run: Run,
                language: str, summary: bool = False, comments: bool = False) -> None:  # fmt: skip
    """The shared shape of diff and grad: one expression or a batch from stdin, each worked
    out by `build(text, section)` in a deep thread with a deadline, errors as lines (and JSON
    objects), output to stdout or atomically to a file, then the exit code."""
    output = run.output
    as_json = fmt == "json"
    if expr == "-":
        if sys.stdin.isatty():
            typer.echo(ctx.get_help(), err=True)
            complain("error: EXPR is - but standard input is a terminal; pipe lines in.", language)
            raise typer.Exit(int(ExitStatus.BAD_INPUT))
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
    section = fmt == "latex" and standalone and batch
    pages = fmt == "html" and batch  # one page holds them all
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
        typer.echo(tally(outcomes, language), err=True)
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
    if output is not None and (batch or body):
        try:
            write_atomically(output, content)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            complain(f"error: cannot write {output}: {reason}", language)
            raise typer.Exit(int(ExitStatus.BAD_INPUT)) from None
    raise typer.Exit(int(code))


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
        obj = error_json(schema, text, kind, message, column)
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


def error_json(schema: str, text: str, kind: str, message: str, column: int | None) -> dict:
    """The `ok: false` object of docs/architecture.md §3."""
    error = {"kind": kind, "message": message, "column": column}
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


def only_the_command_run(args: list[str]) -> typer.Typer:
    """The app with just the command named first in args, when there is one: Typer reads the
    signature of every command it builds (a fifth of a run's own start-up time for six of
    them). Anything else (`--help`, no command, a misspelt one) gets the whole app."""
    chosen = [c for c in app.registered_commands if args and c.name == args[0]]
    if not chosen:
        return app
    single = copy.copy(app)
    single.registered_commands = chosen
    return single


def main() -> None:
    """Entry point of the `chainrule` command."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        args = text_arguments(sys.argv[1:])
        command = typer.main.get_command(only_the_command_run(args))
        command(args=expressions_not_options(args, command), prog_name="chainrule")
    except KeyboardInterrupt:
        from chainrule_cli import in_language, language_from_environment

        sys.stderr.write(in_language("interrupted", language_from_environment(os.environ)) + "\n")
        sys.exit(130)


def run() -> None:
    """The `chainrule` program: main(), then the process ends at once, without the
    interpreter's teardown (freeing SymPy's hundreds of thousands of objects one by one takes
    a sixth of a short run). Everything a run leaves is settled before: its output is written
    and flushed here, an -o file is in place, batch workers are killed and waited for; a work
    thread still running after a --timeout ends with the process."""
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
