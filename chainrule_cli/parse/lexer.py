"""Text -> tokens, for the plain input language and for LaTeX; every token knows its column."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chainrule_cli.errors import ParseError
from chainrule_cli.parse.names import FUNCTIONS, GREEK, GREEK_UPPER, UNICODE_GREEK

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


# function names LaTeX input may have without their backslash (sin x, exp(-x)), longest first
_PLAIN_FUNCTIONS = re.compile(
    "|".join(
        sorted(
            (f for f in FUNCTIONS if f.isascii() and f.islower() and f.isalpha()
             and (len(f) >= 3 or f in ("ln", "lg", "tg"))),
            key=len,
            reverse=True,
        )
    )
)  # fmt: skip
_LATEX_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
# 1e-3 after an integer: scientific notation to most readers, 1·e − 3 to the grammar
# (the exponent's sign may be U+2212, as the text format prints 1.5e−7)
_EXPONENT_TAIL = re.compile(r"[eE][+\-−]?[0-9]+")
_NUMBER = re.compile(r"[0-9]+\.[0-9]*(?:[eE][+\-−]?[0-9]+)?|\.[0-9]+(?:[eE][+\-−]?[0-9]+)?|[0-9]+")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_LATEX_BRACED_WORD = re.compile(r"\s*\{\s*([A-Za-z]+)\s*\}")
_LATEX_LETTER = re.compile(r"\s*([A-Za-z])")  # \mathrm d: one letter, without braces
_LATEX_SUBSCRIPTED = re.compile(r"([A-Za-z])_(?:\{([A-Za-z0-9]+)\}|([A-Za-z0-9]))")
_GREEK_COMMANDS = frozenset(GREEK) | frozenset(GREEK_UPPER)
_LATEX_CALLABLE_GREEK = {"sigma": "sigmoid", "Gamma": "gamma"}
_LATEX_CALL = re.compile(r"\s*(?:\\left\s*)?\(")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_GREEK_INDEX = re.compile(r"([0-9]+)|_([A-Za-z0-9]+)|_\{\s*([A-Za-z0-9]+)\s*\}")
_LATEX_GREEK_INDEX = re.compile(r"_(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]))")
_BRACED_SUBSCRIPT = re.compile(r"\{\s*([A-Za-z0-9]+)\s*\}")
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
# Letters and parentheses as superscripts: eˣ, xⁿ, x²ʸ, e⁻²ˣ, x⁽ⁿ⁺¹⁾ are exponents, read as
# ^(…) of their ASCII text (a run of digits and a sign stays one SUP token: x², sin⁻¹x).
# ᵀ is read as the letter T, which the parser refuses as a transpose.
_SUPERSCRIPT_LETTERS = dict(
    zip("ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ⁽⁾ᵀ", "abcdefghijklmnoprstuvwxyz()T", strict=True)
)
_ALL_SUPERSCRIPTS = {**_SUPERSCRIPTS, **_SUPERSCRIPT_LETTERS}
# 1,000 and 3,000,000: a thousands separator, which the grammar would read as a list
_THOUSANDS = re.compile(r"[0-9]+(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?")
_LATEX_THOUSANDS = re.compile(r"[0-9]+(?:(?:\{,\}|,)[0-9]{3})+(?![0-9])(?:\.[0-9]+)?")
_UNICODE_OPS = {
    "·": "*",
    "⋅": "*",
    "×": "*",
    "∗": "*",
    "÷": "/",
    "−": "-",
    "–": "-",
    "—": "-",
    "√": "sqrt",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "⊤": "⊤",  # a transpose, refused after '^' (and anywhere else)
    "⊙": "⊙",  # vectors and matrices (--shape): the entrywise product
    "‖": "‖",  # ‖x‖, a norm
}
_UNICODE_NAMES = {"π": "pi", "∞": "oo", "ℯ": "e", "∂": "d", **UNICODE_GREEK}  # ∂/∂x as d/dx
# ∛x and ½: a function name and a parenthesised fraction in the input language
_UNICODE_SPELLED = {"∛": ["cbrt"], "½": ["(", "1", "/", "2", ")"],
                    "⅓": ["(", "1", "/", "3", ")"], "¼": ["(", "1", "/", "4", ")"],
                    "¾": ["(", "3", "/", "4", ")"], "⅔": ["(", "2", "/", "3", ")"]}  # fmt: skip
# f'(x), f''(x), f′(x), f″(x): a run of primes is one operator token, its value the run in
# ASCII apostrophes ("''" for f″)
_PRIMES = {"'": 1, "′": 1, "″": 2, "‴": 3, "’": 1}  # ’: the apostrophe phones and editors type
# x₁, w₀, αᵢ: subscripts after a name, as the text format prints them (x_1, w0 both print
# x₁; they read back as x_1, the spelling LaTeX's x_{1} also gives)
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑᵢₒᵣᵤᵥₓₕₖₗₘₙₚₛₜ", "0123456789aeioruvxhklmnpst", strict=True))
# σ(z), Γ(x) and δ(x) are the sigmoid, gamma and Dirac delta, as the text format prints them
# (and as LaTeX input reads \sigma(z) and \Gamma(x)); alone they are Greek letters
_UNICODE_CALLABLE = {"σ": "sigmoid", "Γ": "gamma", "δ": "DiracDelta"}
_CALL = re.compile(r"\s*\(")
_TWO_CHAR_OPS = {"**": "^", "<=": "<=", ">=": ">=", "==": "==", "!=": "!="}
_ONE_CHAR_OPS = set("+-*/^()[]{},|!<>&=@")  # @: the matrix product (with --shape)


def unexpected_character(ch: str) -> str:
    if ch == "\ufffd":  # what bytes that are not UTF-8 became (on the command line and stdin)
        return "unexpected character '\ufffd' (the input has bytes that are not UTF-8 text)"
    return f"unexpected character {ch!r}"


NO_PRIME = "a prime (') goes after a function's name, as in f'(x)"
# tokens after which a prime would be the derivative of an expression: (x+1)', 2', |x|'
_ENDS_VALUE = frozenset({")", "]", "}", "|", "!"})


def _prime(tokens: list[Token], text: str, i: int) -> tuple[Token, int]:
    """The run of primes at text[i], which must follow a name or a bracket: f'(x), y'',
    (sin x)'. After a number, 2' or x²', it says where a prime goes; anywhere else (after '('
    or an operator, as in __import__('os')) it is an unexpected character."""
    last = tokens[-1] if tokens else None
    if last is not None and (
        last.kind == NAME or is_prime(last) or (last.kind == OP and last.value in _ENDS_VALUE)
    ):
        # after a bracket, (x^2 + 1)' is a derivative still to take where the caller reads
        # a student's working (ReadOptions.unworked); the parser refuses it elsewhere
        primes, j = _primes(text, i)
        return Token(OP, primes, i + 1), j
    if last is not None and last.kind in (NUM, SUP):
        raise ParseError(NO_PRIME, column=i + 1, text=text)
    raise ParseError(unexpected_character(text[i]), column=i + 1, text=text)


def is_prime(tok: Token) -> bool:
    """Is tok a run of primes (f'(x), y'')?"""
    return tok.kind == OP and tok.value.startswith("'")


def _primes(text: str, i: int) -> tuple[str, int]:
    """The primes starting at text[i], as a run of ASCII apostrophes, and where they end."""
    j, count = i, 0
    while j < len(text) and text[j] in _PRIMES:
        count += _PRIMES[text[j]]
        j += 1
    return "'" * count, j


def _superscript(text: str, i: int) -> tuple[list[Token], int]:
    """The run of superscripts at text[i] and where it ends: one SUP token for digits and a
    sign (x², sin⁻¹x); ^ ( … ) around the tokens of its ASCII text when it has a letter or a
    parenthesis (eˣ, x²ʸ, e⁻²ˣ, x⁽ⁿ⁺¹⁾); ^ T for ᵀ alone, which the parser refuses."""
    j = i
    while j < len(text) and text[j] in _ALL_SUPERSCRIPTS:
        j += 1
    ascii_text = "".join(_ALL_SUPERSCRIPTS[c] for c in text[i:j])
    col = i + 1
    if re.fullmatch(r"[+-]?[0-9]*", ascii_text):
        if not re.fullmatch(r"[+-]?[0-9]+", ascii_text):
            raise ParseError(f"malformed superscript {text[i:j]!r}", column=col, text=text)
        return [Token(SUP, ascii_text, col)], j
    if ascii_text == "T":
        return [Token(OP, "^", col), Token(NAME, "T", col)], j
    # eˣ² is e^(x²): digits after a letter in a raised run are its power (x²ʸ is x^(2y))
    ascii_text = re.sub(r"([A-Za-z])([0-9]+)", r"\1^\2", ascii_text)
    try:
        inner = tokenize(ascii_text)[:-1]
    except ParseError as exc:
        raise ParseError(
            f"malformed superscript {text[i:j]!r}", column=col + (exc.column or 1) - 1, text=text
        ) from None
    moved = [Token(t.kind, t.value, col + t.col - 1) for t in inner]
    return [Token(OP, "^", col), Token(OP, "(", col), *moved, Token(OP, ")", j)], j


def _refuse_thousands(text: str, i: int, pattern: re.Pattern[str], brackets: list[str]) -> None:
    """1,000x and 3,000,000 (a comma, then exactly three digits) outside a call's arguments
    and a list's brackets: refused, with the number written without its separators."""
    if brackets and brackets[-1] != "group":
        return  # max(1,000), [1,000, x]: arguments and items
    m = pattern.match(text, i)
    if m is not None:
        written = m.group()
        fixed = written.replace("{,}", "").replace(",", "")
        raise ParseError(
            f"'{written}' has a comma between its digits: write {fixed} (no thousands separator)",
            column=i + 1,
            text=text,
        )


class _Brackets:
    """The brackets open at the end of the tokens so far: '(' after a name is a call's, '[' a
    list's, any other '(' or '{' a group's."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.seen = 0
        self.open: list[str] = []

    def now(self) -> list[str]:
        while self.seen < len(self.tokens):
            tok = self.tokens[self.seen]
            before = self.tokens[self.seen - 1] if self.seen else None
            self.seen += 1
            if tok.kind != OP:
                continue
            if tok.value in ("(", "[", "{"):
                call = tok.value == "(" and before is not None and before.kind == NAME
                self.open.append("call" if call else "list" if tok.value == "[" else "group")
            elif tok.value in (")", "]", "}") and self.open:
                self.open.pop()
        return self.open


def _subscript(text: str, i: int) -> tuple[str, int]:
    """The subscripts starting at text[i] as '_1' (or '' if there are none), and their end."""
    j = i
    while j < len(text) and text[j] in _SUBSCRIPTS:
        j += 1
    if j == i:
        return "", i
    return "_" + "".join(_SUBSCRIPTS[c] for c in text[i:j]), j


def tokenize(text: str) -> list[Token]:
    """Split plain input (`2x^2 + sin x`) into tokens."""
    tokens: list[Token] = []
    brackets = _Brackets(tokens)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace():
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m is not None:
            _refuse_thousands(text, i, _THOUSANDS, brackets.now())
            tail = _EXPONENT_TAIL.match(text, m.end())
            if tail is not None and m.group().isdigit():
                written, fixed = m.group() + tail.group(), m.group() + ".0" + tail.group()
                raise ParseError(
                    f"'{written}' would read as a product with e; write {fixed}",
                    column=col,
                    text=text,
                )
            tokens.append(Token(NUM, m.group().replace("−", "-"), col))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m is not None:
            name, end = m.group(), m.end()
            braced = _BRACED_SUBSCRIPT.match(text, end) if name.endswith("_") else None
            if braced is not None:  # w_{1}, as LaTeX writes it: the name w_1, not w_·1
                name, end = name + braced.group(1), braced.end()
            sub, i = _subscript(text, end)
            tokens.append(Token(NAME, name + sub, col))
            continue
        if ch in _UNICODE_CALLABLE and _CALL.match(text, i + 1):
            tokens.append(Token(NAME, _UNICODE_CALLABLE[ch], col))
            i += 1
            continue
        if ch in _UNICODE_NAMES:
            # θ0, θ_0, θ_{0}, ω0, θ₀: an indexed Greek letter is one name, as a0 and x_1 are
            # (θ0 was θ·0 = 0 and θ_0 was θ·_0)
            index = _GREEK_INDEX.match(text, i + 1)
            tail, end = "", i + 1
            if index is not None and ch not in ("π", "∞", "ℯ", "∂"):
                digits, word, braced = index.groups()
                tail, end = (digits or f"_{word or braced}"), index.end()
            sub, i = _subscript(text, end)
            tokens.append(Token(NAME, _UNICODE_NAMES[ch] + tail + sub, col))
            continue
        if ch in _PRIMES:
            prime, i = _prime(tokens, text, i)
            tokens.append(prime)
            continue
        if ch in _UNICODE_SPELLED:
            last = tokens[-1] if tokens else None
            mixed = last is not None and last.kind == NUM and i > 0 and text[i - 1].isdigit()
            if ch != "∛" and mixed:  # 2½: the mixed number 5/2 to the student, 2·½ = 1 here
                whole, part = last.value, "".join(_UNICODE_SPELLED[ch][1:4])
                raise ParseError(
                    f"'{whole}{ch}' reads as {whole}·{part}, not the mixed number: write"
                    f" ({whole} + {part}) for it, or {whole}·{part} for the product",
                    column=last.col,
                    text=text,
                )
            for piece in _UNICODE_SPELLED[ch]:
                kind = NUM if piece.isdigit() else NAME if piece.isalpha() else OP
                tokens.append(Token(kind, piece, col))
            i += 1
            continue
        if ch in _ALL_SUPERSCRIPTS:
            sup, i = _superscript(text, i)
            tokens.extend(sup)
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
    "top": "⊤",  # x^\top, x^\intercal: a transpose (refused)
    "intercal": "⊤",
    "odot": "⊙",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
}
_LATEX_NAMES = {
    "pi": "pi",
    "infty": "oo",
    "e": "e",
    "varepsilon": "epsilon",
    "vartheta": "theta",
    "varphi": "phi",
    "partial": "d",  # \frac{\partial}{\partial x}, as ∂/∂x is d/dx
}
_LATEX_FUNCTIONS = {
    "det",
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
    # Russian LaTeX's commands (babel): \tg x, \sh x
    "tg",
    "ctg",
    "arctg",
    "arcctg",
    "cosec",
    "sh",
    "ch",
    "th",
    "cth",
    "arsh",
    "arch",
    "arth",
    "arcth",
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
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "Biggl",
    "Biggr",
    "[",
    "]",
    "displaystyle",
    "limits",
    "mathrm",
    "operatorname",
    "mathit",
    "text",
    "mathbf",  # \mathbf{x}, \boldsymbol{x}: the letter inside
    "boldsymbol",
}
_LATEX_STRUCTURES = {"frac": "frac", "dfrac": "frac", "tfrac": "frac", "sqrt": "sqrt"}
# f^{\prime}(x), f^\prime(x), y^{\prime\prime}: primes written out
_LATEX_PRIMES = re.compile(r"\^\s*(?:\\prime(?![A-Za-z])|\{\s*((?:\\prime(?![A-Za-z])\s*)+)\})")


def _latex_prime(tokens: list[Token], text: str, i: int, count: int) -> None:
    r"""Append `count` primes written out at text[i] (\prime, ^{\prime\prime}) to the run of
    primes after a name, as f'(x) is read."""
    last = tokens[-1] if tokens else None
    if last is not None and is_prime(last):
        tokens[-1] = Token(OP, last.value + "'" * count, last.col)
    elif last is not None and last.kind == NAME:
        tokens.append(Token(OP, "'" * count, i + 1))
    else:
        raise ParseError(NO_PRIME, column=i + 1, text=text)


# functions of vectors and matrices (parse/arrays.py), read in LaTeX when a whole run of letters
# is one of them (\frac{1}{2} sum(x) is not s·u·m·x; tra is still t·r·a)
_ARRAY_WORDS = re.compile(
    r"(?:sum|mean|norm|trace|tr|Tr|det|inv|diag|softmax|logsumexp|dot|hadamard|transpose)"
    r"(?![A-Za-z])"
)


def _plain_function_at(text: str, i: int) -> str | None:
    """The function name a run of letters in LaTeX starts with (sin, cos, exp, ln, arctan,
    tanh, sqrt, …), when it is written without its backslash; None for other letters."""
    if i > 0 and text[i - 1].isalpha():
        return None  # inside a run: only a run's start can name a function
    found = _ARRAY_WORDS.match(text, i) or _PLAIN_FUNCTIONS.match(text, i)
    return found.group() if found else None


def tokenize_latex(text: str) -> list[Token]:
    """Split LaTeX math (`\\frac{1}{1+e^{-x}}`) into the same tokens as plain input.

    Letters stand alone (`wx` is w·x, as in LaTeX), `{…}` group like parentheses, `e` is Euler's
    number, and commands become names or operators.
    """
    tokens: list[Token] = []
    brackets = _Brackets(tokens)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace() or ch in "$&":
            i += 1
            continue
        if ch == "^":
            m = _LATEX_PRIMES.match(text, i)
            if m is not None:
                _latex_prime(tokens, text, i, m.group().count("\\prime"))
                i = m.end()
                continue
        if ch == "\\":
            m = _LATEX_COMMAND.match(text, i)
            if m is None:
                raise ParseError("a backslash must start a command", column=col, text=text)
            cmd = m.group(1)
            i = m.end()
            if cmd == "prime":
                _latex_prime(tokens, text, col - 1, 1)
            elif cmd in ("mathrm", "operatorname", "text", "mathit"):
                # \operatorname{sigmoid}: the braced word is one name
                m2 = _LATEX_BRACED_WORD.match(text, i) or _LATEX_LETTER.match(text, i)
                if m2 is None:
                    raise ParseError(f"expected {{name}} after \\{cmd}", column=col, text=text)
                tokens.append(Token(NAME, m2.group(1), col))
                i = m2.end()
            elif cmd in _LATEX_SKIP:
                continue
            elif cmd in ("{", "}"):
                tokens.append(Token(OP, cmd, col))
            elif cmd == "|":
                tokens.append(Token(OP, "‖", col))  # \|x\|, a norm
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
                index = _LATEX_GREEK_INDEX.match(text, i)  # \theta_0, \beta_{1}
                if index is not None:
                    tokens.append(Token(NAME, f"{cmd}_{index.group(1) or index.group(2)}", col))
                    i = index.end()
                else:
                    tokens.append(Token(NAME, cmd, col))
            elif cmd in ("sum", "prod"):
                said = (
                    "\\sum over an index is not read; write its terms out (x_1 + x_2 + x_3),"
                    " or with --shape, sum(x) for the sum of a vector's entries"
                )
                if cmd == "prod":
                    said = "\\prod over an index is not read; write its factors out (x_1 x_2 x_3)"
                raise ParseError(said, column=col, text=text)
            else:
                raise ParseError(f"unknown LaTeX command \\{cmd}", column=col, text=text)
            continue
        m = _LATEX_NUMBER.match(text, i)
        if m is not None:
            _refuse_thousands(text, i, _LATEX_THOUSANDS, brackets.now())
            tokens.append(Token(NUM, m.group(), col))
            i = m.end()
            continue
        if ch.isascii() and ch.isalpha():
            # sin x typed without its backslash: the sine, not s·i·n·x (letters stand alone
            # otherwise: wx is w·x)
            fn = _plain_function_at(text, i)
            if fn is not None:
                tokens.append(Token(NAME, fn, col))
                i += len(fn)
                continue
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
        if ch in _PRIMES:
            prime, i = _prime(tokens, text, i)
            tokens.append(prime)
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
