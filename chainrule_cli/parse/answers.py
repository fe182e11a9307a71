"""A student's answer as handed in: `3x^2`, `dy/dx = 3x^2`, or a chain of '=' as textbooks
and students write a worked answer, `f'(x) = 3x·x = 3x^2`, `f'(x) = f''(x) = 0` (several
orders at once).

An answer with one '=' at most is read as any line is (parse/reading.py's Reader). An answer
with several is split on its top-level '=' tokens into its sides, the terms of the chain: each
is a derivative's name (dy/dx, d²y/dx², y', f''(x), \\frac{dy}{dx}) or an expression, read by
the same Parser, with the columns of the whole text. Decimals are read exactly (1.9 is 19/10):
a grade compares exact values.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import sympy

from chainrule_cli.errors import ParseError
from chainrule_cli.parse.lexer import END, NAME, OP, Token
from chainrule_cli.parse.parser import symbol
from chainrule_cli.parse.reading import (
    Reader,
    Reading,
    _plain_name,
    _split_top_level,
    misplaced_operator,
    operator_at,
    primes_at,
)


@dataclass(frozen=True, slots=True)
class Term:
    """One side of an '=' in a chained answer: a derivative's name (its order, the function's
    name, the variable it names) or an expression (`expr`)."""

    text: str  # as typed
    column: int
    expr: sympy.Expr | None = None  # an expression; None for a derivative's name
    order: int | None = None  # a derivative's name: its order
    value: str | None = None  # a derivative's name: the function's name (y, f)
    var: sympy.Symbol | None = None  # a derivative's name: the variable it names, if it does
    # d/dx (x^3) = 3x^2: the derivative named by its operator and the expression it applies to
    operand: sympy.Expr | None = None

    @property
    def is_name(self) -> bool:
        return self.order is not None


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer: `reading`, as one line reads (dy/dx = EXPR, or EXPR: for a chain, its first
    name and its first expression); and for a chain of two '=' or more, its `terms` in order."""

    text: str
    reading: Reading
    terms: tuple[Term, ...] = ()

    @property
    def chained(self) -> bool:
        return len(self.terms) > 2


def exact(expr):
    """Every decimal as the exact number it writes: 1.9 -> 19/10, x^0.5 -> x^(1/2)."""
    if not isinstance(expr, sympy.Basic):
        return expr
    floats = expr.atoms(sympy.Float)
    if not floats:
        return expr
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats if f.is_finite})


def exact_typed(typed: dict | None) -> dict | None:
    """The printers' forms as typed (w·x + b) with their decimals exact, still as typed."""
    if not typed:
        return typed
    return {exact(value): _exact_as_typed(form) for value, form in typed.items()}


def _exact_as_typed(form):
    if isinstance(form, sympy.Float):
        return sympy.Rational(str(form)) if form.is_finite else form
    if not isinstance(form, sympy.Basic) or not form.args or not form.atoms(sympy.Float):
        return form
    args = [_exact_as_typed(a) for a in form.args]
    try:
        return form.func(*args, evaluate=False)
    except TypeError:
        return form.func(*args)


def exact_reading(reading: Reading) -> Reading:
    """A Reading with its decimals exact (exact), in the expression and an equation's sides."""
    changes = {
        name: exact(getattr(reading, name))
        for name in ("expr", "lhs", "rhs")
        if getattr(reading, name) is not None
    }
    return dataclasses.replace(reading, **changes, typed=exact_typed(reading.typed),
                               pending=tuple(exact(d) for d in reading.pending))  # fmt: skip


def read_answer(
    text: str | sympy.Expr, how=None, prime_variable: sympy.Symbol | None = None
) -> Answer:
    """The answer, read as a student writes it (see the module's docstring); `how` is the
    ReadOptions, `prime_variable` the variable of y'. A SymPy expression is read as itself."""
    from chainrule_cli.parse import (
        _FRAMES_PER_LEVEL,
        DEFAULT_UNKNOWN_FUNCTIONS,
        tokens_of,
    )
    from chainrule_cli.parse.inputs import ReadOptions
    from chainrule_cli.parse.parser import Parser, recursion_room

    if not isinstance(text, str):
        from chainrule_cli.parse.question import refuse_unreadable_names

        refuse_unreadable_names(text)
        return Answer(str(text), Reading(str(text), "expression", exact(text)))
    how = how or ReadOptions()
    tokens = tokens_of(text, how.input, how.max_length)
    unknown = frozenset(DEFAULT_UNKNOWN_FUNCTIONS) | frozenset(how.functions)
    typed: dict = {}

    def parse_tokens(part):
        parser = Parser(part, text, functions=unknown, max_depth=how.max_depth,
                        max_digits=how.max_digits, prime_variable=prime_variable,
                        unworked=how.unworked)  # fmt: skip
        value = parser.parse()
        typed.update(parser.typed)
        pending.extend(parser.pending)
        return value

    pending: list = []

    reader = Reader(tokens, text, parse_tokens, unworked=how.unworked)
    with recursion_room(how.max_depth * _FRAMES_PER_LEVEL + 2_000):
        equals = _split_top_level(tokens, text)
        opening = operator_at(tokens, 0, text) if equals else None
        worked = opening is not None and opening.value is None  # d/dx x^3 = 3x^2
        terms = _two_forms(reader, equals) if len(equals) == 1 and not worked else None
        if len(equals) < 2 and not worked and terms is None:
            reading = reader.read()
            reading = dataclasses.replace(reading, typed=typed, pending=tuple(pending))
            return Answer(text, exact_reading(reading))
        terms = terms or _terms(reader, equals)
    first = next((t for t in terms if not t.is_name), None)
    if first is None:
        raise ParseError(
            "the answer's '=' chain names derivatives but gives no expression for them",
            column=terms[-1].column,
            text=text,
        )
    typed = exact_typed(typed)
    name = terms[0] if terms[0].is_name else None
    if name is not None:
        reading = Reading(text, "derivative", first.expr, var=name.var, order=name.order,
                          value=name.value, typed=typed, pending=tuple(pending))  # fmt: skip
    else:
        reading = Reading(text, "expression", first.expr, typed=typed, pending=tuple(pending))
    return Answer(text, reading, terms)


def _two_forms(reader: Reader, equals: list[int]) -> tuple[Term, ...] | None:
    """An answer `A = B` of two expressions is a worked answer, a chain of two forms
    (3x·x = 3x^2); but not a derivative's name = …, nor a definition (y = 2x, f(x) = …), nor an
    equation with a derivative still in it (2x + 2y·y' = 0: an equation to solve): None then,
    and the line is read as any line is."""
    try:
        terms = _terms(reader, equals)
    except ParseError:
        return None
    if any(t.is_name for t in terms) or terms[0].expr.is_Symbol:
        return None
    if _plain_name(reader.tokens[0].value) and reader.tokens[1].value == "(":
        return None  # f(x) = …: a definition
    if not reader.unworked and any(t.expr.has(sympy.Derivative, sympy.Subs) for t in terms):
        return None
    return terms


def _terms(reader: Reader, equals: list[int]) -> tuple[Term, ...]:
    """Each side of the chain's '=' tokens, a derivative's name or an expression."""
    tokens, text = reader.tokens, reader.text
    end = len(tokens) - 1  # the END token
    bounds = [-1, *equals, end]
    out = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        start += 1
        if start >= stop:
            missing = (
                "expected an expression before '='" if stop < end else "expected an expression here"
            )
            raise ParseError(missing, column=tokens[stop].col, text=text)
        typed_text = text[tokens[start].col - 1 : tokens[stop].col - 1].strip()
        name = _name(reader, start, stop)
        if name is not None:
            out.append(dataclasses.replace(name, text=typed_text))
            continue
        part = [*tokens[:stop], Token(END, "", tokens[stop].col)]
        op = operator_at(part, start, text)
        if reader.unworked and op is not None and op.value is None and start == 0:
            # a student's working: d/dx (x^2)·sin x + … is a term; d/dx (x^2 sin x) the question
            op = Reader(part, text, reader.parse_tokens, unworked=True).opening_operator()
        if op is not None and op.value is None and (start == 0 or not reader.unworked):
            if start != 0 or op.end >= stop:  # only the first side may name the question
                raise ParseError(
                    f"d/d{op.var} in a chain of '=' is a derivative still to take; write its value",
                    column=tokens[start].col,
                    text=text,
                )
            operand = exact(Reader(part, text, reader.parse_tokens).operator(op, stop).expr)
            out.append(Term(typed_text, tokens[start].col, order=op.order,
                            var=symbol(op.var), operand=operand))  # fmt: skip
            continue
        if not reader.unworked:
            misplaced_operator(part, start, text)
        expr = exact(reader.expression(start, stop))
        out.append(Term(typed_text, tokens[start].col, expr=expr))
    return tuple(out)


def _name(reader: Reader, start: int, stop: int) -> Term | None:
    """tokens[start:stop] as a derivative's name, dy/dx, d^2y/dx^2, y'', f'(x); or None."""
    tokens, text = reader.tokens, reader.text
    part = [*tokens[:stop], Token(END, "", tokens[stop].col)]
    op = operator_at(part, start, text)
    col = tokens[start].col
    if op is not None and op.value is not None:
        if op.end != stop:
            raise ParseError("expected '=' after the derivative's name",
                             column=tokens[op.end].col, text=text)  # fmt: skip
        return Term("", col, order=op.order, value=op.value, var=symbol(op.var))
    first = tokens[start]
    if first.kind != NAME or not _plain_name(first.value):
        return None
    primes, j = primes_at(part, start + 1)
    if not primes:
        return None
    if j == stop:
        return Term("", col, order=primes, value=first.value)
    if not (tokens[j].kind == OP and tokens[j].value == "("):
        return None
    arguments = reader.arguments(j, stop)
    if arguments is None:
        return None
    if len(arguments) > 1:
        raise ParseError(
            f"{first.value}' of several variables does not say which one: write d{first.value}/dx",
            column=first.col,
            text=text,
        )
    return Term("", col, order=primes, value=first.value, var=arguments[0])


# C, K, c and C_1, C1, c_2, …: how a constant of integration is named
_CONSTANT_NAME = re.compile(r"[CKc](_?[0-9]+)?")
# a name a variable is written as: a letter, perhaps with a subscript (t, X, x_1, x1)
_VARIABLE_NAME = re.compile(r"[^\W\d_](_[0-9A-Za-z]+|[0-9]+)?")


def constant_of_integration(answer: sympy.Expr, allowed: set) -> sympy.Symbol | None:
    """A name the expression does not have, named as a constant of integration is (C, K, c,
    C_1) and added to the answer (3x² + C, x⁴/4 − 2C): a term of its own, a number times it."""
    for name in sorted(answer.free_symbols - allowed, key=str):
        if not _CONSTANT_NAME.fullmatch(name.name):
            continue
        with_it = [term for term in sympy.Add.make_args(answer) if term.has(name)]
        if len(with_it) == 1 and (with_it[0] / name).is_number:
            return name
    return None


def renamed_variables(
    answer: sympy.Expr, allowed: set, variable: sympy.Symbol, value: str | None = None
) -> dict[sympy.Symbol, sympy.Symbol]:
    """Names the answer uses for variables of the expression ({used: meant}): another case
    of one (X for x, whatever else the answer has), or the one unknown name of an answer
    that does not have the variable at all (3t² for x). Other unknown names are left out, and
    the value's name (`value`, y when it has none): y for x² is no variable mixed up."""
    extra = sorted((s for s in answer.free_symbols - allowed if s.name != (value or "y")), key=str)
    renames = {}
    for name in extra:
        same = [s for s in allowed if s.name.lower() == name.name.lower() and s != name]
        if len(same) == 1 and same[0].is_Symbol:
            renames[name] = same[0]
    rest = [name for name in extra if name not in renames]
    if (
        len(rest) == 1
        and variable not in answer.free_symbols
        and variable not in renames.values()
        and _VARIABLE_NAME.fullmatch(rest[0].name)
    ):
        renames[rest[0]] = variable
    return renames


__all__ = [
    "Answer",
    "ParseError",
    "Term",
    "constant_of_integration",
    "exact",
    "exact_reading",
    "read_answer",
    "renamed_variables",
]
