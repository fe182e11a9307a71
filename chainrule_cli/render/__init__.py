"""Renderings of every result (a derivation, a gradient, a Jacobian, a graph, a checked answer, a
tangent) in every format: one registry, used by the command line and by each result's
`.render()` in the API.

Renderers read the data classes of calculus; none of them computes a derivative, reads a file,
runs a program or checks an option (docs/architecture.md §1).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

FORMATS = ("terminal", "text", "latex", "markdown", "json")


@dataclass(frozen=True)
class Options:
    """How to show a result: every renderer takes one (each reads what concerns it)."""

    lang: str = "en"
    text: str | None = None  # the input as typed (JSON's `input`, a batch's section heading)
    at: object = None  # the values at a point, as the result's value_at gave them
    standalone: bool = False  # LaTeX: a whole document
    section: bool = False  # LaTeX: one section of a batch's document
    color: bool = False  # terminal: ANSI colours
    width: int = 80
    name: str = "f"  # graph, python: the function's name
    detail: str = "normal"  # jacobian: brief leaves out the factors' working
    picture: str | None = field(default=None, repr=False)  # graph, html: the SVG Graphviz drew


# (what the result is, the format) -> "module:function", each function taking (result, Options)
# and giving the text to print (JSON: one line). A new format is one module and its lines here.
# The result's kind is the name of a class it is an instance of (the API's classes extend them).
_D = "chainrule_cli.render."
RENDERERS: dict[tuple[str, str], str] = {
    ("Derivation", "terminal"): _D + "terminal:derivation_text",
    ("Derivation", "text"): _D + "terminal:derivation_text",
    ("Derivation", "latex"): _D + "latex:derivation_latex",
    ("Derivation", "markdown"): _D + "markdown:derivation_markdown",
    ("Derivation", "json"): _D + "jsonout:derivation_json",
    ("Derivation", "html"): _D + "html:derivation_html",
    **{
        (kind, fmt): f"{_D}{module}:{module}_{'text' if fmt == 'terminal' else fmt}"
        for kind, module, formats in (
            ("Gradient", "gradient", ("terminal", "text", "latex", "markdown", "json", "html")),
            ("Jacobian", "jacobian", ("terminal", "text", "latex", "markdown", "json", "html")),
            ("LayerDerivation", "layers", ("terminal", "text", "latex", "markdown", "json")),
            (
                "LayerGraph",
                "layer_graph",
                ("terminal", "text", "latex", "markdown", "json", "dot"),
            ),
            ("Check", "check", ("terminal", "text", "latex", "markdown", "json", "html")),
            ("Tangent", "tangent", ("terminal", "text", "latex", "markdown", "json", "html")),
            ("Hint", "hint", ("terminal", "text", "markdown", "json")),
            ("Working", "working", ("terminal", "text", "markdown", "json")),
            ("Sheet", "practice", ("terminal", "text", "markdown", "json", "latex", "html", "tsv")),
            (
                "Graph",
                "graph",
                ("terminal", "text", "latex", "markdown", "json", "html", "dot", "python"),
            ),
        )  # fmt: skip
        for fmt in formats
    },
    ("LayerDerivation", "html"): _D + "layers_html:layers_html",
    ("LayerGraph", "html"): _D + "layers_html:layer_graph_html",
    ("LayerGraph", "numpy"): _D + "arrays_code:layers_numpy",
    ("LayerGraph", "jax"): _D + "arrays_code:layers_jax",
}


def kind_of(result) -> str:
    for cls in type(result).__mro__:
        if any(kind == cls.__name__ for kind, _ in RENDERERS):
            return cls.__name__
    raise TypeError(f"chainrule cannot render a {type(result).__name__}")


def formats_of(result) -> tuple[str, ...]:
    kind = kind_of(result)
    return tuple(fmt for k, fmt in RENDERERS if k == kind)


def render(result, fmt: str, **options) -> str:
    """One result in one format, as the text to print (JSON: one line). Colour is for the
    terminal format only."""
    kind = kind_of(result)
    target = RENDERERS.get((kind, fmt))
    if target is None:
        raise ValueError(f"format must be one of {', '.join(formats_of(result))}")
    module, function = target.split(":")
    if fmt != "terminal":
        options["color"] = False
    renderer = getattr(importlib.import_module(module), function)
    return renderer(result, Options(**options))
