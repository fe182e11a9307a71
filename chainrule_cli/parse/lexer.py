"""Text -> tokens, for the plain input language and for LaTeX; every token knows its column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainrule_cli.errors import ParseError
from chainrule_cli.parse.names import GREEK, GREEK_UPPER, UNICODE_GREEK

# Token kinds
NUM, NAME, OP, SUP, END = "number", "name", "op", "superscript", "end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str
    col: int  # 1-based column of the token's first character in the original text

    def describe(self) -> str:
        if self.kind == END:
            return "end of input"
        return repr(self.value)


_LATEX_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
# 1e-3 after an integer: scientific notation to most readers, 1·e − 3 to the grammar
_EXPONENT_TAIL = re.compile(r"[eE][+-]?[0-9]+")
_NUMBER = re.compile(r"[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_LATEX_BRACED_WORD = re.compile(r"\s*\{\s*([A-Za-z]+)\s*\}")
_LATEX_SUBSCRIPTED = re.compile(r"([A-Za-z])_(?:\{([A-Za-z0-9]+)\}|([A-Za-z0-9]))")
_GREEK_COMMANDS = frozenset(GREEK) | frozenset(GREEK_UPPER)
_LATEX_CALLABLE_GREEK = {"sigma": "sigmoid", "Gamma": "gamma"}
_LATEX_CALL = re.compile(r"\s*(?:\\left\s*)?\(")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "⁺": "+",
}
_UNICODE_OPS = {
    "·": "*",
    "⋅": "*",
    "×": "*",
    "∗": "*",
    "÷": "/",
    "−": "-",
    "–": "-",
    "√": "sqrt",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
}
_UNICODE_NAMES = {"π": "pi", "∞": "oo", "ℯ": "e", **UNICODE_GREEK}
_TWO_CHAR_OPS = {"**": "^", "<=": "<=", ">=": ">=", "==": "==", "!=": "!="}
_ONE_CHAR_OPS = set("+-*/^()[]{},|!<>&=")


def unexpected_character(ch: str) -> str:
    if ch == "\ufffd":  # what bytes that are not UTF-8 became (on the command line and stdin)
        return "unexpected character '\ufffd' (the input has bytes that are not UTF-8 text)"
    return f"unexpected character {ch!r}"


def tokenize(text: str) -> list[Token]:
    """Split plain input (`2x^2 + sin x`) into tokens."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m is not None:
            tail = _EXPONENT_TAIL.match(text, m.end())
            if tail is not None and m.group().isdigit():
                written, fixed = m.group() + tail.group(), m.group() + ".0" + tail.group()
                raise ParseError(
                    f"'{written}' would read as a product with e; write {fixed}",
                    column=col,
                    text=text,
                )
            tokens.append(Token(NUM, m.group(), col))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m is not None:
            tokens.append(Token(NAME, m.group(), col))
            i = m.end()
            continue
        if ch in _UNICODE_NAMES:
            tokens.append(Token(NAME, _UNICODE_NAMES[ch], col))
            i += 1
            continue
        if ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            digits = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
            if not re.fullmatch(r"[+-]?\d+", digits):
                raise ParseError(f"malformed superscript {text[i:j]!r}", column=col, text=text)
            tokens.append(Token(SUP, digits, col))
            i = j
            continue
        two = text[i : i + 2]
        if two in _TWO_CHAR_OPS:
            tokens.append(Token(OP, _TWO_CHAR_OPS[two], col))
            i += 2
            continue
        if ch in _ONE_CHAR_OPS:
            tokens.append(Token(OP, ch, col))
            i += 1
            continue
        if ch in _UNICODE_OPS:
            tokens.append(Token(OP, _UNICODE_OPS[ch], col))
            i += 1
            continue
        raise ParseError(unexpected_character(ch), column=col, text=text)
    tokens.append(Token(END, "", n + 1))
    return tokens


# LaTeX commands that are plain operators or names in the input language.
_LATEX_OPS = {
    "cdot": "*",
    "times": "*",
    "ast": "*",
    "div": "/",
    "le": "<=",
    "leq": "<=",
    "ge": ">=",
    "geq": ">=",
    "ne": "!=",
    "neq": "!=",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "lbrace": "{",
    "rbrace": "}",
}
_LATEX_NAMES = {
    "pi": "pi",
    "infty": "oo",
    "e": "e",
    "varepsilon": "epsilon",
    "vartheta": "theta",
    "varphi": "phi",
}
_LATEX_FUNCTIONS = {
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "arcsin",
    "arccos",
    "arctan",
    "arccot",
    "arcsec",
    "arccsc",
    "sinh",
    "cosh",
    "tanh",
    "coth",
    "sech",
    "csch",
    "exp",
    "ln",
    "log",
    "lg",
    "max",
    "min",
    "sgn",
    "erf",
}
_LATEX_SKIP = {
    ",",
    ";",
    ":",
    "!",
    " ",
    "quad",
    "qquad",
    "left",
    "right",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "displaystyle",
    "limits",
    "mathrm",
    "operatorname",
    "mathit",
    "text",
}
_LATEX_STRUCTURES = {"frac": "frac", "dfrac": "frac", "tfrac": "frac", "sqrt": "sqrt"}


def tokenize_latex(text: str) -> list[Token]:
    """Split LaTeX math (`\\frac{1}{1+e^{-x}}`) into the same tokens as plain input.

    Letters stand alone (`wx` is w·x, as in LaTeX), `{…}` group like parentheses, `e` is Euler's
    number, and commands become names or operators.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace() or ch in "$&":
            i += 1
            continue
        if ch == "\\":
            m = _LATEX_COMMAND.match(text, i)
            if m is None:
                raise ParseError("a backslash must start a command", column=col, text=text)
            cmd = m.group(1)
            i = m.end()
            if cmd in ("mathrm", "operatorname", "text", "mathit"):
                # \operatorname{sigmoid}: the braced word is one name
                m2 = _LATEX_BRACED_WORD.match(text, i)
                if m2 is None:
                    raise ParseError(f"expected {{name}} after \\{cmd}", column=col, text=text)
                tokens.append(Token(NAME, m2.group(1), col))
                i = m2.end()
            elif cmd in _LATEX_SKIP:
                continue
            elif cmd in ("{", "}"):
                tokens.append(Token(OP, cmd, col))
            elif cmd == "|":
                tokens.append(Token(OP, "|", col))
            elif cmd in _LATEX_OPS:
                tokens.append(Token(OP, _LATEX_OPS[cmd], col))
            elif cmd in _LATEX_STRUCTURES:
                tokens.append(Token(OP, "\\" + _LATEX_STRUCTURES[cmd], col))
            elif cmd in _LATEX_NAMES:
                tokens.append(Token(NAME, _LATEX_NAMES[cmd], col))
            elif cmd in _LATEX_FUNCTIONS:
                tokens.append(Token(NAME, "log10" if cmd == "lg" else cmd, col))
            elif cmd in _LATEX_CALLABLE_GREEK and _LATEX_CALL.match(text, i):
                # σ(z) is the logistic sigmoid, Γ(x) the gamma function, as SymPy prints them
                tokens.append(Token(NAME, _LATEX_CALLABLE_GREEK[cmd], col))
            elif cmd in _GREEK_COMMANDS:
                tokens.append(Token(NAME, cmd, col))
            else:
                raise ParseError(f"unknown LaTeX command \\{cmd}", column=col, text=text)
            continue
        m = _LATEX_NUMBER.match(text, i)
        if m is not None:
            tokens.append(Token(NUM, m.group(), col))
            i = m.end()
            continue
        if ch.isascii() and ch.isalpha():
            # x_1, x_{12}: one subscripted name; otherwise each letter is its own name
            m = _LATEX_SUBSCRIPTED.match(text, i)
            if m is not None:
                tokens.append(Token(NAME, f"{m.group(1)}_{m.group(2) or m.group(3)}", col))
                i = m.end()
            else:
                tokens.append(Token(NAME, ch, col))
                i += 1
            continue
        if ch in _UNICODE_NAMES:
            tokens.append(Token(NAME, _UNICODE_NAMES[ch], col))
            i += 1
            continue
        if ch in "+-*/^()[],|!<>=_":
            tokens.append(Token(OP, ch, col))
            i += 1
            continue
        if ch in "{}":
            tokens.append(Token(OP, ch, col))
            i += 1
            continue
        if ch in _UNICODE_OPS:
            tokens.append(Token(OP, _UNICODE_OPS[ch], col))
            i += 1
            continue
        raise ParseError(unexpected_character(ch), column=col, text=text)
    tokens.append(Token(END, "", n + 1))
    return tokens
