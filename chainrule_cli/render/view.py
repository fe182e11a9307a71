"""What every human-readable rendering shows of a Derivation, decided once for all formats.

The outline numbers the steps in reading order and says, for each, which function value it
differentiates (dy/dx, du/dx), which names it introduces and how to display its expressions.
Large expressions are displayed through the intermediates the chain rule introduced (u = sin v
rather than the whole inner formula), so a 1,000-deep composition prints in space linear in its
depth. One method per step class says what is particular to that rule; a missing one is a test
failure, not a silent default. Nothing here computes a derivative: it only names and arranges.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy
from sympy.core.parameters import evaluate

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.implicit import dependent_function
from chainrule_cli.calculus.stepper import EVAL_HEIGHT
from chainrule_cli.calculus.values import named_steps, through_values, value_name
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import formula_key
from chainrule_cli.walk import Sizes

# Steps larger than this are not worked out on their expression (the formula with its parts).
SMALL = 60
# Expressions with more nodes than this are displayed through the intermediates' names (a
# 1,000-deep composition prints in space linear in its depth); smaller ones in full, so that a
# name introduced inside a sub-step never leaks into the lines of the step above it.
NAMED = 300
NAMED_HEIGHT = 10  # taller than this, SMALL is the bound: sin(sin(…)) stays linear in depth
# The expression and the final answer are printed in full up to this many nodes and this
# height, else through the names too (TeX gives up at 255 nested groups).
FINAL = 2_000
FINAL_HEIGHT = 50
# Indentation stops growing here, so deep derivations stay within the page.
MAX_INDENT = 6


Form = S.Form  # one worked line: .expr (as built: print with printing.built_*) and .why


@dataclass(frozen=True, slots=True)
class Applied:
    """d/dvar (expr): the operator written on an expression, as in d/dx (x² + y²)."""

    expr: sympy.Expr
    var: sympy.Symbol


@dataclass(frozen=True, slots=True)
class Equation:
    """One line of an equation chain: left = right, and why (a catalog key), if said."""

    left: sympy.Expr | Applied
    right: sympy.Expr | Applied
    why: str | None = None


@dataclass(frozen=True, slots=True)
class StepView:
    """One numbered step as people read it."""

    number: int
    level: int  # depth in the step tree (the root is 0)
    depth: int  # for indentation: the level, at most MAX_INDENT
    step: S.Step
    name: str  # the rule's name: 'Chain rule'
    formula: str  # key into formulas.FORMULAS
    sentence: str
    note: bool  # whether the sentence says something the formula does not
    value: str | None  # the function value this step differentiates (y in dy/dx), if named
    expr: sympy.Expr  # the expression as displayed
    lets: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # names introduced here: u = b + w·x
    outer: sympy.Expr | None  # for a chain: y as a function of the intermediate
    result: sympy.Expr  # the result as displayed
    via: sympy.Expr | None  # the result through the value's name first (y·(1 − y)), if any
    partial: bool  # ∂ rather than d: with named intermediates, a function of several variables
    times: sympy.Symbol | None  # when set, the result reads `result · d(times)/d(var)`
    see: int | None  # for a repeat: the step that worked it out
    equations: tuple[Equation, ...] = ()  # lines before the result: d/dx (F) = d/dx (G), …
    after: tuple[Equation, ...] = ()  # lines after it, continuing "= …" (left unused)
    why: str | None = None  # the reason of the result line, when it is not the rule itself
    parts: tuple[tuple[str, sympy.Expr], ...] = ()  # the rule's named parts: f = x², g = sin x
    worked: tuple[Form, ...] = ()  # the formula on this expression, then the middle form
    settled: bool = False  # whether the last worked form already says the result
    composite: bool = False  # whether sub-steps are shown under it (not all folded)


@dataclass(frozen=True, slots=True)
class Outline:
    derivation: S.Derivation
    lang: str
    value: str  # the name of the function's value: y
    steps: tuple[StepView, ...]
    expr: sympy.Expr  # the expression as displayed (through the names when very deep)
    result: sympy.Expr  # the final answer as displayed
    named: bool  # whether the final answer is written through the intermediates
    failures: tuple[int, ...]  # numbers of the steps that failed verification
    label: sympy.Expr | None = None  # the value as the task names it: y, f(x)
    equation: tuple[sympy.Expr, sympy.Expr] | None = None  # implicit: the sides as displayed


class Outliner:
    """Builds the Outline of one derivation."""

    def __init__(self, derivation: S.Derivation, lang: str, show: Callable = str) -> None:
        messages.check_language(lang)
        self.derivation = derivation
        self.lang = lang
        self.show = show
        self.size = Sizes()
        self.height = Sizes(height=True)
        root = derivation.root
        self.several = isinstance(root, S.MultivariableChainStep) and bool(root.lets)
        self.names: dict[sympy.Expr, sympy.Symbol] = {}
        for step in derivation.root.walk():
            if isinstance(step, S.ChainStep):
                self.names.setdefault(step.inner, step.intermediate)
        self.display = display_names(derivation)
        self.forms = through_values(derivation)

    # ---- display -------------------------------------------------------------------------
    def named(self, expr: sympy.Expr) -> sympy.Expr:
        """expr with its large sub-expressions replaced by the intermediates that name them
        (never expr itself: u's own definition is shown as u = sin(v), not u = u)."""
        if self.display:
            with evaluate(False):  # a worked form stays as built: f'g + fg'
                expr = expr.xreplace(self.display)
        tall = self.height(expr) > NAMED_HEIGHT  # a deep composition: through names early
        if self.size(expr) <= (SMALL if tall else NAMED) or not expr.args:
            return expr
        with evaluate(False):
            return expr.func(*(a.xreplace(self.names) for a in expr.args))

    def shown(self, expr: sympy.Expr) -> str:
        return self.show(self.named(expr))

    # ---- the walk ------------------------------------------------------------------------
    def outline(self) -> Outline:
        d = self.derivation
        value = self.value_name()
        first: dict = {}
        views: list[StepView] = []
        folded = self.folded()
        shown = ((s, depth, name) for s, depth, name in self.walk(value) if id(s) not in folded)
        for number, (step, depth, name) in enumerate(shown, start=1):
            remember(first, step, number)
            views.append(self.view(step, number, depth, name, first))
        views = [
            dataclasses.replace(v, composite=i + 1 < len(views) and views[i + 1].level > v.level)
            for i, v in enumerate(views)
        ]
        failed = {id(s) for s in d.failures}
        failures = tuple(v.number for v in views if id(v.step) in failed)
        if d.failures and not failures:
            failures = (0,)
        full = self.fits(d.result)
        result = d.result
        factors = flat_product(d.result).args if d.result.is_Mul else ()
        if not full and self.height(d.result) >= EVAL_HEIGHT and not any(f.is_Add for f in factors):
            # a chain's answer is a product nested as deep as the chain; rebuilt with evaluation
            # level by level (xreplace) it would be flattened again at every level, quadratic in
            # the depth: its factors, named, are multiplied once instead (the same product, as no
            # factor is a sum a number could be distributed over)
            result = sympy.Mul(*(f.xreplace(self.names) for f in factors))
        elif not full:
            result = d.result.xreplace(self.names)
        expr = d.expr if self.fits(d.expr) else self.named(d.expr)
        label = sympy.Symbol(value)
        if d.arguments:
            label = sympy.Function(value)(*d.arguments)
        equation = None
        if d.equation is not None:
            equation = (self.named(d.equation[0]), self.named(d.equation[1]))
        return Outline(d, self.lang, value, tuple(views), expr, result, not full, failures,
                       label, equation)  # fmt: skip

    def folded(self) -> set[int]:
        """The steps folded into the line that uses them (unless --detail full): d/dx (1) = 0
        and d/dx (x) = 1 inside a larger step, whose own line says 6x + 0 or 1·sin(x)."""
        if self.derivation.detail == "full":
            return set()
        out = set()
        for step in self.derivation.root.walk():
            if not isinstance(step, S.ImplicitStep):  # d/dx (25) = 0: a side, said
                out.update(id(s) for s in step.substeps if trivial(s))
            if self.through_dependent(step):  # d/dx (y²) = 2y·y′, the chain rule said once
                out.update(id(s) for s in step.walk() if s is not step)
        # a repeat of a folded step would point to no number: folded with it
        for step in self.derivation.root.walk():
            if isinstance(step, S.RepeatStep) and id(step.original) in out:
                out.add(id(step))
        return out

    def through_dependent(self, step: S.Step) -> bool:
        """Whether a chain step's inner function is the dependent variable y(x) itself
        (implicit differentiation), which the folded steps write 2y·y′ without a u = y."""
        d = self.derivation
        if not isinstance(step, S.ChainStep) or d.dependent is None or d.detail == "full":
            return False
        return step.inner == dependent_function(d.dependent, d.var)

    def fits(self, expr: sympy.Expr) -> bool:
        return self.size(expr) <= FINAL and self.height(expr) <= FINAL_HEIGHT

    def value_name(self) -> str:
        return value_name(self.derivation)

    def walk(self, value: str) -> Iterator[tuple[S.Step, int, str | None]]:
        return named_steps(self.derivation.root, value)

    def view(self, step: S.Step, number: int, depth: int, value, first) -> StepView:
        # a rule with nothing particular to show (most) is shown plainly: no entry needed here
        particular = getattr(self, f"_{type(step).__name__}", self.plain)
        lets, outer, result, times, see = particular(step, first)
        equations, after, why = self.equations(step)
        parts, worked, settled = self.worked(step)
        said_once = self.through_dependent(step)
        if said_once:  # d/dx (y²) = 2y·y′
            lets, outer, times, worked, settled = (), None, None, (), False
        via = self.via(step, value)
        function = getattr(step, "function", None)
        if isinstance(step, S.ExponentialStep) and step.base == sympy.E:
            function = "E"
        elif isinstance(step, S.RewriteStep):
            function = step.why
        elif said_once:
            function = "implicit"
        elif isinstance(step, S.ProductStep) and len(step.factors) > 2:
            function = str(len(step.factors)) if len(step.factors) <= 4 else "n"
        return StepView(
            number=number,
            level=depth,
            depth=min(depth, MAX_INDENT),
            step=step,
            name=messages.rule_name(step, self.lang),
            formula=formula_key(step.rule, function),
            sentence=self.note(step) if _has_note(step) else "",
            note=_has_note(step),
            value=value,
            expr=self.named(step.expr),
            lets=lets,
            outer=outer,
            result=result,
            via=via,
            partial=self.several and len(step.expr.free_symbols) > 1,
            times=times,
            see=see,
            equations=equations,
            after=after,
            why=why,
            parts=parts,
            worked=worked,
            settled=settled,
        )

    def worked(self, step: S.Step):
        """The rule worked on this expression (its parts, the formula, the middle form), for
        steps small enough to read; and whether the middle form is the result already (only
        its order differs), so that the result need not be written again."""
        if isinstance(step, S.RepeatStep) or self.size(step.expr) > SMALL:
            return (), (), False
        typed = (self.derivation.typed or {}).get(step.expr)
        order = typed.args if typed is not None else None  # as the student typed it
        forms = step.worked(order)
        if not forms or self.size(forms[-1].expr) > 2 * SMALL:
            return (), (), False
        if isinstance(step, S.ChainStep) and id(step) in self.forms:
            # through the value's name (w·y·(1 − y)) rather than through u; the next form
            # writes y out in full
            forms = tuple(
                f.replace(why="in_full") if f.why == "put_back" else f
                for f in forms if not f.where
            )  # fmt: skip
        parts = tuple((name, self.named(part)) for name, part in step.parts(order))
        shown = tuple(Form(expr=self.named(f.expr), why=f.why) for f in forms)
        last = forms[-1]
        settled = last.why != "formula" and (
            _as_it_stands(last.expr, step.result)
            or _reads_as(last.expr, step.result)
            or _same_factors(last.expr, step.result)
        )
        return parts, shown, settled

    def equations(self, step: S.Step):
        """The equation chain an implicit step is worked in: both sides differentiated, the
        derivatives, y' solved for (or substituted), and the form simplified on the curve;
        and the reason of the result line."""
        if isinstance(step, S.QuotientStep) and len(step.substeps) == 2:
            dn, dd = (s.result for s in step.substeps)
            as_built = dn * step.denominator - step.numerator * dd
            expanded = sympy.fraction(step.result)[0] != as_built
            return (), (), "expand_numerator" if expanded else None
        if not isinstance(step, S.ImplicitStep):
            return (), (), None
        x, n = step.var, step.order
        shown = self.named
        dy = sympy.Symbol(str(step.dependent) + "'" * n)
        if n == 1:
            lines = [
                Equation(Applied(shown(step.lhs), x), Applied(shown(step.rhs), x)),
                Equation(shown(step.left), shown(step.right)),
            ]
            why = "solve"
        else:
            earlier = step.substeps[0].result
            lines = [
                Equation(dy, Applied(shown(earlier), x)),
                Equation(dy, shown(step.differentiated)),
            ]
            why = "substitute"
        if step.solved != step.result:
            lines.append(Equation(dy, shown(step.solved), why))
            why = "cancel"
        after = ()
        if step.on_curve is not None:
            after = (Equation(dy, shown(step.on_curve), "on_curve"),)
        return tuple(lines), after, why

    def via(self, step: S.Step, value: str | None) -> sympy.Expr | None:
        """The teacher's middle form through the value's name (dy/du = y·(1 − y)), as the
        derivation gives it (calculus/values.py)."""
        found = self.forms.get(id(step))
        return found[1] if found is not None else None

    def note(self, step: S.Step) -> str:
        """The step's sentence without the rule's name it opens with, which the heading shows."""
        text = messages.sentence(step, self.lang, self.shown)
        name = messages.rule_name(step, self.lang)
        for colon in (": ", "："):
            head, found, rest = text.partition(colon)
            if found and head.lower().startswith(name.lower()):
                # a sentence of its own now: "Taking ln of both sides …" (never a symbol: b)
                return messages.sentence_case(rest)
        return text

    # ---- a method for a step class with more to show: (lets, outer, result, times, see) ---
    def plain(self, step: S.Step, first=None):
        return (), None, self.named(step.result), None, None

    def _MultivariableChainStep(self, step: S.MultivariableChainStep, first=None):
        if not step.paths:
            return self.plain(step)
        lets = tuple((n, self.named(v)) for n, v in step.lets)
        return lets, step.written, self.named(step.result), None, None

    def _RewriteStep(self, step: S.RewriteStep, first=None):
        return (), step.rewritten, self.named(step.result), None, None

    def _ChainStep(self, step: S.ChainStep, first=None):
        lets = ((step.intermediate, self.named(step.inner)),)
        if self.size(step.result) <= SMALL:
            return lets, step.outer, self.named(step.result), None, None
        outer_result = step.substeps[0].result
        return lets, step.outer, self.named(outer_result), step.intermediate, None

    def _RepeatStep(self, step: S.RepeatStep, first):
        return (), None, self.named(step.result), None, worked_out(first, step)


# Rules whose sentence says something particular to this step (which symbols are constants,
# where the derivative does not exist, where it was worked out before).
NOTE_RULES = frozenset({"abs", "piecewise", "function", "general_power", "implicit"})


def outline(derivation: S.Derivation, lang: str = "en", show: Callable = str) -> Outline:
    """The outline every human-readable format renders; `show` prints expressions in sentences."""
    return Outliner(derivation, lang, show).outline()


def _as_it_stands(expr: sympy.Expr, result: sympy.Expr) -> bool:
    """Whether a sum built unevaluated says the result already, its terms only in another
    order: each term is one of the result's terms (2x + 0, w·1 and −(2 − x) + (1 − x)·(−1)
    still need their "= …")."""
    if not expr.is_Add:
        return False
    for node in (expr, *expr.args):
        if node.is_Add and any(a == 0 for a in node.args):
            return False
        if node.is_Mul and any(
            a == 1 or (a.is_Number and a.is_negative and i) for i, a in enumerate(node.args)
        ):
            return False  # w·1, (1 − x)·(−1); a leading −1 prints as a minus sign
    terms = sorted(str(t.doit()) for t in expr.args)
    return terms == sorted(str(t) for t in sympy.Add.make_args(result))


def _same_factors(form: sympy.Expr, result: sympy.Expr) -> bool:
    """Whether the chain rule's product has the result's factors, in another order only,
    and is long (a line of its own): the result would say it again. A short one is followed
    by its tidy form, as a teacher writes cos(x²)·2x = 2x·cos(x²)."""
    from chainrule_cli.render.printing import built_text

    if not isinstance(form, S.Times) or len(built_text(form)) <= 40:
        return False
    factors = [f for a in form.args for f in sympy.Mul.make_args(a.doit())]
    return sorted(map(str, factors)) == sorted(map(str, sympy.Mul.make_args(result)))


def _reads_as(form: sympy.Expr, result: sympy.Expr) -> bool:
    """Whether a worked form prints as the result does (−2x = −2x would say it twice)."""
    from chainrule_cli.render.printing import built_text, unicode

    return built_text(form) == unicode(result)


def display_names(derivation: S.Derivation) -> dict:
    """y(x) is written y, and its derivatives y', y'', … (implicit differentiation)."""
    y = derivation.dependent
    if y is None:
        return {}
    x = derivation.var
    function = dependent_function(y, x)
    names = {sympy.Derivative(function, (x, k)): sympy.Symbol(y.name + "'" * k) for k in
             range(1, derivation.order + 2)}  # fmt: skip
    names[function] = y
    return names


def remember(first: dict, step: S.Step, number: int) -> None:
    """Note where a derivative is worked out, for the repeats that point back to it: by the
    step itself, and by what it differentiates (brief mode may have replaced the step)."""
    if isinstance(step, S.RepeatStep | S.HigherOrderStep):
        return
    first.setdefault(id(step), number)
    first.setdefault((step.expr, step.var, step.order, step.result), number)


def worked_out(first: dict, step: S.RepeatStep) -> int | None:
    """The number of the step a repeat points back to."""
    found = first.get(id(step.original))
    if found is None:
        found = first.get((step.expr, step.var, step.order, step.result))
    return found


def top_down(views, split: Callable) -> list:
    """A worked solution's order for every format: each step's opening (its rule and parts),
    its sub-steps, then its closing (the line combining their results). `split(view)` gives
    (opening, closing); the pieces come back in reading order."""
    out: list = []
    waiting: list = []  # (level, closing) of the steps whose sub-steps are still being read
    for view in views:
        while waiting and waiting[-1][0] >= view.level:
            out.append(waiting.pop()[1])
        opening, closing = split(view)
        out.append(opening)
        waiting.append((view.level, closing))
    out.extend(closing for _, closing in reversed(waiting))
    return out


def formula(view: StepView) -> tuple[str, str]:
    """The rule's formula as (text, LaTeX): the catalog's (formulas.py), except for the chain
    rule, which is written with this step's own names: du/dx = du/dv · dv/dx for an inner
    chain, not the outer one's dy/dx = dy/du · du/dx."""
    from chainrule_cli.render.formulas import FORMULAS
    from chainrule_cli.render.printing import TextbookLatexPrinter, unicode

    step = view.step
    if view.formula != "chain" or not isinstance(step, S.ChainStep):
        return FORMULAS.get(view.formula, ("", ""))
    u, x = step.intermediate, step.var
    tex = TextbookLatexPrinter().doprint
    d, dl = ("∂", r"\partial ") if view.partial else ("d", "d")
    if view.value and view.value.isidentifier():
        y = sympy.Symbol(view.value)
        text = f"{d}{unicode(y)}/{d}{unicode(x)} = {d}{unicode(y)}/{d}{unicode(u)} · "
        latex = (rf"\frac{{{dl}{tex(y)}}}{{{dl}{tex(x)}}} = \frac{{{dl}{tex(y)}}}{{{dl}{tex(u)}}}"
                 rf" \cdot ")  # fmt: skip
    else:  # the value has no name: d/dx ((x² + 1)³)
        text = f"(f({unicode(u)}))' = f'({unicode(u)}) · "
        latex = rf"(f({tex(u)}))' = f'({tex(u)}) \cdot "
    text += f"{d}{unicode(u)}/{d}{unicode(x)}"
    latex += rf"\frac{{{dl}{tex(u)}}}{{{dl}{tex(x)}}}"
    return text, latex


def trivial(step: S.Step) -> bool:
    """d/dx (1) = 0, d/dx (x) = 1, or a repeat of one: nothing a reader needs worked."""
    if isinstance(step, S.RepeatStep):
        step = step.original
    if isinstance(step, S.VariableStep):
        return True
    return isinstance(step, S.ConstantStep) and step.expr.is_Number


def _has_note(step: S.Step) -> bool:
    if isinstance(step, S.ConstantStep | S.ConstantMultipleStep):
        symbols = step.expr.free_symbols - {step.var}
        return bool(symbols)
    return step.rule in NOTE_RULES


def flat_product(expr):
    """A product built without evaluation nests: cos(u)·(cos(v)·(cos(w)·…)) for a deep chain.
    Printed as it is, the memoising printers keep the text of every partial product, cubic in
    the depth (4 GB for 1,000 levels); one flat product of the same factors, in the same order,
    prints the same. Rebuilt with evaluation level by level (as xreplace does), it is flattened
    again at every level: quadratic in the depth."""
    if not expr.is_Mul or not any(a.is_Mul for a in expr.args):
        return expr
    factors, stack = [], [expr]
    while stack:
        node = stack.pop()
        if node.is_Mul:
            stack.extend(reversed(node.args))
        else:
            factors.append(node)
    return sympy.Mul(*factors, evaluate=False)
