"""The command line: options, exit codes, errors as one line. The only module importing typer."""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from chainrule_cli import __version__
from chainrule_cli.running import (  # noqa: F401 - expressions_not_options: the tests use it
    CHECK_SCHEMA,
    DIFF_SCHEMA,
    GRADIENT_SCHEMA,
    GRAPH_SCHEMA,
    HINT_SCHEMA,
    JACOBIAN_SCHEMA,
    STEPS_SCHEMA,
    TANGENT_SCHEMA,
    Detail,
    DiffFormat,
    ExitStatus,
    Form,
    GraphFormat,
    HintFormat,
    HintRule,
    InputKind,
    Language,
    ParseFormat,
    PracticeFormat,
    PracticeKey,
    PracticeLevel,
    PracticeTopic,
    Reading,
    Run,
    complain,
    end_at_once,
    error_json,
    error_lines,
    expressions_not_options,
    internal_error,
    key_value,
    presentation,
    refuse,
    run_lines,
    text_arguments,
    written,
)
from chainrule_cli.running import _terminate as _terminate
from chainrule_cli.running import shared_options as _spread

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
        refuse(f"\nerror: no command given (one of: {names})")


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
    Detail,
    typer.Option(
        "--detail",
        help="normal folds d/dx(1) = 0 and d/dx(x) = 1 into the line that uses them; full shows"
        " every step; brief also folds inner derivatives that need no working.",
    ),
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


TimeoutOption = Annotated[float, typer.Option(
    "--timeout", min=0.1, max=1e6, callback=_seconds,
    help="Give up after this many seconds.")]  # fmt: skip
JobsOption = Annotated[int | None, typer.Option(
    "--jobs", min=1, max=1024, help="Lines of a batch worked on at once, each in its own process"
    " (default: one per core; 1: one after another).")]  # fmt: skip
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
    """The command with its Reading or Run parameter spread into the options it stands for."""
    return _spread(command, READING_OPTIONS, RUN_OPTIONS)


DependentOption = Annotated[str | None, typer.Option(
    "--dependent", help="An equation's variable that is a function of VAR (default: the other"
    " one).")]  # fmt: skip
OrderOption = Annotated[int | None, typer.Option(
    "--order", "-n", min=1, max=20,
    help="The derivative's order (default 1, or what d²/dx² … or y'' = … says).")]  # fmt: skip
LetOption = Annotated[list[str] | None, typer.Option(
    "--let",
    help="Name an intermediate, NAME=EXPR (repeatable): the chain rule by paths.")]  # fmt: skip
ShapeOption = Annotated[list[str] | None, typer.Option(
    "--shape",
    help="Make NAME a vector or matrix, NAME=SIZE (repeatable): n a column vector, mxn a matrix,"
    " 1xn a row; sizes are numbers or letters. The chain rule in matrix form.")]  # fmt: skip


@app.command("parse")
@shared_options
def parse_command(
    ctx: typer.Context,
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

    def build(text: str, section: bool):
        from chainrule_cli.api import parse_expression

        parsed = parse_expression(text, **reading.kwargs())
        if format is ParseFormat.json:
            return json.dumps(parsed.to_json(), ensure_ascii=False) + "\n", True
        shown = {ParseFormat.latex: parsed.latex, ParseFormat.srepr: parsed.srepr}
        end = "" if expr == "-" else "\n"  # a batch ends each line itself
        return shown.get(format, parsed.text) + end, True

    run_command(ctx, expr, build, "chainrule.parse/1", format.value, False, Run(reading=reading),
                None)  # fmt: skip


@app.command("diff")
@shared_options
def diff_command(
    ctx: typer.Context,
    expr: ExprArgument,
    var: VarArgument = None,
    order: OrderOption = None,
    at: AtOption = None,
    detail: DetailOption = Detail.normal,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
    shape: ShapeOption = None,
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
      chainrule diff "norm(sigmoid(W*x + b) - t)^2" W --shape W=3x2 --shape x=2 --shape b=3 \\
        --shape t=3
      chainrule diff "x^T*A*x" x --shape x=n --shape A=nxn
    """
    language, color, width = presentation(format.value, standalone, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import differentiate

        derivation = differentiate(
            text, var, order, detail.value, **run.reading.kwargs(), lets=let or (),
            dependent=dependent, form=form.value, shapes=shape or (),
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
    detail: DetailOption = Detail.normal,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
    shape: ShapeOption = None,
) -> None:
    """The gradient of EXPR: every partial derivative with its steps, then the vector.

    \b
    Examples:
      chainrule grad "x^2*y + 3x*y^4"
      chainrule grad "w*x + b" w b --at w=2,x=3,b=1
      chainrule grad "sigmoid(w*x + b)" w b --format latex --standalone -o grad.tex
      chainrule grad "u*v" x y --let "u=x^2*y" --let "v=sin(x*y)"
      chainrule grad "norm(W*x - y)^2" --shape W=mxn --shape x=n --shape y=m
    """
    language, color, width = presentation(format.value, standalone, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import gradient

        result = gradient(
            text, vars or None, detail.value, **run.reading.kwargs(), lets=let or (),
            shapes=shape or (),
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
    detail: DetailOption = Detail.normal,
    format: FormatOption = DiffFormat.terminal,  # noqa: A002
    standalone: StandaloneOption = False,
    run: Run = Run(),
    let: LetOption = None,
    shape: ShapeOption = None,
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
            shapes=shape or (),
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
        str, typer.Option("--name", help="--format python, numpy, jax: the function's name.")
    ] = "f",
    shape: ShapeOption = None,
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
      chainrule graph "norm(sigmoid(W*x + b) - t)^2" --shape W=3x2 --shape x=2 --shape b=3 \\
        --shape t=3 --format numpy --name layer > layer.py
    """
    binary = format in (GraphFormat.svg, GraphFormat.png)
    if expr == "-" and format in (GraphFormat.dot, GraphFormat.python) or expr == "-" and binary:
        refuse(f"error: --format {format.value} takes one expression, not lines", run.lang)
    if format is GraphFormat.png and run.output is None and sys.stdout.isatty():
        refuse("error: PNG is binary; write it with -o FILE", run.lang)
    if format in (GraphFormat.numpy, GraphFormat.jax) and not shape:
        refuse(f"error: --format {format.value} is for layers: give the arrays' shapes with"
               " --shape (e.g. --shape W=3x2 --shape x=2); --format python is for scalars",
               run.lang)  # fmt: skip
    if format is GraphFormat.python and shape:
        refuse("error: --format python is for scalars; with --shape, use --format numpy or"
               " --format jax", run.lang)  # fmt: skip
    language, color, width = presentation(format.value, standalone, run)
    wanted = [v.strip() for item in wrt or () for v in item.split(",") if v.strip()]

    def build(text: str, section: bool):
        from chainrule_cli.api import graph

        result = graph(
            text, wanted or None, **run.reading.kwargs(), shapes=shape or (),
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
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            metavar="FILE",
            help="A worked solution to check line by line, one step a line (- for standard"
            " input); (EXPR)' and d/dx(EXPR) are derivatives not yet taken.",
        ),
    ] = None,
) -> None:
    """Is ANSWER the derivative of EXPR with respect to VAR? Exit 0 if correct, 1 if it is not
    (with a point where they differ, the likely mistake and the correct derivation) or if it
    cannot be decided. With --steps, a student's working is checked line by line: the first
    wrong line is named, with a point where it fails and the likely mistake.

    \b
    Examples:
      chainrule check "ln(cos(x))" x "-tan(x)"
      chainrule check "sin(x^2)" x "cos(x^2)"
      chainrule check "1/(1+exp(-(w*x+b)))" x "w*y*(1-y)" --let "y=1/(1+exp(-(w*x+b)))"
      chainrule check "x^4" x "12x^2" --order 2
      chainrule check "x^2 + y^2 = 25" x "y' = -x/y"
      chainrule check - --format json < sheet.tsv     (EXPR<TAB>VAR<TAB>ANSWER per line)
      chainrule check "x^2 sin x" x --steps working.txt
      chainrule check "x^2 sin x" x --steps - < working.txt
    """
    language, color, width = presentation(format.value, standalone, run)
    if steps is not None:
        check_working_command(ctx, expr, var, answer, steps, format, run, language, color, width,
                              order)  # fmt: skip
        return
    if expr == "-" and (var is not None or answer is not None):
        refuse("error: with - each line gives EXPR<TAB>VAR<TAB>ANSWER; no more arguments", run.lang)
    if expr != "-" and var is not None and answer is None and not var.isidentifier():
        var, answer = None, var  # EXPR ANSWER (3x^2): the variable is the only one, as in diff
    if expr != "-" and answer is None:
        typer.echo(ctx.get_help(), err=True)
        refuse("error: give EXPR, VAR and ANSWER (or - to read lines)", run.lang)

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


def check_working_command(ctx, expr, var, answer, steps, format, run, language, color, width,  # noqa: A002
                          order):  # fmt: skip
    """check EXPR VAR --steps FILE: a worked solution, line by line."""
    if expr == "-" or answer is not None:
        refuse("error: with --steps give EXPR and VAR; the working comes from FILE", run.lang)
    if format.value not in ("terminal", "text", "markdown", "json"):
        refuse(f"error: --steps has no {format.value} format", run.lang)
    if steps == "-":
        if sys.stdin.isatty():
            refuse("error: --steps is - but standard input is a terminal; pipe the working in",
                   run.lang)  # fmt: skip
        working = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    else:
        try:
            with open(steps, "rb") as handle:
                working = handle.read().decode("utf-8", errors="replace")
        except OSError as exc:
            refuse(f"error: cannot read {steps}: {exc.strerror or type(exc).__name__}", run.lang)

    def build(text: str, section: bool):
        from chainrule_cli.api import check_steps

        found = check_steps(text, var, working, **run.reading.kwargs(), order=order)
        shown = found.render(format.value, language, text=text, color=color, width=width)
        undecided = any(line.verdict == "undecided" for line in found.lines)
        verdict = "correct" if found.correct else (
            "undecided" if undecided and found.first_wrong is None else "incorrect")  # fmt: skip
        return shown, True, verdict

    run_command(ctx, expr, build, STEPS_SCHEMA, format.value, False, run, language)


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
    detail: DetailOption = Detail.normal,
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
        refuse("error: a tangent needs its point: --at x=VALUE (and y=VALUE on a curve)", run.lang)

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


@app.command("hint")
@shared_options
def hint_command(
    ctx: typer.Context,
    expr: ExprArgument,
    var: VarArgument = None,
    level: Annotated[
        int,
        typer.Option(
            "--level",
            min=1,
            max=3,
            help="1: the rule and where it applies; 2: its parts and formula; 3: the"
            " rule applied, its derivatives still to take.",
        ),
    ] = 1,  # fmt: skip
    rule: Annotated[
        HintRule | None,
        typer.Option("--rule", help="Apply this rule (or say why it does not apply)."),
    ] = None,
    format: Annotated[  # noqa: A002
        HintFormat, typer.Option("--format", "-f", help="How to show the hint.")
    ] = HintFormat.terminal,
    run: Run = Run(),
    dependent: DependentOption = None,
) -> None:
    """The next rule to apply, and where, without the answer: a tutor's hint.

    \b
    Examples:
      chainrule hint "x^2 sin x"
      chainrule hint "(3x^2+1)^5" --level 2
      chainrule hint "(x^2+1)/(x-1)" --level 3
      chainrule hint "x^2 sin x" --rule quotient
      chainrule hint "sin(x^2)" --level 3 --format json
    """
    language, color, width = presentation(format.value, False, run)

    def build(text: str, section: bool):
        from chainrule_cli.api import hint

        found = hint(
            text, var, level, rule.value if rule else None, **run.reading.kwargs(),
            dependent=dependent,
        )  # fmt: skip
        shown = found.render(format.value, language, text=text, color=color, width=width)
        return shown, found.verified

    run_command(ctx, expr, build, HINT_SCHEMA, format.value, False, run, language)


@app.command("practice")
def practice_command(
    topic: Annotated[
        PracticeTopic,
        typer.Option(
            "--topic",
            help="What to practise: power, product, quotient, chain, exp-log,"
            " trig, inverse-trig, implicit, logarithmic or mixed.",
        ),
    ] = PracticeTopic.mixed,  # fmt: skip
    count: Annotated[int, typer.Option("--count", min=1, max=100, help="How many problems.")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same problems.")] = 1,
    level: Annotated[
        PracticeLevel, typer.Option("--level", help="easy, medium or hard.")
    ] = PracticeLevel.medium,
    key: Annotated[
        PracticeKey | None,
        typer.Option(
            "--key",
            help="Add the answers (--key), or the derivations too (--key full).",
            show_default=False,
        ),
    ] = None,  # fmt: skip
    format: Annotated[  # noqa: A002
        PracticeFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="How to write the sheet (default: a round in a terminal, else text).",
        ),
    ] = None,  # fmt: skip
    standalone: StandaloneOption = False,
    lang: LangOption = None,
    output: OutputOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Problems to practise on, each with a verified derivation. In a terminal it is a round:
    one problem at a time, your answer graded (with the likely mistake), ? for a hint, s for
    the derivation, q to stop, and the score at the end. Otherwise (or with --format) it writes
    the sheet: text, markdown, json, latex (--standalone: a worksheet to print), html (answers and
    derivations folded) or tsv (the key, for check -).

    \b
    Examples:
      chainrule practice --topic chain --count 5 --seed 7
      chainrule practice --topic product --level easy --format text --key
      chainrule practice --topic quotient --format latex --standalone -o sheet.tex
      chainrule practice --topic quotient --format latex --standalone --key full -o key.tex
      chainrule practice --topic mixed --format html -o practice.html
      chainrule practice --topic trig --format tsv > key.tsv; chainrule check - < key.tsv
    """
    from chainrule_cli.api import ChainruleError, practice

    run = Run(lang=lang, output=output, no_color=no_color)
    fmt = format.value if format is not None else "terminal"
    language, _, _ = presentation(fmt, standalone, run)
    interactive = (format is None and output is None and sys.stdin.isatty()
                   and sys.stdout.isatty())  # fmt: skip
    try:
        sheet = practice(topic.value, count, seed, level.value, key.value if key else None)
    except ChainruleError as exc:
        refuse(f"error: {exc}", run.lang)
    if interactive:
        from chainrule_cli.tutor import play

        def ask(prompt: str) -> str:
            return input(prompt)

        play(sheet, language, ask, lambda text: print(text, flush=True))
        raise typer.Exit(0)
    shown = sheet.render("text" if fmt == "terminal" else fmt, language, standalone=standalone)
    if output is None:
        sys.stdout.write(shown)
    elif not written(output, shown, run.lang):
        raise SystemExit(2)


@app.command("plot")
@shared_options
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
    dependent: DependentOption = None,
    reading: Reading = Reading(),
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
        refuse("error: plot writes a file: give -o FILE ending in .svg, .png or .pdf", lang)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        refuse(f"error: cannot tell the format of {output}: end it in .svg, .png or .pdf", lang)
    if expr == "-":
        refuse("error: plot draws one expression, not lines", lang)
    try:
        import matplotlib  # noqa: F401 - the optional extra: is it installed?
    except ImportError:
        refuse(
            'error: plotting needs matplotlib: pip install "chainrule[plot]"',
            lang,
            code=ExitStatus.FAILED,
        )
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


def run_command(ctx, expr: str, build, schema: str, fmt: str, standalone: bool, run: Run,
                language: str, summary: bool = False, comments: bool = False) -> None:  # fmt: skip
    """Every command's run (chainrule_cli/running.py), then its exit code."""
    show_help = lambda: typer.echo(ctx.get_help(), err=True)  # noqa: E731
    raise typer.Exit(
        int(
            run_lines(
                expr, build, schema, fmt, standalone, run, language, show_help, summary, comments
            )
        )  # fmt: skip
    )


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
        args = key_value(text_arguments(sys.argv[1:]))
        command = typer.main.get_command(only_the_command_run(args))
        command(args=expressions_not_options(args, command), prog_name="chainrule")
    except KeyboardInterrupt:
        from chainrule_cli import in_language, language_from_environment

        sys.stderr.write(in_language("interrupted", language_from_environment(os.environ)) + "\n")
        sys.exit(130)


def run() -> None:
    """The `chainrule` program: main(), then the process ends at once (running.end_at_once)."""
    end_at_once(main)
