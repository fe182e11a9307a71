"""A hand-written precedence-climbing parser: tokens -> SymPy objects, never through eval.

Precedence, loosest first:
    a & b   (conditions inside Piecewise)
    a < b, a <= b, a == b, ...
    a + b, a - b
    -a      (-x^2 = -(x^2), -(a+b)c = -((a+b)c))
    a * b, a / b, a b (implicit: 2x, x y, 2(x+1), (a+b)(a-b))  -- left to right; 1/2 x is
            x/2, and 1/2x, x/2y, 1/2(x+1) (a number after / glued to a name or "(") are refused
    -a      after * or / (2*-x), and in exponents (x^-1)
    a ^ b, a ** b  (right to left: 2^3^2 = 2^9; x^-1 allowed)
    a!, a², a³
    atoms: numbers, names, f(…), (…), {…}, |…|, √a

A function name followed by something other than "(" takes the next factor as its argument,
extended by implicit multiplication but not past another function or an explicit operator:
`sin x^2` = sin(x²), `sin 2x` = sin(2x), `sin x y` = sin(xy), `sin x cos x` = sin(x)·cos(x),
`ln x/2` = ln(x)/2. After its first factor that is not a number, a factor that is a number, a
power, in brackets or repeats a variable is refused with both readings (`sin x x^2`, `sin x 2`,
`sin x (y+1)`, `sin x x`). A glued argument reads as the spaced one (`sinx^2` = `sin x^2`,
`sin2x^2` = `sin 2x^2`), and nothing may follow it (`sinx y` is refused).
`sin^2 x` = sin²x = sin(x)², `sin^-1 x` = sin⁻¹x = asin(x); `sin2x` = sin(2x), `ln3x` = ln(3x).
A name of more than one letter before "(" is a known or declared function, or refused (w0(x+1),
alpha(x+1), leaky_relu(x)); x^T, x^{T}, x^\\top are refused as transposes (x^(T) is a power).
`log_2(x)`, `log_2 x`, `log_{2}(x)` are log base 2; `[x+1]^2` groups like parentheses.
`f'(x)`, `f''(g(x))`, `f^(4)(x)` are derivatives of unknown functions, built as SymPy's diff
builds them; `y'` is dy/dv when the caller names v (prime_variable).
"""

from __future__ import annotations

import difflib
import keyword
import math
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sympy
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.core.parameters import evaluate

from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse.lexer import END, NAME, NUM, OP, SUP, Token, is_prime
from chainrule_cli.parse.names import (
    BITS_PER_DIGIT,
    CONSTANTS,
    EVAL_HEIGHT,
    EXACT_BY_SUMMATION,
    FUNCTIONS,
    GREEK,
    GREEK_UPPER,
    MAX_DIGITS,
    MAX_EXACT_ARGUMENT,
    SPECIAL_FORMS,
    absolute,
    all_known_names,
    power_is_huge,
)
from chainrule_cli.walk import bottom_up

_PLAIN_NAME = re.compile(r"[A-Za-z](?:_?[A-Za-z0-9]+)*")
_SPLITTABLE_TAIL = re.compile(r"[A-Za-z]")
_RELATIONS = {
    "<": sympy.Lt,
    ">": sympy.Gt,
    "<=": sympy.Le,
    ">=": sympy.Ge,
    "==": sympy.Eq,
    "=": sympy.Eq,
    "!=": sympy.Ne,
}
_GREEK = frozenset(GREEK) | frozenset(GREEK_UPPER)
# Names that take a glued coefficient, as students write them: sin2x = sin(2x), ln3x = ln(3x),
# cos10t = cos(10t), sin2theta = sin(2θ), cos2pi = cos(2π). Only these (the trigonometric and
# hyperbolic functions, their inverses, exp, ln and log): sqrt2x, erf2x, gamma2x stay names.
_GLUABLE = (
    "sin cos tan cot sec csc sinh cosh tanh coth sech csch exp ln log "
    "asin acos atan acot asec acsc asinh acosh atanh acoth asech acsch "
    "arcsin arccos arctan arccot arcsec arccsc arcsinh arccosh arctanh arccoth arcsech arccsch "
    "arsinh arcosh artanh arcoth arsech arcsch cosec tg ctg arctg arcctg "
    "sh ch th cth arsh arch arth arcth"
).split()
_GLUED = re.compile(
    "(" + "|".join(sorted(_GLUABLE, key=len, reverse=True)) + r")([0-9]+)([A-Za-z_][A-Za-z0-9_]*)?"
)
# the variable glued after the coefficient: one letter, a Greek letter's name or pi
_GLUED_VARIABLE = re.compile("[A-Za-z]|" + "|".join(sorted(_GREEK | {"pi"}, key=len, reverse=True)))
_TRAILING_SPACE = re.compile(r"(?:\s|\\[,;:! ]|\\q?quad)+$")
# log_2(x), log_10 x, log_b(x), log_2x (= log₂ x, as log2x is); log_ before {…}: log_{2}(x)
_LOG_BASE = re.compile(r"log_(?:([0-9]+)([A-Za-z])?|([A-Za-z]))")


# LaTeX's commands typed without the backslash: frac{1}{x} is not frac·x
_LATEX_WORDS = frozenset("frac dfrac tfrac cdot times left right mathrm operatorname".split())
# a function's name glued to two letters or more (sinat, sinxy, lnab): sin(at) or sin(a)·t?
_FUNCTION_LETTERS = re.compile(
    "(" + "|".join(sorted(_GLUABLE, key=len, reverse=True)) + ")([a-z]{2,})"
)
# a function's name glued to digits it does not take (sqrt2x, erf3t; sin2x is sin(2x))
_FUNCTION_DIGITS = re.compile(r"([a-z]+?)([0-9]+)([A-Za-z][A-Za-z0-9_]*)?")


_RUN_NAMES = sorted(
    (f for f in FUNCTIONS if f.isascii() and f.isalpha() and f.islower() and len(f) >= 2),
    key=len,
    reverse=True,
)


def _a_fraction(top: str, below: Token) -> bool:
    """Would ^top/below be read by a student as the power top/below? 3/2, 2/3, −3/2 (a
    fraction in lowest terms), 1/x; not 2/2, 4/2, 3/3 (x^2/2 is x²/2), nor x^n/n."""
    if below.kind != NUM:
        return top == "1"
    if not (top.isdigit() and below.value.isdigit()):
        return False
    return int(below.value) > 1 and math.gcd(int(top), int(below.value)) == 1


def _functions_run(name: str) -> tuple[list[str], str | None] | None:
    """lncos, sincos, lnsinx: two functions' names or more run together (and perhaps the
    one-letter variable after them), as (the names, the variable); None otherwise."""
    if len(name) < 4:  # two names of two letters at least: x, wx, sin are none
        return None
    pieces, i = [], 0
    while i < len(name):
        fn = next((f for f in _RUN_NAMES if name.startswith(f, i)), None)
        if fn is None:
            break
        pieces.append(fn)
        i += len(fn)
    rest = name[i:]
    if len(pieces) < 2 or not (rest == "" or (len(rest) == 1 and rest.isalpha())):
        return None
    return pieces, rest or None


@contextmanager
def recursion_room(frames: int) -> Iterator[None]:
    """Allow at least `frames` Python frames for the duration (deep input is legal input)."""
    old = sys.getrecursionlimit()
    if frames > old:
        sys.setrecursionlimit(frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


# the variable of (sin x)' in a student's working before the question's variable is decided
# (question.py puts the variable in its place)
UNWORKED = sympy.Dummy("unworked", real=True)


def symbol(name: str) -> sympy.Symbol:
    """Every variable is real, so d|x|/dx is sign(x) as a calculus student expects."""
    return sympy.Symbol(name, real=True)


class Parser:
    def __init__(
        self,
        tokens: list[Token],
        text: str,
        *,
        functions: frozenset[str],
        max_depth: int,
        max_digits: int = MAX_DIGITS,
        prime_variable: sympy.Symbol | None = None,
        unworked: bool = False,
    ) -> None:
        self.tokens = tokens
        self.prime_variable = prime_variable
        # a student's working: (sin x)' and d/dx (sin x) are derivatives still to take
        self.unworked = unworked
        self.pending: list[sympy.Derivative] = []  # its derivatives still to take, as typed
        # names written with a prime (y', f''(x)) are functions everywhere in the input: with
        # y' = dy/dx, a bare y is y(x) (y'' + y is y''(x) + y(x), not y''(x) plus a constant)
        self.primed = frozenset(
            t.value
            for t, nxt in zip(tokens, tokens[1:], strict=False)
            if t.kind == NAME and is_prime(nxt) and self.may_take_prime(t.value)
        )
        functions = functions | self.primed
        self.max_digits = max_digits
        self.text = text
        self.pos = 0
        self.functions = functions
        self.max_depth = max_depth
        self.depth = 0
        self.abs_depth = 0
        self.heights: dict[int, int] = {}
        # unevaluated spellings of numeric powers, by id of their value (see power())
        self.tower: dict[int, sympy.Basic] = {}
        self.towering: set[int] = set()  # ids of expressions with a tower kept symbolic inside
        self.huge: dict[sympy.Basic, bool] = {}  # is_huge's answers
        self.keep: list[sympy.Basic] = []  # keeps ids in `tower` valid
        # products SymPy multiplied out (2(x + π) is 2x + 2π), by id, with their factors: the
        # reciprocal of 2(x + π) is ½·1/(x + π), as SymPy prints 1/(2*(x + pi))
        self.distributed: dict[int, list[sympy.Basic]] = {}
        # expressions as typed, where SymPy's order or form differs: b + w·x was typed w·x + b,
        # −b − w·x was typed −(w·x + b) (the printers show these; the algebra never sees them)
        self.typed: dict[sympy.Basic, sympy.Basic] = {}

    # ---- helpers -------------------------------------------------------------------------
    def error(self, message: str, col: int) -> ParseError:
        return ParseError(message, column=col, text=self.text)

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != END:
            self.pos += 1
        return tok

    def is_op(self, *values: str, tok: Token | None = None) -> bool:
        tok = tok or self.tok
        return tok.kind == OP and tok.value in values

    def unexpected(self, tok: Token | None = None) -> ParseError:
        tok = tok or self.tok
        if tok.kind == END:
            return self.error("unexpected end of input, expected an expression", tok.col)
        if tok.kind == OP and tok.value in ("@", "⊙", "‖"):
            return self.error(
                f"unexpected {tok.describe()}: vectors and matrices need --shape (e.g. --shape "
                "W=3x2 --shape x=2)",
                tok.col,
            )
        return self.error(f"unexpected {tok.describe()}", tok.col)

    def expect_close(self, closer: str, opener: Token) -> None:
        tok = self.tok
        if self.is_op(closer):
            self.advance()
            return
        if tok.kind == END:
            raise self.error(f"'{opener.value}' is never closed (expected '{closer}')", opener.col)
        raise self.error(f"expected '{closer}' but found {tok.describe()}", tok.col)

    @contextmanager
    def nested(self, col: int) -> Iterator[None]:
        self.depth += 1
        if self.depth > self.max_depth:
            raise LimitError(
                f"nesting deeper than {self.max_depth} levels (raise the limit with --max-depth)",
                column=col,
                text=self.text,
            )
        try:
            yield
        finally:
            self.depth -= 1

    def height(self, expr: sympy.Basic) -> int:
        return self.heights.get(id(expr), 0)

    def made(
        self, expr: sympy.Basic, *children: sympy.Basic, col: int | None = None
    ) -> sympy.Basic:
        """Note expr's height; with col, first refuse it if it has no value (1/0, log 0)."""
        if col is not None:
            self.defined(expr, col)
        if expr.is_Atom:
            return expr  # 0 is one shared object: 0·(a tall D) must not make every 0 tall
        if any(id(c) in self.towering for c in children):
            self.towering.add(id(expr))
        h = 1 + max((self.height(c) for c in children), default=0)
        if h > self.heights.get(id(expr), 0):
            self.heights[id(expr)] = h
            self.keep.append(expr)  # ids stay valid while the parser lives
        return expr

    def defined(self, expr: sympy.Basic, col: int) -> None:
        """1/0, log 0, 0/0, ∞ − ∞ and sin ∞ have no value: SymPy would carry zoo, nan or an
        interval through the derivation (d/dx 1/0 = 0)."""
        for part in (expr, *expr.args):
            if part is sympy.zoo or part is sympy.nan or isinstance(part, AccumBounds):
                what = {sympy.zoo: "complex infinity, as 1/0", sympy.nan: "NaN, as 0/0"}
                said = what.get(part, "no single value, as sin ∞")
                raise self.error(f"this is undefined ({said})", col)

    def is_huge(self, arg: sympy.Basic) -> bool:
        """Is arg, or a power inside it, a number of more than --max-digits digits? Each
        sub-expression is looked at once in a parse (sin nested 1,000 deep asks 1,000 times)."""
        bits = self.max_digits * BITS_PER_DIGIT

        def huge(node: sympy.Basic, inside: list[bool]) -> bool:
            if any(inside):
                return True
            return bool(
                node.is_Pow
                and node.exp.is_number
                and node.base.is_number
                and power_is_huge(node.base, node.exp, bits)
            )

        return bottom_up(arg, self.huge, huge)

    def refuse_huge(self, args: list[sympy.Basic], col: int, doing: str) -> None:
        """A tower such as 10^10^4 is kept symbolic only where nothing computes it: dividing by
        it or applying a function to it would (1/10^10^4 has 10,000 digits)."""
        for arg in args:
            if self.is_huge(arg):
                raise LimitError(
                    f"cannot {doing} a number of more than {self.max_digits:,} digits (raise the"
                    " limit with --max-digits)",
                    column=col,
                    text=self.text,
                )

    def apply(self, build, args: list[sympy.Basic], col: int, name: str) -> sympy.Basic:
        """build(*args), without SymPy's automatic evaluation where it would take too long."""
        self.refuse_huge(args, col, f"apply {name} to")
        deep = any(self.height(a) >= EVAL_HEIGHT for a in args) or (
            build in EXACT_BY_SUMMATION
            and any(a.is_Rational and abs(a) > MAX_EXACT_ARGUMENT for a in args)
        )
        try:
            if deep:
                with evaluate(False):
                    result = build(*args)
            else:
                result = build(*args)
        except (TypeError, ValueError) as exc:
            raise self.error(f"cannot apply {name} to these arguments ({exc})", col) from None
        return self.made(result, *args, col=col)

    # ---- grammar -------------------------------------------------------------------------
    def parse(self) -> sympy.Basic:
        if self.is_op("[") and self.closing_bracket(0) == len(self.tokens) - 2:
            # "[f1, f2]" is a list, which only the jacobian command takes (it splits the list
            # itself): a whole input in brackets is not read as a group
            raise self.unexpected()
        result = self.parse_condition()
        if self.tok.kind != END:
            if self.is_op(")", "}", "]"):
                raise self.error(
                    f"unexpected {self.tok.describe()} (no matching opener)", self.tok.col
                )
            raise self.unexpected()
        return result

    def closing_bracket(self, start: int) -> int | None:
        """Index of the ']' that closes the '[' at tokens[start], or None."""
        depth = 0
        for i in range(start, len(self.tokens)):
            tok = self.tokens[i]
            if tok.kind == OP and tok.value == "[":
                depth += 1
            elif tok.kind == OP and tok.value == "]":
                depth -= 1
                if depth == 0:
                    return i
        return None

    def parse_condition(self) -> sympy.Basic:
        left = self.parse_relation()
        while self.is_op("&"):
            op = self.advance()
            right = self.parse_relation()
            left = self.apply(sympy.And, [left, right], op.col, "&")
        return left

    def parse_relation(self) -> sympy.Basic:
        left = self.parse_sum()
        if self.tok.kind == OP and self.tok.value in _RELATIONS:
            op = self.advance()
            right = self.parse_sum()
            left = self.apply(_RELATIONS[op.value], [left, right], op.col, op.value)
        return left

    def scalar(self, value: sympy.Basic, col: int) -> sympy.Basic:
        """A list such as (1, 2) is no number, and neither is a condition such as x = 1: they
        cannot be added, multiplied or raised."""
        if isinstance(value, sympy.Tuple):
            raise self.error("a list cannot be used in arithmetic", col)
        if not isinstance(value, sympy.Expr):
            raise self.error("a condition (=, <, &, …) cannot be used in arithmetic", col)
        return value

    def parse_sum(self) -> sympy.Basic:
        start = self.tok.col
        terms = [self.parse_term()]
        while self.is_op("+", "-"):
            op = self.advance()
            self.scalar(terms[0], start)
            term = self.scalar(self.parse_term(), op.col)
            terms.append(term if op.value == "+" else self.made(-term, term))
        if len(terms) == 1:
            return terms[0]
        value = self.made(sympy.Add(*terms), *terms, col=start)
        if value.is_Add and sorted(value.args, key=str) == sorted(terms, key=str):
            # nothing merged: as typed (the first spelling of a value is the one shown)
            self.typed.setdefault(value, sympy.Add(*terms, evaluate=False))
        return value

    def negated(self, operand: sympy.Basic) -> sympy.Basic:
        """−operand; −(w·x + b) is remembered as typed (SymPy makes it −b − w·x)."""
        value = self.made(-operand, operand)
        if operand.is_Add and value.is_Add:
            self.typed.setdefault(value, sympy.Mul(-1, operand, evaluate=False))
        return value

    def starts_factor(self, tok: Token) -> bool:
        if tok.kind in (NUM, NAME):
            return True
        if tok.kind == OP:
            if tok.value == "|":
                return self.abs_depth == 0
            return tok.value in ("(", "{", "[", "sqrt", "\\frac", "\\sqrt")
        return False

    def parse_term(self) -> sympy.Basic:
        if self.is_op("-", "+"):
            # a leading sign is the whole product's: −(a + b)·c is −((a + b)·c), which is how
            # SymPy prints Mul(−1, a + b, c) (and the same number as (−a − b)·c)
            op = self.advance()
            with self.nested(op.col):
                operand = self.scalar(self.parse_term(), op.col)
            return operand if op.value == "+" else self.negated(operand)
        start = self.tok.col
        factors = [self.parse_unary()]
        while True:
            tok = self.tok
            if self.is_op("*", "/"):
                self.advance()
                if tok.value == "/":
                    self.refuse_glued_divisor(start, tok)
                begin = self.pos
                factor = self.parse_unary()
                if tok.value == "/":
                    self.refuse_divisor_followed(start, tok, begin)
                    self.refuse_huge([factor], tok.col, "divide by")
                    parts = self.distributed.get(id(factor), [factor])
                    inverse = sympy.Mul(*(sympy.Pow(p, -1) for p in parts))
                    factor = self.made(inverse, factor, col=tok.col)
                factors.append(factor)
            elif self.starts_factor(tok):
                if tok.kind == NUM and self.tokens[self.pos - 1].kind == NUM:
                    raise self.error(f"two numbers in a row: {tok.describe()}", tok.col)
                factors.append(self.parse_power())
            else:
                break
        if len(factors) == 1:
            return factors[0]
        for factor in factors:
            self.scalar(factor, start)
        self.check_towers(factors)
        if any(id(f) in self.towering for f in factors):
            # SymPy's Mul rebuilds powers of numbers, and Pow asks whether a tower exponent is
            # prime: evalf of 10^(4^(10^4)), for minutes (depending on the hash seed)
            return self.made(sympy.Mul(*factors, evaluate=False), *factors, col=start)
        value = self.made(sympy.Mul(*factors), *factors, col=start)
        plain = all(not (f.is_Pow and f.exp.is_negative) for f in factors) and not any(
            f.is_Number for f in factors[1:]
        )  # fractions and a number after the first factor: as SymPy prints them
        if value.is_Mul and plain and sorted(value.args, key=str) == sorted(factors, key=str):
            self.typed.setdefault(value, sympy.Mul(*factors, evaluate=False))
        if value.is_Add and len(factors) == 2:
            # 2(x + 1) as typed, not 2x + 2
            self.typed.setdefault(value, sympy.Mul(*factors, evaluate=False))
            self.distributed[id(value)] = factors
            self.keep.append(value)
        return value

    def refuse_divisor_followed(self, start: int, slash: Token, begin: int) -> None:
        """1/2√x, 1/x√x, 1/√2π, 1/2|x|, 1/x(x+1): a divisor with a factor glued after it,
        1/(2√x) to many readers and (1/2)·√x to the grammar; and 1/x ln x, which a student
        writes for 1/(x ln x): refused with both readings. 1/2 x and 1/2 sin x stay (1/2)·…"""
        after = self.tok
        if not self.starts_factor(after) or after.kind == END:
            return
        glued = after.col >= 2 and not self.text[after.col - 2].isspace()
        named = self.tokens[begin].kind == NAME and self.starts_function(after)
        if not (glued or named):
            return
        divisor = self.span(begin, self.pos)
        mark = self.pos
        self.parse_power()
        rest = self.span(mark, self.pos)
        top = self.text[start - 1 : slash.col - 1].strip()
        typed = self.span(self.index_at(start), self.pos)
        raise self.error(
            f"'{typed}' is ambiguous: write ({top}/{divisor})·{rest} or {top}/({divisor}·{rest})",
            self.tokens[begin].col,
        )

    def index_at(self, col: int) -> int:
        """The index of the token that starts at column col."""
        return next(i for i, t in enumerate(self.tokens) if t.col >= col)

    def refuse_glued_divisor(self, start: int, slash: Token) -> None:
        """1/2x is x/2 to the grammar (left to right) and 1/(2x) to many readers; so are x/2y
        and 1/2(x+1): a number after '/' glued to a name or '(' is refused with both fixes, as
        e^2x is. 1/2 x (with a space) is (1/2)·x."""
        number = self.tok
        after = self.peek()
        end = number.col + len(number.value)
        if number.kind != NUM or after.col != end:
            return
        if not (after.kind == NAME or self.is_op("(", tok=after)):
            return
        typed_number = self.text[number.col - 1 : end - 1]
        self.advance()
        begin = self.pos
        self.parse_power()
        tail = self.span(begin, self.pos)
        top = self.text[start - 1 : slash.col - 1].strip()
        grammar = f"{tail}/{typed_number}" if top == "1" else f"{top}·{tail}/{typed_number}"
        raise self.error(
            f"'{top}/{typed_number}{tail}' is ambiguous: write {grammar} or"
            f" {top}/({typed_number}{tail})",
            number.col,
        )

    def check_towers(self, factors: list[sympy.Basic]) -> None:
        """SymPy multiplies 10^10^10 · 10^10^10 out to 10^(2·10^10) and then computes it."""
        bases = [f.base for f in factors if f.is_Pow and id(f) in self.tower]
        if len(bases) != len(set(bases)):
            raise LimitError(
                "this product of powers of a number is astronomically large",
                column=self.tok.col,
                text=self.text,
            )

    def parse_unary(self) -> sympy.Basic:
        if self.is_op("-", "+"):
            op = self.advance()
            with self.nested(op.col):
                operand = self.scalar(self.parse_unary(), op.col)
            return operand if op.value == "+" else self.negated(operand)
        return self.parse_power()

    def parse_power(self) -> sympy.Basic:
        begin = self.pos
        base = self.parse_postfix()
        if self.is_op("^"):
            self.refuse_power_of_i(base, begin)
            op = self.advance()
            self.refuse_misleading_exponent(base, op, begin)
            self.refuse_transpose(base, begin, op, self.pos)
            with self.nested(op.col):
                at = self.pos
                exponent = self.parse_unary()
            self.refuse_transpose(base, begin, op, at, self.pos)
            if self.unworked and is_prime(self.tokens[self.pos - 1]):
                # (x^2 + 1)^(1/2)': the prime would be the exponent's, (1/2)' = 0
                base_text = self.span(begin, self.pos - 1)
                raise self.error(
                    f"a prime after an exponent is the exponent's own: write ({base_text})' for"
                    " the derivative of the power",
                    self.tokens[self.pos - 1].col,
                )
            return self.power(base, exponent, op.col)
        return base

    def refuse_transpose(
        self, base: sympy.Basic, begin: int, op: Token, at: int, stop: int | None = None
    ) -> None:
        """x^T, x^{T}, x^\\top, xᵀ: a transpose to whoever writes it, a power named T to the
        grammar. Refused (shapes are not declared here); x^(T) is the power. Before the
        exponent is read (stop None) it looks for ⊤, after it for a lone T."""
        values = [t.value for t in self.tokens[at : at + 3]]
        if stop is None:
            lone = values[:1] == ["⊤"] or values == ["{", "⊤", "}"]
        else:
            got = [(t.kind, t.value) for t in self.tokens[at:stop]]
            lone = got in ([(NAME, "T")], [(OP, "{"), (NAME, "T"), (OP, "}")])
            lone = lone and not (isinstance(base, sympy.Expr) and base.is_number)  # e^T, 2^T
            lone = lone and self.text[op.col - 1] in "^ᵀ"  # x**T is SymPy's (JSON output)
        if not lone:
            return
        first = self.tokens[begin].col - 1
        bold = re.search(r"\\(?:mathbf|boldsymbol)\s*$", self.text[:first])  # \mathbf{x}^T
        written = self.text[bold.start() if bold else first : op.col - 1].strip()
        plain = re.fullmatch(r"(?:\\(?:mathbf|boldsymbol)\s*\{\s*)?([A-Za-z]\w*)\s*\}?", written)
        name = plain.group(1) if plain else "x"
        raise self.error(
            f"{written}^T reads as a transpose: vectors and matrices need --shape (e.g. --shape"
            f" {name}=n); for a power of a variable T write {written}^(T)",
            op.col,
        )

    def refuse_misleading_exponent(self, base: sympy.Basic, op: Token, begin: int) -> None:
        """Exponents a student means otherwise than the grammar reads them: e^2x (e^(2x) to a
        student, e²·x to the grammar) and x^1/2 (√x, not x/2). The base's tokens start at
        tokens[begin]."""
        self.refuse_name_before_e(base, op)
        i = self.pos + (1 if self.is_op("-") else 0)
        number = self.tokens[i]
        if number.kind == NAME:
            self.refuse_glued_exponent(op, i, begin)
        if number.kind != NUM:
            return
        after = self.tokens[i + 1]
        end = number.col + len(number.value)
        power = self.text[op.col : end - 1]  # 2, or -2
        glued = after.col == end and (after.kind == NAME or self.is_op("(", tok=after))
        if base is sympy.E and glued:
            tail = "(…)" if after.kind == OP else after.value
            raise self.error(
                f"'e^{power}{tail}' is ambiguous: write e^({power}{tail}) for the exponential,"
                f" or e^{power}·{tail} for the product",
                op.col - 1,
            )
        written = self.tokens[self.pos - 2]  # the base as typed, just before '^'
        same = after.kind == NAME and base.is_Symbol and after.value == base.name
        if glued and written.kind in (NUM, NAME) and (base.is_Number or same):
            # 2^3x: 2^(3x) or 8x? x^2x: x^(2x) or x³? (x^2y stays x²·y, as students mean it)
            tail = "(…)" if after.kind == OP else after.value
            b = written.value
            raise self.error(
                f"'{b}^{power}{tail}' is ambiguous: write {b}^({power}{tail}) for the power, or"
                f" {b}^{power}·{tail} for the product",
                written.col,
            )
        typed_caret = self.text[op.col - 1] == "^"  # x**-1/2 is Python's (x**-1)/2
        below = self.tokens[min(i + 2, len(self.tokens) - 1)]
        if (
            typed_caret
            and self.is_op("/", tok=after)
            and below.kind in (NUM, NAME)
            and after.col == end  # x^3 / 2, spaced, is x³/2
            and below.col == after.col + 1
        ):
            n = below.value
            if not _a_fraction(number.value, below):
                return  # x^2/2, x^3/3, x^n/n: a power, then divided, as an antiderivative is
            if number.value == "1" and below.kind == NUM:
                raise self.error(
                    f"'^{power}/{n}' reads as the power {power}, then divided by {n}: write"
                    f" ^({power}/{n}) for the root",
                    op.col,
                )
            # x^-3/2, x^3/2, x^1/n, e^1/x: x^(-3/2) to the student, x^-3 divided by 2 here
            raise self.error(
                f"'^{power}/{n}' reads as the power {power}, then divided by {n}: write"
                f" ^({power}/{n}) for the power {power}/{n}, or (…^{power})/{n}",
                op.col,
            )

    def refuse_glued_exponent(self, op: Token, i: int, begin: int) -> None:
        """e^-λt, e^πx, 2^λx, x^αx: the exponent is one name, so e^(−λ)·t to the grammar and
        e^(−λt) to the student (e^kt is the one name kt, refused as such later)."""
        name, after = self.tokens[i], self.tokens[i + 1]
        if after.kind not in (NAME, NUM) or after.col < 2 or self.text[after.col - 2].isspace():
            return
        if after.kind == NAME and self.starts_function(after):
            return
        base = self.span(begin, self.pos - 1)  # the base as typed, up to its '^'
        power = self.text[op.col : after.col - 1]
        tail = self.text[after.col - 1 : after.col - 1 + len(after.value)]
        raise self.error(
            f"'{base}^{power}{tail}' is ambiguous: write {base}^({power}{tail}) for the power,"
            f" or {base}^{power}·{tail} for the product",
            name.col,
        )

    def refuse_name_before_e(self, base: sympy.Basic, op: Token) -> None:
        """Ae^(kt), ke^-x, 2be^(3x): the name Ae, ke, be raised to a power to the grammar, but
        A·e^(kt) to the student who typed it (d/dt of Ae^(kt) would be wrong and verified)."""
        written = self.tokens[self.pos - 2]
        name = written.value
        if not (
            written.kind == NAME
            and base.is_Symbol
            and base.name == name
            and 1 < len(name) <= 3  # time^2 is a variable's power
            and name.endswith("e")
            and name.isascii()
            and name.isalpha()
            and name not in _GREEK
            and written.col + len(name) == op.col
            and self.text[op.col - 1] != "*"  # Ae**x is SymPy's own text: it reads back
        ):
            return
        head = name[:-1]
        raise self.error(
            f"'{name}^' reads as the name {name} raised to a power: write {head} e^… or"
            f" {head}*e^… for {head}·e^…, or ({name})^… for a power of {name}",
            written.col,
        )

    def power(self, base: sympy.Basic, exponent: sympy.Basic, col: int) -> sympy.Basic:
        self.scalar(base, col)
        self.scalar(exponent, col)
        if power_is_huge(base, exponent, self.max_digits * BITS_PER_DIGIT):
            # 10^10^10: keep the tower unevaluated all the way down, or SymPy would compute it
            # as soon as it is multiplied by anything.
            exponent = self.tower.get(id(exponent), exponent)
            if exponent.is_Integer:
                raise LimitError(
                    f"this power of a number has more than {self.max_digits:,} digits (raise the"
                    " limit with --max-digits), or write it as a tower (10^10^10) to keep it"
                    " symbolic",
                    column=col,
                    text=self.text,
                )
            value = sympy.Pow(self.tower.get(id(base), base), exponent, evaluate=False)
            self.tower[id(value)] = value
            self.towering.add(id(value))
            return self.made(value, base, exponent)
        if max(self.height(base), self.height(exponent)) >= EVAL_HEIGHT or self.is_huge(exponent):
            # s^(10^10^4): SymPy would ask whether the tower is even, computing it
            return self.made(sympy.Pow(base, exponent, evaluate=False), base, exponent)
        value = sympy.Pow(base, exponent)
        if base.is_Rational and exponent.is_Rational and value.is_Rational:
            self.tower[id(value)] = sympy.Pow(base, exponent, evaluate=False)
            self.keep.append(value)
        return self.made(value, base, exponent, col=col)

    def refuse_power_of_i(self, base: sympy.Basic, begin: int) -> None:
        """I^2 R, a physicist's power, is −R here: I is the imaginary unit. A power of a typed
        I is refused (a product with I, such as V = I R, is the same derivative either way)."""
        written = self.tokens[begin]
        if base is sympy.I and written.kind == NAME and written.value == "I":
            raise self.error(
                "I is the imaginary unit i here, so I^2 is −1: a quantity named I (a current)"
                " needs another name, as I_0",
                written.col,
            )

    def parse_postfix(self) -> sympy.Basic:
        begin = self.pos
        value = self.parse_primary()
        while True:
            if self.tok.kind == SUP:
                self.refuse_power_of_i(value, begin)
                sup = self.advance()
                value = self.power(value, sympy.Integer(int(sup.value)), sup.col)
            elif self.is_op("!"):
                bang = self.advance()
                self.scalar(value, bang.col)
                value = self.apply(sympy.factorial, [value], bang.col, "!")
            elif is_prime(self.tok):
                if not self.unworked:
                    # (x+1)', f'(x)' (the lexer refuses 2' with the same words)
                    raise self.error(
                        "a prime (') goes after a function's name, as in f'(x)", self.tok.col
                    )
                prime = self.advance()
                value = self.unworked_derivative(value, self.prime_variable or UNWORKED,
                                                 len(prime.value), prime.col)  # fmt: skip
            else:
                return value

    def unworked_derivative(
        self, value: sympy.Basic, var: sympy.Symbol, order: int, col: int
    ) -> sympy.Basic:
        """(sin x)', d/dx (x^2 + 1): a derivative still to take, kept unevaluated."""
        if not isinstance(value, sympy.Expr) or isinstance(value, sympy.Tuple):
            raise self.error("a derivative is taken of an expression", col)
        derivative = sympy.Derivative(value, (var, order))
        self.pending.append(derivative)
        return self.made(derivative, value)

    def operator_inside(self) -> sympy.Basic | None:
        """d/dx (…), d^2/dx^2 […], \\frac{d}{dx}(…), d(…)/dx inside a student's working: the
        derivative of what the brackets hold, still to take; None when no operator starts
        here."""
        from chainrule_cli.parse.reading import operator_at

        start = self.tok
        try:
            op = operator_at(self.tokens, self.pos, self.text)
        except ParseError:
            return None
        if op is None or op.value is not None:
            return None
        if op.inner is not None:
            inner_start, inner_stop = op.inner
            self.pos = inner_start
            value = self.parse_sum()
            if self.pos != inner_stop:
                raise self.unexpected()
            self.pos = op.end
        else:
            self.pos = op.end
            if not (self.is_op("(", "[") or self.starts_function(self.tok)):
                raise self.error(
                    f"inside an expression, d/d{op.var} takes brackets: d/d{op.var} (…)",
                    start.col,
                )
            value = self.parse_power()  # d/dx (x^2 + 1)^3: of the power, as a textbook means
        return self.unworked_derivative(value, symbol(op.var), op.order, start.col)

    def parse_primary(self) -> sympy.Basic:
        tok = self.tok
        if self.unworked and ((tok.kind == NAME and tok.value == "d") or self.is_op("\\frac")):
            inside = self.operator_inside()
            if inside is not None:
                return inside
        if tok.kind == NUM:
            self.advance()
            return self.number(tok)
        if tok.kind == NAME:
            return self.parse_name()
        if self.is_op("(", "{", "["):
            self.advance()
            closer = {"(": ")", "{": "}", "[": "]"}[tok.value]
            with self.nested(tok.col):
                if self.is_op(closer):
                    raise self.error(f"empty {tok.value}{closer}", tok.col)
                saved_abs, self.abs_depth = self.abs_depth, 0
                items = [self.parse_condition()]
                while self.is_op(","):
                    self.advance()
                    items.append(self.parse_condition())
                self.abs_depth = saved_abs
                self.expect_close(closer, tok)
            if len(items) == 1:
                return items[0]
            return self.made(sympy.Tuple(*items), *items)
        if self.is_op("|"):
            self.advance()
            with self.nested(tok.col):
                self.abs_depth += 1
                inner = self.parse_sum()
                self.abs_depth -= 1
                if not self.is_op("|"):
                    if self.tok.kind == END:
                        raise self.error("'|' is never closed (expected '|')", tok.col)
                    raise self.error(f"expected '|' but found {self.tok.describe()}", self.tok.col)
                self.advance()
            return self.apply(absolute, [inner], tok.col, "|…|")
        if self.is_op("sqrt"):
            self.advance()
            with self.nested(tok.col):
                if not self.starts_factor(self.tok) and not self.is_op("-"):
                    raise self.error("√ needs an argument", tok.col)
                arg = self.parse_unary() if self.is_op("-") else self.parse_power()
            return self.apply(sympy.sqrt, [arg], tok.col, "√")
        if self.is_op("\\frac"):
            self.advance()
            with self.nested(tok.col):
                num = self.latex_group(tok)
                den = self.latex_group(tok)
            self.scalar(num, tok.col)
            self.scalar(den, tok.col)
            return self.made(sympy.Mul(num, sympy.Pow(den, -1)), num, den, col=tok.col)
        if self.is_op("\\sqrt"):
            self.advance()
            with self.nested(tok.col):
                index = None
                if self.is_op("["):
                    opener = self.advance()
                    index = self.parse_sum()
                    self.expect_close("]", opener)
                arg = self.latex_group(tok)
            if index is None:
                return self.apply(sympy.sqrt, [arg], tok.col, "\\sqrt")
            return self.apply(sympy.root, [arg, index], tok.col, "\\sqrt")
        raise self.unexpected()

    def latex_group(self, command: Token) -> sympy.Basic:
        """The {…} argument of \\frac or \\sqrt (a single digit or letter also works: \\frac12)."""
        tok = self.tok
        if self.is_op("{"):
            self.advance()
            if self.is_op("}"):
                raise self.error("empty {}", tok.col)
            inner = self.parse_condition()
            self.expect_close("}", tok)
            return inner
        if tok.kind == NUM and len(tok.value) >= 1:
            self.advance()
            if len(tok.value) > 1 and tok.value.isdigit():
                # \frac12 is \frac{1}{2}: split the digit run
                self.tokens.insert(self.pos, Token(NUM, tok.value[1:], tok.col + 1))
                return sympy.Integer(int(tok.value[0]))
            return self.number(tok)
        if tok.kind == NAME:
            self.advance()
            return symbol(tok.value)
        raise self.error(f"expected '{{' after {command.value}", tok.col)

    def number(self, tok: Token) -> sympy.Basic:
        text = tok.value
        exponent = text.replace("E", "e").partition("e")[2]
        if self.digits_beyond(exponent):
            raise LimitError(
                f"the number {text[:20]}{'…' if len(text) > 20 else ''} has more than"
                f" {self.max_digits:,} digits (raise the limit with --max-digits)",
                column=tok.col,
                text=self.text,
            )
        try:
            if re.fullmatch(r"\d+", text):
                return sympy.Integer(int(text))
            # 15 significant digits, as SymPy prints them; more if the text has more
            digits = len(re.sub(r"[^0-9]", "", re.split(r"[eE]", text)[0]).lstrip("0"))
            return sympy.Float(text) if digits <= 15 else sympy.Float(text, "")
        except ValueError:
            raise self.error(f"number {text[:20]}… is too long", tok.col) from None

    def digits_beyond(self, exponent: str) -> bool:
        """Would a decimal written with this exponent have more digits than --max-digits
        (1.0e999999999, 1.0e-999999999)? Decided on the text, before anything is built: SymPy
        would build it digit by digit, past any timeout. (The digits typed are bounded by the
        input's length, and read in linear time.)"""
        if not exponent:
            return False
        written = exponent.lstrip("+-")
        if len(written.lstrip("0")) > len(str(self.max_digits)) + 1:
            return True
        return abs(int(written or "0")) > self.max_digits

    # ---- names and function application -----------------------------------------------
    def parse_name(self) -> sympy.Basic:
        tok = self.advance()
        name = tok.value
        if (keyword.iskeyword(name) and name not in CONSTANTS and name != "lambda") or (
            name.startswith("__")
        ):
            raise self.error(f"'{name}' is a reserved word, not a name", tok.col)
        if is_prime(self.tok):
            return self.primed_name(tok)
        call = self.is_op("(")
        if name in SPECIAL_FORMS and call:
            return self.special_form(tok)
        if name in self.functions:
            if call:
                args = [self.scalar(a, tok.col) for a in self.call_args(tok)]
                return self.apply(sympy.Function(name), args, tok.col, name)
            order = self.derivative_order(tok)
            if order is not None:
                return self.primed_call(tok, order)
            if name in self.primed:
                if self.prime_variable is None:
                    raise self.error(
                        f"{name} is a function here ({name}'): write {name}(x)", tok.col
                    )
                return self.apply(sympy.Function(name), [self.prime_variable], tok.col, name)
        if name in FUNCTIONS and not (name in _GREEK and not call):
            return self.function(tok)
        if name in CONSTANTS:
            # zoo and nan alone read back what JSON prints for a value that does not exist;
            # any use of them (zoo·x, sin(nan)) is refused where it is made
            return CONSTANTS[name]
        log = _LOG_BASE.fullmatch(name)
        if log is not None or (name == "log_" and self.is_op("{")):
            return self.log_with_base(tok, log)
        glued = _GLUED.fullmatch(name)
        if glued is not None:
            value = self.glued(tok, glued)
            if value is not None:
                return value
        self.refuse_misspelt(tok)
        if call and len(name) > 1:
            # leaky_relu(x), w0(x+1), alpha(x+1): a function to one reader, a product to
            # another; only a one-letter name multiplies, as in a(b + c)
            raise self.unknown_function(tok)
        if (
            call
            and len(name) == 1
            and self.peek().kind == NAME
            and self.is_op(")", tok=self.peek(2))
        ):
            # y(x), u(t): a function of x to a student, y·x to the grammar
            lone = self.peek().value
            raise self.error(
                f"'{name}({lone})' could be {name}·{lone} or a function {name} of {lone}: write"
                f" {name}*{lone} for the product; for a function, write {name} alone in an"
                f" equation ({'t' if name == 'x' else 'x'}^2 + {name}^2 = 1), or f({lone}), or"
                f" declare it: --function {name}",
                tok.col,
            )
        if name.partition("_")[0] in _ARRAY_ONLY:
            # det X, tr X, sum x, sum_i x_i typed without --shape: not det·X (a silent
            # misreading)
            raise self.array_only(tok)
        if name.startswith("_"):
            raise self.error(
                f"'{name}' is a subscript with nothing to name: write it on a name (x_1), and"
                " a norm as norm(…) or ‖…‖ (with --shape)",
                tok.col,
            )
        if not call and name not in _GREEK:
            split = self.split_function_prefix(name)
            if split is not None:
                # sinx is sin x with the space dropped: sinx^2 = sin x^2 = sin(x²)
                fname, var = split
                return self.glued_call(tok, fname, [Token(NAME, var, tok.col + len(fname))])
        return symbol(name)

    def array_only(self, tok: Token) -> ParseError:
        if "_" in tok.value:
            return self.error(
                f"{tok.value}: a sum over an index is not read; write its terms out "
                "(x_1 + x_2 + x_3), or with --shape, sum(x) for the sum of a vector's entries",
                tok.col,
            )
        return self.error(
            f"{tok.value} works on vectors and matrices: give their shapes with --shape (e.g. "
            "--shape x=n, --shape A=nxn)",
            tok.col,
        )

    def refuse_misspelt(self, tok: Token) -> None:
        """Names a student means as something else, which would be read as a variable:
        a LaTeX command without its backslash (frac, cdot), a function's name in other
        letters' case (Ln x, SIN x, ReLU(x)), two functions' names run together (lncos x), a
        function glued to a number it does not take (sqrt2x: √(2x) or √2·x?)."""
        name = tok.value
        if name in _LATEX_WORDS:
            raise self.error(
                f"'{name}' is a LaTeX command written without its backslash: write \\{name}",
                tok.col,
            )
        lower = name.lower()
        if lower != name and lower in FUNCTIONS and (len(name) >= 3 or lower == "ln"):
            if name not in _GREEK:
                raise self.error(
                    f"'{name}' is not a name chainrule knows (names are case-sensitive): write"
                    f" {lower}",
                    tok.col,
                )
        run = _functions_run(name)
        if run is not None:
            pieces, var = run
            inner = var or "…"
            nested = "".join(f"{p}(" for p in pieces) + inner + ")" * len(pieces)
            said = " and ".join(pieces)
            raise self.error(f"'{name}' is the names {said} run together: write {nested}", tok.col)
        m = _FUNCTION_LETTERS.fullmatch(name)
        if m is not None and name not in _GREEK and self.split_function_prefix(name) is None:
            fn, rest = m.groups()  # sinat: sin(at) or sin(a)·t?
            spaced = " ".join(rest)
            raise self.error(
                f"'{name}' is ambiguous: write {fn}({spaced}) or {fn}({rest[0]})·{rest[1:]}",
                tok.col,
            )
        m = _FUNCTION_DIGITS.fullmatch(name)
        readable = self.split_function_prefix(name) is not None  # log2x is log₂ x
        if m is not None and m.group(1) in FUNCTIONS and m.group(1) not in _GREEK and not readable:
            fn, digits, tail = m.groups()
            if tail:
                raise self.error(
                    f"'{name}' is ambiguous: write {fn}({digits}{tail}) or {fn}({digits})·{tail}",
                    tok.col,
                )
            raise self.error(f"'{name}' is one name: for {fn} of {digits} write {fn}({digits})",
                             tok.col)  # fmt: skip

    def glued_call(self, tok: Token, fn: str, pieces: list[Token]) -> sympy.Basic:
        """fn applied to the argument glued to its name (sinx, sin2x, lnx): the pieces are
        read as the spaced argument would be (sinx^2 as sin x^2), and nothing may follow
        that would join it (sinx y: sin(x)·y or sin(x·y)?)."""
        last = pieces[-1]
        if last.value in ("e", "E", "pi") and (self.is_op("^") or self.tok.kind == SUP):
            # sine^x, sin2e^x: sin(e^x) or sin(e)^x? (sin x e^x stops before e^…)
            raise self.error(
                f"'{tok.value}' is ambiguous: put the argument of {fn} in parentheses, as in"
                f" {fn}(…)",
                tok.col,
            )
        self.tokens[self.pos : self.pos] = pieces
        return self.function(Token(NAME, fn, tok.col), glued=len(pieces), written=tok.value)

    def glued(self, tok: Token, m: re.Match[str]) -> sympy.Basic | None:
        """sin2x = sin(2x), cos10t = cos(10t), sin2theta = sin(2θ), ln2 = ln(2); None for
        log2x and log10x (log₂ x and log₁₀ x, read as names glued to a letter, as before)."""
        name, (fn, digits, tail) = tok.value, m.groups()
        call = self.is_op("(")
        if tail is None:
            if call or self.starts_factor(self.tok):
                # sin2(x), sin2 x: sin(2x) to some, sin²(x) to others
                raise self.error(
                    f"'{name}' is ambiguous here: write {fn}({digits}·…) or {fn}^{digits}(…)",
                    tok.col,
                )
            if fn == "log":
                raise self.error(
                    f"'{name}' is ambiguous: write log({digits}) or log_{digits}(…)", tok.col
                )
            return self.apply(FUNCTIONS[fn].build, [sympy.Integer(digits)], tok.col, fn)
        if fn == "log":
            if digits in ("2", "10") and len(tail) == 1 and not call:
                return None
            raise self.error(
                f"'{name}' is ambiguous: write log({digits}{tail}) or log_{digits}({tail})",
                tok.col,
            )
        if call or not _GLUED_VARIABLE.fullmatch(tail):
            # sin2xy: sin(2xy), sin(2x)·y? sin2x(x+1): sin(2x)·(x+1), sin(2x(x+1))?
            raise self.error(
                f"'{name}' is ambiguous: put the argument of {fn} in parentheses, as in {fn}(…)",
                tok.col,
            )
        at = tok.col + len(fn)
        pieces = [Token(NUM, digits, at), Token(NAME, tail, at + len(digits))]
        return self.glued_call(tok, fn, pieces)

    def log_with_base(self, tok: Token, m: re.Match[str] | None) -> sympy.Basic:
        """log_2(x), log_2 x, log_b(x), log_{2}(x): log(x, base); log_2x is log₂ x."""
        if m is None:
            base = self.latex_group(tok)  # log_{…}
            self.scalar(base, tok.col)
        else:
            digits, tail, letter = m.groups()
            if digits is not None:
                base = sympy.Integer(digits)
            else:
                base = CONSTANTS[letter] if letter in ("e", "E") else symbol(letter)
            if tail is not None:
                if self.is_op("(") or is_prime(self.tok):
                    raise self.error(
                        f"'{tok.value}' is ambiguous: write log_{digits}({tail}·…) or "
                        f"log_{digits}({tail})·(…)",
                        tok.col,
                    )
                return self.apply(FUNCTIONS["log"].build, [symbol(tail), base], tok.col, "log")
        return self.function(tok, base=base)

    def may_take_prime(self, name: str) -> bool:
        """Can `name'` be the derivative of an unknown function named `name`? Not sin' (a
        known function), e' or pi' (constants) or sin2x', which is sin(2x)."""
        return (
            name not in FUNCTIONS
            and name not in CONSTANTS
            and name not in SPECIAL_FORMS
            and bool(_PLAIN_NAME.fullmatch(name))
            and _GLUED.fullmatch(name) is None
            and _LOG_BASE.fullmatch(name) is None
            and (name in _GREEK or self.split_function_prefix(name) is None)
        )

    def primed_name(self, tok: Token) -> sympy.Basic:
        """f'(x), f''(g(x)), y' (with the caller's prime_variable)."""
        name = tok.value
        prime = self.tok
        if not self.may_take_prime(name):
            raise self.error(
                f"{name}{prime.value} is not read as a derivative: a prime (') goes after an"
                " unknown function's name, as in f'(x)",
                prime.col,
            )
        self.advance()
        if is_prime(self.tok):  # f' ' (x): two runs of primes, with a space between
            raise self.error("write the primes together, as in f''(x)", self.tok.col)
        return self.primed_call(tok, len(prime.value), prime.value)

    def primed_call(self, tok: Token, order: int, primes: str | None = None) -> sympy.Basic:
        name = tok.value
        written = f"{name}{primes}" if primes else f"{name}^({order})"
        if self.is_op("("):
            args = self.call_args(tok)
            if len(args) != 1:
                raise self.error(
                    f"{written}(…) needs one argument: for a function of several variables,"
                    f" write Derivative({name}(…), variable)",
                    tok.col,
                )
            arg = self.scalar(args[0], tok.col)
        elif self.prime_variable is not None:
            arg = self.prime_variable
        else:
            v = "t" if name == "x" else "x"
            d = "d" if order == 1 else f"d^{order}"
            dv = f"d{v}" if order == 1 else f"d{v}^{order}"
            raise self.error(
                f"{written} needs its variable: write {d}{name}/{dv} or {written}({v})", tok.col
            )
        return self.derivative(sympy.Function(name), arg, order, tok)

    def derivative(self, fn, arg: sympy.Basic, order: int, tok: Token) -> sympy.Basic:
        """The order-th derivative of fn at arg, as SymPy's diff makes it (Function.fdiff):
        d/dx f(x) for a symbol, d/dg(x) f(g(x)) for a function, and for anything else
        (f'(2x)) the derivative at a dummy ξ, substituted: Subs(f'(ξ), ξ, 2x), with the
        dummy SymPy makes, so that f'(2x) here == diff(f(2x), x)/2."""
        applied = self.apply(fn, [arg], tok.col, tok.value)
        if arg._diff_wrt:
            value = sympy.Derivative(applied, (arg, order))
        else:
            xi = sympy.Dummy("xi_1", dummy_index=hash(arg))
            value = sympy.Subs(sympy.Derivative(fn(xi), (xi, order)), xi, arg)
        return self.made(value, applied, col=tok.col)

    def derivative_order(self, tok: Token) -> int | None:
        """f^(4)(x) and LaTeX's f^{(4)}(x) are the 4th derivative: the order, with the tokens
        up to the argument's '(' consumed. f^2(x) is refused: f(x)² or f(f(x))?"""
        name = tok.value

        def shape(offset: int, *want: str) -> bool:
            got = self.tokens[self.pos + offset : self.pos + offset + len(want)]
            return len(got) == len(want) and all(
                (t.kind == NUM and w == "n") or (t.kind == OP and t.value == w)
                for t, w in zip(got, want, strict=True)
            )

        for pattern in (("^", "(", "n", ")", "("), ("^", "{", "(", "n", ")", "}", "(")):
            if shape(0, *pattern):
                number = self.tokens[self.pos + pattern.index("n")]
                if not number.value.isdigit() or int(number.value) == 0:
                    raise self.error("the order of a derivative is 1, 2, 3, …", number.col)
                self.pos += len(pattern) - 1
                return int(number.value)
        power = None
        if self.tok.kind == SUP and shape(1, "("):
            power = self.tok.value
        elif shape(0, "^", "n", "(") or shape(0, "^", "{", "n", "}", "("):
            power = self.peek(2 if self.peek().value == "{" else 1).value
        inverse = shape(0, "^", "-", "n", "(") or shape(0, "^", "{", "-", "n", "}", "(")
        if inverse or (power is not None and power.startswith("-")):
            raise self.error(
                f"{name}^-1(…), the inverse function of {name}, is not known here: name it (g)"
                f" or write {name}(…)^(-1) for the reciprocal",
                tok.col,
            )
        if power is not None:
            raise self.error(
                f"'{name}^{power}(…)' is ambiguous: write {name}(…)^{power} for a power, or"
                f" {name}^({power})(…) for a derivative",
                tok.col,
            )
        if self.is_op("^"):
            # f^(n)(x), f^n(x), f^{(n)}(x): the n-th derivative to a reader, f^n·x to the grammar
            close = self.pos + 1
            if self.is_op("(", "{", tok=self.peek()):
                depth = 0
                for close in range(self.pos + 1, len(self.tokens)):
                    t = self.tokens[close]
                    depth += t.kind == OP and t.value in ("(", "{")
                    depth -= t.kind == OP and t.value in (")", "}")
                    if depth == 0:
                        break
            after = self.tokens[min(close + 1, len(self.tokens) - 1)]
            if after.kind == OP and after.value == "(":
                exponent = self.span(self.pos + 1, close + 1)
                raise self.error(
                    f"'{name}^{exponent}(…)': the order of a derivative is a number, as in"
                    f" {name}^(2)(…); for a power, write {name}(…)^{exponent}",
                    tok.col,
                )
        return None

    @staticmethod
    def split_function_prefix(name: str) -> tuple[str, str] | None:
        """`sinx` is sin x: a unary function name glued to a one-letter variable."""
        if name in FUNCTIONS or len(name) < 3:
            return None
        head, tail = name[:-1], name[-1]
        spec = FUNCTIONS.get(head)
        if spec is not None and spec.min_args == 1 and _SPLITTABLE_TAIL.fullmatch(tail):
            return head, tail
        return None

    def unknown_function(self, tok: Token) -> ParseError:
        """sine(x), leaky_relu(x), w0(x+1), alpha(x+1): a name of more than one letter before
        '(' is neither guessed a product nor a function."""
        name = tok.value
        candidates = [n for n in all_known_names() if n in FUNCTIONS or n in SPECIAL_FORMS]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        group = self.group_text(self.pos)
        product = f"{name}*{group}" if group is not None and len(group) <= 24 else f"{name}*(…)"
        inside = next((f for f in _RUN_NAMES if name.endswith(f) and name[: -len(f)].isalpha()),
                      None)  # fmt: skip
        if inside is not None and len(name) > len(inside):
            # 2xcos(x^2): x·cos(x²) to the student; the fix must not be xcos*(x^2) again
            head = name[: -len(inside)]
            call = f"{inside}{group}" if group is not None and len(group) <= 24 else f"{inside}(…)"
            return self.error(
                f"'{name}' is one name, so it is not {head} times {inside}: write {head} {call}"
                f" or {head}*{call}",
                tok.col,
            )
        if name in _ARRAY_ONLY:
            return self.array_only(tok)
        return self.error(
            f"'{name}' is not a known function: declare it with --function {name}, or write"
            f" {product} for a product{hint}",
            tok.col,
        )

    def group_text(self, start: int) -> str | None:
        """The text of the bracketed group opened at tokens[start], as typed; None if it is
        never closed."""
        depth = 0
        for i in range(start, len(self.tokens)):
            tok = self.tokens[i]
            if tok.kind == OP and tok.value in ("(", "[", "{"):
                depth += 1
            elif tok.kind == OP and tok.value in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return self.text[self.tokens[start].col - 1 : tok.col]
        return None

    def span(self, start: int, stop: int) -> str:
        """The text of tokens[start:stop] as typed (stop > start)."""
        end = self.tokens[stop].col - 1 if stop < len(self.tokens) else len(self.text)
        # without the LaTeX spacing after it (\sin x \, x^2)
        return _TRAILING_SPACE.sub("", self.text[self.tokens[start].col - 1 : end]).strip()

    def call_args(self, name_tok: Token) -> list[sympy.Basic]:
        opener = self.advance()  # "("
        args: list[sympy.Basic] = []
        with self.nested(opener.col):
            saved_abs, self.abs_depth = self.abs_depth, 0
            if self.is_op(")"):
                self.advance()
                self.abs_depth = saved_abs
                return args
            args.append(self.parse_condition())
            while self.is_op(","):
                self.advance()
                args.append(self.parse_condition())
            self.abs_depth = saved_abs
            self.expect_close(")", opener)
        return args

    def check_arity(self, tok: Token, count: int, name: str | None = None) -> None:
        spec = FUNCTIONS[name or tok.value]
        lo, hi = spec.min_args, spec.max_args
        if count < lo or (hi is not None and count > hi):
            if hi is None:
                want = f"at least {lo} arguments"
            elif lo == hi:
                want = f"{lo} argument" + ("s" if lo != 1 else "")
            else:
                want = f"{lo} to {hi} arguments"
            raise self.error(f"{tok.value} takes {want}, got {count}", tok.col)

    def function(
        self, tok: Token, base: sympy.Basic | None = None, glued: int = 0, written: str = ""
    ) -> sympy.Basic:
        """sin(x), sin x, sin^2 x, sin²x, sin⁻¹x, log_2 x (with base: log_2 and log_{…});
        with `glued`, the argument is the next `glued` tokens, taken apart from the name
        `written` (sinx, sin2x)."""
        name = "log" if base is not None else tok.value
        if glued:
            arg = self.function_argument(tok, glued=glued, written=written)
            return self.apply(FUNCTIONS[name].build, [arg], tok.col, name)
        spec = FUNCTIONS[name]
        if self.is_op("(") and base is None:
            args = self.call_args(tok)
            self.check_arity(tok, len(args))
            for arg in args:
                if not isinstance(arg, sympy.Expr) and tok.value not in ("And", "Or", "Not"):
                    raise self.error(f"{tok.value} needs an expression, not {arg}", tok.col)
            return self.apply(spec.build, args, tok.col, tok.value)
        exponent = None
        if self.is_op("^") and spec.min_args == 1:
            op = self.advance()
            with self.nested(op.col):
                exponent = self.parse_unary()
        elif self.tok.kind == SUP and spec.min_args == 1:
            exponent = sympy.Integer(int(self.advance().value))  # sin²x, sin⁻¹x
        if self.is_op("_") and tok.value == "log" and base is None:
            op = self.advance()
            with self.nested(op.col):
                base = self.parse_postfix()
        if spec.min_args > 1 and base is None:
            raise self.error(f"{tok.value} needs parentheses: {tok.value}(…)", tok.col)
        if self.is_op("("):
            args = self.call_args(tok)
            if base is not None:
                args.append(base)
            self.check_arity(tok, len(args), name)
        elif self.is_op("{"):
            # LaTeX \log{\left(x\right)}^{2}: the braces hold the whole argument
            args = [self.latex_group(tok)]
            if base is not None:
                args.append(base)
        else:
            if not self.starts_factor(self.tok) and not self.is_op("-"):
                raise self.error(f"{tok.value} needs an argument", tok.col)
            args = [self.function_argument(tok)]
            if base is not None:
                args.append(base)
        if exponent is not None and exponent == -1 and spec.inverse:
            return self.apply(FUNCTIONS[spec.inverse].build, args, tok.col, spec.inverse)
        value = self.apply(spec.build, args, tok.col, name)
        if exponent is not None:
            value = self.power(value, exponent, tok.col)
        return value

    def function_argument(
        self, fn: Token, glued: int = 0, written: str = "", head: int | None = None
    ) -> sympy.Basic:
        """The argument of `sin x^2`, `sin 2x`, `ln |x|`: implicit products, no other function.

        It never swallows a following factor into a power: with two factors that are not
        numbers, a later one that is a power or repeats a variable (`sin x x^2`, `sin x x`)
        is refused with both readings. A glued argument (`sinx`, `sin2x`) is the tokens it
        was taken apart into, and a factor after it is refused (`sinx y`)."""
        start = self.pos if head is None else head
        with self.nested(fn.col):
            if self.is_op("-", "+") and not glued:
                op = self.advance()
                inner = self.function_argument(fn, head=start)
                return inner if op.value == "+" else self.made(-inner, inner)
            first = self.pos
            stop = self.pos + glued
            factors = [self.parse_power()]
            bounds = [(first, self.pos)]
            while (self.pos < stop or not glued) and (
                self.starts_factor(self.tok) and not self.starts_function(self.tok)
            ):
                begin = self.pos
                factors.append(self.parse_power())
                bounds.append((begin, self.pos))
            if glued and self.starts_factor(self.tok) and not self.starts_function(self.tok):
                begin = self.pos
                self.parse_power()
                rest = self.span(begin, self.pos)
                raise self.error(
                    f"'{written} {rest}' is ambiguous: write {fn.value}({self.span(first, begin)})"
                    f"·{rest} or {fn.value}({self.span(first, begin)}·{rest})",
                    fn.col,
                )
        if not glued:
            self.refuse_swallowed(fn, start, factors, bounds)
        if len(factors) == 1:
            return factors[0]
        return self.made(sympy.Mul(*factors), *factors, col=fn.col)

    def refuse_swallowed(
        self,
        fn: Token,
        start: int,
        factors: list[sympy.Basic],
        bounds: list[tuple[int, int]],
    ) -> None:
        """sin x x^2 is sin(x)·x² to one reader and sin(x³) to the grammar; sin x x is sin(x)·x
        or sin(x²); sin x (y+1) is sin(x)·(y + 1) or sin(x(y + 1)); sin t 5 is sin(t)·5 or
        sin(5t). Refused with both readings when a factor after the first that is not a number
        is a number, a power, in brackets, or repeats a variable: what may follow it are new
        variables (sin x y is sin(xy), sin ωt is sin(ωt))."""
        plain = [
            i for i, f in enumerate(factors) if not (isinstance(f, sympy.Expr) and f.is_number)
        ]
        if not plain or len(factors) - plain[0] < 2:
            return
        seen: set[sympy.Basic] = set(factors[plain[0]].free_symbols)
        for i in range(plain[0] + 1, len(factors)):
            factor = factors[i]
            opener = self.tokens[bounds[i][0]]
            bracketed = opener.kind == OP and opener.value in ("(", "[", "{", "|")
            number = i not in plain  # sin x 2: sin(2x) to the grammar
            if number or bracketed or self.is_power(*bounds[i]) or seen & factor.free_symbols:
                head = self.text[fn.col - 1 : self.tokens[start].col - 1].strip()
                typed = self.text[fn.col - 1 : self.tokens[self.pos].col - 1].strip()
                before = self.span(start, bounds[i][0])  # with its sign: sin -x x^2
                after = self.span(bounds[i][0], bounds[-1][1])
                raise self.error(
                    f"'{typed}' is ambiguous: write {head}({before})·{after} or"
                    f" {head}({before}·{after})",
                    fn.col,
                )
            seen |= factor.free_symbols

    def is_power(self, start: int, stop: int) -> bool:
        """Do tokens[start:stop] (one factor) raise to a power outside brackets (x^2, x², x^1)?"""
        depth = 0
        for tok in self.tokens[start:stop]:
            if tok.kind == OP and tok.value in ("(", "[", "{"):
                depth += 1
            elif tok.kind == OP and tok.value in (")", "]", "}"):
                depth -= 1
            elif depth == 0 and (tok.kind == SUP or (tok.kind == OP and tok.value == "^")):
                return True
        return False

    def starts_function(self, tok: Token) -> bool:
        if tok.kind != NAME:
            return tok.kind == OP and tok.value in ("sqrt", "\\sqrt")
        name = tok.value
        nxt = self.peek()
        call = nxt.kind == OP and nxt.value == "("
        if name in FUNCTIONS:
            return not (name in _GREEK and not call)
        if name in ("e", "E") and nxt.kind == OP and nxt.value == "^":
            return True  # sin x e^x is sin(x)·e^x, as sin x √x is sin(x)·√x
        if call and (name in self.functions or name in SPECIAL_FORMS):
            return True
        if is_prime(nxt) or _GLUED.fullmatch(name) or _LOG_BASE.fullmatch(name):
            return True  # f'(x), sin2x, log_2 x (or an error that says why)
        if name == "log_" and nxt.kind == OP and nxt.value == "{":
            return True  # log_{2} x
        return (
            self.split_function_prefix(name) is not None
            and name not in CONSTANTS
            and name not in _GREEK  # chi is a Greek letter, not ch i
        )

    def special_form(self, tok: Token) -> sympy.Basic:
        args = self.call_args(tok)
        name = tok.value
        try:
            if name == "Derivative":
                if len(args) < 2:
                    raise self.error("Derivative takes an expression and variables", tok.col)
                result = sympy.Derivative(*args)
            elif name == "Subs":
                if len(args) != 3:
                    raise self.error(
                        "Subs takes 3 arguments: expression, variables, points", tok.col
                    )
                result = sympy.Subs(*args)
            else:
                pieces = []
                for arg in args:
                    if not isinstance(arg, sympy.Tuple) or len(arg) != 2:
                        raise self.error("Piecewise takes (expression, condition) pairs", tok.col)
                    pieces.append(tuple(arg))
                if not pieces:
                    raise self.error("Piecewise needs at least one piece", tok.col)
                result = sympy.Piecewise(*pieces)
        except (TypeError, ValueError) as exc:
            raise self.error(f"invalid {name}: {exc}", tok.col) from None
        return self.made(result, *args, col=tok.col)


# The functions of arrays (parse/arrays.py), which a scalar line cannot mean
_ARRAY_ONLY = frozenset(
    "norm trace tr Tr det inv dot softmax logsumexp hadamard transpose diag sum mean".split()
)
