"""The chain rule in matrix form, shown: the forward names, the backward steps (each with its
rule and formula), the results through the names and in the inputs alone, and where the steps
were verified. Text (and terminal), LaTeX, Markdown and JSON (`chainrule.layers/1`).

Like every renderer it computes nothing: the forms are the derivation's own (calculus/layers.py).
"""

from __future__ import annotations

import json
import math

import sympy

from chainrule_cli import arrays as A
from chainrule_cli.render.messages import word
from chainrule_cli.render.translate import translate

SCHEMA = "chainrule.layers/1"


def _derivation(result):
    return result.layers


def _shape_word(shape: A.Shape, lang: str) -> str:
    return word("layers_scalar", lang) if shape.scalar else shape.text()


def _formula(step, lang: str) -> str:
    term = step.terms[-1]
    return term.formula


def _rule(step, lang: str) -> str:
    return word(f"layers_rule_{step.rule}", lang)


def _grad_name(step, output: str, style: str = "text", output_shape=A.SCALAR) -> str:
    if not step.gradient:
        return A.Printer(style).name(step.name, step.shape)
    var = A.Printer(style).name(step.of, _var_shape(step))
    output = A.Printer(style).name(output, output_shape) if style == "latex" else output
    if style == "latex":
        return rf"\frac{{\partial {output}}}{{\partial {var}}}"
    return f"∂{output}/∂{var}"


def results(d) -> list:
    """The results (gradients, or the output's Jacobians) in the order the variables were
    asked for."""
    found = {b.of: b for b in d.backward if b.gradient}
    return [found[v] for v in d.wrt if v in found]


def _var_shape(step) -> A.Shape:
    """The shape of the variable a result is by (a Jacobian's differs from its own)."""
    return A.VECTOR_NAME if step.by else step.shape


def _inputs(d) -> list[tuple[str, A.Shape]]:
    from chainrule_cli.calculus.expand import inputs_of

    return sorted(inputs_of(d.root).items())


def _notes(d, lang: str) -> list[str]:
    out = [word("read_as_note", lang, note=translate(n, lang)) for n in d.notes]
    if any(b.rule == "log_softmax" for b in d.backward):
        out.append(word("layers_one_hot", lang))
    return out


# ---- text ----


def layers_text(result, options) -> str:
    d, lang = _derivation(result), options.lang
    p = A.Printer("text")
    out: list[str] = []
    shapes = ", ".join(f"{p.name(n, s)}: {_shape_word(s, lang)}" for n, s in _inputs(d))
    out.append(word("layers_read", lang, expr=p(d.root), shapes=shapes))
    out.extend("  " + n for n in _notes(d, lang))
    out.append("")
    out.append(word("layers_forward", lang))
    rows = [(f"{p.name(f.name, f.expr.shape)} = {p(f.expr)}", _shape_word(f.expr.shape, lang))
            for f in d.forward]  # fmt: skip
    out.extend(_table(rows))
    out.append("")
    out.append(_backward_heading(d, lang))
    for i, step in enumerate(d.backward, 1):
        name = _grad_name(step, d.output)
        out.append(f"  {i}. {name} = {p(step.expr)}    ({_shape_word(step.shape, lang)})")
        if len(step.terms) > 1:
            out.append("       " + word("layers_rule_multivariable_chain", lang) + ":")
            for t in step.terms:
                out.append(f"         {p(t.expr)}    [{_rules(t.rules, lang)}: {t.formula}]")
        else:
            out.append(f"       {_rule(step, lang)}: {_formula(step, lang)}")
    out.append("")
    out.append(word("layers_results", lang))
    for step in results(d):
        if not step.gradient:
            continue
        name = _grad_name(step, d.output)
        through = p(step.expr)
        full = p(step.full)
        out.append(f"  {name} = {through}")
        if full != through:
            out.append(f"  {' ' * len(name)} = {full}")
        out.append("  " + _shape_line(d, step, lang, p))
    at = options.at
    if at:
        out.append("")
        out.extend(_at_text(d, at, lang))
    out.append("")
    out.append(_verdict(d, lang))
    return "\n".join(out) + "\n"


def _backward_heading(d, lang: str) -> str:
    if d.kind == "jacobian":
        var = d.wrt[0] if len(d.wrt) == 1 else "x"
        return word("layers_jacobian_chain", lang, var=var)
    return word("layers_backward", lang, output=d.output)


def _shape_line(d, step, lang: str, p: A.Printer) -> str:
    """What the result's shape is: the variable's (a gradient), or outputs × inputs."""
    var = p.name(step.of, step.shape)
    if d.kind == "jacobian":
        shape, rows, cols = _shape_word(step.shape, lang), step.shape.rows, step.shape.cols
        if rows == 1 and cols != 1:  # a scalar's: the gradient, as a row
            return word("layers_jacobian_row", lang, shape=shape, output=d.output, var=var)
        if cols == 1:  # by a scalar: a column, each entry's derivative
            return word("layers_jacobian_column", lang, shape=shape, output=d.output, var=var)
        return word("layers_jacobian_shape", lang, shape=shape, rows=rows, cols=cols,
                    output=d.output, var=var)  # fmt: skip
    return word("layers_shape_of", lang, shape=_shape_word(step.shape, lang), var=var)


def _rules(rules: tuple[str, ...], lang: str) -> str:
    shown = [word(f"layers_rule_{r}", lang) for r in rules if r not in ("sum",)] or [
        word(f"layers_rule_{rules[-1]}", lang)
    ]
    return ", ".join(dict.fromkeys(shown))


def _table(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(a) for a, _ in rows), default=0)
    return [f"  {a.ljust(width)}    ({b})" for a, b in rows]


def checked_shapes(d) -> str:
    """The inputs' shapes the steps were verified at: W 2×3, b 2, x 3."""
    from chainrule_cli.calculus.expand import resize_shape

    p = A.Printer("text")
    return ", ".join(f"{p.name(n, s)} {resize_shape(s, d.checked_at).text()}"
                     for n, s in _inputs(d) if not s.scalar)  # fmt: skip


def _verdict(d, lang: str) -> str:
    sizes = checked_shapes(d)
    if d.verified:
        return word("layers_verified", lang, sizes=sizes or "1")
    return word("layers_not_verified", lang, sizes=sizes or "1")


def _decimal(m: sympy.Matrix, shape: A.Shape):
    """A matrix of numbers as nested lists of the shape: a scalar a number, a column vector a
    flat list (as NumPy and PyTorch hold it), a matrix or a row a list of rows."""
    values = [[_float(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]
    if shape.scalar:
        return values[0][0]
    if shape.column:
        return [r[0] for r in values]
    return values


def _exact(m: sympy.Matrix, shape: A.Shape):
    values = [[str(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]
    if shape.scalar:
        return values[0][0]
    if shape.column:
        return [r[0] for r in values]
    return values


def _float(value: sympy.Expr) -> float | None:
    """The value as a float, or None where it is not a real number. Evaluated at rising
    precision until two agree: 17 digits alone lose log(1 − σ(9999)) to cancellation (−317 for
    −9999), and a sum that cancels to 0 gives noise that falls with every precision."""
    last = None
    for dps in _PRECISIONS:
        try:
            number = complex(sympy.N(value, dps))
        except (TypeError, ValueError, OverflowError):
            return None
        if last is not None and _near(last, number):
            break
        last = number
    else:
        if abs(number) < 1e-250:  # noise falling with the precision: the value is 0
            return 0.0
        return None  # no two precisions agree: no number rather than a wrong one
    if not (math.isfinite(number.real) and math.isfinite(number.imag)):
        return None
    if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)):
        return None
    return float(number.real)


_PRECISIONS = (17, 40, 120, 400, 1500, 5000, 15000)


def _near(a: complex, b: complex) -> bool:
    if not all(math.isfinite(v) for v in (a.real, a.imag, b.real, b.imag)):
        return a == b
    return abs(a - b) <= 1e-13 * max(abs(a), abs(b)) or max(abs(a), abs(b)) < 1e-300


def _fmt(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_fmt(v) for v in values) + "]"
    return "undefined" if values is None else f"{values:.6g}"


def _given(m: sympy.Matrix) -> str:
    """A value of --at as typed: 1/2 and pi exactly, a matrix by rows."""
    exact = _exact(m, A.Shape(*m.shape))
    if isinstance(exact, str):
        return exact
    return str(exact).replace("'", "")


def _at_text(d, at: dict, lang: str) -> list[str]:
    p = A.Printer("text")
    # the point as it was given (λ = 1/2, not lambda = 0.5), the values worked out in decimals
    point = ", ".join(f"{p.name(n, A.Shape(*m.shape))} = {_given(m)}"
                      for n, m in at["point"].items())  # fmt: skip
    out = [word("layers_at", lang, point=point)]
    out.append(f"  {d.output} = {_fmt(_decimal(at['value'], d.root.shape))}")
    for f in d.forward[:-1]:  # the output is above
        m = at["forward"][f.name]
        out.append(f"  {p.name(f.name, f.expr.shape)} = {_fmt(_decimal(m, f.expr.shape))}")
    for step in d.backward:
        m = at["backward"][step.name]
        out.append(f"  {_grad_name(step, d.output)} = {_fmt(_decimal(m, step.shape))}")
    return out


# ---- LaTeX ----


def layers_latex(result, options) -> str:
    d, lang = _derivation(result), options.lang
    p = A.Printer("latex")
    lines: list[str] = []
    lines.append(r"\begin{align*}")
    lines.append(rf"  {p.name(d.output, d.root.shape)} &= {p(d.root)}\\")
    lines.append(r"\end{align*}")
    lines.append(_latex_words(word("layers_forward", lang)))
    lines.append(r"\begin{align*}")
    rows = [rf"  {p.name(f.name, f.expr.shape)} &= {p(f.expr)}" for f in d.forward]
    lines.append("\\\\\n".join(rows))
    lines.append(r"\end{align*}")
    lines.append(_latex_words(_backward_heading(d, lang)))
    lines.append(r"\begin{align*}")
    rows = []
    for step in d.backward:
        rule = _latex_words(_rule(step, lang)).strip()
        rows.append(rf"  {_grad_name(step, d.output, 'latex', d.root.shape)} &= {p(step.expr)}"
                    rf" && \text{{{rule}}}")  # fmt: skip
    lines.append("\\\\\n".join(rows))
    lines.append(r"\end{align*}")
    lines.append(_latex_words(word("layers_results", lang)))
    lines.append(r"\begin{align*}")
    rows = []
    for step in results(d):
        if step.gradient:
            row = rf"  {_grad_name(step, d.output, 'latex', d.root.shape)} &= {p(step.expr)}"
            if step.full != step.expr:
                row += rf"\\ &= {p(step.full)}"
            rows.append(row)
    lines.append("\\\\\n".join(rows))
    lines.append(r"\end{align*}")
    for n in _notes(d, lang):
        lines.append(_latex_words(n))
    lines.append(_latex_words(_verdict(d, lang)))
    body = "\n".join(lines) + "\n"
    if options.standalone:
        return _document(body, lang)
    return body


def _latex_words(text: str) -> str:
    """A sentence for LaTeX: its special characters escaped, its math in \\ensuremath."""
    out = []
    for ch in text:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch in _UNICODE_MATH:
            out.append(rf"\ensuremath{{{_UNICODE_MATH[ch]}}}")
        else:
            out.append(ch)
    return "".join(out) + "\n"


_UNICODE_MATH = {"δ": r"\delta", "∂": r"\partial", "✓": r"\checkmark", "×": r"\times",
                 "σ": r"\sigma", "⊙": r"\odot", "ᵀ": r"^\top", "→": r"\to", "−": "-",
                 "𝟏": r"\mathbf{1}", "²": "^2", "‖": r"\|", "′": "'", "⁻": "^{-}",
                 "₁": "_1", "₂": "_2", "₃": "_3"}  # fmt: skip


def _document(body: str, lang: str) -> str:
    if lang == "zh":
        head = "\\documentclass{ctexart}\n"
    else:
        head = "\\documentclass{article}\n"
    return (head + "\\usepackage{amsmath,amssymb}\n\\begin{document}\n" + body
            + "\\end{document}\n")  # fmt: skip


# ---- Markdown ----


def layers_markdown(result, options) -> str:
    d, lang = _derivation(result), options.lang
    p = A.Printer("latex")
    out = [f"$${p.name(d.output, d.root.shape)} = {p(d.root)}$$", ""]
    out.append(f"**{word('layers_forward', lang)}**")
    out.append("")
    for f in d.forward:
        out.append(f"- ${p.name(f.name, f.expr.shape)} = {p(f.expr)}$")
    out.append("")
    out.append(f"**{_backward_heading(d, lang)}**")
    out.append("")
    for i, step in enumerate(d.backward, 1):
        out.append(f"{i}. ${_grad_name(step, d.output, 'latex', d.root.shape)} = {p(step.expr)}$"
                   f" — {_rule(step, lang)}: `{_formula(step, lang)}`")  # fmt: skip
    out.append("")
    out.append(f"**{word('layers_results', lang)}**")
    out.append("")
    for step in results(d):
        if step.gradient:
            out.append(f"$${_grad_name(step, d.output, 'latex', d.root.shape)} = {p(step.expr)}"
                       f" = {p(step.full)}$$")  # fmt: skip
    out.append("")
    out.extend(f"> {n}" for n in _notes(d, lang))
    out.append(_verdict(d, lang))
    return "\n".join(out) + "\n"


# ---- JSON ----


def _node_json(node: A.Node) -> dict:
    return {"expr": A.code(node), "text": A.text(node), "latex": A.latex(node),
            "shape": node.shape.spec()}  # fmt: skip


def layers_data(result, options) -> dict:
    d = _derivation(result)
    data = {
        "schema": SCHEMA,
        "ok": True,
        "input": options.text if options.text is not None else d.text,
        "expr": A.code(d.root),
        "latex": {"expr": A.latex(d.root)},
        "kind": d.kind,
        "output": d.output,
        "value_name": result.value_name,
        "shapes": {n: s.spec() for n, s in _inputs(d)},
        "wrt": list(d.wrt),
        "forward": [
            {"name": f.name, "rule": f.rule, **_node_json(f.expr), "full": A.code(f.full)}
            for f in d.forward
        ],  # fmt: skip
        "backward": [
            {
                "name": b.name,
                "of": b.of,
                "rule": b.rule,
                "gradient": b.gradient,
                "formula": b.terms[-1].formula,
                **_node_json(b.expr),
                "full": A.code(b.full),
                "full_latex": A.latex(b.full),
                "terms": [
                    {
                        "via": t.via,
                        "rules": list(t.rules),
                        "formula": t.formula,
                        "expr": A.code(t.expr),
                    }
                    for t in b.terms
                ],
            }
            for b in d.backward
        ],  # fmt: skip
        ("jacobians" if d.kind == "jacobian" else "gradients"): {
            b.of: {
                "expr": A.code(b.expr),
                "full": A.code(b.full),
                "latex": A.latex(b.full),
                "shape": b.shape.spec(),
            }
            for b in d.backward
            if b.gradient
        },  # fmt: skip
        "notes": _notes(d, "en"),
        "verified": bool(d.verified),
        "verified_at": {str(k): v for k, v in d.checked_at.items()},
        "verified_shapes": checked_shapes(d),
    }
    at = options.at
    if at:
        data["at"] = {n: _exact(m, A.Shape(*m.shape)) for n, m in at["point"].items()}
        grads = {b.of: b for b in d.backward if b.gradient}
        data["output_value"] = {"exact": _exact(at["value"], d.root.shape),
                                "decimal": _decimal(at["value"], d.root.shape)}  # fmt: skip
        data["jacobian_values" if d.kind == "jacobian" else "gradient_values"] = {
            name: {"exact": _exact(at["backward"][b.name], b.shape),
                   "decimal": _decimal(at["backward"][b.name], b.shape)}
            for name, b in grads.items()
        }  # fmt: skip
        if len(d.wrt) == 1:
            data["value"] = data["jacobian_values" if d.kind == "jacobian" else "gradient_values"][
                d.wrt[0]
            ]
    return data


def layers_json(result, options) -> str:
    return json.dumps(layers_data(result, options), ensure_ascii=False)
