"""Renderings of a Derivation: terminal and text (Rich), LaTeX, Markdown, JSON.

Renderers read the stepper's data classes; none of them computes a derivative.
"""

from __future__ import annotations

FORMATS = ("terminal", "text", "latex", "markdown", "json")


def render(
    derivation,
    fmt: str,
    *,
    lang: str = "en",
    text: str | None = None,
    at: dict | None = None,
    standalone: bool = False,
    color: bool = False,
    width: int = 80,
) -> str:
    """One derivation in one format, as the text to print (JSON: one line)."""
    if fmt == "html":
        from chainrule_cli.render.html import render_html

        return render_html(derivation, lang, at)
    if fmt in ("terminal", "text"):
        from chainrule_cli.render.terminal import render_text

        return render_text(derivation, lang, width, at, color=color and fmt == "terminal")
    if fmt == "latex":
        from chainrule_cli.render.latex import render_latex

        return render_latex(derivation, lang, standalone, at)
    if fmt == "markdown":
        from chainrule_cli.render.markdown import render_markdown

        return render_markdown(derivation, lang, at)
    if fmt == "json":
        import json

        from chainrule_cli.render.jsonout import render_json

        return json.dumps(render_json(derivation, text, lang, at), ensure_ascii=False) + "\n"
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
