"""What each step differentiates, by name, and its derivative through that name: the teacher's
dy/du = y·(1 − y) beside σ' and w·y·(1 − y) for the chain. Worked out here, once per derivation,
for every format alike (the outline shows them, JSON carries them as each step's in_terms_of)."""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.derive import VALUE_NAMES, through_value
from chainrule_cli.calculus.verify import agrees
from chainrule_cli.walk import Sizes

# A step's result with more nodes than this gets no form through a name: it would not be read,
# and checking it would cost more than the step.
FORM_NODES = 60


def value_name(d: S.Derivation) -> str:
    """The name of the function's value: as written (y = …, the equation's y), the name its
    form through the value uses, else the first of y, Y, F, φ the derivation leaves free."""
    if d.value is not None:
        return d.value
    if d.dependent is not None:
        return str(d.dependent)
    if d.in_terms_of is not None:
        return str(d.in_terms_of.name)
    taken = {str(s) for s in d.expr.free_symbols | {d.var}} | {
        str(step.intermediate) for step in d.root.walk() if isinstance(step, S.ChainStep)
    }
    root = d.root
    names = VALUE_NAMES
    if isinstance(root, S.MultivariableChainStep) and root.lets:
        # z(u, v) as the article writes it; never a name the intermediates use
        taken |= {str(n) for n, _ in root.lets} | {str(s) for s in root.written.free_symbols}
        names = ("z", *VALUE_NAMES)
    return next(n for n in names if n not in taken)


def named_steps(root: S.Step, value: str) -> Iterator[tuple[S.Step, int, str | None]]:
    """Pre-order, without recursion: (step, depth, name of the value it differentiates)."""
    stack: list[tuple[S.Step, int, str | None]] = [(root, 0, value)]
    while stack:
        step, depth, name = stack.pop()
        yield step, depth, name
        children: list[tuple[S.Step, int, str | None]] = []
        if isinstance(step, S.ChainStep):
            outer, inner = step.substeps
            children = [(outer, depth + 1, name), (inner, depth + 1, str(step.intermediate))]
        elif isinstance(step, S.ImplicitStep):
            # the sides are differentiated as expressions; an earlier order is y' again
            children = [
                (s, depth + 1, name if isinstance(s, S.ImplicitStep) else None)
                for s in step.substeps
            ]
        elif isinstance(step, S.HigherOrderStep):
            children = [(stage, depth + 1, name + "'" * k) for k, stage in enumerate(step.substeps)]
        elif isinstance(step, S.MultivariableChainStep) and step.paths:
            # each factor differentiates z or an intermediate: its owner on the path
            owner: dict[int, str | None] = {}
            for path in step.paths:
                names = [name, *(str(n) for n in path.via)]
                for factor, parent in zip(path.factors, names, strict=False):
                    owner.setdefault(id(factor), parent)
            children = [(f, depth + 1, owner.get(id(f))) for f in step.substeps]
        else:
            children = [(s, depth + 1, None) for s in step.substeps]
        stack.extend(reversed(children))


def through_values(d: S.Derivation) -> dict[int, tuple[sympy.Symbol, sympy.Expr]]:
    """{id(step): (y, form)} for each step whose result is a form through the name y of the value
    it differentiates (dy/du = y·(1 − y); for a chain dy/du · du/dx = w·y·(1 − y)), where that
    removes the variable; each checked: it agrees with the (verified) result once y is replaced
    by what it names."""
    size = Sizes()
    forms = {}
    for step, _, name in named_steps(d.root, value_name(d)):
        if not name or not name.isidentifier() or size(step.result) > FORM_NODES:
            continue
        y = sympy.Symbol(name, real=True)
        if isinstance(step, S.ChainStep):
            outer, inner = step.substeps
            form = through_value(outer.expr, outer.result, y)
            if form is None or form.has(step.intermediate) or size(inner.result) > FORM_NODES:
                continue
            form = form * inner.result
        else:
            form = through_value(step.expr, step.result, y)
            if form is None or form.has(step.var):
                continue
        form = sympy.factor_terms(form)
        if agrees(form.xreplace({y: step.expr}), step.result):
            forms[id(step)] = (y, form)
    return forms
