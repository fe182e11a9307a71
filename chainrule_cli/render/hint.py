"""A hint in every format: the rule and where (level 1), its parts and formula (level 2), the
rule applied with its derivatives still to take (level 3); or why the student's rule does not
apply. Text and terminal, JSON (chainrule.hint/1), LaTeX, Markdown."""

from __future__ import annotations

import json

from chainrule_cli.calculus.hint import Hint, moving_factors
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import FORMULAS, formula_key
from chainrule_cli.render.printing import (
    SympyTextPrinter,
    TextbookLatexPrinter,
    UnicodePrinter,
    built_latex,
    built_text,
)

SCHEMA = "chainrule.hint/1"


def rule_phrase(rule: str, lang: str) -> str:
    """'the product rule', '乘积法则': the rule's name inside a sentence."""
    name = messages.word(f"name.{rule}", lang)
    if lang == "zh":
        return name
    lowered = name[:1].lower() + name[1:]
    if rule == "constant_multiple":
        return "the constant multiple rule"
    return "the " + lowered if lowered.endswith(" rule") else lowered


def sentences(h: Hint, lang: str, show, built) -> list[tuple[str, str]]:
    """(key, sentence) for each line of the hint, its expressions printed with `show` and its
    forms with `built`."""
    x, where = show(h.var), show(h.where)
    if not h.applies:
        return [("why_not", messages.word(h.why_not, lang, rule=rule_phrase(h.rule, lang),
                                          where=where, var=x))]  # fmt: skip
    out = [("rule", level_one(h, lang, show))]
    if h.level >= 2:
        if h.lets:
            (u, inner), *_ = h.lets
            value = "y"
            out.append(("let", messages.word("hint.let", lang, u=show(u), inner=show(inner),
                                             value=value, outer=show(h.outer))))  # fmt: skip
        if h.parts:
            named = ", ".join(f"{name} = {show(part)}" for name, part in h.parts)
            out.append(("parts", messages.word("hint.parts", lang, parts=named)))
        formula = _formula(h)
        if formula:
            out.append(("formula", messages.word("hint.formula", lang, formula=formula)))
    if h.level == 3 and h.applied is not None:
        left = f"d/d{x} ({where})"
        key = "hint.applied" if h.applied.why == "formula" else "hint.applied_fact"
        out.append(("applied", messages.word(key, lang, left=left, applied=built(h.applied.expr))))
    return out


def _formula(h: Hint) -> str:
    """The rule's general formula (the derivation's own catalog)."""
    key = h.rule
    if h.rule == "product" and len(h.parts) > 2:
        key = f"product.{len(h.parts)}" if len(h.parts) <= 4 else "product.n"
    found = FORMULAS.get(formula_key(key, getattr(h.step, "function", None)))
    if found is None:
        found = FORMULAS.get(key)
    return found[0] if found else ""


def level_one(h: Hint, lang: str, show) -> str:
    """The rule and the sub-expression it applies to, and why."""
    x, where = show(h.var), show(h.where)
    rule = h.rule
    fields = {"where": where, "var": x, "rule": rule_phrase(rule, lang)}
    if rule == "product":
        factors = [part for _, part in h.parts] or moving_factors(h.where, h.var)
        fields["factors"] = messages.word("hint.and", lang).join(show(f) for f in factors)
    elif rule == "quotient":
        (_, top), (_, bottom) = h.parts  # f over g
        fields.update(top=show(top), bottom=show(bottom))
    elif rule == "chain":
        (u, inner), *_ = h.lets
        fields.update(u=show(u), inner=show(inner))
    elif rule == "implicit" and h.step is not None:
        fields["dependent"] = show(h.step.dependent)
    key = f"hint.why.{rule}"
    if key not in messages.CATALOG[lang]:
        key = "hint.why.known"
        name = messages.word(f"name.{rule}", lang)
        fields["name"] = name if lang == "zh" else "the derivative of the " + name.lower()
    return messages.word(key, lang, **fields)


def heading(h: Hint, lang: str, show, built) -> str:
    """What the hint is for: d/dx (x² sin x); in a student's working its first derivative still
    to take, and the working."""
    if h.pending is None:
        return messages.word("hint.heading", lang, level=h.level,
                             task=f"d/d{show(h.var)} ({show(h.expr)})")  # fmt: skip
    if h.within == h.pending:
        return messages.word("hint.heading", lang, level=h.level, task=built(h.pending))
    return messages.word("hint.heading_within", lang, level=h.level, pending=built(h.pending),
                         within=built(h.within))  # fmt: skip


def text(h: Hint, lang: str = "en", width: int = 80) -> str:
    """The hint as text: its heading, then each sentence wrapped to `width`, between words and
    between a formula's terms, never inside a term."""
    import textwrap

    from chainrule_cli.render.terminal import NBSP, breakable

    printer = UnicodePrinter()
    show = lambda e: breakable(printer.doprint(e).replace(" ", NBSP))  # noqa: E731
    built = lambda e: breakable(built_text(e, printer).replace(" ", NBSP))  # noqa: E731
    lines = [heading(h, lang, show, built)]
    for _, said in sentences(h, lang, show, built):
        lines += textwrap.wrap(messages.sentence_case(said), width=max(width, 40),
                               initial_indent="  ", subsequent_indent="    ",
                               break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return "\n".join(line.replace(NBSP, " ") for line in lines) + "\n"


def to_json(h: Hint, given: str | None, lang: str = "en") -> dict:
    show = SympyTextPrinter().doprint
    tex = TextbookLatexPrinter()
    said = sentences(h, lang, UnicodePrinter().doprint,
                     lambda e: built_text(e, UnicodePrinter()))  # fmt: skip
    out = {
        "schema": SCHEMA,
        "ok": True,
        "input": given if given is not None else show(h.expr),
        "var": show(h.var),
        "rule": h.rule,
        "where": show(h.where),
        "level": h.level,
        "applies": h.applies,
        "picked": h.picked,
        "text": " ".join(messages.sentence_case(s) for _, s in said),
        "verified": h.verified,
    }
    if h.pending is not None:  # a student's working: the derivative the hint is for, in it
        out["pending"] = show(h.pending)
        out["within"] = show(h.within)
    if h.level >= 2 and h.applies:
        out["parts"] = {name: show(part) for name, part in h.parts}
        out["let"] = {show(u): show(inner) for u, inner in h.lets}
        out["formula"] = _formula(h)
    if h.level == 3 and h.applied is not None:
        out["applied"] = {"expr": show(h.applied.expr), "latex": built_latex(h.applied.expr, tex)}
    return out


def hint_text(h: Hint, o) -> str:
    return text(h, o.lang, o.width)


def hint_json(h: Hint, o) -> str:
    return json.dumps(to_json(h, o.text, o.lang), ensure_ascii=False) + "\n"


def hint_markdown(h: Hint, o) -> str:
    """The hint as Markdown: its heading, then each sentence a list item."""
    lines = text(h, o.lang, 10_000).splitlines()
    return "\n".join([f"**{lines[0]}**", "", *(f"- {line.strip()}" for line in lines[1:])]) + "\n"
