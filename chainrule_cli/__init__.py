"""chainrule: differentiate expressions symbolically and show every step of the chain rule."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "check", "differentiate", "gradient", "graph", "jacobian", "parse"]


def __getattr__(name: str):
    # Lazy so that `chainrule --help` never pays for importing SymPy.
    if name == "parse":
        from chainrule_cli.parse import parse

        return parse
    if name in ("check", "differentiate", "gradient", "graph", "jacobian"):
        from chainrule_cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'chainrule_cli' has no attribute {name!r}")
