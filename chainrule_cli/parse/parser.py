"""A hand-written precedence-climbing parser: tokens -> SymPy objects, never through eval.

Precedence, loosest first:
    a & b   (conditions inside Piecewise)
    a < b, a <= b, a == b, ...
    a + b, a - b
    a * b, a / b, a b (implicit: 2x, x y, 2(x+1), (a+b)(a-b))  -- left to right, 1/2x = x/2
    -a      (-x^2 = -(x^2))
    a ^ b, a ** b  (right to left: 2^3^2 = 2^9; x^-1 allowed)
    a!, a², a³
    atoms: numbers, names, f(…), (…), {…}, |…|, √a

A function name followed by something other than "(" takes the next factor as its argument,
extended by implicit multiplication but not past another function or an explicit operator:
`sin x^2` = sin(x²), `sin 2x` = sin(2x), `sin x cos x` = sin(x)·cos(x), `ln x/2` = ln(x)/2.
`sin^2 x` = sin(x)², `sin^-1 x` = asin(x).
"""

from __future__ import annotations

import difflib
import keyword
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sympy
from sympy.calculus.accumulationbounds import AccumBounds
from sympy.core.parameters import evaluate

from chainrule_cli.errors import LimitError, ParseError
from chainrule_cli.parse.lexer import END, NAME, NUM, OP, SUP, Token
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
    ) -> None:
        self.tokens = tokens
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
        self.keep: list[sympy.Basic] = []  # keeps ids in `tower` valid

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
        """Is arg, or a power inside it, a number of more than --max-digits digits?"""
        bits = self.max_digits * BITS_PER_DIGIT
        powers = [arg] if arg.is_Pow else []
        powers += [p for p in arg.atoms(sympy.Pow) if p is not arg]
        return any(
            p.exp.is_number and p.base.is_number and power_is_huge(p.base, p.exp, bits)
            for p in powers
        )

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
        result = self.parse_condition()
        if self.tok.kind != END:
            if self.is_op(")", "}", "]"):
                raise self.error(
                    f"unexpected {self.tok.describe()} (no matching opener)", self.tok.col
                )
            raise self.unexpected()
        return result

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
        return self.made(sympy.Add(*terms), *terms, col=start)

    def starts_factor(self, tok: Token) -> bool:
        if tok.kind in (NUM, NAME):
            return True
        if tok.kind == OP:
            if tok.value == "|":
                return self.abs_depth == 0
            return tok.value in ("(", "{", "sqrt", "\\frac", "\\sqrt")
        return False

    def parse_term(self) -> sympy.Basic:
        start = self.tok.col
        factors = [self.parse_unary()]
        while True:
            tok = self.tok
            if self.is_op("*", "/"):
                self.advance()
                factor = self.parse_unary()
                if tok.value == "/":
                    self.refuse_huge([factor], tok.col, "divide by")
                    factor = self.made(sympy.Pow(factor, -1), factor, col=tok.col)
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
        return self.made(sympy.Mul(*factors), *factors, col=start)

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
            return operand if op.value == "+" else self.made(-operand, operand)
        return self.parse_power()

    def parse_power(self) -> sympy.Basic:
        base = self.parse_postfix()
        if self.is_op("^"):
            op = self.advance()
            with self.nested(op.col):
                exponent = self.parse_unary()
            return self.power(base, exponent, op.col)
        return base

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

    def parse_postfix(self) -> sympy.Basic:
        value = self.parse_primary()
        while True:
            if self.tok.kind == SUP:
                sup = self.advance()
                value = self.power(value, sympy.Integer(int(sup.value)), sup.col)
            elif self.is_op("!"):
                bang = self.advance()
                self.scalar(value, bang.col)
                value = self.apply(sympy.factorial, [value], bang.col, "!")
            else:
                return value

    def parse_primary(self) -> sympy.Basic:
        tok = self.tok
        if tok.kind == NUM:
            self.advance()
            return self.number(tok)
        if tok.kind == NAME:
            return self.parse_name()
        if self.is_op("(", "{"):
            self.advance()
            closer = ")" if tok.value == "(" else "}"
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
        try:
            if re.fullmatch(r"\d+", text):
                return sympy.Integer(int(text))
            # 15 significant digits, as SymPy prints them; more if the text has more
            digits = len(re.sub(r"[^0-9]", "", re.split(r"[eE]", text)[0]).lstrip("0"))
            return sympy.Float(text) if digits <= 15 else sympy.Float(text, "")
        except ValueError:
            raise self.error(f"number {text[:20]}… is too long", tok.col) from None

    # ---- names and function application -----------------------------------------------
    def parse_name(self) -> sympy.Basic:
        tok = self.advance()
        name = tok.value
        if (keyword.iskeyword(name) and name not in CONSTANTS and name != "lambda") or (
            name.startswith("__")
        ):
            raise self.error(f"'{name}' is a reserved word, not a name", tok.col)
        call = self.is_op("(")
        if name in SPECIAL_FORMS and call:
            return self.special_form(tok)
        if name in self.functions and call:
            args = [self.scalar(a, tok.col) for a in self.call_args(tok)]
            return self.apply(sympy.Function(name), args, tok.col, name)
        if name in FUNCTIONS and not (name in _GREEK and not call):
            return self.function(tok)
        if name in CONSTANTS:
            # zoo and nan alone read back what JSON prints for a value that does not exist;
            # any use of them (zoo·x, sin(nan)) is refused where it is made
            return CONSTANTS[name]
        if call and not self.is_plain_variable(name):
            raise self.unknown_function(tok)
        if not call and name not in _GREEK:
            split = self.split_function_prefix(name)
            if split is not None:
                fname, var = split
                return self.apply(FUNCTIONS[fname].build, [symbol(var)], tok.col, fname)
        return symbol(name)

    @staticmethod
    def is_plain_variable(name: str) -> bool:
        """Names that multiply a following '(' : x(x+1), w0(x+1), alpha(x+1)."""
        return len(name) == 1 or name in _GREEK or bool(re.search(r"[0-9_]", name))

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
        name = tok.value
        candidates = [n for n in all_known_names() if n in FUNCTIONS or n in SPECIAL_FORMS]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return self.error(
            f"unknown function '{name}'{hint} (write {name}*(…) for a product, "
            f"or declare it as a function)",
            tok.col,
        )

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

    def check_arity(self, tok: Token, count: int) -> None:
        spec = FUNCTIONS[tok.value]
        lo, hi = spec.min_args, spec.max_args
        if count < lo or (hi is not None and count > hi):
            if hi is None:
                want = f"at least {lo} arguments"
            elif lo == hi:
                want = f"{lo} argument" + ("s" if lo != 1 else "")
            else:
                want = f"{lo} to {hi} arguments"
            raise self.error(f"{tok.value} takes {want}, got {count}", tok.col)

    def function(self, tok: Token) -> sympy.Basic:
        spec = FUNCTIONS[tok.value]
        if self.is_op("("):
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
        base = None
        if self.is_op("_") and tok.value == "log":
            op = self.advance()
            with self.nested(op.col):
                base = self.parse_postfix()
        if spec.min_args > 1 and base is None:
            raise self.error(f"{tok.value} needs parentheses: {tok.value}(…)", tok.col)
        if self.is_op("("):
            args = self.call_args(tok)
            if base is not None:
                args.append(base)
            self.check_arity(tok, len(args))
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
        value = self.apply(spec.build, args, tok.col, tok.value)
        if exponent is not None:
            value = self.power(value, exponent, tok.col)
        return value

    def function_argument(self, fn: Token) -> sympy.Basic:
        """The argument of `sin x^2`, `sin 2x`, `ln |x|`: implicit products, no other function."""
        with self.nested(fn.col):
            if self.is_op("-", "+"):
                op = self.advance()
                inner = self.function_argument(fn)
                return inner if op.value == "+" else self.made(-inner, inner)
            factors = [self.parse_power()]
            while self.starts_factor(self.tok) and not self.starts_function(self.tok):
                factors.append(self.parse_power())
        if len(factors) == 1:
            return factors[0]
        return self.made(sympy.Mul(*factors), *factors, col=fn.col)

    def starts_function(self, tok: Token) -> bool:
        if tok.kind != NAME:
            return tok.kind == OP and tok.value in ("sqrt", "\\sqrt")
        name = tok.value
        nxt = self.peek()
        call = nxt.kind == OP and nxt.value == "("
        if name in FUNCTIONS:
            return not (name in _GREEK and not call)
        if call and (name in self.functions or name in SPECIAL_FORMS):
            return True
        return self.split_function_prefix(name) is not None and name not in CONSTANTS

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
