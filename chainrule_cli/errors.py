"""The exception types the core raises; the CLI turns each into one line and an exit code."""

from __future__ import annotations


class ChainruleError(Exception):
    """Base class: every error a user can cause. `kind` is the JSON `error.kind`."""

    kind = "error"

    def __init__(
        self, message: str, *, column: int | None = None, text: str | None = None,
        line: int | None = None,
    ):  # fmt: skip
        super().__init__(message)
        self.message = message
        self.column = column
        self.text = text
        self.line = line  # a line of a file (check --steps), where the error is in one

    def __str__(self) -> str:
        said = f"column {self.column}: {self.message}" if self.column is not None else self.message
        return f"line {self.line}: {said}" if self.line is not None else said


class ParseError(ChainruleError):
    """The input text is not an expression; `column` is 1-based."""

    kind = "parse"


class LimitError(ChainruleError):
    """The input is larger or deeper than the configured limits allow."""

    kind = "limit"


class UnsupportedError(ChainruleError):
    """The input is well formed but asks for something chainrule cannot do."""

    kind = "unsupported"


class UndefinedError(ChainruleError):
    """The function has no (finite, real) value at the point asked for."""

    kind = "domain"
