"""The derivation as LaTeX a teacher would hand in: equation chains with their reasons on the right.

One `align*` holds the derivation (a few for a long one), every row starting at the left: a
composite step is a heading (number, rule, formula), the names it introduces (let u = wx + b),
its sentence when that says something, its sub-steps one level further in, and then its own chain
`dy/dx &= … && \\text{Chain rule} \\\\ &= …` in an `aligned`. A step without sub-steps is one
short chain, `2.  f' &= 2x && \\text{Power rule: } (x^n)' = n x^{n-1}`, grouped with its siblings
so their signs and reasons line up. The root's chain ends with the answer boxed. Only amsmath is
needed and only macros KaTeX and MathJax know, so the output pastes into a notebook as it is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render import messages
from chainrule_cli.render.printing import TextbookLatexPrinter, approx, built_latex, latex
from chainrule_cli.render.terminal import edge_d, signed_sum, undefined_key
from chainrule_cli.render.view import Applied, Outline, Outliner, StepView, outline
from chainrule_cli.render.view import formula as rule_formula

# A row is at most this wide, in characters as printed (indentation counted).
ROW_WIDTH = 78
# Kept for callers that cut LaTeX by its length.
ROW_CHARS = 80
# Rows per align* environment: TeX keeps a whole environment in memory.
ROWS_PER_BLOCK = 80
INDENT = r"\qquad "
# The width of one level of indentation, in characters.
INDENT_WIDTH = 4

_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
# Characters of the catalog's sentences that pdflatex's text fonts lack: written as math.
_TEXT_MATH = {"−": "-", "·": r"\cdot", "≠": r"\neq", "²": "^{2}", "σ": r"\sigma",
              "∂": r"\partial", "|": "|", "<": "<", ">": ">", "⇒": r"\Rightarrow"}  # fmt: skip
_MARK = re.compile("\x00(.*?)\x01", re.S)


def escape(text: str) -> str:
    """Text for \\text{…} and paragraphs: LaTeX's special characters escaped."""
    return "".join(_ESCAPES.get(c, c) for c in text)


def _symbol(name: str) -> str:
    return latex(sympy.Symbol(name))


def leibniz(value: str | None, var: sympy.Symbol, order: int = 1, d: str = "d") -> str:
    """\\frac{dy}{dx}, or with d = \\partial the partial derivative."""
    x = latex(var)
    sep = "" if d == "d" else " "
    if not value or not value.isidentifier():
        return rf"\frac{{{d}}}{{{d}{sep}{x}}}"
    y = _symbol(value)
    if order == 1:
        return rf"\frac{{{d}{sep}{y}}}{{{d}{sep}{x}}}"
    return rf"\frac{{{d}^{{{order}}}{sep}{y}}}{{{d}{sep}{x}^{{{order}}}}}"


def annotate(rows: list[str], note: str) -> list[str]:
    """The note (a heading: rule and formula) on a row of its own above the mathematics."""
    if not note:
        return rows
    return [f"&{note}", *rows]


def _group(tex: str, start: int) -> int:
    """The index after the brace group opening at `start` ({…}, nested groups inside)."""
    depth = 0
    for i in range(start, len(tex)):
        depth += tex[i] == "{"
        depth -= tex[i] == "}"
        if depth == 0:
            return i + 1
    return len(tex)


def width(tex: str) -> int:
    """About how many characters wide `tex` prints: a fraction as wide as the wider of its
    numerator and denominator (erring on the wide side elsewhere)."""
    found = tex.find(r"\frac{")
    while found >= 0:
        top_end = _group(tex, found + 5)
        bottom_end = _group(tex, top_end) if tex[top_end : top_end + 1] == "{" else top_end
        top, bottom = tex[found + 6 : top_end - 1], tex[top_end + 1 : bottom_end - 1]
        wide = max(width(top), width(bottom), 1)
        tex = tex[:found] + "x" * wide + tex[bottom_end:]
        found = tex.find(r"\frac{")
    s = re.sub(r"\\(left|right|begin|end)\b|\\[,;:! ]|\\quad|\\qquad", "", tex)
    s = re.sub(r"\\text\{", "{", s)
    s = re.sub(r"\\cdot\b", "++", s)
    s = re.sub(r"\\[A-Za-z]+", "xxx", s)
    s = re.sub(r"[{}\s^_&]", "", s)
    return len(s) + len(re.findall(r"[-+=]", s))  # with the spaces around + and =


def _text(words: str) -> str:
    return rf"\text{{{escape(words)}}}" if words else ""


def escape_words(sentence: str) -> str:
    """A sentence with $…$ mathematics: its words escaped for LaTeX, the mathematics kept."""
    pieces = sentence.split("$")
    return "$".join(p if i % 2 else escape(p).replace("−", "-") for i, p in enumerate(pieces))


def cut_terms(text: str, limit: int) -> list[str]:
    """A LaTeX form as rows of at most about `limit`, cut before a + or − between the terms
    at its top level (outside every brace and \\left…\\right): never inside a term."""
    cuts, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith(r"\left", i):
            depth, i = depth + 1, i + 5
            continue
        if text.startswith(r"\right", i):
            depth, i = depth - 1, i + 6
            continue
        if text.startswith((r"\begin{", r"\end{"), i):  # \begin{cases} … \end{cases}: one term
            depth += 1 if text.startswith(r"\begin{", i) else -1
            i = text.index("}", i) + 1
            continue
        c = text[i]
        depth += c == "{"
        depth -= c == "}"
        if depth == 0 and text.startswith((" + ", " - "), i) and i:
            cuts.append(i + 1)
        i += 1
    rows, start = [], 0
    for j, cut in enumerate(cuts):
        following = cuts[j + 1] if j + 1 < len(cuts) else len(text)
        if width(text[start:following]) > limit:
            rows.append(text[start:cut].strip())
            start = cut
    rows.append(text[start:].strip())
    return [r for r in rows if r]


def mixed_row(pieces: Iterable[tuple[str, str]]) -> str:
    """Pieces ("text", words) and ("math", latex) as one piece of mathematics: each run of
    words in one \\text{…}, its spaces kept; in Chinese a thin gap between the words and the
    mathematics (xeCJK drops the spaces there: 对x 求导)."""
    out: list[str] = []
    run = ""
    for kind, value in pieces:
        if kind == "math":
            if run:
                out.append(_text(run))
                if _cjk(run.rstrip()[-1:]):
                    out.append(CJK_GAP)
                run = ""
            out.append(value)
        else:
            if out and not run and _cjk(value.lstrip()[:1]):
                out.append(CJK_GAP)
            run += value
    if run.strip():
        out.append(_text(run.rstrip()))
    return " ".join(out)


# the space a Chinese text leaves around the mathematics inside it (ctex's own between CJK
# and Latin letters; inside one formula \text{其中}f has none)
CJK_GAP = r"\,"


def _cjk(char: str) -> bool:
    return bool(char) and "\u3000" <= char <= "\u9fff" and char not in "，。：；、（）"


def text_pieces(text: str) -> list[tuple[str, str]]:
    """A sentence whose expressions are marked \\x00latex\\x01, as text and math pieces (the
    characters the text fonts lack become math too)."""
    pieces: list[tuple[str, str]] = []
    for i, part in enumerate(_MARK.split(text)):
        if i % 2:
            pieces.append(("math", part))
            continue
        if part.startswith("'") and pieces and pieces[-1][0] == "math":  # y' is mathematics
            pieces[-1] = ("math", pieces[-1][1] + "'")
            part = part[1:]
        run = ""
        for c in part:
            if c in _TEXT_MATH:
                if run:
                    pieces.append(("text", run))
                pieces.append(("math", _TEXT_MATH[c]))
                run = ""
            else:
                run += c
        if run:
            pieces.append(("text", run))
    return pieces


def wrap_pieces(pieces: list[tuple[str, str]], limit: int) -> list[list[tuple[str, str]]]:
    """Text and math pieces in lines of at most `limit` characters, broken between words."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for kind, value in pieces:
        words = [("math", value)] if kind == "math" else _words(value)
        for kind2, word in words:
            size = width(word) if kind2 == "math" else len(word)
            if used and used + size > limit and word.strip():
                lines.append([])
                used = 0
                if kind2 == "text":
                    word = word.lstrip()
            lines[-1].append((kind2, word))
            used += size
    return [line for line in lines if line]


def _words(text: str) -> list[tuple[str, str]]:
    return [("text", w) for w in re.findall(r"\s*\S+|\s+", text)]


class LatexRenderer:
    """A derivation as rows of one `align*` (several for a long one), the answer boxed."""

    def __init__(self, lang: str = "en", at: dict | None = None, partial: bool = False) -> None:
        self.lang = lang
        self.at = at
        self.d = r"\partial" if partial else "d"
        self.root_d = self.d
        self.printer = TextbookLatexPrinter()
        self.tex = self.printer.doprint
        self.part_names: dict[int, str] = {}
        self.sentences: Outliner | None = None
        self.boxed_apart = False
        self.boxed_why = ""

    def word(self, key: str, **fields) -> str:
        return messages.word(key, self.lang, **fields)

    def chunks(self, expr: sympy.Expr, limit: int = ROW_WIDTH) -> list[str]:
        """The LaTeX of expr in rows fit for the page: cut between its terms, or between its
        factors, and inside a factor too wide itself (its brackets then plain, across rows)."""
        rows: list[str] = []
        for piece in self.pieces(expr, limit):
            if rows and width(rows[-1]) + width(piece) <= limit:
                rows[-1] += " " + piece
            else:
                rows.append(piece)
        return rows

    def pieces(self, expr: sympy.Expr, limit: int) -> list[str]:
        """The pieces a row may be cut between, in order (+ and \\cdot leading)."""
        whole = self.tex(expr)
        if width(whole) <= limit or not (expr.is_Add or expr.is_Mul):
            return [whole]
        out: list[str] = []
        if expr.is_Add:
            for i, term in enumerate(expr.as_ordered_terms()):
                sub = self.pieces(term, limit)
                if i and not sub[0].startswith("-"):
                    sub[0] = "+ " + sub[0]
                out += sub
            return out
        top, bottom = sympy.fraction(expr)
        if bottom != 1 and top != 1:
            # one fraction cut: 1/(2(x + 5)^(3/2)) first, then its numerator's pieces
            sign = top.could_extract_minus_sign()
            top = -top if sign else top
            sub = self.pieces(top, limit)
            if top.is_Add:
                sub = ["(" + sub[0], *sub[1:-1], sub[-1] + ")"] if len(sub) > 1 else [
                    rf"\left({sub[0]}\right)"
                ]  # fmt: skip
            over = rf"\frac{{1}}{{{self.tex(bottom)}}}"
            return [("- " if sign else "") + over + r" \cdot " + sub[0], *sub[1:]]
        coeff, rest = expr.as_coeff_Mul()
        lead = "-" if coeff == -1 else "" if coeff == 1 else self.tex(coeff) + r" \cdot"
        for i, factor in enumerate(rest.as_ordered_factors()):
            sub = self.pieces(factor, limit)
            if factor.is_Add:
                if len(sub) == 1:
                    sub = [rf"\left({sub[0]}\right)"]
                else:
                    sub = ["(" + sub[0], *sub[1:-1], sub[-1] + ")"]
            if i:
                sub[0] = r"\cdot " + sub[0]
            out += sub
        if lead:
            out[0] = f"{lead} {out[0]}"
        return out

    # ---- pieces of rows ------------------------------------------------------------------
    def lhs(self, view: StepView) -> str:
        """What a step's chain starts with: dy/du, f' (a named part of the rule above), or
        d/dx (x²)."""
        step = view.step
        d = r"\partial" if view.partial else self.d
        if view.value and view.value.isidentifier():
            return leibniz(view.value, step.var, step.order, d)
        if view.value:  # y', y'' in a higher derivative
            return rf"{leibniz(None, step.var, d=d)} {view.value}"
        part = self.part_names.get(id(step))
        if part is not None:
            return part
        return rf"{leibniz(None, step.var, d=d)}\left({self.tex(view.expr)}\right)"

    def formula(self, view: StepView) -> str:
        return rule_formula(view)[1]

    def label(self, view: StepView) -> str:
        """The rule and its formula, as the reason of a chain: Power rule: (x^n)' = n x^{n-1}."""
        if view.see is not None:
            return _text(f"{view.name} ({self.word('ui.see_step', number=view.see)})")
        formula = self.formula(view)
        colon = "：" if self.lang == "zh" else ": "  # a Chinese text's own colon
        return _text(f"{view.name}{colon}") + formula if formula else _text(view.name)

    def heading(self, view: StepView) -> str:
        """A composite step's first row: number, rule and formula."""
        formula = self.formula(view)
        colon = "：" if self.lang == "zh" else ":"
        text = _text(f"{view.number}. {view.name}" + (colon if formula else ""))
        return text + (r"\quad " + formula if formula else "")

    def note(self, view: StepView) -> str:
        """The heading (kept for callers that label a row with the rule)."""
        return self.heading(view)

    def side(self, side) -> str:
        """One side of an equation row: an expression, or d/dx (expression)."""
        if isinstance(side, Applied):
            return rf"{leibniz(None, side.var, d=self.d)}\left({self.tex(side.expr)}\right)"
        return self.tex(side)

    def why(self, key: str | None) -> str:
        """A reason from the catalog (why.factor_terms, or the key without `why.`)."""
        if not key:
            return ""
        full = key if "." in key else f"why.{key}"
        try:
            return _text(self.word(full))
        except KeyError:  # a reason the catalog does not have yet: the rewrites' own words
            from chainrule_cli.calculus import forms

            words = getattr(forms, "WHY", {}).get(full.removeprefix("why."))
            if words:
                return _text(words[1] if self.lang == "zh" else words[0])
            return _text(key.replace("_", " "))

    def mixed(self, key: str, **math: str) -> str:
        """A catalog phrase with mathematics in it: text parts in \\text{…}, the rest as math."""
        marks = {f"@{name}@": value for name, value in math.items()}
        words = self.word(key, **{name: f"@{name}@" for name in math})
        out = []
        for part in re.split("(" + "|".join(map(re.escape, marks)) + ")", words):
            if part in marks:
                out.append(marks[part])
            elif part:
                out.append(_text(part))
        return " ".join(out)

    def sentence(self, outline: Outline, view: StepView) -> list[tuple[str, str]]:
        """The step's sentence as text and math pieces, its expressions typeset."""
        if self.sentences is None or self.sentences.derivation is not outline.derivation:
            show = lambda e: "\x00" + self.tex(e) + "\x01"  # noqa: E731
            self.sentences = Outliner(outline.derivation, self.lang, show)
        return text_pieces(self.sentences.note(view.step))

    def text_rows(self, pieces: list[tuple[str, str]], depth: int) -> list[str]:
        """Words (with some mathematics) as rows of text, wrapped to the page."""
        limit = max(ROW_WIDTH + 12 - INDENT_WIDTH * depth, 40)
        return [f"&{INDENT * depth}{mixed_row(line)}" for line in wrap_pieces(pieces, limit)]

    # ---- chains ----------------------------------------------------------------------------
    def forms(self, view: StepView) -> list[tuple[sympy.Expr | str, str]]:
        """The forms a step's derivative takes, each with the reason it follows from the one
        before (an expression or its LaTeX, reason): the rule written out on this expression,
        its middle form, the result."""
        step = view.step
        worked = getattr(view, "worked", ())
        out: list[tuple[sympy.Expr | str, str]] = []
        if worked:
            if isinstance(step, S.ChainStep):  # dy/du · du/dx, then the product worked
                out = self.forms(dataclasses.replace(view, worked=()))[:-1]
            # a prime would not say by which variable when there are several: ∂/∂x (…)
            d = r"\partial" if view.partial or self.d == r"\partial" else None
            lead = not out  # the first form is said by the rule's name
            out += [
                (built_latex(f.expr, self.printer, d), "" if i == 0 and lead else self.why(f.why))
                for i, f in enumerate(worked)
            ]
            # a form that cannot be cut between terms to fit the page (one wide fraction) is
            # left out: the terminal wraps it, a page cannot
            room = ROW_WIDTH - INDENT_WIDTH * view.depth
            fit = [
                (form, why) for form, why in out
                if not isinstance(form, str) or max(width(p) for p in cut_terms(form, room)) <= room
            ]  # fmt: skip
            settled = getattr(view, "settled", False) and len(fit) == len(out)
            out = fit
            if not settled:
                out.append((view.result, self.why(view.why)))
            return out
        d = r"\partial" if view.partial else self.d
        if isinstance(step, S.ChainStep) and view.lets:  # (none: d/dx y² = 2y·y′, said once)
            u, x = str(step.intermediate), step.var
            du_dx = leibniz(u, x, d=d)
            if view.value and view.value.isidentifier():
                out.append((rf"{leibniz(view.value, step.intermediate, d=d)} \cdot {du_dx}", ""))
            else:
                outer = self.tex(step.outer)
                out.append((rf"{leibniz(None, step.intermediate, d=d)}\left({outer}\right)"
                            rf" \cdot {du_dx}", ""))  # fmt: skip
            if view.via is not None:
                out.append((view.via, ""))
            if view.times is not None:
                out.append((rf"{self.tex(view.result)} \cdot {du_dx}", ""))
            else:
                out.append((view.result, ""))
            return out
        if getattr(step, "paths", ()):
            terms = []
            for path in step.paths:
                names = [view.value or "y", *(str(n) for n in path.via), str(step.var)]
                edges = zip(names, names[1:], strict=False)
                terms.append(
                    " ".join(
                        leibniz(a, sympy.Symbol(b), d=edge_d(view, a, self.d, r"\partial"))
                        for a, b in edges
                    )
                )
            out.append((" + ".join(terms), ""))
            out.append((signed_sum([self.tex(p.product) for p in step.paths], "-"), ""))
        elif view.via is not None:
            out.append((view.via, ""))
        out.append((view.result, self.why(view.why)))
        return out

    def pack(self, lhs: str, forms, first_why: str, room: int) -> list[list[str]]:
        """Chain rows [left, right, reason]: forms joined by = while they fit, a new row for
        each reason; a form too wide is cut at its terms over several rows."""
        rows: list[list[str]] = []
        for i, (form, why) in enumerate(forms):
            why = why or (first_why if i == 0 else "")
            text = form if isinstance(form, str) else self.tex(form)
            pieces = [text]
            fits = room - width(lhs) - width(why) - 3
            if width(text) > fits and not isinstance(form, str):
                pieces = self.chunks(form, max(fits, 30))
            elif width(text) > fits:  # a rule's worked form: cut between its terms
                pieces = cut_terms(text, max(fits, 30))
            if rows and not why and len(pieces) == 1 and not rows[-1][1].startswith(r"\quad"):
                left, right, reason = rows[-1]
                if width(left) + width(right) + width(text) + width(reason) + 3 <= room:
                    rows[-1][1] = f"{right} = {text}"
                    continue
            rows.append([lhs if not rows else "", pieces[0], why])
            rows.extend(["", rf"\quad {piece}", ""] for piece in pieces[1:])
        return rows

    def aligned(
        self, rows: list[list[str]], depth: int, numbers: list[str] | None = None,
        tags: bool = True,
    ) -> str:  # fmt: skip
        """Chain rows as rows of the page's align*: left = right, each reason a \tag* at the
        right margin, so that every reason of the derivation stands in one column (an
        `aligned` per chain gave each its own column: the reasons zig-zagged down the page);
        the rows after the first start where its = does (\\phantom of its left side). With
        `numbers`, each chain opens with its step's number. tags=False: one `aligned` (left
        &= right && reason), for a display of its own (Markdown's $$)."""
        if not tags:
            return self.aligned_block(rows, depth, numbers)
        lines, lead = [], ""
        for i, (left, right, why) in enumerate(rows):
            number = numbers[i] if numbers is not None else ""
            head = rf"\text{{{number}}}\ " if number else ""
            if left or number:
                lead = f"{head}{left}"
                body = f"{lead} = {right}"
            elif right.startswith(r"\quad "):  # a long form cut: its next piece
                body = rf"\phantom{{{lead}}} {right}" if lead else right
            else:
                body = rf"\phantom{{{lead}}} = {right}" if lead else f"= {right}"
            line = f"&{INDENT * depth}{body}"
            if why:
                line += rf" \tag*{{${why}$}}"
            lines.append(line)
        return " \\\\\n".join(lines)

    def aligned_block(
        self, rows: list[list[str]], depth: int, numbers: list[str] | None = None
    ) -> str:
        """Chain rows as one `aligned`: left &= right && reason; with `numbers`, each row
        opens with its step's number in a column of its own."""
        lines = []
        for i, (left, right, why) in enumerate(rows):
            eq = "&" if right.startswith(r"\quad ") else "&= "
            line = f"{left} {eq}{right}".lstrip()
            if why:
                line += rf" && {why}"
            if numbers is not None:
                line = (rf"\text{{{numbers[i]}}} && " if numbers[i] else "&& ") + line
            lines.append(line)
        body = " \\\\\n".join(lines)
        return f"&{INDENT * depth}\\begin{{aligned}}\n{body}\n\\end{{aligned}}"

    def chain(self, view: StepView) -> list[list[str]]:
        """The rows of a step's own chain; the root's goes on through the rewrites of the
        answer and ends with it boxed."""
        room = ROW_WIDTH - INDENT_WIDTH * view.depth
        forms = self.forms(view)
        root = self.is_root(view)
        d = self.outline.derivation
        if root:
            forms += [(r.after, self.why(r.why)) for r in d.simplify]
        first_why = _text(view.name) if self.composite(view) else self.label(view)
        rows = []
        for equation in view.equations[1:] if self.composite(view) else view.equations:
            rows.append([self.side(equation.left), self.side(equation.right),
                         self.why(equation.why)])  # fmt: skip
        packed = self.pack(self.lhs(view), forms, first_why, room)
        if root and not view.after and len(forms) > 1 and packed[-1][1].startswith(r"\quad"):
            # the answer itself too long for a row: it is written once, boxed below the
            # chain (with its reason), not cut here and then again in the box
            self.boxed_why = forms[-1][1]
            packed = self.pack(self.lhs(view), forms[:-1], first_why, room)
        rows += packed
        for equation in view.after:
            rows.append(["", self.side(equation.right), self.why(equation.why)])
        if root:
            last = d.simplify[-1].after if d.simplify else view.result
            if view.after:
                last = view.after[-1].right
            if (
                last == self.outline.result
                and not rows[-1][1].startswith(r"\quad")
                and not self.boxed_why
            ):
                head, sep, tail = rows[-1][1].rpartition(" = ")
                rows[-1][1] = f"{head}{sep}\\boxed{{{tail}}}"
            else:
                self.boxed_apart = True
        return rows

    # ---- the steps ---------------------------------------------------------------------------
    def composite(self, view: StepView) -> bool:
        """Whether sub-steps are shown under the step (not all of them folded)."""
        return view.composite

    def is_root(self, view: StepView) -> bool:
        return view.number == 1 and view.level == 0

    def opening(self, outline: Outline, view: StepView) -> list[str]:
        """A composite step's rows before its sub-steps: heading (with the rule's parts), the
        names it introduces, its sentence."""
        ind = INDENT * view.depth
        room = ROW_WIDTH - INDENT_WIDTH * view.depth
        heading = self.heading(view)
        rows = [f"&{ind}{heading}"]
        parts = self.name_parts(view)
        if parts:
            named = r",\ ".join(f"{_symbol(name)} = {self.tex(value)}" for name, value in parts)
            with_ = _text(self.word("ui.with") + " ")
            if width(heading) + width(with_) + width(named) + 4 <= room:
                rows[0] += rf"\qquad {with_}{named}"
            else:
                rows.append(f"&{ind}{with_}{named}")
        names = [f"{self.tex(name)} = {self.tex(value)}" for name, value in view.lets]
        if view.outer is not None:
            named_value = view.value and view.value.isidentifier()
            lhs = _symbol(view.value) if named_value else self.tex(view.expr)
            names.append(f"{lhs} = {self.tex(view.outer)}")
        if view.lets:
            let = self.word("ui.let")
            lead = _text(let[:1].upper() + let[1:]) + r"\ "
            rows.append(f"&{ind}{lead}" + r",\quad ".join(names))
        elif names:
            rows.append(f"&{ind}" + r",\quad ".join(names))
        if view.note:
            rows.extend(self.text_rows(self.sentence(outline, view), view.depth))
        if view.equations:  # d/dx (F) = d/dx (G), before each side is worked out
            first = view.equations[0]
            chain = [[self.side(first.left), self.side(first.right), self.why(first.why)]]
            rows.append(self.aligned(chain, view.depth))
        return rows

    def name_parts(self, view: StepView) -> tuple[tuple[str, sympy.Expr], ...]:
        """The rule's parts (f = x², g = sin x); the sub-steps that differentiate them will
        be written f', g'."""
        parts = getattr(view, "parts", ())
        if id(view.step) in self.part_names:  # a part itself (the quotient's f): its own f, g
            return parts  # would be read as the outer rule's, so its sub-steps are not named
        for name, value in parts:
            for child in view.step.substeps:
                if child.expr == value and id(child) not in self.part_names:
                    self.part_names[id(child)] = _symbol(name) + "'"
                    break
        return parts

    def leaves(self, outline: Outline, group: list[StepView]) -> list[str]:
        """Sibling steps without sub-steps: one aligned, each chain numbered, reasons lined up
        (a step's sentence, when it says something, on the rows above its chain)."""
        rows: list[str] = []
        lines: list[list[str]] = []
        numbers: list[str] = []
        depth = group[0].depth
        for view in group:
            chain = self.chain(view)
            if view.note:
                if lines:
                    rows.append(self.aligned(lines, depth, numbers))
                    lines, numbers = [], []
                rows.extend(self.text_rows(self.sentence(outline, view), depth))
            lines.extend(chain)
            numbers.extend([f"{view.number}."] + [""] * (len(chain) - 1))
        rows.append(self.aligned(lines, depth, numbers))
        return rows

    def rows(self, outline: Outline) -> list[list[str]]:
        """The rows of the steps and the answer, in blocks of at most ROWS_PER_BLOCK rows."""
        self.root_d = r"\partial" if outline.steps[0].partial else self.d
        self.outline = outline
        self.boxed_apart = False
        self.boxed_why = ""  # the reason of an answer boxed apart, when its row was left out
        rows: list[str] = []
        pending: list[StepView] = []  # composite steps waiting for their chain
        group: list[StepView] = []  # sibling leaves waiting to be set together

        def flush() -> None:
            if group:
                rows.extend(self.leaves(outline, group))
                group.clear()

        for view in outline.steps:
            if group and (group[-1].level != view.level or self.composite(view)):
                flush()
            while pending and pending[-1].level >= view.level:
                flush()
                pending_view = pending.pop()
                rows.append(self.aligned(self.chain(pending_view), pending_view.depth))
            if self.composite(view):
                rows.extend(self.opening(outline, view))
                pending.append(view)
            else:
                group.append(view)
        flush()
        while pending:
            view = pending.pop()
            rows.append(self.aligned(self.chain(view), view.depth))
        rows.extend(self.result_rows(outline))
        # every row stands alone, so a long derivation splits anywhere into several align*
        return [rows[i : i + ROWS_PER_BLOCK] for i in range(0, len(rows), ROWS_PER_BLOCK)]

    # ---- the answer ----------------------------------------------------------------------
    def result_rows(self, outline: Outline) -> list[str]:
        """The answer boxed apart when the chain could not box it, the y-form, the value."""
        d = outline.derivation
        dydx = leibniz(outline.value, d.var, d.order, self.root_d)
        rows = []
        if self.boxed_apart:  # narrower rows: the box and dy/dx = take their room
            pieces = self.chunks(outline.result, ROW_WIDTH * 2 // 3)
            if len(pieces) == 1:
                rows.append(rf"&\boxed{{{dydx} = {pieces[0]}}}")
            else:
                body = " \\\\\n&".join(pieces)
                rows.append(rf"&\boxed{{\begin{{aligned}}{dydx} = {{}}&{body}\end{{aligned}}}}")
            if self.boxed_why:
                rows[-1] += rf" \tag*{{${self.boxed_why}$}}"
        if outline.named:
            rows.append("&" + _text(f"({self.word('ui.named')})"))
        if d.in_terms_of is not None:
            intro = self.mixed(
                "ui.in_terms_of",
                named=f"{self.tex(d.in_terms_of.name)} = {self.tex(outline.expr)}",
            )
            answer = f"{dydx} = {self.tex(d.in_terms_of.result)}"
            if width(intro) + width(answer) < ROW_WIDTH:
                rows.append(rf"&{intro}\quad {answer}")
            else:
                rows.extend([f"&{intro}", rf"&\quad {answer}"])
        if self.at is not None:
            rows.append(self.value_row(dydx, self.at))
        return rows

    def value_row(self, dydx: str, at: dict) -> str:
        point = r",\ ".join(f"{self.tex(k)} = {self.tex(v)}" for k, v in at["point"].items())
        exact = at["exact"]
        if exact.has(sympy.zoo, sympy.nan):
            shown = ", ".join(f"{k} = {v}" for k, v in at["point"].items())
            value = _text(self.word(undefined_key(at), point=shown))
        else:
            value = self.tex(exact)
            if at["decimal"] is not None and not exact.is_Integer:
                value += rf" \approx {approx(at['decimal'], latex=True)}"  # LaTeX makes - a minus
        return rf"&\left.{dydx}\right|_{{{point}}} = {value}"

    # ---- the whole ----------------------------------------------------------------------
    def given(self, outline: Outline) -> str:
        """What is differentiated, y = … or f(x) = …, or the equation (with &)."""
        if outline.equation is not None:
            left, right = outline.equation
            return f"{self.tex(left)} &= {self.tex(right)}"
        return f"{self.tex(outline.label)} &= {self.tex(outline.expr)}"

    def render(self, outline: Outline, given: bool = True) -> str:
        """The derivation's align* environments (the first opening with what is
        differentiated, unless `given` is False because a sentence said it)."""
        self.printer.typed = outline.derivation.typed or self.printer.typed
        d = outline.derivation
        self.part_names = {}
        blocks = self.rows(outline)
        if given:
            blocks[0].insert(0, "&" + self.given(outline).replace("&", ""))
        out = []
        for rows in blocks:
            out.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
        if not d.verified:
            numbers = ", ".join(str(n) for n in outline.failures)
            out.append(r"\textbf{" + escape(self.word("ui.not_verified", numbers=numbers)) + "}")
        return "\n".join(out) + "\n"

    def section(self, outline: Outline, text: str | None = None) -> str:
        """The task as a sentence (then the input as typed, if given), then the derivation:
        one part of a document."""
        typed = rf"\noindent\texttt{{{escape(text)}}}" + "\n" if text else ""
        return "\\noindent " + self.task(outline) + "\n" + typed + self.render(outline, False)

    def task(self, outline: Outline) -> str:
        """The task as a sentence of text with its mathematics in $…$."""
        d = outline.derivation
        if outline.equation is not None:
            key = "ui.implicit_task" if d.order == 1 else "ui.implicit_task_order"
            y, x = self.tex(d.dependent), self.tex(d.var)
            math = {"equation": self.given(outline).replace("&", ""),
                    "function": f"{y} = {y}({x})"}  # fmt: skip
        else:
            key = "ui.task" if d.order == 1 else "ui.task_order"
            math = {"expr": self.given(outline).replace("&", "")}
        math["var"] = self.tex(d.var)
        words = escape(self.word(key, order=d.order, **{k: f"@{k}@" for k in math}))
        for name, value in math.items():
            words = words.replace(f"@{name}@", f"${value}$")
        return words


def preamble(lang: str = "en") -> list[str]:
    """A document's lines before \\begin{document}: amsmath only (and ctex for Chinese, for
    xelatex), the displays flush left as a solution is written."""
    lines = [r"\documentclass{article}"]
    if lang == "zh":
        lines.append(r"\usepackage{ctex}")
    return lines + [
        r"\usepackage[fleqn]{amsmath}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\setlength{\mathindent}{1.5em}",
        r"\allowdisplaybreaks",
    ]


def wrap_document(sections: list[str], lang: str = "en") -> str:
    """A whole document around derivations (see preamble). Several sections are a problem
    set: each is headed by its number and its task."""
    lines = [*preamble(lang), r"\begin{document}"]
    if len(sections) > 1:
        sections = [_numbered(i, s) for i, s in enumerate(sections, start=1)]
    body = "\n\\bigskip\n".join(sections)
    return "\n".join(lines) + "\n" + body + "\\end{document}\n"


def _numbered(number: int, section: str) -> str:
    """A section of a problem set, its first line (the task) a heading with its number."""
    first, newline, rest = section.partition("\n")
    first = first.removeprefix("\\noindent ")
    return rf"\subsection*{{{number}.\enspace {first}}}" + newline + rest


def render_latex(
    derivation: S.Derivation, lang: str = "en", standalone: bool = False, at: dict | None = None
) -> str:
    """An align* block to paste into homework, or (standalone) a document that compiles."""
    renderer = LatexRenderer(lang, at)
    renderer.printer.typed = derivation.typed or {}  # w x + b as typed
    view = outline(derivation, lang)
    if standalone:
        return wrap_document([renderer.section(view)], lang)
    return renderer.render(view)


def render_section(
    derivation: S.Derivation, lang: str = "en", at: dict | None = None, text: str | None = None
) -> str:
    """The task sentence (after the input as typed, if given) and the derivation, for a
    document holding several (batch)."""
    renderer = LatexRenderer(lang, at)
    renderer.printer.typed = derivation.typed or {}
    return renderer.section(outline(derivation, lang), text)


def derivation_latex(derivation: S.Derivation, o) -> str:
    """The LaTeX format (render/__init__.py: RENDERERS): a block, a document or a batch's
    section."""
    if o.section:
        return render_section(derivation, o.lang, o.at, text=o.text)
    return render_latex(derivation, o.lang, o.standalone, o.at)
