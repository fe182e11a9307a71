"""A practice sheet in every format: text and terminal, Markdown, JSON (chainrule.practice/1),
LaTeX (a block, or with standalone a worksheet to print: title, name and date lines, numbered
problems with room to work; with the key its answer key), HTML (each problem with its hint,
answer and derivation folded, the derivation's steps each folded in turn) and TSV (the key as
EXPR<TAB>VAR<TAB>ANSWER lines that `chainrule check -` grades against).

`key` is None (the problems only), "answers" or "full" (the derivations too)."""

from __future__ import annotations

import json
import re

import sympy

from chainrule_cli.calculus.practice import Problem, Sheet
from chainrule_cli.render import messages
from chainrule_cli.render.printing import SympyTextPrinter, TextbookLatexPrinter, UnicodePrinter

SCHEMA = "chainrule.practice/1"


def _word(key: str, lang: str, **fields) -> str:
    return messages.word(key, lang, **fields)


def title(sheet: Sheet, lang: str, key: str | None = None) -> str:
    topic = _word(f"practice.topic.{sheet.topic}", lang)
    level = _word(f"practice.level.{sheet.level}", lang)
    said = _word("practice.title", lang, topic=topic, level=level)
    return _word("practice.key_title", lang, title=said) if key else said


def equation(p: Problem) -> sympy.Basic | None:
    found = getattr(p.derivation, "equation", None)
    return None if found is None else sympy.Eq(*found, evaluate=False)


def task_text(p: Problem, lang: str) -> str:
    """d/dx (sin(3x^2 + 5)); dy/dx for x^2 + y^2 = 25."""
    show = UnicodePrinter().doprint
    eq = equation(p)
    if eq is not None:
        return _word("practice.implicit_task", lang, equation=f"{show(eq.lhs)} = {show(eq.rhs)}")
    return f"d/d{p.var} ({show(p.derivation.expr)})"


def task_latex(p: Problem, lang: str) -> str:
    tex = TextbookLatexPrinter().doprint
    eq = equation(p)
    if eq is not None:
        words = _word("practice.implicit_task", lang, equation="@")
        before, _, after = words.partition("@")
        before = before.replace("dy/dx", r"$\dfrac{dy}{dx}$")
        return f"{before}$\\displaystyle {tex(eq.lhs)} = {tex(eq.rhs)}${after}"
    return rf"$\displaystyle \frac{{d}}{{d{p.var}}}\left({tex(p.derivation.expr)}\right)$"


def answer_text(p: Problem) -> str:
    return f"dy/d{p.var} = {UnicodePrinter().doprint(p.answer)}"


def answer_latex(p: Problem) -> str:
    return rf"\frac{{dy}}{{d{p.var}}} = {TextbookLatexPrinter().doprint(p.answer)}"


def instructions(sheet: Sheet, lang: str, var: str = "x") -> str:
    """What to do, and the seed: "Differentiate each function with respect to x. (seed 3)"."""
    implicit = any(equation(p) is not None for p in sheet.problems)
    said = _word("practice.instructions_implicit" if implicit else "practice.instructions", lang,
                 var=var)  # fmt: skip
    return _word("practice.seeded", lang, said=said, seed=_word("practice.seed", lang,
                                                                 seed=sheet.seed))  # fmt: skip


# ---- text, Markdown, JSON, TSV -------------------------------------------------------------


def text(sheet: Sheet, lang: str = "en", key: str | None = None, width: int = 80) -> str:
    out = [title(sheet, lang), instructions(sheet, lang), ""]
    for p in sheet.problems:
        out.append(f"{p.id:>3}. {task_text(p, lang)}")
    if key:
        out += ["", _word("practice.key", lang)]
        for p in sheet.problems:
            out.append(f"{p.id:>3}. {answer_text(p)}")
            if key == "full":
                shown = p.derivation.render("text", lang, width=max(width - 5, 40))
                out += ["     " + line if line else "" for line in shown.rstrip("\n").splitlines()]
                out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def markdown(sheet: Sheet, lang: str = "en", key: str | None = None) -> str:
    out = [f"## {title(sheet, lang)}", "", instructions(sheet, lang), ""]
    out += [f"{p.id}. ${task_latex(p, lang).strip('$')}$" if equation(p) is None
            else f"{p.id}. {task_latex(p, lang)}" for p in sheet.problems]  # fmt: skip
    if key:
        out += ["", f"### {_word('practice.key', lang)}", ""]
        for p in sheet.problems:
            out.append(f"{p.id}. ${answer_latex(p)}$")
            if key == "full":
                out += ["", p.derivation.render("markdown", lang).rstrip("\n"), ""]
    return "\n".join(out) + "\n"


def to_json(sheet: Sheet, lang: str = "en", key: str | None = None) -> dict:
    show = SympyTextPrinter().doprint
    tex = TextbookLatexPrinter().doprint
    problems = []
    for p in sheet.problems:
        item = {
            "id": p.id,
            "expr": p.expr,
            "var": p.var,
            "task": task_text(p, lang),
            "answer": show(p.answer),
            "answer_latex": tex(p.answer),
            "rules": list(p.rules),
            "topic": p.topic,
            "verified": p.derivation.verified,
        }
        if key == "full":
            item["derivation"] = p.derivation.to_json(p.expr, lang)
        problems.append(item)
    return {"schema": SCHEMA, "ok": True, "seed": sheet.seed, "topic": sheet.topic,
            "level": sheet.level, "count": len(problems), "title": title(sheet, lang),
            "problems": problems}  # fmt: skip


def tsv(sheet: Sheet, lang: str = "en") -> str:
    """The key as lines `check -` reads: EXPR<TAB>VAR<TAB>ANSWER, then the problem's number; a
    comment line first (check - skips it). A class's answers go in the third column."""
    show = SympyTextPrinter().doprint
    out = [
        f"# {title(sheet, lang, key='answers')} ({_word('practice.seed', lang, seed=sheet.seed)})"
    ]
    out += [f"{p.expr}\t{p.var}\t{show(p.answer)}\t{p.id}" for p in sheet.problems]
    return "\n".join(out) + "\n"


# ---- LaTeX -----------------------------------------------------------------------------------


def latex(sheet: Sheet, lang: str = "en", key: str | None = None, standalone: bool = False) -> str:
    """The problems as an enumerate block; standalone, a worksheet (or with the key, its key)
    that compiles (pdflatex; xelatex for Chinese)."""
    if key:
        items = [rf"\item {task_latex(p, lang)}" + "\n" + rf"\[ {answer_latex(p)} \]"
                 for p in sheet.problems]  # fmt: skip
        if key == "full":
            items = [item + "\n" + _derivation_latex(p, lang) for item, p in
                     zip(items, sheet.problems, strict=True)]  # fmt: skip
    else:
        room = r"\vspace{5\baselineskip}" if standalone else ""
        items = [rf"\item {task_latex(p, lang)}{room}" for p in sheet.problems]
    block = "\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}\n"
    if not standalone:
        return block
    from chainrule_cli.render.latex import escape as escape_latex
    from chainrule_cli.render.latex import preamble

    opening = [*preamble(lang), r"\pagestyle{empty}", r"\begin{document}"]
    head = [rf"\section*{{{escape_latex(title(sheet, lang, key))}}}"]
    if not key:
        colon = messages.colon(lang).strip()
        name, date = _word("practice.name", lang), _word("practice.date", lang)
        head.append(rf"\noindent {name}{colon} \rule{{7cm}}{{0.4pt}}\hfill"
                    rf" {date}{colon} \rule{{4cm}}{{0.4pt}}")  # fmt: skip
        head.append(r"\par\bigskip")
    said = escape_latex(instructions(sheet, lang, "@")).replace("@", "$x$")
    head.append(rf"\noindent {said}")
    return "\n".join(opening + head) + "\n" + block + "\\end{document}\n"


def _derivation_latex(p: Problem, lang: str) -> str:
    """A problem's derivation for the full key: its align* blocks, without its heading."""
    return p.derivation.render("latex", lang)


# ---- HTML ------------------------------------------------------------------------------------


def html(sheet: Sheet, lang: str = "en") -> str:
    """A page of problems: each with its hint, answer and derivation folded (<details>), the
    derivation's steps each folded, to open one at a time."""
    from chainrule_cli.render.html import Html, escape, math, page

    h = Html(lang)
    out = [f"<h1>{escape(title(sheet, lang))}</h1>\n",
           f"<p>{escape(instructions(sheet, lang))}</p>\n"]  # fmt: skip
    for p in sheet.problems:
        eq = equation(p)
        if eq is not None:
            task = escape(_word("practice.implicit_task", lang, equation="@")).replace(
                "@", math(h.t(eq.lhs) + "<mo>=</mo>" + h.t(eq.rhs)))  # fmt: skip
        else:
            task = math(f"<mfrac><mi>d</mi><mrow><mi>d</mi><mi>{p.var}</mi></mrow></mfrac>"
                        + "<mo>&#x2061;</mo><mrow><mo>(</mo>" + h.t(p.derivation.expr)
                        + "<mo>)</mo></mrow>")  # fmt: skip
        hint = _hint_sentence(p, lang)
        steps = _folded_steps(p, lang)
        out.append(
            f'<section class="problem" id="problem-{p.id}">\n'
            f'<h2><span class="num">{p.id}.</span> {task}</h2>\n'
            f"<details><summary>{escape(_word('practice.hint', lang))}</summary>"
            f"<p>{escape(hint)}</p></details>\n"
            f"<details><summary>{escape(_word('practice.answer', lang))}</summary>"
            f'<p class="answer">{math(h.t(p.answer))}</p></details>\n'
            f"<details><summary>{escape(_word('practice.derivation', lang))}</summary>\n"
            f"{steps}</details>\n</section>\n"
        )
    return page(title(sheet, lang), "".join(out), lang)


def _hint_sentence(p: Problem, lang: str) -> str:
    from chainrule_cli.calculus.hint import hint
    from chainrule_cli.render.hint import sentences

    if equation(p) is not None:
        return messages.word("practice.implicit_hint", lang)
    found = hint(p.derivation.expr, p.derivation.var, 1, None, p.derivation.root,
                 p.derivation.verified)  # fmt: skip
    show = UnicodePrinter().doprint
    said = sentences(found, lang, show, show)
    return " ".join(messages.sentence_case(s) for _, s in said)


def _folded_steps(p: Problem, lang: str) -> str:
    """The derivation's page body, each step closed (the student opens them one by one), the
    problem's ids its own."""
    from chainrule_cli.render.html import page_body, steps_of_problem

    body = page_body(p.derivation.render("html", lang))
    body = re.sub(r"<h1>.*?</h1>\n", "", body, count=1, flags=re.S)
    body = body.replace('<details open class="step"', '<details class="step"')
    return steps_of_problem(body, p.id)


# ---- the formats (render/__init__.py: RENDERERS) --------------------------------------------


def practice_text(sheet, o) -> str:
    return text(sheet, o.lang, sheet.key, o.width)


def practice_markdown(sheet, o) -> str:
    return markdown(sheet, o.lang, sheet.key)


def practice_json(sheet, o) -> str:
    return json.dumps(to_json(sheet, o.lang, sheet.key), ensure_ascii=False) + "\n"


def practice_latex(sheet, o) -> str:
    return latex(sheet, o.lang, sheet.key, o.standalone)


def practice_html(sheet, o) -> str:
    return html(sheet, o.lang)


def practice_tsv(sheet, o) -> str:
    return tsv(sheet, o.lang)
