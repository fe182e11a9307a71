"""What a line means, decided in one place: the `Question` every command works on.

The text (and VAR, --order, --dependent, --let) becomes one immutable Question: the expression
or equation, the variables and how they were decided, the order, the kind, the declared names
and the notes a person must see. Every guard against a misreading runs here, whatever the
command or the path (the command line or the API, a batch line or not, with or without VAR):
a variable hidden in a longer name (`wx` by x), a line whose only name is glued (`y = kx`),
VAR written `dx`, an operator and a VAR that disagree, an answer given as the question.
docs/architecture.md §1 shows the way through.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy

from chainrule_cli.errors import LimitError, ParseError, UnsupportedError
from chainrule_cli.parse.answers import (
    Answer,
    constant_of_integration,
    exact,
    exact_reading,
    read_answer,
    renamed_variables,
)
from chainrule_cli.parse.inputs import (
    ReadOptions,
    order_intermediates,
    parse_lets,
    parse_outputs,
    substitute,
    variable_named,
)
from chainrule_cli.parse.names import (
    CONSTANTS,
    FUNCTIONS,
    GREEK,
    GREEK_UPPER,
    MAX_POWER_BITS,
    log2_size,
    spelt,
)
from chainrule_cli.parse.parser import UNWORKED, symbol
from chainrule_cli.parse.reading import Reading

_TYPED_I = re.compile(r"(?<![A-Za-z0-9_\\])I(?![A-Za-z0-9_])")
# How the variable was decided: given as VAR; by d/dx; by f(x) = …; the only variable; x for
# an expression with none; every variable (grad, graph); by the equation (x, else the other).
DECIDED = ("typed", "operator", "definition", "only", "default", "all", "equation")


@dataclass(frozen=True, slots=True)
class Question:
    """A line of input as the work will use it. Nothing after parse/ interprets the text."""

    text: str  # as typed
    kind: str  # "expression", "operator" (d/dx …), "definition" (y = …), "equation", "list"
    expr: sympy.Expr  # as written (through the --let names); an equation: lhs − rhs
    whole: sympy.Expr  # in the original variables (the --let names put in)
    variables: tuple[sympy.Symbol, ...]  # to differentiate by
    decided: str  # how the variables were decided: one of DECIDED
    order: int = 1
    value: str | None = None  # the value's name: y in y = …, f in f(x) = …
    arguments: tuple[sympy.Symbol, ...] = ()  # f(w, x) = …: the declared variables
    lhs: sympy.Expr | None = None  # an equation's sides
    rhs: sympy.Expr | None = None
    dependent: sympy.Symbol | None = None  # an equation's y = y(x)
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()  # --let u=…, in dependency order
    outputs: tuple[sympy.Expr, ...] = ()  # a list [f1, f2, …] (jacobian), as written
    functions: tuple[str, ...] = ()  # the declared unknown functions (--function)
    # names with a shape; none yet: vectors and matrices are read once they have shapes
    shapes: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()  # what a person must be told: "absent" (VAR does not occur)
    typed: dict | None = None  # sub-expressions as typed (w·x + b), for the printers
    answer: Answer | None = None  # check: the answer as handed in (a chain, dy/dx = …)
    # a student's working (ReadOptions.unworked): its derivatives still to take, as typed
    pending: tuple[sympy.Derivative, ...] = ()

    @property
    def var(self) -> sympy.Symbol:
        """The one variable of a derivative (diff, check, tangent, plot)."""
        return self.variables[0]

    @property
    def named(self) -> dict[sympy.Symbol, sympy.Expr]:
        return dict(self.lets)

    @property
    def equation(self) -> tuple[sympy.Expr, sympy.Expr] | None:
        return (self.lhs, self.rhs) if self.kind == "equation" else None


def read_input(
    text: str | sympy.Expr,
    how: ReadOptions | None = None,
    prime_variable: sympy.Symbol | None = None,
) -> Reading:
    """The Reading of user text (d/dx …, y = …, an equation, or an expression); a SymPy
    expression is read as itself."""
    from chainrule_cli.parse import read

    if not isinstance(text, str):
        refuse_unreadable_names(text)
        return Reading(str(text), "expression", text, from_text=False)
    options = {"prime_variable": prime_variable} if prime_variable is not None else {}
    return read(text, **(how or ReadOptions()).keywords(), **options)


# what no name may hold: a character that is not printable (a newline, ESC, a bidi override)
# or one with a meaning in HTML or LaTeX (a Python caller's `my var` is a name; `<b>` is not)
_UNSAFE_IN_NAME = re.compile(r"[<>&\\{}$%#`\"]|[^\S ]")


def refuse_unreadable_names(expr) -> None:
    """A SymPy expression from Python may hold names no input could have produced (a newline,
    </math><script>, \\input{…}): refused, so that no name can leave its place in a page, a
    document or emitted code (issue 27, F2, F3)."""
    if not isinstance(expr, sympy.Basic):
        return
    from sympy.core.function import AppliedUndef

    names = [s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol)]
    names += [f.func.__name__ for f in expr.atoms(AppliedUndef)]
    for name in names:
        if not name.strip() or not name.isprintable() or _UNSAFE_IN_NAME.search(name):
            shown = name.encode("unicode_escape").decode("ascii")[:60]
            raise ParseError(
                f"the name '{shown}' is not one chainrule reads: a name is letters, digits and"
                " _ (as x, w_1, alpha), nothing that is not printable and none of < > & \\ { } $"
                ' % # ` "'
            )


def _given(var) -> bool:
    return var is not None and var != ""


# ---- the questions ----------------------------------------------------------------------------


def ask_derivative(
    text: str | sympy.Expr,
    how: ReadOptions | None = None,
    *,
    var: str | sympy.Symbol | None = None,
    order: int | None = None,
    dependent: str | sympy.Symbol | None = None,
    lets: Mapping[str, object] | Iterable[str] = (),
    exact_decimals: bool = False,
) -> Question:
    """A derivative by one variable (diff, check, tangent, plot): the text read as a student
    writes it (d/dx …, y = …, f(x) = …, an equation), VAR and --order checked against what it
    says, the variable decided, every guard run. With exact_decimals, 1.9 is 19/10 (a grade
    compares exact values)."""
    how = how or ReadOptions()
    reading = read_input(text, how)
    named = parse_lets(lets, how)
    if exact_decimals:
        reading = exact_reading(reading)
        named = {name: exact(value) for name, value in named.items()}
    refuse_answer_form(reading)
    reading = by_the_value(reading, var)
    wanted, times = operator_agrees(reading, var, order)
    common = {"text": reading.text, "functions": how.functions, "typed": reading.typed}
    if reading.kind == "equation":
        if named:
            raise UnsupportedError("--let does not work with an equation")
        x, y = implicit_variables(reading, wanted, dependent)
        refuse_towers(reading.expr, x)
        decided = "typed" if _given(wanted) else "equation"
        return Question(kind="equation", expr=reading.expr, whole=reading.expr, variables=(x,),
                        decided=decided, order=times, lhs=reading.lhs, rhs=reading.rhs,
                        dependent=y, **common)  # fmt: skip
    if dependent is not None:
        raise ParseError("--dependent is for an equation in two variables (x^2 + y^2 = 25)")
    order_of = order_intermediates(named) if named else []
    whole = substitute(reading.expr, named, order_of) if named else reading.expr
    variable, decided = decide_variable(reading, whole, wanted)
    if variable in named:
        raise ParseError(f"{variable} is the variable; it cannot also be an intermediate")
    if reading.pending:  # (sin x)': by the variable decided
        put = {UNWORKED: variable}
        whole, reading = whole.xreplace(put), dataclasses.replace(
            reading, expr=reading.expr.xreplace(put),
            pending=tuple(d.xreplace(put) for d in reading.pending))  # fmt: skip
    refuse_towers(whole, variable)
    # VAR hidden in a longer name is refused above; absent, the derivative is 0: a note
    notes = () if variable in whole.free_symbols else ("absent",)
    if reading.from_text and whole.has(sympy.I) and _TYPED_I.search(reading.text):
        notes += ("imaginary",)  # V = I R: the imaginary unit, not a current
    return Question(kind=reading.kind, expr=reading.expr, whole=whole, variables=(variable,),
                    decided=decided, order=times, value=reading.value,
                    arguments=reading.arguments, lets=tuple((u, named[u]) for u in order_of),
                    notes=notes, pending=reading.pending, **common)  # fmt: skip


def ask_check(
    text: str | sympy.Expr,
    answer: str | sympy.Expr,
    how: ReadOptions | None = None,
    *,
    var: str | sympy.Symbol | None = None,
    order: int | None = None,
    dependent: str | sympy.Symbol | None = None,
    lets: Mapping[str, object] | Iterable[str] = (),
) -> Question:
    """An answer to grade (check): the derivative asked for, as ask_derivative reads it with
    its decimals exact, and the answer as handed in (parse/answers.py: dy/dx = …, a chain
    A = B = C), whose derivative's name gives the order when nothing else does."""
    how = how or ReadOptions()
    q = ask_derivative(text, how, var=var, order=order, dependent=dependent, lets=lets,
                       exact_decimals=True)  # fmt: skip
    said = read_answer(answer, how, prime_variable=q.var)
    times = answer_order(said, q.var, q.order, order, q)
    for term in said.terms:  # d/dx (x^2) = … for x^3: the derivative of another expression
        if term.operand is None:
            continue
        operand = through_the_value(Reading(said.text, "expression", term.operand), q).expr
        if q.kind == "equation" and operand == q.dependent:
            continue  # d/dx y = −x/y: dy/dx, named by its operator
        if not _same_expression(operand, q.whole):  # an equation's whole is lhs − rhs
            raise ParseError(
                f"the answer's {term.text} is the derivative of another expression than the one"
                " asked about",
                column=term.column,
                text=said.text,
            )
    return dataclasses.replace(q, order=times, answer=said)


@dataclass(frozen=True, slots=True)
class WorkedLine:
    """A line of a student's working: its number in the file, its text, and the forms it
    gives in order (one; a chain A = B gives two), derivatives still to take kept as
    Derivative objects. `function`: the line restates the function (y = …, f(x) = …), not a
    step of its derivative. Per form, a constant of integration it adds (or None) and the
    names it writes for the variable ({t: x})."""

    number: int
    text: str
    forms: tuple[sympy.Expr, ...]
    function: bool = False
    constants: tuple = ()
    renames: tuple = ()
    order: int | None = None  # the order its derivative's name says (y'' = …), if it names one


# words a student writes around the working, not part of it: "Using the product rule:"
_PROSE = re.compile(r"[^=]*:\s*")
_TRAILING = re.compile(r"\s+#.*$|\s*\.$")  # "= 2x  # power rule", "= 2x."


def ask_working(
    text: str | sympy.Expr,
    lines: Iterable[str],
    how: ReadOptions | None = None,
    *,
    var: str | sympy.Symbol | None = None,
    order: int | None = None,
) -> tuple[Question, tuple[WorkedLine, ...]]:
    """A worked solution to check line by line (check --steps): the derivative asked for, as
    ask_derivative reads it with its decimals exact, and each line as a student writes one
    step: `dy/dx = …`, `f'(x) = …`, `y'' = …`, `= …` or the form alone, (EXPR)' and d/dx (EXPR)
    for the derivatives not yet taken; a line `y = …` or `f(x) = …` restates the function.
    Blank lines, lines starting with #, a comment after # and words ending in a colon (Using
    the product rule:) are left out. The order is `order`, else the one the first derivative's
    name says (y'' = …), else 1. A line that cannot be read is a ParseError that names its
    line."""
    how = how or ReadOptions()
    q = ask_derivative(text, how, var=var, order=order, exact_decimals=True)
    if q.kind == "equation":
        raise UnsupportedError("--steps checks the working of an expression's derivative, not"
                               " of an equation")  # fmt: skip
    working = dataclasses.replace(how, unworked=True)
    allowed = q.whole.free_symbols | {q.var}
    out = []
    for number, raw in enumerate(lines, start=1):
        line = _TRAILING.sub("", raw.strip())
        if not line or line.startswith("#") or _PROSE.fullmatch(line):
            continue
        body = line[1:].strip() if line.startswith("=") else line
        try:
            if not body:
                raise ParseError("expected an expression after '='", column=1, text=line)
            out.append(_worked_line(number, line, body, working, q, allowed))
        except (ParseError, LimitError) as exc:
            # the column in the line as typed, '= ' included
            column = None if exc.column is None else exc.column + line.index(body or "=")
            raise type(exc)(exc.message, column=column, text=line, line=number) from None
    if not out:
        raise ParseError("the working has no lines: one step a line")
    named = next((w.order for w in out if w.order is not None), None)
    times = order or named or 1
    if times != q.order:
        q = dataclasses.replace(q, order=times)
    return q, tuple(out)


def _worked_line(
    number: int, line: str, body: str, how: ReadOptions, q: Question, allowed: set
) -> WorkedLine:
    """One line of working: the forms it gives, in the question's variable."""
    # (sin x)' by the question's variable: prime_variable, never the parser's placeholder
    said = read_answer(body, how, prime_variable=q.var)
    reading = said.reading
    if said.terms:
        raw = [
            t.expr if t.operand is None else sympy.Derivative(t.operand, (t.var, t.order))
            for t in said.terms
            if not t.is_name or t.operand is not None
        ]
        named = next((t.order for t in said.terms if t.is_name), None)
    elif reading.kind == "operator":  # d/dx (x^2 sin x): the question restated
        raw = [sympy.Derivative(reading.expr, (reading.var, reading.order or 1))]
        named = None
    else:
        raw = [reading.expr]
        named = reading.order if reading.kind == "derivative" else None
    function = reading.kind == "definition" and not said.terms  # y = …, f(x) = …
    forms, constants, renames = [], [], []
    for e in raw:
        if not function:
            e = through_the_value(Reading(body, "expression", e), q).expr
        refuse_numbers_too_large(e)
        constant, renamed = refuse_unknown_names(e, allowed, body, q.var, q.value)
        forms.append(e)
        constants.append(constant)
        renames.append(tuple(renamed.items()))
    return WorkedLine(number, line, tuple(forms), function, tuple(constants), tuple(renames),
                      named)  # fmt: skip


def _same_expression(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Are a and b the same expression, as far as a bounded expansion shows?"""
    if a == b:
        return True
    difference = a - b
    if difference == 0 or sympy.count_ops(difference) > 200:
        return difference == 0
    try:
        return sympy.expand(difference) == 0 or sympy.cancel(difference) == 0
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return False


def ask_gradient(
    text: str | sympy.Expr,
    how: ReadOptions | None = None,
    *,
    command: str = "grad",
    variables: Iterable[str | sympy.Symbol] | None = None,
    lets: Mapping[str, object] | Iterable[str] = (),
) -> Question:
    """Every partial derivative (grad, graph): an expression or a definition f(x, y) = …; the
    variables given, declared by the definition, or all of them."""
    how = how or ReadOptions()
    reading = read_input(text, how)
    only_expression_or_definition(reading, command)
    named = parse_lets(lets, how)
    order_of = order_intermediates(named) if named else []
    whole = substitute(reading.expr, named, order_of) if named else reading.expr
    names = list(variables or ())
    if names:
        chosen = [declared_variable(reading, whole, v) for v in names]
        decided = "typed"
    elif reading.arguments:
        chosen, decided = list(reading.arguments), "definition"
    else:
        chosen, decided = sorted(whole.free_symbols, key=str), "all"
    if not chosen and command == "grad":
        raise ParseError("the expression has no variables to take a gradient by")
    if len(set(chosen)) != len(chosen):
        raise ParseError("a variable is named twice")
    if any(v in named for v in chosen):
        raise ParseError("a variable cannot also be an intermediate")
    for variable in chosen:
        hidden_name(whole, variable, reading.text)
    if decided == "all" and reading.from_text:
        refuse_glued(chosen, reading.text, command)
    for variable in chosen or sorted(whole.free_symbols, key=str):
        refuse_towers(whole, variable)
    return Question(text=reading.text, kind=reading.kind, expr=reading.expr, whole=whole,
                    variables=tuple(chosen), decided=decided, value=reading.value,
                    arguments=reading.arguments, lets=tuple((u, named[u]) for u in order_of),
                    functions=how.functions, typed=reading.typed)  # fmt: skip


def ask_jacobian(
    outputs: str | Iterable[str | sympy.Expr],
    how: ReadOptions | None = None,
    *,
    wrt: Iterable[str | sympy.Symbol] | None = None,
    lets: Mapping[str, object] | Iterable[str] = (),
) -> Question:
    """A Jacobian: a list [f1, f2, …] (text, a list, or one expression) by the variables given,
    or by all of them."""
    how = how or ReadOptions()
    if isinstance(outputs, str):
        written, text = parse_outputs(outputs, how), outputs
    else:
        written = [how.parse(f) if isinstance(f, str) else f for f in outputs]
        for f in written:
            refuse_unreadable_names(f)
        text = "[" + ", ".join(str(f) for f in written) + "]"
    named = parse_lets(lets, how)
    order_of = order_intermediates(named) if named else []
    whole = [substitute(f, named, order_of) for f in written]
    free = sorted(set().union(*(f.free_symbols for f in whole)), key=str)
    names = list(wrt or ())
    variables = [resolve_variable(whole[0], v) for v in names] or free
    if not variables:
        raise ParseError("the functions have no variables to differentiate by")
    if len(set(variables)) != len(variables):
        raise ParseError("a variable is named twice")
    if any(v in named for v in variables):
        raise ParseError("a variable cannot also be an intermediate")
    for f in whole:
        for v in variables:
            hidden_name(f, v, text if isinstance(outputs, str) else None)
            refuse_towers(f, v)
    if not names and isinstance(outputs, str):
        refuse_glued(variables, text, "jacobian")
    return Question(text=text, kind="list", expr=whole[0], whole=whole[0],
                    variables=tuple(variables), decided="typed" if names else "all",
                    lets=tuple((u, named[u]) for u in order_of), outputs=tuple(written),
                    functions=how.functions)  # fmt: skip


# ---- the guards -------------------------------------------------------------------------------


def resolve_variable(expr: sympy.Expr, var: str | sympy.Symbol | None) -> sympy.Symbol:
    """The variable to differentiate by; may be left out when the expression has one."""
    if isinstance(var, sympy.Symbol):
        return var if var.is_real else symbol(var.name)
    if not _given(var):
        free = sorted(expr.free_symbols, key=str)
        if len(free) == 1:
            return free[0]
        if not free:
            return symbol("x")
        names = ", ".join(str(s) for s in free)
        glued = [s.name for s in free if is_glued(s.name)]
        hint = ""
        if glued:
            spaced, starred = spell(glued[0])
            hint = f" ('{glued[0]}' is one name: for a product write {spaced} or {starred})"
        raise ParseError(f"the expression has several variables ({names}); say which one{hint}")
    return variable_named(var)


def by_the_value(reading: Reading, var) -> Reading:
    """x = y^3 by x: the definition's own name is the variable, so the student means the
    equation, differentiated implicitly (y = y(x)), not d/dx of a value named x."""
    if reading.kind != "definition" or reading.arguments or not _given(var):
        return reading
    if str(var).strip() != reading.value:
        return reading
    lhs = symbol(reading.value)
    return dataclasses.replace(
        reading, kind="equation", lhs=lhs, rhs=reading.expr, expr=lhs - reading.expr, value=None
    )


def refuse_answer_form(reading: Reading) -> None:
    """dy/dx = 2x is a derivative already: an answer for `check`, nothing to differentiate."""
    if reading.kind == "derivative":
        raise ParseError(
            "this names a derivative and its value (an answer, as in dy/dx = …); say what to"
            " differentiate, or check the answer with: chainrule check EXPR VAR ANSWER",
            column=1,
            text=reading.text,
        )


def operator_agrees(reading: Reading, var, order: int | None) -> tuple:
    """The variable and the order to use: those of the operator (d^2/dx^2 …), which VAR and
    --order may repeat but not contradict; else VAR (or None) and --order (or 1)."""
    if reading.kind != "operator":
        return var, order or 1
    said = reading.var
    if _given(var) and resolve_variable(reading.expr, var) != said:
        raise ParseError(
            f"the expression says d/d{said} but the variable given is {var}; give one of them"
        )
    if order is not None and order != reading.order:
        raise ParseError(
            f"the expression asks for derivative {reading.order} (d^{reading.order}/d{said}^"
            f"{reading.order}) but --order is {order}; give one of them"
        )
    return said, reading.order


def decide_variable(reading: Reading, expr: sympy.Expr, var) -> tuple[sympy.Symbol, str]:
    """The variable and how it was decided: given, or by d/dx, or declared by f(x) = …, or the
    only one; with f(w, x) = … it must be one of w and x. Whichever way, it is checked the
    same: not the value's own name, not dx, not hidden in a longer name, and not itself a
    glued name unless it was typed."""
    arguments = reading.arguments
    if _given(var):
        variable = resolve_variable(expr, var)
        decided = "operator" if reading.kind == "operator" else "typed"
    elif arguments:
        if len(arguments) > 1:
            names = ", ".join(str(a) for a in arguments)
            raise ParseError(f"{reading.value}({names}) has several variables; say which one")
        variable, decided = arguments[0], "definition"
    else:
        variable = resolve_variable(expr, var)
        decided = "only" if expr.free_symbols else "default"
    if arguments and variable not in arguments:
        names = ", ".join(str(a) for a in arguments)
        raise ParseError(f"{reading.value}({names}) is a function of {names}, not of {variable}")
    if reading.value is not None and variable.name == reading.value:
        raise ParseError(
            f"{variable} is the function's value here ({variable} = …); say which variable to"
            " differentiate by"
        )
    not_a_differential(expr, variable)
    value = (reading.value,) if reading.value is not None else ()
    hidden_name(expr, variable, reading.text, more=value)  # xy = 1 by x: xy is one name
    if decided == "only" and reading.from_text:
        refuse_glued([variable], reading.text, "diff")
    return variable, decided


def declared_variable(reading: Reading, expr: sympy.Expr, var) -> sympy.Symbol:
    """The variable alone (decide_variable without how it was decided)."""
    return decide_variable(reading, expr, var)[0]


def not_a_differential(expr: sympy.Expr, variable: sympy.Symbol) -> None:
    """VAR written dx (as in d/dx) means x: refused with the fix, not differentiated by a
    variable named dx (giving 0)."""
    name = variable.name
    names = {s.name for s in expr.free_symbols}
    if name not in names and name.startswith("d") and name[1:] in names:
        raise ParseError(f"the variable is {name[1:]}, not {name}: give it without the d")


def implicit_variables(reading: Reading, var, dependent) -> tuple[sympy.Symbol, sympy.Symbol]:
    """(x, y) for an equation: VAR and --dependent, or what they must be: x and y when both
    occur, else the two variables of the equation."""
    free = sorted(reading.expr.free_symbols, key=str)
    for symbol_ in free:  # 6xy beside x: xy is one name, a misreading of x·y
        hidden_name(reading.expr, symbol_, reading.text)
    if len(free) == 1 and len(free[0].name) > 1 and free[0].name.isalpha():
        hidden_name(reading.expr, symbol(free[0].name[0]), reading.text)
    x = resolve_variable(reading.expr, var) if _given(var) else None
    y = variable_named(str(dependent)) if dependent is not None else None
    if isinstance(dependent, sympy.Symbol):
        y = dependent if dependent.is_real else variable_named(dependent.name)
    for given in (x, y):
        if given is not None and given not in free:
            hidden_name(reading.expr, given, reading.text)
            raise ParseError(f"{given} does not appear in the equation")
    if x is None:
        others = [s for s in free if s != y]
        if any(s.name == "x" for s in others):
            x = next(s for s in others if s.name == "x")
        elif len(others) == 1:
            x = others[0]
        else:
            names = ", ".join(str(s) for s in others)
            raise ParseError(f"the equation has the variables {names}; say which one to"
                             " differentiate by")  # fmt: skip
    if y is None:
        others = [s for s in free if s != x]
        if len(others) == 1:
            y = others[0]
        elif any(s.name == "y" for s in others):
            y = next(s for s in others if s.name == "y")
        elif not others:
            raise ParseError(
                f"the equation has only the variable {x}: there is no function of {x} to find"
            )
        else:
            names = ", ".join(str(s) for s in others)
            raise ParseError(f"say which of {names} depends on {x}, with --dependent NAME")
    if x == y:
        raise ParseError(f"{x} cannot depend on itself: --dependent must differ from VAR")
    for given in (x, y):
        not_a_differential(reading.expr, given)
        hidden_name(reading.expr, given, reading.text)
    return x, y


def only_expression_or_definition(reading: Reading, command: str) -> None:
    """grad, jacobian and graph take an expression, or a definition f(x, y) = … that names it:
    an operator or an equation says something they cannot do."""
    refuse_answer_form(reading)
    if reading.kind == "operator":
        raise ParseError(
            f"{command} works out every variable's derivative itself: leave out d/d{reading.var}",
            column=1,
            text=reading.text,
        )
    if reading.kind == "equation":
        raise ParseError(
            f"{command} takes an expression, not an equation (implicit differentiation is"
            " chainrule diff EQUATION VAR)",
            column=1,
            text=reading.text,
        )


def answer_order(answer: Answer, variable, times: int, order: int | None, asked_of) -> int:
    """The order the answer names (y'' = …, d²y/dx² = …) must be the one asked for, and
    gives it when nothing else did; so must its variable. A chain's later names may name
    other orders (f'(x) = f''(x) = 0), each checked as its own; of one function, one variable."""

    said = answer.reading
    names = [t for t in answer.terms if t.is_name]
    for term in names:
        if term.var is not None and term.var != variable:
            raise ParseError(f"the answer is a derivative by {term.var}, but the variable is"
                             f" {variable}", column=term.column, text=said.text)  # fmt: skip
    functions = sorted({t.value for t in names})
    if len(functions) > 1:
        raise ParseError(
            f"the answer names the derivatives of {functions[0]} and {functions[1]}; name one"
            " function",
            column=1,
            text=said.text,
        )
    if said.kind not in ("expression", "derivative"):
        kinds = {"operator": "a derivative to take (d/dx …)", "definition": "a definition",
                 "equation": "an equation"}  # fmt: skip
        raise ParseError(
            f"the answer is {kinds[said.kind]}; write the derivative, as 2x or dy/dx = 2x",
            column=1,
            text=said.text,
        )
    if said.kind != "derivative":
        return times
    if said.var is not None and said.var != variable:
        raise ParseError(f"the answer is a derivative by {said.var}, but the variable is"
                         f" {variable}", column=1, text=said.text)  # fmt: skip
    operator = asked_of.kind == "operator"
    asked = order if order is not None else (asked_of.order if operator else None)
    if asked is not None and asked != said.order:
        raise ParseError(
            f"the answer names derivative {said.order}, but derivative {asked} is asked for",
            column=1,
            text=said.text,
        )
    return said.order


def through_the_value(said: Reading, reading) -> Reading:
    """An answer may use the value's name, as the derivation does (y = e^x: y' = y;
    f(x) = e^x: f'(x) = f(x)): the name stands for the expression it was defined as. A
    derivative named by another function (g'(x) for f(x) = …) is refused. `reading` is the
    expression's Reading or Question."""
    from sympy.core.function import AppliedUndef

    value = reading.value
    if reading.kind != "definition" or value is None:
        return said
    if said.kind == "derivative" and said.value not in (None, value):
        raise ParseError(
            f"the answer names the derivative of {said.value}, but the function is {value}",
            column=1,
            text=said.text,
        )
    expr = said.expr.xreplace({symbol_: reading.expr for symbol_ in said.expr.free_symbols
                               if symbol_.name == value})  # fmt: skip
    calls = {
        call: reading.expr.xreplace(dict(zip(reading.arguments, call.args, strict=True)))
        for call in expr.atoms(AppliedUndef)
        if call.func.__name__ == value and len(call.args) == len(reading.arguments)
    }
    return said.__class__(**{**{f: getattr(said, f) for f in said.__slots__},
                             "expr": expr.xreplace(calls)})  # fmt: skip


def refuse_unknown_names(
    given: sympy.Expr, allowed: set, text: str, variable=None, value: str | None = None
) -> tuple:
    """An answer that uses a name the expression does not have is a misreading or a typo
    (`xy` for x·y): refused with the fix, never compared. Except what a student hands in and
    a teacher grades (given the variable): a constant of integration (3x² + C) and a variable
    written otherwise (3X² or 3t² for x). Returns (the constant or None, {used: meant})."""
    constant = renames = None
    if variable is not None:
        constant = constant_of_integration(given, allowed)
        allowed = allowed | ({constant} if constant is not None else set())
        renames = renamed_variables(given, allowed, variable, value)
    extra = sorted(s.name for s in given.free_symbols - allowed - set(renames or ()))
    if not extra:
        return constant, renames or {}
    name = extra[0]
    letters = {s.name for s in allowed if len(s.name) == 1}
    fix = ""
    if len(name) > 1 and set(name) <= letters | set("0123456789"):
        spaced, starred = spell(name)
        fix = f"; '{name}' is one name: for a product write {spaced} or {starred}"
    have = ", ".join(sorted(s.name for s in allowed)) or "none"
    raise ParseError(
        f"the answer uses {', '.join(extra)}, which the expression does not have (it has"
        f" {have}){fix}",
        column=column_of(name, text) or 1,
        text=text,
    )


def refuse_towers(expr: sympy.Expr, var: sympy.Symbol) -> None:
    """A number such as 10^10^10 is kept as a symbolic tower, but where it multiplies the
    variable SymPy's algebra would try to compute it, in a loop --timeout cannot interrupt."""
    _, dependent = expr.as_independent(var, as_Add=True)
    for power in dependent.atoms(sympy.Pow):
        if power.is_number and (log2_size(power) or 0) > MAX_POWER_BITS:
            raise LimitError(
                f"{power} is too large a number to differentiate through "
                "(it can only be a constant term)"
            )


def refuse_numbers_too_large(expr: sympy.Expr) -> None:
    """A tower such as 10^10^10 anywhere in an answer: comparing would compute it (SymPy's
    arithmetic on it holds the interpreter; no --timeout could stop it)."""
    for power in expr.atoms(sympy.Pow):
        if power.is_number and (log2_size(power) or 0) > MAX_POWER_BITS:
            raise LimitError(f"{power} is too large a number to compare with")


# ---- names glued together ---------------------------------------------------------------------

_KNOWN = frozenset({*GREEK, *GREEK_UPPER, *CONSTANTS, *FUNCTIONS})


# a function's name inside a longer name: xsinx, xlnx, xexpx are products to the student
_FUNCTION_INSIDE = re.compile("sin|cos|tan|cot|sec|csc|exp|log|ln|sqrt")


def is_glued(name: str) -> bool:
    """Is `name` letters a student may have meant as a product: two or three letters (kx,
    wx, at, xy, abc), or letters around a function's name (xsinx)? Greek names, constants and
    function names are not, nor are words (rate, mass, inputs), nor names with digits or _
    (w0, x_1), which are their own variables."""
    if not (name.isascii() and name.isalpha()) or name in _KNOWN or len(name) < 2:
        return False
    return len(name) <= 3 or _FUNCTION_INSIDE.search(name) is not None


# how a variable is given by name, in each command
_GIVEN = {"diff": "chainrule diff EXPR {}", "grad": "chainrule grad EXPR {} …",
          "graph": "--wrt {}", "jacobian": "chainrule jacobian EXPR {} …"}  # fmt: skip


def refuse_glued(variables: Iterable[sympy.Symbol], text: str | None, command: str) -> None:
    """A variable that was not typed but found (the only name of `y = kx`, every name of
    `grad "wx + b"`) must not be letters glued together: kx is k·x to the student who typed
    it, and d/d(kx) is not what they asked. Refused with the fix; a variable of that name
    can still be given. (Only for typed text: symbols made in Python are what they are.)"""
    if text is None:
        return
    for variable in variables:
        name = variable.name
        if not is_glued(name):
            continue
        spaced, starred = spell(name)
        column = column_of(name, text)
        how = _GIVEN[command].format(name)
        raise ParseError(
            f"'{name}' is one name, so it is not a product; write {spaced} or {starred} (a"
            f" variable named {name} must be given by name: {how})",
            column=column,
            text=text if column else None,
        )


def hidden_name(
    expr: sympy.Expr, var: sympy.Symbol, text: str | None = None, more: tuple[str, ...] = ()
) -> None:
    """VAR inside a longer name (`wx`, `xy`, `xlnx`, `sinx2`) is a misreading verification
    cannot see (d/dx of x + xlnx would be 1): refused with the fix, whether or not VAR also
    occurs on its own."""
    name = var.name
    if not name.isidentifier():
        return  # a symbol made in Python ('"'): no name a student typed
    for other in sorted({s.name for s in expr.free_symbols} | set(more)):
        core = re.sub(r"(_\w*|\d+)$", "", other)  # x_1 and w0 are their own variables
        if other == name or core in _KNOWN or len(core) <= len(name) or name not in core:
            continue
        spaced, starred = spell(other)
        fix = f"write {spaced} or {starred}"
        if " " not in spaced:
            fix = f"name the variable differently ({other} contains {name})"
        column = column_of(other, text)
        raise ParseError(
            f"'{other}' is one name, so it is not a product with {name}; {fix}",
            column=column,
            text=text if column else None,
        )


def column_of(name: str, text: str | None) -> int | None:
    """Where a name stands in the text as a whole name (2xy: column 2), 1-based; or None."""
    found = re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z0-9_])", text or "")
    return found.start() + 1 if found else None


def spell(name: str) -> tuple[str, str]:
    """A glued name taken apart as a student means it: 'xlnx' -> ('x ln x', 'x*ln(x)'),
    'wx' -> ('w x', 'w*x'), 'sinx2' -> ('sin(x) 2', 'sin(x)*2'), 'xsin' (of 2xsin x) ->
    ('x sin', 'x*sin'), 'xshx' -> ('x sh x', 'x*sh(x)'): each spelling, put in place of the
    name, reads as meant (a function's argument is bracketed when more follows it, since
    `sin x 2` is refused)."""
    long = sorted((f for f in FUNCTIONS if len(f) > 2 and f.islower()), key=len, reverse=True)
    short = [f for f in FUNCTIONS if len(f) == 2 and f.islower()]  # ln, sh, ch, th, tg, lg
    parts: list[str] = []
    i = 0
    while i < len(name):
        fn = next((f for f in long if name.startswith(f, i)), None)
        if fn is not None and (i > 0 or i + len(fn) < len(name)):
            parts.append(fn)
            i += len(fn)
            continue
        fn = next((f for f in short if name.startswith(f, i)), None)
        if fn is not None and i + len(fn) < len(name):
            parts.append(fn)
            i += len(fn)
            continue
        piece = re.match(r"\d+|[A-Za-z]|_\w*|.", name[i:], re.DOTALL).group()
        parts.append(piece)
        i += len(piece)
    functions = {*long, *short}
    spaced: list[str] = []
    starred: list[str] = []
    pending = None
    for k, part in enumerate(parts):
        if part in functions:
            pending = part if pending is None else f"{pending}({part}"
            continue
        if pending is not None:
            call = f"{pending}({part})" + ")" * pending.count("(")
            starred.append(call)
            more = k + 1 < len(parts)  # sin x 2 is refused: sin(x) 2
            spaced.append(call if more else f"{pending.replace('(', ' ')} {part}")
            pending = None
        else:
            starred.append(part)
            spaced.append(part)
    if pending is not None:  # xsin: the function's argument follows the name in the text
        starred.append(pending)
        spaced.append(pending)
    return " ".join(spaced), "*".join(starred)


def read_shapes(specs: Iterable[str]) -> dict:
    """--shape W=3x2 --shape x=n … as {name: Shape}; a bad spec or a name twice is a ParseError."""
    from chainrule_cli.arrays import parse_shape

    shapes: dict = {}
    for spec in specs:
        name, eq, size = spec.partition("=")
        name = spelt(name.strip())
        if not eq or not name:
            raise ParseError(f"--shape takes NAME=SIZE (W=3x2, x=n), not {spec!r}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ParseError(f"--shape {spec}: {name!r} is not a name")
        if name in shapes:
            raise ParseError(f"--shape gives {name} twice")
        if name in FUNCTIONS or name in CONSTANTS:
            raise ParseError(f"--shape {spec}: {name} is a function or a constant, not a name")
        try:
            shapes[name] = parse_shape(size)
        except ValueError as error:
            raise ParseError(f"--shape {spec}: {error}") from None
    return shapes


def ask_array(
    text: str,
    how: ReadOptions | None = None,
    *,
    shapes: Iterable[str],
    variables: Iterable[str] | None = None,
    command: str = "diff",
) -> Question:
    """A line with vectors and matrices (--shape): the array tree of chainrule_cli.arrays, the
    variables given (diff: one; grad, graph: any) or, where none is given, the one array for
    diff and every input for grad and graph. `L = …` names the value."""
    from chainrule_cli.parse import tokens_of
    from chainrule_cli.parse.arrays import parse_array
    from chainrule_cli.parse.lexer import NAME

    how = how or ReadOptions()
    if not isinstance(text, str):
        raise TypeError("with shapes, the expression must be text")
    declared = read_shapes(shapes)
    tokens = tokens_of(text, how.input, how.max_length)
    value = None
    if len(tokens) > 2 and tokens[0].kind == NAME and tokens[1].value == "=":
        if tokens[0].value in declared:
            raise ParseError(f"{tokens[0].value} has a shape, so it cannot name the value",
                             column=tokens[0].col, text=text)  # fmt: skip
        value, tokens = tokens[0].value, tokens[2:]
    node, notes = parse_array(text, tokens, declared, max_depth=min(how.max_depth, 400))
    from chainrule_cli.arrays import names_in

    present = names_in(node)
    unused = sorted(set(declared) - present)
    if unused:
        raise ParseError(
            f"--shape {unused[0]}={declared[unused[0]].spec()}: {unused[0]} does not occur in the"
            " expression"
        )
    names = list(variables or ())
    for name in names:
        if name not in present:
            raise ParseError(
                f"{name} is not a variable of the expression (it has {', '.join(sorted(present))})"
            )
    if names:
        decided = "typed"
    else:
        arrays = sorted(n for n in present if n in declared)
        if command == "diff":
            if len(arrays) != 1:
                raise ParseError(
                    f"several variables ({', '.join(sorted(present))}): give the one to "
                    "differentiate by, as in: chainrule diff EXPR W --shape …"
                )
            names, decided = arrays, "only"
        elif command == "jacobian":  # by each vector and scalar: a matrix would need 3 indices
            names = sorted(n for n in present if n not in declared or not declared[n].matrix)
            names, decided = names or sorted(present), "all"
        else:
            names, decided = sorted(present), "all"
    if len(set(names)) != len(names):
        raise ParseError("a variable is named twice")
    return Question(
        text=text, kind="array", expr=node, whole=node, variables=tuple(names), decided=decided,
        value=value, shapes=tuple((n, s.spec()) for n, s in declared.items()), notes=notes,
        functions=how.functions,
    )  # fmt: skip
