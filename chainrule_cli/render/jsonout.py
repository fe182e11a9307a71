"""The derivation as JSON, the contract of docs/architecture.md §3 (schema chainrule.derivation/1).

Expressions are SymPy str() text, each with a LaTeX twin. Every field of every step is written:
the common ones, `let` for the names a chain introduces, `id` (the step's number in reading
order), `see` for a repeat, and the rule's own fields (`base`, `exponent`, `function`, …).
"""

from __future__ import annotations

import sympy
from sympy.core.parameters import evaluate

from chainrule_cli.calculus import steps as S
from chainrule_cli.calculus.stepper import EVAL_HEIGHT, expression_heights
from chainrule_cli.calculus.values import through_values
from chainrule_cli.render import messages
from chainrule_cli.render.printing import SympyTextPrinter, TextbookLatexPrinter, built_latex
from chainrule_cli.render.view import flat_product, remember, worked_out
from chainrule_cli.walk import Sizes, bottom_up

# A step's result with more nodes than this is written through the chain's intermediates
# (`named: true`), so that JSON for a deep composition grows quadratically, not cubically.
FULL = 2_000

SCHEMA = "chainrule.derivation/1"
_COMMON = {"expr", "var", "result", "substeps", "order"}
# Steps up to this many nodes carry their worked forms (the human formats' limit, view.SMALL).
WORKED = 60
# Fields already written another way: the chain's names go in `let`, a repeat's origin in `see`.
_SKIP = {"intermediate", "inner", "original", "lets", "paths"}


class JsonRenderer:
    """One method per step class would all do the same here: every field is written,
    so a new rule's fields appear without code. `fields` is the one place that knows them."""

    def __init__(self, derivation: S.Derivation, lang: str = "en") -> None:
        messages.check_language(lang)
        self.lang = lang
        # a tall derivation's expressions are printed as built: sorting the factors of a
        # product of deep factors (str's order) compares whole trees, cubically in the depth
        tall = expression_heights(derivation.expr)[derivation.expr] >= EVAL_HEIGHT
        self.tall = tall
        text_printer = SympyTextPrinter({"order": "none"} if tall else None)
        # the student's order (w*x + b), in SymPy's syntax: it reads back as the same expression
        typed = derivation.typed or {}
        text_printer.typed = typed
        self.text = text_printer.doprint
        self.latex_printer = TextbookLatexPrinter("none" if tall else None)
        self.latex_printer.typed = typed
        self.tex = self.latex_printer.doprint
        self.size = Sizes()
        self.names: dict = {}
        for step in derivation.root.walk():
            if isinstance(step, S.ChainStep):
                self.names.setdefault(step.inner, step.intermediate)
        self.substituted: dict = dict(self.names)
        self.forms = through_values(derivation)

    def result(self, result) -> tuple[object, bool]:
        """The result, or (when huge) the result through the intermediates; and which."""
        if self.size(result) <= FULL:
            return result, False
        if not self.tall:
            return result.xreplace(self.names), True
        with evaluate(False):  # as built: evaluating would sort the deep factors again
            return self.substitute(result), True

    def substitute(self, expr):
        """expr.xreplace(names), remembering every sub-expression's substitute across all
        the steps: a tall derivation's results share their sub-products (the result at one
        level is cos(u)·the result one level down), so each step's substitute is built from
        the ones below it, where xreplace would walk and rebuild every factor of every step's
        result again. Products come out flat (cos(u)·cos(v)·…), not nested."""

        def rebuilt(node, args: list):
            if all(new is old for new, old in zip(args, node.args, strict=True)):
                return node
            if node.is_Mul:  # one flat product: its factors are flat already
                factors = tuple(f for a in args for f in sympy.Mul.make_args(a))
                return sympy.Mul._from_args(factors, node.is_commutative)
            return node.func(*args)

        return bottom_up(expr, self.substituted, rebuilt)

    def fields(self, step: S.Step) -> dict:
        out = {}
        for name in step.fields:
            if name in _COMMON or name in _SKIP:
                continue
            value = getattr(step, name)
            if value is None:
                continue
            if isinstance(value, tuple):
                out[name] = [self.text(v) for v in value]
            elif isinstance(value, str):
                out[name] = value
            else:
                out[name] = self.text(value)
        return out

    def step(self, step: S.Step, number: int, first: dict) -> dict:
        result, named = self.result(step.result)
        obj = {
            "id": number,
            "rule": step.rule,
            "expr": self.text(step.expr),
            "var": str(step.var),
            "order": step.order,
            "result": self.text(result),
            "latex": {"expr": self.tex(step.expr), "result": self.tex(result)},
            "text": messages.sentence(step, self.lang, self.text),
        }
        if named:
            obj["named"] = True
        if isinstance(step, S.ChainStep):
            obj["let"] = {str(step.intermediate): self.text(step.inner)}
        if isinstance(step, S.RepeatStep):
            obj["see"] = worked_out(first, step)
        if isinstance(step, S.MultivariableChainStep) and step.paths:
            obj["let"] = {str(n): self.text(v) for n, v in step.lets}
            obj["paths"] = [
                {
                    "via": [str(n) for n in path.via],
                    "factors": [self.text(f.result) for f in path.factors],
                    "product": self.text(path.product),
                }
                for path in step.paths
            ]
        obj.update(self.fields(step))
        obj.update(self.worked(step))
        found = self.forms.get(id(step))
        if found is not None:  # dy/du = y·(1 − y): the result through the value's name
            name, form = found
            obj["in_terms_of"] = {
                "name": str(name), "result": self.text(form), "latex": self.tex(form)
            }  # fmt: skip
        obj["substeps"] = []
        return obj

    def worked(self, step: S.Step) -> dict:
        """The rule on this expression (`parts`: f = …, g = …; `worked`: the formula, then the
        middle form), for steps small enough to be read (as the human formats show them)."""
        if isinstance(step, S.RepeatStep) or self.size(step.expr) > WORKED:
            return {}
        forms = step.worked()
        if not forms:
            return {}
        out: dict = {}
        if step.parts():
            out["parts"] = {name: self.text(part) for name, part in step.parts()}
        out["worked"] = [
            {"expr": self.text(f.expr), "latex": built_latex(f.expr, self.latex_printer),
             "why": f.why}
            for f in forms
        ]  # fmt: skip
        return out

    def tree(self, root: S.Step) -> tuple[dict, dict[int, int]]:
        """The step tree as nested objects, built without recursion; and step → id."""
        first: dict = {}
        ids: dict[int, int] = {}
        top: dict = {}
        stack: list[tuple[S.Step, list | None]] = [(root, None)]
        number = 0
        while stack:
            step, parent = stack.pop()
            number += 1
            ids[id(step)] = number
            remember(first, step, number)
            obj = self.step(step, number, first)
            if parent is None:
                top = obj
            else:
                parent.append(obj)
            stack.extend((s, obj["substeps"]) for s in reversed(step.substeps))
        return top, ids

    def render(self, derivation: S.Derivation, text: str, at: dict | None = None) -> dict:
        d = derivation
        steps, ids = self.tree(d.root)
        # the answer itself, always spelled out (docs/architecture.md §3)
        result = flat_product(d.result)
        obj = {
            "schema": SCHEMA,
            "ok": True,
            "input": text,
            "expr": self.text(d.expr),
            "var": str(d.var),
            "order": d.order,
            "result": self.text(result),
            "latex": {"expr": self.tex(d.expr), "result": self.tex(result)},
            "in_terms_of": None,
            "steps": steps,
            "simplify": [
                {
                    "from": self.text(r.before),
                    "to": self.text(r.after),
                    "why": messages.word(f"why.{r.why}", self.lang),
                }
                for r in d.simplify
            ],
            "verified": d.verified,
            "dependent": None if d.dependent is None else str(d.dependent),
        }
        if d.equation is not None:
            lhs, rhs = d.equation
            obj["equation"] = {"lhs": self.text(lhs), "rhs": self.text(rhs),
                               "latex": f"{self.tex(lhs)} = {self.tex(rhs)}"}  # fmt: skip
        if d.value is not None:
            obj["value_name"] = d.value
            obj["variables"] = [str(a) for a in d.arguments]
        if d.notes:
            obj["notes"] = [messages.note(key, d, self.lang) for key in d.notes]
        if d.in_terms_of is not None:
            obj["in_terms_of"] = {
                "name": str(d.in_terms_of.name),
                "result": self.text(d.in_terms_of.result),
                "latex": self.tex(d.in_terms_of.result),
            }
        if not d.verified:
            obj["failures"] = [ids.get(id(s)) for s in d.failures]
        if at is not None:
            obj["at"] = {str(k): self.text(v) for k, v in at["point"].items()}
            obj["value"] = {"exact": self.text(at["exact"]), "decimal": at["decimal"]}
            if at.get("reason"):
                obj["value"]["reason"] = at["reason"]  # not_real: no value for real variables
        return obj


def render_json(
    derivation: S.Derivation, text: str | None = None, lang: str = "en", at: dict | None = None
) -> dict:
    """The JSON object (a dict; the caller dumps it)."""
    source = text if text is not None else str(derivation.expr)
    return JsonRenderer(derivation, lang).render(derivation, source, at)


def derivation_json(derivation: S.Derivation, o) -> str:
    """The JSON format (render/__init__.py: RENDERERS): one line."""
    import json

    return json.dumps(render_json(derivation, o.text, o.lang, o.at), ensure_ascii=False) + "\n"
