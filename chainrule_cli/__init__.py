"""chainrule: differentiate expressions symbolically and show every step of the chain rule."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "__version__", "check", "check_steps", "differentiate", "gradient", "graph", "hint",
    "jacobian", "parse", "practice",
]  # fmt: skip


def __getattr__(name: str):
    # Lazy so that `chainrule --help` never pays for importing SymPy.
    if name == "parse":
        from chainrule_cli.parse import parse

        return parse
    if name == "language_from_environment":  # the user's language: --lang, else the locale
        from chainrule_cli.render.messages import language_from_environment

        return language_from_environment
    if name == "in_language":  # a line for standard error, in the user's language
        from chainrule_cli.render.translate import ui_error

        return ui_error
    if name in ("check", "check_steps", "differentiate", "gradient", "graph", "hint", "jacobian",
                "practice"):  # fmt: skip
        from chainrule_cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'chainrule_cli' has no attribute {name!r}")
