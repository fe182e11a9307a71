"""A student's working, checked line by line (`chainrule check EXPR VAR --steps FILE`).

Each line is one step. A line's value is the line with its derivatives still to take worked
out ((sin x)' is cos x); the first line must equal the derivative asked for, each next line the
one before it. The first line that does not is wrong: it comes with a point where the two
differ and, where one explains it, the classic mistake made between them (calculus/check.py's
families, looked for in the derivatives the line before left to take). The lines after it are
judged against it, as a teacher reads on: "follows from your line 2".
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from chainrule_cli.calculus.check import (
    PRIORITY,
    Comparison,
    Mistake,
    _same,
    compare,
    derivative_with,
    likely_mistake,
    mistakes,
)
from chainrule_cli.calculus.steps import Record

VERDICTS = ("follows", "wrong", "undecided")


class Line(Record):
    """One line's verdict: `follows` (it equals the line before it, or for the first line the
    derivative), `wrong` (with the comparison's counterexample and perhaps the mistake), or
    `undecided`; `against` is the line it was compared with (0: the derivative asked for)."""

    number: int  # the line's number in the file
    text: str
    forms: tuple[sympy.Expr, ...]
    verdict: str
    against: int
    comparison: Comparison
    mistake: Mistake | None = None
    after_wrong: bool = False  # judged against a wrong line (it may follow from it)


class Working(Record):
    """The whole working: each line's verdict, the first wrong line (None when none), whether
    every line follows and the last has no derivative left to take (`correct`)."""

    expr: sympy.Expr
    var: sympy.Symbol
    derivative: sympy.Expr  # the verified derivative
    lines: tuple[Line, ...]
    first_wrong: int | None
    correct: bool
    finished: bool  # the last line has no derivative left to take
    left: tuple[sympy.Expr, ...] = ()  # the last line's derivatives still to take


def pending(expr: sympy.Expr) -> list[sympy.Derivative]:
    """The derivatives still to take in a form (not an unknown function's f'(x))."""
    return [d for d in expr.atoms(sympy.Derivative) if not isinstance(d.expr, AppliedUndef)]


def taken(expr: sympy.Expr) -> sympy.Expr:
    """The form with its derivatives worked out."""
    return expr.doit() if pending(expr) else expr


def check_working(
    expr: sympy.Expr, var: sympy.Symbol, derivative: sympy.Expr, forms: list[tuple[int, str, tuple]]
) -> Working:
    """Each line of `forms` ((number, text, its forms)) judged as the module says."""
    lines: list[Line] = []
    previous = sympy.Derivative(expr, var)  # as written: what the first line must equal
    previous_value, previous_line = derivative, 0
    first_wrong = None
    for number, text, line_forms in forms:
        verdicts = []
        comparison = mistake = None
        for form in line_forms:
            value = taken(form)
            comparison = compare(previous_value, value, expr)
            verdict = {"correct": "follows", "incorrect": "wrong"}.get(
                comparison.verdict, "undecided"
            )
            if verdict == "wrong":
                mistake = step_mistake(previous, previous_line, value, expr, var)
            verdicts.append(verdict)
            if verdict != "follows":
                break
            previous, previous_value = form, value
        verdict = next((v for v in verdicts if v != "follows"), "follows")
        lines.append(Line(number=number, text=text, forms=line_forms, verdict=verdict,
                          against=previous_line, comparison=comparison, mistake=mistake,
                          after_wrong=first_wrong is not None))  # fmt: skip
        if verdict == "wrong" and first_wrong is None:
            first_wrong = number
        # the next line is judged against this one as written, right or wrong
        last = line_forms[-1]
        previous, previous_value, previous_line = last, taken(last), number
    left = tuple(pending(lines[-1].forms[-1])) if lines else ()
    correct = all(line.verdict == "follows" for line in lines) and not left
    return Working(expr=expr, var=var, derivative=derivative, lines=tuple(lines),
                   first_wrong=first_wrong, correct=correct, finished=not left,
                   left=left)  # fmt: skip


def step_mistake(
    previous: sympy.Expr, previous_line: int, value: sympy.Expr, expr: sympy.Expr,
    var: sympy.Symbol,
) -> Mistake | None:  # fmt: skip
    """The classic mistake that turns the line before into this one: made in taking one of
    the derivatives it left to take (every place in it where a family's mistake can be made);
    against the derivative asked for, also the whole-answer mistakes (an antiderivative, the
    derivative of another order, another variable)."""
    if previous_line == 0:
        return likely_mistake(expr, var, sympy.diff(expr, var), value, function=expr, order=1)
    found: list[Mistake] = []
    for d in pending(previous):
        if len(d.variable_count) != 1 or d.variable_count[0][1] != 1:
            continue
        inner, by = d.expr, d.variables[0]
        right = previous.xreplace({d: sympy.diff(inner, by)}).doit()
        if _same(-right, value) and d == previous:
            found.append(Mistake(kind="sign", where=inner, wrong=-right, correct=right))
        for candidate in mistakes(inner, by):
            if any(PRIORITY.index(f.kind) <= PRIORITY.index(candidate.kind) for f in found):
                continue
            wrong = previous.xreplace({d: derivative_with(inner, by, candidate)}).doit()
            if _same(wrong, value):
                found.append(candidate)
    if not found:
        return None
    return min(found, key=lambda m: PRIORITY.index(m.kind))
