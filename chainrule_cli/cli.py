"""The command line: options, exit codes, errors as one line. The only module importing typer."""

from __future__ import annotations

import json
import sys
from enum import IntEnum, StrEnum
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


class ParseFormat(StrEnum):
    text = "text"
    json = "json"
    latex = "latex"
    srepr = "srepr"


app = typer.Typer(
    name="chainrule",
    help="Differentiate expressions symbolically and show every step of the chain rule.",
    no_args_is_help=True,
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
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Differentiate expressions symbolically and show every step of the chain rule."""


def error_lines(exc: Exception) -> list[str]:
    """`error: column 7: unexpected ')'`, then the input and a caret under the column."""
    lines = [f"error: {exc}"]
    text = getattr(exc, "text", None)
    column = getattr(exc, "column", None)
    if text is not None and column is not None and "\n" not in text and len(text) <= 200:
        lines.append(f"  {text}")
        lines.append("  " + " " * (column - 1) + "^")
    return lines


def fail(exc: Exception, *, as_json: bool, schema: str, text: str) -> typer.Exit:
    """Report a library error: JSON on stdout when asked for, one line on stderr, exit code."""
    from chainrule_cli.errors import ChainruleError

    kind = exc.kind if isinstance(exc, ChainruleError) else "error"
    if as_json:
        payload = {
            "schema": schema,
            "ok": False,
            "input": text,
            "error": {
                "kind": kind,
                "message": getattr(exc, "message", str(exc)),
                "column": getattr(exc, "column", None),
            },
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
    for line in error_lines(exc):
        typer.echo(line, err=True)
    code = ExitStatus.FAILED if kind in ("limit", "timeout") else ExitStatus.BAD_INPUT
    return typer.Exit(int(code))


@app.command("parse")
def parse_command(
    expr: Annotated[
        str, typer.Argument(help="The expression, e.g. '2x^2 + sin x' or '\\frac{1}{x}'.")
    ],
    format: Annotated[  # noqa: A002
        ParseFormat, typer.Option("--format", "-f", help="How to print the parsed expression.")
    ] = ParseFormat.text,
    input: Annotated[  # noqa: A002
        InputKind,
        typer.Option("--input", help="Input language (auto: LaTeX when there is a backslash)."),
    ] = InputKind.auto,
    function: Annotated[
        list[str] | None,
        typer.Option("--function", help="Declare another unknown function name (repeatable)."),
    ] = None,
    max_length: Annotated[
        int, typer.Option(help="Longest input accepted, in characters.")
    ] = 10_000,
    max_depth: Annotated[int, typer.Option(help="Deepest nesting accepted.")] = 2_000,
) -> None:
    """Read an expression and print what chainrule understood.

    \b
    Examples:
      chainrule parse "2x^2 + sin x"          2*x**2 + sin(x)
      chainrule parse "sin x^2"               sin(x**2)
      chainrule parse "\\frac{1}{1+e^{-x}}"    1/(1 + exp(-x))
      chainrule parse "|x| + ln x" -f json
    """
    from chainrule_cli.api import parse_expression
    from chainrule_cli.errors import ChainruleError

    try:
        parsed = parse_expression(
            expr,
            input=input.value,
            functions=function or (),
            max_length=max_length,
            max_depth=max_depth,
        )
    except ChainruleError as exc:
        raise fail(
            exc, as_json=format is ParseFormat.json, schema="chainrule.parse/1", text=expr
        ) from None
    if format is ParseFormat.json:
        typer.echo(json.dumps(parsed.to_json(), ensure_ascii=False))
    elif format is ParseFormat.latex:
        typer.echo(parsed.latex)
    elif format is ParseFormat.srepr:
        typer.echo(parsed.srepr)
    else:
        typer.echo(str(parsed.expr))


def main() -> None:
    """Entry point of the `chainrule` command."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
